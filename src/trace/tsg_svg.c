/* The time-sequence graph as SVG, in tcptrace's and xplot's conventions
 * (Shawn Ostermann's tcptrace manual, "time sequence graphs"): time
 * across, sequence number up; a data segment is a vertical bar from its
 * first sequence number to past its last, with arrow ends; the receiver's
 * cumulative ACK a step line under the data and ACK + advertised window a
 * step line above it, so the gap between bars and window line is what the
 * receiver still allowed; SACK blocks as bars between the two.
 *
 * Each kind of mark is one <path> of many subpaths (a 100,000-segment
 * connection stays one small element per colour), coordinates to a tenth
 * of a pixel, and a mark that would land on the same pixels as the one
 * before it in its path is left out. */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "naru/flowtrace.h"
#include "trace/trace_time.h"
#include "trace/tsg_text.h"

#define DEFAULT_WIDTH 1000
#define DEFAULT_HEIGHT 600
#define MIN_SIDE 200
#define MARGIN_LEFT 78
#define MARGIN_RIGHT 24
#define MARGIN_TOP 84
#define MARGIN_BOTTOM 48
#define ARROW 3.0                      /* pixels: half the width and the height of an arrow end */
#define MAX_LABELS 500                 /* SYN/FIN/RST texts, before the rest go unlabelled */
#define COORD_LIMIT 1e6                /* pixels: farther points are clamped (clipped anyway) */
#define MAX_TICKS 100

#define COLOUR_DATA "#000000"
#define COLOUR_RETRANSMISSION "#e00000"
#define COLOUR_OUT_OF_ORDER "#0060e0"
#define COLOUR_ACK "#00a000"
#define COLOUR_WINDOW "#a89a00"        /* xplot's yellow, darkened to read on white */
#define COLOUR_SACK "#9000c0"
#define COLOUR_DUP_ACK "#00a000"
#define COLOUR_ZERO_WINDOW "#e07000"
#define COLOUR_GRID "#e8e8e8"

/* ---- a growing buffer of path data ----------------------------------------------- */

struct path {
    char *text;
    size_t len, cap;
    bool failed;
    double last[4];            /* the previous mark's rounded key, to skip repeats */
    bool has_last;
};

static void path_reserve(struct path *p, size_t more)
{
    if (p->failed || p->len + more <= p->cap)
        return;
    size_t cap = p->cap ? p->cap : 4096;
    while (cap < p->len + more)
        cap *= 2;
    char *grown = realloc(p->text, cap);
    if (!grown) {
        p->failed = true;
        return;
    }
    p->text = grown;
    p->cap = cap;
}

/* A command letter and its numbers, each rounded to a tenth; written by
 * hand because a large graph has millions of them. */
static void path_add(struct path *p, char command, int n, const double *v)
{
    path_reserve(p, 2 + (size_t)n * 24);
    if (p->failed)
        return;
    char *s = p->text + p->len;
    *s++ = command;
    for (int i = 0; i < n; i++) {
        double x = v[i] > -COORD_LIMIT ? (v[i] < COORD_LIMIT ? v[i] : COORD_LIMIT) : -COORD_LIMIT; /* NaN too */
        long tenths = lround(x * 10);
        if (i)
            *s++ = ' ';
        if (tenths < 0) {
            *s++ = '-';
            tenths = -tenths;
        }
        char digits[24];
        int k = 0;
        long whole = tenths / 10;
        do {
            digits[k++] = (char)('0' + whole % 10);
            whole /= 10;
        } while (whole);
        while (k)
            *s++ = digits[--k];
        if (tenths % 10) {
            *s++ = '.';
            *s++ = (char)('0' + tenths % 10);
        }
    }
    p->len = (size_t)(s - p->text);
}

static void path_m(struct path *p, double x, double y)
{
    double v[2] = { x, y };
    path_add(p, 'M', 2, v);
}

static void path_l(struct path *p, double x, double y)
{
    double v[2] = { x, y };
    path_add(p, 'L', 2, v);
}

static void path_h(struct path *p, double x)
{
    path_add(p, 'H', 1, &x);
}

static void path_v(struct path *p, double y)
{
    path_add(p, 'V', 1, &y);
}

/* Whether a mark with this key lands where the previous one did. */
static bool path_repeats(struct path *p, double a, double b, double c)
{
    double key[3] = { round(a * 10), round(b * 10), round(c * 10) };
    if (p->has_last && key[0] == p->last[0] && key[1] == p->last[1] && key[2] == p->last[2])
        return true;
    memcpy(p->last, key, sizeof key);
    p->has_last = true;
    return false;
}

static void path_write(FILE *out, struct path *p, const char *cls, const char *stroke, const char *fill)
{
    if (p->len == 0)
        return;
    fprintf(out, "<path class=\"%s\" stroke=\"%s\" fill=\"%s\" d=\"", cls, stroke, fill);
    fwrite(p->text, 1, p->len, out);
    fputs("\"/>\n", out);
}

/* ---- scales ----------------------------------------------------------------------- */

struct scale {
    double lo, hi;             /* data units */
    double from, to;           /* pixels */
};

static double at(const struct scale *s, double v)
{
    return s->from + (v - s->lo) / (s->hi - s->lo) * (s->to - s->from);
}

/* A tick step of 1, 2 or 5 times a power of ten giving about `ticks`. */
static double tick_step(double span, int ticks)
{
    if (!(span > 0) || !isfinite(span))
        return 1;
    double raw = span / ticks;
    double power = pow(10, floor(log10(raw)));
    double f = raw / power;
    return (f < 1.5 ? 1 : f < 3.5 ? 2 : f < 7.5 ? 5 : 10) * power;
}

static void text_escaped(FILE *out, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '&': fputs("&amp;", out); break;
        case '<': fputs("&lt;", out); break;
        case '>': fputs("&gt;", out); break;
        case '"': fputs("&quot;", out); break;
        default:
            /* XML 1.0 allows no control characters but tab and newlines. */
            if ((unsigned char)*s < 0x20 && *s != '\t' && *s != '\n')
                fputc('?', out);
            else
                fputc(*s, out);
        }
    }
}

/* A sequence number tick: 1500, 20k, 1.5M, 2G (k = 1000). */
static void format_count(double v, double step, char *buf, size_t cap)
{
    static const struct {
        double unit;
        const char *suffix;
    } units[] = { { 1e9, "G" }, { 1e6, "M" }, { 1e3, "k" } };
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
        if (step >= units[i].unit / 10 && fabs(v) >= units[i].unit) {
            double x = v / units[i].unit;
            int decimals = step >= units[i].unit ? 0 : step >= units[i].unit / 10 ? 1 : 2;
            snprintf(buf, cap, "%.*f%s", decimals, x, units[i].suffix);
            return;
        }
    }
    snprintf(buf, cap, "%.0f", v);
}

/* ---- what is visible -------------------------------------------------------------- */

struct view {
    const struct naru_trace_direction *data, *acks;
    int64_t from_ns, to_ns;
    double seq_lo, seq_hi;     /* of data, ACKs and SACKs */
    double window_hi;          /* of ack + window */
    bool any;
};

static int64_t seq_end(const struct naru_trace_segment *s)
{
    return s->seq + s->len + ((s->flags & NARU_TCP_SYN) != 0) + ((s->flags & NARU_TCP_FIN) != 0);
}

static bool in_time(const struct view *v, const struct naru_trace_segment *s)
{
    return s->time_ns >= v->from_ns && s->time_ns <= v->to_ns;
}

static void take(struct view *v, double lo, double hi)
{
    if (!v->any || lo < v->seq_lo)
        v->seq_lo = lo;
    if (!v->any || hi > v->seq_hi)
        v->seq_hi = hi;
    v->any = true;
}

/* The ACK points drawn: those in the window, and the one before it (the
 * step line starts at the left edge). */
static size_t first_ack_drawn(const struct view *v)
{
    size_t first = 0;
    for (size_t i = 0; i < v->acks->count; i++) {
        const struct naru_trace_segment *s = &v->acks->segments[i];
        if (s->time_ns >= v->from_ns)
            break;
        if (s->flags & NARU_TCP_ACK)
            first = i;
    }
    return first;
}

static void measure(struct view *v)
{
    v->window_hi = -INFINITY;
    for (size_t i = 0; i < v->data->count; i++) {
        const struct naru_trace_segment *s = &v->data->segments[i];
        if (in_time(v, s) && seq_end(s) > s->seq)
            take(v, (double)s->seq, (double)seq_end(s));
    }
    for (size_t i = first_ack_drawn(v); i < v->acks->count; i++) {
        const struct naru_trace_segment *s = &v->acks->segments[i];
        if (s->time_ns > v->to_ns)
            break;
        if (!(s->flags & NARU_TCP_ACK))
            continue;
        take(v, (double)s->ack, (double)s->ack);
        for (int k = 0; k < s->sack_count; k++)
            take(v, (double)s->sack[k].left, (double)s->sack[k].right);
        double edge = (double)s->ack + (double)s->window;
        if (edge > v->window_hi)
            v->window_hi = edge;
    }
}

/* ---- drawing ---------------------------------------------------------------------- */

struct drawing {
    struct scale x, y;         /* x in ns since origin_ns: a capture's times may be far from zero */
    int64_t origin_ns;
    struct path data, retransmission, out_of_order, ack, window, sack, dup_ack, zero_window;
    struct path labels;        /* SVG text, not path data */
    unsigned label_count;
};

static double x_of(const struct drawing *g, int64_t ns)
{
    return at(&g->x, (double)trace_time_since(ns, g->origin_ns));
}

static double y_of(const struct drawing *g, double seq)
{
    return at(&g->y, seq);
}

/* A segment: a bar with an arrow end pointing down at its first number
 * and one pointing up past its last. */
static void draw_segment(struct drawing *g, const struct naru_trace_segment *s)
{
    double x = x_of(g, s->time_ns), lo = y_of(g, (double)s->seq), hi = y_of(g, (double)seq_end(s));
    struct path *p = (s->marks & NARU_TRACE_RETRANSMISSION) ? &g->retransmission
                     : (s->marks & NARU_TRACE_OUT_OF_ORDER) ? &g->out_of_order
                                                            : &g->data;
    if (path_repeats(p, x, lo, hi))
        return;
    /* Arrow ends no taller than half the bar, so short segments stay
     * bars, but never flat: a segment too short to see still shows. */
    double tall = (lo - hi) / 2 < ARROW ? (lo - hi) / 2 : ARROW;
    if (tall < 2)
        tall = 2;
    path_m(p, x - ARROW, lo - tall);
    path_l(p, x, lo);
    path_l(p, x + ARROW, lo - tall);
    path_m(p, x, lo);
    path_v(p, hi);
    path_m(p, x - ARROW, hi + tall);
    path_l(p, x, hi);
    path_l(p, x + ARROW, hi + tall);
}

/* SYN, FIN and RST, written after the marks so that they stay readable. */
static void label(struct drawing *g, double x, double y, const char *text, const char *colour)
{
    if (g->label_count++ >= MAX_LABELS)
        return;
    struct path *p = &g->labels;
    path_reserve(p, 128);
    if (p->failed)
        return;
    bool at_right = x > g->x.to - 40; /* keep it inside the graph */
    int n = snprintf(p->text + p->len, 128, "<text x=\"%.1f\" y=\"%.1f\" fill=\"%s\" font-size=\"11\"%s>%s</text>\n",
                     at_right ? x - 4 : x + 4, y - 4, colour, at_right ? " text-anchor=\"end\"" : "", text);
    if (n > 0 && n < 128)
        p->len += (size_t)n;
}

static void draw_data(struct drawing *g, const struct view *v)
{
    for (size_t i = 0; i < v->data->count; i++) {
        const struct naru_trace_segment *s = &v->data->segments[i];
        if (!in_time(v, s))
            continue;
        if (seq_end(s) > s->seq)
            draw_segment(g, s);
        double x = x_of(g, s->time_ns);
        if (s->flags & NARU_TCP_SYN)
            label(g, x, y_of(g, (double)s->seq), "SYN", COLOUR_DATA);
        if (s->flags & NARU_TCP_FIN)
            label(g, x, y_of(g, (double)seq_end(s)), "FIN", COLOUR_DATA);
        if (s->flags & NARU_TCP_RST)
            label(g, x, y_of(g, (double)s->seq), "RST", COLOUR_RETRANSMISSION);
    }
}

static void marker(struct path *p, double x, double y, bool cross)
{
    if (path_repeats(p, x, y, 0))
        return;
    if (cross) {
        path_m(p, x - 3, y - 3);
        path_l(p, x + 3, y + 3);
        path_m(p, x - 3, y + 3);
        path_l(p, x + 3, y - 3);
    } else { /* a diamond */
        path_m(p, x, y - 3.5);
        path_l(p, x + 3.5, y);
        path_l(p, x, y + 3.5);
        path_l(p, x - 3.5, y);
        path_l(p, x, y - 3.5);
    }
}

/* The ACKs coming back: the ACK and window step lines, SACK blocks,
 * duplicate ACKs and zero windows, and the peer's RSTs. */
static void draw_acks(struct drawing *g, const struct view *v)
{
    bool started = false;
    double ack_y = 0, window_y = 0, last_x = 0;
    for (size_t i = first_ack_drawn(v); i < v->acks->count; i++) {
        const struct naru_trace_segment *s = &v->acks->segments[i];
        if (s->time_ns > v->to_ns)
            break;
        double x = x_of(g, s->time_ns);
        if (s->flags & NARU_TCP_RST)
            label(g, x, started ? ack_y : y_of(g, v->seq_lo), "RST in", COLOUR_RETRANSMISSION);
        if (!(s->flags & NARU_TCP_ACK))
            continue;
        double y = y_of(g, (double)s->ack), wy = y_of(g, (double)s->ack + (double)s->window);
        if (!started) {
            path_m(&g->ack, x, y);
            path_m(&g->window, x, wy);
            started = true;
        } else {
            /* A step: across at the old value, then up (or down) to the new. */
            if (round(y * 10) != round(ack_y * 10)) {
                path_h(&g->ack, x);
                path_v(&g->ack, y);
            }
            if (round(wy * 10) != round(window_y * 10)) {
                path_h(&g->window, x);
                path_v(&g->window, wy);
            }
        }
        ack_y = y;
        window_y = wy;
        last_x = x;
        if (!in_time(v, s))
            continue;
        for (int k = 0; k < s->sack_count; k++) {
            double lo = y_of(g, (double)s->sack[k].left), hi = y_of(g, (double)s->sack[k].right);
            if (path_repeats(&g->sack, x, lo, hi))
                continue;
            path_m(&g->sack, x - 2, lo);
            path_h(&g->sack, x + 2);
            path_m(&g->sack, x, lo);
            path_v(&g->sack, hi);
            path_m(&g->sack, x - 2, hi);
            path_h(&g->sack, x + 2);
        }
        if (s->marks & NARU_TRACE_DUP_ACK)
            marker(&g->dup_ack, x, y, false);
        if (s->marks & NARU_TRACE_ZERO_WINDOW)
            marker(&g->zero_window, x, y, true);
    }
    if (started) {
        path_h(&g->ack, last_x);
        path_h(&g->window, last_x);
    }
}

/* ---- the frame: title, legend, axes ------------------------------------------------- */

struct legend_item {
    const char *text, *colour;
    char shape;                /* 'l' a line, 'd' a diamond, 'x' a cross: as drawn */
    bool shown;
};

static void draw_legend(FILE *out, const struct drawing *g, double y)
{
    const struct legend_item items[] = {
        { "data", COLOUR_DATA, 'l', true },
        { "retransmission", COLOUR_RETRANSMISSION, 'l', g->retransmission.len > 0 },
        { "out of order", COLOUR_OUT_OF_ORDER, 'l', g->out_of_order.len > 0 },
        { "ACK", COLOUR_ACK, 'l', true },
        { "ACK + window", COLOUR_WINDOW, 'l', true },
        { "SACK", COLOUR_SACK, 'l', g->sack.len > 0 },
        { "duplicate ACK", COLOUR_DUP_ACK, 'd', g->dup_ack.len > 0 },
        { "zero window", COLOUR_ZERO_WINDOW, 'x', g->zero_window.len > 0 },
    };
    double x = MARGIN_LEFT;
    fputs("<g class=\"legend\">\n", out);
    for (size_t i = 0; i < sizeof items / sizeof items[0]; i++) {
        const struct legend_item *it = &items[i];
        if (!it->shown)
            continue;
        if (it->shape == 'd')
            fprintf(out, "<path stroke=\"%s\" fill=\"none\" d=\"M%.1f %.1fl3.5 3.5l-3.5 3.5l-3.5 -3.5z\"/>\n",
                    it->colour, x + 9, y - 11);
        else if (it->shape == 'x')
            fprintf(out, "<path stroke=\"%s\" fill=\"none\" d=\"M%.1f %.1fl6 6m-6 0l6 -6\"/>\n", it->colour, x + 6,
                    y - 7);
        else
            fprintf(out, "<path stroke=\"%s\" stroke-width=\"2\" d=\"M%.1f %.1fh18\"/>\n", it->colour, x, y - 4);
        fprintf(out, "<text x=\"%.1f\" y=\"%.1f\">%s</text>\n", x + 22, y, it->text);
        x += 22 + 7.0 * (double)strlen(it->text) + 16;
    }
    fputs("</g>\n", out);
}

static void draw_axes(FILE *out, const struct drawing *g)
{
    double x0 = g->x.from, x1 = g->x.to, y0 = g->y.from, y1 = g->y.to; /* y0 bottom, y1 top */
    /* Time ticks, in seconds; counted, so that a step below the precision
     * of the numbers cannot loop forever. */
    double origin_s = (double)g->origin_ns / 1e9;
    double lo = origin_s + g->x.lo / 1e9, hi = origin_s + g->x.hi / 1e9;
    double step = tick_step((g->x.hi - g->x.lo) / 1e9, 8);
    int decimals = step >= 1 ? 0 : step < 1e-9 ? 9 : (int)ceil(-log10(step) - 1e-9);
    double first = ceil(lo / step) * step;
    double ystep = tick_step(g->y.hi - g->y.lo, 7);
    double yfirst = ceil(g->y.lo / ystep) * ystep;
    fputs("<g class=\"grid\" stroke=\"" COLOUR_GRID "\">\n", out);
    for (int k = 0; k < MAX_TICKS && first + k * step <= hi + step * 1e-9; k++)
        fprintf(out, "<path d=\"M%.1f %.1fV%.1f\"/>\n", at(&g->x, (first + k * step - origin_s) * 1e9), y0, y1);
    for (int k = 0; k < MAX_TICKS && yfirst + k * ystep <= g->y.hi + ystep * 1e-9; k++)
        fprintf(out, "<path d=\"M%.1f %.1fH%.1f\"/>\n", x0, at(&g->y, yfirst + k * ystep), x1);
    fputs("</g>\n<g class=\"axes\">\n", out);
    fprintf(out, "<path stroke=\"#000\" fill=\"none\" d=\"M%.1f %.1fV%.1fH%.1f\"/>\n", x0, y1, y0, x1);
    for (int k = 0; k < MAX_TICKS && first + k * step <= hi + step * 1e-9; k++) {
        double t = first + k * step;
        double x = at(&g->x, (t - origin_s) * 1e9);
        fprintf(out, "<path stroke=\"#000\" d=\"M%.1f %.1fv5\"/>\n", x, y0);
        fprintf(out, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%.*f</text>\n", x, y0 + 18, decimals,
                fabs(t) < step * 1e-6 ? 0.0 : t);
    }
    for (int k = 0; k < MAX_TICKS && yfirst + k * ystep <= g->y.hi + ystep * 1e-9; k++) {
        double s = yfirst + k * ystep;
        char text[48];
        format_count(fabs(s) < ystep * 1e-6 ? 0.0 : s, ystep, text, sizeof text);
        double y = at(&g->y, s);
        fprintf(out, "<path stroke=\"#000\" d=\"M%.1f %.1fh-5\"/>\n", x0, y);
        fprintf(out, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">%s</text>\n", x0 - 8, y + 4, text);
    }
    fprintf(out, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">time since the capture's first frame (s)</text>\n",
            (x0 + x1) / 2, y0 + 38);
    fprintf(out,
            "<text transform=\"translate(16 %.1f) rotate(-90)\" text-anchor=\"middle\">sequence number "
            "(bytes from the ISN)</text>\n",
            (y0 + y1) / 2);
    fputs("</g>\n", out);
}

static const char *plural(uint64_t n)
{
    return n == 1 ? "" : "s";
}

static void draw_title(FILE *out, const struct naru_trace_conn *c, int d, const struct naru_tsg_options *o)
{
    const struct naru_trace_direction *data = &c->dir[d], *acks = &c->dir[1 - d];
    char src[NARU_TRACE_ENDPOINT_STRLEN], dst[NARU_TRACE_ENDPOINT_STRLEN];
    naru_trace_endpoint_format(&data->src, data->src_port, src);
    naru_trace_endpoint_format(&data->dst, data->dst_port, dst);
    fprintf(out, "<text x=\"%d\" y=\"22\" font-size=\"15\" font-weight=\"bold\">", MARGIN_LEFT);
    if (o->title)
        text_escaped(out, o->title);
    else
        fprintf(out, "%s &#8594; %s", src, dst);
    fputs("</text>\n", out);
    fprintf(out, "<text x=\"%d\" y=\"42\" fill=\"#444\">", MARGIN_LEFT);
    if (o->source) {
        text_escaped(out, o->source);
        fputs(", ", out);
    }
    fprintf(out,
            "connection %zu: %" PRIu64 " byte%s in %" PRIu64 " data segment%s, %" PRIu64 " retransmitted, %" PRIu64
            " out of order; %" PRIu64 " duplicate ACK%s and %" PRIu64 " zero window%s back</text>\n",
            c->index, data->bytes, plural(data->bytes), data->data_segments, plural(data->data_segments),
            data->retransmissions, data->out_of_order, acks->dup_acks, plural(acks->dup_acks), acks->zero_windows,
            plural(acks->zero_windows));
}

int naru_tsg_svg(FILE *out, const struct naru_trace_conn *c, int d, const struct naru_tsg_options *o)
{
    static const struct naru_tsg_options defaults = { 0 };
    if (!o)
        o = &defaults;
    unsigned width = o->width ? o->width : DEFAULT_WIDTH, height = o->height ? o->height : DEFAULT_HEIGHT;
    if (width < MIN_SIDE)
        width = MIN_SIDE;
    if (height < MIN_SIDE)
        height = MIN_SIDE;
    struct view v = { .data = &c->dir[d], .acks = &c->dir[1 - d] };
    v.from_ns = o->has_from ? o->from_ns : c->first_ns;
    v.to_ns = o->has_to ? o->to_ns : c->last_ns;
    measure(&v);
    if (!v.any)
        v.seq_lo = 0, v.seq_hi = 1;
    /* The window line may run far above the data (a big receive buffer
     * and a short transfer): then it leaves the top of the graph rather
     * than squeeze the data into a strip. */
    double span = v.seq_hi - v.seq_lo;
    double top = v.seq_hi;
    if (v.window_hi > top)
        top = v.window_hi < v.seq_hi + span * 0.5 ? v.window_hi : v.seq_hi + span * 0.5;
    if (top - v.seq_lo < 1)
        top = v.seq_lo + 1;
    double pad = (top - v.seq_lo) * 0.03;
    struct drawing g = {
        .x = { 0, (double)trace_time_since(v.to_ns, v.from_ns), MARGIN_LEFT, (double)width - MARGIN_RIGHT },
        .y = { v.seq_lo - pad, top + pad, (double)height - MARGIN_BOTTOM, MARGIN_TOP },
        .origin_ns = v.from_ns,
    };
    if (g.x.hi < 1e3) { /* one instant: a millisecond around it */
        g.x.lo = g.x.hi / 2 - 5e5;
        g.x.hi = g.x.hi / 2 + 5e5;
    }

    fprintf(out,
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%u\" height=\"%u\" viewBox=\"0 0 %u %u\" "
            "font-family=\"sans-serif\" font-size=\"12\">\n",
            width, height, width, height);
    char src[NARU_TRACE_ENDPOINT_STRLEN], dst[NARU_TRACE_ENDPOINT_STRLEN];
    fprintf(out, "<title>time-sequence graph: %s &#8594; %s</title>\n",
            naru_trace_endpoint_format(&v.data->src, v.data->src_port, src),
            naru_trace_endpoint_format(&v.data->dst, v.data->dst_port, dst));
    fprintf(out, "<rect width=\"%u\" height=\"%u\" fill=\"#fff\"/>\n", width, height);
    draw_title(out, c, d, o);
    draw_axes(out, &g);
    fprintf(out,
            "<clipPath id=\"tsg-plot-%zu-%d\"><rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\"/></clipPath>\n"
            "<g clip-path=\"url(#tsg-plot-%zu-%d)\" stroke-width=\"1\">\n",
            c->index, d, g.x.from, g.y.to - 4, g.x.to - g.x.from, g.y.from - g.y.to + 8, c->index, d);
    draw_acks(&g, &v);
    draw_data(&g, &v);
    /* Bottom to top: what comes back, then the data, retransmissions last. */
    path_write(out, &g.window, "window", COLOUR_WINDOW, "none");
    path_write(out, &g.ack, "ack", COLOUR_ACK, "none");
    path_write(out, &g.dup_ack, "dup-ack", COLOUR_DUP_ACK, "none");
    path_write(out, &g.zero_window, "zero-window", COLOUR_ZERO_WINDOW, "none");
    path_write(out, &g.sack, "sack", COLOUR_SACK, "none");
    path_write(out, &g.data, "data", COLOUR_DATA, "none");
    path_write(out, &g.out_of_order, "out-of-order", COLOUR_OUT_OF_ORDER, "none");
    path_write(out, &g.retransmission, "retransmission", COLOUR_RETRANSMISSION, "none");
    fwrite(g.labels.text ? g.labels.text : "", 1, g.labels.len, out);
    fputs("</g>\n", out);
    if (v.window_hi > top + pad) {
        char edge[32];
        format_count(v.window_hi, v.window_hi / 100, edge, sizeof edge);
        fprintf(out,
                "<text x=\"%.1f\" y=\"%.1f\" fill=\"" COLOUR_WINDOW "\" text-anchor=\"end\">ACK + window runs "
                "above the graph, up to %s</text>\n",
                g.x.to - 4, g.y.to + 14, edge);
    }
    draw_legend(out, &g, 66);
    fputs("</svg>\n", out);

    bool failed = false;
    struct path *paths[] = { &g.data, &g.retransmission, &g.out_of_order, &g.ack, &g.window,
                             &g.sack, &g.dup_ack, &g.zero_window, &g.labels };
    for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++) {
        failed |= paths[i]->failed;
        free(paths[i]->text);
    }
    if (failed) {
        errno = ENOMEM;
        return -EIO;
    }
    return fflush(out) == 0 && !ferror(out) ? 0 : -EIO;
}
