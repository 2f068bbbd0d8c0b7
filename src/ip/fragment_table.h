/* The datagrams being reassembled, for IPv4's and IPv6's reassembly alike:
 * a bounded table of slots, each with one buffer big enough for the
 * largest datagram and a timer; a new datagram takes a free slot or, when
 * none is free, the oldest one's (RFC 815's bounded resources; Linux's
 * ipfrag evicts the same way). Each family's slot starts with a
 * `struct fragment_slot` and adds what it keeps of the first fragment. */
#ifndef NARU_IP_FRAGMENT_TABLE_H
#define NARU_IP_FRAGMENT_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/timer.h"
#include "ip/fragment_ranges.h"

struct naru_stack;
struct pbuf;

struct fragment_slot {
    bool used;
    naru_time_t started;
    struct pbuf *buffer;          /* the payload at the family's offset from base */
    uint32_t total_len;           /* payload bytes; 0 until the last fragment arrives */
    uint32_t received;            /* payload bytes held */
    struct fragment_ranges ranges;
    struct naru_timer timer;
};

struct fragment_table {
    unsigned char *slots;         /* count slots of slot_size bytes, from the first fragment on */
    uint32_t count;
    size_t slot_size;
    naru_timer_fn timed_out;
};

int fragment_table_init(struct fragment_table *t, uint32_t count, size_t slot_size, naru_timer_fn timed_out);
void fragment_table_fini(struct naru_stack *stack, struct fragment_table *t);

/* The slot `match` recognises the datagram in; else a fresh one (*fresh
 * set, timer armed for `timeout`) in a free slot or the oldest's, with
 * (*evicted)++. NULL when there are no slots or no buffer. */
struct fragment_slot *fragment_table_find_or_start(struct naru_stack *stack, struct fragment_table *t,
                                                   bool (*match)(const struct fragment_slot *s, const void *key),
                                                   const void *key, naru_time_t timeout, uint64_t *evicted,
                                                   bool *fresh);
void fragment_slot_free(struct naru_stack *stack, struct fragment_slot *s);

/* Places payload bytes [start, end) of a fragment (`more`: not the last)
 * into the slot's buffer at `offset` + start. FRAGMENT_MALFORMED: an end
 * that contradicts the last fragment's. */
enum fragment_placement fragment_slot_take(struct fragment_slot *s, uint32_t start, uint32_t end, bool more,
                                           const uint8_t *data, size_t offset);

#endif
