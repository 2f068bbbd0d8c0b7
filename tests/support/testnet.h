/* Small helpers for tests that build networks in the simulator. */
#ifndef NARU_TEST_TESTNET_H
#define NARU_TEST_TESTNET_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
/* cmocka needs the three above first */
#include <cmocka.h>

#include "naru/addr.h"
#include "naru/counters.h"
#include "naru/sim.h"
#include "naru/socket.h"
#include "naru/stack.h"

/* Address text to a host-order address; fails the test on bad text. */
uint32_t ip(const char *text);
/* A counter by "layer_name", e.g. counter(stack, "ip_reasm_ok"). */
uint64_t counter(const struct naru_stack *stack, const char *name);
/* A UDP socket bound to port (0 for ephemeral). */
int udp_socket(struct naru_stack *stack, uint16_t port);
/* Run the simulation until the socket is readable or `timeout` passes. */
bool wait_readable(struct naru_sim *sim, struct naru_stack *stack, int sock, naru_time_t timeout);

#endif
