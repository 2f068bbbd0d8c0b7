/* One line of plain words about an Ethernet frame: what a person watching
 * the wire would want to know (who asks whom, addresses, ports, TTL, flags,
 * sizes), for stories, logs and tests. Pure: no state, no allocation. */
#ifndef NARU_DESCRIBE_H
#define NARU_DESCRIBE_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Writes at most cap bytes (always NUL-terminated when cap > 0) and returns
 * the length the whole description has, like snprintf. Malformed frames
 * are described as such ("IPv4 with a bad header checksum"), never
 * rejected. Examples:
 *   ARP who-has 10.1.0.1? tell 10.1.0.2
 *   10.1.0.2 > 10.3.0.2 TTL 64: ICMP echo request id 7 seq 1, 56 data bytes
 *   10.1.0.2:49152 > 10.3.0.2:80 TTL 62: TCP [SYN] seq 1804289383 win 65535 <mss 1460,wscale 7,sack-ok,ts>
 *   10.1.0.1 > 10.1.0.2 TTL 64: ICMP time exceeded (TTL expired in transit) about UDP 10.1.0.2:33434 > 10.3.0.2:33435 */
int naru_frame_describe(const uint8_t *frame, size_t len, char *buf, size_t cap);

/* The same for an IPv4 datagram without the Ethernet header. */
int naru_ip_describe(const uint8_t *datagram, size_t len, char *buf, size_t cap);

#ifdef __cplusplus
}
#endif
#endif
