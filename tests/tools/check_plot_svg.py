#!/usr/bin/env python3
"""Check an SVG of `naru plot` against the points it was drawn from.

usage: check_plot_svg.py GRAPH.svg POINTS.tsv

GRAPH.svg and POINTS.tsv are `naru plot ... --svg` and `--dump` of the same
connection. Checks that the SVG is well-formed XML (xml.etree) with an <svg>
root of a width and height; and that its marks are the points': one bar
(an "M x lo V hi" subpath) in the data, out-of-order and retransmission
paths for each segment of the direction that takes sequence space (no two
on the same pixels here), each in the path its marks say; bars placed by
one increasing map of time to x and one of sequence number to y (up); the
ACK line starting at the first ACK's time and never going down where the
ACKs do not; SYN and FIN labelled. Exits 1 with the reasons otherwise.
"""
import re
import sys
import xml.etree.ElementTree as ET

NS = "{http://www.w3.org/2000/svg}"


def bars(d):
    """The "Mx lo Vhi" subpaths of a data path: (x, lo, hi)."""
    return [(float(x), float(lo), float(hi)) for x, lo, hi in
            re.findall(r"M(-?[\d.]+) (-?[\d.]+)V(-?[\d.]+)", d or "")]


def main():
    svg_path, tsv_path = sys.argv[1:3]
    problems = []
    root = ET.parse(svg_path).getroot()
    if root.tag != NS + "svg" or not root.get("width") or not root.get("height"):
        problems.append(f"root is {root.tag} {root.attrib}")
    paths = {p.get("class"): p.get("d") for p in root.iter(NS + "path") if p.get("class")}
    texts = [t.text for t in root.iter(NS + "text")]

    rows = [l.rstrip("\n").split("\t") for l in open(tsv_path) if not l.startswith("#")]
    header, rows = rows[0], [dict(zip(rows[0], r)) for r in rows[1:]]
    data = [r for r in rows if r["dir"] == ">"]
    occupied = [r for r in data if int(r["len"]) > 0 or "S" in r["flags"] or "F" in r["flags"]]
    want = {"data": [], "out-of-order": [], "retransmission": []}
    for r in occupied:
        marks = r["marks"].split(",")
        kind = "retransmission" if "retransmission" in marks else "out-of-order" if "out-of-order" in marks else "data"
        want[kind].append(r)
    drawn = []
    for kind, expected in want.items():
        got = bars(paths.get(kind))
        if len(got) != len(expected):
            problems.append(f"{len(got)} bars in the {kind} path, {len(expected)} such segments")
        drawn += list(zip(got, expected))
    # One increasing map each way: later segments further right, higher
    # sequence numbers further up (smaller y).
    drawn.sort(key=lambda gr: (float(gr[1]["time"]), int(gr[1]["seq"])))
    for (g1, r1), (g2, r2) in zip(drawn, drawn[1:]):
        if float(r2["time"]) > float(r1["time"]) and g2[0] < g1[0] - 0.05:
            problems.append(f"frame {r2['frame']} is later than {r1['frame']} but drawn left of it")
    by_seq = sorted(drawn, key=lambda gr: int(gr[1]["seq"]))
    for (g1, r1), (g2, r2) in zip(by_seq, by_seq[1:]):
        if int(r2["seq"]) > int(r1["seq"]) and g2[1] > g1[1] + 0.05:
            problems.append(f"frame {r2['frame']} starts above {r1['frame']} but is drawn below it")
    for (x, lo, hi), r in drawn:
        if hi > lo:
            problems.append(f"frame {r['frame']}: bar drawn downwards ({lo} to {hi})")

    acks = [r for r in rows if r["dir"] == "<" and r["ack"] != "-"]
    if acks:
        m = re.match(r"M(-?[\d.]+) (-?[\d.]+)", paths.get("ack") or "")
        if not m:
            problems.append("no ACK line")
        ys = [float(y) for y in re.findall(r"V(-?[\d.]+)", paths.get("ack") or "")]
        if m:
            ys.insert(0, float(m.group(2)))
        values = [int(r["ack"]) for r in acks]
        if values == sorted(values) and any(b > a + 0.05 for a, b in zip(ys, ys[1:])):
            problems.append("the ACK line goes down though the ACKs never do")
        if "window" not in paths:
            problems.append("no window line")
    if any("S" in r["flags"] for r in data) and "SYN" not in texts:
        problems.append("the SYN is not labelled")
    if any("F" in r["flags"] for r in data) and "FIN" not in texts:
        problems.append("the FIN is not labelled")
    for legend in ("data", "ACK", "ACK + window"):
        if legend not in texts:
            problems.append(f"no '{legend}' in the legend")
    if want["retransmission"] and "retransmission" not in texts:
        problems.append("retransmissions drawn but not in the legend")

    for p in problems[:20]:
        print(f"check_plot_svg: {svg_path}: {p}")
    if not problems:
        print(f"check_plot_svg: {svg_path}: {len(drawn)} segments, each drawn where and as its point says")
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
