/* RFC 1035 5 master files: $ORIGIN, $TTL, $INCLUDE, @, relative names,
 * parentheses, comments, quoted strings and the escapes \DDD and \X (5.1),
 * class IN, and RFC 3597's generic "\# LEN HEX" form for any type.
 *
 * Every error names the file, the line and the problem, and stops the
 * load: a zone with an error is refused whole. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dns/text.h"
#include "dns/zone.h"

#define MAX_TOKENS 1024
#define MAX_INCLUDE_DEPTH 8
#define MAX_FILE_BYTES (256u << 20)
#define MAX_TTL 0x7fffffffu    /* RFC 2181 8 */

struct token {
    const char *s;
    size_t len;
    bool quoted;
};

struct source {
    const char *path;
    const char *text;
    size_t len, pos;
    unsigned line;
    struct dns_name origin;
    bool have_origin;
    struct dns_name last_owner;
    bool have_owner;
};

struct loader {
    struct zone *zone;
    char *err;
    size_t err_len;
    bool failed;
    bool allow_include;
    int depth;
    uint32_t default_ttl;      /* $TTL */
    bool have_default_ttl;
    uint32_t last_ttl;         /* the last TTL written out (RFC 1035 5.1) */
    bool have_last_ttl;
    /* the entry being parsed */
    struct source *src;
    unsigned entry_line;
    bool leading_space;
    unsigned ntok;
    struct token tok[MAX_TOKENS];
    uint8_t rdata[65535];
    size_t rdlen;
};

__attribute__((format(printf, 2, 3)))
static int fail(struct loader *L, const char *fmt, ...)
{
    if (L->failed)
        return -EINVAL;
    L->failed = true;
    int n = snprintf(L->err, L->err_len, "%s:%u: ", L->src ? L->src->path : "?",
                     L->src ? L->entry_line : 0);
    if (n >= 0 && (size_t)n < L->err_len) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(L->err + n, L->err_len - (size_t)n, fmt, ap);
        va_end(ap);
    }
    return -EINVAL;
}

/* A token quoted for an error message, cut short if long. */
static const char *show(const struct token *t, char buf[64])
{
    size_t n = t->len < 60 ? t->len : 60;
    memcpy(buf, t->s, n);
    buf[n] = 0;
    return buf;
}

/* ---- the tokenizer ---- */

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r';
}

/* Read one entry: the tokens of one line, or of several joined by
 * parentheses. Returns 1 with tokens, 0 at the end of the file, or an error. */
static int read_entry(struct loader *L)
{
    struct source *S = L->src;
    int depth = 0;
    bool line_start = true;
    L->ntok = 0;
    L->leading_space = false;
    L->entry_line = S->line;
    for (;;) {
        if (S->pos >= S->len) {
            if (depth)
                return fail(L, "'(' is never closed");
            return L->ntok ? 1 : 0;
        }
        char c = S->text[S->pos];
        if (line_start && L->ntok == 0 && depth == 0) {
            L->leading_space = is_space(c);
            L->entry_line = S->line;
        }
        line_start = false;
        if (is_space(c)) {
            S->pos++;
            continue;
        }
        if (c == '\n') {
            S->pos++;
            S->line++;
            line_start = true;
            if (depth == 0 && L->ntok)
                return 1;
            continue;
        }
        if (c == ';') {
            while (S->pos < S->len && S->text[S->pos] != '\n')
                S->pos++;
            continue;
        }
        if (c == '(') {
            depth++;
            S->pos++;
            continue;
        }
        if (c == ')') {
            if (!depth)
                return fail(L, "')' without '('");
            depth--;
            S->pos++;
            continue;
        }
        if (c == 0)
            return fail(L, "NUL byte in the file");
        if (L->ntok == MAX_TOKENS)
            return fail(L, "more than %d fields in one record", MAX_TOKENS);
        struct token *t = &L->tok[L->ntok++];
        if (c == '"') {
            size_t start = ++S->pos;
            while (S->pos < S->len && S->text[S->pos] != '"') {
                if (S->text[S->pos] == '\n')
                    return fail(L, "quoted string not closed on its line");
                if (S->text[S->pos] == '\\')
                    S->pos++;
                S->pos++;
            }
            if (S->pos >= S->len)
                return fail(L, "quoted string not closed");
            t->s = S->text + start;
            t->len = S->pos - start;
            t->quoted = true;
            S->pos++;
            continue;
        }
        size_t start = S->pos;
        while (S->pos < S->len) {
            char d = S->text[S->pos];
            if (is_space(d) || d == '\n' || d == ';' || d == '(' || d == ')' || d == '"' || d == 0)
                break;
            if (d == '\\') {
                if (S->pos + 1 >= S->len || S->text[S->pos + 1] == '\n')
                    return fail(L, "'\\' at the end of a line");
                S->pos++;
            }
            S->pos++;
        }
        t->s = S->text + start;
        t->len = S->pos - start;
        t->quoted = false;
    }
}

/* ---- fields ---- */

static bool token_is(const struct token *t, const char *s)
{
    size_t n = strlen(s);
    if (t->len != n)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = t->s[i];
        if (c >= 'a' && c <= 'z')
            c = (char)(c - 32);
        if (c != s[i])
            return false;
    }
    return true;
}

static int parse_u32(const struct token *t, uint32_t max, uint32_t *out)
{
    if (t->len == 0 || t->len > 10 || t->quoted)
        return -1;
    uint64_t v = 0;
    for (size_t i = 0; i < t->len; i++) {
        if (t->s[i] < '0' || t->s[i] > '9')
            return -1;
        v = v * 10 + (uint64_t)(t->s[i] - '0');
    }
    if (v > max)
        return -1;
    *out = (uint32_t)v;
    return 0;
}

/* A TTL: seconds, or BIND's units (1w2d3h4m5s, case-insensitive). */
static int parse_ttl(const struct token *t, uint32_t *out)
{
    if (t->len == 0 || t->quoted || t->s[0] < '0' || t->s[0] > '9')
        return -1;
    uint64_t total = 0, v = 0;
    bool digits = false, units = false;
    for (size_t i = 0; i < t->len; i++) {
        char c = t->s[i];
        if (c >= '0' && c <= '9') {
            v = v * 10 + (uint64_t)(c - '0');
            digits = true;
            if (v > MAX_TTL)
                return -1;
            continue;
        }
        uint64_t mul;
        switch (c | 0x20) {
        case 's': mul = 1; break;
        case 'm': mul = 60; break;
        case 'h': mul = 3600; break;
        case 'd': mul = 86400; break;
        case 'w': mul = 604800; break;
        default: return -1;
        }
        if (!digits)
            return -1;
        total += v * mul;
        v = 0;
        digits = false;
        units = true;
        if (total > MAX_TTL)
            return -1;
    }
    if (digits) {
        if (units && v)
            return -1;         /* "1h30": a number after units without its own unit */
        total += v;
    }
    if (total > MAX_TTL)
        return -1;
    *out = (uint32_t)total;
    return 0;
}

static int field_name(struct loader *L, const struct token *t, struct dns_name *out)
{
    char b[64];
    if (t->len == 1 && t->s[0] == '@' && !t->quoted) {
        if (!L->src->have_origin)
            return fail(L, "'@' used but no origin is known (add $ORIGIN)");
        *out = L->src->origin;
        return 0;
    }
    bool relative = t->len == 0 || t->s[t->len - 1] != '.' ||
                    (t->len >= 2 && t->s[t->len - 2] == '\\');
    if (relative && !L->src->have_origin)
        return fail(L, "relative name '%s' but no origin is known (add $ORIGIN)", show(t, b));
    int err = dns_name_from_text(t->s, t->len, L->src->have_origin ? &L->src->origin : NULL, out);
    if (err < 0)
        return fail(L, "bad name '%s': %s", show(t, b), dns_text_error_name(err));
    return 0;
}

static int need(struct loader *L, unsigned i, unsigned n, const char *what)
{
    if (L->ntok - i < n)
        return fail(L, "%s: missing fields", what);
    if (L->ntok - i > n) {
        char b[64];
        return fail(L, "%s: unexpected '%s'", what, show(&L->tok[i + n], b));
    }
    return 0;
}

static int put(struct loader *L, const void *p, size_t n)
{
    if (L->rdlen + n > sizeof L->rdata)
        return fail(L, "record data longer than 65535 octets");
    memcpy(L->rdata + L->rdlen, p, n);
    L->rdlen += n;
    return 0;
}

static int put16(struct loader *L, uint32_t v)
{
    uint8_t b[2] = { (uint8_t)(v >> 8), (uint8_t)v };
    return put(L, b, 2);
}

static int put32(struct loader *L, uint32_t v)
{
    uint8_t b[4] = { (uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v };
    return put(L, b, 4);
}

static int put_name_field(struct loader *L, const struct token *t)
{
    struct dns_name n;
    if (field_name(L, t, &n) < 0)
        return -EINVAL;
    return put(L, n.wire, n.len);
}

static int put_number(struct loader *L, const struct token *t, uint32_t max, int bytes, const char *what)
{
    uint32_t v;
    char b[64];
    if (parse_u32(t, max, &v) < 0)
        return fail(L, "bad %s '%s' (0..%lu)", what, show(t, b), (unsigned long)max);
    if (bytes == 1) {
        uint8_t x = (uint8_t)v;
        return put(L, &x, 1);
    }
    return bytes == 2 ? put16(L, v) : put32(L, v);
}

/* A <character-string> (RFC 1035 3.3): escapes undone, at most 255 octets. */
static int put_string(struct loader *L, const struct token *t, bool with_length)
{
    uint8_t buf[65535];
    size_t n = 0;
    for (size_t p = 0; p < t->len;) {
        char c = t->s[p];
        int v;
        if (c == '\\') {
            if (p + 1 >= t->len)
                return fail(L, "'\\' at the end of a string");
            char d = t->s[p + 1];
            if (d >= '0' && d <= '9') {
                if (p + 4 > t->len)
                    return fail(L, "bad escape: \\DDD needs three digits");
                v = 0;
                for (int i = 1; i <= 3; i++) {
                    char x = t->s[p + (size_t)i];
                    if (x < '0' || x > '9')
                        return fail(L, "bad escape: \\DDD needs three digits");
                    v = v * 10 + (x - '0');
                }
                if (v > 255)
                    return fail(L, "bad escape: \\%c%c%c is over 255", t->s[p + 1], t->s[p + 2], t->s[p + 3]);
                p += 4;
            } else {
                v = (unsigned char)d;
                p += 2;
            }
        } else {
            v = (unsigned char)c;
            p++;
        }
        if (n == sizeof buf)
            return fail(L, "string too long");
        buf[n++] = (uint8_t)v;
    }
    if (with_length) {
        if (n > 255)
            return fail(L, "string longer than 255 octets (split it into several)");
        uint8_t l = (uint8_t)n;
        if (put(L, &l, 1) < 0)
            return -EINVAL;
    }
    return put(L, buf, n);
}

static int parse_ip4(const char *s, size_t len, uint8_t out[4])
{
    unsigned part = 0, digits = 0, v = 0;
    for (size_t i = 0; i <= len; i++) {
        if (i == len || s[i] == '.') {
            if (!digits || part > 3 || v > 255)
                return -1;
            out[part++] = (uint8_t)v;
            v = digits = 0;
            continue;
        }
        if (s[i] < '0' || s[i] > '9' || digits == 3)
            return -1;
        v = v * 10 + (unsigned)(s[i] - '0');
        digits++;
    }
    return part == 4 ? 0 : -1;
}

/* RFC 4291 2.2 text forms: eight groups, "::" once, an IPv4 tail. */
static int parse_ip6(const char *s, size_t len, uint8_t out[16])
{
    uint16_t g[8] = { 0 };
    int ng = 0, gap = -1;
    size_t i = 0;
    if (len >= 2 && s[0] == ':' && s[1] == ':') {
        gap = 0;
        i = 2;
        if (len == 2) {
            memset(out, 0, 16);
            return 0;
        }
    } else if (len && s[0] == ':') {
        return -1;
    }
    while (i < len) {
        size_t j = i;
        unsigned v = 0;
        while (j < len && j - i < 5) {
            char c = s[j];
            int d;
            if (c >= '0' && c <= '9') d = c - '0';
            else if ((c | 0x20) >= 'a' && (c | 0x20) <= 'f') d = (c | 0x20) - 'a' + 10;
            else break;
            v = v * 16 + (unsigned)d;
            j++;
        }
        if (j < len && s[j] == '.') {
            /* IPv4 tail fills the last two groups */
            uint8_t a[4];
            if (ng > 6 || parse_ip4(s + i, len - i, a) < 0)
                return -1;
            g[ng++] = (uint16_t)(a[0] << 8 | a[1]);
            g[ng++] = (uint16_t)(a[2] << 8 | a[3]);
            i = len;
            break;
        }
        if (j == i || j - i > 4 || ng == 8)
            return -1;
        g[ng++] = (uint16_t)v;
        i = j;
        if (i == len)
            break;
        if (s[i] != ':')
            return -1;
        i++;
        if (i < len && s[i] == ':') {
            if (gap >= 0)
                return -1;
            gap = ng;
            i++;
        } else if (i == len) {
            return -1;
        }
    }
    if (gap < 0 && ng != 8)
        return -1;
    if (gap >= 0 && ng > 7)
        return -1;
    uint16_t full[8] = { 0 };
    int tail = gap >= 0 ? ng - gap : 0;
    for (int k = 0; k < (gap >= 0 ? gap : ng); k++)
        full[k] = g[k];
    for (int k = 0; k < tail; k++)
        full[8 - tail + k] = g[gap + k];
    for (int k = 0; k < 8; k++) {
        out[2 * k] = (uint8_t)(full[k] >> 8);
        out[2 * k + 1] = (uint8_t)full[k];
    }
    return 0;
}

/* RFC 3597 5: \# LEN HEX... */
static int rdata_generic(struct loader *L, unsigned i)
{
    uint32_t n;
    char b[64];
    if (i >= L->ntok || parse_u32(&L->tok[i], 65535, &n) < 0)
        return fail(L, "\\# needs a length (0..65535)");
    for (unsigned k = i + 1; k < L->ntok; k++) {
        const struct token *t = &L->tok[k];
        if (t->quoted)
            return fail(L, "\\# data must be hexadecimal");
        for (size_t p = 0; p < t->len; p += 2) {
            if (p + 1 >= t->len)
                return fail(L, "odd number of hex digits in '%s'", show(t, b));
            uint8_t v = 0;
            for (int h = 0; h < 2; h++) {
                char c = t->s[p + (size_t)h];
                int d;
                if (c >= '0' && c <= '9') d = c - '0';
                else if ((c | 0x20) >= 'a' && (c | 0x20) <= 'f') d = (c | 0x20) - 'a' + 10;
                else return fail(L, "bad hex digit in '%s'", show(t, b));
                v = (uint8_t)(v << 4 | d);
            }
            if (put(L, &v, 1) < 0)
                return -EINVAL;
        }
    }
    if (L->rdlen != n)
        return fail(L, "\\# says %lu octets but %zu follow", (unsigned long)n, L->rdlen);
    return 0;
}

static int rdata_text(struct loader *L, uint16_t type, unsigned i, const char *tname)
{
    const struct token *t = &L->tok[i];
    char b[64];
    L->rdlen = 0;
    if (i < L->ntok && !t->quoted && t->len == 2 && t->s[0] == '\\' && t->s[1] == '#')
        return rdata_generic(L, i + 1);
    uint8_t a[16];
    switch (type) {
    case DNS_T_A:
        if (need(L, i, 1, tname) < 0)
            return -EINVAL;
        if (parse_ip4(t->s, t->len, a) < 0)
            return fail(L, "bad IPv4 address '%s'", show(t, b));
        return put(L, a, 4);
    case DNS_T_AAAA:
        if (need(L, i, 1, tname) < 0)
            return -EINVAL;
        if (parse_ip6(t->s, t->len, a) < 0)
            return fail(L, "bad IPv6 address '%s'", show(t, b));
        return put(L, a, 16);
    case DNS_T_NS: case DNS_T_CNAME: case DNS_T_PTR: case DNS_T_DNAME:
        if (need(L, i, 1, tname) < 0)
            return -EINVAL;
        return put_name_field(L, t);
    case DNS_T_SOA: {
        if (need(L, i, 7, tname) < 0 || put_name_field(L, t) < 0 || put_name_field(L, t + 1) < 0)
            return -EINVAL;
        uint32_t v;
        if (parse_u32(&t[2], 0xffffffffu, &v) < 0)
            return fail(L, "bad SOA serial '%s'", show(&t[2], b));
        if (put32(L, v) < 0)
            return -EINVAL;
        static const char *const what[] = { "refresh", "retry", "expire", "minimum" };
        for (int k = 0; k < 4; k++) {
            if (parse_ttl(&t[3 + k], &v) < 0)
                return fail(L, "bad SOA %s '%s'", what[k], show(&t[3 + k], b));
            if (put32(L, v) < 0)
                return -EINVAL;
        }
        return 0;
    }
    case DNS_T_MX:
        if (need(L, i, 2, tname) < 0 || put_number(L, t, 65535, 2, "MX preference") < 0)
            return -EINVAL;
        return put_name_field(L, t + 1);
    case DNS_T_SRV:
        if (need(L, i, 4, tname) < 0 || put_number(L, t, 65535, 2, "SRV priority") < 0 ||
            put_number(L, t + 1, 65535, 2, "SRV weight") < 0 ||
            put_number(L, t + 2, 65535, 2, "SRV port") < 0)
            return -EINVAL;
        return put_name_field(L, t + 3);
    case DNS_T_TXT:
        if (i >= L->ntok)
            return fail(L, "TXT: missing fields");
        for (unsigned k = i; k < L->ntok; k++)
            if (put_string(L, &L->tok[k], true) < 0)
                return -EINVAL;
        return 0;
    case DNS_T_CAA: {
        /* RFC 8659 4.1.1: flags tag value */
        if (need(L, i, 3, tname) < 0 || put_number(L, t, 255, 1, "CAA flags") < 0)
            return -EINVAL;
        if (t[1].quoted || t[1].len == 0 || t[1].len > 15)
            return fail(L, "bad CAA tag '%s'", show(&t[1], b));
        for (size_t k = 0; k < t[1].len; k++) {
            char c = t[1].s[k];
            if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')))
                return fail(L, "bad CAA tag '%s'", show(&t[1], b));
        }
        uint8_t tl = (uint8_t)t[1].len;
        if (put(L, &tl, 1) < 0 || put(L, t[1].s, t[1].len) < 0)
            return -EINVAL;
        return put_string(L, &t[2], false);
    }
    default:
        return fail(L, "type %s needs the generic form: \\# LENGTH HEX (RFC 3597)", tname);
    }
}

/* ---- entries ---- */

static int load_source(struct loader *L, struct source *S);

static int read_file(struct loader *L, const char *path, char **text, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return fail(L, "cannot open '%s': %s", path, strerror(errno));
    size_t cap = 65536, n = 0;
    char *buf = malloc(cap);
    while (buf) {
        size_t got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (n < cap)
            break;
        if (cap >= MAX_FILE_BYTES) {
            free(buf);
            fclose(f);
            return fail(L, "'%s' is larger than %u MiB", path, MAX_FILE_BYTES >> 20);
        }
        char *bigger = realloc(buf, cap * 2);
        if (!bigger) {
            free(buf);
            buf = NULL;
            break;
        }
        buf = bigger;
        cap *= 2;
    }
    bool bad = ferror(f);
    fclose(f);
    if (!buf)
        return fail(L, "out of memory reading '%s'", path);
    if (bad) {
        free(buf);
        return fail(L, "cannot read '%s'", path);
    }
    *text = buf;
    *len = n;
    return 0;
}

static int directive(struct loader *L)
{
    struct source *S = L->src;
    const struct token *t = &L->tok[0];
    char b[64];
    if (token_is(t, "$ORIGIN")) {
        if (need(L, 1, 1, "$ORIGIN") < 0)
            return -EINVAL;
        struct dns_name n;
        const struct token *o = &L->tok[1];
        bool absolute = o->len && o->s[o->len - 1] == '.';
        if (!absolute && !S->have_origin)
            return fail(L, "$ORIGIN '%s' is relative and no origin is known", show(o, b));
        int err = dns_name_from_text(o->s, o->len, S->have_origin ? &S->origin : NULL, &n);
        if (err < 0)
            return fail(L, "bad $ORIGIN '%s': %s", show(o, b), dns_text_error_name(err));
        S->origin = n;
        S->have_origin = true;
        return 0;
    }
    if (token_is(t, "$TTL")) {
        if (need(L, 1, 1, "$TTL") < 0)
            return -EINVAL;
        if (parse_ttl(&L->tok[1], &L->default_ttl) < 0)
            return fail(L, "bad $TTL '%s'", show(&L->tok[1], b));
        L->have_default_ttl = true;
        return 0;
    }
    if (token_is(t, "$INCLUDE")) {
        if (L->ntok < 2 || L->ntok > 3)
            return fail(L, "$INCLUDE needs a file name and at most an origin");
        if (!L->allow_include)
            return fail(L, "$INCLUDE is not allowed here");
        if (L->depth >= MAX_INCLUDE_DEPTH)
            return fail(L, "$INCLUDE nested more than %d deep (a loop?)", MAX_INCLUDE_DEPTH);
        struct source inc = { 0 };
        inc.origin = S->origin;
        inc.have_origin = S->have_origin;
        if (L->ntok == 3) {
            struct dns_name n;
            if (field_name(L, &L->tok[2], &n) < 0)
                return -EINVAL;
            inc.origin = n;
            inc.have_origin = true;
        }
        /* The path is relative to the including file's folder. */
        const struct token *f = &L->tok[1];
        const char *slash = strrchr(S->path, '/');
        size_t dir = (f->len && f->s[0] == '/') || !slash ? 0 : (size_t)(slash - S->path + 1);
        char *path = malloc(dir + f->len + 1);
        if (!path)
            return fail(L, "out of memory");
        memcpy(path, S->path, dir);
        memcpy(path + dir, f->s, f->len);
        path[dir + f->len] = 0;
        char *text;
        size_t len;
        if (read_file(L, path, &text, &len) < 0) {
            free(path);
            return -EINVAL;
        }
        inc.path = path;
        inc.text = text;
        inc.len = len;
        inc.line = 1;
        L->depth++;
        int err = load_source(L, &inc);
        L->depth--;
        L->src = S;
        free(text);
        free(path);
        return err;
    }
    return fail(L, "unknown directive '%s'", show(t, b));
}

static bool is_class(const struct token *t)
{
    return token_is(t, "IN") || token_is(t, "CH") || token_is(t, "HS") || token_is(t, "CS") ||
           token_is(t, "ANY") || token_is(t, "NONE") ||
           (t->len > 5 && token_is(&(struct token){ t->s, 5, false }, "CLASS"));
}

static int record(struct loader *L)
{
    struct source *S = L->src;
    char b[64];
    unsigned i = 0;
    struct dns_name owner;
    if (!L->leading_space) {
        if (field_name(L, &L->tok[0], &owner) < 0)
            return -EINVAL;
        S->last_owner = owner;
        S->have_owner = true;
        i = 1;
    } else {
        if (!S->have_owner)
            return fail(L, "record with no owner name (the first record's line starts with a blank)");
        owner = S->last_owner;
    }
    uint32_t ttl = 0;
    bool have_ttl = false;
    for (int k = 0; k < 2 && i < L->ntok; k++) {
        const struct token *t = &L->tok[i];
        if (!t->quoted && t->len && t->s[0] >= '0' && t->s[0] <= '9') {
            if (have_ttl || parse_ttl(t, &ttl) < 0)
                return fail(L, "bad TTL '%s'", show(t, b));
            have_ttl = true;
            i++;
        } else if (is_class(t)) {
            if (!token_is(t, "IN"))
                return fail(L, "class %s is not served (only IN)", show(t, b));
            i++;
        } else {
            break;
        }
    }
    if (i >= L->ntok)
        return fail(L, "record without a type");
    const struct token *tt = &L->tok[i++];
    int type = tt->quoted ? -1 : dns_type_from_text(tt->s, tt->len);
    if (type < 0)
        return fail(L, "unknown type '%s'", show(tt, b));
    char tname[16];
    size_t tl = tt->len < sizeof tname - 1 ? tt->len : sizeof tname - 1;
    for (size_t k = 0; k < tl; k++)
        tname[k] = (tt->s[k] >= 'a' && tt->s[k] <= 'z') ? (char)(tt->s[k] - 32) : tt->s[k];
    tname[tl] = 0;
    switch (type) {
    case DNS_T_OPT: case DNS_T_IXFR: case DNS_T_AXFR: case DNS_T_MAILA: case DNS_T_MAILB:
    case DNS_T_ANY: case 250 /* TSIG */: case 249 /* TKEY */: case 0:
        return fail(L, "type %s cannot appear in a zone", tname);
    default:
        break;
    }
    if (rdata_text(L, (uint16_t)type, i, tname) < 0)
        return -EINVAL;
    if (dns_rdata_check((uint16_t)type, L->rdata, L->rdlen) < 0)
        return fail(L, "%s record data is malformed", tname);

    if (!L->zone) {
        /* No origin given: the first record must be the SOA, and its owner is the apex. */
        if (type != DNS_T_SOA)
            return fail(L, "the first record must be the zone's SOA (or give ORIGIN=FILE)");
        L->zone = zone_create(&owner);
        if (!L->zone)
            return fail(L, "out of memory");
    }
    struct zone *z = L->zone;
    if (!dns_name_is_subdomain(&owner, &z->origin)) {
        char n1[1024], n2[1024];
        dns_name_to_text(&owner, n1, sizeof n1);
        dns_name_to_text(&z->origin, n2, sizeof n2);
        return fail(L, "%s is outside the zone %s", n1, n2);
    }
    if (!have_ttl) {
        if (L->have_default_ttl) {
            ttl = L->default_ttl;
        } else if (L->have_last_ttl) {
            ttl = L->last_ttl;
        } else if (type == DNS_T_SOA) {
            ttl = wire_get32(L->rdata + L->rdlen - 4);   /* RFC 1035: the SOA MINIMUM */
        } else if (z->soa) {
            ttl = wire_get32(z->soa->first->data + z->soa->first->len - 4);
        } else {
            return fail(L, "no TTL: give one, or a $TTL line");
        }
    } else {
        L->last_ttl = ttl;
        L->have_last_ttl = true;
    }
    struct zone_node *n = zone_node_get(z, &owner);
    if (!n)
        return fail(L, "out of memory");
    if (type == DNS_T_SOA && n != z->apex)
        return fail(L, "SOA record not at the zone's apex");
    /* RFC 1034 3.6.2, RFC 2181 10.1: a CNAME stands alone. */
    bool has_cname = zone_rrset_find(n, DNS_T_CNAME) != NULL;
    if (type == DNS_T_CNAME && n->rrsets && !has_cname)
        return fail(L, "CNAME beside other records at the same name");
    if (type != DNS_T_CNAME && has_cname)
        return fail(L, "%s record beside a CNAME at the same name", tname);
    if (type == DNS_T_CNAME && has_cname) {
        struct zone_rrset *c = zone_rrset_find(n, DNS_T_CNAME);
        if (c->first->len != L->rdlen || memcmp(c->first->data, L->rdata, L->rdlen))
            return fail(L, "more than one CNAME at the same name");
    }
    if (type == DNS_T_SOA && z->soa &&
        (z->soa->first->len != L->rdlen || memcmp(z->soa->first->data, L->rdata, L->rdlen)))
        return fail(L, "more than one SOA record");
    int err = zone_add(z, n, (uint16_t)type, ttl, L->rdata, (uint16_t)L->rdlen);
    if (err == -ENOSPC)
        return fail(L, "more than 65535 %s records at one name", tname);
    if (err < 0)
        return fail(L, "out of memory");
    return 0;
}

static int load_source(struct loader *L, struct source *S)
{
    L->src = S;
    for (;;) {
        int r = read_entry(L);
        if (r <= 0)
            return r;
        const struct token *t = &L->tok[0];
        int err;
        if (!L->leading_space && !t->quoted && t->len && t->s[0] == '$')
            err = directive(L);
        else
            err = record(L);
        L->src = S;
        if (err < 0)
            return err;
    }
}

struct zone *zonefile_load(const struct dns_name *origin, const char *path, const char *text,
                           size_t len, char *err, size_t err_len)
{
    struct loader *L = calloc(1, sizeof *L);
    if (!L) {
        snprintf(err, err_len, "%s: out of memory", path);
        return NULL;
    }
    L->err = err;
    L->err_len = err_len;
    if (err_len)
        err[0] = 0;
    struct source S = { 0 };
    S.path = path;
    S.line = 1;
    char *owned = NULL;
    L->allow_include = text == NULL;
    if (!text) {
        L->src = &S;
        if (read_file(L, path, &owned, &len) < 0) {
            free(L);
            return NULL;
        }
        text = owned;
    }
    S.text = text;
    S.len = len;
    if (origin) {
        S.origin = *origin;
        S.have_origin = true;
        L->zone = zone_create(origin);
        if (!L->zone) {
            free(owned);
            free(L);
            snprintf(err, err_len, "%s: out of memory", path);
            return NULL;
        }
    }
    int r = load_source(L, &S);
    struct zone *z = L->zone;
    if (r == 0 && !z) {
        L->src = &S;
        L->entry_line = S.line;
        r = fail(L, "no records (a zone needs at least its SOA)");
    }
    if (r == 0) {
        const char *problem = zone_finish(z);
        if (problem) {
            L->src = &S;
            L->entry_line = S.line;
            r = fail(L, "%s", problem);
        }
    }
    if (r < 0) {
        zone_destroy(z);
        z = NULL;
    }
    free(owned);
    free(L);
    return z;
}
