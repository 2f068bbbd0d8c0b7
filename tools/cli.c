#include "cli.h"

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "naru/addr.h"

double cli_number(const char *prog, const char *what, const char *text, bool fraction, double max)
{
    char *end;
    errno = 0;
    double v = strtod(text, &end);
    if (errno || end == text || *end || v < 0 || v > max || isnan(v) || (!fraction && v != floor(v))) {
        fprintf(stderr, "%s: bad %s '%s'\n", prog, what, text);
        exit(2);
    }
    return v;
}

naru_time_t cli_seconds(const char *prog, const char *what, const char *text)
{
    return (naru_time_t)(cli_number(prog, what, text, true, 86400) * 1e9);
}

char *cli_dir(char *arg)
{
    size_t n = strlen(arg);
    while (n > 1 && arg[n - 1] == '/')
        arg[--n] = '\0';
    return arg;
}

bool cli_share(const char *text, double max, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(text, &end);
    if (errno || end == text || !isfinite(v) || v < 0 || (end[0] == '%' ? end[1] != '\0' : end[0] != '\0'))
        return false;
    if (v > 100 || v / 100 > max)
        return false;
    *out = v / 100;
    return true;
}

int cli_bad_option(const char *prog, char **argv, int opt)
{
    /* getopt_long with a leading ':' in optstring returns ':' for a
     * missing value and '?' for an unknown option. */
    const char *arg = argv[optind - 1];
    if (opt == ':')
        fprintf(stderr, "%s: missing value for %s (try --help)\n", prog, arg);
    else if (optopt && optopt < 128)
        fprintf(stderr, "%s: unknown option -%c (try --help)\n", prog, optopt);
    else
        fprintf(stderr, "%s: unknown option %s (try --help)\n", prog, arg);
    return 2;
}

enum cli_host cli_host_parse(const char *text, struct naru_addr *addr)
{
    if (naru_addr_parse(text, addr) == 0)
        return CLI_HOST_ADDR;
    if (*text && (strchr(text, ':') || strspn(text, "0123456789.") == strlen(text)))
        return CLI_HOST_BAD;
    return CLI_HOST_NAME;
}

int cli_ip4(const char *text, uint32_t *addr)
{
    struct naru_addr a;
    if (cli_host_parse(text, &a) != CLI_HOST_ADDR)
        return -EINVAL;
    if (a.family != NARU_AF_INET)
        return -EAFNOSUPPORT;
    *addr = a.v4;
    return 0;
}

const struct cli_addr *cli_addr_of(const struct cli_options *o, enum naru_family family)
{
    for (unsigned i = 0; i < o->addr_count; i++)
        if (o->addrs[i].addr.family == family)
            return &o->addrs[i];
    return NULL;
}

static void bad(const char *prog, const char *what, const char *arg)
{
    fprintf(stderr, "%s: bad %s '%s'\n", prog, what, arg);
    exit(2);
}

/* After cli_ip4() failed with err. */
static void bad_addr(const char *prog, const char *what, const char *arg, int err, const char *want)
{
    if (err == -EAFNOSUPPORT)
        fprintf(stderr, "%s: %s '%s' is IPv6: naru's tools speak IPv4 only so far\n", prog, what, arg);
    else
        fprintf(stderr, "%s: bad %s '%s' (want %s)\n", prog, what, arg, want);
    exit(2);
}

static const char *family_name(uint8_t family)
{
    return family == NARU_AF_INET ? "IPv4" : "IPv6";
}

/* --addr CIDR: an address an interface can have (not 0.0.0.0 or ::, not
 * multicast, RFC 4291 2.6; not v4-mapped, RFC 4291 2.5.5.2), one IPv4 one,
 * each once. */
static void take_addr(struct cli_options *o, const char *prog, const char *arg)
{
    struct cli_addr a = { .text = arg };
    if (naru_prefix_parse(arg, &a.addr, &a.prefix_len) < 0 || naru_addr_is_unspecified(&a.addr) ||
        naru_addr_is_multicast(&a.addr) || naru_addr_is_v4_mapped(&a.addr)) {
        fprintf(stderr, "%s: bad address '%s' (want A.B.C.D/LEN or an IPv6 address/LEN)\n", prog, arg);
        exit(2);
    }
    for (unsigned i = 0; i < o->addr_count; i++) {
        if (naru_addr_equal(&o->addrs[i].addr, &a.addr)) {
            fprintf(stderr, "%s: --addr %s given twice\n", prog, arg);
            exit(2);
        }
        if (a.addr.family == NARU_AF_INET && o->addrs[i].addr.family == NARU_AF_INET) {
            fprintf(stderr, "%s: --addr %s: the interface has one IPv4 address (%s)\n", prog, arg,
                    o->addrs[i].text);
            exit(2);
        }
    }
    if (o->addr_count == CLI_ADDRS_MAX) {
        fprintf(stderr, "%s: at most %d --addr (one IPv4, %d IPv6)\n", prog, CLI_ADDRS_MAX, CLI_ADDRS_MAX - 1);
        exit(2);
    }
    o->addrs[o->addr_count++] = a;
}

/* --gw IP: a unicast address, one for each family. Whether it is on the
 * host's network is for taphost_open(), once every --addr is known. */
static void take_gw(struct cli_options *o, const char *prog, const char *arg)
{
    struct cli_addr g = { .text = arg };
    if (cli_host_parse(arg, &g.addr) != CLI_HOST_ADDR || naru_addr_is_unspecified(&g.addr) ||
        naru_addr_is_multicast(&g.addr) || naru_addr_is_v4_mapped(&g.addr)) {
        fprintf(stderr, "%s: bad gateway '%s' (want A.B.C.D or an IPv6 address)\n", prog, arg);
        exit(2);
    }
    for (unsigned i = 0; i < o->gw_count; i++) {
        if (o->gws[i].addr.family == g.addr.family) {
            fprintf(stderr, "%s: --gw %s: one default gateway for %s (%s)\n", prog, arg,
                    family_name(g.addr.family), o->gws[i].text);
            exit(2);
        }
    }
    o->gws[o->gw_count++] = g;
}

/* A.B.C.D or A.B.C.D:PORT */
static void take_dns(struct cli_options *o, const char *prog, const char *arg)
{
    char host[NARU_ADDR_STRLEN];
    const char *colon = strchr(arg, ':');
    size_t hl = colon ? (size_t)(colon - arg) : strlen(arg);
    unsigned long port = NARU_DNS_PORT;
    char *end = NULL;
    uint32_t a;
    if (colon) {
        errno = 0;
        port = strtoul(colon + 1, &end, 10);
    }
    if (hl >= sizeof host || (colon && (!colon[1] || *end || errno || port == 0 || port > 65535)))
        bad(prog, "name server", arg);
    memcpy(host, arg, hl);
    host[hl] = 0;
    int err = cli_ip4(host, &a);
    if (err < 0 || a == 0)
        bad_addr(prog, "name server", arg, err, "A.B.C.D[:PORT]");
    if (o->dns_count == NARU_DNS_MAX_SERVERS) {
        fprintf(stderr, "%s: at most %d --dns servers\n", prog, NARU_DNS_MAX_SERVERS);
        exit(2);
    }
    o->dns[o->dns_count++] = (struct naru_sockaddr){ .addr = naru_addr_v4(a), .port = (uint16_t)port };
}

bool cli_take_option(struct cli_options *o, const char *prog, int opt, const char *arg)
{
    uint8_t mac[6];
    switch (opt) {
    case CLI_OPT_TAP:
        o->tap = arg;
        return true;
    case CLI_OPT_ADDR:
        take_addr(o, prog, arg);
        return true;
    case CLI_OPT_GW:
        take_gw(o, prog, arg);
        return true;
    case CLI_OPT_MAC:
        if (naru_mac_parse(arg, mac) < 0)
            bad(prog, "MAC address", arg);
        o->mac = arg;
        return true;
    case CLI_OPT_PCAP:
        o->pcap = arg;
        return true;
    case CLI_OPT_SEED:
        o->seed = (uint64_t)cli_number(prog, "seed", arg, false, 18446744073709549568.0);
        o->seed_set = true;
        return true;
    case CLI_OPT_DNS:
        take_dns(o, prog, arg);
        return true;
    case CLI_OPT_HOSTS:
        o->hosts = arg;
        return true;
    case CLI_OPT_NO_OFFLOAD:
        o->no_offload = true;
        return true;
    default:
        return false;
    }
}

const char *cli_operand(const char *prog, int argc, char **argv, const char *what)
{
    if (optind == argc - 1)
        return argv[optind];
    if (optind >= argc)
        fprintf(stderr, "%s: missing %s (try --help)\n", prog, what);
    else
        fprintf(stderr, "%s: too many arguments (try --help)\n", prog);
    return NULL;
}
