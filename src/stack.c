/* The stack instance: creates every layer, polls timers, tears down. */
#include "stack.h"

#include <stdlib.h>

#include "ip/ipv4.h"
#include "ip/ndp.h"
#include "tcp/tcp.h"

void naru_stack_config_default(struct naru_stack_config *c)
{
    memset(c, 0, sizeof *c);
    c->seed = 1;
    c->interfaces = 8;                     /* a host; a router is given its links' count */
    c->frame_buffers = 512;
    c->frame_buffer_size = 2048;
    c->large_buffers = 8;
    c->arp_entries = 64;
    c->arp_queue = 8;
    c->neighbour_incomplete = 16;          /* a quarter of the cache */
    c->routes = 32;
    c->pmtu_entries = 64;
    c->reassembly_datagrams = 8;
    c->reassembly_timeout = 30 * NARU_SEC; /* Linux's ipfrag_time */
    c->sockets = 64;
    c->udp_recv_queue = 128;
    c->icmp_error_rate = 1000;             /* Linux's icmp_msgs_per_sec */
    c->icmp_error_burst = 50;
    c->default_ttl = 64;
    c->ipv6 = true;
    c->tcp_connections = 1024;
    c->tcp_send_buffer = 128 * 1024;
    c->tcp_recv_buffer = 128 * 1024;       /* Linux's tcp_rmem default */
    c->tcp_max_buffer = 16 * 1024 * 1024;
    c->tcp_backlog_max = 4096;             /* Linux's somaxconn */
    c->tcp_half_open = 256;
    c->tcp_listener_connections = 0;       /* none but the pool's */
    c->tcp_syncookies = NARU_TCP_SYNCOOKIES_ON; /* Linux's tcp_syncookies = 1 */
    c->tcp_syn_budget = 0;                 /* answer every SYN, as Linux (src/tcp/README.md) */
    c->tcp_time_wait = 60 * NARU_SEC;      /* Linux's TCP_TIMEWAIT_LEN */
    c->tcp_fin_timeout = 60 * NARU_SEC;    /* Linux's tcp_fin_timeout */
    c->tcp_initial_rto = 1 * NARU_SEC;     /* RFC 6298 2.1 */
    c->tcp_min_rto = 200 * NARU_MS;        /* Linux's TCP_RTO_MIN */
    c->tcp_max_rto = 120 * NARU_SEC;       /* Linux's TCP_RTO_MAX */
    c->tcp_delayed_ack = 40 * NARU_MS;     /* Linux's TCP_DELACK_MIN */
    c->tcp_syn_retries = 6;                /* Linux's tcp_syn_retries */
    c->tcp_synack_retries = 5;
    c->tcp_retries = 15;                   /* Linux's tcp_retries2 */
    c->tcp_keepalive_idle = 7200 * NARU_SEC; /* RFC 1122 4.2.3.6: at least two hours */
    c->tcp_keepalive_interval = 75 * NARU_SEC;
    c->tcp_keepalive_count = 9;
    c->tcp_rst_rate = 1000;
    c->tcp_rst_burst = 100;
    c->tcp_challenge_ack_rate = 1000;      /* Linux's tcp_challenge_ack_limit */
    c->tcp_window_scaling = true;
    c->tcp_timestamps = true;
    c->tcp_sack = true;
    c->tcp_rack = true;                    /* Linux's tcp_recovery and tcp_early_retrans */
    c->tcp_dsack = true;                   /* Linux's tcp_dsack */
    c->tcp_congestion = NARU_TCP_CC_NEWRENO;
    c->log_level = NARU_LOG_INFO;
}

int naru_stack_create(const struct naru_stack_config *config, struct naru_stack **out)
{
    if (!config || !out || config->frame_buffer_size < 68 + ETH_HEADER_LEN + PBUF_HEADROOM ||
        config->frame_buffers == 0 || config->default_ttl == 0 || config->interfaces == 0 ||
        config->interfaces > NARU_INTERFACES_MAX)
        return -EINVAL;
    struct naru_stack *s = calloc(1, sizeof *s + config->interfaces * sizeof s->ifaces[0]);
    if (!s)
        return -ENOMEM;
    s->config = *config;
    random_seed(&s->random, config->seed);
    random_fill(&s->random, s->secret, sizeof s->secret);
    s->ip_next_id = (uint16_t)random_u32(&s->random);
    if (config->icmp_error_rate)
        s->icmp.credit = NARU_SEC / config->icmp_error_rate * (config->icmp_error_burst ? config->icmp_error_burst : 1);
    s->icmp6 = s->icmp;
    s->log = (struct log_sink){ config->log, config->log_ctx, config->log_level };
    int err = pbuf_pools_init(&s->buffers, config->frame_buffers, config->frame_buffer_size,
                              config->large_buffers, &s->counters);
    if (!err)
        err = neighbour_init(s);
    if (!err) {
        arp_init(s);
        ndp_init(s);
    }
    if (!err)
        err = route_init(s);
    if (!err)
        err = pmtu_init(s);
    if (!err)
        err = reassembly_init(s);
    if (!err)
        err = reassembly6_init(s);
    if (!err)
        err = sock_table_init(s);
    if (!err)
        err = tcp_init(s);
    if (err) {
        naru_stack_destroy(s);
        return err;
    }
    *out = s;
    return 0;
}

void naru_stack_destroy(struct naru_stack *s)
{
    if (!s)
        return;
    tcp_fini(s); /* connections go without a word: nothing is sent from here */
    for (uint32_t i = 0; i < s->sockets.count; i++)
        if (sock_get(s, (int)i))
            naru_close(s, (int)i);
    pbuf_queue_free(s, &s->loopback);
    reassembly_fini(s);
    reassembly6_fini(s);
    neighbour_fini(s);
    route_fini(s);
    pmtu_fini(s);
    sock_table_fini(s);
    pbuf_pools_fini(&s->buffers);
    free(s);
}

void naru_stack_poll(struct naru_stack *s, naru_time_t now)
{
    /* Input since the last poll was one batch: its ACKs go now, stamped
     * with the time it arrived (src/tcp/tcp_output.c). */
    if (tcp_batch_pending(s))
        tcp_batch_end(s);
    tcp_listen_batch_end(s);
    if (now > s->now)
        s->now = now;
    timers_run(s, &s->timers, s->now);
    if (s->loopback.count)
        ip_loopback_run(s);
}

void naru_stack_set_time(struct naru_stack *s, naru_time_t now)
{
    if (now > s->now)
        s->now = now;
}

naru_time_t naru_stack_now(const struct naru_stack *s)
{
    return s->now;
}

naru_time_t naru_stack_next_deadline(const struct naru_stack *s)
{
    if (s->loopback.count || tcp_batch_pending(s))
        return s->now;
    return timer_next(&s->timers);
}

unsigned naru_stack_buffers_in_use(const struct naru_stack *s)
{
    return pbuf_pools_in_use(&s->buffers);
}

const struct naru_counters *naru_stack_counters(const struct naru_stack *s)
{
    return &s->counters;
}
