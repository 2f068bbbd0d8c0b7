/* DNS message codec. See dns.h for the rules; the comments here say where
 * each one comes from. */
#include "wire/dns.h"

const char *dns_error_name(int error)
{
    switch (error) {
    case DNS_E_BAD_LABEL: return "bad label";
    case DNS_E_NAME_TOO_LONG: return "name too long";
    case DNS_E_BAD_POINTER: return "bad compression pointer";
    case DNS_E_BAD_RDATA: return "bad rdata";
    case DNS_E_BAD_OPT: return "bad OPT record";
    case DNS_E_TRAILING: return "trailing bytes";
    case DNS_E_NO_SPACE: return "no space";
    default: return wire_error_name(error);
    }
}

static inline uint8_t lower(uint8_t c)
{
    return (c >= 'A' && c <= 'Z') ? (uint8_t)(c + 32) : c;
}

/* ---- names ---- */

static int read_name(const uint8_t *buf, size_t len, size_t *offset, struct dns_name *name,
                     bool allow_pointers)
{
    size_t pos = *offset;
    size_t resume = 0;          /* where the caller continues: after the first pointer */
    size_t bound = pos;         /* every pointer must land strictly below this */
    size_t out = 0;
    for (;;) {
        if (pos >= len)
            return DNS_E_TRUNCATED;
        uint8_t c = buf[pos];
        if ((c & 0xc0) == 0xc0) {
            if (!allow_pointers)
                return DNS_E_BAD_POINTER;
            /* RFC 1035 4.1.4. A pointer must land strictly below the start
             * of the piece of name that led to it, so the targets of one
             * name strictly decrease and no chain can loop; and it may not
             * land in the 12-byte header. */
            if (pos + 1 >= len)
                return DNS_E_TRUNCATED;
            size_t target = (size_t)(c & 0x3f) << 8 | buf[pos + 1];
            if (target >= bound || target < DNS_HEADER_LEN)
                return DNS_E_BAD_POINTER;
            if (!resume)
                resume = pos + 2;
            bound = target;
            pos = target;
            continue;
        }
        if (c & 0xc0)           /* 01 and 10: extended label types (RFC 6891 5), refused */
            return DNS_E_BAD_LABEL;
        if (out + 1 + c > DNS_NAME_MAX)
            return DNS_E_NAME_TOO_LONG;
        if (pos + 1 + c > len)
            return DNS_E_TRUNCATED;
        memcpy(name->wire + out, buf + pos, 1u + c);
        out += 1u + c;
        pos += 1u + c;
        if (c == 0)
            break;
    }
    name->len = (uint8_t)out;
    *offset = resume ? resume : pos;
    return 0;
}

int dns_read_name(const uint8_t *buf, size_t len, size_t *offset, struct dns_name *name)
{
    return read_name(buf, len, offset, name, true);
}

int dns_name_from_wire(const uint8_t *wire, size_t len, struct dns_name *name)
{
    size_t pos = 0;
    while (pos < len) {
        uint8_t c = wire[pos];
        if (c & 0xc0)
            return DNS_E_BAD_LABEL;
        if (pos + 1 + c > DNS_NAME_MAX)
            return DNS_E_NAME_TOO_LONG;
        if (pos + 1 + c > len)
            return DNS_E_TRUNCATED;
        pos += 1u + c;
        if (c == 0) {
            memcpy(name->wire, wire, pos);
            name->len = (uint8_t)pos;
            return (int)pos;
        }
    }
    return DNS_E_TRUNCATED;
}

bool dns_name_equal(const struct dns_name *a, const struct dns_name *b)
{
    if (a->len != b->len)
        return false;
    /* Length octets are below 64, so lowering them is harmless. */
    for (size_t i = 0; i < a->len; i++)
        if (lower(a->wire[i]) != lower(b->wire[i]))
            return false;
    return true;
}

unsigned dns_name_label_count(const struct dns_name *name)
{
    unsigned n = 0;
    for (size_t pos = 0; pos < name->len && name->wire[pos]; pos += 1u + name->wire[pos])
        n++;
    return n;
}

void dns_name_strip(const struct dns_name *name, unsigned n, struct dns_name *out)
{
    size_t pos = 0;
    while (n-- && pos < name->len && name->wire[pos])
        pos += 1u + name->wire[pos];
    size_t rest = name->len - pos;
    memmove(out->wire, name->wire + pos, rest);
    out->len = (uint8_t)rest;
}

bool dns_name_is_subdomain(const struct dns_name *name, const struct dns_name *zone)
{
    if (name->len < zone->len)
        return false;
    /* Walk label boundaries so a match falls on one ("xexample.com" is not
     * below "example.com"). */
    size_t pos = 0;
    while (name->len - pos > zone->len)
        pos += 1u + name->wire[pos];
    if (name->len - pos != zone->len)
        return false;
    for (size_t i = 0; i < zone->len; i++)
        if (lower(name->wire[pos + i]) != lower(zone->wire[i]))
            return false;
    return true;
}

void dns_name_lower(struct dns_name *name)
{
    for (size_t i = 0; i < name->len; i++)
        name->wire[i] = lower(name->wire[i]);
}

void dns_name_root(struct dns_name *name)
{
    name->len = 1;
    name->wire[0] = 0;
}

/* ---- records ---- */

int dns_parse_header(const uint8_t *buf, size_t len, struct dns_header *h)
{
    if (len < DNS_HEADER_LEN)
        return DNS_E_TRUNCATED;
    h->id = wire_get16(buf);
    h->flags = wire_get16(buf + 2);
    h->qdcount = wire_get16(buf + 4);
    h->ancount = wire_get16(buf + 6);
    h->nscount = wire_get16(buf + 8);
    h->arcount = wire_get16(buf + 10);
    return 0;
}

static int read_question(const uint8_t *buf, size_t len, size_t *offset, struct dns_question *q)
{
    int err = dns_read_name(buf, len, offset, &q->name);
    if (err < 0)
        return err;
    if (*offset + 4 > len)
        return DNS_E_TRUNCATED;
    q->type = wire_get16(buf + *offset);
    q->class_ = wire_get16(buf + *offset + 2);
    *offset += 4;
    return 0;
}

/* A name inside RDATA: it may use pointers (into anything before it), but
 * its own bytes must lie within the RDATA. */
static int rdata_name(const uint8_t *buf, size_t len, size_t *pos, size_t end, struct dns_name *n,
                      bool ptrs)
{
    int err = read_name(buf, len, pos, n, ptrs);
    if (err < 0)
        return err;
    return *pos > end ? DNS_E_BAD_RDATA : 0;
}

/* Decode and check RDATA of known types; [start, end) lies within buf. */
static int decode_rdata(const uint8_t *buf, size_t len, size_t start, size_t end, struct dns_rr *rr,
                        bool ptrs)
{
    size_t pos = start;
    size_t n = end - start;
    int err;
    switch (rr->type) {
    case DNS_T_A:
        if (n != 4)
            return DNS_E_BAD_RDATA;
        memcpy(rr->data.a, buf + pos, 4);
        return 0;
    case DNS_T_AAAA:
        if (n != 16)
            return DNS_E_BAD_RDATA;
        memcpy(rr->data.aaaa, buf + pos, 16);
        return 0;
    case DNS_T_NS: case DNS_T_CNAME: case DNS_T_PTR: case DNS_T_DNAME:
        if ((err = rdata_name(buf, len, &pos, end, &rr->data.target, ptrs)) < 0)
            return err;
        break;
    case DNS_T_SOA:
        if ((err = rdata_name(buf, len, &pos, end, &rr->data.soa.mname, ptrs)) < 0 ||
            (err = rdata_name(buf, len, &pos, end, &rr->data.soa.rname, ptrs)) < 0)
            return err;
        if (end - pos != 20)
            return DNS_E_BAD_RDATA;
        rr->data.soa.serial = wire_get32(buf + pos);
        rr->data.soa.refresh = wire_get32(buf + pos + 4);
        rr->data.soa.retry = wire_get32(buf + pos + 8);
        rr->data.soa.expire = wire_get32(buf + pos + 12);
        rr->data.soa.minimum = wire_get32(buf + pos + 16);
        return 0;
    case DNS_T_MX:
        if (n < 3)
            return DNS_E_BAD_RDATA;
        rr->data.mx.preference = wire_get16(buf + pos);
        pos += 2;
        if ((err = rdata_name(buf, len, &pos, end, &rr->data.mx.exchange, ptrs)) < 0)
            return err;
        break;
    case DNS_T_SRV:
        if (n < 7)
            return DNS_E_BAD_RDATA;
        rr->data.srv.priority = wire_get16(buf + pos);
        rr->data.srv.weight = wire_get16(buf + pos + 2);
        rr->data.srv.port = wire_get16(buf + pos + 4);
        pos += 6;
        /* RFC 2782 forbids compressing the target; reading one is harmless. */
        if ((err = rdata_name(buf, len, &pos, end, &rr->data.srv.target, ptrs)) < 0)
            return err;
        break;
    case DNS_T_TXT:
        /* RFC 1035 3.3.14: one or more <character-string>s, exactly filling it. */
        if (n == 0)
            return DNS_E_BAD_RDATA;
        while (pos < end) {
            if (pos + 1u + buf[pos] > end)
                return DNS_E_BAD_RDATA;
            pos += 1u + buf[pos];
        }
        return 0;
    case DNS_T_CAA:
        /* RFC 8659 4.1: flags, tag length (1..15), tag, value. */
        if (n < 2)
            return DNS_E_BAD_RDATA;
        rr->data.caa.flags = buf[pos];
        rr->data.caa.tag_len = buf[pos + 1];
        if (rr->data.caa.tag_len == 0 || rr->data.caa.tag_len > 15 || 2u + rr->data.caa.tag_len > n)
            return DNS_E_BAD_RDATA;
        for (unsigned i = 0; i < rr->data.caa.tag_len; i++) {
            uint8_t c = buf[pos + 2 + i];
            if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')))
                return DNS_E_BAD_RDATA;
        }
        rr->data.caa.tag = buf + pos + 2;
        rr->data.caa.value = buf + pos + 2 + rr->data.caa.tag_len;
        rr->data.caa.value_len = (uint16_t)(n - 2 - rr->data.caa.tag_len);
        return 0;
    default:
        return 0;               /* RFC 3597: opaque */
    }
    return pos == end ? 0 : DNS_E_BAD_RDATA;
}

static int read_rr(const uint8_t *buf, size_t len, size_t *offset, struct dns_rr *rr)
{
    int err = dns_read_name(buf, len, offset, &rr->name);
    if (err < 0)
        return err;
    size_t pos = *offset;
    if (pos + 10 > len)
        return DNS_E_TRUNCATED;
    rr->type = wire_get16(buf + pos);
    rr->class_ = wire_get16(buf + pos + 2);
    rr->ttl = wire_get32(buf + pos + 4);
    rr->rdlength = wire_get16(buf + pos + 8);
    pos += 10;
    if (pos + rr->rdlength > len)
        return DNS_E_TRUNCATED;
    rr->rdata = buf + pos;
    if ((err = decode_rdata(buf, len, pos, pos + rr->rdlength, rr, true)) < 0)
        return err;
    *offset = pos + rr->rdlength;
    return 0;
}

/* RFC 6891 6.1.2: OPT has the root as owner; its options are
 * {code, length, data} filling the RDATA exactly. */
static int read_opt(const struct dns_rr *rr, struct dns_edns *e)
{
    if (rr->name.len != 1)
        return DNS_E_BAD_OPT;
    for (size_t pos = 0; pos < rr->rdlength;) {
        if (pos + 4 > rr->rdlength || pos + 4 + wire_get16(rr->rdata + pos + 2) > rr->rdlength)
            return DNS_E_BAD_OPT;
        pos += 4u + wire_get16(rr->rdata + pos + 2);
    }
    e->present = true;
    e->udp_size = rr->class_;
    e->ext_rcode = (uint8_t)(rr->ttl >> 24);
    e->version = (uint8_t)(rr->ttl >> 16);
    e->dnssec_ok = (rr->ttl & 0x8000u) != 0;
    e->options = rr->rdata;
    e->options_len = rr->rdlength;
    return 0;
}

int dns_parse(const uint8_t *buf, size_t len, struct dns_message *msg)
{
    memset(msg, 0, sizeof *msg);
    msg->buf = buf;
    msg->len = len;
    int err = dns_parse_header(buf, len, &msg->header);
    if (err < 0)
        return err;
    size_t pos = DNS_HEADER_LEN;
    msg->section_start[DNS_SEC_QUESTION] = pos;
    struct dns_question q;
    for (unsigned i = 0; i < msg->header.qdcount; i++)
        if ((err = read_question(buf, len, &pos, &q)) < 0)
            return err;
    const uint16_t counts[4] = { 0, msg->header.ancount, msg->header.nscount, msg->header.arcount };
    struct dns_rr rr;
    for (int sec = DNS_SEC_ANSWER; sec <= DNS_SEC_ADDITIONAL; sec++) {
        msg->section_start[sec] = pos;
        for (unsigned i = 0; i < counts[sec]; i++) {
            size_t start = pos;
            if ((err = read_rr(buf, len, &pos, &rr)) < 0)
                return err;
            if (rr.type != DNS_T_OPT)
                continue;
            /* RFC 6891 6.1.1: at most one OPT, and only in the additional section. */
            if (sec != DNS_SEC_ADDITIONAL || msg->edns.present)
                return DNS_E_BAD_OPT;
            if ((err = read_opt(&rr, &msg->edns)) < 0)
                return err;
            msg->opt_offset = start;
        }
    }
    msg->end = pos;
    return pos == len ? 0 : DNS_E_TRAILING;
}

int dns_read_question(const struct dns_message *msg, size_t *offset, struct dns_question *q)
{
    return read_question(msg->buf, msg->len, offset, q);
}

int dns_read_rr(const struct dns_message *msg, size_t *offset, struct dns_rr *rr)
{
    return read_rr(msg->buf, msg->len, offset, rr);
}

static int put_name(uint8_t *out, size_t cap, size_t *pos, const struct dns_name *n)
{
    if (*pos + n->len > cap)
        return DNS_E_NO_SPACE;
    memcpy(out + *pos, n->wire, n->len);
    *pos += n->len;
    return 0;
}

int dns_rdata_uncompressed(const struct dns_message *msg, const struct dns_rr *rr,
                           uint8_t *out, size_t cap)
{
    size_t pos = 0;
    int err = 0;
    switch (rr->type) {
    case DNS_T_NS: case DNS_T_CNAME: case DNS_T_PTR: case DNS_T_DNAME:
        err = put_name(out, cap, &pos, &rr->data.target);
        break;
    case DNS_T_SOA:
        if ((err = put_name(out, cap, &pos, &rr->data.soa.mname)) < 0 ||
            (err = put_name(out, cap, &pos, &rr->data.soa.rname)) < 0)
            break;
        if (pos + 20 > cap)
            return DNS_E_NO_SPACE;
        /* The five numbers are the last 20 bytes of the RDATA as received. */
        memcpy(out + pos, rr->rdata + rr->rdlength - 20, 20);
        pos += 20;
        break;
    case DNS_T_MX:
        if (cap < 2)
            return DNS_E_NO_SPACE;
        memcpy(out, rr->rdata, 2);
        pos = 2;
        err = put_name(out, cap, &pos, &rr->data.mx.exchange);
        break;
    case DNS_T_SRV:
        if (cap < 6)
            return DNS_E_NO_SPACE;
        memcpy(out, rr->rdata, 6);
        pos = 6;
        err = put_name(out, cap, &pos, &rr->data.srv.target);
        break;
    default:
        if (rr->rdlength > cap)
            return DNS_E_NO_SPACE;
        memcpy(out, rr->rdata, rr->rdlength);
        pos = rr->rdlength;
        break;
    }
    (void)msg;
    return err < 0 ? err : (int)pos;
}

int dns_rdata_check(uint16_t type, const uint8_t *rdata, size_t len)
{
    if (len > 65535)
        return DNS_E_BAD_RDATA;
    struct dns_rr rr;
    memset(&rr, 0, sizeof rr);
    rr.type = type;
    rr.rdlength = (uint16_t)len;
    /* Uncompressed: a pointer anywhere is an error. */
    int err = decode_rdata(rdata, len, 0, len, &rr, false);
    return err < 0 ? DNS_E_BAD_RDATA : 0;
}

/* ---- the builder ---- */

void dns_builder_init(struct dns_builder *b, uint8_t *buf, size_t cap, size_t limit)
{
    memset(b, 0, sizeof *b);
    b->buf = buf;
    b->cap = cap;
    b->limit = limit < cap ? limit : cap;
}

static size_t room(const struct dns_builder *b)
{
    size_t end = b->limit > b->opt_reserve ? b->limit - b->opt_reserve : 0;
    return end > b->len ? end - b->len : 0;
}

int dns_builder_header(struct dns_builder *b, uint16_t id, uint16_t flags)
{
    if (b->len != 0 || room(b) < DNS_HEADER_LEN)
        return DNS_E_NO_SPACE;
    memset(b->buf, 0, DNS_HEADER_LEN);
    wire_put16(b->buf, id);
    wire_put16(b->buf + 2, flags);
    b->len = DNS_HEADER_LEN;
    return 0;
}

int dns_builder_reserve_opt(struct dns_builder *b, uint16_t bytes)
{
    if (room(b) + b->opt_reserve < bytes)
        return DNS_E_NO_SPACE;
    b->opt_reserve = bytes;
    return 0;
}

/* Does the (already written, so trusted) name at `off` equal the labels
 * `s` (wire form ending in root)? Pointers are followed, a bounded number
 * of times. */
static bool name_at_equals(const uint8_t *buf, size_t end, size_t off, const uint8_t *s)
{
    unsigned jumps = 0;
    for (;;) {
        if (off >= end)
            return false;
        uint8_t c = buf[off];
        if ((c & 0xc0) == 0xc0) {
            if (off + 1 >= end || ++jumps > 64)
                return false;
            off = (size_t)(c & 0x3f) << 8 | buf[off + 1];
            continue;
        }
        if (c != *s)
            return false;
        if (c == 0)
            return true;
        if (off + 1 + c > end)
            return false;
        for (unsigned i = 1; i <= c; i++)
            if (lower(buf[off + i]) != lower(s[i]))
                return false;
        off += 1u + c;
        s += 1u + c;
    }
}

/* Write a name, pointing at an earlier copy of its longest known suffix
 * when `compress` (RFC 1035 4.1.4). The labels written in full are
 * remembered as new pointer targets. */
static int write_name(struct dns_builder *b, const uint8_t *wire, size_t wlen, bool compress)
{
    size_t pos = 0;
    size_t ptr = 0;
    bool found = false;
    if (compress) {
        for (pos = 0; pos < wlen && wire[pos]; pos += 1u + wire[pos]) {
            for (unsigned i = 0; i < b->ncompress; i++) {
                if (name_at_equals(b->buf, b->len, b->compress[i], wire + pos)) {
                    found = true;
                    ptr = b->compress[i];
                    break;
                }
            }
            if (found)
                break;
        }
    } else {
        pos = wlen - 1;
    }
    /* pos: bytes of labels to write in full; then a pointer or the root. */
    size_t need = pos + (found ? 2 : 1);
    if (room(b) < need)
        return DNS_E_NO_SPACE;
    size_t start = b->len;
    memcpy(b->buf + start, wire, pos);
    for (size_t l = 0; l < pos; l += 1u + wire[l]) {
        if (b->ncompress < DNS_COMPRESS_SLOTS && start + l < 0x4000)
            b->compress[b->ncompress++] = (uint16_t)(start + l);
    }
    if (found) {
        wire_put16(b->buf + start + pos, (uint16_t)(0xc000u | ptr));
    } else {
        b->buf[start + pos] = 0;
    }
    b->len += need;
    return 0;
}

int dns_builder_question(struct dns_builder *b, const struct dns_name *name, uint16_t type,
                         uint16_t class_)
{
    struct dns_builder_mark m = dns_builder_mark(b);
    if (write_name(b, name->wire, name->len, true) < 0 || room(b) < 4) {
        dns_builder_rollback(b, &m);
        return DNS_E_NO_SPACE;
    }
    wire_put16(b->buf + b->len, type);
    wire_put16(b->buf + b->len + 2, class_);
    b->len += 4;
    b->count[DNS_SEC_QUESTION]++;
    return 0;
}

int dns_builder_question_raw(struct dns_builder *b, const uint8_t *wire, size_t len)
{
    if (room(b) < len)
        return DNS_E_NO_SPACE;
    if (b->ncompress < DNS_COMPRESS_SLOTS && b->len < 0x4000) {
        /* Remember each label of the question name as a pointer target. */
        for (size_t l = 0; l < len && wire[l] && !(wire[l] & 0xc0); l += 1u + wire[l])
            if (b->ncompress < DNS_COMPRESS_SLOTS)
                b->compress[b->ncompress++] = (uint16_t)(b->len + l);
    }
    memcpy(b->buf + b->len, wire, len);
    b->len += len;
    b->count[DNS_SEC_QUESTION]++;
    return 0;
}

struct dns_builder_mark dns_builder_mark(const struct dns_builder *b)
{
    struct dns_builder_mark m;
    m.len = b->len;
    memcpy(m.count, b->count, sizeof m.count);
    m.ncompress = b->ncompress;
    return m;
}

void dns_builder_rollback(struct dns_builder *b, const struct dns_builder_mark *m)
{
    b->len = m->len;
    memcpy(b->count, m->count, sizeof b->count);
    b->ncompress = m->ncompress;
}

/* Length of the uncompressed name at the start of p (trusted RDATA). */
static size_t wire_name_len(const uint8_t *p, size_t max)
{
    size_t pos = 0;
    while (pos < max && p[pos])
        pos += 1u + p[pos];
    return pos + 1;
}

static int write_rdata(struct dns_builder *b, uint16_t type, const uint8_t *rdata, uint16_t rdlength)
{
    size_t len_at = b->len;
    if (room(b) < 2)
        return DNS_E_NO_SPACE;
    b->len += 2;
    int err = 0;
    size_t n;
    switch (type) {
    /* RFC 3597 4: only the RFC 1035 types may be compressed. */
    case DNS_T_NS: case DNS_T_CNAME: case DNS_T_PTR:
        err = write_name(b, rdata, rdlength, true);
        break;
    case DNS_T_SOA:
        n = wire_name_len(rdata, rdlength);
        if ((err = write_name(b, rdata, n, true)) < 0)
            break;
        {
            size_t n2 = wire_name_len(rdata + n, rdlength - n);
            if ((err = write_name(b, rdata + n, n2, true)) < 0)
                break;
            n += n2;
        }
        if (room(b) < 20) {
            err = DNS_E_NO_SPACE;
            break;
        }
        memcpy(b->buf + b->len, rdata + n, 20);
        b->len += 20;
        break;
    case DNS_T_MX:
        if (room(b) < 2) {
            err = DNS_E_NO_SPACE;
            break;
        }
        memcpy(b->buf + b->len, rdata, 2);
        b->len += 2;
        err = write_name(b, rdata + 2, (size_t)rdlength - 2, true);
        break;
    default:
        if (room(b) < rdlength) {
            err = DNS_E_NO_SPACE;
            break;
        }
        memcpy(b->buf + b->len, rdata, rdlength);
        b->len += rdlength;
        break;
    }
    if (err < 0)
        return err;
    wire_put16(b->buf + len_at, (uint16_t)(b->len - len_at - 2));
    return 0;
}

static int finish_rr(struct dns_builder *b, const struct dns_builder_mark *m, enum dns_section sec,
                     uint16_t type, uint16_t class_, uint32_t ttl, const uint8_t *rdata,
                     uint16_t rdlength)
{
    if (room(b) < 8) {
        dns_builder_rollback(b, m);
        return DNS_E_NO_SPACE;
    }
    wire_put16(b->buf + b->len, type);
    wire_put16(b->buf + b->len + 2, class_);
    wire_put32(b->buf + b->len + 4, ttl);
    b->len += 8;
    if (write_rdata(b, type, rdata, rdlength) < 0) {
        dns_builder_rollback(b, m);
        return DNS_E_NO_SPACE;
    }
    b->count[sec]++;
    return 0;
}

int dns_builder_rr(struct dns_builder *b, enum dns_section sec, const struct dns_name *owner,
                   uint16_t type, uint16_t class_, uint32_t ttl, const uint8_t *rdata,
                   uint16_t rdlength)
{
    struct dns_builder_mark m = dns_builder_mark(b);
    if (write_name(b, owner->wire, owner->len, true) < 0) {
        dns_builder_rollback(b, &m);
        return DNS_E_NO_SPACE;
    }
    return finish_rr(b, &m, sec, type, class_, ttl, rdata, rdlength);
}

int dns_builder_rr_ptr(struct dns_builder *b, enum dns_section sec, uint16_t owner_offset,
                       uint16_t type, uint16_t class_, uint32_t ttl, const uint8_t *rdata,
                       uint16_t rdlength)
{
    struct dns_builder_mark m = dns_builder_mark(b);
    if (room(b) < 2 || owner_offset >= b->len || owner_offset >= 0x4000)
        return DNS_E_NO_SPACE;
    wire_put16(b->buf + b->len, (uint16_t)(0xc000u | owner_offset));
    b->len += 2;
    return finish_rr(b, &m, sec, type, class_, ttl, rdata, rdlength);
}

int dns_builder_opt(struct dns_builder *b, uint16_t udp_size, uint8_t ext_rcode, uint8_t version,
                    bool dnssec_ok, const uint8_t *options, uint16_t options_len)
{
    size_t need = DNS_OPT_LEN + (size_t)options_len;
    size_t end = b->limit;
    if (b->len + need > end)
        return DNS_E_NO_SPACE;
    uint8_t *p = b->buf + b->len;
    p[0] = 0;                  /* root owner */
    wire_put16(p + 1, DNS_T_OPT);
    wire_put16(p + 3, udp_size);
    wire_put32(p + 5, (uint32_t)ext_rcode << 24 | (uint32_t)version << 16 | (dnssec_ok ? 0x8000u : 0));
    wire_put16(p + 9, options_len);
    if (options_len)
        memcpy(p + 11, options, options_len);
    b->len += need;
    b->count[DNS_SEC_ADDITIONAL]++;
    b->opt_reserve = 0;
    return 0;
}

size_t dns_builder_finish(struct dns_builder *b)
{
    if (b->len < DNS_HEADER_LEN)
        return 0;
    if (b->truncated)
        b->buf[2] |= (uint8_t)(DNS_TC >> 8);
    for (int i = 0; i < 4; i++)
        wire_put16(b->buf + 4 + 2 * i, b->count[i]);
    return b->len;
}
