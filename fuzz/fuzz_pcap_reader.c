/* Fuzz the capture reader (naru_capture_*) and what naru plot does with
 * what it reads: the TCP analysis, the graph and its dump.
 *
 * Input: a capture file, pcap or pcapng.
 *
 * Properties: every packet handed out lies inside the input; frame
 * numbers count up by one and records start ever later in the file; the
 * reader ends in 0 or -1, and -1 comes with an error naming the file and
 * a byte offset inside it; the analysis puts every TCP segment it counts
 * into exactly one connection, in frame order; drawing and dumping any
 * connection completes (ASan and UBSan watch all of it). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "naru/capture.h"
#include "naru/flowtrace.h"

static FILE *sink(void)
{
    static FILE *null;
    if (!null)
        null = fopen("/dev/null", "w");
    FUZZ_CHECK(null != NULL);
    return null;
}

static void check_error(const char *error, size_t size)
{
    static const char prefix[] = "fuzz.pcap: ";
    FUZZ_CHECK(strncmp(error, prefix, sizeof prefix - 1) == 0);
    const char *rest = error + sizeof prefix - 1;
    if (strncmp(rest, "byte ", 5) == 0) {
        unsigned long long at = strtoull(rest + 5, NULL, 10);
        FUZZ_CHECK(at <= size);
    } else {
        FUZZ_CHECK(strncmp(rest, "not a pcap or pcapng file", 25) == 0);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char error[NARU_CAPTURE_ERRLEN];
    struct naru_capture *c = naru_capture_open_memory(data, size, "fuzz.pcap", error);
    if (!c) {
        check_error(error, size);
        return 0;
    }
    struct naru_flowtrace *t = naru_flowtrace_new();
    FUZZ_CHECK(t != NULL);
    struct naru_capture_packet p;
    uint64_t number = 0, offset = 0;
    int r;
    while ((r = naru_capture_next(c, &p)) == 1) {
        FUZZ_CHECK(p.number == ++number);
        FUZZ_CHECK(number == 1 || p.offset > offset);
        offset = p.offset;
        FUZZ_CHECK(p.offset < size);
        FUZZ_CHECK(p.data >= data && p.caplen <= size && p.data - data <= (ptrdiff_t)(size - p.caplen));
        FUZZ_CHECK(p.len >= p.caplen);
        FUZZ_CHECK(naru_flowtrace_add(t, &p) == 0);
    }
    FUZZ_CHECK(r == 0 || r == -1);
    if (r < 0)
        check_error(naru_capture_error(c), size);
    else
        FUZZ_CHECK(naru_capture_error(c)[0] == '\0');
    FUZZ_CHECK(naru_capture_next(c, &p) == r); /* and stays there */
    naru_capture_close(c);

    const struct naru_flowtrace_stats *st = naru_flowtrace_stats(t);
    FUZZ_CHECK(st->frames == number);
    FUZZ_CHECK(st->tcp + st->not_tcp + st->fragments + st->unreadable == st->frames);
    uint64_t segments = 0;
    for (size_t i = 0; i < naru_flowtrace_count(t); i++) {
        const struct naru_trace_conn *conn = naru_flowtrace_conn(t, i);
        FUZZ_CHECK(conn->index == i);
        for (int d = 0; d < 2; d++) {
            const struct naru_trace_direction *dir = &conn->dir[d];
            segments += dir->count;
            for (size_t k = 1; k < dir->count; k++)
                FUZZ_CHECK(dir->segments[k].frame > dir->segments[k - 1].frame);
            for (size_t k = 0; k < dir->count; k++)
                FUZZ_CHECK(dir->segments[k].sack_count <= NARU_TRACE_MAX_SACK);
        }
        /* Drawing is the slow part: the first few connections, both ways. */
        if (i < 4) {
            for (int d = 0; d < 2; d++) {
                FUZZ_CHECK(naru_tsg_svg(sink(), conn, d, NULL) == 0);
                FUZZ_CHECK(naru_tsg_dump(sink(), conn, d, NULL) == 0);
            }
            struct naru_tsg_options window = { .has_from = true, .has_to = true, .from_ns = 1000, .to_ns = 2000,
                                               .width = 200, .height = 200 };
            FUZZ_CHECK(naru_tsg_svg(sink(), conn, 0, &window) == 0);
            FUZZ_CHECK(naru_tsg_dump(sink(), conn, 0, &window) == 0);
        }
    }
    FUZZ_CHECK(segments == st->tcp);
    naru_flowtrace_free(t);
    return 0;
}
