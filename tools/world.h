/* The simulator's small built-in world, where ping, traceroute, nc and
 * fetch run by default (CLI.md): client 10.1.0.2 and 2001:db8:1::2 —
 * router — server 10.2.0.2 and 2001:db8:2::2, 10 ms each way. The server runs echo, discard, daytime and a
 * web site on port 80 (naru's own: "/" and "/bytes/N"), and a name server
 * on port 53 for naru.test and the world's root. */
#ifndef NARU_TOOLS_WORLD_H
#define NARU_TOOLS_WORLD_H

#include <stdint.h>

#include "naru/apps.h"
#include "naru/dns.h"
#include "naru/sim.h"

#define WORLD_DOMAIN "naru.test"
/* What a command in it says first, on stderr. */
#define WORLD_STORY "(simulated: client 10.1.0.2 2001:db8:1::2 -> router -> server 10.2.0.2 2001:db8:2::2, virtual time)\n"
#define WORLD_NAME_SERVER 0x0a020002 /* 10.2.0.2, the server */

struct world {
    struct naru_sim *sim;
    struct naru_stack *client, *router, *server;
    int client_ifindex;
    struct naru_service *services[3];  /* echo, discard, daytime */
    struct naru_http_server *web;
    struct naru_dns_server *dns;
    struct naru_dns_server_endpoint *dns_endpoint;
};

/* 0 or a negative errno. Close it either way. */
int world_open(struct world *w, uint64_t seed);
void world_close(struct world *w);
/* A host by name ("client", "router", "server"), or NULL. */
struct naru_stack *world_stack(const struct world *w, const char *name);

#endif
