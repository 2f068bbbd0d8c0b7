/* What udp_inproc and tcp_inproc share: their two stacks' addresses, the
 * wait for duplicate address detection, and the median of the trials. */
#ifndef NARU_BENCH_INPROC_H
#define NARU_BENCH_INPROC_H

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

#include "naru/addr.h"
#include "naru/stack.h"

/* A's (host 1) or B's (host 2) address in the family's benchmark prefix. */
static inline struct naru_addr host_addr(int family, uint8_t host)
{
    if (family == 4)
        return naru_addr_v4(naru_ip4(198, 18, 0, host));
    uint8_t v6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = host };
    return naru_addr_v6(v6);
}

/* Has the interface an address still under duplicate address detection? */
static inline bool tentative(struct naru_stack *s, int ifindex)
{
    struct naru_if_addr addrs[16];
    int n = naru_if_get_addrs(s, ifindex, addrs, 16);
    for (int i = 0; i < n && i < 16; i++)
        if (addrs[i].flags & NARU_IFA_TENTATIVE)
            return true;
    return false;
}

static inline int compare_double(const void *x, const void *y)
{
    double a = *(const double *)x, b = *(const double *)y;
    return a < b ? -1 : a > b;
}

static inline double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof v[0], compare_double);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

#endif
