/* TCP connections in a capture, segment by segment, as tcptrace and
 * tshark's TCP analysis see them: for each connection and each direction,
 * the data segments with their relative sequence numbers, the ACKs,
 * advertised windows and SACK blocks coming back, retransmissions,
 * duplicate ACKs and zero windows. From it: a time-sequence graph (the
 * "tsg" of tcptrace and xplot) as SVG, and the same points as text.
 *
 * Relative sequence numbers count from the ISN as tshark's tcp.seq does
 * (tcp.seq_raw minus the SYN's sequence number; without a SYN in the
 * capture, from one before the first seen), but as 64-bit values that go
 * on past 2^32 and below zero instead of wrapping. Times count from the
 * capture's first frame (tshark's frame.time_relative). */
#ifndef NARU_FLOWTRACE_H
#define NARU_FLOWTRACE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "naru/addr.h"
#include "naru/capture.h"

#ifdef __cplusplus
extern "C" {
#endif

/* TCP header flags (RFC 9293 3.1). */
#define NARU_TCP_FIN 0x01
#define NARU_TCP_SYN 0x02
#define NARU_TCP_RST 0x04
#define NARU_TCP_PSH 0x08
#define NARU_TCP_ACK 0x10
#define NARU_TCP_URG 0x20
#define NARU_TCP_ECE 0x40
#define NARU_TCP_CWR 0x80

/* What the analysis says of a segment. */
enum naru_trace_mark {
    /* tcptrace's rule: some of its sequence space (data, SYN or FIN) was
     * sent before in this direction. tshark marks fewer (it calls some
     * "out-of-order" when they follow another retransmission closely). */
    NARU_TRACE_RETRANSMISSION = 1 << 0,
    /* All of it new, but starting below the highest sequence number sent:
     * a hole filled (the first copy was lost before the capture point) or
     * a segment reordered before it. */
    NARU_TRACE_OUT_OF_ORDER = 1 << 1,
    /* tshark's rule: no data, no SYN, FIN or RST, the same ACK and the
     * same non-zero window as the direction's segment before, and the
     * next sequence number. */
    NARU_TRACE_DUP_ACK = 1 << 2,
    /* A window of 0, not on a SYN, FIN or RST. */
    NARU_TRACE_ZERO_WINDOW = 1 << 3,
    /* tshark's keep-alive: at most one byte, one before the next sequence
     * number, no SYN, FIN or RST. The ACK that answers it is not counted
     * a duplicate. */
    NARU_TRACE_KEEP_ALIVE = 1 << 4,
};

#define NARU_TRACE_MAX_SACK 4

struct naru_trace_sack {
    int64_t left, right;       /* relative to the other direction, as its seq */
};

/* One TCP segment as the capture saw it. */
struct naru_trace_segment {
    uint64_t frame;            /* 1-based frame number in the capture */
    int64_t time_ns;           /* since the capture's first frame */
    int64_t seq;               /* relative (tshark's tcp.seq) */
    int64_t ack;               /* relative to the other direction (tcp.ack); with the ACK flag only */
    uint64_t window;           /* advertised, scaled when the scale is known (tcp.window_size) */
    uint32_t len;              /* payload bytes (tcp.len) */
    uint8_t flags;             /* NARU_TCP_* */
    uint8_t marks;             /* enum naru_trace_mark */
    uint8_t sack_count;
    struct naru_trace_sack sack[NARU_TRACE_MAX_SACK];
};

/* One direction of a connection: what src sent to dst. */
struct naru_trace_direction {
    struct naru_addr src, dst;
    uint16_t src_port, dst_port;
    const struct naru_trace_segment *segments; /* in capture order */
    size_t count;
    bool syn_seen;
    uint32_t isn;              /* the raw sequence number of relative 0 */
    int wscale;                /* shift applied to its windows; -1 unknown (no SYN seen), 0 none */
    uint64_t bytes;            /* payload bytes, retransmissions included */
    uint64_t data_segments;    /* segments with payload */
    uint64_t retransmissions;  /* segments marked NARU_TRACE_RETRANSMISSION */
    uint64_t out_of_order, dup_acks, zero_windows;
};

struct naru_trace_conn {
    size_t index;              /* 0, 1, ... by first packet: tshark's tcp.stream */
    struct naru_trace_direction dir[2]; /* dir[0] from whoever sent the first packet seen */
    int64_t first_ns, last_ns; /* since the capture's first frame */
};

/* Frames that did not make it into a connection. */
struct naru_flowtrace_stats {
    uint64_t frames;           /* all frames added */
    uint64_t tcp;              /* TCP segments analysed */
    uint64_t not_tcp;          /* not IP, or IP but not TCP (other_link included) */
    uint64_t other_link;       /* of a link type naru_capture_ip() does not read */
    uint32_t other_linktype;   /* the first such link type */
    uint64_t fragments;        /* IP fragments (not reassembled) */
    uint64_t unreadable;       /* IP or TCP headers cut short or malformed */
};

struct naru_flowtrace;

struct naru_flowtrace *naru_flowtrace_new(void);
/* One frame of the capture; add every frame, in order, so that times and
 * frame numbers count as in the capture. 0, or -ENOMEM. */
int naru_flowtrace_add(struct naru_flowtrace *t, const struct naru_capture_packet *p);
/* Every packet of c: 0; -EIO when the capture is damaged (its
 * naru_capture_error() says where; what came before is kept); -ENOMEM. */
int naru_flowtrace_read(struct naru_flowtrace *t, struct naru_capture *c);
size_t naru_flowtrace_count(const struct naru_flowtrace *t);
/* Connection number index (0 .. count-1), or NULL. Valid until the next
 * add or the free. */
const struct naru_trace_conn *naru_flowtrace_conn(const struct naru_flowtrace *t, size_t index);
const struct naru_flowtrace_stats *naru_flowtrace_stats(const struct naru_flowtrace *t);
void naru_flowtrace_free(struct naru_flowtrace *t);

/* ---- the time-sequence graph ---------------------------------------------- */

/* The conventions of tcptrace and xplot: time across, sequence number up;
 * each data segment of the direction a vertical bar from its first byte to
 * past its last with arrow ends (retransmissions red, out-of-order blue);
 * the ACKs coming back as a green step line, ack + window as an olive one
 * above it; SACK blocks purple; SYN, FIN and RST labelled; duplicate ACKs
 * and zero windows marked. */
struct naru_tsg_options {
    unsigned width, height;    /* pixels; 0 for 1000 x 600 */
    bool has_from, has_to;     /* a time window, in ns since the capture's start */
    int64_t from_ns, to_ns;
    const char *title;         /* NULL: "SRC:PORT > DST:PORT" */
    const char *source;        /* the capture's name, for the line under the title; or NULL */
};

/* Direction d (0 or 1) of c as one SVG document. 0, or -EIO when writing
 * failed (errno says why). */
int naru_tsg_svg(FILE *out, const struct naru_trace_conn *c, int d, const struct naru_tsg_options *o);
/* The points the graph is drawn from, as tab-separated text: a comment
 * line naming the connection, a header line, then one line per segment of
 * both directions in capture order (only those in o's time window, when
 * it has one, as on the graph; o may be NULL):
 *   frame time dir flags seq len ack win marks sack
 * dir is ">" for direction d (the data), "<" for the other (the ACKs);
 * time in seconds with 9 decimals; ack "-" without the ACK flag; marks a
 * comma list (retransmission, out-of-order, dup-ack, zero-window,
 * keep-alive) or "-";
 * sack "LEFT-RIGHT,..." or "-". 0, or -EIO. */
int naru_tsg_dump(FILE *out, const struct naru_trace_conn *c, int d, const struct naru_tsg_options *o);
/* "10.0.0.1:80" or "[2001:db8::1]:80" (buf of at least NARU_TRACE_ENDPOINT_STRLEN). */
#define NARU_TRACE_ENDPOINT_STRLEN (NARU_ADDR_STRLEN + 8)
char *naru_trace_endpoint_format(const struct naru_addr *a, uint16_t port, char *buf);

#ifdef __cplusplus
}
#endif
#endif
