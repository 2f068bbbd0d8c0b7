/* naru_core alone: two stacks joined by the in-memory link, one UDP
 * datagram from one to the other. Exit 0 when it arrived intact. */
#include <stdio.h>
#include <string.h>

#include <naru/addr.h>
#include <naru/memlink.h>
#include <naru/socket.h>
#include <naru/stack.h>
#include <naru/version.h>

int main(void)
{
    struct naru_stack *a, *b;
    struct naru_stack_config c;
    naru_stack_config_default(&c);
    if (naru_stack_create(&c, &a) < 0 || naru_stack_create(&c, &b) < 0)
        return 1;
    struct naru_memlink *link;
    struct naru_memlink_config lc = { .delay = NARU_MS };
    if (naru_memlink_create(&lc, &link) < 0)
        return 1;
    struct naru_if_config ifc = { .name = "eth0", .mac = { 2, 0, 0, 0, 0, 1 }, .mtu = 1500 };
    int ia = naru_memlink_attach(link, 0, a, &ifc);
    ifc.mac[5] = 2;
    int ib = naru_memlink_attach(link, 1, b, &ifc);
    naru_if_set_addr(a, ia, naru_ip4(192, 0, 2, 1), 24);
    naru_if_set_addr(b, ib, naru_ip4(192, 0, 2, 2), 24);
    int rx = naru_socket(b, NARU_SOCK_DGRAM), tx = naru_socket(a, NARU_SOCK_DGRAM);
    struct naru_sockaddr at = naru_sockaddr_v4(naru_ip4(192, 0, 2, 2), 7), any = { .port = 0 };
    naru_bind(b, rx, &at);
    naru_bind(a, tx, &any);
    if (naru_sendto(a, tx, "hello", 5, 0, &at) != 5)
        return 1;
    char buf[16] = { 0 };
    long n = -1;
    for (naru_time_t now = 0; now < NARU_SEC && n < 0; now += NARU_MS) {
        naru_memlink_poll(link, now);
        naru_stack_poll(a, now);
        naru_stack_poll(b, now);
        n = naru_recv(b, rx, buf, sizeof buf, 0);
    }
    printf("naru_core %s: %s\n", NARU_VERSION, n == 5 && !memcmp(buf, "hello", 5) ? "the datagram crossed" : "lost");
    naru_memlink_destroy(link);
    naru_stack_destroy(a);
    naru_stack_destroy(b);
    return n == 5 ? 0 : 1;
}
