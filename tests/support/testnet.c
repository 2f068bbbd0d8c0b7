#include "testnet.h"

#include <stdio.h>
#include <string.h>

uint32_t ip(const char *text)
{
    uint32_t a = 0;
    assert_int_equal(naru_ip4_parse(text, &a), 0);
    return a;
}

uint64_t counter(const struct naru_stack *stack, const char *name)
{
    int i = naru_counter_find(name);
    if (i < 0)
        fail_msg("no counter named %s", name);
    return i < 0 ? 0 : naru_counter_value(naru_stack_counters(stack), (unsigned)i);
}

int udp_socket(struct naru_stack *stack, uint16_t port)
{
    int s = naru_socket(stack, NARU_SOCK_DGRAM);
    assert_true(s >= 0);
    struct naru_sockaddr a = { .port = port };
    assert_int_equal(naru_bind(stack, s, &a), 0);
    return s;
}

struct readable_wait {
    struct naru_stack *stack;
    int sock;
};

static bool is_readable(void *ctx)
{
    struct readable_wait *w = ctx;
    return naru_socket_events(w->stack, w->sock) & NARU_POLLIN;
}

bool wait_readable(struct naru_sim *sim, struct naru_stack *stack, int sock, naru_time_t timeout)
{
    struct readable_wait w = { stack, sock };
    return naru_sim_run(sim, naru_sim_now(sim) + timeout, is_readable, &w);
}
