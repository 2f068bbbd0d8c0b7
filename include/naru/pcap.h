/* Packet capture in classic pcap format (nanosecond timestamps, Ethernet
 * link type), readable by tcpdump, tshark and Wireshark. */
#ifndef NARU_PCAP_H
#define NARU_PCAP_H

#include <stddef.h>
#include <stdint.h>

#include "naru/stack.h"

struct naru_pcap;

/* Create (truncate) the file. 0 or a negative errno. */
int naru_pcap_open(const char *path, struct naru_pcap **out);
/* Timestamps are naru time plus this offset (ns since 1970); default 0. */
void naru_pcap_set_epoch(struct naru_pcap *pcap, uint64_t epoch_ns);
void naru_pcap_write(struct naru_pcap *pcap, naru_time_t when, const uint8_t *frame, size_t len);
/* Flushes and closes; returns 0 or the first write error. */
int naru_pcap_close(struct naru_pcap *pcap);
/* A frame tap for naru_if_set_tap(): ctx is the naru_pcap. */
void naru_pcap_tap(void *ctx, naru_time_t now, int ifindex, enum naru_direction dir,
                   const uint8_t *frame, size_t len);

#endif
