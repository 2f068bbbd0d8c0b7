/* TCP headers and options (RFC 9293 3.1, RFC 7323, RFC 2018). */
#ifndef NARU_WIRE_TCP_H
#define NARU_WIRE_TCP_H

#include "wire/wire.h"

#define TCP_MIN_HEADER_LEN 20
#define TCP_MAX_HEADER_LEN 60
#define TCP_FIN 0x01
#define TCP_SYN 0x02
#define TCP_RST 0x04
#define TCP_PSH 0x08
#define TCP_ACK 0x10
#define TCP_URG 0x20
#define TCP_ECE 0x40
#define TCP_CWR 0x80

#define TCP_OPT_EOL 0
#define TCP_OPT_NOP 1
#define TCP_OPT_MSS 2
#define TCP_OPT_WSCALE 3
#define TCP_OPT_SACK_PERMITTED 4
#define TCP_OPT_SACK 5
#define TCP_OPT_TIMESTAMPS 8
#define TCP_MAX_SACK_BLOCKS 4

struct tcp_sack_block {
    uint32_t left;             /* first sequence number of the block */
    uint32_t right;            /* the one after its last */
};

struct tcp_options {
    bool mss_present;
    bool wscale_present;
    bool sack_permitted;
    bool timestamps_present;
    uint16_t mss;
    uint8_t wscale;            /* as received; RFC 7323 2.3 caps use at 14 */
    uint8_t sack_count;
    uint32_t ts_val;
    uint32_t ts_ecr;
    struct tcp_sack_block sack[TCP_MAX_SACK_BLOCKS];
};

struct tcp_header {
    uint16_t src_port;
    uint16_t dst_port;
    uint32_t seq;
    uint32_t ack;
    uint8_t header_len;        /* bytes, 20..60 */
    uint8_t flags;
    uint16_t window;           /* unscaled, as on the wire */
    uint16_t checksum;
    uint16_t urgent;
    struct tcp_options options;
};

/* len is the IP payload length. Checks the data offset, the options and the
 * checksum with the pseudo-header, whose sum without its length field is
 * `pseudo` (either family's: ip_pseudo_sum()). Returns the header length
 * or a wire_error. */
int tcp_parse_pseudo(const uint8_t *buf, size_t len, uint32_t pseudo, struct tcp_header *h);
/* The same, with IPv4's pseudo-header. */
int tcp_parse(const uint8_t *buf, size_t len, uint32_t src, uint32_t dst, struct tcp_header *h);
/* The same but for the checksum, for a segment whose checksum the link
 * vouches for (checksum offload: verified by the device, or left partial
 * by a trusted local sender). */
int tcp_parse_header(const uint8_t *buf, size_t len, struct tcp_header *h);
#define TCP_CHECKSUM_OFFSET 16     /* the checksum field, from the header's start */
/* Options alone. Unknown kinds are skipped by their length; a known kind of
 * the wrong length, or a length running past the end, is WIRE_BAD_OPTION. */
int tcp_parse_options(const uint8_t *opt, size_t len, struct tcp_options *o);
/* Bytes the options take on the wire, padded to a multiple of 4 (<= 40;
 * SACK blocks that do not fit are left out). */
size_t tcp_options_len(const struct tcp_options *o);
/* Writes header and options at buf, in front of payload_len bytes already at
 * buf + tcp_header_len(h), and the checksum over all of it, with the
 * pseudo-header whose sum without its length is `pseudo`. h->header_len is
 * ignored. Returns the header length. */
size_t tcp_emit_pseudo(const struct tcp_header *h, uint32_t pseudo, uint8_t *buf, size_t payload_len);
/* The same, with IPv4's pseudo-header. */
size_t tcp_emit(const struct tcp_header *h, uint32_t src, uint32_t dst, uint8_t *buf,
                size_t payload_len);
static inline size_t tcp_header_len(const struct tcp_header *h)
{
    return TCP_MIN_HEADER_LEN + tcp_options_len(&h->options);
}

#endif
