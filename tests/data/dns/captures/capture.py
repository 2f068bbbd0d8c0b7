#!/usr/bin/python3
"""Regenerate the captures: real messages from real DNS software, as hex.

  - queries BIND's dig sends (it listens on 127.0.0.1 and runs dig at itself);
  - replies NSD 4 sends for tests/data/dns/example.zone (NSD must be serving
    it on 127.0.0.1:NSD_PORT, as tests/interop/test_dns_differential.sh sets up).

usage: capture.py NSD_PORT   (writes *.hex beside this file)
"""
import os
import socket
import subprocess
import sys

here = os.path.dirname(os.path.abspath(__file__))


def save(name, note, data):
    with open(os.path.join(here, name + ".hex"), "w") as f:
        f.write("# %s\n" % note)
        for i in range(0, len(data), 32):
            f.write(data[i:i + 32].hex() + "\n")


def dig_query(name, args):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    p = subprocess.Popen(["dig", "@127.0.0.1", "-p", str(port), "+tries=1", "+time=1"] + args,
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    data, _ = s.recvfrom(4096)
    p.kill()
    p.wait()
    return data


def nsd_reply(port, query):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(2)
    s.sendto(query, ("127.0.0.1", port))
    data, _ = s.recvfrom(65535)
    return data


def main():
    port = int(sys.argv[1])
    save("dig_query_a", "BIND 9.18 dig: www.example A (RD, EDNS with a COOKIE option)",
         dig_query("www.example", ["www.example", "A"]))
    save("dig_query_txt_norec", "BIND 9.18 dig: esc.example TXT +norec +nocookie",
         dig_query("esc.example", ["esc.example", "TXT", "+norec", "+nocookie"]))
    save("dig_query_noedns", "BIND 9.18 dig: WwW.ExAmPlE AAAA +noedns",
         dig_query("WwW.ExAmPlE", ["WwW.ExAmPlE", "AAAA", "+noedns"]))
    for name, args, note in [
        ("nsd_reply_mx", ["example", "MX", "+norec", "+nocookie"],
         "NSD 4.6: example MX, with authority NS and additional addresses"),
        ("nsd_reply_chain", ["chain1.example", "A", "+norec", "+nocookie"],
         "NSD 4.6: chain1.example A, a CNAME chain"),
        ("nsd_reply_nxdomain", ["nope.example", "A", "+norec", "+nocookie"],
         "NSD 4.6: nope.example A, NXDOMAIN with the SOA"),
        ("nsd_reply_referral", ["host.sub.example", "A", "+norec", "+nocookie"],
         "NSD 4.6: host.sub.example A, a referral with glue"),
        ("nsd_reply_types", ["odd.example", "TYPE65534", "+norec", "+nocookie"],
         "NSD 4.6: odd.example TYPE65534, an unknown type"),
        ("nsd_reply_srv", ["_sip._udp.example", "SRV", "+norec", "+nocookie"],
         "NSD 4.6: _sip._udp.example SRV"),
        ("nsd_reply_truncated", ["big.example", "TXT", "+norec", "+nocookie", "+ignore"],
         "NSD 4.6: big.example TXT over UDP, truncated (TC)"),
        ("nsd_reply_caa_aaaa", ["ns2.example", "AAAA", "+norec", "+nocookie"],
         "NSD 4.6: ns2.example AAAA"),
    ]:
        q = dig_query(args[0], args)
        save(name, note, nsd_reply(port, q))


if __name__ == "__main__":
    main()
