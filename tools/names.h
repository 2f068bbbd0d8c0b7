/* Names in HOST arguments: an address (IPv4, or IPv6 with a zone when
 * link-local: "fe80::1%eth0"); else the hosts table (--hosts,
 * or /etc/hosts on TAP); else naru's stub resolver through the world's
 * name server in the simulator (search domain naru.test, so "server"
 * works) or --dns / /etc/resolv.conf on TAP, with resolv.conf(5)'s search
 * list and ndots. The lookup itself is src/apps's. */
#ifndef NARU_TOOLS_NAMES_H
#define NARU_TOOLS_NAMES_H

#include <stdbool.h>
#include <stdint.h>

#include "cli.h"
#include "loop.h"
#include "naru/apps.h"
#include "naru/dns.h"

#define NAMES_SEARCH_MAX 254   /* a domain name in text, no trailing dot */

/* What a resolv.conf(5) file says: the name servers of both families
 * (a link-local one with a zone is left out: the zone names the system's
 * interface), the search list and ndots. */
struct resolv_conf {
    struct naru_sockaddr servers[NARU_DNS_MAX_SERVERS];
    unsigned server_count;
    char search[NARU_LOOKUP_MAX_SEARCH][NAMES_SEARCH_MAX + 1];
    unsigned search_count;
    unsigned ndots;            /* default 1 */
};
/* Read `path` into *conf. 0, or a negative errno when it cannot be read
 * (then *conf is empty, with ndots 1). Lines it does not know are skipped,
 * as the C library does. */
int names_read_resolv_conf(const char *path, struct resolv_conf *conf);

struct names {
    const char *prog;
    struct loop *loop;
    struct naru_stack *stack;  /* where lookups are made from */
    struct naru_dns_resolver *resolver;
    struct resolv_conf conf;   /* its search list and ndots */
};

/* The resolver for a command on `stack`. In the simulator (`world_dns`
 * given): servers from --dns, else world_dns, and bare names looked up in
 * world_domain. On TAP (world_dns NULL): servers from --dns, else
 * /etc/resolv.conf's, with its search list. The hosts table from --hosts,
 * else /etc/hosts on TAP. 0, or the exit code after one line saying why (2
 * for a bad --hosts file). */
int names_open(struct names *n, struct loop *loop, struct naru_stack *stack, const struct cli_options *o,
               const struct naru_sockaddr *world_dns, const char *world_domain, const char *prog);
void names_close(struct names *n);
/* HOST to sa's address (and scope_id; its port is left as it is), running
 * the loop while it waits: of `family` alone (-4, -6), or of either, IPv6
 * first when the stack has an IPv6 address beyond link-local (RFC 6724).
 * 0, or -ENOENT (no such name), -ENODATA (no address of the family),
 * -ETIMEDOUT (no server answered), -ECONNREFUSED (servers failed), -EINTR
 * (SIGINT/SIGTERM), -EINVAL (a bad address, cli_host_parse()),
 * -EAFNOSUPPORT (an address of the other family), -ENODEV (a zone that
 * is none of the stack's interfaces). */
int names_resolve(struct names *n, const char *name, uint8_t family, struct naru_sockaddr *sa);
/* The resolver, search list and ndots lookups (and naru_dial) go by. */
void names_lookup_config(const struct names *n, struct naru_lookup_config *c);
/* What the usual tools print for a names_resolve() error, after
 * "PROG: HOST: " (getaddrinfo's words: "Name or service not known", ...). */
const char *names_error(int err);

#endif
