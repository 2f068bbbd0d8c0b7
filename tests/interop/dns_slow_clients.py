#!/usr/bin/python3
"""Slow-loris clients for a DNS server over TCP (used by test_dns_slow_clients.sh).

Opens PER_SOURCE connections from each source address; each sends the
two-byte length of a 40-byte query and then one byte every INTERVAL seconds,
never finishing it. A connection the server closes is opened again at once,
so the server always has as many slow clients as it will take. Writes READY
(a file) once every connection has sent its first byte, runs for SECONDS,
then prints one line:

  opened N closed M max_life SECS still_open K

where closed counts the connections the server ended, max_life is the
longest any of those lived from its first byte, and still_open counts the
connections open at the end that had lived longer than GRACE seconds.

usage: dns_slow_clients.py SERVER PORT SOURCES PER_SOURCE SECONDS INTERVAL READY GRACE
"""
import errno
import selectors
import socket
import sys
import time

server, port = sys.argv[1], int(sys.argv[2])
sources = sys.argv[3].split(",")
per_source, seconds = int(sys.argv[4]), float(sys.argv[5])
interval, ready, grace = float(sys.argv[6]), sys.argv[7], float(sys.argv[8])

sel = selectors.DefaultSelector()
opened = closed = 0
max_life = 0.0


class Conn:
    def __init__(self, source):
        global opened
        self.source = source
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.bind((source, 0))
        self.sock.settimeout(5)
        self.sock.connect((server, port))
        self.sock.setblocking(False)
        self.sock.send(b"\x00\x28")   # a 40-byte query is on its way...
        self.first = self.last = time.monotonic()
        sel.register(self.sock, selectors.EVENT_READ, self)
        opened += 1

    def trickle(self, now):
        if now - self.last >= interval:
            self.last = now
            try:
                self.sock.send(b"x")   # ...one byte at a time
            except OSError:
                pass               # closed under us: the read side sees it

    def gone(self):
        try:
            return self.sock.recv(512) == b""
        except BlockingIOError:
            return False
        except OSError as e:
            return e.errno in (errno.ECONNRESET, errno.EPIPE)


conns = [Conn(s) for s in sources for _ in range(per_source)]
open(ready, "w").close()
retry = []                     # sources whose new connection failed: try again
end = time.monotonic() + seconds
while True:
    now = time.monotonic()
    if now >= end:
        break
    for key, _ in sel.select(timeout=0.05):
        c = key.data
        if c.gone():
            closed += 1
            max_life = max(max_life, time.monotonic() - c.first)
            sel.unregister(c.sock)
            c.sock.close()
            conns.remove(c)
            retry.append(c.source)
    for source in retry[:]:
        try:
            conns.append(Conn(source))
            retry.remove(source)
        except OSError:
            break
    now = time.monotonic()
    for c in conns:
        c.trickle(now)
still_open = sum(1 for c in conns if time.monotonic() - c.first > grace)
print("opened %d closed %d max_life %.2f still_open %d" % (opened, closed, max_life, still_open))
