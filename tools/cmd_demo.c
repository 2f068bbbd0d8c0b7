/* naru demo: the seed's story with real packets. A client and a server on
 * two networks, two routers between them, and between the routers a slow
 * link that loses and reorders packets. The client finds the server's
 * address, pings it, traces the route, sends UDP datagrams, then (with
 * TCP) downloads a page over port 80 — and the demo says, layer by layer
 * and in plain words, what happened to the packets. It runs on the
 * simulator: no root, no network, no files, and the same seed tells the
 * same story. */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <wchar.h>

#include "cli.h"
#include "commands.h"
#include "demo_ipv6.h"
#include "demo_text.h"
#include "i18n.h"
#include "lessons.h"
#include "naru/addr.h"
#include "naru/replay.h"
#include "naru/sim.h"
#include "naru/simapp.h"
#include "naru/socket.h"

#define PROG "naru demo"
#define SERVER_NAME "www.naru.test"
#define PAGE_BYTES 200000
#define SHOW_MAX 5             /* of each kind of TCP event, before counting quietly */

enum phase { QUIET, EVERY_FRAME, TCP_STORY };

struct range {
    uint32_t from, to;         /* sequence numbers, to exclusive */
};

/* What the demo knows of one direction of the TCP connection, from the
 * frames it sees: enough to spot losses, resends and reordering, told in
 * bytes of the stream (sequence numbers less the initial one, as
 * Wireshark shows them). */
struct tcp_watch {
    bool seen, have_isn, gap_open, told_first, told_fin;
    uint32_t isn;
    uint32_t sent_end;         /* highest sequence number sent, plus one */
    uint32_t rcv_next;         /* in-order data delivered up to here */
    struct range held[64];     /* delivered ahead of a gap */
    unsigned held_count, held_now;
    unsigned lost, resent, early, gaps; /* events so far */
};

struct demo {
    struct naru_sim *sim;
    struct naru_sim_apps *apps;
    struct naru_sim_app *ns;   /* the name server, on the server */
    struct naru_stack *client, *r1, *r2, *server;
    struct naru_sim_link *lan1, *wan, *lan2;
    bool quiet;
    enum phase phase;
    double loss, reorder;
    naru_time_t delay;
    uint64_t bandwidth;
    const char *pcap;
    struct naru_replay *replay; /* --html: the page's record of the run */
    uint32_t server_addr;
    struct tcp_watch to_server, to_client;
    unsigned quiet_lost, quiet_resent, quiet_early;
    bool ipv6_told;            /* the note that IPv6 frames are left out, once */
};

static void usage(FILE *out)
{
    /* xgettext:no-c-format */
    fputs(_("usage: naru demo [--seed N] [--loss P] [--delay MS] [--bandwidth RATE] [--reorder P]\n"
            "                 [--ipv6] [--pcap DIR] [--html FILE] [--lang en|ko] [--quiet]\n"
            "\n"
            "Watch packets cross a small simulated Internet: a client and a server on two\n"
            "networks, two routers between them, and between the routers a slow link that\n"
            "loses and reorders packets. The client looks the server's name up, pings it,\n"
            "traces the route and sends UDP datagrams; with TCP it downloads a page from\n"
            "port 80. Each step is told layer by layer: DNS, ARP, IP and its TTL, ICMP, ports,\n"
            "TCP's handshake, losses and retransmissions, reordering, the close.\n"
            "No root, no network, no files needed; the same seed tells the same story.\n"
            "Then two more lessons: IP sends to an address where nobody is and promises\n"
            "nothing, and a server that moves is found again by its name once the\n"
            "client's cached answer runs out.\n"
            "\n"
            "  --ipv6            tell the IPv6 story instead: a computer that wakes up with\n"
            "                    no address makes its own (link-local, DAD, SLAAC from the\n"
            "                    router's advertisement), finds its neighbours with NDP\n"
            "                    instead of ARP, pings and traces across the routers, looks\n"
            "                    a name up (AAAA) and fetches a page over TCP on IPv6\n"
            "                    (the link loses and reorders nothing unless asked)\n"
            "  --seed N          seed for every random choice (default 1)\n"
            "  --loss P          share of packets the router link loses, 0-50% (default 2%)\n"
            "                    P is a percentage: 2, 2% and 0.5% are shares of 100\n"
            "  --delay MS        its one-way delay in milliseconds (default 20)\n"
            "  --bandwidth RATE  its rate: 10Mbit, 512kbit, 1Gbit (default 10Mbit)\n"
            "  --reorder P       share of packets it holds back 5 ms, a percentage too,\n"
            "                    0-50% (default 1%)\n"
            "  --pcap DIR        capture each link to DIR/LINK.pcap (DIR is created)\n"
            "  --html FILE       also write FILE: one page that replays the run in a browser\n"
            "                    (the network, packets moving, each one layer by layer,\n"
            "                    TCP's graphs; no network needed to open it)\n"
            "  --lang en|ko      tell it in English or in Korean (default: from LANGUAGE,\n"
            "                    LC_ALL, LC_MESSAGES or LANG)\n"
            "  --quiet           only the counts at the end\n"
            "  -h, --help        this help\n"
            "\n"
            "example: naru demo --seed 7 --loss 5% --pcap /tmp/demo\n"
            "         naru demo --ipv6 --pcap /tmp/demo6\n"), out);
}

/* The story's words: printed, and with --html kept for the page, where a
 * numbered heading ("\n3. ...") starts a chapter. */
__attribute__((format(printf, 2, 3))) static void say(const struct demo *d, const char *fmt, ...)
{
    char small[1024], *text = small;
    va_list ap, again;
    va_start(ap, fmt);
    va_copy(again, ap);
    int n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n >= (int)sizeof small && (text = malloc((size_t)n + 1)))
        vsnprintf(text, (size_t)n + 1, fmt, again);
    va_end(again);
    if (n < 0 || !text)
        return;
    if (d->replay) {
        const char *body = text;
        if (text[0] == '\n' && text[1] >= '1' && text[1] <= '9' && strchr(text + 1, '\n')) {
            const char *eol = strchr(text + 1, '\n');
            char title[256];
            snprintf(title, sizeof title, "%.*s", (int)(eol - text - 1), text + 1);
            naru_replay_chapter(d->replay, title, naru_sim_now(d->sim));
            body = eol + 1;
        }
        naru_replay_narrate(d->replay, body);
    }
    if (!d->quiet)
        fputs(text, stdout);
    if (text != small)
        free(text);
}

static const char *name_of(const struct demo *d, const struct naru_stack *s)
{
    return s ? naru_sim_stack_name(d->sim, s) : "?";
}

/* ---- reading frames: just what the story needs from TCP ---- */

struct tcp_view {
    uint32_t src, dst, seq;
    uint16_t sport, dport, data;
    uint8_t flags;
};

static bool tcp_of(const uint8_t *f, size_t len, struct tcp_view *t)
{
    if (len < 14 + 20 + 20 || f[12] != 0x08 || f[13] != 0x00 || f[14 + 9] != 6)
        return false;
    size_t ihl = (size_t)(f[14] & 0x0f) * 4;
    size_t total = (size_t)(f[16] << 8 | f[17]);
    const uint8_t *p = f + 14 + ihl;
    if (ihl < 20 || total > len - 14 || total < ihl + 20)
        return false;
    size_t thl = (size_t)(p[12] >> 4) * 4;
    if (thl < 20 || total < ihl + thl)
        return false;
    t->src = (uint32_t)f[26] << 24 | (uint32_t)f[27] << 16 | (uint32_t)f[28] << 8 | f[29];
    t->dst = (uint32_t)f[30] << 24 | (uint32_t)f[31] << 16 | (uint32_t)f[32] << 8 | f[33];
    t->sport = (uint16_t)(p[0] << 8 | p[1]);
    t->dport = (uint16_t)(p[2] << 8 | p[3]);
    t->seq = (uint32_t)p[4] << 24 | (uint32_t)p[5] << 16 | (uint32_t)p[6] << 8 | p[7];
    t->flags = p[13];
    t->data = (uint16_t)(total - ihl - thl);
    return true;
}

static bool seq_before(uint32_t a, uint32_t b)
{
    return (int32_t)(a - b) < 0;
}

/* ---- telling frames ---- */

/* Relative sequence numbers: byte 1 is the first byte of data. */
static uint32_t rel(const struct tcp_watch *w, uint32_t seq)
{
    return w->have_isn ? seq - w->isn : seq;
}

static const char *stream_of(const struct demo *d, const struct tcp_watch *w)
{
    /* TRANSLATORS: after "bytes 1-1448": which stream they belong to. */
    return w == &d->to_client ? _("of the page") : _("of the request");
}

/* The receiving side of a segment's last hop, where the story is told. */
static void tcp_delivered(struct demo *d, naru_time_t now, const char *from, const char *to, const struct tcp_view *t,
                          const uint8_t *frame, size_t len)
{
    struct tcp_watch *w = t->dst == d->server_addr ? &d->to_server : &d->to_client;
    struct tcp_watch *back = w == &d->to_server ? &d->to_client : &d->to_server;
    if (t->flags & 0x02) { /* SYN */
        w->isn = t->seq;
        w->have_isn = true;
        w->rcv_next = t->seq + 1;
        demo_frame_line(now, from, to, "", frame, len);
        if (!(t->flags & 0x10))
            printf(_("                 the client's port %u was picked at random; port 80 is the web server's.\n"
                   "                 It starts numbering its bytes at a random %u (the ISN).\n"),
                   t->sport, t->seq);
        else
            printf(_("                 the server agrees, and numbers its own bytes from %u\n"), t->seq);
        return;
    }
    if (t->flags & 0x05) { /* FIN or RST */
        demo_frame_line(now, from, to, "", frame, len);
        if ((t->flags & 0x01) && !w->told_fin)
            printf("%s", back->told_fin
                             ? _("                 FIN: \"I have nothing more to send\"; the other side's ACK closes\n"
                                 "                 this direction, and with it the connection\n")
                             : _("                 FIN: \"I have nothing more to send\"; the other side's ACK closes\n"
                                 "                 this direction\n"));
        w->told_fin = w->told_fin || (t->flags & 0x01);
    } else if (w == &d->to_server && back->have_isn && !w->told_first) {
        demo_frame_line(now, from, to, "", frame, len);
        printf("%s", t->data ? _("                 the request, and with its ACK the handshake is done: both know\n"
                                 "                 where the other's bytes start\n")
                             : _("                 the handshake is done: both know where the other's bytes start\n"));
    }
    w->told_first = true;
    if (!t->data)
        return;
    uint32_t end = t->seq + t->data;
    if (seq_before(w->rcv_next, t->seq)) {
        /* A gap before it: a loss, or a segment held back on the way. */
        if (w->held_count < sizeof w->held / sizeof w->held[0])
            w->held[w->held_count++] = (struct range){ t->seq, end };
        w->early++;
        w->held_now++;
        if (!w->gap_open && w->gaps++ < SHOW_MAX)
            printf(_("  %9.3f ms  %-6s got bytes %u-%u %s before byte %u: it keeps them aside,\n"
                   "                 and every ACK it sends repeats \"still missing %u\" (duplicate ACKs)\n"),
                   demo_ms(now), to, rel(w, t->seq), rel(w, end) - 1, stream_of(d, w), rel(w, w->rcv_next),
                   rel(w, w->rcv_next));
        w->gap_open = true;
        return;
    }
    if (!seq_before(w->rcv_next, end))
        return; /* old news: a copy of what it has */
    w->rcv_next = end;
    for (bool grew = true; grew;) {
        grew = false;
        for (unsigned i = 0; i < w->held_count; i++) {
            if (!seq_before(w->rcv_next, w->held[i].from) && seq_before(w->rcv_next, w->held[i].to)) {
                w->rcv_next = w->held[i].to;
                grew = true;
            }
        }
    }
    unsigned keep = 0;
    for (unsigned i = 0; i < w->held_count; i++)
        if (seq_before(w->rcv_next, w->held[i].to))
            w->held[keep++] = w->held[i];
    w->held_count = keep;
    if (w->gap_open && w->gaps <= SHOW_MAX)
        printf(_("  %9.3f ms  %-6s got bytes %u-%u: the gap is filled, and bytes up to %u (%u segments\n"
               "                 kept aside meanwhile) go to the program, in order\n"),
               demo_ms(now), to, rel(w, t->seq), rel(w, end) - 1, rel(w, w->rcv_next) - 1, w->held_now);
    if (!keep) {
        w->gap_open = false;
        w->held_now = 0;
    }
}

static void observe(void *ctx, struct naru_sim_link *link, int from_end, enum naru_sim_link_event ev, naru_time_t now,
                    const uint8_t *frame, size_t len)
{
    struct demo *d = ctx;
    if (d->replay)
        naru_replay_observe(d->replay, link, from_end, ev, now, frame, len);
    if (d->quiet || d->phase == QUIET)
        return;
    struct naru_stack *fs = naru_sim_link_stack(link, from_end, NULL);
    struct naru_stack *ts = naru_sim_link_stack(link, 1 - from_end, NULL);
    const char *from = name_of(d, fs), *to = name_of(d, ts);
    if (d->phase == EVERY_FRAME) {
        /* The story is IPv4's; every stack also configures IPv6 on its own
         * (DAD, MLD, router solicitations), which would bury it. */
        if (len >= 14 && frame[12] == 0x86 && frame[13] == 0xdd) {
            if (!d->ipv6_told && ev == NARU_SIM_FRAME_DELIVERED) {
                d->ipv6_told = true;
                fputs(_("     (IPv6 frames, each stack configuring its own IPv6 addresses, are left out\n"
                        "     here; they are in the captures)\n"), stdout);
            }
            return;
        }
        if (ev == NARU_SIM_FRAME_DELIVERED)
            demo_frame_line(now, from, to, "", frame, len);
        else if (ev == NARU_SIM_FRAME_LOST)
            demo_frame_line(now, from, to, _("LOST: "), frame, len);
        return;
    }
    struct tcp_view t;
    if (!tcp_of(frame, len, &t))
        return;
    struct tcp_watch *w = t.dst == d->server_addr ? &d->to_server : &d->to_client;
    bool at_source = fs == d->client || fs == d->server;
    bool at_end = ts == d->client || ts == d->server;
    if (ev == NARU_SIM_FRAME_SENT && at_source && t.data) {
        uint32_t end = t.seq + t.data;
        if (w->seen && seq_before(t.seq, w->sent_end)) {
            if (w->resent++ < SHOW_MAX)
                printf(_("  %9.3f ms  %-6s sends bytes %u-%u %s again: a retransmission\n"), demo_ms(now), from,
                       rel(w, t.seq), rel(w, end) - 1, stream_of(d, w));
        } else if (!w->seen || seq_before(w->sent_end, end)) {
            w->sent_end = end;
        }
        w->seen = true;
    } else if (ev == NARU_SIM_FRAME_LOST) {
        if (w->lost++ >= SHOW_MAX)
            return;
        if (t.data)
            printf(_("  %9.3f ms  %-6s -> %-6s LOST: bytes %u-%u %s\n"), demo_ms(now), from, to, rel(w, t.seq),
                   rel(w, t.seq + t.data) - 1, stream_of(d, w));
        else if (t.flags & 0x03)
            printf(_("  %9.3f ms  %-6s -> %-6s LOST: a %s; it will be sent again\n"), demo_ms(now), from, to,
                   t.flags & 0x02 ? "SYN" : "FIN");
        else
            printf(_("  %9.3f ms  %-6s -> %-6s LOST: an ACK (no data; the next ACK says the same and more)\n"),
                   demo_ms(now), from, to);
    } else if (ev == NARU_SIM_FRAME_REORDERED && t.data) {
        printf(_("  %9.3f ms  %-6s -> %-6s held back 5 ms: bytes %u-%u; later segments will overtake them\n"),
               demo_ms(now), from, to, rel(w, t.seq), rel(w, t.seq + t.data) - 1);
    } else if (ev == NARU_SIM_FRAME_DELIVERED && at_end) {
        tcp_delivered(d, now, from, to, &t, frame, len);
    }
}

/* The stacks' own words for decisions no frame shows: ARP at work. */
static void on_log(void *ctx, const char *node, naru_time_t now, enum naru_log_level level, enum naru_layer layer,
                   const char *message)
{
    (void)level;
    struct demo *d = ctx;
    if (d->quiet || d->phase != EVERY_FRAME || layer != NARU_LAYER_ARP)
        return;
    char words[160];
    const char *w = demo_neighbour_words(message, words, sizeof words);
    printf("  %9.3f ms  %-6s (ARP) %s\n", demo_ms(now), node, w ? w : message);
}

/* ---- the world ---- */

/* The replay page's own words in the story's language (the keys are the
 * page's: src/trace/page/replay.js). */
static int page_words(struct naru_replay *r)
{
    const char *words[][2] = {
        /* TRANSLATORS: the language tag of the replay page (HTML lang). */
        { "lang", _("en") },
        { "steps", _("Steps") },
        { "speed", _("Speed") },
        { "connection", _("Connection") },
        { "no_frame", _("No frame selected") },
        { "col_link", _("link") },
        { "col_number", _("No.") },
        { "col_time", _("time") },
        { "col_from_to", _("from \u2192 to") },
        { "col_what", _("what") },
        { "start", _("Start") },
        /* TRANSLATORS: {n} and {link} are filled in by the page. */
        { "frame_of", _("Frame {n} of {link}") },
        { "refused_on", _("Refused frame on {link}") },
        { "bytes", _("{n} bytes") },
        { "first_kept", _("(first {n} kept)") },
        { "sent", _("sent {t} ms") },
        { "arrived", _("arrived {t} ms") },
        { "lost", _("lost on the link") },
        { "refused", _("refused: queue full or too big") },
    };
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++) {
        int err = naru_replay_word(r, words[i][0], words[i][1]);
        if (err < 0)
            return err;
    }
    return 0;
}

static int build(struct demo *d, uint64_t seed, bool html)
{
    int err = naru_sim_create(seed, &d->sim);
    if (!err)
        err = naru_sim_apps_create(d->sim, &d->apps);
    if (err < 0)
        return err;
    naru_sim_set_log(d->sim, on_log, d, NARU_LOG_INFO);
    naru_sim_set_observer(d->sim, observe, d);
    if (html && !(d->replay = naru_replay_new(d->sim)))
        return -ENOMEM;
    if (d->replay && (err = page_words(d->replay)) < 0)
        return err;
    if (d->pcap && (err = naru_sim_capture(d->sim, d->pcap)) < 0)
        return err;
    d->client = naru_sim_add_stack(d->sim, "client", NULL);
    d->r1 = naru_sim_add_router(d->sim, "r1", NULL);
    d->r2 = naru_sim_add_router(d->sim, "r2", NULL);
    d->server = naru_sim_add_stack(d->sim, "server", NULL);
    if (!d->client || !d->r1 || !d->r2 || !d->server)
        return -ENOMEM;
    struct naru_sim_link_config lan = { .rate_bps = 1000000000, .delay = 50 * NARU_US };
    struct naru_sim_link_config wan = { .rate_bps = d->bandwidth, .delay = d->delay, .loss = d->loss,
                                        .reorder = d->reorder, .reorder_delay = 5 * NARU_MS, .queue_frames = 100 };
    int c_if, s_if, r1_wan, r2_wan;
    if ((err = naru_sim_add_link(d->sim, "lan1", &lan, &d->lan1)) < 0 ||
        (err = naru_sim_link_attach(d->lan1, 0, d->client, "10.1.0.2/24", &c_if)) < 0 ||
        (err = naru_sim_link_attach(d->lan1, 1, d->r1, "10.1.0.1/24", NULL)) < 0 ||
        (err = naru_sim_add_link(d->sim, "wan", &wan, &d->wan)) < 0 ||
        (err = naru_sim_link_attach(d->wan, 0, d->r1, "10.9.0.1/30", &r1_wan)) < 0 ||
        (err = naru_sim_link_attach(d->wan, 1, d->r2, "10.9.0.2/30", &r2_wan)) < 0 ||
        (err = naru_sim_add_link(d->sim, "lan2", &lan, &d->lan2)) < 0 ||
        (err = naru_sim_link_attach(d->lan2, 0, d->r2, "10.2.0.1/24", NULL)) < 0 ||
        (err = naru_sim_link_attach(d->lan2, 1, d->server, "10.2.0.80/24", &s_if)) < 0)
        return err;
    if ((err = naru_route_add(d->client, &(struct naru_addr){ .family = NARU_AF_INET, .v4 = 0 }, 0, &(struct naru_addr){ .family = NARU_AF_INET, .v4 = naru_ip4(10, 1, 0, 1) }, c_if)) < 0 ||
        (err = naru_route_add(d->server, &(struct naru_addr){ .family = NARU_AF_INET, .v4 = 0 }, 0, &(struct naru_addr){ .family = NARU_AF_INET, .v4 = naru_ip4(10, 2, 0, 1) }, s_if)) < 0 ||
        (err = naru_route_add(d->r1, &(struct naru_addr){ .family = NARU_AF_INET, .v4 = naru_ip4(10, 2, 0, 0) }, 24, &(struct naru_addr){ .family = NARU_AF_INET, .v4 = naru_ip4(10, 9, 0, 2) }, r1_wan)) < 0 ||
        (err = naru_route_add(d->r2, &(struct naru_addr){ .family = NARU_AF_INET, .v4 = naru_ip4(10, 1, 0, 0) }, 24, &(struct naru_addr){ .family = NARU_AF_INET, .v4 = naru_ip4(10, 9, 0, 1) }, r2_wan)) < 0)
        return err;
    d->server_addr = naru_ip4(10, 2, 0, 80);
    return 0;
}

/* Run one application to its end, telling its frames as asked. */
static int run_app(struct demo *d, const struct naru_sim_app_config *c, enum phase phase,
                   struct naru_sim_app_result *r, struct naru_sim_app **out)
{
    d->phase = phase;
    int err = demo_run_app(d->sim, d->apps, c, 2 * NARU_SEC, r, out);
    d->phase = QUIET;
    return err;
}

/* How long an application ran: to its end, or until now if it has not
 * finished (run_app gave up waiting). */
static naru_time_t took(const struct demo *d, const struct naru_sim_app_result *r)
{
    naru_time_t t;
    naru_app_elapsed(r->started, r->finished ? r->ended : naru_sim_now(d->sim), &t);
    return t;
}

/* ---- the chapters ---- */

/* naru.test, served by the server; chapter 7 adds a record to it. */
static const char demo_zone[] = "$ORIGIN naru.test.\n$TTL 3600\n"
                            "@ IN SOA server hostmaster 1 3600 600 86400 60\n"
                            "@ IN NS server\n"
                            "server IN A 10.2.0.80\n"
                            "www IN CNAME server\n";

static void rate_text(uint64_t bps, char *buf, size_t cap)
{
    if (bps >= 1000000000)
        snprintf(buf, cap, "%g Gbit/s", (double)bps / 1e9);
    else if (bps >= 1000000)
        snprintf(buf, cap, "%g Mbit/s", (double)bps / 1e6);
    else
        snprintf(buf, cap, "%g kbit/s", (double)bps / 1e3);
}

static void chapter_world(struct demo *d, uint64_t seed)
{
    char rate[32];
    rate_text(d->bandwidth, rate, sizeof rate);
    printf(_("naru demo, seed %llu: two computers far apart, and the network between them.\n\n"),
           (unsigned long long)seed);
    say(d,
        _("  client ------ r1 ================== r2 ------ server  (%s)\n"
        "  10.1.0.2/24       %s, %g ms,         10.2.0.80/24\n"
        "                    loses %g%%, reorders %g%%\n\n"
        "The client and the server are on different networks (10.1.0.0/24 and\n"
        "10.2.0.0/24), so neither can reach the other directly: routers r1 and r2\n"
        "pass packets on, each looking the destination up in its routing table.\n"
        "Like the Internet, the link between them promises nothing: packets may be\n"
        "lost or arrive out of order.\n"),
        SERVER_NAME, rate, demo_ms(d->delay), d->loss * 100, d->reorder * 100);
}

static int chapter_name(struct demo *d)
{
    char a[NARU_IP4_STRLEN];
    say(d,
        _("\n1. A name becomes an address: DNS, and the first packets' journey\n"
        "   Programs use names; packets carry addresses. The client asks its DNS server\n"
        "   (set by address, as in /etc/resolv.conf: 10.2.0.80, which also runs naru's\n"
        "   DNS server for naru.test) for \"%s\": one UDP datagram to port 53.\n"
        "   10.2.0.80 is not on the client's network, so the datagram goes to its gateway,\n"
        "   r1. But Ethernet delivers by MAC address: first the client asks the link who\n"
        "   has 10.1.0.1 (ARP). Each router does the same for its next hop, and takes one\n"
        "   off the packet's TTL (time to live) as it passes it on.\n\n"), SERVER_NAME);
    struct naru_sim_app_config ns = { .kind = NARU_SIM_DNS_SERVER, .name = "ns", .from = d->server, .zone = demo_zone,
                                      .origin = "naru.test" };
    int err = naru_sim_app_add(d->apps, &ns, &d->ns);
    if (err < 0)
        return err;
    struct naru_sim_app_config q = { .kind = NARU_SIM_DNS_LOOKUP, .from = d->client, .to = d->server,
                                     .query = SERVER_NAME };
    struct naru_sim_app_result r;
    if ((err = run_app(d, &q, EVERY_FRAME, &r, NULL)) < 0)
        return err;
    if (r.ok && r.addr_count) {
        say(d, _("\n   The answer: %s is another name (CNAME) for server.naru.test, which\n"
               "   is %s; the client may keep that for %u s (the TTL). %llu %s sent, %.3f ms.\n"
               "   The TTL of the packets fell from 64 to 62 on the way: two routers. The ARP\n"
               "   answers stay in each cache, so the next packets go straight out.\n"),
            SERVER_NAME, naru_ip4_format(r.addrs[0].v4, a), r.dns_ttl, (unsigned long long)r.dns_queries,
            ngettext("query", "queries", (unsigned long)r.dns_queries), demo_ms(took(d, &r)));
        d->server_addr = r.addrs[0].v4; /* type A */
    } else {
        say(d, _("\n   No answer (%s): the lossy link ate the queries. The client falls back\n"
               "   on its table of hosts, which says %s.\n"),
            r.error, naru_ip4_format(d->server_addr, a));
    }
    return 0;
}

static int chapter_ping(struct demo *d)
{
    say(d, _("\n2. Are you there? ping (ICMP echo)\n"
           "   An ICMP echo request; the server's stack answers it itself with an echo\n"
           "   reply. The time there and back is the round-trip time (RTT).\n\n"));
    struct naru_sim_app_config c = { .kind = NARU_SIM_PING, .from = d->client, .to = d->server,
                                     .dst = naru_addr_v4(d->server_addr), .count = 1, .timeout = 3 * NARU_SEC };
    struct naru_sim_app_result r;
    int err = run_app(d, &c, EVERY_FRAME, &r, NULL);
    if (err < 0)
        return err;
    if (r.received)
        say(d, _("\n   The reply came back after %.3f ms.\n"), demo_ms(r.rtt_min));
    else
        say(d, _("\n   No reply: the link lost the request or its answer. Ping does not try again;\n"
               "   IP promises nothing. (Another --seed draws other losses.)\n"));
    c.count = 10;
    c.interval = 100 * NARU_MS;
    c.timeout = NARU_SEC;
    err = run_app(d, &c, QUIET, &r, NULL);
    if (err < 0)
        return err;
    if (r.received)
        say(d, _("   Ten more pings: %u replies, round trips %.3f to %.3f ms.\n"), r.received, demo_ms(r.rtt_min),
            demo_ms(r.rtt_max));
    else
        say(d, _("   Ten more pings: no reply at all.\n"));
    return 0;
}

static int chapter_traceroute(struct demo *d)
{
    say(d, _("\n3. Who is on the way: traceroute\n"
           "   UDP probes with TTL 1, 2, 3...: the router where the TTL runs out drops the\n"
           "   probe and says so with ICMP \"time exceeded\", giving itself away. The server\n"
           "   answers \"port unreachable\": nobody listens on the probes' ports.\n\n"));
    struct naru_sim_app_config c = { .kind = NARU_SIM_TRACEROUTE, .from = d->client, .to = d->server,
                                     .max_ttl = 8, .timeout = NARU_SEC };
    struct naru_sim_app_result r;
    struct naru_sim_app *app;
    int err = run_app(d, &c, QUIET, &r, &app);
    if (err < 0)
        return err;
    char text[2048];
    naru_sim_app_summary(app, text, sizeof text);
    const char *lines = strchr(text, '\n');
    say(d, "%s", lines ? lines + 1 : text);
    if (r.ok)
        say(d, _("   (A * is a probe or its answer lost on the way.)\n"));
    return 0;
}

static int chapter_udp(struct demo *d)
{
    say(d, _("\n4. Ports, and what UDP does not do\n"
           "   An address finds a computer; a port finds a program on it. The client sends\n"
           "   300 datagrams of 1000 bytes from a port it picks at random to port 5001 on\n"
           "   the server, where a program counts them.\n"));
    struct naru_sim_link_stats before, after;
    naru_sim_link_get_stats(d->wan, 0, &before);
    struct naru_sim_app_config c = { .kind = NARU_SIM_UDP_TRANSFER, .from = d->client, .to = d->server,
                                     .bytes = 300 * 1000, .size = 1016, .rate_bps = 2000000, .port = 5001 };
    struct naru_sim_app_result r;
    int err = run_app(d, &c, QUIET, &r, NULL);
    if (err < 0)
        return err;
    naru_sim_link_get_stats(d->wan, 0, &after);
    /* Every datagram sent arrived, or the r1-r2 link refused it (its queue
     * full) or lost it on the wire (both decided as it is handed over), or
     * it was still on its way when the receiver stopped counting. */
    uint64_t arrived = r.datagrams_received - r.duplicates, queue = after.dropped_queue - before.dropped_queue;
    uint64_t wire = after.lost - before.lost;
    uint64_t late = r.datagrams_sent > arrived + queue + wire ? r.datagrams_sent - arrived - queue - wire : 0;
    if (!queue && !late) {
        say(d, _("   %llu arrived, %llu were lost (the link lost %llu), %llu came out of order.\n"),
            (unsigned long long)arrived, (unsigned long long)r.datagrams_lost, (unsigned long long)wire,
            (unsigned long long)r.reordered);
    } else {
        char rate[32];
        rate_text(d->bandwidth, rate, sizeof rate);
        int items = (queue > 0) + (wire > 0) + (late > 0);
        say(d, _("   Of %llu sent, %llu arrived and %llu did not:\n"), (unsigned long long)r.datagrams_sent,
            (unsigned long long)arrived, (unsigned long long)(r.datagrams_sent - arrived));
        if (queue)
            say(d, _("     %llu were dropped at r1, the queue for the r1-r2 link full (it sends\n"
                   "         %s; they came at 2 Mbit/s)%s\n"),
                (unsigned long long)queue, rate, --items ? ";" : ".");
        if (wire)
            say(d, _("     %llu were lost on the r1-r2 link%s\n"), (unsigned long long)wire, --items ? ";" : ".");
        if (late)
            say(d, _("     %llu were still on the way when the program stopped counting, a second\n"
                   "         after the last one left.\n"),
                (unsigned long long)late);
        say(d, _("   %llu came out of order.\n"), (unsigned long long)r.reordered);
    }
    say(d, _("   UDP delivers what arrives, as it arrives, and repairs nothing: that is\n"
           "   left to the program, or to TCP.\n"));
    return 0;
}

static int chapter_tcp(struct demo *d, bool *tcp_ran)
{
    *tcp_ran = false;
    say(d, _("\n5. TCP: a reliable byte stream over an unreliable network\n"
           "   The client connects to port 80 and asks for a %d KB page (HTTP GET).\n"
           "   TCP numbers every byte (seq), the receiver acknowledges what has arrived in\n"
           "   order (ack), and what is not acknowledged in time is sent again. Below: the\n"
           "   three-way handshake, then the first few losses, resends and gaps (bytes\n"
           "   counted from the start of each side's stream), then the close (FIN).\n\n"),
        PAGE_BYTES / 1000);
    uint64_t retrans_before = demo_counter(d->server, "tcp_retransmits");
    struct naru_sim_app_config c = { .kind = NARU_SIM_HTTP_GET, .from = d->client, .to = d->server,
                                     .bytes = PAGE_BYTES, .host = SERVER_NAME };
    struct naru_sim_app_result r;
    int err = run_app(d, &c, TCP_STORY, &r, NULL);
    if (err < 0)
        return err;
    if (!r.ok && strstr(r.error, "TCP is not available")) {
        say(d, _("   TCP is not in this build of naru yet, so this chapter waits for it.\n"));
        return 0;
    }
    *tcp_ran = true;
    struct tcp_watch *a = &d->to_client, *b = &d->to_server;
    unsigned lost = a->lost + b->lost, resent = a->resent + b->resent, gaps = a->gaps + b->gaps;
    if (lost > SHOW_MAX || resent > SHOW_MAX || gaps > SHOW_MAX)
        say(d, _("  (and more of the same: %u frames lost, %u segments sent again, %u gaps filled in all)\n"),
            lost, resent, gaps);
    char status[32];
    if (r.http_status)
        snprintf(status, sizeof status, _("HTTP status %d"), r.http_status);
    else
        snprintf(status, sizeof status, "%s", _("no HTTP response"));
    const char *quality = !r.intact                        ? _("DAMAGED")
                          : r.bytes_received == PAGE_BYTES ? _("every byte right and in order")
                          : r.bytes_received               ? _("what came right and in order")
                                                           : _("nothing came");
    if (r.finished)
        say(d, _("\n   The page: %s, %llu of %u bytes, %s, in %.3f s (%.2f Mbit/s).\n"), status,
            (unsigned long long)r.bytes_received, PAGE_BYTES, quality, (double)took(d, &r) / 1e9,
            r.goodput_bps / 1e6);
    else
        say(d, _("\n   The page had not come after %.0f s: %s, %llu of %u bytes so far,\n"
               "   %s, at %.1f kbit/s.\n"),
            (double)took(d, &r) / 1e9, status, (unsigned long long)r.bytes_received, PAGE_BYTES, quality,
            r.goodput_bps / 1e3);
    say(d, _("   The server retransmitted %llu segments; the client received %llu out of order.\n"
           "   Losses and reordering cost time, never data: that is TCP's promise.\n"),
        (unsigned long long)(demo_counter(d->server, "tcp_retransmits") - retrans_before),
        (unsigned long long)demo_counter(d->client, "tcp_rx_out_of_order"));
    if (!r.finished)
        say(d, _("   (The demo stopped waiting: over this link the whole page takes longer.)\n"));
    else if (!r.ok)
        say(d, _("   (It did not finish cleanly: %s.)\n"), r.error[0] ? r.error : _("no reason given"));
    return 0;
}

/* ---- the seed's lessons on what IP promises and on names ---- */

/* What an ICMP destination unreachable says, in words (RFC 792). */
static const char *unreachable_text(const struct naru_icmp_error *e)
{
    if (e->type != 3)
        return _("an ICMP error");
    switch (e->code) {
    case 1: return _("ICMP \"host unreachable\" (type 3, code 1)");
    case 3: return _("ICMP \"port unreachable\" (type 3, code 3)");
    default: return _("ICMP \"destination unreachable\" (type 3)");
    }
}

/* Silence where an error was due: a loss on the slow link. */
static void say_no_error(const struct demo *d)
{
    say(d, _("\n   No ICMP error came back: the datagram or the error was lost on the slow\n"
             "   link, and nobody else will say anything. (Another --seed draws other losses.)\n"));
}

/* What the program was told, if anything. */
static void told(const struct demo *d, const struct lesson_send *r)
{
    if (r->error)
        say(d, _("   The program sent on a connected socket, so its next call fails with\n"
                 "   \"%s\": the only way it learns anything.\n"),
            r->error == -EHOSTUNREACH   ? _("No route to host")
            : r->error == -ECONNREFUSED ? _("Connection refused")
                                        : strerror(-r->error));
    else
        say(d, _("   The program was told nothing: its send had said yes, and that was all.\n"));
}

static int chapter_nobody(struct demo *d)
{
    char a[NARU_IP4_STRLEN];
    say(d, _("\n6. IP is connectionless and promises nothing\n"
             "   IP does not ask first whether anybody is there: there is no connection to\n"
             "   set up, and no answer is expected. The client sends one UDP datagram to\n"
             "   10.1.0.99, an address on its own network where there is no computer.\n\n"));
    d->phase = EVERY_FRAME;
    struct lesson_send r;
    struct naru_sockaddr near = naru_sockaddr_v4(naru_ip4(10, 1, 0, 99), 4000);
    int err = lesson_send(d->sim, d->client, d->client, &near, false, 5 * NARU_SEC, &r);
    d->phase = QUIET;
    if (err < 0)
        return err;
    say(d, _("\n   The program's send said yes (%ld bytes taken). But on its own network the\n"
             "   client must first learn the MAC address of 10.1.0.99: it asked ARP %llu times,\n"
             "   nobody answered, and it dropped the datagram (%llu dropped).\n"),
        r.sent, (unsigned long long)r.arp_requests, (unsigned long long)r.arp_failed);
    told(d, &r);

    say(d, _("\n   Now one to 10.2.0.99, on the server's network, where there is no computer\n"
             "   either, from a socket connected to it. The datagram leaves, crosses r1 and\n"
             "   r2, and only the last router finds out that nobody is there.\n\n"));
    d->phase = EVERY_FRAME;
    struct naru_sockaddr far = naru_sockaddr_v4(naru_ip4(10, 2, 0, 99), 4000);
    err = lesson_send(d->sim, d->client, d->r2, &far, true, 5 * NARU_SEC, &r);
    d->phase = QUIET;
    if (err < 0)
        return err;
    if (r.icmp)
        say(d, _("\n   r2 asked ARP %llu times, nobody answered; it dropped the datagram and told\n"
                 "   the sender with %s, from %s.\n"),
            (unsigned long long)r.arp_requests, unreachable_text(&r.icmp_error),
            naru_ip4_format(r.icmp_error.offender.v4, a));
    else
        say_no_error(d);
    told(d, &r);

    say(d, _("\n   Last, one to the server itself, to port 4000, where no program listens.\n"
             "   The computer is there, so the datagram arrives; its stack answers for the\n"
             "   missing program.\n\n"));
    d->phase = EVERY_FRAME;
    struct naru_sockaddr port = naru_sockaddr_v4(d->server_addr, 4000);
    err = lesson_send(d->sim, d->client, d->r2, &port, true, 2 * NARU_SEC, &r);
    d->phase = QUIET;
    if (err < 0)
        return err;
    if (r.icmp)
        say(d, _("\n   The answer: %s, from %s.\n"), unreachable_text(&r.icmp_error),
            naru_ip4_format(r.icmp_error.offender.v4, a));
    else
        say_no_error(d);
    told(d, &r);
    say(d, _("   IP delivers when it can and says nothing when it cannot; to know that data\n"
             "   arrived, the programs must ask and answer themselves, or use TCP.\n"));
    return 0;
}

#define SHOP_LABEL "shop"
#define SHOP_NAME SHOP_LABEL ".naru.test"
#define SHOP_PORT 8080
#define SHOP_TTL 5

static const char *try_result(const struct lesson_try *t)
{
    if (t->lookup)
        return _("the lookup failed");
    switch (t->result) {
    case 0: return _("connected");
    case -ECONNREFUSED: return _("refused: nothing listens there any more");
    case -ETIMEDOUT: return _("no answer in time");
    default: return _("failed");
    }
}

static int chapter_moved(struct demo *d)
{
    char a[NARU_IP4_STRLEN], b[NARU_IP4_STRLEN], why[256];
    say(d, _("\n7. Addresses change, names stay\n"
             "   A shop, %s, runs on the server (%s, port %d). Its record\n"
             "   in the name server gives that address, and says an answer may be kept\n"
             "   %d s (its TTL). Once a second the client looks the name up and connects.\n"
             "   After 2.5 s the shop moves to a new computer, server2, on a new network\n"
             "   behind r2 (10.3.0.80), and its record is changed to say so. But the\n"
             "   client keeps the answer it has until the TTL runs out.\n\n"),
        SHOP_NAME, naru_ip4_format(d->server_addr, a), SHOP_PORT, SHOP_TTL);
    struct naru_stack *server2;
    int err = lesson_add_new_home(d->sim, d->r1, d->r2, "server2", &server2);
    if (err < 0)
        return err;
    /* Its interface comes up and announces itself before the story goes on. */
    naru_sim_run(d->sim, naru_sim_now(d->sim) + NARU_SEC, NULL, NULL);
    struct lesson_move_config c = {
        .sim = d->sim, .dns = d->ns, .zone = demo_zone, .label = SHOP_LABEL, .name = SHOP_NAME,
        .ttl = SHOP_TTL, .client = d->client, .old_host = d->server, .new_host = server2,
        .old_addr = d->server_addr, .new_addr = naru_ip4(10, 3, 0, 80),
        .dns_server = naru_sockaddr_v4(naru_ip4(10, 2, 0, 80), 53), .port = SHOP_PORT, .tries = 10,
        .interval = NARU_SEC, .try_timeout = 2 * NARU_SEC, .move_after = 2500 * NARU_MS,
    };
    struct lesson_move r;
    if ((err = lesson_move(&c, &r, why, sizeof why)) < 0) {
        fprintf(stderr, "%s: %s\n", PROG, why);
        return err;
    }
    naru_time_t t0 = r.tries[0].at;
    bool told_move = false;
    for (unsigned i = 0; i < r.count; i++) {
        const struct lesson_try *t = &r.tries[i];
        if (!told_move && t->at > r.moved_at) {
            say(d, _("  %7.3f s  the shop moves to %s; the name server's record now says so\n"),
                demo_ms(r.moved_at - t0) / 1000, naru_ip4_format(c.new_addr, a));
            told_move = true;
        }
        if (t->lookup)
            say(d, _("  %7.3f s  %s: no answer from the name server\n"), demo_ms(t->at - t0) / 1000, SHOP_NAME);
        else if (t->from_cache)
            say(d, _("  %7.3f s  %s is %s (kept in the cache, %u s left): %s\n"), demo_ms(t->at - t0) / 1000, SHOP_NAME,
                naru_ip4_format(t->addr, a), t->ttl, try_result(t));
        else
            say(d, _("  %7.3f s  %s is %s (asked the name server): %s\n"), demo_ms(t->at - t0) / 1000, SHOP_NAME,
                naru_ip4_format(t->addr, a), try_result(t));
    }
    bool reached_new = false;
    for (unsigned i = 0; i < r.count; i++)
        reached_new = reached_new || (!r.tries[i].lookup && r.tries[i].addr == c.new_addr);
    if (r.expires_at && !reached_new)
        say(d, _("\n   The record changed at %.3f s; the client's answer was good until %.3f s.\n"
                 "   The lookups after that got no answer in this run (the link lost them), so\n"
                 "   the client never learned the new address: a name helps only while the name\n"
                 "   server can be reached.\n"),
            demo_ms(r.moved_at - t0) / 1000, demo_ms(r.expires_at - t0) / 1000);
    else if (r.expires_at)
        say(d, _("\n   The record changed at %.3f s, but the client's answer was good until\n"
                 "   %.3f s (%d s after it came): until then it went to %s. Then it asked\n"
                 "   again, and the same name led it to %s. Programs keep names and look\n"
                 "   them up because addresses change; the TTL says how long an answer may\n"
                 "   be out of date. (%llu DNS queries in all.)\n"),
            demo_ms(r.moved_at - t0) / 1000, demo_ms(r.expires_at - t0) / 1000, SHOP_TTL,
            naru_ip4_format(c.old_addr, a), naru_ip4_format(c.new_addr, b), (unsigned long long)r.queries);
    return 0;
}

/* Text in `width` terminal columns, right-aligned (left: left-aligned):
 * Hangul takes two columns and three bytes, so printf's widths will not do. */
static void column(const char *text, int width, bool left)
{
    wchar_t wide[64];
    size_t n = mbstowcs(wide, text, sizeof wide / sizeof wide[0]);
    int cols = n == (size_t)-1 ? -1 : wcswidth(wide, n);
    if (cols < 0)
        cols = (int)strlen(text);
    int pad = width > cols ? width - cols : 0;
    if (left)
        printf("%s%*s", text, pad, "");
    else
        printf("%*s%s", pad, "", text);
}

static void summary(struct demo *d, bool tcp_ran)
{
    struct naru_stack *nodes[5] = { d->client, d->r1, d->r2, d->server, naru_sim_find_stack(d->sim, "server2") };
    static const char *const heads[2][11] = {
        { "", N_("frames"), N_("frames"), "ARP", "ARP", "IP", "IP", "ICMP", "UDP", "TCP", "TCP" },
        { N_("node"), N_("out"), N_("in"), N_("asked"), N_("told"), N_("forwarded"), N_("delivered"), N_("out"),
          N_("out"), N_("out"), N_("resent") },
    };
    static const int widths[11] = { 7, 8, 8, 6, 6, 9, 9, 6, 6, 7, 7 };
    printf(_("\nWhat each layer counted:\n"));
    for (int row = 0; row < 2; row++) {
        printf(" ");
        for (int i = 0; i < 11; i++) {
            printf(" ");
            column(heads[row][i][0] ? _(heads[row][i]) : "", widths[i], i == 0);
        }
        printf("\n");
    }
    for (int i = 0; i < 5 && nodes[i]; i++) {
        const struct naru_stack *s = nodes[i];
        printf("  %-7s %8llu %8llu %6llu %6llu %9llu %9llu %6llu %6llu %7llu %7llu\n", name_of(d, s),
               (unsigned long long)demo_counter(s, "link_tx_frames"), (unsigned long long)demo_counter(s, "link_rx_frames"),
               (unsigned long long)demo_counter(s, "arp_tx_requests"), (unsigned long long)demo_counter(s, "arp_tx_replies"),
               (unsigned long long)demo_counter(s, "ip_forwarded"), (unsigned long long)demo_counter(s, "ip_rx_delivered"),
               (unsigned long long)demo_counter(s, "icmp_tx"), (unsigned long long)demo_counter(s, "udp_tx"),
               (unsigned long long)demo_counter(s, "tcp_tx"), (unsigned long long)demo_counter(s, "tcp_retransmits"));
    }
    struct naru_sim_link_stats a, b;
    naru_sim_link_get_stats(d->wan, 0, &a);
    naru_sim_link_get_stats(d->wan, 1, &b);
    printf(_("  the r1-r2 link carried %llu frames, lost %llu, held back %llu, dropped %llu (queue full)\n"),
           (unsigned long long)(a.frames_sent + b.frames_sent), (unsigned long long)(a.lost + b.lost),
           (unsigned long long)(a.reordered + b.reordered), (unsigned long long)(a.dropped_queue + b.dropped_queue));
    if (tcp_ran)
        printf(_("  %.3f s of simulated time, %llu events\n"), (double)naru_sim_now(d->sim) / 1e9,
               (unsigned long long)naru_sim_events(d->sim));
    else
        printf(_("  %.3f s of simulated time, %llu events; TCP's chapter waits for TCP\n"),
               (double)naru_sim_now(d->sim) / 1e9, (unsigned long long)naru_sim_events(d->sim));
    if (d->pcap)
        printf(_("  captures: %s/lan1.pcap, %s/wan.pcap, %s/lan2.pcap, %s/lan3.pcap (open them in\n"
                 "  Wireshark)\n"),
               d->pcap, d->pcap, d->pcap, d->pcap);
}

/* ---- flags ---- */

static bool parse_rate(const char *text, uint64_t *out)
{
    char *end;
    errno = 0;
    double v = strtod(text, &end);
    if (errno || end == text || !isfinite(v) || v <= 0)
        return false;
    static const struct { const char *unit; double scale; } units[] = {
        { "", 1e6 }, { "bit", 1 }, { "kbit", 1e3 }, { "Mbit", 1e6 }, { "Gbit", 1e9 },
        { "bit/s", 1 }, { "kbit/s", 1e3 }, { "Mbit/s", 1e6 }, { "Gbit/s", 1e9 },
    };
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
        if (!strcmp(end, units[i].unit)) {
            v *= units[i].scale;
            if (v < 1000 || v > 100e9)
                return false;
            *out = (uint64_t)v;
            return true;
        }
    }
    return false;
}

int cmd_demo(int argc, char **argv)
{
    static const struct option options[] = {
        { "seed", required_argument, NULL, 's' },
        { "loss", required_argument, NULL, 'l' },
        { "delay", required_argument, NULL, 'd' },
        { "bandwidth", required_argument, NULL, 'b' },
        { "reorder", required_argument, NULL, 'r' },
        { "pcap", required_argument, NULL, 'p' },
        { "html", required_argument, NULL, 'H' },
        { "quiet", no_argument, NULL, 'q' },
        { "lang", required_argument, NULL, 'L' },
        { "ipv6", no_argument, NULL, '6' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    struct demo d = { .loss = 0.02, .reorder = 0.01, .delay = 20 * NARU_MS, .bandwidth = 10000000 };
    uint64_t seed = 1;
    bool help = false, ipv6 = false, loss_given = false, reorder_given = false;
    const char *html_path = NULL;
    FILE *html = NULL;
    int opt;
    i18n_init(NULL);
    optind = 1;
    opterr = 0;
    while ((opt = getopt_long(argc, argv, "h", options, NULL)) != -1) {
        char *end;
        double v;
        switch (opt) {
        case 's':
            errno = 0;
            seed = strtoull(optarg, &end, 10);
            if (errno || end == optarg || *end || optarg[0] == '-') {
                fprintf(stderr, "%s: bad seed '%s' (want a non-negative integer)\n", PROG, optarg);
                return 2;
            }
            break;
        case 'l':
            loss_given = true;
            if (!cli_share(optarg, 0.5, &d.loss)) {
                fprintf(stderr, "%s: bad loss '%s' (want a percentage from 0 to 50, such as 2 or 0.5%%)\n", PROG,
                        optarg);
                return 2;
            }
            break;
        case 'r':
            reorder_given = true;
            if (!cli_share(optarg, 0.5, &d.reorder)) {
                fprintf(stderr, "%s: bad reorder '%s' (want a percentage from 0 to 50, such as 1 or 0.5%%)\n",
                        PROG, optarg);
                return 2;
            }
            break;
        case 'd':
            errno = 0;
            v = strtod(optarg, &end);
            if (errno || end == optarg || (*end && strcmp(end, "ms")) || !isfinite(v) || v < 0 || v > 10000) {
                fprintf(stderr, "%s: bad delay '%s' (want milliseconds, 0 to 10000)\n", PROG, optarg);
                return 2;
            }
            d.delay = (naru_time_t)llround(v * 1e6);
            break;
        case 'b':
            if (!parse_rate(optarg, &d.bandwidth)) {
                fprintf(stderr, "%s: bad bandwidth '%s' (want a rate such as 512kbit, 10Mbit or 1Gbit)\n", PROG,
                        optarg);
                return 2;
            }
            break;
        case 'p':
            d.pcap = cli_dir(optarg);
            break;
        case 'H':
            html_path = optarg;
            break;
        case 'q':
            d.quiet = true;
            break;
        case '6':
            ipv6 = true;
            break;
        case 'L':
            if (!i18n_init(optarg)) {
                fprintf(stderr, "%s: unknown language '%s' (want en or ko)\n", PROG, optarg);
                return 2;
            }
            break;
        case 'h':
            help = true; /* after --lang, wherever it is */
            break;
        default:
            fprintf(stderr, "%s: unknown or incomplete option '%s' (try --help)\n", PROG, argv[optind - 1]);
            return 2;
        }
    }
    if (help) {
        usage(stdout);
        return 0;
    }
    if (optind < argc) {
        fprintf(stderr, "%s: unexpected argument '%s' (try --help)\n", PROG, argv[optind]);
        return 2;
    }
    if (d.pcap && mkdir(d.pcap, 0777) < 0 && errno != EEXIST) {
        fprintf(stderr, "%s: cannot create %s: %s\n", PROG, d.pcap, strerror(errno));
        return 2;
    }
    /* Opened before the run, so a path that cannot be written is told at once. */
    if (html_path && !(html = fopen(html_path, "w"))) {
        fprintf(stderr, "%s: cannot write %s: %s\n", PROG, html_path, strerror(errno));
        return 1;
    }
    if (ipv6) {
        /* The IPv6 story is about addresses and neighbours: its slow link
         * loses and reorders nothing unless asked to. */
        struct demo_ipv6_options o = { .seed = seed, .loss = loss_given ? d.loss : 0,
                                       .reorder = reorder_given ? d.reorder : 0, .delay = d.delay,
                                       .bandwidth = d.bandwidth, .pcap = d.pcap, .html = html, .quiet = d.quiet,
                                       .page_words = page_words };
        int status = demo_ipv6(&o);
        if (html && (fclose(html) != 0 || status)) {
            if (!status)
                fprintf(stderr, "%s: writing %s failed: %s\n", PROG, html_path, strerror(errno));
            remove(html_path);
            status = 1;
        } else if (html && !d.quiet) {
            printf("  replay page: %s (open it in a browser)\n", html_path);
        }
        return status;
    }
    int status = 1, err = build(&d, seed, html != NULL);
    bool tcp_ran = false;
    if (err < 0) {
        fprintf(stderr, "%s: cannot build the simulated network: %s\n", PROG, strerror(-err));
        goto out;
    }
    /* The interfaces come up and announce themselves (gratuitous ARP);
     * the story starts once those announcements have landed. */
    naru_sim_run(d.sim, d.delay + 50 * NARU_MS, NULL, NULL);
    chapter_world(&d, seed);
    if ((err = chapter_name(&d)) < 0 || (err = chapter_ping(&d)) < 0 || (err = chapter_traceroute(&d)) < 0 || (err = chapter_udp(&d)) < 0 ||
        (err = chapter_tcp(&d, &tcp_ran)) < 0 || (err = chapter_nobody(&d)) < 0 || (err = chapter_moved(&d)) < 0) {
        fprintf(stderr, "%s: the simulation failed: %s\n", PROG, strerror(-err));
        goto out;
    }
    summary(&d, tcp_ran);
    if (!d.quiet)
        printf(_("  the same story in IPv6: naru demo --ipv6\n"));
    status = 0;
    if (d.pcap && naru_sim_capture_close(d.sim) < 0) {
        fprintf(stderr, "%s: writing the captures in %s failed\n", PROG, d.pcap);
        status = 1;
    }
    if (html) {
        char title[96];
        snprintf(title, sizeof title, "naru demo, seed %llu", (unsigned long long)seed);
        err = naru_replay_write_html(d.replay, title, html);
        if (fclose(html) != 0 || err < 0) {
            fprintf(stderr, "%s: writing %s failed: %s\n", PROG, html_path, strerror(err < 0 ? -err : errno));
            status = 1;
        } else if (!d.quiet) {
            printf("  replay page: %s (open it in a browser)\n", html_path);
        }
        html = NULL;
    }
out:
    if (html) {
        fclose(html);
        remove(html_path);
    }
    naru_replay_free(d.replay);
    naru_sim_apps_destroy(d.apps);
    naru_sim_destroy(d.sim);
    return status;
}
