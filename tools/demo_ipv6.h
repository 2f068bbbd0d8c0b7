/* naru demo --ipv6: the same two sites and routers as the IPv4 story, but
 * speaking IPv6, told in chapters: a host that wakes up with no address,
 * router advertisements and SLAAC, neighbour discovery instead of ARP, a
 * ping and a traceroute across the routers, and a name looked up (AAAA)
 * and a page fetched over TCP on IPv6. */
#ifndef NARU_TOOLS_DEMO_IPV6_H
#define NARU_TOOLS_DEMO_IPV6_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "naru/replay.h"
#include "naru/stack.h"

struct demo_ipv6_options {
    uint64_t seed;
    double loss, reorder;      /* of the r1-r2 link */
    naru_time_t delay;
    uint64_t bandwidth;
    const char *pcap;          /* capture directory, or NULL */
    FILE *html;                /* the replay page is written here, or NULL */
    bool quiet;
    /* The replay page's own words in the story's language (cmd_demo.c's). */
    int (*page_words)(struct naru_replay *replay);
};

/* Tell the story; the exit status (0, or 1 when the simulation or writing
 * the captures or the page failed, said on stderr). */
int demo_ipv6(const struct demo_ipv6_options *options);

#endif
