/* DNS presentation format (RFC 1035 5.1): names, types and RDATA as text,
 * both ways. Shared by the zone-file parser, the message printer and the
 * resolver's API. */
#ifndef NARU_DNS_TEXT_H
#define NARU_DNS_TEXT_H

#include <stddef.h>
#include <stdint.h>

#include "wire/dns.h"

enum dns_text_error {
    DNS_TEXT_EMPTY_LABEL = -40,
    DNS_TEXT_LABEL_TOO_LONG = -41,
    DNS_TEXT_NAME_TOO_LONG = -42,
    DNS_TEXT_BAD_ESCAPE = -43,
    DNS_TEXT_RELATIVE = -44,      /* relative name and no origin to complete it */
};
const char *dns_text_error_name(int error);

/* Text (len bytes, escapes \DDD and \X allowed) to a wire-form name. A name
 * without a trailing dot is relative: `origin` is appended, or, with origin
 * NULL, it is taken as absolute. "." is the root. */
int dns_name_from_text(const char *text, size_t len, const struct dns_name *origin,
                       struct dns_name *out);
/* Wire form to text with a trailing dot, escaping what needs it. Returns
 * the length written (always NUL-terminated; cap >= 4*255+2 never cuts). */
size_t dns_name_to_text(const struct dns_name *name, char *out, size_t cap);

/* The mnemonic or NULL for types without one. */
const char *dns_type_mnemonic(uint16_t type);
int dns_type_from_text(const char *text, size_t len);      /* >= 0, or -1 */
int dns_class_from_text(const char *text, size_t len);     /* >= 0, or -1 */

/* RDATA in uncompressed wire form to zone-file text. Types without a
 * text form of their own use RFC 3597's "\# LEN HEX". Returns 0, or
 * DNS_E_NO_SPACE / DNS_E_BAD_RDATA. */
int dns_rdata_to_text(uint16_t type, const uint8_t *rdata, size_t len, char *out, size_t cap);

/* Lines of text appended into a fixed buffer, never overflowing. */
struct dns_textbuf {
    char *buf;
    size_t cap, len;
    bool overflow;
};
void dns_textbuf_init(struct dns_textbuf *t, char *buf, size_t cap);
void dns_textbuf_printf(struct dns_textbuf *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void dns_textbuf_append(struct dns_textbuf *t, const char *s, size_t n);

#endif
