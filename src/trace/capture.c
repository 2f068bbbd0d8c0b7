/* Capture file reader over bytes in memory: classic pcap (the format
 * libpcap's pcap-savefile(5) describes) and pcapng (draft-ietf-opsawg-
 * pcapng). Every length read from the file is checked against the bytes
 * left before it is used; the first damage found stops the reader with
 * its byte offset. */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "trace/capture_internal.h"

#define PCAP_MAGIC_MICRO 0xa1b2c3d4u
#define PCAP_MAGIC_NANO 0xa1b23c4du
#define PCAP_HEADER_LEN 24
#define PCAP_RECORD_LEN 16

#define PCAPNG_SHB 0x0a0d0d0au         /* section header: the same in either byte order */
#define PCAPNG_IDB 0x00000001u         /* interface description */
#define PCAPNG_PB 0x00000002u          /* packet block (obsolete, still read) */
#define PCAPNG_SPB 0x00000003u         /* simple packet block */
#define PCAPNG_EPB 0x00000006u         /* enhanced packet block */
#define PCAPNG_BYTE_ORDER_MAGIC 0x1a2b3c4du
#define PCAPNG_MIN_BLOCK 12            /* type, length, length */
#define PCAPNG_SHB_MIN 28
#define PCAPNG_SHB_FIXED 16           /* type, length, byte-order magic, version: read before the length is */
#define PCAPNG_OPT_ENDOFOPT 0
#define PCAPNG_IF_TSRESOL 9
#define PCAPNG_IF_TSOFFSET 14

#define NS_PER_S 1000000000LL

enum capture_format { FORMAT_PCAP, FORMAT_PCAPNG };

/* A pcapng interface: its link type and how to read its timestamps. */
struct capture_interface {
    uint32_t linktype;
    uint32_t snaplen;
    uint8_t tsresol;           /* if_tsresol: 10^-n, or 2^-n with the top bit set */
    int64_t tsoffset;          /* if_tsoffset: seconds added to every timestamp */
};

struct naru_capture {
    const uint8_t *data;
    size_t len;
    capture_release_fn *release;
    char *name;
    enum capture_format format;
    bool big_endian;           /* of the file (pcap) or the current section (pcapng) */
    bool nanoseconds;          /* pcap */
    uint32_t linktype;         /* pcap */
    size_t pos;                /* the next record or block */
    uint64_t number;           /* packets returned */
    int64_t last_time_ns;      /* for simple packet blocks, which carry none */
    struct capture_interface *interfaces; /* of the current pcapng section */
    size_t interface_count, interface_cap;
    bool failed;
    char error[NARU_CAPTURE_ERRLEN];
};

static uint16_t get16(const struct naru_capture *c, const uint8_t *p)
{
    return c->big_endian ? (uint16_t)(p[0] << 8 | p[1]) : (uint16_t)(p[1] << 8 | p[0]);
}

static uint32_t get32(const struct naru_capture *c, const uint8_t *p)
{
    if (c->big_endian)
        return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
    return (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
}

static uint64_t get64(const struct naru_capture *c, const uint8_t *p)
{
    uint64_t a = get32(c, p), b = get32(c, p + 4);
    return c->big_endian ? a << 32 | b : b << 32 | a;
}

/* Stops the reader: "NAME: byte OFFSET: what". Returns -1. */
#if defined(__GNUC__)
__attribute__((format(printf, 3, 4)))
#endif
static int fail_at(struct naru_capture *c, size_t offset, const char *fmt, ...)
{
    int n = snprintf(c->error, sizeof c->error, "%s: byte %zu: ", c->name, offset);
    if (n < 0 || (size_t)n >= sizeof c->error)
        n = 0;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->error + n, sizeof c->error - (size_t)n, fmt, ap);
    va_end(ap);
    c->failed = true;
    return -1;
}

/* The next record's header and the frame headers after it, fetched from
 * memory while the caller works on this packet: in a large capture each
 * record is in memory no cache holds yet. */
static void prefetch_next(const struct naru_capture *c)
{
#if defined(__GNUC__)
    if (c->len - c->pos >= 128) {
        __builtin_prefetch(c->data + c->pos);
        __builtin_prefetch(c->data + c->pos + 64);
    }
#else
    (void)c;
#endif
}

/* ---- classic pcap ---------------------------------------------------------- */

static int pcap_header(struct naru_capture *c)
{
    uint32_t magic = (uint32_t)c->data[0] << 24 | (uint32_t)c->data[1] << 16 | (uint32_t)c->data[2] << 8 |
                     c->data[3];
    /* The magic is written in the writer's byte order: read as big-endian
     * it is the magic itself, or its bytes reversed. */
    uint32_t swapped = (magic >> 24) | (magic >> 8 & 0xff00) | (magic << 8 & 0xff0000) | magic << 24;
    if (magic == PCAP_MAGIC_MICRO || magic == PCAP_MAGIC_NANO)
        c->big_endian = true;
    else if (swapped == PCAP_MAGIC_MICRO || swapped == PCAP_MAGIC_NANO)
        c->big_endian = false;
    else
        return 0;
    c->nanoseconds = (c->big_endian ? magic : swapped) == PCAP_MAGIC_NANO;
    c->format = FORMAT_PCAP;
    if (c->len < PCAP_HEADER_LEN)
        return fail_at(c, 0, "pcap file header cut short (%zu bytes, it needs %d)", c->len, PCAP_HEADER_LEN);
    uint16_t major = get16(c, c->data + 4);
    if (major != 2)
        return fail_at(c, 4, "pcap version %u.%u, naru reads 2.x", major, get16(c, c->data + 6));
    /* The low 16 bits are the link type; above them may sit the FCS
     * length (pcap-savefile(5)), which an IP length makes moot. */
    c->linktype = get32(c, c->data + 20) & 0xffff;
    c->pos = PCAP_HEADER_LEN;
    return 1;
}

static int pcap_next(struct naru_capture *c, struct naru_capture_packet *p)
{
    size_t left = c->len - c->pos;
    if (left == 0)
        return 0;
    if (left < PCAP_RECORD_LEN)
        return fail_at(c, c->pos, "packet record header cut short (%zu bytes, it needs %d)", left,
                       PCAP_RECORD_LEN);
    const uint8_t *r = c->data + c->pos;
    uint32_t sec = get32(c, r), frac = get32(c, r + 4);
    uint32_t caplen = get32(c, r + 8), len = get32(c, r + 12);
    if (caplen > left - PCAP_RECORD_LEN)
        return fail_at(c, c->pos, "packet record cut short (%" PRIu32 " bytes of data announced, %zu present)",
                       caplen, left - PCAP_RECORD_LEN);
    p->offset = c->pos;
    p->time_ns = (int64_t)sec * NS_PER_S + (int64_t)frac * (c->nanoseconds ? 1 : 1000);
    p->linktype = c->linktype;
    p->caplen = caplen;
    p->len = len < caplen ? caplen : len;
    p->data = r + PCAP_RECORD_LEN;
    c->pos += PCAP_RECORD_LEN + caplen;
    prefetch_next(c);
    return 1;
}

/* ---- pcapng ---------------------------------------------------------------- */

/* A timestamp in the interface's units, in ns since 1970. Returns false
 * when it does not fit (past the year 2262). */
static bool pcapng_time(const struct capture_interface *ifc, uint64_t ts, int64_t *ns)
{
    uint8_t exponent = ifc->tsresol & 0x7f;
    uint64_t secs, frac_ns;
    if (ifc->tsresol & 0x80) { /* 2^-exponent seconds */
        if (exponent >= 64) { /* all of it is a fraction of a second */
            secs = 0;
            frac_ns = exponent - 32 < 64 ? (ts >> 32) * NS_PER_S >> (exponent - 32) : 0;
        } else {
            secs = ts >> exponent;
            uint64_t frac = exponent ? ts & ((UINT64_C(1) << exponent) - 1) : 0;
            /* frac * 1e9 fits 64 bits once frac is below 2^32. */
            frac_ns = exponent <= 32 ? frac * NS_PER_S >> exponent
                                     : (frac >> (exponent - 32)) * NS_PER_S >> 32;
        }
    } else { /* 10^-exponent seconds */
        if (exponent > 19)
            exponent = 19;
        uint64_t unit = 1;
        for (int i = 0; i < exponent; i++)
            unit *= 10;
        secs = ts / unit;
        uint64_t frac = ts % unit;
        if (exponent <= 9) {
            uint64_t scale = 1;
            for (int i = exponent; i < 9; i++)
                scale *= 10;
            frac_ns = frac * scale;
        } else {
            uint64_t scale = 1;
            for (int i = 9; i < exponent; i++)
                scale *= 10;
            frac_ns = frac / scale;
        }
    }
    int64_t offset = ifc->tsoffset;
    if (secs > (uint64_t)(INT64_MAX / NS_PER_S) - 1)
        return false;
    int64_t s = (int64_t)secs;
    if (offset > 0 ? offset > INT64_MAX / NS_PER_S - 1 - s : s + offset < INT64_MIN / NS_PER_S + 1)
        return false;
    *ns = (s + offset) * NS_PER_S + (int64_t)frac_ns;
    return true;
}

/* Reads the options of an interface description (RFC-draft 4.2). */
static int pcapng_interface_options(struct naru_capture *c, size_t at, size_t end, struct capture_interface *ifc)
{
    while (end - at >= 4) {
        uint16_t code = get16(c, c->data + at), olen = get16(c, c->data + at + 2);
        if (code == PCAPNG_OPT_ENDOFOPT)
            break;
        size_t padded = ((size_t)olen + 3) & ~(size_t)3;
        if (padded > end - at - 4)
            return fail_at(c, at, "interface option %u of %u bytes runs past its block", code, olen);
        const uint8_t *v = c->data + at + 4;
        if (code == PCAPNG_IF_TSRESOL && olen >= 1)
            ifc->tsresol = v[0];
        else if (code == PCAPNG_IF_TSOFFSET && olen >= 8)
            ifc->tsoffset = (int64_t)get64(c, v);
        at += 4 + padded;
    }
    return 0;
}

static int pcapng_section(struct naru_capture *c, size_t at)
{
    size_t left = c->len - at;
    if (left < PCAPNG_SHB_FIXED)
        return fail_at(c, at, "section header block cut short (%zu bytes)", left);
    uint32_t magic = (uint32_t)c->data[at + 8] << 24 | (uint32_t)c->data[at + 9] << 16 |
                     (uint32_t)c->data[at + 10] << 8 | c->data[at + 11];
    if (magic == PCAPNG_BYTE_ORDER_MAGIC)
        c->big_endian = true;
    else if (magic == 0x4d3c2b1au)
        c->big_endian = false;
    else
        return fail_at(c, at + 8, "section header with byte-order magic 0x%08" PRIx32 ", not 0x1a2b3c4d", magic);
    uint32_t total = get32(c, c->data + at + 4);
    if (total < PCAPNG_SHB_MIN)
        return fail_at(c, at + 4, "section header block length %" PRIu32 " is below %d", total, PCAPNG_SHB_MIN);
    uint16_t major = get16(c, c->data + at + 12);
    if (major != 1)
        return fail_at(c, at + 12, "pcapng version %u.%u, naru reads 1.x", major, get16(c, c->data + at + 14));
    c->interface_count = 0; /* interfaces belong to their section */
    return 0;
}

static int pcapng_add_interface(struct naru_capture *c, size_t at, size_t body, size_t end)
{
    if (end - body < 8)
        return fail_at(c, at, "interface description block too short (%zu bytes of body)", end - body);
    struct capture_interface ifc = {
        .linktype = get16(c, c->data + body),
        .snaplen = get32(c, c->data + body + 4),
        .tsresol = 6, /* microseconds unless it says otherwise */
    };
    if (pcapng_interface_options(c, body + 8, end, &ifc) < 0)
        return -1;
    if (c->interface_count == c->interface_cap) {
        size_t cap = c->interface_cap ? c->interface_cap * 2 : 4;
        struct capture_interface *grown = realloc(c->interfaces, cap * sizeof *grown);
        if (!grown)
            return fail_at(c, at, "out of memory for interface %zu", c->interface_count);
        c->interfaces = grown;
        c->interface_cap = cap;
    }
    c->interfaces[c->interface_count++] = ifc;
    return 0;
}

static const struct capture_interface *pcapng_interface(struct naru_capture *c, size_t at, uint32_t id)
{
    if (id >= c->interface_count) {
        fail_at(c, at, "packet of interface %" PRIu32 ", but the section describes %zu", id, c->interface_count);
        return NULL;
    }
    return &c->interfaces[id];
}

/* Fills p from a packet block's fields; data at body + data_at. */
static int pcapng_packet(struct naru_capture *c, size_t at, size_t body, size_t end, uint32_t id, uint64_t ts,
                         uint32_t caplen, uint32_t len, size_t data_at, struct naru_capture_packet *p)
{
    const struct capture_interface *ifc = pcapng_interface(c, at, id);
    if (!ifc)
        return -1;
    if (caplen > end - body - data_at)
        return fail_at(c, at, "packet data of %" PRIu32 " bytes runs past its block (%zu bytes left)", caplen,
                       end - body - data_at);
    if (!pcapng_time(ifc, ts, &p->time_ns))
        return fail_at(c, at, "timestamp out of range");
    c->last_time_ns = p->time_ns;
    p->linktype = ifc->linktype;
    p->caplen = caplen;
    p->len = len < caplen ? caplen : len;
    p->data = c->data + body + data_at;
    p->offset = at;
    return 1;
}

static int pcapng_next(struct naru_capture *c, struct naru_capture_packet *p)
{
    for (;;) {
        size_t at = c->pos, left = c->len - at;
        if (left == 0)
            return 0;
        if (left < PCAPNG_MIN_BLOCK)
            return fail_at(c, at, "block cut short (%zu bytes, a block has at least %d)", left, PCAPNG_MIN_BLOCK);
        uint32_t type = get32(c, c->data + at);
        if (type == PCAPNG_SHB && pcapng_section(c, at) < 0) /* its byte order may differ */
            return -1;
        uint32_t total = get32(c, c->data + at + 4);
        if (total < PCAPNG_MIN_BLOCK)
            return fail_at(c, at + 4, "block length %" PRIu32 " is below %d", total, PCAPNG_MIN_BLOCK);
        if (total % 4)
            return fail_at(c, at + 4, "block length %" PRIu32 " is not a multiple of 4", total);
        if (total > left)
            return fail_at(c, at, "block of %" PRIu32 " bytes cut short (%zu present)", total, left);
        size_t end = at + total - 4; /* the trailing length */
        if (get32(c, c->data + end) != total)
            return fail_at(c, end, "trailing block length %" PRIu32 " differs from the leading %" PRIu32,
                           get32(c, c->data + end), total);
        size_t body = at + 8;
        size_t body_len = end - body;
        c->pos = at + total;
        prefetch_next(c);
        switch (type) {
        case PCAPNG_IDB:
            if (pcapng_add_interface(c, at, body, end) < 0)
                return -1;
            break;
        case PCAPNG_EPB: {
            if (body_len < 20)
                return fail_at(c, at, "enhanced packet block too short (%zu bytes of body)", body_len);
            const uint8_t *b = c->data + body;
            uint64_t ts = (uint64_t)get32(c, b + 4) << 32 | get32(c, b + 8);
            return pcapng_packet(c, at, body, end, get32(c, b), ts, get32(c, b + 12), get32(c, b + 16), 20, p);
        }
        case PCAPNG_PB: {
            if (body_len < 20)
                return fail_at(c, at, "packet block too short (%zu bytes of body)", body_len);
            const uint8_t *b = c->data + body;
            uint64_t ts = (uint64_t)get32(c, b + 4) << 32 | get32(c, b + 8);
            return pcapng_packet(c, at, body, end, get16(c, b), ts, get32(c, b + 12), get32(c, b + 16), 20, p);
        }
        case PCAPNG_SPB: {
            if (body_len < 4)
                return fail_at(c, at, "simple packet block too short (%zu bytes of body)", body_len);
            const struct capture_interface *ifc = pcapng_interface(c, at, 0);
            if (!ifc)
                return -1;
            /* No captured length: the original, cut to the snapshot
             * length and to the block. */
            uint32_t len = get32(c, c->data + body), caplen = len;
            if (ifc->snaplen && caplen > ifc->snaplen)
                caplen = ifc->snaplen;
            if (caplen > body_len - 4)
                caplen = (uint32_t)(body_len - 4);
            p->time_ns = c->last_time_ns;
            p->linktype = ifc->linktype;
            p->caplen = caplen;
            p->len = len < caplen ? caplen : len;
            p->data = c->data + body + 4;
            p->offset = at;
            return 1;
        }
        default: /* SHB (done above), statistics, name resolution, custom: nothing to plot */
            break;
        }
    }
}

/* ---- opening and reading ------------------------------------------------------- */

struct naru_capture *capture_open_bytes(const uint8_t *data, size_t len, const char *name,
                                        capture_release_fn *release, char error[NARU_CAPTURE_ERRLEN])
{
    struct naru_capture *c = calloc(1, sizeof *c);
    char *copy = malloc(strlen(name) + 1);
    if (!c || !copy) {
        snprintf(error, NARU_CAPTURE_ERRLEN, "%s: out of memory", name);
        free(c);
        free(copy);
        if (release)
            release(data, len);
        return NULL;
    }
    strcpy(copy, name);
    c->name = copy;
    c->data = data;
    c->len = len;
    c->release = release;
    int r = 0;
    if (len >= 4 && data[0] == 0x0a && data[1] == 0x0d && data[2] == 0x0d && data[3] == 0x0a) {
        c->format = FORMAT_PCAPNG;
        if (pcapng_section(c, 0) < 0)
            r = -1;
    } else if (len >= 4) {
        r = pcap_header(c);
        if (r == 0) {
            snprintf(c->error, sizeof c->error, "%s: not a pcap or pcapng file (it starts %02x %02x %02x %02x)",
                     name, data[0], data[1], data[2], data[3]);
            r = -1;
        }
    } else {
        snprintf(c->error, sizeof c->error, "%s: not a pcap or pcapng file (%zu bytes)", name, len);
        r = -1;
    }
    if (r < 0) {
        snprintf(error, NARU_CAPTURE_ERRLEN, "%s", c->error);
        naru_capture_close(c);
        return NULL;
    }
    return c;
}

struct naru_capture *naru_capture_open_memory(const uint8_t *data, size_t len, const char *name,
                                              char error[NARU_CAPTURE_ERRLEN])
{
    return capture_open_bytes(data, len, name, NULL, error);
}

int naru_capture_next(struct naru_capture *c, struct naru_capture_packet *p)
{
    if (c->failed)
        return -1;
    int r = c->format == FORMAT_PCAP ? pcap_next(c, p) : pcapng_next(c, p);
    if (r == 1)
        p->number = ++c->number;
    return r;
}

const char *naru_capture_error(const struct naru_capture *c)
{
    return c->error;
}

const char *naru_capture_format(const struct naru_capture *c)
{
    if (c->format == FORMAT_PCAPNG)
        return "pcapng";
    return c->nanoseconds ? "pcap with nanoseconds" : "pcap";
}

void naru_capture_close(struct naru_capture *c)
{
    if (!c)
        return;
    if (c->release)
        c->release(c->data, c->len);
    free(c->interfaces);
    free(c->name);
    free(c);
}
