/* The replay recorder's records, shared by replay.c (recording) and
 * replay_html.c (the page). */
#ifndef NARU_TRACE_REPLAY_INTERNAL_H
#define NARU_TRACE_REPLAY_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "naru/addr.h"
#include "naru/replay.h"

/* Bytes kept of each frame: every header the page dissects (Ethernet, IP
 * with options or IPv6 extension headers, TCP with options) and the start
 * of DNS and HTTP; like tcpdump -s 256. Keeps 100,000 frames near 34 MB
 * of page. */
#define REPLAY_SNAPLEN 256
/* Socket handles tried when looking for a sender's connection. */
#define REPLAY_SOCKET_SCAN 256

enum replay_flag {
    REPLAY_LOST = 1 << 0,      /* lost on the wire */
    REPLAY_DROPPED = 1 << 1,   /* refused by the queue or too big: not in the capture */
    REPLAY_REORDERED = 1 << 2,
    REPLAY_DUPLICATED = 1 << 3,
    REPLAY_CORRUPTED = 1 << 4,
};

struct replay_frame {
    uint32_t link;             /* the recorder's slot */
    uint8_t from;              /* the end that sent it */
    uint8_t flags;             /* enum replay_flag */
    uint8_t deliveries_left;
    int64_t sent, arrive;      /* ns; arrive -1: not (yet) arrived */
    uint32_t number;           /* in the link's capture, 1-based; 0 when refused */
    uint32_t len, caplen;
    size_t offset;             /* of its first caplen bytes in the arena */
};

/* Frames of one direction on their way, oldest first. */
struct replay_pending {
    size_t *index;
    size_t count, cap;
};

struct replay_link {
    struct naru_sim_link *link;
    uint32_t number;           /* frames captured so far */
    size_t last_sent[2];       /* the frame each end sent last, or SIZE_MAX */
    struct replay_pending pending[2]; /* sent by end 0, by end 1 */
};

struct replay_chapter {
    char *title, *text;
    naru_time_t start;
};

struct replay_cc_sample {
    naru_time_t time;
    uint32_t cwnd, ssthresh, rtt_us;
};

/* One sending side of a TCP connection, as its own stack sees it. */
struct replay_flow {
    struct naru_stack *stack;
    struct naru_addr src, dst;
    uint16_t sport, dport;
    int sock;                  /* -1: not this stack's (a router's hop) */
    struct replay_cc_sample *samples;
    size_t sample_count, sample_cap;
};

struct naru_replay {
    struct naru_sim *sim;
    struct replay_link *links;
    size_t link_count, link_cap, last_link;
    struct replay_frame *frames;
    size_t frame_count, frame_cap;
    uint8_t *bytes;
    size_t bytes_len, bytes_cap;
    uint64_t frames_missed;    /* not kept: out of memory */
    struct replay_chapter *chapters;
    size_t chapter_count, chapter_cap;
    struct replay_flow *flows;
    size_t flow_count, flow_cap;
    struct replay_word { char *key, *text; } *words; /* the page's own words, translated */
    size_t word_count;
};

#endif
