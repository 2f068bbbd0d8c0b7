/* A stack with one interface whose driver records every frame it sends,
 * so a test can inject a frame and check exactly what came back. */
#ifndef NARU_TEST_CAPTURE_H
#define NARU_TEST_CAPTURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "naru/stack.h"

#define CAPTURE_MAX_FRAMES 256

struct captured_frame {
    uint8_t *data;
    size_t len;
    bool taken;
    struct naru_frame_meta meta; /* what the stack said of it (offload hosts) */
};

struct capture_host {
    struct naru_stack *stack;
    int ifindex;
    uint8_t mac[6];
    uint32_t addr;
    struct captured_frame frames[CAPTURE_MAX_FRAMES];
    size_t count;              /* frames sent since the last capture_clear() */
    uint32_t offloads;         /* what its driver declares (capture_host_new_offload) */
};

/* A stack (seed 1, defaults) with address `cidr` and MAC 02:00:00:00:00:01. */
struct capture_host *capture_host_new(const char *cidr);
/* Same, with a configuration of the caller's (its seed is kept); cidr NULL:
 * the interface is left down, with no address. */
struct capture_host *capture_host_new_with(const char *cidr, const struct naru_stack_config *config);
/* Same, with a driver that declares `offloads` (NARU_OFFLOAD_*; TSO up to
 * 65535-byte datagrams) and keeps each frame's metadata. Like a device, it
 * completes a checksum left partial in the copy it keeps (the metadata
 * still says it was partial); a frame of segments to cut (TSO) is kept
 * whole. */
struct capture_host *capture_host_new_offload(const char *cidr, const struct naru_stack_config *config,
                                              uint32_t offloads);
/* Poll the host's timers in order up to `when` (each one due runs at its
 * own time), then poll at `when`. */
void capture_run_until(struct capture_host *h, naru_time_t when);
/* A host whose interface came up without autoconfiguration (no IPv6
 * address, no timers): the autoconfiguration tests drive it themselves. */
struct capture_host *capture_host_new_without_ipv6(const char *cidr);
void capture_host_free(struct capture_host *h);
/* Forget the frames sent so far. */
void capture_clear(struct capture_host *h);
/* The oldest frame not yet taken, or NULL; it stays valid until the next
 * capture_clear() or capture_host_free(). */
const struct captured_frame *capture_take(struct capture_host *h);
/* The oldest untaken IPv4 frame, skipping (taking) ARP frames; or NULL. */
const struct captured_frame *capture_take_ip(struct capture_host *h);
/* The next frame that is not IPv6 (ARP, IPv4), skipping the IPv6 ones:
 * the interface's IPv6 autoconfiguration (MLD reports, DAD, router
 * solicitations) goes on beside IPv4 tests. */
const struct captured_frame *capture_take_v4(struct capture_host *h);
/* Make `ip` known at `mac` (an ARP request from it for our address, which
 * RFC 826 has us learn from), so tests see IP frames, not ARP. Our ARP
 * reply is marked taken; frames sent earlier stay to be taken. */
void capture_teach_neighbour(struct capture_host *h, uint32_t ip, const uint8_t mac[6]);

/* Frame building, for injecting: an Ethernet + IPv4 frame around `payload`
 * (checksum computed; fragment fields as given). Returns the frame length. */
struct frame_spec {
    const uint8_t *src_mac, *dst_mac;
    uint32_t src, dst;
    uint8_t protocol, ttl;
    uint16_t id;
    uint16_t fragment_offset;  /* bytes */
    int more_fragments, dont_fragment;
};
size_t build_ip_frame(uint8_t *out, size_t cap, const struct frame_spec *spec, const uint8_t *payload,
                      size_t len);
/* A UDP datagram (header + data, checksummed) into out; returns its length. */
size_t build_udp(uint8_t *out, uint32_t src, uint32_t dst, uint16_t sport, uint16_t dport,
                 const void *data, size_t len);

#endif
