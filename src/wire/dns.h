/* DNS messages (RFC 1035 4, RFC 3597, RFC 6891): a checked parser and a
 * builder with name compression and truncation. Like every codec in
 * src/wire/ this holds no state and allocates nothing.
 *
 * Parsing is done once, whole: dns_parse() walks the header, every question
 * and every resource record, decompressing each name under strict rules and
 * checking each known type's RDATA, and fails on the first fault. After it
 * succeeds, dns_read_question()/dns_read_rr() walk the same validated bytes
 * into plain structs and cannot fail. */
#ifndef NARU_WIRE_DNS_H
#define NARU_WIRE_DNS_H

#include "wire/wire.h"

#define DNS_HEADER_LEN 12
#define DNS_NAME_MAX 255          /* RFC 1035 3.1: octets in wire form, root included */
#define DNS_LABEL_MAX 63
#define DNS_UDP_PLAIN_MAX 512     /* RFC 1035 4.2.1 without EDNS */
#define DNS_EDNS_DEFAULT_MAX 1232 /* DNS flag day 2020: avoids IP fragmentation */
#define DNS_MESSAGE_MAX 65535     /* RFC 1035 4.2.2: the TCP length prefix */

/* Header flags (RFC 1035 4.1.1, RFC 4035 for AD/CD). */
#define DNS_QR 0x8000u
#define DNS_AA 0x0400u
#define DNS_TC 0x0200u
#define DNS_RD 0x0100u
#define DNS_RA 0x0080u
#define DNS_AD 0x0020u
#define DNS_CD 0x0010u
#define DNS_OPCODE(flags) (((flags) >> 11) & 0xfu)
#define DNS_RCODE(flags) ((flags) & 0xfu)

enum dns_opcode { DNS_OP_QUERY = 0, DNS_OP_IQUERY = 1, DNS_OP_STATUS = 2, DNS_OP_NOTIFY = 4,
                  DNS_OP_UPDATE = 5 };
enum dns_rcode {
    DNS_R_NOERROR = 0, DNS_R_FORMERR = 1, DNS_R_SERVFAIL = 2, DNS_R_NXDOMAIN = 3,
    DNS_R_NOTIMP = 4, DNS_R_REFUSED = 5,
    DNS_R_BADVERS = 16,       /* RFC 6891 6.1.3: extended, needs OPT */
};
enum dns_type {
    DNS_T_A = 1, DNS_T_NS = 2, DNS_T_CNAME = 5, DNS_T_SOA = 6, DNS_T_PTR = 12,
    DNS_T_MX = 15, DNS_T_TXT = 16, DNS_T_AAAA = 28, DNS_T_SRV = 33, DNS_T_DNAME = 39,
    DNS_T_OPT = 41, DNS_T_DS = 43, DNS_T_IXFR = 251, DNS_T_AXFR = 252, DNS_T_MAILB = 253,
    DNS_T_MAILA = 254, DNS_T_ANY = 255, DNS_T_CAA = 257,
};
enum dns_class { DNS_C_IN = 1, DNS_C_CH = 3, DNS_C_HS = 4, DNS_C_NONE = 254, DNS_C_ANY = 255 };
enum dns_section { DNS_SEC_QUESTION, DNS_SEC_ANSWER, DNS_SEC_AUTHORITY, DNS_SEC_ADDITIONAL };

/* Errors beyond wire_error, all negative. */
enum dns_error {
    DNS_E_TRUNCATED = WIRE_TRUNCATED,
    DNS_E_BAD_LABEL = -20,    /* label over 63, or an extended label type */
    DNS_E_NAME_TOO_LONG = -21,
    DNS_E_BAD_POINTER = -22,  /* forward, looping, into the header, or out of bounds */
    DNS_E_BAD_RDATA = -23,    /* RDATA disagrees with its type or its length */
    DNS_E_BAD_OPT = -24,      /* OPT misplaced, repeated, or malformed */
    DNS_E_TRAILING = -25,     /* bytes after the last record */
    DNS_E_NO_SPACE = -26,     /* builder: does not fit */
};
const char *dns_error_name(int error);

/* A domain name in uncompressed wire form: length-prefixed labels ending
 * with the root's zero octet. Letter case is kept as received. */
struct dns_name {
    uint8_t len;              /* octets in wire, 1..255 */
    uint8_t wire[DNS_NAME_MAX];
};

struct dns_header {
    uint16_t id;
    uint16_t flags;           /* QR, opcode, AA, TC, RD, RA, Z, AD, CD, rcode */
    uint16_t qdcount, ancount, nscount, arcount;
};

struct dns_question {
    struct dns_name name;
    uint16_t type, class_;
};

/* EDNS(0) from an OPT record (RFC 6891 6.1.3). */
struct dns_edns {
    bool present;
    uint16_t udp_size;        /* the requester's payload size (the OPT CLASS) */
    uint8_t ext_rcode;        /* upper 8 bits of the 12-bit rcode */
    uint8_t version;
    bool dnssec_ok;
    uint16_t options_len;     /* the options, as sent, validated */
    const uint8_t *options;
};

/* Decoded RDATA of the types naru knows; others stay opaque (RFC 3597). */
struct dns_soa {
    struct dns_name mname, rname;
    uint32_t serial, refresh, retry, expire, minimum;
};
struct dns_rr {
    struct dns_name name;
    uint16_t type, class_;
    uint32_t ttl;
    uint16_t rdlength;
    const uint8_t *rdata;     /* as on the wire: may hold compression pointers */
    union {
        uint8_t a[4];
        uint8_t aaaa[16];
        struct dns_name target;  /* NS, CNAME, PTR, DNAME */
        struct dns_soa soa;
        struct { uint16_t preference; struct dns_name exchange; } mx;
        struct { uint16_t priority, weight, port; struct dns_name target; } srv;
        struct { uint8_t flags, tag_len; const uint8_t *tag; uint16_t value_len;
                 const uint8_t *value; } caa;
        /* TXT: rdata holds one or more <character-string>s filling rdlength */
    } data;
};

/* A parsed message: the header, where each section starts, and EDNS. */
struct dns_message {
    const uint8_t *buf;
    size_t len;
    struct dns_header header;
    size_t section_start[4];   /* offsets of question, answer, authority, additional */
    size_t end;                /* offset after the last record */
    struct dns_edns edns;
    size_t opt_offset;         /* where the OPT record starts, 0 if none */
};

/* The 12-byte header alone. Returns 0 or DNS_E_TRUNCATED. */
int dns_parse_header(const uint8_t *buf, size_t len, struct dns_header *h);
/* The whole message (see above). Returns 0 or a dns_error. Bytes after the
 * last record are an error (DNS_E_TRAILING): a peer that sends them is
 * broken or probing. */
int dns_parse(const uint8_t *buf, size_t len, struct dns_message *msg);

/* Decompress a name starting at *offset (RFC 1035 4.1.4), which moves past
 * it. Pointers must point strictly backwards and never into the header, so
 * every chain ends; labels over 63, extended label types (RFC 6891 5) and
 * names over 255 octets are refused. */
int dns_read_name(const uint8_t *buf, size_t len, size_t *offset, struct dns_name *name);
/* Read the next question or record at *offset of a parsed message. */
int dns_read_question(const struct dns_message *msg, size_t *offset, struct dns_question *q);
int dns_read_rr(const struct dns_message *msg, size_t *offset, struct dns_rr *rr);

/* ---- names ---- */
bool dns_name_equal(const struct dns_name *a, const struct dns_name *b);   /* ASCII case-insensitive */
/* Is `name` equal to or below `zone`? */
bool dns_name_is_subdomain(const struct dns_name *name, const struct dns_name *zone);
unsigned dns_name_label_count(const struct dns_name *name);                /* root: 0 */
/* The name with its first `n` labels removed. */
void dns_name_strip(const struct dns_name *name, unsigned n, struct dns_name *out);
void dns_name_lower(struct dns_name *name);
void dns_name_root(struct dns_name *name);
/* Validate a name already in uncompressed wire form (no pointers). */
int dns_name_from_wire(const uint8_t *wire, size_t len, struct dns_name *name);

/* Uncompressed RDATA of a parsed record (names expanded): what a zone or a
 * cache stores. Returns its length or DNS_E_NO_SPACE. */
int dns_rdata_uncompressed(const struct dns_message *msg, const struct dns_rr *rr,
                           uint8_t *out, size_t cap);
/* Check RDATA in uncompressed wire form against its type (zone files). */
int dns_rdata_check(uint16_t type, const uint8_t *rdata, size_t len);

/* ---- the builder ---- */
#define DNS_COMPRESS_SLOTS 64

struct dns_builder {
    uint8_t *buf;
    size_t cap;                /* hard end of buf */
    size_t limit;              /* message size allowed (<= cap), minus the OPT reserve */
    size_t len;
    uint16_t count[4];
    bool truncated;            /* an RRset did not fit */
    uint8_t ncompress;
    uint16_t compress[DNS_COMPRESS_SLOTS];   /* offsets of names written, for pointers */
    uint16_t opt_reserve;
};
/* Where to roll back to when an RRset does not fit whole. */
struct dns_builder_mark {
    size_t len;
    uint16_t count[4];
    uint8_t ncompress;
};

/* Start a message in buf (cap bytes) that may grow to `limit` bytes. */
void dns_builder_init(struct dns_builder *b, uint8_t *buf, size_t cap, size_t limit);
/* Write the header; counts are filled in by dns_builder_finish(). */
int dns_builder_header(struct dns_builder *b, uint16_t id, uint16_t flags);
/* Keep room for an OPT record of `bytes` (11 + options) at the end. */
int dns_builder_reserve_opt(struct dns_builder *b, uint16_t bytes);
int dns_builder_question(struct dns_builder *b, const struct dns_name *name, uint16_t type,
                         uint16_t class_);
/* A question copied verbatim (the query's own letter case, RFC 1035 7.1). */
int dns_builder_question_raw(struct dns_builder *b, const uint8_t *wire, size_t len);
/* One record with RDATA in uncompressed form. Names inside the RDATA of
 * the RFC 1035 types (NS, CNAME, PTR, SOA, MX) are compressed; others are
 * written as they are (RFC 3597 4). Returns 0 or DNS_E_NO_SPACE, leaving
 * the message unchanged. */
int dns_builder_rr(struct dns_builder *b, enum dns_section sec, const struct dns_name *owner,
                   uint16_t type, uint16_t class_, uint32_t ttl, const uint8_t *rdata,
                   uint16_t rdlength);
/* The same with the owner given as a pointer to an offset already written
 * (the question name at 12), for answers whose owner is the query name. */
int dns_builder_rr_ptr(struct dns_builder *b, enum dns_section sec, uint16_t owner_offset,
                       uint16_t type, uint16_t class_, uint32_t ttl, const uint8_t *rdata,
                       uint16_t rdlength);
struct dns_builder_mark dns_builder_mark(const struct dns_builder *b);
void dns_builder_rollback(struct dns_builder *b, const struct dns_builder_mark *m);
/* Append the OPT record (into the reserved room). */
int dns_builder_opt(struct dns_builder *b, uint16_t udp_size, uint8_t ext_rcode, uint8_t version,
                    bool dnssec_ok, const uint8_t *options, uint16_t options_len);
/* Patch the counts, set TC if truncated; returns the message length. */
size_t dns_builder_finish(struct dns_builder *b);

/* Size of the OPT record with no options. */
#define DNS_OPT_LEN 11

#endif
