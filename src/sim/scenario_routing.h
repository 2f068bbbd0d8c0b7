/* routing = shortest: every node that asks for it gets a route to every
 * network it is not on, along a shortest path by link delay (then by
 * hops, then by the order things are declared in), as ns-3's global
 * routing computes them; a node's own route lines win over computed
 * routes to the same prefix. One computation per family of address.
 *
 * Routes cannot loop: each hop of a shortest path is strictly nearer its
 * destination (every link costs a hop). Static routes can make loops with
 * them; the checker follows both (scenario_check.c). Private to src/sim/. */
#ifndef NARU_SIM_SCENARIO_ROUTING_H
#define NARU_SIM_SCENARIO_ROUTING_H

#include "sim/scenario_model.h"

/* Compute the routes of every node that computes (node->computes). false
 * after recording an error. */
bool sc_routes_compute(struct naru_scenario *sc);
void sc_routes_free(struct sc_routes *routes);

/* Node n's computed route to network `net`: the gateway's interface, or
 * SC_NONE (it does not compute, is on net itself, or cannot reach it). */
uint32_t sc_routes_first_hop(const struct naru_scenario *sc, uint32_t node, uint32_t net);

/* The computed routes node n's table holds: for a host, a default route
 * through the gateway most routes go through and the others; for a router,
 * one to each network (no default: an address no network holds stays
 * unreachable, as it would without routes). fn(ctx, dst, prefix,
 * gateway_iface) for each; returns how many, or -1 when fn failed. */
long sc_routes_table(const struct naru_scenario *sc, uint32_t node,
                     int (*fn)(void *ctx, const struct naru_addr *dst, uint8_t prefix, uint32_t gateway_iface),
                     void *ctx);

#endif
