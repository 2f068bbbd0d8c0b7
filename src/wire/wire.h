/* Shared by every codec in src/wire/: error values and big-endian access.
 * Codecs hold no state and allocate nothing. A parse function checks every
 * length once and fills a plain struct; protocol logic sees only the struct. */
#ifndef NARU_WIRE_H
#define NARU_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

enum wire_error {
    WIRE_TRUNCATED = -1,      /* shorter than the format requires */
    WIRE_BAD_VERSION = -2,
    WIRE_BAD_HEADER_LEN = -3,
    WIRE_BAD_LENGTH = -4,     /* a length field disagrees with the bytes */
    WIRE_BAD_CHECKSUM = -5,
    WIRE_BAD_OPTION = -6,
    WIRE_UNSUPPORTED = -7,    /* well-formed, but not a format we speak */
    WIRE_BAD_FIELD = -8,      /* a value its RFC rules out (an NDP target that is multicast) */
};
const char *wire_error_name(int error);

static inline uint16_t wire_get16(const uint8_t *p)
{
    return (uint16_t)(p[0] << 8 | p[1]);
}
static inline uint32_t wire_get32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}
static inline void wire_put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}
static inline void wire_put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

#endif
