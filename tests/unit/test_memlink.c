/* The in-memory link driver (include/naru/memlink.h): two stacks, one link,
 * frames of every size class its buffer pool keeps, the queue limit and
 * loss, and frames still in flight when the link goes. */
#include "testnet.h"

#include <stdlib.h>
#include <string.h>

#include "naru/memlink.h"

struct pair {
    struct naru_stack *a, *b;
    struct naru_memlink *link;
    naru_time_t now;
};

static void pair_open(struct pair *p, uint32_t mtu, const struct naru_memlink_config *link)
{
    memset(p, 0, sizeof *p);
    struct naru_stack_config config;
    naru_stack_config_default(&config);
    config.log_level = NARU_LOG_ERROR;
    config.frame_buffer_size = mtu + 256 > 2048 ? mtu + 256 : 2048;
    config.seed = 1;
    assert_int_equal(naru_stack_create(&config, &p->a), 0);
    config.seed = 2;
    assert_int_equal(naru_stack_create(&config, &p->b), 0);
    assert_int_equal(naru_memlink_create(link, &p->link), 0);
    struct naru_if_config ifa = { .name = "a0", .mac = { 0x02, 0, 0, 0, 0, 0x0a }, .mtu = mtu };
    struct naru_if_config ifb = { .name = "b0", .mac = { 0x02, 0, 0, 0, 0, 0x0b }, .mtu = mtu };
    int ia = naru_memlink_attach(p->link, 0, p->a, &ifa);
    int ib = naru_memlink_attach(p->link, 1, p->b, &ifb);
    assert_true(ia >= 0 && ib >= 0);
    assert_int_equal(naru_if_set_addr(p->a, ia, ip("10.0.0.1"), 24), 0);
    assert_int_equal(naru_if_set_addr(p->b, ib, ip("10.0.0.2"), 24), 0);
}

static void pair_close(struct pair *p)
{
    naru_memlink_destroy(p->link);
    naru_stack_destroy(p->a);
    naru_stack_destroy(p->b);
}

static void run(struct pair *p, naru_time_t for_how_long)
{
    naru_time_t end = p->now + for_how_long;
    while (p->now < end) {
        p->now += 10 * NARU_US;
        naru_stack_poll(p->a, p->now);
        naru_stack_poll(p->b, p->now);
        naru_memlink_poll(p->link, p->now);
    }
}

static void datagrams_of_every_size_arrive_intact(void **state)
{
    (void)state;
    /* Small frames, large ones up to 2048 bytes, then larger ones that make
     * the pool's large buffers grow while smaller ones are in flight, and
     * back again: each byte must arrive as sent. */
    struct pair p;
    struct naru_memlink_config config = { .delay = 50 * NARU_US };
    pair_open(&p, 9000, &config);
    int tx = udp_socket(p.a, 0), rx = udp_socket(p.b, 7000);
    struct naru_sockaddr to = { .addr = naru_addr_v4(ip("10.0.0.2")), .port = 7000 };
    static const size_t sizes[] = { 1, 100, 200, 1000, 1472, 2000, 3000, 8000, 8972, 20, 1472, 5000, 8972, 0, 300 };
    static uint8_t out[9000], in[9000];
    for (int round = 0; round < 20; round++) {
        for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
            for (size_t k = 0; k < sizes[i]; k++)
                out[k] = (uint8_t)(k * 13 + i + (size_t)round);
            assert_int_equal(naru_sendto(p.a, tx, out, sizes[i], 0, &to), (long)sizes[i]);
            /* Two in flight at once: the next one goes before this lands. */
            if (i % 2)
                run(&p, NARU_MS);
        }
        run(&p, NARU_MS);
        for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
            for (size_t k = 0; k < sizes[i]; k++)
                out[k] = (uint8_t)(k * 13 + i + (size_t)round);
            assert_int_equal(naru_recv(p.b, rx, in, sizeof in, 0), (long)sizes[i]);
            assert_memory_equal(in, out, sizes[i]);
        }
        assert_int_equal(naru_recv(p.b, rx, in, sizeof in, 0), -EAGAIN);
    }
    struct naru_memlink_stats stats;
    naru_memlink_get_stats(p.link, 0, &stats);
    assert_int_equal(stats.frames_sent, stats.frames_delivered);
    assert_int_equal(stats.frames_lost + stats.frames_overflow, 0);
    naru_close(p.a, tx);
    naru_close(p.b, rx);
    pair_close(&p);
}

static void queue_limit_drops_and_loss_loses(void **state)
{
    (void)state;
    struct pair p;
    struct naru_memlink_config config = { .delay = NARU_MS, .queue_limit = 4 };
    pair_open(&p, 1500, &config);
    int tx = udp_socket(p.a, 0), rx = udp_socket(p.b, 7000);
    struct naru_sockaddr to = { .addr = naru_addr_v4(ip("10.0.0.2")), .port = 7000 };
    assert_int_equal(naru_sendto(p.a, tx, "x", 1, 0, &to), 1);
    run(&p, 10 * NARU_MS); /* ARP resolved, the first datagram in */
    for (int i = 0; i < 10; i++)
        naru_sendto(p.a, tx, "y", 1, 0, &to);
    run(&p, 10 * NARU_MS);
    struct naru_memlink_stats stats;
    naru_memlink_get_stats(p.link, 0, &stats);
    assert_int_equal(stats.frames_overflow, 6);
    assert_int_equal(counter(p.b, "udp_rx"), 5);

    naru_memlink_set_loss(p.link, 1.0);
    for (int i = 0; i < 3; i++)
        naru_sendto(p.a, tx, "z", 1, 0, &to);
    run(&p, 10 * NARU_MS);
    naru_memlink_get_stats(p.link, 0, &stats);
    assert_int_equal(stats.frames_lost, 3);
    assert_int_equal(counter(p.b, "udp_rx"), 5);
    naru_close(p.a, tx);
    naru_close(p.b, rx);
    pair_close(&p);
}

static void frames_in_flight_go_with_the_link(void **state)
{
    (void)state;
    /* Destroyed with small and large frames queued and buffers pooled:
     * the sanitizer build finds any that leak. */
    struct pair p;
    struct naru_memlink_config config = { .delay = NARU_SEC };
    pair_open(&p, 9000, &config);
    int tx = udp_socket(p.a, 0);
    struct naru_sockaddr to = { .addr = naru_addr_v4(ip("10.0.0.2")), .port = 7000 };
    static uint8_t big[8000];
    naru_sendto(p.a, tx, big, sizeof big, 0, &to);
    run(&p, 3 * NARU_SEC); /* ARP both ways, then the datagram */
    for (int i = 0; i < 5; i++) {
        naru_sendto(p.a, tx, big, sizeof big, 0, &to);
        naru_sendto(p.a, tx, "s", 1, 0, &to);
    }
    naru_close(p.a, tx);
    pair_close(&p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(datagrams_of_every_size_arrive_intact),
        cmocka_unit_test(queue_limit_drops_and_loss_loses),
        cmocka_unit_test(frames_in_flight_go_with_the_link),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
