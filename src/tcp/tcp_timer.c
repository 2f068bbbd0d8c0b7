/* A connection's timers: retransmission (RFC 6298) and persist (RFC 9293
 * 3.8.6.1) on one timer, delayed ACK (RFC 9293 3.8.6.3, RFC 1122 4.2.3.2),
 * and keepalive (RFC 1122 4.2.3.6), FIN-WAIT-2 and TIME-WAIT (2*MSL) on
 * another. The retransmission timer is restarted on nearly every ACK, so it
 * is re-armed lazily: it may fire early and then re-arms itself for the
 * real deadline, which keeps the common case to a store. */
#include "tcp/tcp_conn.h"

#include "core/log.h"
#include "stack.h"
#include "tcp/tcp_seq.h"

static void rtx_fired(struct naru_stack *stack, struct naru_timer *t);
static void delack_fired(struct naru_stack *stack, struct naru_timer *t);
static void idle_fired(struct naru_stack *stack, struct naru_timer *t);

void tcp_conn_timers_init(struct tcp_conn *c)
{
    timer_init(&c->rtx_timer, rtx_fired);
    timer_init(&c->delack_timer, delack_fired);
    timer_init(&c->idle_timer, idle_fired);
}

void tcp_conn_timers_stop(struct naru_stack *stack, struct tcp_conn *c)
{
    timer_cancel(&stack->timers, &c->rtx_timer);
    timer_cancel(&stack->timers, &c->delack_timer);
    timer_cancel(&stack->timers, &c->idle_timer);
    c->rtx_mode = TCP_RTX_IDLE;
    c->idle_mode = TCP_IDLE_NONE;
}

static void rtx_schedule(struct naru_stack *stack, struct tcp_conn *c, naru_time_t deadline)
{
    c->rtx_deadline = deadline;
    if (!c->rtx_timer.armed || c->rtx_timer.when > deadline)
        timer_arm(&stack->timers, &c->rtx_timer, deadline);
}

void tcp_rtx_arm(struct naru_stack *stack, struct tcp_conn *c)
{
    /* RFC 6298 5.1: start the timer if it is not running (a PTO or the
     * reordering timer stands in for it, with rto_deadline kept). */
    if (c->rtx_mode == TCP_RTX_RETRANSMIT || c->rtx_mode == TCP_RTX_PROBE || c->rtx_mode == TCP_RTX_REORDER)
        return;
    c->rtx_mode = TCP_RTX_RETRANSMIT;
    c->rto_deadline = stack->now + c->rto;
    rtx_schedule(stack, c, c->rto_deadline);
}

void tcp_rtx_restart(struct naru_stack *stack, struct tcp_conn *c)
{
    /* RFC 6298 5.3: new data acknowledged: expire RTO from now. */
    c->rtx_mode = TCP_RTX_RETRANSMIT;
    c->rto_deadline = stack->now + c->rto;
    rtx_schedule(stack, c, c->rto_deadline);
}

void tcp_rtx_set(struct naru_stack *stack, struct tcp_conn *c, enum tcp_rtx_mode mode, naru_time_t when)
{
    c->rtx_mode = (uint8_t)mode;
    rtx_schedule(stack, c, when);
}

void tcp_rtx_stop(struct naru_stack *stack, struct tcp_conn *c)
{
    /* RFC 6298 5.2: everything acknowledged. */
    c->rtx_mode = TCP_RTX_IDLE;
    timer_cancel(&stack->timers, &c->rtx_timer);
}

void tcp_persist_arm(struct naru_stack *stack, struct tcp_conn *c)
{
    if (c->rtx_mode == TCP_RTX_PERSIST)
        return; /* keep the backoff that is running */
    c->rtx_mode = TCP_RTX_PERSIST;
    c->persist_backoff = c->rto;
    rtx_schedule(stack, c, stack->now + c->persist_backoff);
}

void tcp_delack_arm(struct naru_stack *stack, struct tcp_conn *c)
{
    if (!c->delack_timer.armed)
        timer_arm(&stack->timers, &c->delack_timer, stack->now + stack->config.tcp_delayed_ack);
}

void tcp_delack_stop(struct naru_stack *stack, struct tcp_conn *c)
{
    if (c->delack_timer.armed)
        timer_cancel(&stack->timers, &c->delack_timer);
}

void tcp_idle_arm(struct naru_stack *stack, struct tcp_conn *c, enum tcp_idle_mode mode, naru_time_t after)
{
    c->idle_mode = (uint8_t)mode;
    timer_arm(&stack->timers, &c->idle_timer, stack->now + after);
}

void tcp_keepalive_arm(struct naru_stack *stack, struct tcp_conn *c)
{
    if (c->idle_mode == TCP_IDLE_TIME_WAIT || c->idle_mode == TCP_IDLE_FIN_WAIT_2)
        return;
    if (!c->keepalive) {
        if (c->idle_mode == TCP_IDLE_KEEPALIVE) {
            timer_cancel(&stack->timers, &c->idle_timer);
            c->idle_mode = TCP_IDLE_NONE;
        }
        return;
    }
    /* Like Linux: the idle time counts from when keepalive is turned on
     * (or the connection opens), and from the last segment heard after. */
    c->probes = 0;
    c->idle_mode = TCP_IDLE_KEEPALIVE;
    timer_arm(&stack->timers, &c->idle_timer, stack->now + stack->config.tcp_keepalive_idle);
}

naru_time_t tcp_rto_from(const struct naru_stack *stack, naru_time_t srtt, naru_time_t rttvar)
{
    /* RFC 6298 2.3: RTO = SRTT + max(G, K * RTTVAR). The configured
     * minimum floors that variance term, as Linux floors its mdev, rather
     * than the sum as RFC 6298 2.4 floors it at 1 s: the margin over SRTT
     * is never less than a receiver may hold back its ACK of the last
     * segment (200 ms, RFC 9293 3.8.6.3 allows up to 500 ms), however
     * steady the path, and a long path gets that margin on top of its RTT
     * rather than a floor it already exceeds. G, our 1 ms timestamp tick,
     * is below any sensible minimum. RFC 6298 2.5: within the ceiling. */
    naru_time_t var = 4 * rttvar;
    if (var < NARU_MS)
        var = NARU_MS;
    if (var < stack->config.tcp_min_rto)
        var = stack->config.tcp_min_rto;
    naru_time_t rto = srtt + var;
    return rto > stack->config.tcp_max_rto ? stack->config.tcp_max_rto : rto;
}

void tcp_rtt_sample(struct naru_stack *stack, struct tcp_conn *c, naru_time_t rtt)
{
    /* RFC 6298 2.2 and 2.3, alpha = 1/8, beta = 1/4. */
    if (!c->rtt_valid) {
        c->srtt = rtt;
        c->rttvar = rtt / 2;
        c->rtt_valid = true;
    } else {
        naru_time_t delta = c->srtt > rtt ? c->srtt - rtt : rtt - c->srtt;
        c->rttvar = (3 * c->rttvar + delta) / 4;
        c->srtt = (7 * c->srtt + rtt) / 8;
    }
    c->rto = tcp_rto_from(stack, c->srtt, c->rttvar);
    TCP_DEBUG(stack, c, "rtt %llu us: srtt %llu us rttvar %llu us rto %llu ms", (unsigned long long)(rtt / NARU_US),
              (unsigned long long)(c->srtt / NARU_US), (unsigned long long)(c->rttvar / NARU_US),
              (unsigned long long)(c->rto / NARU_MS));
}

void tcp_enter_time_wait(struct naru_stack *stack, struct tcp_conn *c)
{
    c->state = TCP_TIME_WAIT;
    tcp_quota_release(c); /* no longer counts against its listener's limit */
    tcp_rtx_stop(stack, c);
    ring_fini(&c->snd_buf); /* everything we sent is acknowledged */
    tcp_rack_fini(c);
    if (!c->sock)
        ring_fini(&c->rcv_buf);
    tcp_idle_arm(stack, c, TCP_IDLE_TIME_WAIT, stack->config.tcp_time_wait);
}

static uint8_t retry_limit(struct naru_stack *stack, const struct tcp_conn *c)
{
    switch (c->state) {
    case TCP_SYN_SENT:
        return stack->config.tcp_syn_retries;
    case TCP_SYN_RECEIVED:
        return tcp_synack_retries(stack, c); /* fewer under pressure (tcp_listen.c) */
    default:
        return stack->config.tcp_retries;
    }
}

static void retransmit_timeout(struct naru_stack *stack, struct tcp_conn *c)
{
    if (c->snd_una == c->snd_max) {
        c->rtx_mode = TCP_RTX_IDLE;
        return;
    }
    if (c->retries >= retry_limit(stack, c)) {
        stack->counters.tcp_timeout_aborts++;
        tcp_abort(stack, c, c->soft_error ? c->soft_error : -ETIMEDOUT);
        return;
    }
    c->retries++;
    stack->counters.tcp_timeouts++;
    TCP_DEBUG(stack, c, "retransmission timeout %u after %llu ms: snd_una %u snd_max %u cwnd %u",
              c->retries, (unsigned long long)(c->rto / NARU_MS), c->snd_una, c->snd_max, c->cwnd);
    /* RFC 6298 5.5: back off the timer. */
    c->rto = c->rto * 2 < stack->config.tcp_max_rto ? c->rto * 2 : stack->config.tcp_max_rto;
    c->rtt_timing = false;
    c->rtx_mode = TCP_RTX_IDLE;
    if (c->state == TCP_SYN_SENT || c->state == TCP_SYN_RECEIVED) {
        c->syn_lost = true;
        c->snd_nxt = c->iss;
        tcp_output(stack, c);
        return;
    }
    if (c->retries == 1)
        tcp_undo_begin(stack, c, true); /* it may prove spurious (tcp_undo.c) */
    /* RFC 5681 3.1 (4): ssthresh once per loss, cwnd to the loss window. */
    if (c->retries == 1 && !c->in_recovery)
        c->ssthresh = c->cc->ssthresh(c, stack->now);
    c->cwnd = c->snd_mss;
    c->cc->on_timeout(c);
    hystart_reset(&c->hystart); /* RFC 9406 4.2: slow start again after a timeout */
    c->in_recovery = false;
    c->dupacks = 0;
    /* RFC 6582 4: no fast retransmit for what was sent before the timeout. */
    c->recover = c->snd_max;
    c->high_rxt = c->snd_una;
    /* The peer may have discarded data it SACKed (RFC 2018 8); trust the
     * scoreboard for one round, not for a second timeout of the same data. */
    if (c->retries > 1)
        scoreboard_clear(&c->scoreboard);
    /* Karn's rule in the spirit of RFC 6298 3, for timestamps too: an ACK
     * that echoes a segment sent before this timeout measures our wait as
     * well as the path (its ACK was lost, say), and feeding that back would
     * only grow the timer. Samples resume from segments sent after it. */
    if (c->ts_ok) {
        c->rto_tsval = tcp_ts_now(stack, c);
        c->rto_ts_pending = true;
    }
    c->recovery->on_rto(stack, c); /* what goes again (RFC 6298 5.4) */
    tcp_output(stack, c);
    tcp_rtx_arm(stack, c);
}

static void persist_timeout(struct naru_stack *stack, struct tcp_conn *c)
{
    c->rtx_mode = TCP_RTX_IDLE;
    bool fin_waits = c->fin_queued && c->snd_max == c->snd_fin_seq;
    if (c->snd_una != c->snd_max || (!tcp_unsent(c) && !fin_waits))
        return;
    if (c->snd_wnd == 0) {
        /* RFC 1122 4.2.2.17: keep probing a zero window as long as the
         * peer answers; give up after as many unanswered probes as
         * retransmissions. */
        if (c->probes >= stack->config.tcp_retries) {
            stack->counters.tcp_timeout_aborts++;
            tcp_abort(stack, c, -ETIMEDOUT);
            return;
        }
        c->probes++;
        stack->counters.tcp_zero_window_probes++;
        tcp_send_probe(stack, c);
    } else {
        /* RFC 9293 3.8.6.2.1 (4): the override timeout: send what fits. */
        tcp_send_forced(stack, c);
    }
    naru_time_t next = c->persist_backoff * 2;
    c->persist_backoff = next < stack->config.tcp_max_rto ? next : stack->config.tcp_max_rto;
    if (c->snd_una != c->snd_max) {
        tcp_rtx_arm(stack, c);
    } else {
        c->rtx_mode = TCP_RTX_PERSIST;
        rtx_schedule(stack, c, stack->now + c->persist_backoff);
    }
}

static void rtx_fired(struct naru_stack *stack, struct naru_timer *t)
{
    struct tcp_conn *c = timer_owner(t, struct tcp_conn, rtx_timer);
    if (c->rtx_mode == TCP_RTX_IDLE)
        return;
    if (stack->now < c->rtx_deadline) {
        timer_arm(&stack->timers, &c->rtx_timer, c->rtx_deadline);
        return;
    }
    switch (c->rtx_mode) {
    case TCP_RTX_PERSIST:
        persist_timeout(stack, c);
        break;
    case TCP_RTX_PROBE:
    case TCP_RTX_REORDER:
        c->recovery->on_timer(stack, c); /* RACK-TLP's, which alone sets them */
        break;
    default:
        retransmit_timeout(stack, c);
        break;
    }
    tcp_reap(stack);
}

static void delack_fired(struct naru_stack *stack, struct naru_timer *t)
{
    struct tcp_conn *c = timer_owner(t, struct tcp_conn, delack_timer);
    if (c->state == TCP_CLOSED || c->state == TCP_LISTEN || c->state == TCP_SYN_SENT)
        return;
    stack->counters.tcp_delayed_acks++;
    c->ack_now = true;
    tcp_output(stack, c);
    tcp_reap(stack);
}

static void keepalive_timeout(struct naru_stack *stack, struct tcp_conn *c)
{
    naru_time_t idle = stack->config.tcp_keepalive_idle;
    bool synchronized = c->state == TCP_ESTABLISHED || c->state == TCP_CLOSE_WAIT ||
                        c->state == TCP_FIN_WAIT_2;
    if (!c->keepalive || !synchronized) {
        c->idle_mode = TCP_IDLE_NONE;
        return;
    }
    if (stack->now < c->last_rx + idle || c->snd_una != c->snd_max) {
        /* Heard from the peer lately, or the retransmission timer is
         * already watching it. */
        c->probes = 0;
        naru_time_t when = c->last_rx + idle;
        timer_arm(&stack->timers, &c->idle_timer, when > stack->now ? when : stack->now + idle);
        return;
    }
    if (c->probes >= stack->config.tcp_keepalive_count) {
        stack->counters.tcp_keepalive_aborts++;
        tcp_abort(stack, c, -ETIMEDOUT);
        return;
    }
    /* RFC 1122 4.2.3.6: a probe the peer must acknowledge. */
    c->probes++;
    stack->counters.tcp_keepalive_probes++;
    tcp_send_probe(stack, c);
    timer_arm(&stack->timers, &c->idle_timer, stack->now + stack->config.tcp_keepalive_interval);
}

static void idle_fired(struct naru_stack *stack, struct naru_timer *t)
{
    struct tcp_conn *c = timer_owner(t, struct tcp_conn, idle_timer);
    switch (c->idle_mode) {
    case TCP_IDLE_KEEPALIVE:
        keepalive_timeout(stack, c);
        break;
    case TCP_IDLE_FIN_WAIT_2:
        /* An orphan whose peer never closes: give up its state, as Linux
         * does after tcp_fin_timeout. */
        stack->counters.tcp_fin_wait_2_timeouts++;
        tcp_conn_finish(stack, c);
        break;
    case TCP_IDLE_TIME_WAIT:
        stack->counters.tcp_time_wait_expired++;
        tcp_conn_finish(stack, c);
        break;
    default:
        break;
    }
    tcp_reap(stack);
}
