/* ACKs in the simulator, where every frame is an input batch of its own
 * (the simulator polls a stack when its deadline is due, and a stack that
 * owes an ACK at the end of a batch is due at once): batching ACKs must
 * not move them in virtual time. Every ACK the receiver sends leaves at the
 * instant a segment reached it, or is a delayed ACK; and there is at least
 * one ACK for every two full-sized segments (RFC 5681 4.2). */
#include "testnet.h"

#include <string.h>

#include "tcp_flow.h"
#include "wire/ethernet.h"
#include "wire/ipv4.h"
#include "wire/tcp.h"

#define MAX_INSTANTS 8192

struct watch {
    naru_time_t delivered_at[MAX_INSTANTS]; /* data segments reaching b, in time order */
    unsigned delivered;
    unsigned full_segments;
    unsigned acks;             /* pure ACKs b sent */
    unsigned acks_at_delivery; /* ... at the instant a data segment reached it */
};

/* The TCP header and payload length of an IPv4/TCP frame, or false. */
static bool tcp_of(const uint8_t *frame, size_t len, struct tcp_header *h, size_t *payload)
{
    if (len < ETH_HEADER_LEN || wire_get16(frame + 12) != ETHERTYPE_IPV4)
        return false;
    struct ipv4_header ip;
    int ihl = ipv4_parse(frame + ETH_HEADER_LEN, len - ETH_HEADER_LEN, &ip);
    if (ihl < 0 || ip.protocol != IP_PROTO_TCP)
        return false;
    const uint8_t *t = frame + ETH_HEADER_LEN + ihl;
    int hl = tcp_parse(t, ip.total_len - (size_t)ihl, ip.src, ip.dst, h);
    if (hl < 0)
        return false;
    *payload = ip.total_len - (size_t)ihl - (size_t)hl;
    return true;
}

static void observe(void *ctx, struct naru_sim_link *link, int from_end, enum naru_sim_link_event event,
                    naru_time_t now, const uint8_t *frame, size_t len)
{
    (void)link;
    struct watch *w = ctx;
    struct tcp_header h;
    size_t payload;
    if (!tcp_of(frame, len, &h, &payload))
        return;
    if (from_end == 0 && event == NARU_SIM_FRAME_DELIVERED && payload) {
        assert_true(w->delivered < MAX_INSTANTS);
        w->delivered_at[w->delivered++] = now;
        if (payload == 1448)
            w->full_segments++;
    } else if (from_end == 1 && event == NARU_SIM_FRAME_SENT && !payload &&
               (h.flags & (TCP_SYN | TCP_FIN | TCP_RST)) == 0) {
        w->acks++;
        for (unsigned i = w->delivered; i-- > 0 && w->delivered_at[i] >= now;)
            if (w->delivered_at[i] == now) {
                w->acks_at_delivery++;
                break;
            }
    }
}

static void tcp_acks_leave_at_the_instant_their_segment_arrives(void **state)
{
    (void)state;
    struct naru_sim *sim;
    assert_int_equal(naru_sim_create(7, &sim), 0);
    static struct watch w;
    memset(&w, 0, sizeof w);
    struct naru_stack *a = naru_sim_add_stack(sim, "a", NULL);
    struct naru_stack *b = naru_sim_add_stack(sim, "b", NULL);
    struct naru_sim_link_config c = { .rate_bps = 100000000, .delay = 5 * NARU_MS };
    struct naru_sim_link *link;
    assert_int_equal(naru_sim_add_link(sim, "ab", &c, &link), 0);
    assert_int_equal(naru_sim_link_attach(link, 0, a, "10.0.0.1/24", NULL), 0);
    assert_int_equal(naru_sim_link_attach(link, 1, b, "10.0.0.2/24", NULL), 0);
    tcp_flow_resolve(sim, a, ip("10.0.0.1"), b, ip("10.0.0.2"));
    naru_sim_set_observer(sim, observe, &w);
    struct tcp_flow f = { .close_when_done = true };
    tcp_flow_start(&f, sim, a, b, ip("10.0.0.2"), 5001, 4000000, 0);
    naru_sim_run(sim, naru_sim_now(sim) + 600 * NARU_SEC, tcp_flow_done, &f);
    assert_true(tcp_flow_ok(&f));
    uint64_t delayed = counter(b, "tcp_delayed_acks");
    assert_true(w.full_segments > 2500);
    /* At the same virtual instant, or a delayed ACK. */
    assert_int_equal(w.acks - w.acks_at_delivery, delayed);
    /* One for every two full-sized segments at least: each arrived in a
     * batch of its own, so none waited for a later one. */
    assert_true(2 * (uint64_t)w.acks + 2 >= w.full_segments);
    assert_true(counter(b, "tcp_batch_acks") > 0);
    tcp_flow_free(&f);
    naru_sim_destroy(sim);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(tcp_acks_leave_at_the_instant_their_segment_arrives),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
