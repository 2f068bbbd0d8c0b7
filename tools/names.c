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
            uint32_t a;
            v = strtok_r(NULL, " \t\r\n", &save);
            /* IPv6 servers are skipped: naru's stacks speak IPv4 only. */
            if (v && naru_ip4_parse(v, &a) == 0 && conf->server_count < NARU_DNS_MAX_SERVERS)
                conf->servers[conf->server_count++] = (struct naru_sockaddr){ .addr = naru_addr_v4(a), .port = NARU_DNS_PORT };
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

int names_resolve(struct names *n, const char *name, struct naru_addr *addr)
{
    uint32_t v4;
    if (naru_ip4_parse(name, &v4) == 0) {
        *addr = naru_addr_v4(v4);
        return 0;
    }
    if (!n->resolver)
        return -ENOENT;
    struct naru_app_env env;
    int err = loop_app_env(n->loop, n->stack, &env);
    if (err < 0)
        return err;
    struct naru_lookup_config c;
    naru_lookup_config_default(&c);
    c.resolver = n->resolver;
    c.name = name;
    for (unsigned i = 0; i < n->conf.search_count; i++)
        c.search[i] = n->conf.search[i];
    c.search_count = n->conf.search_count;
    c.ndots = n->conf.ndots;
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

const char *names_error(int err)
{
    switch (err) {
    case -ENOENT:
    case -EINVAL:
        return "Name or service not known";
    case -ENODATA:
        return "No address associated with hostname";
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
