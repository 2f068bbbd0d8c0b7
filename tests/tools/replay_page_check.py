#!/usr/bin/env python3
"""The replay page (naru demo --html) opened in headless Chromium, checked
against the captures of the same run and against tshark.

Chromium runs as a user would open the file, at each address
(FILE.html#link=NAME&frame=N; the frames in iframes of one page, so that
one browser serves them all): --dump-dom gives the DOM after the scripts
ran, --enable-logging the console, --log-net-log every request made. No driver library: the page's hooks (<main data-frames>,
data-layer, data-field/data-value, data-ready) are all in the DOM. Host
names resolve to nothing (--host-resolver-rules), so neither the page nor
the browser's own background traffic can reach a network.

usage: replay_page_check.py PAGE.html PCAP_DIR ARTEFACT_DIR NARU
Prints TAP lines; exit status 1 when a check failed."""
import html.parser
import json
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile

page, pcap_dir, artefacts, naru = sys.argv[1:5]
checks = failed = 0


def ok(cond, what, *detail):
    global checks, failed
    checks += 1
    print(("ok %d - %s" if cond else "not ok %d - %s") % (checks, what))
    if not cond:
        failed += 1
        for d in detail:
            for line in str(d).splitlines()[:30]:
                print("#   " + line)
    return cond


profile = tempfile.mkdtemp(prefix="naru-replay-chromium-")
CHROMIUM = ["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
            "--disable-default-apps", "--disable-domain-reliability", "--no-first-run",
            "--no-default-browser-check", "--host-resolver-rules=MAP * ~NOTFOUND",
            "--user-data-dir=" + profile, "--virtual-time-budget=5000"]


def chromium(url, *extra, netlog=None):
    args = CHROMIUM + list(extra)
    if netlog:
        args.append("--log-net-log=" + netlog)
    r = subprocess.run(args + [url], capture_output=True, text=True, timeout=120)
    return r.stdout, r.stderr


def console_lines(stderr):
    return [l for l in stderr.splitlines() if "CONSOLE" in l]


class Fields(html.parser.HTMLParser):
    """<main>'s attributes, the layers, and each field's name and value in
    document order."""

    def __init__(self):
        super().__init__()
        self.main, self.layers, self.fields = {}, [], []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "main":
            self.main = a
        if "data-layer" in a:
            self.layers.append(a["data-layer"])
        if "data-field" in a:
            self.fields.append((a["data-field"], a.get("data-value", "")))


def pcap_count(path):
    with open(path, "rb") as f:
        data = f.read()
    magic = struct.unpack("<I", data[:4])[0]
    end = "<" if magic in (0xA1B2C3D4, 0xA1B23C4D) else ">"
    off, n = 24, 0
    while off + 16 <= len(data):
        incl = struct.unpack(end + "I", data[off + 8:off + 12])[0]
        off += 16 + incl
        n += 1
    return n


def tshark(pcap, filt, fields):
    args = ["tshark", "-n", "-o", "tcp.desegment_tcp_streams:FALSE", "-o", "tcp.relative_sequence_numbers:TRUE",
            "-r", pcap, "-Y", filt, "-T", "fields", "-E", "separator=/t", "-E", "occurrence=a",
            "-E", "aggregator=,"]
    for f in fields:
        args += ["-e", f]
    r = subprocess.run(args, capture_output=True, text=True, timeout=120)
    return [l.split("\t") for l in r.stdout.splitlines()]


links = sorted(os.path.splitext(f)[0] for f in os.listdir(pcap_dir) if f.endswith(".pcap"))
total = sum(pcap_count(os.path.join(pcap_dir, l + ".pcap")) for l in links)

# ---- the page as it opens: data-frames, no console errors, no requests ----
netlog = os.path.join(profile, "net.json")
out, err = chromium("file://" + os.path.abspath(page), "--dump-dom", "--enable-logging=stderr", "--v=0",
                    netlog=netlog)
first = Fields()
first.feed(out)
ok(first.main.get("data-ready") == "1", "the page's script ran to its end", err[-2000:])
ok(first.main.get("data-frames") == str(total),
   "<main data-frames> is the sum of frames in the run's captures (%d)" % total, first.main)
ok(not console_lines(err), "no console messages (errors, CSP violations) on opening", *console_lines(err))


def page_requests(path):
    """URLs the page asked for: requests with an initiator (the browser's
    own background requests have none: 'not an origin')."""
    try:
        events = json.load(open(path))["events"]
    except (OSError, ValueError):
        return None
    urls = set()
    for e in events:
        p = e.get("params", {})
        if "url" in p and "initiator" in p and p["initiator"] != "not an origin":
            urls.add(p["url"])
    return urls


urls = page_requests(netlog)
bad = sorted(u for u in (urls or ()) if not (u.startswith("data:") or u.startswith("file://")))
ok(urls is not None and not bad, "the page requests nothing but itself and data: URLs", *bad)
# The same check on a copy with an image from the network, and without the
# page's Content-Security-Policy, sees the request: the check can fail.
with open(page) as f:
    text = f.read()
leaky = os.path.join(profile, "leaky.html")
with open(leaky, "w") as f:
    f.write(re.sub(r'<meta http-equiv="Content-Security-Policy"[^>]*>', "", text, count=1)
            .replace("<main ", '<img src="http://198.18.0.1/x.png"><main ', 1))
chromium("file://" + leaky, "--dump-dom", netlog=netlog + "2")
ok(any("198.18.0.1" in u for u in (page_requests(netlog + "2") or ())),
   "the request check sees a request a page makes (a copy with an image from 198.18.0.1)")

# ---- the page's TCP data against naru plot --dump on the same captures ----
m = re.search(r'<script type="application/json" id="naru-data">(.*?)</script>', text, re.S)
data = json.loads(m.group(1))
FLAGS = "FSRPAUEC"


def flag_text(v):
    s = "".join(c for k, c in enumerate(FLAGS) if v >> k & 1)
    order = "SAFRPUEC"  # tsg_format_flags' order
    return "".join(c for c in order if c in s) or "-"


# Every frame that was neither lost nor refused arrived (the demo waits for
# the last ones), and no sooner than its link's delay after it left.
early = [f[:7] for f in data["frames"] if f[3] >= 0 and f[3] - f[2] < data["links"][f[0]]["delay"]]
missing = [f[:7] for f in data["frames"] if f[3] < 0 and not f[5] & 3]
ok(not early and not missing and data["frames"],
   "every frame not lost or refused arrived, no sooner than its link's delay (%d frames)" % len(data["frames"]),
   "early: %s" % early[:5], "never arrived: %s" % missing[:5])
lost = [f for f in data["frames"] if f[5] & 1]
ok(lost and all(f[3] < 0 for f in lost), "lost frames are marked so and never arrive (%d)" % len(lost))

MARKS = ["retransmission", "out-of-order", "dup-ack", "zero-window", "keep-alive"]
compared = 0
for c in data["tcp"]:
    link = data["links"][c["link"]]["name"]
    dump = subprocess.run([naru, "plot", os.path.join(pcap_dir, link + ".pcap"), "--flow", str(c["stream"]),
                           "--dump", "-"], capture_output=True, text=True).stdout.splitlines()
    header = dump[1].split("\t") if len(dump) > 1 else []
    want = {}
    for line in dump[2:]:
        row = dict(zip(header, line.split("\t")))
        want[int(row["frame"])] = row
    got = {}
    for d in c["dir"]:
        for s in d["seg"]:
            frame, t, seq, ln, flags, marks, ack, win, sack = s
            got[frame] = {"time": "%d.%09d" % divmod(t, 10**9), "seq": str(seq), "len": str(ln),
                          "ack": str(ack) if ack >= 0 else "-", "win": str(win),
                          "marks": ",".join(n for k, n in enumerate(MARKS) if marks >> k & 1) or "-",
                          "sack": ",".join("%d-%d" % (sack[k], sack[k + 1]) for k in range(0, len(sack), 2)) or "-"}
    diffs = [(f, k, got.get(f, {}).get(k), want[f][k]) for f in want for k in got.get(f, {"missing": 1})
             if k != "missing" and got[f][k] != want[f][k]]
    diffs += [(f, "missing", None, None) for f in want if f not in got]
    ok(want and len(got) == len(want) and not diffs,
       "%s connection %d: the page's time-sequence points are naru plot --dump's (%d segments)" %
       (link, c["stream"], len(want)), *diffs[:10])
    compared += 1
ok(compared > 0, "the page has TCP connections to compare")

# ---- frames of every kind: layers and field values against tshark ----
KINDS = [  # (what, display filter, layers the page must show)
    ("ARP request", "arp.opcode == 1", ["ethernet", "arp"]),
    ("ARP reply", "arp.opcode == 2", ["ethernet", "arp"]),
    ("DNS query", "dns.flags.response == 0", ["ethernet", "ipv4", "udp", "dns"]),
    ("DNS answer", "dns.flags.response == 1", ["ethernet", "ipv4", "udp", "dns"]),
    ("ICMP echo request", "icmp.type == 8", ["ethernet", "ipv4", "icmp"]),
    ("ICMP echo reply", "icmp.type == 0", ["ethernet", "ipv4", "icmp"]),
    ("ICMP time exceeded", "icmp.type == 11", ["ethernet", "ipv4", "icmp", "ipv4", "udp"]),
    ("ICMP port unreachable", "icmp.type == 3", ["ethernet", "ipv4", "icmp", "ipv4", "udp"]),
    ("UDP datagram", "udp.dstport == 5001", ["ethernet", "ipv4", "udp"]),
    ("TCP SYN", "tcp.flags == 0x002", ["ethernet", "ipv4", "tcp"]),
    ("TCP SYN-ACK", "tcp.flags == 0x012", ["ethernet", "ipv4", "tcp"]),
    ("HTTP request", "http.request", ["ethernet", "ipv4", "tcp", "http"]),
    ("HTTP response", "http.response", ["ethernet", "ipv4", "tcp", "http"]),
    ("TCP data", "tcp.len > 1000 && !http", ["ethernet", "ipv4", "tcp"]),
    ("TCP ACK with SACK", "tcp.options.sack_le", ["ethernet", "ipv4", "tcp"]),
    ("TCP retransmission", "tcp.analysis.retransmission", ["ethernet", "ipv4", "tcp"]),
    ("TCP FIN", "tcp.flags.fin == 1", ["ethernet", "ipv4", "tcp"]),
    ("IPv6", "ipv6", ["ethernet", "ipv6"]),
]
# One browser opens the page once per frame, each in an iframe of a page
# the test writes (file:// pages read each other's DOM with
# --allow-file-access-from-files): one launch instead of one per frame.
picked = []
for n, (what, filt, layers) in enumerate(KINDS):
    found = None
    for k in range(len(links)):  # each kind from a different link where it can
        link = links[(n + k) % len(links)]
        rows = tshark(os.path.join(pcap_dir, link + ".pcap"), filt, ["frame.number"])
        if rows:  # the first, the middle and the last of them
            found = (link, [int(rows[0][0]), int(rows[len(rows) // 2][0]), int(rows[-1][0])])
            break
    if found:
        for frame in sorted(set(found[1])):
            picked.append((what, found[0], frame, layers))
    elif what == "IPv6":
        checks += 1
        print("ok %d - # SKIP no IPv6 frames in this run" % checks)
    else:
        ok(False, "the run has a frame of kind %s (%s)" % (what, filt))
frames_page = os.path.join(profile, "frames.html")
with open(frames_page, "w") as f:
    f.write("""<!DOCTYPE html><html><body><pre id="result"></pre><script>
const page = %s, items = %s, out = [];
let left = items.length;
items.forEach((it, k) => {
  const f = document.createElement('iframe');
  f.style.width = '1280px'; f.style.height = '900px';
  f.onload = () => {
    try {
      const d = f.contentDocument, m = d.querySelector('main');
      out[k] = { selected: m.dataset.selected || '', ready: m.dataset.ready || '',
        layers: Array.from(d.querySelectorAll('[data-layer]'), (e) => e.dataset.layer),
        fields: Array.from(d.querySelectorAll('[data-field]'), (e) => [e.dataset.field, e.dataset.value]) };
    } catch (e) { out[k] = { error: String(e) }; }
    if (--left === 0) document.getElementById('result').textContent = JSON.stringify(out);
  };
  f.src = page + '#link=' + it[0] + '&frame=' + it[1];
  document.body.appendChild(f);
});
</script></body></html>""" % (json.dumps("file://" + os.path.abspath(page)),
                              json.dumps([[link, frame] for _, link, frame, _ in picked])))
out, err = chromium("file://" + frames_page, "--allow-file-access-from-files", "--dump-dom",
                    "--enable-logging=stderr", "--v=0")
m = re.search(r'<pre id="result">(.*?)</pre>', out, re.S)
results = json.loads(html.unescape(m.group(1))) if m and m.group(1) else []
ok(len(results) == len(picked), "the page opened once for each of %d frames" % len(picked), out[-2000:])
console = console_lines(err)
ok(not console, "no console messages on any of them", *console)
# tshark once per link: every field the page showed, for every frame opened.
theirs_all = {}
for link in links:
    mine = [(frame, r) for (_, l, frame, _), r in zip(picked, results) if l == link and "fields" in r]
    if not mine:
        continue
    names = sorted({f for _, r in mine for f, _ in r["fields"]})
    for row in tshark(os.path.join(pcap_dir, link + ".pcap"),
                      " || ".join("frame.number == %d" % f for f, _ in mine), ["frame.number"] + names):
        theirs_all[(link, int(row[0]))] = dict(zip(names, row[1:]))
for (what, link, frame, layers), r in zip(picked, results):
    if not ok("error" not in r and r["selected"] == "%s:%d" % (link, frame) and r["layers"][:len(layers)] == layers,
              "%s: %s frame %d opens with layers %s" % (what, link, frame, " > ".join(layers)), r):
        continue
    names = []
    for f, _ in r["fields"]:
        if f not in names:
            names.append(f)
    values = {f: ",".join(v for g, v in r["fields"] if g == f) for f in names}
    theirs = theirs_all.get((link, frame), {})
    diffs = ["%s: page %r, tshark %r" % (f, values[f], theirs.get(f)) for f in names if values[f] != theirs.get(f)]
    ok(names and not diffs, "%s: %s frame %d: every field's data-value is tshark -T fields' (%d fields)" % (what, link, frame, len(names)),
       *diffs)

# ---- screenshots: desktop and phone ----
os.makedirs(artefacts, exist_ok=True)
for name, size in (("desktop", "1280,1400"), ("phone", "375,1800")):
    shot = os.path.join(artefacts, "replay-%s.png" % name)
    if os.path.exists(shot):
        os.remove(shot)
    chromium("file://%s#link=%s&frame=%d" % (os.path.abspath(page), links[0], 5), "--window-size=" + size,
             "--screenshot=" + shot)
    ok(os.path.exists(shot) and os.path.getsize(shot) > 10000, "a %s-size screenshot (%s)" % (name, shot))

shutil.rmtree(profile, ignore_errors=True)
print("1..%d" % checks)
sys.exit(1 if failed else 0)
