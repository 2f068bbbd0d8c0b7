/* A checked scenario's layer 3, as the checker, the routes and the
 * builder see it: every address on a link (an interface), the networks
 * they make, and hash indexes to find an address's owner, a node's
 * interface on a network and the networks holding an address in constant
 * time. Private to src/sim/. */
#ifndef NARU_SIM_SCENARIO_NET_H
#define NARU_SIM_SCENARIO_NET_H

#include "sim/scenario_model.h"

/* Interfaces, networks and their indexes, from links whose ends have
 * their addresses and segments. false after an error (an address given
 * twice, out of memory). */
bool sc_net_build(struct naru_scenario *sc);
/* The interface with this address, or SC_NONE. */
uint32_t sc_iface_of_addr(const struct naru_scenario *sc, const struct naru_addr *addr);
/* Node n's interface on network `net`, or SC_NONE. */
uint32_t sc_node_iface_on(const struct naru_scenario *sc, uint32_t node, uint32_t net);
/* The networks holding addr, longest prefix first: how many, at most cap. */
unsigned sc_networks_of(const struct naru_scenario *sc, const struct naru_addr *addr, uint32_t *out, unsigned cap);
/* The network of exactly this prefix, or SC_NONE. */
uint32_t sc_network_find(const struct naru_scenario *sc, const struct naru_addr *prefix_addr, uint8_t prefix);

/* Index every node's static routes by (node, prefix), checking each's
 * gateway; false after an error (a route given twice, out of memory). */
bool sc_static_index(struct naru_scenario *sc);
/* Node n's static route to exactly this prefix (its number among the
 * node's routes), or SC_NONE. */
uint32_t sc_static_find(const struct naru_scenario *sc, uint32_t node, const struct naru_addr *dst, uint8_t prefix);

/* A node's own interface on the segment of interface `other` (to reach
 * it), or SC_NONE. */
uint32_t sc_node_iface_towards(const struct naru_scenario *sc, uint32_t node, uint32_t other);

#endif
