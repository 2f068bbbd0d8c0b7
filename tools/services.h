/* The services `naru host --serve` runs, and the simulator's built-in
 * server: small, event-driven, on naru's socket API. */
#ifndef NARU_TOOLS_SERVICES_H
#define NARU_TOOLS_SERVICES_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "naru/stack.h"

struct service;
struct runtime;

/* Parse SERVICE[:PORT][=ARG]. NULL and a one-line reason in `why` if bad. */
struct service *service_parse(const char *spec, char *why, size_t why_len);
/* The built-in web site of the simulated server: "/" is a small page,
 * "/bytes/N" is N bytes of a repeatable pattern. */
struct service *service_builtin_http(uint16_t port);
/* Open its sockets on `stack` (TCP, and UDP where the service has a UDP
 * form). 0, or a negative errno with `why` filled. */
int service_start(struct service *svc, struct runtime *rt, struct naru_stack *stack, char *why,
                  size_t why_len);
/* "echo (tcp+udp 7)" for the ready line. */
void service_describe(const struct service *svc, char *buf, size_t len);
/* Closes its sockets and connections. */
void service_free(struct service *svc);
/* The names `--serve` accepts, for --help. */
extern const char service_help[];

/* Every non-zero counter, grouped by layer, like `netstat -s`. */
void print_counters(FILE *out, const struct naru_stack *stack);

#endif
