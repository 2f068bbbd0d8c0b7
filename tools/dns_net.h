/* Kernel-socket helpers shared by naru dig and naru dnsd: addresses in
 * text, and random bytes from the OS. */
#ifndef NARU_TOOLS_DNS_NET_H
#define NARU_TOOLS_DNS_NET_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

/* "A.B.C.D", "A.B.C.D:PORT", "::1", "[::1]:PORT" -> a socket address.
 * 0, or -1 for bad text. */
int dns_net_parse_addr(const char *text, uint16_t default_port, struct sockaddr_storage *ss,
                       socklen_t *len);
/* "A.B.C.D#PORT" or "V6#PORT" into buf, as dig names a server. */
const char *dns_net_format_addr(const struct sockaddr *sa, char *buf, size_t cap);
/* A kernel socket address as naru's (either family; an IPv6 one's
 * sin6_scope_id is an OS interface index, not naru's: dropped). */
struct naru_sockaddr;
void dns_net_to_naru(const struct sockaddr_storage *ss, struct naru_sockaddr *out);
/* Fill buf from the OS's random source. 0 or -1. */
int dns_net_random(void *buf, size_t len);

#endif
