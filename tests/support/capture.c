#include "capture.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "link/iface.h"
#include "naru/addr.h"
#include "stack.h"
#include "wire/arp.h"
#include "wire/checksum.h"
#include "wire/ethernet.h"
#include "wire/ipv4.h"
#include "wire/udp.h"

static int record(void *ctx, const uint8_t *frame, size_t len)
{
    struct capture_host *h = ctx;
    assert_true(h->count < CAPTURE_MAX_FRAMES);
    struct captured_frame *f = &h->frames[h->count++];
    f->data = malloc(len);
    assert_non_null(f->data);
    memcpy(f->data, frame, len);
    f->len = len;
    return 0;
}

static int record_offload(void *ctx, const uint8_t *frame, size_t len, const struct naru_frame_meta *meta)
{
    struct capture_host *h = ctx;
    record(h, frame, len);
    struct captured_frame *f = &h->frames[h->count - 1];
    f->meta = *meta;
    if (meta->flags & NARU_FRAME_CSUM_PARTIAL) {
        /* The device's work: fold the sum from csum_start into the field. */
        assert_true(meta->csum_start + meta->csum_offset + 2u <= len);
        uint8_t *field = f->data + meta->csum_start + meta->csum_offset;
        wire_put16(field, inet_fold(inet_sum(f->data + meta->csum_start, len - meta->csum_start, 0)));
    }
    return 0;
}

struct capture_host *capture_host_new_offload(const char *cidr, const struct naru_stack_config *config,
                                              uint32_t offloads)
{
    struct capture_host *h = calloc(1, sizeof *h);
    assert_non_null(h);
    h->offloads = offloads;
    assert_int_equal(naru_stack_create(config, &h->stack), 0);
    static const uint8_t mac[6] = { 0x02, 0, 0, 0, 0, 0x01 };
    memcpy(h->mac, mac, 6);
    struct naru_if_config ifc = { .name = "cap0", .mtu = 1500, .driver = { .transmit = record, .ctx = h } };
    if (offloads) {
        ifc.driver.offloads = offloads;
        ifc.driver.tso_max = 65535;
        ifc.driver.transmit_offload = record_offload;
    }
    memcpy(ifc.mac, mac, 6);
    h->ifindex = naru_if_add(h->stack, &ifc);
    assert_true(h->ifindex >= 0);
    if (!cidr)
        return h; /* left down, with no address */
    uint8_t prefix;
    assert_int_equal(naru_cidr_parse(cidr, &h->addr, &prefix), 0);
    assert_int_equal(naru_if_set_addr(h->stack, h->ifindex, h->addr, prefix), 0);
    capture_clear(h); /* the gratuitous ARP */
    return h;
}

struct capture_host *capture_host_new_with(const char *cidr, const struct naru_stack_config *config)
{
    return capture_host_new_offload(cidr, config, 0);
}

struct capture_host *capture_host_new(const char *cidr)
{
    struct naru_stack_config config;
    naru_stack_config_default(&config);
    return capture_host_new_with(cidr, &config);
}

struct capture_host *capture_host_new_without_ipv6(const char *cidr)
{
    /* The interface comes up with IPv6 off, so nothing autoconfigures;
     * then IPv6 is switched on for the test's own frames. */
    struct naru_stack_config config;
    naru_stack_config_default(&config);
    config.ipv6 = false;
    struct capture_host *h = capture_host_new_with(cidr, &config);
    h->stack->config.ipv6 = true;
    return h;
}

void capture_run_until(struct capture_host *h, naru_time_t when)
{
    for (;;) {
        naru_time_t next = naru_stack_next_deadline(h->stack), now = naru_stack_now(h->stack);
        if (next > when)
            break;
        naru_stack_poll(h->stack, next > now ? next : now);
    }
    naru_stack_poll(h->stack, when);
}

void capture_clear(struct capture_host *h)
{
    for (size_t i = 0; i < CAPTURE_MAX_FRAMES; i++) {
        free(h->frames[i].data);
        h->frames[i].data = NULL;
        h->frames[i].taken = false;
        memset(&h->frames[i].meta, 0, sizeof h->frames[i].meta);
    }
    h->count = 0;
}

void capture_host_free(struct capture_host *h)
{
    if (!h)
        return;
    naru_stack_destroy(h->stack);
    capture_clear(h);
    free(h);
}

const struct captured_frame *capture_take(struct capture_host *h)
{
    for (size_t i = 0; i < h->count; i++) {
        if (!h->frames[i].taken) {
            h->frames[i].taken = true;
            return &h->frames[i];
        }
    }
    return NULL;
}

const struct captured_frame *capture_take_ip(struct capture_host *h)
{
    const struct captured_frame *f;
    while ((f = capture_take(h)))
        if (f->len >= ETH_HEADER_LEN && wire_get16(f->data + 12) == ETHERTYPE_IPV4)
            return f;
    return NULL;
}

const struct captured_frame *capture_take_v4(struct capture_host *h)
{
    const struct captured_frame *f;
    while ((f = capture_take(h)))
        if (f->len < ETH_HEADER_LEN || wire_get16(f->data + 12) != ETHERTYPE_IPV6)
            return f;
    return NULL;
}

void capture_teach_neighbour(struct capture_host *h, uint32_t ip, const uint8_t mac[6])
{
    /* An ARP request from the neighbour for our address: RFC 826 makes us
     * learn the sender. */
    uint8_t frame[ETH_HEADER_LEN + ARP_PACKET_LEN];
    struct eth_header eth = { .ethertype = ETHERTYPE_ARP };
    memset(eth.dst, 0xff, 6);
    memcpy(eth.src, mac, 6);
    eth_emit(&eth, frame, sizeof frame);
    struct arp_packet p = { .op = ARP_OP_REQUEST, .sender_ip = ip, .target_ip = h->addr };
    memcpy(p.sender_mac, mac, 6);
    arp_emit(&p, frame + ETH_HEADER_LEN, ARP_PACKET_LEN);
    size_t before = h->count;
    naru_stack_input(h->stack, h->ifindex, frame, sizeof frame);
    for (size_t i = before; i < h->count; i++)
        h->frames[i].taken = true; /* our ARP reply; frames sent before stay */
}

size_t build_ip_frame(uint8_t *out, size_t cap, const struct frame_spec *spec, const uint8_t *payload,
                      size_t len)
{
    static const uint8_t default_src[6] = { 0x02, 0, 0, 0, 0, 0x02 };
    static const uint8_t default_dst[6] = { 0x02, 0, 0, 0, 0, 0x01 };
    assert_true(cap >= ETH_HEADER_LEN + IPV4_MIN_HEADER_LEN + len);
    struct eth_header eth = { .ethertype = ETHERTYPE_IPV4 };
    memcpy(eth.src, spec->src_mac ? spec->src_mac : default_src, 6);
    memcpy(eth.dst, spec->dst_mac ? spec->dst_mac : default_dst, 6);
    eth_emit(&eth, out, cap);
    struct ipv4_header ip = {
        .total_len = (uint16_t)(IPV4_MIN_HEADER_LEN + len),
        .id = spec->id,
        .dont_fragment = spec->dont_fragment,
        .more_fragments = spec->more_fragments,
        .fragment_offset = spec->fragment_offset,
        .ttl = spec->ttl ? spec->ttl : 64,
        .protocol = spec->protocol,
        .src = spec->src,
        .dst = spec->dst,
    };
    ipv4_emit(&ip, out + ETH_HEADER_LEN, IPV4_MIN_HEADER_LEN);
    memcpy(out + ETH_HEADER_LEN + IPV4_MIN_HEADER_LEN, payload, len);
    return ETH_HEADER_LEN + IPV4_MIN_HEADER_LEN + len;
}

size_t build_udp(uint8_t *out, uint32_t src, uint32_t dst, uint16_t sport, uint16_t dport,
                 const void *data, size_t len)
{
    memcpy(out + UDP_HEADER_LEN, data, len);
    struct udp_header h = { .src_port = sport, .dst_port = dport };
    udp_emit(&h, src, dst, out, UDP_HEADER_LEN + len);
    return UDP_HEADER_LEN + len;
}
