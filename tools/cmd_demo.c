/* naru demo: two simulated hosts on one Ethernet link; one pings the other,
 * and every frame and every decision the stacks log is told in plain words,
 * layer by layer. No root, no files, no real network: the simulator's
 * virtual clock makes the story the same on every run with the same seed. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "naru/addr.h"
#include "naru/counters.h"
#include "naru/describe.h"
#include "naru/sim.h"
#include "naru/socket.h"

#define PROG "naru demo"
#define PINGS 3

struct host {
    const char *name;
    struct naru_stack *stack;
    struct demo *demo;
};

struct demo {
    struct naru_sim *sim;
    struct host alice, bob;
    bool quiet;
    int ping_sock;
    unsigned sent, received;
    naru_time_t sent_at[PINGS + 1];
    bool explained_ip, explained_reply;
};

static void usage(FILE *out)
{
    fprintf(out, "usage: naru demo [--seed N] [--quiet]\n"
                 "\n"
                 "Two simulated hosts on one Ethernet link; alice pings bob, and the demo\n"
                 "tells what happens at each layer: ARP, IP, ICMP. Needs no root and no\n"
                 "network; the same seed tells the same story.\n"
                 "\n"
                 "  --seed N     simulator seed (default 1)\n"
                 "  --quiet      only the summary\n"
                 "  -h, --help   this help\n"
                 "\n"
                 "example: naru demo --seed 7\n");
}

static void say(struct demo *d, const char *text)
{
    if (!d->quiet)
        printf("%s\n", text);
}

static void stamp(struct demo *d, naru_time_t now, const char *who, const char *what)
{
    if (!d->quiet)
        printf("  %8.3f ms  %-5s  %s\n", (double)now / (double)NARU_MS, who, what);
}

/* The first time a kind of frame is sent, say why it exists. */
static void explain(struct demo *d, const uint8_t *frame, size_t len)
{
    if (len < 14 + 21 || frame[12] != 0x08 || frame[13] != 0x00)
        return;
    uint8_t icmp_type = frame[14 + (frame[14] & 0x0f) * 4];
    if (icmp_type == 8 && !d->explained_ip) {
        d->explained_ip = true;
        say(d, "\nIP and ICMP: with bob's MAC address known, the ping goes out: an ICMP echo\n"
               "request inside an IP packet from 10.0.0.1 to 10.0.0.2. Its TTL (time to live)\n"
               "counts the routers it may still cross; here there are none, so it arrives\n"
               "with the TTL it left with, 64.");
    } else if (icmp_type == 0 && !d->explained_reply) {
        d->explained_reply = true;
        say(d, "\nbob's stack answers the echo request itself with an echo reply, copying\n"
               "the identifier, sequence number and data, so alice can match it up.");
    }
}

static void on_frame(void *ctx, naru_time_t now, int ifindex, enum naru_direction dir, const uint8_t *frame,
                     size_t len)
{
    (void)ifindex;
    struct host *h = ctx;
    struct demo *d = h->demo;
    if (d->quiet)
        return;
    if (dir == NARU_DIR_OUT)
        explain(d, frame, len);
    char text[256], line[300];
    naru_frame_describe(frame, len, text, sizeof text);
    snprintf(line, sizeof line, "%s %s", dir == NARU_DIR_OUT ? "sends" : "gets ", text);
    stamp(d, now, h->name, line);
}

static void on_log(void *ctx, naru_time_t now, enum naru_log_level level, enum naru_layer layer,
                   const char *message)
{
    (void)level;
    struct host *h = ctx;
    if (h->demo->quiet)
        return;
    char line[320];
    snprintf(line, sizeof line, "  (%s) %s", naru_layer_name(layer), message);
    stamp(h->demo, now, h->name, line);
}

static int add_host(struct demo *d, struct host *h, const char *name)
{
    struct naru_stack_config c;
    naru_stack_config_default(&c);
    c.log = on_log;
    c.log_ctx = h;
    c.log_level = NARU_LOG_INFO;
    h->name = name;
    h->demo = d;
    h->stack = naru_sim_add_stack(d->sim, name, &c);
    return h->stack ? 0 : -ENOMEM;
}

static void send_ping(void *ctx)
{
    struct demo *d = ctx;
    uint8_t req[64] = { 8, 0, 0, 0, 0, 0, 0, (uint8_t)(d->sent + 1) };
    for (size_t i = 8; i < sizeof req; i++)
        req[i] = (uint8_t)i;
    struct naru_sockaddr to = { naru_ip4(10, 0, 0, 2), 0 };
    d->sent_at[d->sent + 1] = naru_sim_now(d->sim);
    if (!d->quiet)
        printf("\nalice: ping bob, sequence %u\n", d->sent + 1);
    if (d->sent == 0)
        say(d, "\nLink layer (ARP): Ethernet delivers frames by MAC address, and alice knows\n"
               "only bob's IP address. So she asks the whole link who has it; bob answers\n"
               "with his MAC address, and both remember the pair in their ARP caches.");
    if (naru_sendto(d->alice.stack, d->ping_sock, req, sizeof req, 0, &to) == (long)sizeof req)
        d->sent++;
}

static void on_reply(void *ctx, struct naru_stack *stack, int sock)
{
    struct demo *d = ctx;
    uint8_t rep[128];
    long n;
    while ((n = naru_recvfrom(stack, sock, rep, sizeof rep, 0, NULL)) >= 8) {
        unsigned seq = rep[6] << 8 | rep[7];
        if (rep[0] != 0 || seq == 0 || seq > PINGS)
            continue;
        d->received++;
        if (!d->quiet)
            printf("alice: echo reply %u came back after %.3f ms (the round-trip time%s)\n", seq,
                   (double)(naru_sim_now(d->sim) - d->sent_at[seq]) / (double)NARU_MS,
                   seq == 1 ? ", ARP included" : "");
    }
}

static bool all_replied(void *ctx)
{
    struct demo *d = ctx;
    return d->received == PINGS;
}

static void print_counts(const struct host *h)
{
    const struct naru_counters *c = naru_stack_counters(h->stack);
    printf("  %-5s frames %llu out / %llu in; ARP %llu requests, %llu replies sent; "
           "IP %llu out / %llu in; ICMP %llu echo requests, %llu echo replies sent\n",
           h->name, (unsigned long long)c->link_tx_frames, (unsigned long long)c->link_rx_frames,
           (unsigned long long)(c->arp_tx_requests + c->arp_tx_gratuitous), (unsigned long long)c->arp_tx_replies,
           (unsigned long long)c->ip_tx, (unsigned long long)c->ip_rx,
           (unsigned long long)c->icmp_tx_echo_requests, (unsigned long long)c->icmp_tx_echo_replies);
}

int cmd_demo(int argc, char **argv)
{
    static const struct option options[] = {
        { "seed", required_argument, NULL, 's' },
        { "quiet", no_argument, NULL, 'q' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    struct demo d = { .ping_sock = -1 };
    uint64_t seed = 1;
    int opt;
    optind = 1;
    opterr = 0;
    while ((opt = getopt_long(argc, argv, "+h", options, NULL)) != -1) {
        switch (opt) {
        case 's': {
            char *end;
            errno = 0;
            seed = strtoull(optarg, &end, 10);
            if (errno || end == optarg || *end || optarg[0] == '-') {
                fprintf(stderr, "%s: bad seed '%s' (want a non-negative integer)\n", PROG, optarg);
                return 2;
            }
            break;
        }
        case 'q':
            d.quiet = true;
            break;
        case 'h':
            usage(stdout);
            return 0;
        default:
            fprintf(stderr, "%s: unknown or incomplete option '%s' (try --help)\n", PROG, argv[optind - 1]);
            return 2;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "%s: unexpected argument '%s' (try --help)\n", PROG, argv[optind]);
        return 2;
    }

    int status = 1;
    if (naru_sim_create(seed, &d.sim) < 0 || add_host(&d, &d.alice, "alice") < 0 || add_host(&d, &d.bob, "bob") < 0)
        goto out;
    if (!d.quiet)
        printf("naru demo (seed %llu): two computers on one simulated Ethernet link, 1 ms apart.\n\n"
           "  alice 10.0.0.1/24 ---- 1 ms ---- bob 10.0.0.2/24\n\n"
           "Each has an address and a prefix length: /24 says both are on network 10.0.0.0,\n"
           "so alice can reach bob directly, without a router. First the interfaces come up;\n"
           "each host announces its address with a gratuitous ARP.\n\n",
           (unsigned long long)seed);
    struct naru_memlink_config link = { .delay = 1 * NARU_MS };
    int a_if, b_if;
    if (naru_sim_connect(d.sim, d.alice.stack, "10.0.0.1/24", d.bob.stack, "10.0.0.2/24", &link, &a_if, &b_if) < 0)
        goto out;
    naru_if_set_tap(d.alice.stack, a_if, on_frame, &d.alice);
    naru_if_set_tap(d.bob.stack, b_if, on_frame, &d.bob);
    naru_sim_run(d.sim, 10 * NARU_MS, NULL, NULL);

    d.ping_sock = naru_socket(d.alice.stack, NARU_SOCK_PING);
    if (d.ping_sock < 0)
        goto out;
    naru_socket_set_callback(d.alice.stack, d.ping_sock, on_reply, &d);
    for (int i = 0; i < PINGS; i++)
        naru_sim_at(d.sim, (naru_time_t)(i + 1) * 100 * NARU_MS, send_ping, &d);
    naru_sim_run(d.sim, 10 * NARU_SEC, all_replied, &d);

    if (!d.quiet)
        printf("\nThe second and later pings need no ARP: the answer is in alice's cache.\n");
    uint8_t mac[6];
    char m[NARU_MAC_STRLEN];
    if (naru_arp_lookup(d.alice.stack, a_if, naru_ip4(10, 0, 0, 2), mac) == 0)
        printf("%salice's ARP cache: 10.0.0.2 is at %s\n", d.quiet ? "" : "\n", naru_mac_format(mac, m));
    printf("%u pings sent, %u replies received.\nWhat each layer counted:\n", d.sent, d.received);
    print_counts(&d.alice);
    print_counts(&d.bob);
    status = d.received == PINGS ? 0 : 1;
out:
    if (status && d.received != PINGS)
        fprintf(stderr, "%s: the simulation did not run as it should\n", PROG);
    naru_sim_destroy(d.sim);
    return status;
}
