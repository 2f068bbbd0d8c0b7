#include "advertise.h"

#include <stdio.h>
#include <string.h>

#include "naru/addr.h"

#define PREFIX_LEN 64
/* radvd's AdvValidLifetime and AdvPreferredLifetime rather than RFC 4861
 * 6.2.1's 30 and 7 days: a host's addresses from a test link's router
 * should not outlive it by a month. */
#define VALID_S 86400
#define PREFERRED_S 14400
/* RFC 4862 5.5.3 e: hosts lower a valid lifetime to no less than 2 hours
 * (unauthenticated advertisements), so the last one says that. */
#define LAST_VALID_S 7200

/* The --advertise text, then why it is not a prefix to advertise. */
static bool refuse(const char *prog, const char *arg, const char *why)
{
    fprintf(stderr, "%s: --advertise %s: %s\n", prog, arg, why);
    return false;
}

bool advertise_take(struct advertise *a, const char *prog, const char *arg)
{
    struct naru_addr prefix;
    uint8_t len;
    char text[NARU_ADDR_STRLEN], why[128];
    if (naru_prefix_parse(arg, &prefix, &len) < 0)
        return refuse(prog, arg, "not a prefix (want an IPv6 PREFIX/64, e.g. 2001:db8:1::/64)");
    if (prefix.family != NARU_AF_INET6)
        return refuse(prog, arg, "not IPv6 (router advertisements are IPv6's, RFC 4861)");
    if (len != PREFIX_LEN)
        return refuse(prog, arg, "not a /64 (hosts form addresses from a /64 alone: 64 bits of interface "
                                 "identifier, RFC 4862 5.5.3 d)");
    if (naru_addr_is_multicast(&prefix))
        return refuse(prog, arg, "a multicast prefix");
    if (naru_addr_is_link_local(&prefix))
        return refuse(prog, arg, "the link-local prefix (never advertised, RFC 4861 6.2.1)");
    struct naru_addr masked = naru_addr_mask(&prefix, len);
    if (naru_addr_is_unspecified(&masked))
        return refuse(prog, arg, "not a prefix hosts can have addresses in");
    if (!naru_addr_equal(&masked, &prefix)) {
        snprintf(why, sizeof why, "bits set past the /64 (meant %s/64?)", naru_addr_format(&masked, text));
        return refuse(prog, arg, why);
    }
    for (unsigned i = 0; i < a->count; i++)
        if (naru_addr_equal(&a->prefixes[i].prefix, &prefix))
            return refuse(prog, arg, "given twice");
    if (a->count == NARU_RA_PREFIXES_MAX) {
        snprintf(why, sizeof why, "too many: at most %d prefixes are advertised", NARU_RA_PREFIXES_MAX);
        return refuse(prog, arg, why);
    }
    a->texts[a->count] = arg;
    a->prefixes[a->count++] = (struct naru_ra_prefix){ .prefix = prefix, .len = len, .on_link = true,
                                                       .autonomous = true, .valid_s = VALID_S,
                                                       .preferred_s = PREFERRED_S };
    return true;
}

/* The --addr in prefix p, or NULL. */
static const struct cli_addr *addr_in(const struct cli_options *o, const struct naru_ra_prefix *p)
{
    for (unsigned i = 0; i < o->addr_count; i++)
        if (naru_addr_in_prefix(&o->addrs[i].addr, &p->prefix, p->len))
            return &o->addrs[i];
    return NULL;
}

/* The address naru host takes in a prefix no --addr is in: PREFIX::1,
 * where a router's address usually is, easy to type, and never one a host
 * forms by SLAAC (its interface identifiers come from its MAC or RFC 7217,
 * and duplicate address detection checks anyway). */
static struct naru_addr own_addr(const struct naru_ra_prefix *p)
{
    struct naru_addr own = p->prefix;
    own.v6[15] = 1;
    return own;
}

bool advertise_check(const struct advertise *a, const struct cli_options *o, const char *prog)
{
    unsigned v6 = 0;
    for (unsigned i = 0; i < o->addr_count; i++)
        v6 += o->addrs[i].addr.family == NARU_AF_INET6;
    for (unsigned i = 0; i < a->count; i++) {
        if (addr_in(o, &a->prefixes[i]))
            continue;
        if (++v6 > CLI_ADDRS_MAX - 1) {
            char text[NARU_ADDR_STRLEN];
            struct naru_addr own = own_addr(&a->prefixes[i]);
            fprintf(stderr, "%s: --advertise %s: no room for its address %s (up to %d IPv6 addresses in all); "
                            "give an --addr in the prefix\n",
                    prog, a->texts[i], naru_addr_format(&own, text), CLI_ADDRS_MAX - 1);
            return false;
        }
    }
    return true;
}

int advertise_configure(struct advertise *a, struct naru_stack *stack, int ifindex, const struct cli_options *o,
                        const char *prog)
{
    for (unsigned i = 0; i < a->count; i++) {
        char text[NARU_ADDR_STRLEN];
        int err;
        struct naru_addr own = own_addr(&a->prefixes[i]);
        if (!addr_in(o, &a->prefixes[i]) && (err = naru_if_add_addr(stack, ifindex, &own, PREFIX_LEN)) < 0) {
            fprintf(stderr, "%s: --advertise %s: cannot take %s/%d: %s\n", prog, a->texts[i],
                    naru_addr_format(&own, text), PREFIX_LEN, strerror(-err));
            return 1;
        }
        if ((err = naru_if_advertise_prefix(stack, ifindex, &a->prefixes[i])) < 0) {
            fprintf(stderr, "%s: cannot advertise %s: %s\n", prog, a->texts[i], strerror(-err));
            return 1;
        }
    }
    return 0;
}

/* The interface's link-local address once duplicate address detection
 * has let it be used; false before. */
static bool link_local_ready(struct naru_stack *stack, int ifindex, struct naru_addr *out)
{
    struct naru_if_addr addrs[CLI_ADDRS_MAX + 1];
    int n = naru_if_get_addrs(stack, ifindex, addrs, CLI_ADDRS_MAX + 1);
    for (int i = 0; i < n && i < CLI_ADDRS_MAX + 1; i++) {
        if (naru_addr_is_link_local(&addrs[i].addr) && !(addrs[i].flags & NARU_IFA_TENTATIVE)) {
            *out = addrs[i].addr;
            return true;
        }
    }
    return false;
}

static void say_prefixes(const struct advertise *a, char *buf, size_t len)
{
    size_t used = 0;
    buf[0] = 0;
    for (unsigned i = 0; i < a->count && used < len; i++) {
        char text[NARU_ADDR_STRLEN];
        used += (size_t)snprintf(buf + used, len - used, "%s%s/%u", i ? ", " : "",
                                 naru_addr_format(&a->prefixes[i].prefix, text), a->prefixes[i].len);
    }
}

void advertise_poll(struct advertise *a, struct naru_stack *stack, int ifindex, const char *prog)
{
    struct naru_addr ll;
    if (a->started || !a->count || !link_local_ready(stack, ifindex, &ll))
        return;
    /* RFC 4861 6.2.1's intervals, and a router lifetime of 0: naru host
     * forwards nothing, so it is no default router (4.2: "not a default
     * router and SHOULD NOT appear on the default router list"), and a
     * host's traffic to elsewhere keeps its own routes. The prefixes are
     * used all the same (6.3.4 takes their options from any
     * advertisement). */
    struct naru_router_advert c;
    naru_router_advert_default(&c);
    c.router_lifetime_s = 0;
    int err = naru_if_set_router_advert(stack, ifindex, &c);
    char prefixes[256], text[NARU_ADDR_STRLEN];
    say_prefixes(a, prefixes, sizeof prefixes);
    if (err < 0) {
        fprintf(stderr, "%s: cannot advertise %s: %s\n", prog, prefixes, strerror(-err));
        a->count = 0; /* said once */
        return;
    }
    a->started = true;
    fprintf(stderr, "%s: advertising %s from %s (on-link, autonomous; not a default router)\n", prog, prefixes,
            naru_addr_format(&ll, text));
}

void advertise_stop(struct advertise *a, struct naru_stack *stack, int ifindex, const char *prog)
{
    if (!a->started)
        return;
    /* RFC 4861 6.2.5: a last advertisement as the interface stops
     * advertising (router lifetime 0, as all of them were). It also takes
     * the prefixes' preferred lifetime to 0, so hosts choose their
     * addresses in them no more for new traffic, and drop them when the
     * 2 hours RFC 4862 5.5.3 e keeps are over: the link's router is gone. */
    for (unsigned i = 0; i < a->count; i++) {
        struct naru_ra_prefix last = a->prefixes[i];
        last.preferred_s = 0;
        last.valid_s = LAST_VALID_S;
        naru_if_advertise_prefix(stack, ifindex, &last);
    }
    naru_if_set_router_advert(stack, ifindex, NULL);
    a->started = false;
    char prefixes[256];
    say_prefixes(a, prefixes, sizeof prefixes);
    fprintf(stderr, "%s: a last router advertisement deprecates %s (RFC 4861 6.2.5)\n", prog, prefixes);
}
