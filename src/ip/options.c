/* IPv4 options a host and a router act on (RFC 791 3.1): Record Route and
 * Internet Timestamp. Everything else is carried, not interpreted. The
 * options were checked well-formed when the header was parsed. */
#include "ip/ipv4.h"

#include "wire/wire.h"

#define OPT_EOL 0
#define OPT_NOP 1
#define OPT_RECORD_ROUTE 7
#define OPT_TIMESTAMP 68

/* Walk the options: calls fn for each one with its bytes. */
static void each_option(uint8_t *opt, size_t len, void (*fn)(uint8_t *o, size_t olen, void *ctx), void *ctx)
{
    size_t i = 0;
    while (i < len && opt[i] != OPT_EOL) {
        if (opt[i] == OPT_NOP) {
            i++;
            continue;
        }
        if (i + 1 >= len || opt[i + 1] < 2 || opt[i + 1] > len - i)
            return;
        fn(opt + i, opt[i + 1], ctx);
        i += opt[i + 1];
    }
}

struct record {
    uint32_t addr;
    uint32_t stamp;
};

static void record_one(uint8_t *o, size_t olen, void *ctx)
{
    const struct record *r = ctx;
    if (olen < 4)
        return;
    uint8_t pointer = o[2]; /* 1-based offset of the next free slot */
    if (o[0] == OPT_RECORD_ROUTE) {
        if (pointer >= 4 && pointer + 3u <= olen) {
            wire_put32(o + pointer - 1, r->addr);
            o[2] = (uint8_t)(pointer + 4);
        }
    } else if (o[0] == OPT_TIMESTAMP) {
        uint8_t flag = o[3] & 0x0f;
        size_t slot = flag == 0 ? 4 : 8; /* 0: stamps alone; 1, 3: address and stamp */
        if (pointer < 5 || pointer + slot - 1 > olen) {
            /* No room: count it in the overflow field, which saturates. */
            if ((o[3] >> 4) < 15)
                o[3] = (uint8_t)(o[3] + 0x10);
            return;
        }
        uint8_t *at = o + pointer - 1;
        if (flag == 3 && wire_get32(at) != r->addr)
            return; /* prespecified addresses: only our own slot is ours */
        if (flag == 1 || flag == 3) {
            wire_put32(at, r->addr);
            at += 4;
        } else if (flag != 0) {
            return;
        }
        wire_put32(at, r->stamp);
        o[2] = (uint8_t)(pointer + slot);
    }
}

void ip_options_record(uint8_t *options, size_t len, uint32_t addr, naru_time_t now)
{
    /* RFC 791: milliseconds since midnight UT, or, with no such clock, any
     * time with the high-order bit set. naru is handed monotonic time. */
    struct record r = { addr, 0x80000000u | (uint32_t)((now / NARU_MS) & 0x7fffffffu) };
    each_option(options, len, record_one, &r);
}

struct reply {
    uint8_t *out;
    size_t len;
};

static void keep_for_reply(uint8_t *o, size_t olen, void *ctx)
{
    struct reply *r = ctx;
    if (o[0] != OPT_RECORD_ROUTE && o[0] != OPT_TIMESTAMP)
        return;
    memcpy(r->out + r->len, o, olen);
    r->len += olen;
}

size_t ip_options_for_reply(const uint8_t *options, size_t len, uint8_t *out)
{
    struct reply r = { out, 0 };
    /* each_option() writes nothing through its pointer when fn does not. */
    each_option((uint8_t *)(uintptr_t)options, len, keep_for_reply, &r);
    return r.len;
}
