/* Reading capture files: classic pcap (microsecond and nanosecond
 * timestamps, either byte order) and pcapng (what dumpcap and tshark
 * write), packet by packet, from a file or from bytes in memory. Damaged
 * or cut-short files give an error naming the file and the byte offset
 * where the damage is; they never make the reader read out of bounds.
 * naru_capture_ip() finds the IP packet inside a frame of the usual link
 * types. (Writing captures: naru/pcap.h.) */
#ifndef NARU_CAPTURE_H
#define NARU_CAPTURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Link types (tcpdump.org's LINKTYPE_ values) naru_capture_ip() knows. */
#define NARU_LINKTYPE_NULL 0           /* BSD loopback: address family, host order */
#define NARU_LINKTYPE_ETHERNET 1
#define NARU_LINKTYPE_RAW 101          /* IPv4 or IPv6, no link header (also 12, 14) */
#define NARU_LINKTYPE_LOOP 108         /* OpenBSD loopback: address family, network order */
#define NARU_LINKTYPE_LINUX_SLL 113    /* Linux "cooked" capture, version 1 (tcpdump -i any) */
#define NARU_LINKTYPE_IPV4 228
#define NARU_LINKTYPE_IPV6 229
#define NARU_LINKTYPE_LINUX_SLL2 276   /* Linux cooked capture, version 2 */

struct naru_capture;

struct naru_capture_packet {
    uint64_t number;           /* 1, 2, ...: the frame number tshark shows */
    int64_t time_ns;           /* since 1970 (pcapng: if_tsresol and if_tsoffset applied) */
    uint32_t linktype;         /* of the interface it was captured on */
    uint32_t caplen;           /* bytes present at data */
    uint32_t len;              /* bytes the frame had on the wire */
    const uint8_t *data;       /* valid until the next call or the close */
    uint64_t offset;           /* where its record starts in the file */
};

#define NARU_CAPTURE_ERRLEN 256

/* Opens a capture file ("-" is standard input) and checks its header.
 * Returns NULL with one line in error ("FILE: not a pcap or pcapng file")
 * when it cannot be read. */
struct naru_capture *naru_capture_open(const char *path, char error[NARU_CAPTURE_ERRLEN]);
/* The same over len bytes the caller keeps alive until the close; name is
 * what errors call it. */
struct naru_capture *naru_capture_open_memory(const uint8_t *data, size_t len, const char *name,
                                              char error[NARU_CAPTURE_ERRLEN]);
/* The next packet: 1 with *p filled, 0 at the end of the file, -1 on a
 * damaged or cut-short file (naru_capture_error() says what and where;
 * every later call returns -1 too). */
int naru_capture_next(struct naru_capture *c, struct naru_capture_packet *p);
/* "FILE: byte N: what is wrong", or "" when there has been no error. */
const char *naru_capture_error(const struct naru_capture *c);
/* "pcap", "pcap with nanoseconds", "pcapng". */
const char *naru_capture_format(const struct naru_capture *c);
void naru_capture_close(struct naru_capture *c);

/* The IP packet in a frame of this link type: returns 4 or 6 with *offset
 * where its header starts, or 0 (not IP, a link type naru does not know,
 * or a link header cut short). Ethernet may carry 802.1Q/802.1ad tags. */
int naru_capture_ip(uint32_t linktype, const uint8_t *frame, size_t len, size_t *offset);
/* Whether naru_capture_ip() reads frames of this link type at all. */
bool naru_capture_linktype_known(uint32_t linktype);

#ifdef __cplusplus
}
#endif
#endif
