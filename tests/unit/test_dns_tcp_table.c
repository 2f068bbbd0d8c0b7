/* The server's TCP connection table, which both transports (naru's sockets
 * and the kernel's) drive: RFC 7766 framing with pipelining, a deadline
 * for each whole message from its first byte, the idle timeout, and the
 * limits, with idle connections giving way first. Time is an argument. */
#include "testnet.h"

#include <stdio.h>
#include <string.h>

#include "naru/dns.h"
#include "wire/dns.h"

#define ZONE NARU_TEST_DATA "/dns/example.zone"
#define T0 (1000 * NARU_SEC)

struct fixture {
    struct naru_dns_server *server;
    struct naru_dns_tcp *table;
    unsigned replies;
    uint16_t ids[16];
    bool refuse;               /* the transport cannot take a reply */
};

static struct fixture *fixture(unsigned max, unsigned per_client)
{
    static struct fixture f;
    memset(&f, 0, sizeof f);
    struct naru_dns_server_config c;
    naru_dns_server_config_default(&c);
    c.tcp_max = max;
    c.tcp_max_per_client = per_client;
    assert_int_equal(naru_dns_server_create(&c, &f.server), 0);
    char err[256];
    if (naru_dns_server_load_zone(f.server, NULL, ZONE, err, sizeof err) < 0)
        fail_msg("%s", err);
    assert_int_equal(naru_dns_tcp_create(f.server, &f.table), 0);
    assert_int_equal(naru_dns_tcp_slots(f.table), max);
    return &f;
}

static void done(struct fixture *f)
{
    naru_dns_tcp_destroy(f->table);
    naru_dns_server_destroy(f->server);
}

static bool take_reply(void *ctx, int slot, const uint8_t *framed, size_t len)
{
    (void)slot;
    struct fixture *f = ctx;
    if (f->refuse)
        return false;
    assert_true(len >= 2 + DNS_HEADER_LEN);
    assert_int_equal(wire_get16(framed), len - 2);
    struct dns_message m;
    assert_int_equal(dns_parse(framed + 2, len - 2, &m), 0);
    if (f->replies < 16)
        f->ids[f->replies] = m.header.id;
    f->replies++;
    return true;
}

/* A framed query for name A with `id`; returns its length. */
static size_t framed_query(uint8_t *buf, size_t cap, uint16_t id, const char *name)
{
    long n = naru_dns_query_build(buf + 2, cap - 2, id, name, DNS_T_A, false, 0);
    assert_true(n > 0);
    wire_put16(buf, (uint16_t)n);
    return (size_t)n + 2;
}

/* Hand bytes to a slot as a transport would after recv(). */
static int feed(struct fixture *f, int slot, const uint8_t *p, size_t n, naru_time_t now)
{
    size_t room;
    uint8_t *in = naru_dns_tcp_rx_space(f->table, slot, &room);
    assert_true(room >= n);
    memcpy(in, p, n);
    return naru_dns_tcp_received(f->table, slot, n, now, take_reply, f);
}

static struct naru_addr v4(const char *text)
{
    return naru_addr_v4(ip(text));
}

static int open_conn(struct fixture *f, const char *client, naru_time_t now, bool *evicted)
{
    bool e;
    struct naru_addr a = v4(client);
    int slot = naru_dns_tcp_open(f->table, &a, now, evicted ? evicted : &e);
    assert_in_range(slot, 0, naru_dns_tcp_slots(f->table) - 1);
    return slot;
}

static void pipelined_queries_in_one_write_are_answered_in_order(void **state)
{
    (void)state;
    struct fixture *f = fixture(4, 4);
    uint8_t buf[1024];
    size_t n = framed_query(buf, sizeof buf, 1, "www.example");
    n += framed_query(buf + n, sizeof buf - n, 2, "mail.example");
    n += framed_query(buf + n, sizeof buf - n, 3, "nope.example");
    int slot = open_conn(f, "192.0.2.1", T0, NULL);
    assert_int_equal(feed(f, slot, buf, n, T0), 0);
    assert_int_equal(f->replies, 3);
    assert_int_equal(f->ids[0], 1);
    assert_int_equal(f->ids[1], 2);
    assert_int_equal(f->ids[2], 3);
    done(f);
}

static void a_query_split_anywhere_even_inside_its_length_is_answered_once_whole(void **state)
{
    (void)state;
    struct fixture *f = fixture(4, 4);
    uint8_t buf[1024];
    size_t n = framed_query(buf, sizeof buf, 7, "www.example");
    n += framed_query(buf + n, sizeof buf - n, 8, "www.example");
    int slot = open_conn(f, "192.0.2.1", T0, NULL);
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(feed(f, slot, buf + i, 1, T0 + i * NARU_MS), 0);
        assert_int_equal(f->replies, i + 1 >= n ? 2u : i + 1 >= n / 2 ? 1u : 0u);
    }
    done(f);
}

static void a_message_trickling_in_is_closed_at_its_deadline_from_the_first_byte(void **state)
{
    (void)state;
    struct fixture *f = fixture(4, 4);
    uint8_t buf[512];
    size_t n = framed_query(buf, sizeof buf, 9, "www.example");
    int slot = open_conn(f, "192.0.2.1", T0, NULL);
    /* The first byte at T0 + 1 s; then a byte a second. Before this
     * deadline, any byte restarted a 10 s idle timer, for ever. */
    naru_time_t first = T0 + NARU_SEC;
    for (unsigned i = 0; i < 5; i++) {
        naru_time_t now = first + i * NARU_SEC;
        assert_int_equal(naru_dns_tcp_expired(f->table, now), -1);
        assert_int_equal(feed(f, slot, buf + i, 1, now), 0);
    }
    assert_int_equal(naru_dns_tcp_next_deadline(f->table), first + 5 * NARU_SEC);
    assert_int_equal(naru_dns_tcp_expired(f->table, first + 5 * NARU_SEC - 1), -1);
    assert_int_equal(naru_dns_tcp_expired(f->table, first + 5 * NARU_SEC), slot);
    naru_dns_tcp_close(f->table, slot);
    assert_int_equal(naru_dns_tcp_stats(f->table)->message_timeouts, 1);
    assert_int_equal(naru_dns_tcp_stats(f->table)->open, 0);
    assert_int_equal(f->replies, 0);
    (void)n;
    done(f);
}

static void an_idle_connection_is_closed_and_each_whole_query_restarts_its_clock(void **state)
{
    (void)state;
    struct fixture *f = fixture(4, 4);
    uint8_t buf[512];
    size_t n = framed_query(buf, sizeof buf, 9, "www.example");
    int slot = open_conn(f, "192.0.2.1", T0, NULL);
    assert_int_equal(naru_dns_tcp_next_deadline(f->table), T0 + 10 * NARU_SEC);
    /* A whole query at 8 s: idle from then. */
    assert_int_equal(feed(f, slot, buf, n, T0 + 8 * NARU_SEC), 0);
    assert_int_equal(naru_dns_tcp_expired(f->table, T0 + 17 * NARU_SEC), -1);
    assert_int_equal(naru_dns_tcp_expired(f->table, T0 + 18 * NARU_SEC), slot);
    naru_dns_tcp_close(f->table, slot);
    assert_int_equal(naru_dns_tcp_stats(f->table)->idle_timeouts, 1);
    assert_int_equal(naru_dns_tcp_next_deadline(f->table), NARU_NEVER);
    done(f);
}

static void a_full_table_closes_the_longest_idle_connection_first(void **state)
{
    (void)state;
    struct fixture *f = fixture(3, 3);
    uint8_t buf[512];
    size_t n = framed_query(buf, sizeof buf, 9, "www.example");
    int busy = open_conn(f, "192.0.2.1", T0, NULL);
    assert_int_equal(feed(f, busy, buf, 3, T0), 0);    /* mid-message, began first */
    /* Two that asked and were answered: idle since then. */
    int idle_old = open_conn(f, "192.0.2.2", T0, NULL);
    int idle_new = open_conn(f, "192.0.2.3", T0, NULL);
    assert_int_equal(feed(f, idle_new, buf, n, T0 + NARU_SEC), 0);
    assert_int_equal(feed(f, idle_old, buf, n, T0 + NARU_SEC / 2), 0);
    bool evicted;
    int slot = open_conn(f, "192.0.2.4", T0 + 3 * NARU_SEC, &evicted);
    assert_true(evicted);
    assert_int_equal(slot, idle_old);
    slot = open_conn(f, "192.0.2.5", T0 + 3 * NARU_SEC, &evicted);
    assert_true(evicted);
    assert_int_equal(slot, idle_new);
    assert_int_equal(naru_dns_tcp_stats(f->table)->evicted_idle, 2);
    assert_int_equal(naru_dns_tcp_stats(f->table)->open, 3);
    done(f);
}

static void a_new_connection_yet_to_ask_is_not_idle_and_outlasts_older_silent_ones(void **state)
{
    (void)state;
    struct fixture *f = fixture(4, 4);
    /* A flood of connections that never send, one every 100 ms... */
    int first = open_conn(f, "192.0.2.1", T0, NULL);
    for (int i = 1; i < 4; i++)
        open_conn(f, "192.0.2.1", T0 + (naru_time_t)i * 100 * NARU_MS, NULL);
    /* ...then a real client, and the flood goes on: each newcomer takes
     * the slot of the oldest silent one, never the real client's. */
    bool evicted;
    int real = open_conn(f, "198.51.100.1", T0 + 400 * NARU_MS, &evicted);
    assert_true(evicted);
    assert_int_equal(real, first);
    for (int i = 5; i < 8; i++) {
        int slot = open_conn(f, "192.0.2.1", T0 + (naru_time_t)i * 100 * NARU_MS, &evicted);
        assert_true(evicted);
        assert_true(slot != real);
    }
    uint8_t buf[512];
    size_t n = framed_query(buf, sizeof buf, 31, "www.example");
    assert_int_equal(feed(f, real, buf, n, T0 + 800 * NARU_MS), 0);
    assert_int_equal(f->replies, 1);
    done(f);
}

static void with_every_slot_mid_message_the_one_nearest_its_deadline_gives_way(void **state)
{
    (void)state;
    struct fixture *f = fixture(3, 3);
    uint8_t buf[512];
    framed_query(buf, sizeof buf, 9, "www.example");
    int slots[3];
    for (int i = 0; i < 3; i++) {
        char a[16];
        snprintf(a, sizeof a, "192.0.2.%d", i + 1);
        slots[i] = open_conn(f, a, T0, NULL);
    }
    /* Slow clients, each a length prefix in: the second began first. */
    assert_int_equal(feed(f, slots[1], buf, 2, T0 + 1 * NARU_SEC), 0);
    assert_int_equal(feed(f, slots[0], buf, 2, T0 + 2 * NARU_SEC), 0);
    assert_int_equal(feed(f, slots[2], buf, 2, T0 + 3 * NARU_SEC), 0);
    bool evicted;
    int slot = open_conn(f, "198.51.100.1", T0 + 4 * NARU_SEC, &evicted);
    assert_true(evicted);
    assert_int_equal(slot, slots[1]);
    assert_int_equal(naru_dns_tcp_stats(f->table)->evicted_busy, 1);
    /* The newcomer's query is answered in the slot it was given. */
    uint8_t q[512];
    size_t n = framed_query(q, sizeof q, 77, "www.example");
    assert_int_equal(feed(f, slot, q, n, T0 + 4 * NARU_SEC), 0);
    assert_int_equal(f->replies, 1);
    assert_int_equal(f->ids[0], 77);
    done(f);
}

static void a_client_at_its_share_makes_room_among_its_own_connections(void **state)
{
    (void)state;
    struct fixture *f = fixture(8, 2);
    int other = open_conn(f, "198.51.100.1", T0, NULL);     /* idle longest of all */
    int a = open_conn(f, "192.0.2.1", T0 + NARU_SEC, NULL);
    int b = open_conn(f, "192.0.2.1", T0 + 2 * NARU_SEC, NULL);
    assert_true(a != b && a != other);
    bool evicted;
    int c = open_conn(f, "192.0.2.1", T0 + 3 * NARU_SEC, &evicted);
    assert_true(evicted);
    assert_int_equal(c, a);    /* its own oldest, not the other client's */
    assert_int_equal(naru_dns_tcp_stats(f->table)->open, 3);
    /* Another client still gets a free slot. */
    open_conn(f, "198.51.100.2", T0 + 3 * NARU_SEC, &evicted);
    assert_false(evicted);
    done(f);
}

static void one_ipv6_64_is_one_client(void **state)
{
    (void)state;
    struct fixture *f = fixture(8, 1);
    uint8_t a6[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1 };
    struct naru_addr a = naru_addr_v6(a6);
    bool evicted;
    int first = naru_dns_tcp_open(f->table, &a, T0, &evicted);
    a.v6[15] = 2;              /* same /64 */
    assert_int_equal(naru_dns_tcp_open(f->table, &a, T0 + 1, &evicted), first);
    assert_true(evicted);
    a.v6[7] = 2;               /* another /64 */
    assert_true(naru_dns_tcp_open(f->table, &a, T0 + 2, &evicted) != first);
    assert_false(evicted);
    done(f);
}

static void a_length_beyond_any_query_closes_the_connection(void **state)
{
    (void)state;
    struct fixture *f = fixture(4, 4);
    int slot = open_conn(f, "192.0.2.1", T0, NULL);
    const uint8_t big[] = { 0xff, 0xff, 0, 1 };
    assert_int_equal(feed(f, slot, big, 1, T0), 0);          /* half a prefix: wait */
    assert_int_equal(feed(f, slot, big + 1, 3, T0), -EMSGSIZE);
    assert_int_equal(naru_dns_tcp_stats(f->table)->oversized, 1);
    /* A query the largest we take is fine: one byte short of it still waits. */
    naru_dns_tcp_close(f->table, slot);
    slot = open_conn(f, "192.0.2.1", T0, NULL);
    uint8_t prefix[2];
    wire_put16(prefix, NARU_DNS_TCP_QUERY_MAX);
    assert_int_equal(feed(f, slot, prefix, 2, T0), 0);
    size_t room;
    naru_dns_tcp_rx_space(f->table, slot, &room);
    assert_int_equal(room, NARU_DNS_TCP_QUERY_MAX);
    done(f);
}

static void a_reply_the_transport_refuses_ends_the_connection(void **state)
{
    (void)state;
    struct fixture *f = fixture(4, 4);
    uint8_t buf[512];
    size_t n = framed_query(buf, sizeof buf, 9, "www.example");
    int slot = open_conn(f, "192.0.2.1", T0, NULL);
    f->refuse = true;
    assert_int_equal(feed(f, slot, buf, n, T0), -EPIPE);
    done(f);
}

static void garbage_gets_formerr_or_silence_and_the_stream_goes_on(void **state)
{
    (void)state;
    struct fixture *f = fixture(4, 4);
    uint8_t buf[1024];
    /* A 3-byte message (too short for a header: silence), a 12-byte header
     * with QR set (a response: silence), a header with qdcount 1 and no
     * question (FORMERR), then a good query. */
    const uint8_t junk[] = { 0, 3, 1, 2, 3,
                             0, 12, 0, 1, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0,
                             0, 12, 0, 2, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0 };
    memcpy(buf, junk, sizeof junk);
    size_t n = sizeof junk + framed_query(buf + sizeof junk, sizeof buf - sizeof junk, 3, "www.example");
    int slot = open_conn(f, "192.0.2.1", T0, NULL);
    assert_int_equal(feed(f, slot, buf, n, T0), 0);
    assert_int_equal(f->replies, 2);
    assert_int_equal(f->ids[0], 2);
    assert_int_equal(f->ids[1], 3);
    done(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(pipelined_queries_in_one_write_are_answered_in_order),
        cmocka_unit_test(a_query_split_anywhere_even_inside_its_length_is_answered_once_whole),
        cmocka_unit_test(a_message_trickling_in_is_closed_at_its_deadline_from_the_first_byte),
        cmocka_unit_test(an_idle_connection_is_closed_and_each_whole_query_restarts_its_clock),
        cmocka_unit_test(a_full_table_closes_the_longest_idle_connection_first),
        cmocka_unit_test(a_new_connection_yet_to_ask_is_not_idle_and_outlasts_older_silent_ones),
        cmocka_unit_test(with_every_slot_mid_message_the_one_nearest_its_deadline_gives_way),
        cmocka_unit_test(a_client_at_its_share_makes_room_among_its_own_connections),
        cmocka_unit_test(one_ipv6_64_is_one_client),
        cmocka_unit_test(a_length_beyond_any_query_closes_the_connection),
        cmocka_unit_test(a_reply_the_transport_refuses_ends_the_connection),
        cmocka_unit_test(garbage_gets_formerr_or_silence_and_the_stream_goes_on),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
