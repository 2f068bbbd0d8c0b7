/* Per-layer counters, like `netstat -s`. Every drop has a counter. */
#ifndef NARU_COUNTERS_H
#define NARU_COUNTERS_H

#include <stdint.h>

#include "naru/stack.h"

/* X(layer, name, description) */
#define NARU_COUNTER_LIST(X)                                                          \
    X(link, rx_frames, "frames received")                                             \
    X(link, rx_bytes, "bytes received")                                               \
    X(link, tx_frames, "frames sent")                                                 \
    X(link, tx_bytes, "bytes sent")                                                   \
    X(link, rx_malformed, "frames too short or malformed")                            \
    X(link, rx_vlan_tagged, "802.1Q-tagged frames dropped")                           \
    X(link, rx_not_for_us, "frames for another MAC address")                          \
    X(link, rx_multicast, "multicast frames (naru joins no multicast group)")         \
    X(link, rx_unknown_ethertype, "frames of an unknown EtherType")                   \
    X(link, rx_interface_down, "frames on an interface that is down")                 \
    X(link, tx_driver_errors, "frames the driver refused")                            \
    X(link, tx_too_big, "frames larger than the interface MTU")                       \
    X(link, rx_gso, "frames of TCP segments the sender merged (GSO)")                 \
    X(link, rx_offload_errors, "frames whose partial checksum (driver metadata) lies in the IP header") \
    X(link, tx_tso, "frames of TCP segments for the device to cut (TSO)")             \
    X(buffers, frame_exhausted, "frame buffer pool empty")                            \
    X(buffers, large_exhausted, "large buffer pool empty")                            \
    X(arp, rx, "ARP packets received")                                                \
    X(arp, rx_malformed, "ARP packets malformed or not Ethernet/IPv4")                \
    X(arp, rx_requests, "ARP requests received")                                      \
    X(arp, rx_replies, "ARP replies received")                                        \
    X(arp, tx_requests, "ARP requests sent")                                          \
    X(arp, tx_replies, "ARP replies sent")                                            \
    X(arp, tx_gratuitous, "gratuitous ARPs sent")                                     \
    X(arp, queue_overflow, "packets dropped: too many waiting for resolution")        \
    X(arp, resolution_failed, "packets dropped: neighbour never answered")            \
    X(arp, table_full, "packets dropped: neighbour cache full")                       \
    X(arp, incomplete_full, "packets dropped: too many neighbours being resolved")    \
    X(arp, address_conflicts, "ARP packets claiming our address")                     \
    X(ip, rx, "IP datagrams received")                                                \
    X(ip, rx_header_errors, "IP datagrams with a bad version or header length")       \
    X(ip, rx_length_errors, "IP datagrams with a bad total length")                   \
    X(ip, rx_checksum_errors, "IP datagrams with a bad header checksum")              \
    X(ip, rx_address_errors, "IP datagrams with an impossible source address")        \
    X(ip, rx_not_for_us, "IP datagrams for another host, not forwarded")              \
    X(ip, rx_unknown_protocol, "IP datagrams of an unknown protocol")                 \
    X(ip, rx_delivered, "IP datagrams delivered locally")                             \
    X(ip, forwarded, "IP datagrams forwarded")                                        \
    X(ip, ttl_exceeded, "IP datagrams dropped: TTL expired in transit")               \
    X(ip, no_route, "IP datagrams dropped: no route")                                 \
    X(ip, tx, "IP datagrams sent")                                                    \
    X(ip, fragmented, "IP datagrams fragmented")                                      \
    X(ip, fragments_created, "IP fragments created")                                  \
    X(ip, fragment_fails, "IP datagrams too big with DF set")                         \
    X(ip, pmtu_lowered, "path MTUs lowered (RFC 1191, RFC 8201)")                     \
    X(ip, pmtu_ignored, "too-big reports ignored: below the minimum, or not lower")   \
    X(ip, pmtu_expired, "path MTUs forgotten after ten minutes")                      \
    X(ip, tx_gso_dropped, "IP datagrams of merged segments for a link that cannot split them") \
    X(ip, reasm_fragments, "IP fragments received")                                   \
    X(ip, reasm_ok, "IP datagrams reassembled")                                       \
    X(ip, reasm_overlaps, "IP datagrams dropped: overlapping fragments")              \
    X(ip, reasm_timeouts, "IP datagrams dropped: reassembly timed out")               \
    X(ip, reasm_evicted, "IP datagrams dropped: reassembly slots full")                  \
    X(ip, reasm_malformed, "IP fragments dropped: bad length or offset")              \
    X(ip6, rx, "IPv6 packets received")                                               \
    X(ip6, rx_disabled, "IPv6 packets dropped: IPv6 switched off in the config")      \
    X(ip6, rx_header_errors, "IPv6 packets with a bad version or header chain")       \
    X(ip6, rx_length_errors, "IPv6 packets shorter than their payload length")        \
    X(ip6, rx_address_errors, "IPv6 packets with an impossible address (RFC 4291)")   \
    X(ip6, rx_not_for_us, "IPv6 packets for another host or a group not joined")      \
    X(ip6, rx_unknown_protocol, "IPv6 packets of an unknown next header")             \
    X(ip6, rx_option_discards, "IPv6 packets dropped by an option's type (RFC 8200 4.2)")\
    X(ip6, rx_param_problems, "IPv6 packets dropped with a parameter problem")        \
    X(ip6, rx_no_next_header, "IPv6 packets ending in No Next Header (59)")           \
    X(ip6, rx_delivered, "IPv6 packets delivered locally")                            \
    X(ip6, tx, "IPv6 packets sent")                                                   \
    X(ip6, no_route, "IPv6 packets dropped: no route")                                \
    X(ip6, no_source, "IPv6 packets dropped: no source address for the scope")        \
    X(ip6, tx_too_big, "IPv6 packets dropped: too big for the path, not ours to fragment")\
    X(ip6, forwarded, "IPv6 packets forwarded")                                       \
    X(ip6, hop_limit_exceeded, "IPv6 packets dropped: hop limit expired in transit")  \
    X(ip6, forward_scope_errors, "IPv6 packets not forwarded: link-local across links")\
    X(ip6, fragmented, "IPv6 packets fragmented at the source")                       \
    X(ip6, fragments_created, "IPv6 fragments created")                               \
    X(ip6, reasm_fragments, "IPv6 fragments received")                                \
    X(ip6, reasm_ok, "IPv6 packets reassembled")                                      \
    X(ip6, reasm_atomic, "IPv6 atomic fragments taken whole (RFC 6946)")              \
    X(ip6, reasm_overlaps, "IPv6 packets dropped: overlapping fragments (RFC 5722)")  \
    X(ip6, reasm_timeouts, "IPv6 packets dropped: reassembly timed out")              \
    X(ip6, reasm_evicted, "IPv6 packets dropped: reassembly slots full")              \
    X(ip6, reasm_malformed, "IPv6 fragments dropped: bad length, offset or count")    \
    X(ip6, reasm_incomplete_chain, "IPv6 first fragments without the whole header chain")\
    X(icmp6, rx, "ICMPv6 messages received")                                          \
    X(icmp6, rx_malformed, "ICMPv6 messages malformed or with a bad checksum")        \
    X(icmp6, rx_echo_requests, "ICMPv6 echo requests received")                       \
    X(icmp6, rx_echo_replies, "ICMPv6 echo replies received")                         \
    X(icmp6, rx_dest_unreachable, "ICMPv6 destination unreachable received")          \
    X(icmp6, rx_packet_too_big, "ICMPv6 packet too big received")                     \
    X(icmp6, rx_time_exceeded, "ICMPv6 time exceeded received")                       \
    X(icmp6, rx_param_problems, "ICMPv6 parameter problems received")                 \
    X(icmp6, rx_other, "ICMPv6 messages of other types")                              \
    X(icmp6, tx, "ICMPv6 messages sent")                                              \
    X(icmp6, tx_echo_requests, "ICMPv6 echo requests sent")                           \
    X(icmp6, tx_echo_replies, "ICMPv6 echo replies sent")                             \
    X(icmp6, tx_errors, "ICMPv6 errors sent")                                         \
    X(icmp6, tx_rate_limited, "ICMPv6 errors not sent: rate limit (RFC 4443 2.4 f)")  \
    X(icmp6, tx_suppressed, "ICMPv6 errors not sent: RFC 4443 2.4 (e) forbids")       \
    X(ndp, rx_ns, "neighbour solicitations received")                                 \
    X(ndp, rx_na, "neighbour advertisements received")                                \
    X(ndp, rx_invalid, "NDP messages failing RFC 4861's checks")                      \
    X(ndp, rx_bad_hop_limit, "NDP messages with a hop limit below 255")               \
    X(ndp, rx_in_fragment, "NDP messages in fragments, ignored (RFC 6980)")           \
    X(ndp, rx_not_our_target, "neighbour solicitations for an address not ours")      \
    X(ndp, address_conflicts, "neighbour advertisements claiming our address")        \
    X(ndp, tx_ns, "neighbour solicitations sent")                                     \
    X(ndp, tx_na, "neighbour advertisements sent")                                    \
    X(ndp, queue_overflow, "packets dropped: too many waiting for resolution")        \
    X(ndp, resolution_failed, "packets dropped: neighbour never answered")            \
    X(ndp, table_full, "packets dropped: neighbour cache full")                       \
    X(ndp, incomplete_full, "packets dropped: too many neighbours being resolved")    \
    X(icmp, rx, "ICMP messages received")                                             \
    X(icmp, rx_malformed, "ICMP messages malformed or with a bad checksum")           \
    X(icmp, rx_echo_requests, "ICMP echo requests received")                          \
    X(icmp, rx_echo_replies, "ICMP echo replies received")                            \
    X(icmp, rx_dest_unreachable, "ICMP destination unreachable received")             \
    X(icmp, rx_time_exceeded, "ICMP time exceeded received")                          \
    X(icmp, rx_other, "ICMP messages of other types")                                 \
    X(icmp, tx, "ICMP messages sent")                                                 \
    X(icmp, tx_echo_replies, "ICMP echo replies sent")                                \
    X(icmp, tx_echo_requests, "ICMP echo requests sent")                              \
    X(icmp, tx_errors, "ICMP errors sent")                                            \
    X(icmp, tx_rate_limited, "ICMP errors not sent: rate limit")                      \
    X(icmp, tx_suppressed, "ICMP errors not sent: RFC 1122 forbids")                  \
    X(addrconf, dad_started, "IPv6 addresses put through duplicate address detection") \
    X(addrconf, dad_probes, "DAD neighbour solicitations sent")                        \
    X(addrconf, dad_conflicts, "IPv6 addresses found duplicate by DAD")               \
    X(addrconf, dad_looped, "our own DAD probes heard back (RFC 7527 nonce)")         \
    X(addrconf, ipv6_disabled, "interfaces whose IPv6 stopped: link-local duplicate")  \
    X(addrconf, slaac_formed, "addresses formed from advertised prefixes (SLAAC)")    \
    X(addrconf, prefix_ignored, "autonomous prefixes ignored: not /64")               \
    X(addrconf, expired, "IPv6 addresses removed: valid lifetime ended")              \
    X(addrconf, gave_up, "prefixes given up: every RFC 7217 retry found duplicate")   \
    X(mld, rx_queries, "MLD queries received")                                        \
    X(mld, tx_reports, "MLD reports sent")                                            \
    X(mld, v1_mode, "switches to MLDv1 compatibility on a version 1 query")           \
    X(mld, groups_full, "multicast groups not joined: the interface's list is full")  \
    X(mld, rx_invalid, "MLD queries dropped: malformed, hop limit, router alert or source") \
    X(rd, tx_solicits, "router solicitations sent")                                    \
    X(rd, rx_adverts, "router advertisements taken in")                                \
    X(rd, rx_invalid, "router advertisements dropped: hop limit or source (RFC 4861 6.1.2)") \
    X(rd, list_full, "routers, prefixes or DNS servers not kept: the list is full")    \
    X(rd, mtu_ignored, "advertised MTUs ignored: below 1280 or above the link's")     \
    X(rd, timers_ignored, "advertised reachable times or retransmit timers over an hour, ignored") \
    X(rd, tx_adverts, "router advertisements sent")                                   \
    X(rd, rx_solicits, "router solicitations answered")                               \
    X(rd, redirects, "redirects taken in (RFC 4861 8.3)")                             \
    X(rd, redirects_invalid, "redirects dropped: not from our first hop for it (RFC 4861 8.1)") \
    X(rd, tx_redirects, "redirects sent (RFC 4861 8.2)")                              \
    X(rd, redirects_not_sent, "redirects not sent: rate limit or no link-local address") \
    X(udp, rx, "UDP datagrams received")                                              \
    X(udp, rx_malformed, "UDP datagrams with a bad length or checksum")               \
    X(udp, rx_no_port, "UDP datagrams to a closed port")                              \
    X(udp, rx_queue_full, "UDP datagrams dropped: socket queue full")                 \
    X(udp, tx, "UDP datagrams sent")                                                  \
    X(tcp, rx, "TCP segments received")                                               \
    X(tcp, rx_malformed, "TCP segments with a bad header, option or checksum")        \
    X(tcp, rx_no_socket, "TCP segments for no connection")                            \
    X(tcp, tx, "TCP segments sent")                                                   \
    X(tcp, tx_rst, "TCP resets sent")                                                 \
    X(tcp, retransmits, "TCP segments retransmitted")                                 \
    X(tcp, active_opens, "TCP connections opened by connect()")                       \
    X(tcp, passive_opens, "TCP connections begun by a SYN to a listener")             \
    X(tcp, established, "TCP connections that reached ESTABLISHED")                   \
    X(tcp, attempt_fails, "TCP connection attempts refused or unreachable")           \
    X(tcp, estab_resets, "TCP connections reset or timed out when open")              \
    X(tcp, conn_limit, "TCP connections refused: connection limit")                   \
    X(tcp, listen_overflows, "TCP SYNs dropped: accept queue full")                   \
    X(tcp, listen_half_open_drops, "TCP SYNs dropped: too many half-open connections") \
    X(tcp, listen_conn_limit, "TCP SYNs refused with a reset: the listener's connection limit") \
    X(tcp, syn_budget_drops, "TCP SYNs dropped: more than a listener answers in one input batch") \
    X(tcp, half_open_recycled, "TCP half-open connections ended for a newer SYN (RFC 4987 3.4)") \
    X(tcp, half_open_pruned, "TCP half-open connections given up early: list under pressure") \
    X(tcp, syncookies_sent, "TCP SYN cookies sent (RFC 4987): SYN-ACKs without state")  \
    X(tcp, syncookies_accepted, "TCP connections made from a valid SYN cookie")         \
    X(tcp, syncookies_failed, "TCP ACKs to a listener with an invalid or stale SYN cookie") \
    X(tcp, rx_rst, "TCP resets accepted")                                             \
    X(tcp, rx_out_of_window, "TCP segments outside the receive window")               \
    X(tcp, rx_paws_rejected, "TCP segments dropped by PAWS (RFC 7323)")               \
    X(tcp, rx_no_timestamp, "TCP segments dropped: timestamp option missing")         \
    X(tcp, rx_bad_ack, "TCP segments with an unacceptable ACK (RFC 5961)")            \
    X(tcp, rx_out_of_order, "TCP segments received out of order")                     \
    X(tcp, rx_ooo_dropped, "TCP out-of-order segments dropped: assembler full")       \
    X(tcp, rx_no_memory, "TCP segments dropped: no memory for the receive ring")      \
    X(tcp, rx_duplicate_bytes, "TCP bytes received twice")                            \
    X(tcp, rx_icmp_errors, "ICMP errors accepted for TCP connections")                \
    X(tcp, challenge_acks, "TCP challenge ACKs sent (RFC 5961)")                      \
    X(tcp, challenge_ack_limited, "TCP challenge ACKs not sent: rate limit")          \
    X(tcp, rst_rate_limited, "TCP resets not sent: rate limit")                       \
    X(tcp, delayed_acks, "TCP delayed ACKs sent")                                     \
    X(tcp, batch_acks, "TCP ACKs sent at the end of an input batch")                  \
    X(tcp, fast_retransmits, "TCP fast retransmits (recoveries entered)")             \
    X(tcp, sack_recoveries, "TCP recoveries guided by SACK (RFC 6675)")               \
    X(tcp, lost_retransmits, "TCP retransmissions found lost from later SACKs")       \
    X(tcp, rack_reorder_timeouts, "TCP RACK reordering-window timer expirations (RFC 8985)") \
    X(tcp, tail_loss_probes, "TCP tail loss probes sent (RFC 8985)")                  \
    X(tcp, tlp_recoveries, "TCP losses repaired by a tail loss probe")                \
    X(tcp, dsacks_received, "TCP D-SACKs received: a segment arrived twice (RFC 2883)") \
    X(tcp, dsacks_sent, "TCP D-SACKs sent: a segment came twice (RFC 2883)")          \
    X(tcp, spurious_rtos, "TCP timeouts found spurious and undone (RFC 3522, 3708, 4015)") \
    X(tcp, spurious_recoveries, "TCP fast recoveries found spurious and undone")      \
    X(tcp, timeouts, "TCP retransmission timeouts")                                   \
    X(tcp, timeout_aborts, "TCP connections given up after retransmissions")          \
    X(tcp, zero_window_probes, "TCP zero-window probes sent")                         \
    X(tcp, keepalive_probes, "TCP keepalive probes sent")                             \
    X(tcp, keepalive_aborts, "TCP connections dropped: keepalive unanswered")         \
    X(tcp, abort_on_close, "TCP resets sent: closed with unread data")                \
    X(tcp, abort_on_data, "TCP resets sent: data after close")                        \
    X(tcp, fin_wait_2_timeouts, "TCP orphaned FIN-WAIT-2 connections timed out")      \
    X(tcp, time_wait_expired, "TCP TIME-WAIT connections expired")                    \
    X(tcp, time_wait_reused, "TCP TIME-WAIT connections reopened by a new SYN")        \
    X(tcp, time_wait_recycled, "TCP TIME-WAIT connections ended early: connection limit")       \
    X(dns, queries, "DNS queries the resolver sent, retries included")                \
    X(dns, retries, "DNS queries sent again: no answer in time, or refused")          \
    X(dns, replies, "DNS answers the resolver accepted")                              \
    X(dns, rx_forged, "DNS answers ignored: wrong source, ID or question")            \
    X(dns, rx_malformed, "DNS answers that did not parse")                            \
    X(dns, rx_truncated, "DNS answers truncated, asked again over TCP")               \
    X(dns, timeouts, "DNS lookups given up: no server answered")                      \
    X(dns, cache_hits, "DNS lookups answered from the cache")                         \
    X(dns, negative_hits, "DNS lookups answered from the negative cache")             \
    X(dns, cache_misses, "DNS lookups the cache could not answer")                    \
    X(dns, cache_evictions, "DNS cache entries evicted before they expired")          \
    X(dns, server_queries, "DNS queries the server received")                         \
    X(dns, server_dropped, "DNS queries dropped unanswered: too short, or a response") \
    X(dns, server_formerr, "DNS queries answered FORMERR: malformed")                 \
    X(dns, server_truncated, "DNS replies over UDP truncated (TC set)")               \
    X(dns, server_tcp_evicted, "DNS TCP connections closed to make room for a new one") \
    X(dns, server_tcp_timeouts, "DNS TCP connections closed: a query not whole in time, or idle") \
    X(dns, server_rrl_dropped, "DNS replies over UDP dropped: response rate limit")    \
    X(dns, server_rrl_slipped, "DNS replies over UDP sent truncated: response rate limit") \
    X(dns, server_tx_failed, "DNS replies the socket would not take")

struct naru_counters {
#define NARU_COUNTER_FIELD(layer, name, desc) uint64_t layer##_##name;
    NARU_COUNTER_LIST(NARU_COUNTER_FIELD)
#undef NARU_COUNTER_FIELD
};

const struct naru_counters *naru_stack_counters(const struct naru_stack *stack);

/* Walk the counters by index, for printing: 0 .. naru_counter_count()-1. */
unsigned naru_counter_count(void);
const char *naru_counter_layer(unsigned index);
const char *naru_counter_name(unsigned index);
const char *naru_counter_description(unsigned index);
uint64_t naru_counter_value(const struct naru_counters *counters, unsigned index);
/* The index of the counter named "LAYER_NAME" (as the struct's field:
 * "tcp_retransmits", "ip6_forwarded"), or -1. */
int naru_counter_find(const char *full_name);

#endif
