/* The Linux TAP driver: a naru interface that is a kernel network device.
 * The host loop reads frames with naru_tap_read() (the fd is non-blocking,
 * for poll(2)) and hands them to naru_stack_input(). */
#ifndef NARU_TAP_H
#define NARU_TAP_H

#include <stddef.h>
#include <stdint.h>

#include "naru/stack.h"

struct naru_tap;

/* Attach to TAP device `name`, creating it if it does not exist, and set
 * the kernel side up. 0, or a negative errno (-EPERM without CAP_NET_ADMIN). */
int naru_tap_open(const char *name, struct naru_tap **out);
void naru_tap_close(struct naru_tap *tap);
int naru_tap_fd(const struct naru_tap *tap);
const char *naru_tap_name(const struct naru_tap *tap);
/* The kernel device's MTU, or a negative errno. */
int naru_tap_mtu(const struct naru_tap *tap);
/* A driver for naru_if_add() whose transmit writes to the device. */
struct naru_driver naru_tap_driver(struct naru_tap *tap);
/* One frame into buf: its length, -EAGAIN when none is waiting, or another
 * negative errno. */
long naru_tap_read(struct naru_tap *tap, uint8_t *buf, size_t cap);

#endif
