#include "link/iface.h"

#include "core/log.h"
#include "link/arp.h"
#include "link/ethernet.h"
#include "naru/addr.h"
#include "stack.h"

struct naru_iface *iface_get(struct naru_stack *stack, int ifindex)
{
    if (ifindex < 0 || ifindex >= NARU_MAX_INTERFACES || !stack->ifaces[ifindex].present)
        return NULL;
    return &stack->ifaces[ifindex];
}

bool iface_owns_addr(const struct naru_stack *stack, uint32_t addr)
{
    for (int i = 0; i < NARU_MAX_INTERFACES; i++) {
        const struct naru_iface *iface = &stack->ifaces[i];
        if (iface->present && iface->up && iface->addr == addr && addr != 0)
            return true;
    }
    return false;
}

bool iface_is_broadcast(const struct naru_iface *iface, uint32_t addr)
{
    if (addr == 0xffffffffu)
        return true;
    /* RFC 3021: a /31 has no broadcast address; a /32 has no subnet. */
    return iface->addr && iface->prefix_len < 31 && addr == (iface->addr | ~iface->netmask);
}

void iface_transmit(struct naru_stack *stack, struct naru_iface *iface, struct pbuf *pb)
{
    if (iface->tap)
        iface->tap(iface->tap_ctx, stack->now, iface->ifindex, NARU_DIR_OUT, pb->data, pb->len);
    int err = iface->driver.transmit(iface->driver.ctx, pb->data, pb->len);
    if (err < 0) {
        stack->counters.link_tx_driver_errors++;
    } else {
        stack->counters.link_tx_frames++;
        stack->counters.link_tx_bytes += pb->len;
    }
    pbuf_free(stack, pb);
}

int naru_if_add(struct naru_stack *stack, const struct naru_if_config *config)
{
    if (!config || !config->driver.transmit)
        return -EINVAL;
    uint32_t mtu = config->mtu ? config->mtu : 1500;
    if (mtu < 68 || mtu > 65535 || mtu + ETH_HEADER_LEN + ETH_VLAN_TAG_LEN + PBUF_HEADROOM > stack->frame_pool.buffer_size)
        return -EINVAL; /* RFC 791: every host must take 68-byte datagrams */
    for (int i = 0; i < NARU_MAX_INTERFACES; i++) {
        struct naru_iface *iface = &stack->ifaces[i];
        if (iface->present)
            continue;
        memset(iface, 0, sizeof *iface);
        iface->present = true;
        iface->ifindex = i;
        snprintf(iface->name, sizeof iface->name, "%s", config->name ? config->name : "eth");
        memcpy(iface->mac, config->mac, 6);
        iface->mtu = mtu;
        iface->driver = config->driver;
        return i;
    }
    return -ENOSPC;
}

int naru_if_set_addr(struct naru_stack *stack, int ifindex, uint32_t addr, uint8_t prefix_len)
{
    struct naru_iface *iface = iface_get(stack, ifindex);
    if (!iface || prefix_len > 32 || addr == 0)
        return -EINVAL;
    if (iface->addr)
        naru_route_del(stack, iface->addr & iface->netmask, iface->prefix_len);
    iface->addr = addr;
    iface->prefix_len = prefix_len;
    iface->netmask = naru_prefix_mask(prefix_len);
    iface->up = true;
    int err = naru_route_add(stack, addr & iface->netmask, prefix_len, 0, ifindex);
    if (err < 0 && err != -EEXIST)
        return err;
    char a[NARU_IP4_STRLEN], m[NARU_MAC_STRLEN];
    LOG_INFO(stack, NARU_LAYER_LINK, "%s is up: %s/%u, MAC %s, MTU %u", iface->name,
             naru_ip4_format(addr, a), prefix_len, naru_mac_format(iface->mac, m), iface->mtu);
    arp_announce(stack, iface);
    return 0;
}

int naru_if_get_addr(const struct naru_stack *stack, int ifindex, uint32_t *addr, uint8_t *prefix_len)
{
    struct naru_iface *iface = iface_get((struct naru_stack *)stack, ifindex);
    if (!iface)
        return -EINVAL;
    if (addr)
        *addr = iface->addr;
    if (prefix_len)
        *prefix_len = iface->prefix_len;
    return 0;
}

int naru_if_get_mac(const struct naru_stack *stack, int ifindex, uint8_t mac[6])
{
    struct naru_iface *iface = iface_get((struct naru_stack *)stack, ifindex);
    if (!iface)
        return -EINVAL;
    memcpy(mac, iface->mac, 6);
    return 0;
}

uint32_t naru_if_mtu(const struct naru_stack *stack, int ifindex)
{
    struct naru_iface *iface = iface_get((struct naru_stack *)stack, ifindex);
    return iface ? iface->mtu : 0;
}

int naru_if_set_tap(struct naru_stack *stack, int ifindex, naru_frame_tap_fn fn, void *ctx)
{
    struct naru_iface *iface = iface_get(stack, ifindex);
    if (!iface)
        return -EINVAL;
    iface->tap = fn;
    iface->tap_ctx = ctx;
    return 0;
}

void naru_stack_input(struct naru_stack *stack, int ifindex, const uint8_t *frame, size_t len)
{
    struct naru_iface *iface = iface_get(stack, ifindex);
    if (!iface)
        return;
    stack->counters.link_rx_frames++;
    stack->counters.link_rx_bytes += len;
    if (iface->tap)
        iface->tap(iface->tap_ctx, stack->now, ifindex, NARU_DIR_IN, frame, len);
    if (!iface->up) {
        stack->counters.link_rx_interface_down++;
        return;
    }
    if (len > (size_t)iface->mtu + ETH_HEADER_LEN + 2 * ETH_VLAN_TAG_LEN) {
        stack->counters.link_rx_malformed++;
        return;
    }
    struct pbuf *pb = pbuf_alloc(stack, PBUF_HEADROOM, len);
    if (!pb)
        return;
    memcpy(pb->data, frame, len);
    pb->ifindex = (int8_t)ifindex;
    eth_input(stack, iface, pb);
}
