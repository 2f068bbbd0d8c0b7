/* A learning Ethernet switch (IEEE 802.1D's filtering database, without
 * ageing or spanning tree): it learns which port each source MAC address
 * sits behind, sends frames for a known address out of that port only, and
 * floods broadcasts and unknown addresses to every other port. */
#include "sim/sim_internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct naru_sim_switch *naru_sim_add_switch(struct naru_sim *sim, const char *name)
{
    if (sim_grow((void **)&sim->switches, &sim->switch_cap, sim->switch_count, sizeof *sim->switches) < 0)
        return NULL;
    struct naru_sim_switch *sw = calloc(1, sizeof *sw);
    if (!sw)
        return NULL;
    sw->sim = sim;
    snprintf(sw->name, sizeof sw->name, "%s", name ? name : "switch");
    sim->switches[sim->switch_count++] = sw;
    return sw;
}

const char *naru_sim_link_switch_name(const struct naru_sim_link *link, int end)
{
    const struct naru_sim_switch *sw = link->ends[end & 1].sw;
    return sw ? sw->name : NULL;
}

void sim_switch_destroy(struct naru_sim_switch *sw)
{
    free(sw->ports);
    free(sw);
}

int sim_switch_add_port(struct naru_sim_switch *sw, struct sim_end *end)
{
    if (sim_grow((void **)&sw->ports, &sw->port_cap, sw->port_count, sizeof *sw->ports) < 0)
        return -ENOMEM;
    end->port = sw->port_count;
    sw->ports[sw->port_count++] = end;
    return 0;
}

static size_t mac_slot(const uint8_t mac[6])
{
    uint64_t v = 0;
    for (int i = 0; i < 6; i++)
        v = v << 8 | mac[i];
    return (size_t)((v * 0x9e3779b97f4a7c15ull) >> 56) % SWITCH_MAC_TABLE;
}

/* The port behind `mac`, or -1. */
static int lookup(const struct naru_sim_switch *sw, const uint8_t mac[6])
{
    size_t i = mac_slot(mac);
    for (unsigned n = 0; n < SWITCH_MAC_TABLE; n++, i = (i + 1) % SWITCH_MAC_TABLE) {
        const struct sim_switch_entry *e = &sw->table[i];
        if (!e->used)
            return -1;
        if (!memcmp(e->mac, mac, 6))
            return e->port;
    }
    return -1;
}

/* A full table learns no more; frames for the rest are flooded. */
static void learn(struct naru_sim_switch *sw, const uint8_t mac[6], unsigned port)
{
    size_t i = mac_slot(mac);
    for (unsigned n = 0; n < SWITCH_MAC_TABLE; n++, i = (i + 1) % SWITCH_MAC_TABLE) {
        struct sim_switch_entry *e = &sw->table[i];
        if (!e->used) {
            memcpy(e->mac, mac, 6);
            e->used = true;
            e->port = (uint16_t)port;
            return;
        }
        if (!memcmp(e->mac, mac, 6)) {
            e->port = (uint16_t)port; /* the station moved */
            return;
        }
    }
}

void sim_switch_input(struct naru_sim_switch *sw, struct sim_end *in, const uint8_t *frame, size_t len)
{
    if (len < 14)
        return;
    const uint8_t *dst = frame, *src = frame + 6;
    if (!(src[0] & 1))
        learn(sw, src, in->port);
    int out = dst[0] & 1 ? -1 : lookup(sw, dst);
    if (out >= 0) {
        if ((unsigned)out != in->port) {
            struct sim_end *e = sw->ports[out];
            sim_link_transmit(e->link, e->index, frame, len, NULL);
        }
        return;
    }
    for (unsigned p = 0; p < sw->port_count; p++) {
        if (p == in->port)
            continue;
        struct sim_end *e = sw->ports[p];
        sim_link_transmit(e->link, e->index, frame, len, NULL);
    }
}
