#include "socket/sock.h"

#include <stddef.h>
#include <stdlib.h>

#include "stack.h"

_Static_assert(64 % SOCK_BLOCK == 0, "a block's slots share one word of the free bitmap");

int sock_table_init(struct naru_stack *stack)
{
    struct sock_table *t = &stack->sockets;
    t->count = stack->config.sockets;
    uint32_t buckets = 16;
    while (buckets < t->count && buckets < 65536)
        buckets *= 2;
    t->bucket_mask = buckets - 1;
    uint32_t words = (t->count + 63) / 64;
    t->free_words_count = (words + 63) / 64;
    t->free_words_low = 0;
    t->blocks = calloc((t->count + SOCK_BLOCK - 1) / SOCK_BLOCK + 1, sizeof *t->blocks);
    t->port_buckets = calloc(buckets, sizeof *t->port_buckets);
    t->stream_port_buckets = calloc(buckets, sizeof *t->stream_port_buckets);
    t->free_slots = calloc(words ? words : 1, sizeof *t->free_slots);
    t->free_words = calloc(t->free_words_count ? t->free_words_count : 1, sizeof *t->free_words);
    if (!t->blocks || !t->port_buckets || !t->stream_port_buckets || !t->free_slots || !t->free_words)
        return -ENOMEM;
    for (uint32_t i = 0; i < t->count; i++) {
        t->free_slots[i / 64] |= (uint64_t)1 << (i % 64);
        t->free_words[i / 4096] |= (uint64_t)1 << (i / 64 % 64);
    }
    return 0;
}

void sock_table_fini(struct naru_stack *stack)
{
    struct sock_table *t = &stack->sockets;
    for (uint32_t b = 0; t->blocks && b * SOCK_BLOCK < t->count; b++)
        free(t->blocks[b]);
    free(t->blocks);
    free(t->port_buckets);
    free(t->stream_port_buckets);
    free(t->free_slots);
    free(t->free_words);
    t->blocks = NULL;
    t->port_buckets = t->stream_port_buckets = NULL;
    t->free_slots = t->free_words = NULL;
}

/* The index of the lowest set bit of w (not 0): w & -w leaves that bit
 * alone, and multiplying it by a de Bruijn sequence puts a distinct 6-bit
 * pattern in the top bits for each of the 64 places. */
static unsigned lowest_bit(uint64_t w)
{
    static const uint8_t place[64] = {
        0,  1,  48, 2,  57, 49, 28, 3,  61, 58, 50, 42, 38, 29, 17, 4,  62, 55, 59, 36, 53, 51,
        43, 22, 45, 39, 33, 30, 24, 18, 12, 5,  63, 47, 56, 27, 60, 41, 37, 16, 54, 35, 52, 21,
        44, 32, 23, 11, 46, 26, 40, 15, 34, 20, 31, 10, 25, 14, 19, 9,  13, 8,  7,  6,
    };
    return place[((w & -w) * 0x03f79d71b4cb0a89ull) >> 58];
}

static void slot_set_free(struct sock_table *t, uint32_t i)
{
    t->free_slots[i / 64] |= (uint64_t)1 << (i % 64);
    t->free_words[i / 4096] |= (uint64_t)1 << (i / 64 % 64);
    if (i / 4096 < t->free_words_low)
        t->free_words_low = i / 4096;
}

/* The lowest free slot, now taken; -1 if none. */
static long slot_take_lowest(struct sock_table *t)
{
    uint32_t w = t->free_words_low;
    while (w < t->free_words_count && !t->free_words[w])
        w++;
    t->free_words_low = w;
    if (w == t->free_words_count)
        return -1;
    uint32_t word = w * 64 + lowest_bit(t->free_words[w]);
    uint32_t i = word * 64 + lowest_bit(t->free_slots[word]);
    t->free_slots[word] &= t->free_slots[word] - 1;
    if (!t->free_slots[word])
        t->free_words[w] &= ~((uint64_t)1 << (word % 64));
    return i;
}

static struct sock **bucket(struct sock_table *t, uint8_t type, uint16_t port)
{
    struct sock **buckets = type == NARU_SOCK_STREAM ? t->stream_port_buckets : t->port_buckets;
    return &buckets[port & t->bucket_mask];
}

void sock_set_bound(struct naru_stack *stack, struct sock *s, const struct naru_addr *addr, uint16_t port)
{
    s->local.addr = *addr;
    s->local.port = port;
    s->bound = true;
    struct sock **head = bucket(&stack->sockets, s->type, port);
    s->port_next = *head;
    s->port_pprev = head;
    if (*head)
        (*head)->port_pprev = &s->port_next;
    *head = s;
}

void sock_release(struct naru_stack *stack, struct sock *s)
{
    if (s->port_pprev) {
        *s->port_pprev = s->port_next;
        if (s->port_next)
            s->port_next->port_pprev = s->port_pprev;
    }
    s->port_next = NULL;
    s->port_pprev = NULL;
    s->used = false;
    struct sock_table *t = &stack->sockets;
    uint32_t i = (uint32_t)sock_handle(stack, s);
    slot_set_free(t, i);
    /* A block all free goes back, but the first: a crowd that has gone
     * leaves no memory behind, and a host that opens and closes one
     * socket at a time does not allocate each time. */
    uint32_t b = i / SOCK_BLOCK, mask = (1u << SOCK_BLOCK) - 1;
    if (b && (t->free_slots[i / 64] >> (b * SOCK_BLOCK % 64) & mask) == mask) {
        free(t->blocks[b]);
        t->blocks[b] = NULL;
    }
}

struct sock *sock_get(struct naru_stack *stack, int handle)
{
    const struct sock_table *t = &stack->sockets;
    if (handle < 0 || (uint32_t)handle >= t->count || !t->blocks || !t->blocks[handle / SOCK_BLOCK])
        return NULL;
    struct sock *s = &t->blocks[handle / SOCK_BLOCK][handle % SOCK_BLOCK];
    return s->used ? s : NULL;
}

struct sock *sock_alloc(struct naru_stack *stack, uint8_t type)
{
    struct sock_table *t = &stack->sockets;
    long i = slot_take_lowest(t);
    if (i < 0)
        return NULL;
    struct sock **block = &t->blocks[i / SOCK_BLOCK];
    if (!*block && !(*block = calloc(SOCK_BLOCK, sizeof **block))) {
        slot_set_free(t, (uint32_t)i);
        return NULL;
    }
    struct sock *s = &(*block)[i % SOCK_BLOCK];
    memset(s, 0, offsetof(struct sock, errors));
    s->used = true;
    s->handle = (int)i;
    s->type = type;
    s->receive_limit = stack->config.udp_recv_queue;
    return s;
}

int sock_handle(const struct naru_stack *stack, const struct sock *s)
{
    (void)stack;
    return s->handle;
}

void sock_notify(struct naru_stack *stack, struct sock *s)
{
    if (s->callback)
        s->callback(s->callback_ctx, stack, sock_handle(stack, s));
}

int sock_take_error(struct sock *s)
{
    int err = s->error;
    s->error = 0;
    return err;
}

bool sock_queue_datagram(struct naru_stack *stack, struct sock *s, struct pbuf *pb)
{
    if (s->receive_queue.count >= s->receive_limit) {
        pbuf_free(stack, pb);
        return false;
    }
    pbuf_queue_push(&s->receive_queue, pb);
    sock_notify(stack, s);
    return true;
}

void sock_queue_error(struct naru_stack *stack, struct sock *s, const struct sock_error *e)
{
    if (!s->recverr)
        return;
    if (s->error_count == SOCK_ERROR_QUEUE_LEN) { /* the oldest gives way */
        s->error_head = (uint8_t)((s->error_head + 1) % SOCK_ERROR_QUEUE_LEN);
        s->error_count--;
    }
    s->errors[(s->error_head + s->error_count) % SOCK_ERROR_QUEUE_LEN] = *e;
    s->error_count++;
    sock_notify(stack, s);
}

struct sock *sock_lookup(struct naru_stack *stack, uint8_t type, const struct naru_addr *local, uint16_t lport,
                         const struct naru_addr *remote, uint16_t rport)
{
    struct sock *best = NULL;
    int best_score = -1;
    for (struct sock *s = sock_bound_first(stack, type, lport); s; s = sock_bound_next(s)) {
        if (!sock_takes_local(s, local))
            continue;
        if (s->connected && (s->remote.port != rport || !naru_addr_equal(&s->remote.addr, remote)))
            continue;
        int score = (s->connected ? 2 : 0) + (sock_addr_is_wildcard(&s->local.addr) ? 0 : 1);
        if (score > best_score) {
            best = s;
            best_score = score;
        }
    }
    return best;
}

struct sock *sock_bound_first(struct naru_stack *stack, uint8_t type, uint16_t port)
{
    struct sock *s = *bucket(&stack->sockets, type, port);
    while (s && (s->type != type || s->local.port != port))
        s = s->port_next;
    return s;
}

struct sock *sock_bound_next(const struct sock *s)
{
    uint8_t type = s->type;
    uint16_t port = s->local.port;
    struct sock *n = s->port_next;
    while (n && (n->type != type || n->local.port != port))
        n = n->port_next;
    return n;
}

bool sock_port_in_use(struct naru_stack *stack, uint8_t type, const struct naru_addr *addr, uint16_t port,
                      const struct sock *except)
{
    for (const struct sock *s = sock_bound_first(stack, type, port); s; s = sock_bound_next(s))
        if (s != except && sock_addrs_overlap(&s->local.addr, addr))
            return true;
    return false;
}

uint16_t sock_ephemeral_port(struct naru_stack *stack, uint8_t type, const struct naru_addr *addr)
{
    /* RFC 6056 3.3.1 (Algorithm 1): start anywhere in the range, walk on. */
    uint32_t range = EPHEMERAL_PORT_MAX - EPHEMERAL_PORT_MIN + 1;
    uint32_t offset = random_below(&stack->random, range);
    for (uint32_t i = 0; i < range; i++) {
        uint16_t port = (uint16_t)(EPHEMERAL_PORT_MIN + (offset + i) % range);
        if (!sock_port_in_use(stack, type, addr, port, NULL))
            return port;
    }
    return 0;
}
