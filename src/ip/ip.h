/* The IP layer's family-neutral face: what the transports and the link
 * layer see of IPv4 and IPv6. Each family's own work stays in its files
 * (ipv4.c, icmp.c, ...); this holds what both share, and dispatches. */
#ifndef NARU_IP_IP_H
#define NARU_IP_IP_H

#include <stdbool.h>
#include <stdint.h>

#include "naru/addr.h"

/* Text of either family, for log lines. */
#define IP_ADDR_STRLEN 46
char *ip_addr_format(const struct naru_addr *addr, char buf[IP_ADDR_STRLEN]);

#endif
