/* Reassembly of fragmented datagrams (RFC 791 3.2, RFC 815, RFC 1122
 * 3.3.2). Each datagram in progress owns one 64 KiB buffer; the number in
 * progress is bounded, and the oldest gives way when a new one arrives. */
#ifndef NARU_IP_REASSEMBLY_H
#define NARU_IP_REASSEMBLY_H

#include <stdbool.h>
#include <stdint.h>

#include "core/timer.h"
#include "ip/fragment_table.h"
#include "wire/ipv4.h"

struct naru_stack;
struct pbuf;

struct reassembly_slot {
    struct fragment_slot common;  /* first: the table's part */
    uint8_t protocol;
    uint16_t id;
    uint32_t src, dst;
    uint8_t first_header[IPV4_MAX_HEADER_LEN];
    uint8_t first_header_len;     /* 0 until fragment zero arrives */
};

int reassembly_init(struct naru_stack *stack);
void reassembly_fini(struct naru_stack *stack);
/* Take a fragment (pb->data at its IP header, already validated). Returns
 * the whole datagram once the last missing piece arrives, with a fresh
 * unfragmented header; NULL while pieces are missing or when the datagram
 * was dropped. Takes the pbuf. */
struct pbuf *ip_reassemble(struct naru_stack *stack, struct pbuf *pb, const struct ipv4_header *ip);

#endif
