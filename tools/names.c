#include "names.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "naru/addr.h"

int names_read_resolv_conf(const char *path, struct resolv_conf *conf)
{
    memset(conf, 0, sizeof *conf);
    conf->ndots = 1;
    FILE *f = fopen(path, "r");
    if (!f)
        return -errno;
    char line[1024];
    while (fgets(line, sizeof line, f)) {
        char *save = NULL;
        char *key = strtok_r(line, " \t\r\n", &save);
        if (!key || key[0] == '#' || key[0] == ';')
            continue;
        char *v;
        if (!strcmp(key, "nameserver")) {
            struct naru_sockaddr sa;
            v = strtok_r(NULL, " \t\r\n", &save);
            /* An address, of either family; "fe80::1%eth0" is skipped, as
             * its zone names the system's interface, not naru's. */
            if (v && strspn(v, "0123456789abcdefABCDEF.:") == strlen(v) && cli_name_server(v, &sa) == 0 &&
                conf->server_count < NARU_DNS_MAX_SERVERS)
                conf->servers[conf->server_count++] = sa;
        } else if (!strcmp(key, "search") || !strcmp(key, "domain")) {
            /* resolv.conf(5): the last search or domain line wins. */
            conf->search_count = 0;
            while ((v = strtok_r(NULL, " \t\r\n", &save)) && conf->search_count < NARU_LOOKUP_MAX_SEARCH) {
                size_t l = strlen(v);
                if (l && v[l - 1] == '.')
                    v[--l] = 0;
                if (l && l <= NAMES_SEARCH_MAX)
                    memcpy(conf->search[conf->search_count++], v, l + 1);
            }
        } else if (!strcmp(key, "options")) {
            while ((v = strtok_r(NULL, " \t\r\n", &save))) {
                if (!strncmp(v, "ndots:", 6)) {
                    unsigned long n = strtoul(v + 6, NULL, 10);
                    conf->ndots = n > 15 ? 15 : (unsigned)n; /* glibc caps it at 15 */
                }
            }
        }
    }
    fclose(f);
    return 0;
}

int names_open(struct names *n, struct loop *loop, struct naru_stack *stack, const struct cli_options *o,
               const struct naru_sockaddr *world_dns, const char *world_domain, const char *prog)
{
    memset(n, 0, sizeof *n);
    n->prog = prog;
    n->loop = loop;
    n->stack = stack;
    n->conf.ndots = 1;
    bool simulated = world_dns != NULL;
    struct naru_dns_resolver_config config;
    naru_dns_resolver_config_default(&config);
    config.cache_entries = 64;
    config.hosts_entries = 256;
    if (o->dns_count) {
        memcpy(config.servers, o->dns, sizeof o->dns);
        config.server_count = o->dns_count;
    } else if (simulated) {
        config.servers[0] = *world_dns;
        config.server_count = 1;
    } else {
        /* The host's own settings; the search list only goes with them. */
        names_read_resolv_conf("/etc/resolv.conf", &n->conf);
        memcpy(config.servers, n->conf.servers, sizeof config.servers);
        config.server_count = n->conf.server_count;
    }
    if (simulated) {
        /* Bare names ("server") find the world's names, as with
         * "search naru.test" in resolv.conf. */
        n->conf.search_count = 1;
        snprintf(n->conf.search[0], sizeof n->conf.search[0], "%s", world_domain);
    }
    int err = naru_dns_resolver_create(stack, &config, &n->resolver);
    if (err < 0) {
        fprintf(stderr, "%s: cannot create the resolver: %s\n", prog, strerror(-err));
        return 1;
    }
    char why[512];
    if (o->hosts) {
        if (naru_dns_hosts_load(n->resolver, o->hosts, why, sizeof why) < 0) {
            fprintf(stderr, "%s: %s\n", prog, why);
            return 2;
        }
    } else if (!simulated) {
        /* Like the C library, on the real network /etc/hosts comes first.
         * A line it cannot use ends the reading, keeping what came before:
         * the system's file is not this command's input to refuse. */
        naru_dns_hosts_load(n->resolver, "/etc/hosts", why, sizeof why);
    }
    return 0;
}

void names_close(struct names *n)
{
    naru_dns_resolver_destroy(n->resolver);
    n->resolver = NULL;
}

static bool looked_up(void *ctx)
{
    return naru_lookup_result(ctx)->finished;
}

/* Does the stack have a usable address of this family: IPv4's, or an
 * IPv6 one beyond link-local that is not tentative? RFC 6724 6's rules 1
 * and 2 put a destination the host has no such source for last. */
static bool has_source(const struct naru_stack *stack, uint8_t family)
{
    for (unsigned i = 0; i < naru_if_count(stack); i++) {
        struct naru_if_addr a[16];
        int n = naru_if_get_addrs(stack, (int)i, a, 16);
        for (int k = 0; k < n && k < 16; k++)
            if (a[k].addr.family == family && !(a[k].flags & NARU_IFA_TENTATIVE) &&
                !naru_addr_is_link_local(&a[k].addr))
                return true;
    }
    return false;
}

/* One lookup of type 1 (A) or 28 (AAAA), the loop running while it waits. */
static int look_up(struct names *n, const char *name, uint16_t type, struct naru_addr *addr)
{
    struct naru_app_env env;
    int err = loop_app_env(n->loop, n->stack, &env);
    if (err < 0)
        return err;
    struct naru_lookup_config c;
    naru_lookup_config_default(&c);
    names_lookup_config(n, &c);
    c.name = name;
    c.type = type;
    struct naru_lookup *l;
    if ((err = naru_lookup_start(&env, &c, &l)) < 0)
        return err;
    /* The resolver gives up by itself (its retries are bounded): the
     * deadline is only a backstop. */
    loop_run(n->loop, loop_now(n->loop) + 300 * NARU_SEC, looked_up, l);
    const struct naru_lookup_result *r = naru_lookup_result(l);
    err = loop_interrupted() ? -EINTR : !r->finished ? -ETIMEDOUT : r->status;
    if (!err)
        *addr = r->addrs[0];
    naru_lookup_destroy(l);
    return err;
}

void names_lookup_config(const struct names *n, struct naru_lookup_config *c)
{
    c->resolver = n->resolver;
    for (unsigned i = 0; i < n->conf.search_count; i++)
        c->search[i] = n->conf.search[i];
    c->search_count = n->conf.search_count;
    c->ndots = n->conf.ndots;
}

int names_resolve(struct names *n, const char *name, uint8_t family, struct naru_sockaddr *sa)
{
    struct naru_sockaddr literal = { 0 };
    struct naru_addr a;
    switch (cli_host_parse(name, &a)) {
    case CLI_HOST_ADDR:
        if (family && a.family != family)
            return -EAFNOSUPPORT;
        if (naru_sockaddr_parse(name, n->stack, &literal) < 0)
            return -ENODEV; /* a zone that is no interface of the stack */
        sa->addr = literal.addr;
        sa->scope_id = literal.scope_id;
        return 0;
    case CLI_HOST_BAD:
        return -EINVAL;
    case CLI_HOST_NAME:
        break;
    }
    if (!n->resolver)
        return -ENOENT;
    /* Both families: the one the host can speak beyond its link first, as
     * getaddrinfo() sorts by RFC 6724 (IPv6 when both can); the other when
     * the first has no address of its kind. */
    uint8_t order[2] = { NARU_AF_INET6, NARU_AF_INET };
    if (family) {
        order[0] = family;
        order[1] = 0;
    } else if (!has_source(n->stack, NARU_AF_INET6) && has_source(n->stack, NARU_AF_INET)) {
        order[0] = NARU_AF_INET;
        order[1] = NARU_AF_INET6;
    }
    int err = -ENOENT;
    for (int i = 0; i < 2 && order[i]; i++) {
        err = look_up(n, name, order[i] == NARU_AF_INET6 ? 28 : 1, &a);
        if (err == 0) {
            sa->addr = a;
            sa->scope_id = 0;
            return 0;
        }
        /* No such name is no such name in every family. */
        if (err != -ENODATA)
            return err;
    }
    return err;
}

const char *names_error(int err)
{
    switch (err) {
    case -ENOENT:
    case -EINVAL:
        return "Name or service not known";
    case -ENODATA:
        return "No address associated with hostname";
    case -EAFNOSUPPORT:
        return "Address family for hostname not supported";
    case -ENODEV:
        return "No such interface for the address's zone";
    case -EINTR:
        return "Interrupted";
    case -ENOMEM:
        return "Memory allocation failure";
    case -EMSGSIZE:
        return "Answer too large for UDP, and this stack has no TCP";
    default:
        return "Temporary failure in name resolution";
    }
}
