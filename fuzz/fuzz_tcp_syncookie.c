/* Fuzz the SYN cookie codec (src/tcp/tcp_syncookie.c): the check of a
 * final ACK's cookie is the parser here, of 32 bits of acknowledgment
 * number and 32 of echoed timestamp from anyone.
 *
 * Input: the secret (16 bytes), the 4-tuple and the peer's ISN (16), the
 * counter (4), then what an ACK brings: the cookie (4), a flags byte (bit
 * 0: a timestamp option), TSecr (4), our TS clock (4); then the SYN's
 * options for a cookie made from the same bytes: MSS (2), a flags byte
 * (timestamps, window scale offered, SACK, ECN), the window scale (1).
 *
 * Properties: a check that passes gives options a cookie can carry (an MSS
 * of the table, a window scale of at most 14, nothing but the MSS without
 * timestamps); a cookie made from any options checks, at its counter and
 * the next, to what making it said it carries. */
#include <string.h>

#include "fuzz.h"
#include "tcp/tcp_syncookie.h"
#include "wire/wire.h"

static bool mss_in_table(uint16_t mss)
{
    for (int i = 0; i < TCP_SYNCOOKIE_MSS_COUNT; i++)
        if (tcp_syncookie_mss[i] == mss)
            return true;
    return false;
}

static void check_sane(const struct tcp_syncookie_options *o)
{
    FUZZ_CHECK(mss_in_table(o->mss));
    FUZZ_CHECK(o->wscale <= 14);
    FUZZ_CHECK(o->wscale_ok || o->wscale == 0);
    FUZZ_CHECK(o->ts || (!o->wscale_ok && !o->sack && !o->ecn));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 53)
        return 0;
    uint8_t secret[16];
    memcpy(secret, data, 16);
    struct tcp_syncookie_tuple t = {
        .laddr = wire_get32(data + 16),
        .raddr = wire_get32(data + 20),
        .lport = wire_get16(data + 24),
        .rport = wire_get16(data + 26),
        .peer_isn = wire_get32(data + 28),
    };
    uint32_t counter = wire_get32(data + 32);
    uint32_t cookie = wire_get32(data + 36);
    bool ts = data[40] & 1;
    uint32_t ts_ecr = wire_get32(data + 41), ts_now = wire_get32(data + 45);

    struct tcp_syncookie_options got;
    int r = tcp_syncookie_check(secret, &t, counter, cookie, ts, ts_ecr, ts_now, &got);
    FUZZ_CHECK(r == 0 || r == -1);
    if (r == 0)
        check_sane(&got);

    uint8_t f = data[51];
    struct tcp_syncookie_options o = {
        .mss = wire_get16(data + 49),
        .ts = f & 1,
        .wscale_ok = f & 2,
        .wscale = data[52],
        .sack = f & 4,
        .ecn = f & 8,
    };
    uint32_t tsval = 0;
    uint32_t made = tcp_syncookie_make(secret, &t, counter, &o, ts_now, &tsval);
    check_sane(&o);
    FUZZ_CHECK(!o.ts || ts_now - tsval < 128);
    for (uint32_t later = 0; later < 2; later++) {
        FUZZ_CHECK(tcp_syncookie_check(secret, &t, counter + later, made, o.ts, tsval, ts_now, &got) == 0);
        FUZZ_CHECK(got.mss == o.mss && got.ts == o.ts && got.wscale_ok == o.wscale_ok && got.wscale == o.wscale &&
                   got.sack == o.sack && got.ecn == o.ecn);
    }
    return 0;
}
