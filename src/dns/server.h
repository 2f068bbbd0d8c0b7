/* Inside the authoritative server: what its parts (server.c, the TCP
 * table, response rate limiting) share and the public header leaves out. */
#ifndef NARU_DNS_SERVER_H
#define NARU_DNS_SERVER_H

#include <stdint.h>

#include "naru/dns.h"

const struct naru_dns_server_config *server_config(const struct naru_dns_server *server);

/* ---- response rate limiting (server_rrl.c) ---- */

/* The kinds of response counted apart, as in NSD's and Knot's RRL: a
 * flood of one kind toward a victim is limited without starving others. */
enum rrl_kind { RRL_ANSWER, RRL_NODATA, RRL_NXDOMAIN, RRL_REFERRAL, RRL_ERROR };
enum rrl_verdict { RRL_SEND, RRL_DROP, RRL_SLIP };

struct rrl;
/* NULL when the config turns it off (rrl_rate 0), or without memory. */
struct rrl *rrl_create(const struct naru_dns_server_config *config);
void rrl_destroy(struct rrl *rrl);
/* Account one UDP response of `kind` about `name` (uncompressed wire form;
 * NULL for errors) and `qtype` to `client` at `now`. */
enum rrl_verdict rrl_account(struct rrl *rrl, const struct naru_addr *client, enum rrl_kind kind,
                             const uint8_t *name, size_t name_len, uint16_t qtype, naru_time_t now);

#endif
