/* DNS presentation format. */
#include "dns/text.h"

#include <stdarg.h>
#include <stdio.h>

const char *dns_text_error_name(int error)
{
    switch (error) {
    case DNS_TEXT_EMPTY_LABEL: return "empty label";
    case DNS_TEXT_LABEL_TOO_LONG: return "label longer than 63 octets";
    case DNS_TEXT_NAME_TOO_LONG: return "name longer than 255 octets";
    case DNS_TEXT_BAD_ESCAPE: return "bad escape";
    case DNS_TEXT_RELATIVE: return "relative name with no origin";
    default: return dns_error_name(error);
    }
}

/* One character of text at *p, undoing \DDD and \X (RFC 1035 5.1).
 * Returns the octet or -1 for a bad escape; *escaped says it was escaped. */
static int text_octet(const char *text, size_t len, size_t *p, bool *escaped)
{
    *escaped = false;
    char c = text[*p];
    if (c != '\\') {
        (*p)++;
        return (unsigned char)c;
    }
    *escaped = true;
    if (*p + 1 >= len)
        return -1;
    char d = text[*p + 1];
    if (d >= '0' && d <= '9') {
        if (*p + 4 > len)
            return -1;
        int v = 0;
        for (int i = 1; i <= 3; i++) {
            char x = text[*p + (size_t)i];
            if (x < '0' || x > '9')
                return -1;
            v = v * 10 + (x - '0');
        }
        if (v > 255)
            return -1;
        *p += 4;
        return v;
    }
    *p += 2;
    return (unsigned char)d;
}

int dns_name_from_text(const char *text, size_t len, const struct dns_name *origin,
                       struct dns_name *out)
{
    if (len == 1 && text[0] == '.') {
        dns_name_root(out);
        return 0;
    }
    if (len == 0)
        return DNS_TEXT_EMPTY_LABEL;
    size_t o = 0;          /* output position */
    size_t label = 0;      /* where the current label's length octet is */
    bool absolute = false;
    out->wire[0] = 0;
    o = 1;
    for (size_t p = 0; p < len;) {
        bool esc;
        int c = text_octet(text, len, &p, &esc);
        if (c < 0)
            return DNS_TEXT_BAD_ESCAPE;
        if (c == '.' && !esc) {
            if (o - label - 1 == 0)
                return DNS_TEXT_EMPTY_LABEL;
            if (p == len) {
                absolute = true;
                break;
            }
            label = o;
            if (o >= DNS_NAME_MAX)
                return DNS_TEXT_NAME_TOO_LONG;
            out->wire[o++] = 0;
            continue;
        }
        if (o - label - 1 >= DNS_LABEL_MAX)
            return DNS_TEXT_LABEL_TOO_LONG;
        if (o >= DNS_NAME_MAX - 1)
            return DNS_TEXT_NAME_TOO_LONG;
        out->wire[o++] = (uint8_t)c;
        out->wire[label]++;
    }
    if (!absolute && origin) {
        if (o + origin->len > DNS_NAME_MAX)
            return DNS_TEXT_NAME_TOO_LONG;
        memcpy(out->wire + o, origin->wire, origin->len);
        o += origin->len;
    } else {
        if (o + 1 > DNS_NAME_MAX)
            return DNS_TEXT_NAME_TOO_LONG;
        out->wire[o++] = 0;
    }
    out->len = (uint8_t)o;
    return 0;
}

static void put_char(char *out, size_t cap, size_t *o, char c)
{
    if (*o + 1 < cap)
        out[*o] = c;
    (*o)++;
}

/* One octet of a label or a character-string, escaped when it must be. */
static void put_escaped(char *out, size_t cap, size_t *o, uint8_t c, bool in_name)
{
    if (c < 0x21 || c > 0x7e) {
        if (c == ' ' && !in_name) {
            put_char(out, cap, o, ' ');
            return;
        }
        char d[5];
        snprintf(d, sizeof d, "\\%03u", c);
        for (int i = 0; i < 4; i++)
            put_char(out, cap, o, d[i]);
        return;
    }
    if (c == '"' || c == '\\' || (in_name && (c == '.' || c == ';' || c == '(' || c == ')' ||
                                               c == '@' || c == '$')))
        put_char(out, cap, o, '\\');
    put_char(out, cap, o, (char)c);
}

size_t dns_name_to_text(const struct dns_name *name, char *out, size_t cap)
{
    size_t o = 0;
    size_t p = 0;
    if (name->len <= 1) {
        put_char(out, cap, &o, '.');
    } else {
        while (p < name->len && name->wire[p]) {
            uint8_t l = name->wire[p];
            for (unsigned i = 1; i <= l; i++)
                put_escaped(out, cap, &o, name->wire[p + i], true);
            put_char(out, cap, &o, '.');
            p += 1u + l;
        }
    }
    if (cap)
        out[o < cap ? o : cap - 1] = 0;
    return o;
}

static const struct {
    uint16_t type;
    const char *name;
} types[] = {
    { DNS_T_A, "A" }, { DNS_T_NS, "NS" }, { DNS_T_CNAME, "CNAME" }, { DNS_T_SOA, "SOA" },
    { DNS_T_PTR, "PTR" }, { DNS_T_MX, "MX" }, { DNS_T_TXT, "TXT" }, { DNS_T_AAAA, "AAAA" },
    { DNS_T_SRV, "SRV" }, { DNS_T_DNAME, "DNAME" }, { DNS_T_OPT, "OPT" }, { DNS_T_DS, "DS" },
    { DNS_T_IXFR, "IXFR" }, { DNS_T_AXFR, "AXFR" }, { DNS_T_MAILB, "MAILB" },
    { DNS_T_MAILA, "MAILA" }, { DNS_T_ANY, "ANY" }, { DNS_T_CAA, "CAA" },
    { 13, "HINFO" }, { 46, "RRSIG" }, { 47, "NSEC" }, { 48, "DNSKEY" }, { 50, "NSEC3" },
    { 52, "TLSA" }, { 64, "SVCB" }, { 65, "HTTPS" }, { 99, "SPF" }, { 35, "NAPTR" },
    { 44, "SSHFP" }, { 250, "TSIG" },
};

const char *dns_type_mnemonic(uint16_t type)
{
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++)
        if (types[i].type == type)
            return types[i].name;
    return NULL;
}

static bool ieq(const char *a, size_t alen, const char *b)
{
    size_t blen = strlen(b);
    if (alen != blen)
        return false;
    for (size_t i = 0; i < alen; i++) {
        char x = a[i], y = b[i];
        if (x >= 'a' && x <= 'z')
            x = (char)(x - 32);
        if (x != y)
            return false;
    }
    return true;
}

/* RFC 3597 5: PREFIXnnn, a number 0..65535 after the prefix. */
static int generic_from_text(const char *text, size_t len, const char *prefix)
{
    size_t pl = strlen(prefix);
    if (len <= pl || len > pl + 5 || !ieq(text, pl, prefix))
        return -1;
    unsigned long v = 0;
    for (size_t i = pl; i < len; i++) {
        if (text[i] < '0' || text[i] > '9')
            return -1;
        v = v * 10 + (unsigned long)(text[i] - '0');
    }
    return v <= 65535 ? (int)v : -1;
}

int dns_type_from_text(const char *text, size_t len)
{
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++)
        if (ieq(text, len, types[i].name))
            return types[i].type;
    return generic_from_text(text, len, "TYPE");
}

int dns_class_from_text(const char *text, size_t len)
{
    static const struct { const char *name; uint16_t class_; } classes[] = {
        { "IN", DNS_C_IN }, { "CH", DNS_C_CH }, { "HS", DNS_C_HS }, { "NONE", DNS_C_NONE }, { "ANY", DNS_C_ANY },
    };
    for (size_t i = 0; i < sizeof classes / sizeof classes[0]; i++)
        if (ieq(text, len, classes[i].name))
            return classes[i].class_;
    return generic_from_text(text, len, "CLASS");
}

void dns_textbuf_init(struct dns_textbuf *t, char *buf, size_t cap)
{
    t->buf = buf;
    t->cap = cap;
    t->len = 0;
    t->overflow = false;
    if (cap)
        buf[0] = 0;
}

void dns_textbuf_append(struct dns_textbuf *t, const char *s, size_t n)
{
    if (t->len + n + 1 > t->cap) {
        t->overflow = true;
        return;
    }
    memcpy(t->buf + t->len, s, n);
    t->len += n;
    t->buf[t->len] = 0;
}

void dns_textbuf_printf(struct dns_textbuf *t, const char *fmt, ...)
{
    if (t->overflow || t->len >= t->cap)
        return;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(t->buf + t->len, t->cap - t->len, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= t->cap - t->len) {
        t->overflow = true;
        t->buf[t->len] = 0;
        return;
    }
    t->len += (size_t)n;
}

static void text_name(struct dns_textbuf *t, const uint8_t *wire, size_t max, size_t *used)
{
    struct dns_name n;
    int r = dns_name_from_wire(wire, max, &n);
    if (r < 0) {
        t->overflow = true;
        *used = max;
        return;
    }
    char s[4 * DNS_NAME_MAX + 2];
    size_t l = dns_name_to_text(&n, s, sizeof s);
    dns_textbuf_append(t, s, l);
    *used = (size_t)r;
}

static void text_string(struct dns_textbuf *t, const uint8_t *s, size_t n)
{
    dns_textbuf_append(t, "\"", 1);
    for (size_t i = 0; i < n; i++) {
        char tmp[5];
        size_t o = 0;
        put_escaped(tmp, sizeof tmp, &o, s[i], false);
        dns_textbuf_append(t, tmp, o);
    }
    dns_textbuf_append(t, "\"", 1);
}

/* RFC 5952 4: lower case, leading zeros dropped, the longest run of two or
 * more zero groups (the first of equals) as "::". */
static void text_ip6(struct dns_textbuf *t, const uint8_t *a)
{
    uint16_t g[8];
    for (int i = 0; i < 8; i++)
        g[i] = (uint16_t)(a[2 * i] << 8 | a[2 * i + 1]);
    int best = -1, best_len = 0;
    for (int i = 0; i < 8;) {
        if (g[i]) {
            i++;
            continue;
        }
        int j = i;
        while (j < 8 && !g[j])
            j++;
        if (j - i > best_len && j - i >= 2) {
            best = i;
            best_len = j - i;
        }
        i = j;
    }
    for (int i = 0; i < 8; i++) {
        if (i == best) {
            dns_textbuf_printf(t, "::");
            i += best_len - 1;
            continue;
        }
        if (i && i != best + best_len)
            dns_textbuf_printf(t, ":");
        dns_textbuf_printf(t, "%x", g[i]);
    }
}

int dns_rdata_to_text(uint16_t type, const uint8_t *rd, size_t len, char *out, size_t cap)
{
    struct dns_textbuf t;
    dns_textbuf_init(&t, out, cap);
    if (dns_rdata_check(type, rd, len) < 0)
        return DNS_E_BAD_RDATA;
    size_t used = 0, p = 0;
    switch (type) {
    case DNS_T_A:
        dns_textbuf_printf(&t, "%u.%u.%u.%u", rd[0], rd[1], rd[2], rd[3]);
        break;
    case DNS_T_AAAA:
        text_ip6(&t, rd);
        break;
    case DNS_T_NS: case DNS_T_CNAME: case DNS_T_PTR: case DNS_T_DNAME:
        text_name(&t, rd, len, &used);
        break;
    case DNS_T_SOA:
        text_name(&t, rd, len, &used);
        p = used;
        dns_textbuf_printf(&t, " ");
        text_name(&t, rd + p, len - p, &used);
        p += used;
        dns_textbuf_printf(&t, " %lu %lu %lu %lu %lu", (unsigned long)wire_get32(rd + p),
                           (unsigned long)wire_get32(rd + p + 4), (unsigned long)wire_get32(rd + p + 8),
                           (unsigned long)wire_get32(rd + p + 12), (unsigned long)wire_get32(rd + p + 16));
        break;
    case DNS_T_MX:
        dns_textbuf_printf(&t, "%u ", wire_get16(rd));
        text_name(&t, rd + 2, len - 2, &used);
        break;
    case DNS_T_SRV:
        dns_textbuf_printf(&t, "%u %u %u ", wire_get16(rd), wire_get16(rd + 2), wire_get16(rd + 4));
        text_name(&t, rd + 6, len - 6, &used);
        break;
    case DNS_T_TXT:
        for (p = 0; p < len; p += 1u + rd[p]) {
            if (p)
                dns_textbuf_printf(&t, " ");
            text_string(&t, rd + p + 1, rd[p]);
        }
        break;
    case DNS_T_CAA:
        dns_textbuf_printf(&t, "%u ", rd[0]);
        dns_textbuf_append(&t, (const char *)rd + 2, rd[1]);
        dns_textbuf_printf(&t, " ");
        text_string(&t, rd + 2 + rd[1], len - 2 - rd[1]);
        break;
    default:
        /* RFC 3597 5 */
        dns_textbuf_printf(&t, "\\# %zu", len);
        if (len)
            dns_textbuf_printf(&t, " ");
        for (p = 0; p < len; p++)
            dns_textbuf_printf(&t, "%02X", rd[p]);
        break;
    }
    return t.overflow ? DNS_E_NO_SPACE : 0;
}
