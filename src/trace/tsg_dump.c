/* The time-sequence graph's points as text (naru_tsg_dump): both
 * directions of a connection merged back into capture order, one line a
 * segment, so a script can check them against tshark's fields. */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>

#include "naru/flowtrace.h"
#include "trace/tsg_text.h"

char *naru_trace_endpoint_format(const struct naru_addr *a, uint16_t port, char *buf)
{
    char text[NARU_ADDR_STRLEN];
    naru_addr_format(a, text);
    snprintf(buf, NARU_TRACE_ENDPOINT_STRLEN, a->family == NARU_AF_INET6 ? "[%s]:%u" : "%s:%u", text, port);
    return buf;
}

char *tsg_format_seconds(int64_t ns, char buf[TSG_SECONDS_STRLEN])
{
    uint64_t magnitude = ns < 0 ? (uint64_t)0 - (uint64_t)ns : (uint64_t)ns;
    snprintf(buf, TSG_SECONDS_STRLEN, "%s%" PRIu64 ".%09" PRIu64, ns < 0 ? "-" : "", magnitude / 1000000000u,
             magnitude % 1000000000u);
    return buf;
}

char *tsg_format_flags(uint8_t flags, char buf[TSG_FLAGS_STRLEN])
{
    static const struct {
        uint8_t flag;
        char letter;
    } letters[] = {
        { NARU_TCP_SYN, 'S' }, { NARU_TCP_ACK, 'A' }, { NARU_TCP_FIN, 'F' }, { NARU_TCP_RST, 'R' },
        { NARU_TCP_PSH, 'P' }, { NARU_TCP_URG, 'U' }, { NARU_TCP_ECE, 'E' }, { NARU_TCP_CWR, 'C' },
    };
    size_t n = 0;
    for (size_t i = 0; i < sizeof letters / sizeof letters[0]; i++)
        if (flags & letters[i].flag)
            buf[n++] = letters[i].letter;
    if (n == 0)
        buf[n++] = '-';
    buf[n] = '\0';
    return buf;
}

static void dump_marks(FILE *out, uint8_t marks)
{
    static const struct {
        uint8_t mark;
        const char *name;
    } names[] = {
        { NARU_TRACE_RETRANSMISSION, "retransmission" },
        { NARU_TRACE_OUT_OF_ORDER, "out-of-order" },
        { NARU_TRACE_DUP_ACK, "dup-ack" },
        { NARU_TRACE_ZERO_WINDOW, "zero-window" },
        { NARU_TRACE_KEEP_ALIVE, "keep-alive" },
    };
    const char *sep = "";
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        if (marks & names[i].mark) {
            fprintf(out, "%s%s", sep, names[i].name);
            sep = ",";
        }
    }
    if (!*sep)
        fputc('-', out);
}

static void dump_segment(FILE *out, const struct naru_trace_segment *s, char dir)
{
    char time[TSG_SECONDS_STRLEN], flags[TSG_FLAGS_STRLEN];
    fprintf(out, "%" PRIu64 "\t%s\t%c\t%s\t%" PRId64 "\t%" PRIu32 "\t", s->frame, tsg_format_seconds(s->time_ns, time),
            dir, tsg_format_flags(s->flags, flags), s->seq, s->len);
    if (s->flags & NARU_TCP_ACK)
        fprintf(out, "%" PRId64, s->ack);
    else
        fputc('-', out);
    fprintf(out, "\t%" PRIu64 "\t", s->window);
    dump_marks(out, s->marks);
    fputc('\t', out);
    for (int i = 0; i < s->sack_count; i++)
        fprintf(out, "%s%" PRId64 "-%" PRId64, i ? "," : "", s->sack[i].left, s->sack[i].right);
    if (s->sack_count == 0)
        fputc('-', out);
    fputc('\n', out);
}

static bool in_window(const struct naru_tsg_options *o, const struct naru_trace_segment *s)
{
    return !o || ((!o->has_from || s->time_ns >= o->from_ns) && (!o->has_to || s->time_ns <= o->to_ns));
}

int naru_tsg_dump(FILE *out, const struct naru_trace_conn *c, int d, const struct naru_tsg_options *o)
{
    const struct naru_trace_direction *data = &c->dir[d], *acks = &c->dir[1 - d];
    char src[NARU_TRACE_ENDPOINT_STRLEN], dst[NARU_TRACE_ENDPOINT_STRLEN];
    fprintf(out, "# connection %zu: %s > %s (\">\" that way, \"<\" back)\n", c->index,
            naru_trace_endpoint_format(&data->src, data->src_port, src),
            naru_trace_endpoint_format(&data->dst, data->dst_port, dst));
    fprintf(out, "frame\ttime\tdir\tflags\tseq\tlen\tack\twin\tmarks\tsack\n");
    size_t i = 0, j = 0;
    while (i < data->count || j < acks->count) {
        if (ferror(out))
            return -EIO;
        bool from_data = j == acks->count || (i < data->count && data->segments[i].frame < acks->segments[j].frame);
        const struct naru_trace_segment *s = from_data ? &data->segments[i++] : &acks->segments[j++];
        if (in_window(o, s))
            dump_segment(out, s, from_data ? '>' : '<');
    }
    return fflush(out) == 0 && !ferror(out) ? 0 : -EIO;
}
