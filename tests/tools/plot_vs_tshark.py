#!/usr/bin/env python3
"""Check `naru plot --dump` against tshark's TCP analysis of the same capture.

usage: plot_vs_tshark.py NARU CAPTURE [--before-loss] [--retransmissions N] [--conns N]

For every TCP connection `naru plot --list` finds, the points `naru plot
--flow I --dump -` draws are compared, frame by frame, with tshark's fields
for tcp.stream == I:
  - the same frames, in the same connection (naru's index is tcp.stream);
  - time (frame.time_relative, to the nanosecond), relative seq (tcp.seq),
    tcp.len, relative ack (tcp.ack, where the ACK flag is set), the scaled
    window (tcp.window_size), SACK blocks (tcp.options.sack_le/re);
  - keep-alives, duplicate ACKs and zero windows exactly as tshark marks
    them;
  - retransmissions: naru's are exactly the segments tcptrace's rule picks
    (some of their sequence space seen before in that direction), worked
    out here from tshark's own numbers, and out-of-order segments likewise
    (all new, but below the highest); every segment tshark calls a
    retransmission (plain, fast or spurious) naru calls one too, or calls
    out-of-order: downstream of a loss the resent copy is the first this
    capture saw.
--before-loss: the capture was taken before any loss (naru's simulator
captures a link where frames enter it), so every segment tshark calls a
retransmission must be one for naru;
--retransmissions N: fail unless at least N data segments were marked
retransmissions (so a capture meant to have losses is shown to have them);
--conns N: fail unless naru found exactly N connections.

Prints TAP lines ("ok N - ...", "not ok N - ...") and exits 1 on a failure.
"""
import subprocess
import sys

FIELDS = [
    "frame.number", "tcp.stream", "frame.time_relative", "tcp.flags", "tcp.seq", "tcp.len", "tcp.ack",
    "tcp.window_size", "tcp.analysis.retransmission", "tcp.analysis.fast_retransmission",
    "tcp.analysis.spurious_retransmission", "tcp.analysis.out_of_order", "tcp.analysis.duplicate_ack",
    "tcp.analysis.zero_window", "tcp.options.sack_le", "tcp.options.sack_re", "tcp.analysis.keep_alive",
    "icmp.type", "icmpv6.type",
]
ACK = 0x10
SYN = 0x02
FIN = 0x01

checks = 0
failures = 0


def report(ok, what, detail=()):
    global checks, failures
    checks += 1
    if ok:
        print(f"ok {checks} - {what}")
    else:
        failures += 1
        print(f"not ok {checks} - {what}")
        for line in list(detail)[:20]:
            print(f"#   {line}")


def signed32(v):
    """tshark prints relative numbers modulo 2^32; naru keeps the sign."""
    v %= 1 << 32
    return v - (1 << 32) if v >= 1 << 31 else v


def tshark_rows(capture):
    cmd = ["tshark", "-r", capture, "-o", "tcp.desegment_tcp_streams:FALSE", "-Y", "tcp", "-T", "fields",
           "-E", "occurrence=a", "-E", "separator=\t"]
    for f in FIELDS:
        cmd += ["-e", f]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    rows = {}
    for line in out.splitlines():
        v = dict(zip(FIELDS, line.split("\t")))
        if v["icmp.type"] or v["icmpv6.type"]:
            continue  # a TCP header quoted in an ICMP error: not a segment of the connection
        rows[int(v["frame.number"])] = v
    return rows


def naru_list(naru, capture):
    out = subprocess.run([naru, "plot", capture, "--list"], check=True, capture_output=True, text=True).stdout
    lines = out.splitlines()[2:]  # the file line and the header
    return [int(line.split()[0]) for line in lines if line.strip()]


def naru_dump(naru, capture, index):
    out = subprocess.run([naru, "plot", capture, "--flow", str(index), "--dump", "-"], check=True,
                         capture_output=True, text=True).stdout
    lines = [l for l in out.splitlines() if not l.startswith("#")]
    header = lines[0].split("\t")
    return [dict(zip(header, l.split("\t"))) for l in lines[1:]]


def tcptrace_marks(rows):
    """Per frame: 'retransmission' if some of its sequence space was seen
    before in its direction, 'out-of-order' if all new but below the
    highest seen; from tshark's seq, len and flags alone."""
    seen = {}     # (stream, direction) -> list of [start, end) ranges
    highest = {}
    marks = {}
    for frame in sorted(rows):
        r = rows[frame]
        flags = int(r["tcp.flags"], 16)
        start = signed32(int(r["tcp.seq"]))
        end = start + int(r["tcp.len"]) + (1 if flags & SYN else 0) + (1 if flags & FIN else 0)
        key = (r["tcp.stream"], r["direction"])
        ranges = seen.setdefault(key, [])
        mark = ""
        if end > start:
            overlap = sum(max(0, min(end, b) - max(start, a)) for a, b in ranges)
            if overlap:
                mark = "retransmission"
            elif key in highest and start < highest[key]:
                mark = "out-of-order"
            ranges.append((start, end))
            ranges.sort()
            merged = []
            for a, b in ranges:
                if merged and a <= merged[-1][1]:
                    merged[-1] = (merged[-1][0], max(merged[-1][1], b))
                else:
                    merged.append((a, b))
            seen[key] = merged
        if key not in highest or end > highest[key]:
            highest[key] = end
        marks[frame] = mark
    return marks


def main():
    args = sys.argv[1:]
    if len(args) < 2:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    naru, capture = args[0], args[1]
    want_rexmit = int(args[args.index("--retransmissions") + 1]) if "--retransmissions" in args else 0
    want_conns = int(args[args.index("--conns") + 1]) if "--conns" in args else None
    strict = "--before-loss" in args
    name = capture.rsplit("/", 1)[-1]

    rows = tshark_rows(capture)
    indexes = naru_list(naru, capture)
    if want_conns is not None:
        report(len(indexes) == want_conns, f"{name}: naru finds {want_conns} TCP connections",
               [f"found {len(indexes)}"])
    streams = sorted({int(r["tcp.stream"]) for r in rows.values()})
    report(indexes == streams, f"{name}: naru's connections are tshark's tcp.stream 0..{len(streams) - 1}",
           [f"naru {indexes}", f"tshark {streams}"])

    dumps = {i: naru_dump(naru, capture, i) for i in indexes}
    # Directions as naru names them, for the tcptrace rule below.
    for i, dump in dumps.items():
        for seg in dump:
            f = int(seg["frame"])
            if f in rows:
                rows[f]["direction"] = seg["dir"]
    marks = tcptrace_marks({f: r for f, r in rows.items() if "direction" in r})

    compared = rexmits = tshark_rexmits = dupacks = sacks = 0
    for i, dump in dumps.items():
        frames = {int(s["frame"]) for s in dump}
        tshark_frames = {f for f, r in rows.items() if int(r["tcp.stream"]) == i}
        report(frames == tshark_frames, f"{name}: connection {i} holds tcp.stream {i}'s {len(tshark_frames)} frames",
               [f"only naru: {sorted(frames - tshark_frames)[:10]}",
                f"only tshark: {sorted(tshark_frames - frames)[:10]}"])
        bad = []
        for s in dump:
            f = int(s["frame"])
            r = rows.get(f)
            if r is None:
                continue
            compared += 1
            flags = int(r["tcp.flags"], 16)
            problems = []
            if s["time"] != r["frame.time_relative"]:
                problems.append(f"time {s['time']} vs {r['frame.time_relative']}")
            if signed32(int(s["seq"])) != signed32(int(r["tcp.seq"])):
                problems.append(f"seq {s['seq']} vs {r['tcp.seq']}")
            if s["len"] != r["tcp.len"]:
                problems.append(f"len {s['len']} vs {r['tcp.len']}")
            if flags & ACK and signed32(int(s["ack"])) != signed32(int(r["tcp.ack"])):
                problems.append(f"ack {s['ack']} vs {r['tcp.ack']}")
            if s["win"] != r["tcp.window_size"]:
                problems.append(f"window {s['win']} vs {r['tcp.window_size']}")
            ours = set(s["marks"].split(",")) - {"-"}
            tshark_rexmit = any(r[k] for k in ("tcp.analysis.retransmission", "tcp.analysis.fast_retransmission",
                                               "tcp.analysis.spurious_retransmission"))
            # Downstream of a loss the resent copy fills a hole: tcptrace's
            # rule calls it out-of-order (its bytes are new here).
            if tshark_rexmit and "retransmission" not in ours and (strict or "out-of-order" not in ours):
                problems.append("tshark marks a retransmission, naru does not")
            expected = marks.get(f, "")
            for m in ("retransmission", "out-of-order"):
                if (m in ours) != (expected == m):
                    problems.append(f"{m}: naru {'yes' if m in ours else 'no'}, tcptrace's rule "
                                    f"{'yes' if expected == m else 'no'}")
            if ("dup-ack" in ours) != bool(r["tcp.analysis.duplicate_ack"]):
                problems.append(f"dup-ack: naru {'dup-ack' in ours}, tshark {bool(r['tcp.analysis.duplicate_ack'])}")
            if ("zero-window" in ours) != bool(r["tcp.analysis.zero_window"]):
                problems.append(f"zero-window: naru {'zero-window' in ours}, tshark {bool(r['tcp.analysis.zero_window'])}")
            if ("keep-alive" in ours) != bool(r["tcp.analysis.keep_alive"]):
                problems.append(f"keep-alive: naru {'keep-alive' in ours}, tshark {bool(r['tcp.analysis.keep_alive'])}")
            their_sack = []
            if r["tcp.options.sack_le"]:
                their_sack = [f"{signed32(int(a))}-{signed32(int(b))}" for a, b in
                              zip(r["tcp.options.sack_le"].split(","), r["tcp.options.sack_re"].split(","))]
            our_sack = [] if s["sack"] == "-" else s["sack"].split(",")
            if our_sack != their_sack:
                problems.append(f"sack {our_sack} vs {their_sack}")
            if problems:
                bad.append(f"frame {f}: " + "; ".join(problems))
            if "retransmission" in ours and int(s["len"]) > 0:
                rexmits += 1
            if tshark_rexmit:
                tshark_rexmits += 1
            dupacks += "dup-ack" in ours
            sacks += len(our_sack)
        report(not bad, f"{name}: connection {i}: every segment's time, seq, len, ack, window, SACK and marks "
               f"agree with tshark ({len(dump)} segments)", bad)
    print(f"# {name}: {compared} segments compared; {rexmits} data retransmissions "
          f"({tshark_rexmits} so marked by tshark), {dupacks} duplicate ACKs, {sacks} SACK blocks")
    if want_rexmit:
        report(rexmits >= want_rexmit, f"{name}: at least {want_rexmit} retransmissions seen",
               [f"{rexmits} seen"])
    report(compared > 0, f"{name}: segments were compared")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
