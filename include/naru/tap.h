/* The Linux TAP driver: a naru interface that is a kernel network device.
 * The host loop reads frames with naru_tap_read() (the fd is non-blocking,
 * for poll(2)) and hands them to naru_stack_input(). */
#ifndef NARU_TAP_H
#define NARU_TAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "naru/stack.h"

struct naru_tap;

/* Attach to TAP device `name`, creating it if it does not exist, and set
 * the kernel side up. 0, or a negative errno (-EPERM without CAP_NET_ADMIN). */
int naru_tap_open(const char *name, struct naru_tap **out);
/* The same, with offloads if `offload` (and the kernel agrees): every frame
 * crosses with a virtio-net header (IFF_VNET_HDR), and the kernel is told
 * (TUNSETOFFLOAD: TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6) that naru takes TCP/UDP
 * checksums left partial and TCP segments merged up to 64 KiB (GSO) in one
 * read(), and completes the checksums and cuts naru's own merged segments
 * itself, at the MSS naru chose, on write(). One system call then moves up
 * to 64 KiB each way instead of one frame. Without offloads the device's
 * offloads are switched off, whatever an earlier user left on. */
int naru_tap_open_offload(const char *name, bool offload, struct naru_tap **out);
/* Did the device open with offloads? */
bool naru_tap_has_offloads(const struct naru_tap *tap);
void naru_tap_close(struct naru_tap *tap);
int naru_tap_fd(const struct naru_tap *tap);
const char *naru_tap_name(const struct naru_tap *tap);
/* The kernel device's MTU, or a negative errno. */
int naru_tap_mtu(const struct naru_tap *tap);
/* A driver for naru_if_add() whose transmit writes to the device, with
 * the device's offloads declared. */
struct naru_driver naru_tap_driver(struct naru_tap *tap);
/* One frame into buf: its length, -EAGAIN when none is waiting, or another
 * negative errno. A frame longer than cap is cut short. */
long naru_tap_read(struct naru_tap *tap, uint8_t *buf, size_t cap);
/* The same, with what the kernel says of the frame (for
 * naru_stack_input_offload(); all zero without offloads). With offloads,
 * frames reach NARU_TAP_FRAME_MAX bytes, and a device opened with them
 * must be read through this call, since the checksum of a frame may be
 * partial. */
long naru_tap_read_meta(struct naru_tap *tap, uint8_t *buf, size_t cap, struct naru_frame_meta *meta);
/* The largest frame a read returns: a 64 KiB IP datagram, its Ethernet
 * header and two VLAN tags. */
#define NARU_TAP_FRAME_MAX (65535 + 14 + 8)

#endif
