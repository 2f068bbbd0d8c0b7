#include "runtime.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

static int open_world(struct runtime *rt, const struct cli_options *o)
{
    if (o->addr_count || o->gw_count || o->mac) {
        fprintf(stderr, "%s: --addr, --gw and --mac need --tap IFNAME\n", rt->prog);
        return 2;
    }
    rt->simulated = true;
    int err = world_open(&rt->world, o->seed_set ? o->seed : 1);
    if (err < 0) {
        fprintf(stderr, "%s: cannot build the simulated world: %s\n", rt->prog, strerror(-err));
        return 1;
    }
    rt->stack = rt->world.client;
    loop_init_sim(&rt->loop, rt->world.sim);
    if (o->pcap) {
        if ((err = naru_pcap_open(o->pcap, &rt->pcap)) < 0) {
            fprintf(stderr, "%s: cannot write %s: %s\n", rt->prog, o->pcap, strerror(-err));
            return 1;
        }
        naru_if_set_tap(rt->stack, rt->world.client_ifindex, naru_pcap_tap, rt->pcap);
    }
    struct naru_sockaddr dns = { .addr = naru_addr_v4(WORLD_NAME_SERVER), .port = NARU_DNS_PORT };
    return names_open(&rt->names, &rt->loop, rt->stack, o, &dns, WORLD_DOMAIN, rt->prog);
}

static int open_tap(struct runtime *rt, const struct cli_options *o)
{
    int status = taphost_open(&rt->host, o, rt->prog);
    if (status)
        return status;
    rt->stack = rt->host.stack;
    if (loop_init_tap(&rt->loop, rt->host.stack, rt->host.tap, rt->host.ifindex) < 0)
        return 1;
    return names_open(&rt->names, &rt->loop, rt->stack, o, NULL, NULL, rt->prog);
}

int runtime_open(struct runtime *rt, const struct cli_options *o, const char *prog)
{
    memset(rt, 0, sizeof *rt);
    rt->prog = prog;
    loop_catch_signals();
    return o->tap ? open_tap(rt, o) : open_world(rt, o);
}

int runtime_open_to(struct runtime *rt, const struct cli_options *o, const char *prog, const char *host,
                    int unresolved, struct naru_addr *addr)
{
    struct naru_addr literal;
    enum cli_host kind = cli_host_parse(host, &literal);
    if (kind == CLI_HOST_BAD || (kind == CLI_HOST_ADDR && literal.family != NARU_AF_INET)) {
        memset(rt, 0, sizeof *rt);
        if (kind == CLI_HOST_BAD)
            fprintf(stderr, "%s: bad address '%s'\n", prog, host);
        else
            fprintf(stderr, "%s: %s: %s\n", prog, host, names_error(-EAFNOSUPPORT));
        return 2;
    }
    int status = runtime_open(rt, o, prog);
    if (status == 0) {
        int err = names_resolve(&rt->names, host, addr);
        if (err == 0)
            return 0;
        if (err != -EINTR || loop_user_stopped())
            fprintf(stderr, "%s: %s: %s\n", prog, host, names_error(err));
        status = unresolved;
    }
    runtime_close(rt);
    return status;
}

void runtime_close(struct runtime *rt)
{
    /* Sockets and timers first, while their stacks are still there. */
    names_close(&rt->names);
    loop_fini(&rt->loop);
    if (rt->simulated) {
        world_close(&rt->world);
        if (rt->pcap && naru_pcap_close(rt->pcap) < 0)
            fprintf(stderr, "%s: the capture file is incomplete\n", rt->prog);
    } else {
        taphost_close(&rt->host, rt->prog);
    }
    memset(rt, 0, sizeof *rt);
}

int runtime_app_env(struct runtime *rt, struct naru_app_env *env)
{
    return loop_app_env(&rt->loop, rt->stack, env);
}
