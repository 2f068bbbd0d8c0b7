/* Classic pcap writer (the format libpcap documents as pcap-savefile). */
#include "naru/pcap.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PCAP_MAGIC_NANOSECONDS 0xa1b23c4du
#define LINKTYPE_ETHERNET 1
#define SNAPLEN 262144

struct naru_pcap {
    FILE *file;
    uint64_t epoch_ns;
    int error;
};

static void put32(uint8_t *p, uint32_t v)
{
    memcpy(p, &v, 4); /* host order: the magic number tells readers which */
}

int naru_pcap_open(const char *path, struct naru_pcap **out)
{
    struct naru_pcap *pcap = calloc(1, sizeof *pcap);
    if (!pcap)
        return -ENOMEM;
    pcap->file = fopen(path, "wb");
    if (!pcap->file) {
        int err = -errno;
        free(pcap);
        return err;
    }
    uint8_t h[24];
    put32(h, PCAP_MAGIC_NANOSECONDS);
    uint16_t major = 2, minor = 4;
    memcpy(h + 4, &major, 2);
    memcpy(h + 6, &minor, 2);
    put32(h + 8, 0);  /* thiszone */
    put32(h + 12, 0); /* sigfigs */
    put32(h + 16, SNAPLEN);
    put32(h + 20, LINKTYPE_ETHERNET);
    if (fwrite(h, sizeof h, 1, pcap->file) != 1)
        pcap->error = -EIO;
    *out = pcap;
    return 0;
}

void naru_pcap_set_epoch(struct naru_pcap *pcap, uint64_t epoch_ns)
{
    pcap->epoch_ns = epoch_ns;
}

void naru_pcap_write(struct naru_pcap *pcap, naru_time_t when, const uint8_t *frame, size_t len)
{
    uint64_t t = pcap->epoch_ns + when;
    uint32_t caplen = len > SNAPLEN ? SNAPLEN : (uint32_t)len;
    uint8_t h[16];
    put32(h, (uint32_t)(t / 1000000000u));
    put32(h + 4, (uint32_t)(t % 1000000000u));
    put32(h + 8, caplen);
    put32(h + 12, (uint32_t)len);
    if (fwrite(h, sizeof h, 1, pcap->file) != 1 || fwrite(frame, caplen, 1, pcap->file) != 1)
        pcap->error = -EIO;
}

int naru_pcap_close(struct naru_pcap *pcap)
{
    if (!pcap)
        return 0;
    int err = pcap->error;
    if (fclose(pcap->file) != 0 && !err)
        err = -EIO;
    free(pcap);
    return err;
}

void naru_pcap_tap(void *ctx, naru_time_t now, int ifindex, enum naru_direction dir,
                   const uint8_t *frame, size_t len)
{
    (void)ifindex;
    (void)dir;
    naru_pcap_write(ctx, now, frame, len);
}
