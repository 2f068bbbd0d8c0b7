/* The services `naru host --serve` runs (and the simulator can run):
 * small, event-driven, on naru's socket API. */
#ifndef NARU_TOOLS_SERVICES_H
#define NARU_TOOLS_SERVICES_H

#include <stdint.h>
#include <stdio.h>

#include "naru/stack.h"

struct service;

/* Parse SERVICE[:PORT][=ARG]. NULL and a one-line reason in `why` if bad. */
struct service *service_parse(const char *spec, char *why, size_t why_len);
/* Open its sockets on `stack`. 0, or a negative errno with `why` filled. */
int service_start(struct service *svc, struct naru_stack *stack, char *why, size_t why_len);
/* "echo (udp 7)" for the ready line. */
void service_describe(const struct service *svc, char *buf, size_t len);
void service_free(struct service *svc, struct naru_stack *stack);
/* The names `--serve` accepts, for --help. */
extern const char service_help[];

/* Every non-zero counter, grouped by layer, like `netstat -s`. */
void print_counters(FILE *out, const struct naru_stack *stack);

#endif
