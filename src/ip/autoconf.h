/* An interface coming up for IPv6: address autoconfiguration begins.
 * (Messages come in through ndp_router.h and mld.h.) */
#ifndef NARU_IP_AUTOCONF_H
#define NARU_IP_AUTOCONF_H

#include <stdbool.h>
#include <stdint.h>

struct naru_stack;
struct naru_iface;

/* An interface is up for IPv6: its link-local address (RFC 4862 5.3),
 * with DAD; then, on a host, router discovery (RFC 4861 6.3.7). A router
 * interface solicits nothing (its advertising is router_advert_enable's).
 * Once per interface: later calls (another address given) do nothing.
 * Returns 0 or addrconf_add's error. */
int autoconf_iface_up(struct naru_stack *stack, struct naru_iface *iface, bool router);

#endif
