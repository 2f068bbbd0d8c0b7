/* Chapter 6's experiment: one UDP datagram to an address where nobody
 * is (lessons.h). IP has no connection to check first (RFC 791 1.2: "no
 * mechanisms to augment end-to-end data reliability"), so the datagram
 * goes; the host or router that must hand it to its last hop holds it
 * while it asks ARP (RFC 1122 2.3.2.2), and when nobody answers drops it;
 * a router then sends ICMP host unreachable back (RFC 1812 4.3.3.1).
 * RFC 1122 4.1.3.3 has UDP pass ICMP errors up; as in Linux and the BSDs,
 * a program hears of one only on a connected socket (on its next call) or
 * when it asks for its error queue (NARU_SO_RECVERR). */
#include "lessons.h"

#include <errno.h>
#include <string.h>

#include "demo_text.h"

struct sender {
    struct naru_sim *sim;
    struct naru_stack *from;
    struct naru_sockaddr to;
    bool connected;
    int sock;
    struct lesson_send *out;
};

static void send_now(void *ctx)
{
    struct sender *s = ctx;
    s->out->sent_at = naru_sim_now(s->sim);
    static const char hello[] = "hello, is anybody there?";
    s->sock = naru_socket(s->from, NARU_SOCK_DGRAM);
    if (s->sock < 0) {
        s->out->sent = s->sock;
        return;
    }
    /* To see the ICMP error the host got, whether or not the program is told. */
    naru_setsockopt(s->from, s->sock, NARU_SO_RECVERR, 1);
    int err = s->connected ? naru_connect(s->from, s->sock, &s->to) : 0;
    s->out->sent = err < 0 ? err
                           : s->connected ? naru_send(s->from, s->sock, hello, sizeof hello - 1, 0)
                                          : naru_sendto(s->from, s->sock, hello, sizeof hello - 1, 0, &s->to);
}

int lesson_send(struct naru_sim *sim, struct naru_stack *from, struct naru_stack *asker,
                const struct naru_sockaddr *to, bool connected, naru_time_t wait, struct lesson_send *out)
{
    memset(out, 0, sizeof *out);
    struct sender s = { .sim = sim, .from = from, .to = *to, .connected = connected, .sock = -1, .out = out };
    uint64_t requests = demo_counter(asker, "arp_tx_requests"), failed = demo_counter(asker, "arp_resolution_failed");
    naru_time_t start = naru_sim_now(sim) + 100 * NARU_MS;
    int err = naru_sim_at(sim, start, send_now, &s);
    if (err < 0)
        return err;
    naru_sim_run(sim, start + wait, NULL, NULL);
    if (s.sock < 0)
        return s.sock;
    out->arp_requests = demo_counter(asker, "arp_tx_requests") - requests;
    out->arp_failed = demo_counter(asker, "arp_resolution_failed") - failed;
    /* What the program itself can see: an error on its next call, or nothing. */
    out->error = naru_socket_error(from, s.sock);
    out->icmp = naru_recv_error(from, s.sock, &out->icmp_error) == 0;
    naru_close(from, s.sock);
    return 0;
}
