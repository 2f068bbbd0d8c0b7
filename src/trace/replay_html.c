#define _POSIX_C_SOURCE 200809L /* unlink */
/* The replay page written out: the template (src/trace/page/, embedded at
 * build time) with its style, its script and the run's data inline, so the
 * file opens offline and asks the network for nothing. The data is one
 * JSON object; its shape is described at the top of page/replay.js. */
#include "trace/replay_internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "naru/flowtrace.h"
#include "trace/replay_page.h"

/* A JSON string that is also safe inside <script>: <, > and & escaped, so
 * no "</script>" or "<!--" can end the element early. */
static void json_string(FILE *out, const char *s)
{
    fputc('"', out);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\')
            fprintf(out, "\\%c", *p);
        else if (*p == '\n')
            fputs("\\n", out);
        else if (*p < 0x20 || *p == '<' || *p == '>' || *p == '&')
            fprintf(out, "\\u%04x", *p);
        else
            fputc(*p, out);
    }
    fputc('"', out);
}

static void base64(FILE *out, const uint8_t *b, size_t n)
{
    static const char digits[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    for (size_t i = 0; i < n; i += 3) {
        uint32_t v = (uint32_t)b[i] << 16 | (i + 1 < n ? (uint32_t)b[i + 1] << 8 : 0) | (i + 2 < n ? b[i + 2] : 0);
        char q[4] = { digits[v >> 18 & 63], digits[v >> 12 & 63], i + 1 < n ? digits[v >> 6 & 63] : '=',
                      i + 2 < n ? digits[v & 63] : '=' };
        fwrite(q, 1, 4, out);
    }
}

/* ---- topology ---- */

#define NODE_NONE (-1)

struct topo {
    const char **names;        /* stacks first, then switches */
    unsigned *links_at;        /* links attached, to tell routers */
    unsigned count, stacks;
    int *slot_of_link;         /* the recorder's slot of each link, or -1 */
};

static int node_of(const struct topo *t, const char *name)
{
    for (unsigned i = 0; i < t->count; i++)
        if (!strcmp(t->names[i], name))
            return (int)i;
    return NODE_NONE;
}

static int topo_build(struct topo *t, const struct naru_replay *r, struct naru_sim *sim)
{
    unsigned stacks = naru_sim_stack_count(sim), links = naru_sim_link_count(sim);
    *t = (struct topo){ .stacks = stacks };
    t->names = calloc(stacks + 2 * (size_t)links + 1, sizeof *t->names);
    t->links_at = calloc(stacks + 2 * (size_t)links + 1, sizeof *t->links_at);
    t->slot_of_link = calloc((size_t)links + 1, sizeof *t->slot_of_link);
    if (!t->names || !t->links_at || !t->slot_of_link)
        return -ENOMEM;
    for (unsigned i = 0; i < stacks; i++)
        t->names[t->count++] = naru_sim_stack_name(sim, naru_sim_stack_at(sim, i));
    for (unsigned n = 0; n < links; n++) {
        struct naru_sim_link *l = naru_sim_link(sim, n);
        t->slot_of_link[n] = -1;
        for (size_t s = 0; s < r->link_count; s++)
            if (r->links[s].link == l)
                t->slot_of_link[n] = (int)s;
        for (int e = 0; e < 2; e++) {
            const char *sw = naru_sim_link_switch_name(l, e);
            if (sw && node_of(t, sw) == NODE_NONE)
                t->names[t->count++] = sw;
        }
    }
    return 0;
}

static int end_node(const struct topo *t, struct naru_sim *sim, struct naru_sim_link *l, int end)
{
    struct naru_stack *s = naru_sim_link_stack(l, end, NULL);
    const char *sw = naru_sim_link_switch_name(l, end);
    return s ? node_of(t, naru_sim_stack_name(sim, s)) : sw ? node_of(t, sw) : NODE_NONE;
}

static void write_topology(FILE *out, struct topo *t, struct naru_sim *sim, const struct naru_replay *r)
{
    unsigned links = naru_sim_link_count(sim);
    for (unsigned n = 0; n < links; n++) {
        for (int e = 0; e < 2; e++) {
            int node = end_node(t, sim, naru_sim_link(sim, n), e);
            if (node != NODE_NONE)
                t->links_at[node]++;
        }
    }
    fputs("\"nodes\":[", out);
    for (unsigned i = 0; i < t->count; i++) {
        /* A stack on two or more links forwards between them: drawn as a
         * router (the simulator's routers are stacks with forwarding on). */
        const char *kind = i >= t->stacks ? "switch" : t->links_at[i] > 1 ? "router" : "host";
        fprintf(out, "%s{\"name\":", i ? "," : "");
        json_string(out, t->names[i]);
        fprintf(out, ",\"kind\":\"%s\"}", kind);
    }
    fputs("],\n\"links\":[", out);
    for (unsigned n = 0; n < links; n++) {
        struct naru_sim_link *l = naru_sim_link(sim, n);
        const struct naru_sim_link_config *c = naru_sim_link_get_config(l);
        int slot = t->slot_of_link[n];
        fprintf(out, "%s{\"name\":", n ? "," : "");
        json_string(out, naru_sim_link_name(l));
        double loss = c->loss;
        if (c->ge_p > 0) /* the burst model's mean loss (sim.h) */
            loss = (c->ge_p / (c->ge_p + c->ge_r)) * (1 - c->ge_h) + (c->ge_r / (c->ge_p + c->ge_r)) * c->ge_good_loss;
        fprintf(out, ",\"a\":%d,\"b\":%d,\"rate\":%llu,\"delay\":%lld,\"loss\":%.6g,\"reorder\":%.6g,\"frames\":%u}",
                end_node(t, sim, l, 0), end_node(t, sim, l, 1), (unsigned long long)c->rate_bps,
                (long long)c->delay, loss, c->reorder, slot >= 0 ? r->links[slot].number : 0u);
    }
    fputs("],\n", out);
}

/* ---- frames ---- */

static int link_index(const struct topo *t, unsigned links, uint32_t slot)
{
    for (unsigned n = 0; n < links; n++)
        if (t->slot_of_link[n] == (int)slot)
            return (int)n;
    return -1;
}

static void write_frames(FILE *out, const struct naru_replay *r, const struct topo *t, unsigned links)
{
    int *index_of_slot = calloc(r->link_count + 1, sizeof *index_of_slot);
    for (size_t s = 0; index_of_slot && s < r->link_count; s++)
        index_of_slot[s] = link_index(t, links, (uint32_t)s);
    fputs("\"frames\":[", out);
    for (size_t i = 0; i < r->frame_count; i++) {
        const struct replay_frame *f = &r->frames[i];
        int link = index_of_slot ? index_of_slot[f->link] : link_index(t, links, f->link);
        fprintf(out, "%s[%d,%u,%lld,%lld,%u,%u,%u,\"", i ? ",\n" : "", link, f->from, (long long)f->sent,
                (long long)f->arrive, f->number, f->flags, f->len);
        base64(out, r->bytes + f->offset, f->caplen);
        fputs("\"]", out);
    }
    fputs("],\n", out);
    free(index_of_slot);
}

/* ---- TCP: flowtrace over each link's frames, as over its capture ---- */

static void write_direction(FILE *out, const struct naru_trace_direction *d)
{
    char src[NARU_TRACE_ENDPOINT_STRLEN], dst[NARU_TRACE_ENDPOINT_STRLEN];
    fputs("{\"src\":", out);
    json_string(out, naru_trace_endpoint_format(&d->src, d->src_port, src));
    fputs(",\"dst\":", out);
    json_string(out, naru_trace_endpoint_format(&d->dst, d->dst_port, dst));
    fputs(",\"seg\":[", out);
    for (size_t i = 0; i < d->count; i++) {
        const struct naru_trace_segment *s = &d->segments[i];
        fprintf(out, "%s[%llu,%lld,%lld,%u,%u,%u,%lld,%llu,[", i ? "," : "", (unsigned long long)s->frame,
                (long long)s->time_ns, (long long)s->seq, s->len, s->flags, s->marks,
                (long long)((s->flags & NARU_TCP_ACK) ? s->ack : -1), (unsigned long long)s->window);
        for (unsigned k = 0; k < s->sack_count; k++)
            fprintf(out, "%s%lld,%lld", k ? "," : "", (long long)s->sack[k].left, (long long)s->sack[k].right);
        fputs("]]", out);
    }
    fputs("]}", out);
}

static int write_tcp(FILE *out, const struct naru_replay *r, const struct topo *t, unsigned links)
{
    fputs("\"tcp\":[", out);
    bool first = true;
    for (unsigned n = 0; n < links; n++) {
        int slot = t->slot_of_link[n];
        if (slot < 0)
            continue;
        struct naru_flowtrace *ft = naru_flowtrace_new();
        if (!ft)
            return -ENOMEM;
        int64_t t0 = -1;
        for (size_t i = 0; i < r->frame_count; i++) {
            const struct replay_frame *f = &r->frames[i];
            if (f->link != (uint32_t)slot || !f->number)
                continue;
            if (t0 < 0)
                t0 = f->sent;
            struct naru_capture_packet p = { .number = f->number, .time_ns = f->sent,
                                             .linktype = NARU_LINKTYPE_ETHERNET, .caplen = f->caplen,
                                             .len = f->len, .data = r->bytes + f->offset };
            if (naru_flowtrace_add(ft, &p) < 0) {
                naru_flowtrace_free(ft);
                return -ENOMEM;
            }
        }
        for (size_t c = 0; c < naru_flowtrace_count(ft); c++) {
            const struct naru_trace_conn *conn = naru_flowtrace_conn(ft, c);
            fprintf(out, "%s{\"link\":%u,\"stream\":%zu,\"t0\":%lld,\"dir\":[", first ? "" : ",\n", n, conn->index,
                    (long long)t0);
            write_direction(out, &conn->dir[0]);
            fputc(',', out);
            write_direction(out, &conn->dir[1]);
            fputs("]}", out);
            first = false;
        }
        naru_flowtrace_free(ft);
    }
    fputs("],\n", out);
    return 0;
}

static void write_cc(FILE *out, const struct naru_replay *r)
{
    fputs("\"cc\":[", out);
    bool first = true;
    for (size_t i = 0; i < r->flow_count; i++) {
        const struct replay_flow *w = &r->flows[i];
        if (!w->sample_count)
            continue;
        char src[NARU_TRACE_ENDPOINT_STRLEN], dst[NARU_TRACE_ENDPOINT_STRLEN];
        fputs(first ? "{\"node\":" : ",\n{\"node\":", out);
        json_string(out, naru_sim_stack_name(r->sim, w->stack));
        fputs(",\"src\":", out);
        json_string(out, naru_trace_endpoint_format(&w->src, w->sport, src));
        fputs(",\"dst\":", out);
        json_string(out, naru_trace_endpoint_format(&w->dst, w->dport, dst));
        fputs(",\"s\":[", out);
        for (size_t k = 0; k < w->sample_count; k++) {
            const struct replay_cc_sample *s = &w->samples[k];
            fprintf(out, "%s[%lld,%u,%u,%u]", k ? "," : "", (long long)s->time, s->cwnd, s->ssthresh, s->rtt_us);
        }
        fputs("]}", out);
        first = false;
    }
    fputs("],\n", out);
}

static void write_chapters(FILE *out, const struct naru_replay *r)
{
    fputs("\"chapters\":[", out);
    for (size_t i = 0; i < r->chapter_count; i++) {
        const struct replay_chapter *c = &r->chapters[i];
        naru_time_t end = i + 1 < r->chapter_count ? r->chapters[i + 1].start : naru_sim_now(r->sim);
        fprintf(out, "%s{\"start\":%lld,\"end\":%lld,\"title\":", i ? ",\n" : "", (long long)c->start, (long long)end);
        json_string(out, c->title);
        fputs(",\"text\":", out);
        json_string(out, c->text);
        fputc('}', out);
    }
    fputs("],\n", out);
}

static int write_data(FILE *out, struct naru_replay *r, const char *title)
{
    struct topo t;
    int err = topo_build(&t, r, r->sim);
    if (!err) {
        unsigned links = naru_sim_link_count(r->sim);
        uint64_t captured = 0;
        for (size_t s = 0; s < r->link_count; s++)
            captured += r->links[s].number;
        fputs("{\"title\":", out);
        json_string(out, title);
        fputs(",\"words\":{", out);
        for (size_t i = 0; i < r->word_count; i++) {
            if (i)
                fputc(',', out);
            json_string(out, r->words[i].key);
            fputc(':', out);
            json_string(out, r->words[i].text);
        }
        fputc('}', out);
        fprintf(out, ",\"snaplen\":%d,\"frames_total\":%llu,\"frames_missed\":%llu,\"end\":%lld,\n", REPLAY_SNAPLEN,
                (unsigned long long)captured, (unsigned long long)r->frames_missed, (long long)naru_sim_now(r->sim));
        write_topology(out, &t, r->sim, r);
        write_chapters(out, r);
        write_cc(out, r);
        err = write_tcp(out, r, &t, links);
        if (!err) {
            write_frames(out, r, &t, links);
            fputs("\"version\":1}", out);
        }
    }
    free(t.names);
    free(t.links_at);
    free(t.slot_of_link);
    return err;
}

/* The template's @@NAME@@ marks, filled in. */
int naru_replay_write_html(struct naru_replay *r, const char *title, FILE *out)
{
    uint64_t captured = 0;
    for (size_t s = 0; s < r->link_count; s++)
        captured += r->links[s].number;
    const char *p = replay_page_template;
    int err = 0;
    while (!err && *p) {
        const char *mark = strstr(p, "@@");
        const char *close = mark ? strstr(mark + 2, "@@") : NULL;
        if (!mark || !close) {
            fputs(p, out);
            break;
        }
        fwrite(p, 1, (size_t)(mark - p), out);
        size_t n = (size_t)(close - mark - 2);
        const char *name = mark + 2;
        if (n == 3 && !strncmp(name, "CSS", n))
            fputs(replay_page_css, out);
        else if (n == 2 && !strncmp(name, "JS", n))
            fputs(replay_page_js, out);
        else if (n == 4 && !strncmp(name, "DATA", n))
            err = write_data(out, r, title);
        else if (n == 6 && !strncmp(name, "FRAMES", n))
            fprintf(out, "%llu", (unsigned long long)captured);
        else if (n == 5 && !strncmp(name, "TITLE", n))
            for (const char *c = title; *c; c++)
                fputs(*c == '<' ? "&lt;" : *c == '>' ? "&gt;" : *c == '&' ? "&amp;" : (char[2]){ *c, 0 }, out);
        else
            fwrite(mark, 1, (size_t)(close + 2 - mark), out);
        p = close + 2;
    }
    if (err)
        return err;
    return ferror(out) ? -EIO : 0;
}

int naru_replay_save(struct naru_replay *r, const char *title, const char *path)
{
    FILE *out = fopen(path, "w");
    if (!out)
        return -errno;
    int err = naru_replay_write_html(r, title, out);
    if (fclose(out) != 0 && !err)
        err = -errno;
    if (err)
        unlink(path);
    return err;
}
