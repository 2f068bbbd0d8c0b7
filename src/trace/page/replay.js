/* naru's replay page: plays a simulated run back from the data written
 * into the page (src/trace/replay_html.c). Nothing is fetched.
 *
 * The data (one JSON object in #naru-data):
 *   nodes  [{name, kind: host|router|switch}]
 *   links  [{name, a, b (node index or -1), rate (bit/s), delay (ns), loss, reorder, frames}]
 *   frames [[link, from_end, sent_ns, arrive_ns (-1: never), number (in the link's pcap; 0: refused),
 *            flags (1 lost, 2 refused, 4 held back, 8 duplicated, 16 corrupted), length, base64 of the
 *            first snaplen bytes]] in time order
 *   chapters [{start, end, title, text}]
 *   tcp    [{link, stream, t0 (ns of the link's first frame), dir: [{src, dst, seg: [[frame, time_ns since
 *            t0, seq, len, flags, marks, ack (-1: no ACK flag), window, [sack left, right, ...]]]}]}]
 *            from flowtrace (src/trace), so the same as naru plot --dump on the link's capture
 *   cc     [{node, src, dst, s: [[time_ns, cwnd, ssthresh, rtt_us]]}] the sender's own state
 *
 * Only what is visible is drawn: packets in flight at the current time
 * (found by binary search), the frame list's visible rows, and the graphs
 * drawn once per connection into an offscreen canvas. The layer view
 * dissects one frame, when it is selected; its field names and values
 * are those of tshark -T fields (Wireshark's display filter names). */
'use strict';
(function () {
  const D = JSON.parse(document.getElementById('naru-data').textContent);
  const $ = (id) => document.getElementById(id);
  const main = $('replay');
  const t0perf = performance.now();
  const F = D.frames;
  const END = Math.max(D.end, F.length ? F[F.length - 1][2] : 0);
  const LOST = 1, DROPPED = 2;
  const state = { t: 0, playing: false, speed: 3, sel: -1, conn: -1, last: 0 };
  /* The page's own words, English unless the run gave them in its
   * language (naru_replay_word(); {x} marks are filled in). */
  const WORDS = Object.assign({
    lang: 'en', steps: 'Steps', speed: 'Speed', connection: 'Connection', no_frame: 'No frame selected',
    col_link: 'link', col_number: 'No.', col_time: 'time', col_from_to: 'from \u2192 to', col_what: 'what',
    start: 'Start', frame_of: 'Frame {n} of {link}', refused_on: 'Refused frame on {link}', bytes: '{n} bytes',
    first_kept: '(first {n} kept)', sent: 'sent {t} ms', arrived: 'arrived {t} ms', lost: 'lost on the link',
    refused: 'refused: queue full or too big',
  }, D.words || {});
  const word = (k, v) => WORDS[k].replace(/\{(\w+)\}/g, (m, x) => (v && x in v ? v[x] : m));
  document.documentElement.lang = WORDS.lang;
  document.querySelectorAll('[data-word]').forEach((e) => {
    e.firstChild.textContent = word(e.dataset.word) + (e.children.length ? ' ' : '');
  });
  const SPEEDS = [1e-4, 1e-3, 0.01, 0.03, 0.1, 0.3, 1, 10];
  const SPEED_TEXT = ['1/10000', '1/1000', '1/100', '1/30', '1/10', '1/3', '1', '10'];

  /* ---- frames ---- */
  function bytesOf(i) {
    const f = F[i];
    if (f.bytes) return f.bytes;
    const s = atob(f[7]);
    const b = new Uint8Array(s.length);
    for (let k = 0; k < s.length; k++) b[k] = s.charCodeAt(k);
    f.bytes = b;
    return b;
  }
  function duration(f) {
    if (f[3] >= 0) return Math.max(1, f[3] - f[2]);
    const l = D.links[f[0]];
    return (l.rate ? f[6] * 8e9 / l.rate : 0) + l.delay + 1;
  }
  let maxDur = 1;
  for (const f of F) maxDur = Math.max(maxDur, duration(f));
  function firstAtOrAfter(t) {
    let lo = 0, hi = F.length;
    while (lo < hi) { const m = (lo + hi) >> 1; if (F[m][2] < t) lo = m + 1; else hi = m; }
    return lo;
  }
  const byNumber = new Map(); /* "link:number" -> index, built when first asked */
  function frameIndex(link, number) {
    if (!byNumber.size) F.forEach((f, i) => { if (f[4]) byNumber.set(f[0] + ':' + f[4], i); });
    const i = byNumber.get(link + ':' + number);
    return i === undefined ? -1 : i;
  }
  const nodeName = (n) => (n >= 0 && D.nodes[n] ? D.nodes[n].name : '?');
  function ends(f) {
    const l = D.links[f[0]];
    return f[1] === 0 ? [l.a, l.b] : [l.b, l.a];
  }
  function ms(ns) { return (ns / 1e6).toFixed(3); }

  /* ---- the dissector: tshark's field names and -T fields formats ---- */
  const hex = (v, w) => '0x' + (v >>> 0).toString(16).padStart(w, '0');
  const mac = (b, o) => Array.from(b.subarray(o, o + 6), (x) => x.toString(16).padStart(2, '0')).join(':');
  const ip4 = (b, o) => b[o] + '.' + b[o + 1] + '.' + b[o + 2] + '.' + b[o + 3];
  const u16 = (b, o) => (b[o] << 8) | b[o + 1];
  const u32 = (b, o) => ((b[o] << 24) | (b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3]) >>> 0;
  function ip6(b, o) {
    const w = [];
    for (let k = 0; k < 8; k++) w.push(u16(b, o + 2 * k));
    let best = -1, bestLen = 1;
    for (let k = 0; k < 8;) {
      if (w[k]) { k++; continue; }
      let e = k; while (e < 8 && !w[e]) e++;
      if (e - k > bestLen) { best = k; bestLen = e - k; }
      k = e;
    }
    const h = w.map((x) => x.toString(16));
    if (best < 0) return h.join(':');
    return h.slice(0, best).join(':') + '::' + h.slice(best + bestLen).join(':');
  }
  function Layer(name, label, start) { this.name = name; this.label = label; this.start = start; this.end = start; this.fields = []; }
  Layer.prototype.add = function (f, label, v, start, len) { this.fields.push({ f, label, v: String(v), start, len }); };
  function dissect(b, len, link, number) {
    const L = [];
    if (b.length < 14) return L;
    const eth = new Layer('ethernet', 'Ethernet II', 0);
    eth.add('eth.dst', 'Destination', mac(b, 0), 0, 6);
    eth.add('eth.src', 'Source', mac(b, 6), 6, 6);
    const type = u16(b, 12);
    eth.add('eth.type', 'Type', hex(type, 4), 12, 2);
    eth.end = 14;
    L.push(eth);
    if (type === 0x0806) arp(b, 14, L);
    else if (type === 0x0800) ipv4(b, 14, L, link, number, false);
    else if (type === 0x86dd) ipv6(b, 14, L, link, number, false);
    return L;
  }
  function arp(b, o, L) {
    if (b.length < o + 28) return;
    const a = new Layer('arp', 'Address Resolution Protocol', o);
    a.add('arp.hw.type', 'Hardware type', u16(b, o), o, 2);
    a.add('arp.proto.type', 'Protocol type', hex(u16(b, o + 2), 4), o + 2, 2);
    a.add('arp.hw.size', 'Hardware size', b[o + 4], o + 4, 1);
    a.add('arp.proto.size', 'Protocol size', b[o + 5], o + 5, 1);
    const op = u16(b, o + 6);
    a.add('arp.opcode', 'Opcode (' + (op === 1 ? 'request' : op === 2 ? 'reply' : '?') + ')', op, o + 6, 2);
    a.add('arp.src.hw_mac', 'Sender MAC address', mac(b, o + 8), o + 8, 6);
    a.add('arp.src.proto_ipv4', 'Sender IP address', ip4(b, o + 14), o + 14, 4);
    a.add('arp.dst.hw_mac', 'Target MAC address', mac(b, o + 18), o + 18, 6);
    a.add('arp.dst.proto_ipv4', 'Target IP address', ip4(b, o + 24), o + 24, 4);
    a.end = o + 28;
    L.push(a);
  }
  const PROTO = { 1: 'ICMP', 6: 'TCP', 17: 'UDP', 58: 'ICMPv6' };
  function ipv4(b, o, L, link, number, quoted) {
    if (b.length < o + 20) return;
    const ihl = (b[o] & 15) * 4, total = u16(b, o + 2), proto = b[o + 9];
    const l = new Layer('ipv4', 'Internet Protocol Version 4, ' + ip4(b, o + 12) + ' \u2192 ' + ip4(b, o + 16) + (quoted ? ' (quoted)' : ''), o);
    l.add('ip.version', 'Version', b[o] >> 4, o, 1);
    l.add('ip.hdr_len', 'Header length', ihl, o, 1);
    l.add('ip.dsfield', 'Differentiated services', hex(b[o + 1], 2), o + 1, 1);
    l.add('ip.len', 'Total length', total, o + 2, 2);
    l.add('ip.id', 'Identification', hex(u16(b, o + 4), 4), o + 4, 2);
    l.add('ip.flags', 'Flags', hex(b[o + 6] >> 5, 2), o + 6, 1);
    l.add('ip.flags.df', "Don't fragment", (b[o + 6] >> 6) & 1, o + 6, 1);
    l.add('ip.flags.mf', 'More fragments', (b[o + 6] >> 5) & 1, o + 6, 1);
    const frag = u16(b, o + 6) & 0x1fff;
    l.add('ip.frag_offset', 'Fragment offset', frag * 8, o + 6, 2);
    l.add('ip.ttl', 'Time to live', b[o + 8], o + 8, 1);
    l.add('ip.proto', 'Protocol (' + (PROTO[proto] || '?') + ')', proto, o + 9, 1);
    l.add('ip.checksum', 'Header checksum', hex(u16(b, o + 10), 4), o + 10, 2);
    l.add('ip.src', 'Source address', ip4(b, o + 12), o + 12, 4);
    l.add('ip.dst', 'Destination address', ip4(b, o + 16), o + 16, 4);
    l.end = o + ihl;
    L.push(l);
    if (frag || (b[o + 6] & 0x20) || ihl < 20) return;
    const pend = quoted ? Math.min(b.length, o + total) : o + total;
    transport(b, o + ihl, pend, proto, L, link, number, quoted);
  }
  function ipv6(b, o, L, link, number, quoted) {
    if (b.length < o + 40) return;
    const plen = u16(b, o + 4);
    const l = new Layer('ipv6', 'Internet Protocol Version 6, ' + ip6(b, o + 8) + ' \u2192 ' + ip6(b, o + 24) + (quoted ? ' (quoted)' : ''), o);
    l.add('ipv6.version', 'Version', b[o] >> 4, o, 1);
    l.add('ipv6.tclass', 'Traffic class', hex(((b[o] & 15) << 4) | (b[o + 1] >> 4), 8), o, 2);
    l.add('ipv6.flow', 'Flow label', hex(((b[o + 1] & 15) << 16) | u16(b, o + 2), 6), o + 1, 3);
    l.add('ipv6.plen', 'Payload length', plen, o + 4, 2);
    l.add('ipv6.nxt', 'Next header', b[o + 6], o + 6, 1);
    l.add('ipv6.hlim', 'Hop limit', b[o + 7], o + 7, 1);
    l.add('ipv6.src', 'Source address', ip6(b, o + 8), o + 8, 16);
    l.add('ipv6.dst', 'Destination address', ip6(b, o + 24), o + 24, 16);
    /* Extension headers (RFC 8200 4): hop-by-hop, routing, destination
     * options have a length in 8-octet units; a fragment header is 8. */
    let nxt = b[o + 6], p = o + 40;
    while ((nxt === 0 || nxt === 43 || nxt === 60 || nxt === 44) && p + 8 <= b.length) {
      const hl = nxt === 44 ? 8 : (b[p + 1] + 1) * 8;
      if (nxt === 44 && (u16(b, p + 2) & 0xfff9)) { l.end = p + 8; L.push(l); return; }
      nxt = b[p];
      p += hl;
    }
    l.end = p;
    L.push(l);
    transport(b, p, quoted ? Math.min(b.length, o + 40 + plen) : o + 40 + plen, nxt, L, link, number, quoted);
  }
  function transport(b, o, end, proto, L, link, number, quoted) {
    if (proto === 6) tcp(b, o, end, L, link, number, quoted);
    else if (proto === 17) udp(b, o, end, L, quoted);
    else if (proto === 1) icmp(b, o, end, L, link, number);
    else if (proto === 58) icmpv6(b, o, end, L, link, number);
  }
  function udp(b, o, end, L, quoted) {
    if (b.length < o + 8) return;
    const u = new Layer('udp', 'User Datagram Protocol, ' + u16(b, o) + ' \u2192 ' + u16(b, o + 2), o);
    u.add('udp.srcport', 'Source port', u16(b, o), o, 2);
    u.add('udp.dstport', 'Destination port', u16(b, o + 2), o + 2, 2);
    u.add('udp.length', 'Length', u16(b, o + 4), o + 4, 2);
    u.add('udp.checksum', 'Checksum', hex(u16(b, o + 6), 4), o + 6, 2);
    u.end = o + 8;
    L.push(u);
    if (!quoted && (u16(b, o) === 53 || u16(b, o + 2) === 53)) dns(b, o + 8, Math.min(end, b.length), L);
  }
  function icmp(b, o, end, L, link, number) {
    if (b.length < o + 8) return;
    const type = b[o];
    const names = { 0: 'Echo reply', 3: 'Destination unreachable', 8: 'Echo request', 11: 'Time exceeded' };
    const c = new Layer('icmp', 'Internet Control Message Protocol: ' + (names[type] || 'type ' + type), o);
    c.add('icmp.type', 'Type (' + (names[type] || '?') + ')', type, o, 1);
    c.add('icmp.code', 'Code', b[o + 1], o + 1, 1);
    c.add('icmp.checksum', 'Checksum', hex(u16(b, o + 2), 4), o + 2, 2);
    c.end = o + 8;
    if (type === 0 || type === 8) {
      c.add('icmp.ident', 'Identifier', u16(b, o + 4), o + 4, 2);
      c.add('icmp.seq', 'Sequence number', u16(b, o + 6), o + 6, 2);
    }
    L.push(c);
    if ((type === 3 || type === 11) && b.length >= o + 28 && b[o + 8] >> 4 === 4) ipv4(b, o + 8, L, link, number, true);
  }
  function icmpv6(b, o, end, L, link, number) {
    if (b.length < o + 4) return;
    const type = b[o];
    const names = { 1: 'Destination unreachable', 2: 'Packet too big', 3: 'Time exceeded', 128: 'Echo request', 129: 'Echo reply',
      133: 'Router solicitation', 134: 'Router advertisement', 135: 'Neighbor solicitation', 136: 'Neighbor advertisement',
      143: 'Multicast listener report v2' };
    const c = new Layer('icmpv6', 'Internet Control Message Protocol v6: ' + (names[type] || 'type ' + type), o);
    c.add('icmpv6.type', 'Type (' + (names[type] || '?') + ')', type, o, 1);
    c.add('icmpv6.code', 'Code', b[o + 1], o + 1, 1);
    c.add('icmpv6.checksum', 'Checksum', hex(u16(b, o + 2), 4), o + 2, 2);
    c.end = Math.min(end, b.length);
    if ((type === 128 || type === 129) && b.length >= o + 8) {
      c.add('icmpv6.echo.identifier', 'Identifier', hex(u16(b, o + 4), 4), o + 4, 2);
      c.add('icmpv6.echo.sequence_number', 'Sequence', u16(b, o + 6), o + 6, 2);
    }
    if ((type === 135 || type === 136) && b.length >= o + 24)
      c.add(type === 135 ? 'icmpv6.nd.ns.target_address' : 'icmpv6.nd.na.target_address', 'Target address', ip6(b, o + 8), o + 8, 16);
    L.push(c);
    if (type >= 1 && type <= 3 && b.length >= o + 48 && b[o + 8] >> 4 === 6) ipv6(b, o + 8, L, link, number, true);
  }
  const TCP_FLAGS = ['fin', 'syn', 'reset', 'push', 'ack', 'urg', 'ece', 'cwr'];
  function tcp(b, o, end, L, link, number, quoted) {
    if (b.length < o + (quoted ? 8 : 20)) return;
    const sp = u16(b, o), dp = u16(b, o + 2);
    const t = new Layer('tcp', 'Transmission Control Protocol, ' + sp + ' \u2192 ' + dp, o);
    t.add('tcp.srcport', 'Source port', sp, o, 2);
    t.add('tcp.dstport', 'Destination port', dp, o + 2, 2);
    t.add('tcp.seq_raw', 'Sequence number (raw)', u32(b, o + 4), o + 4, 4);
    if (quoted || b.length < o + 20) { t.end = Math.min(b.length, o + 8); L.push(t); return; }
    const seg = segmentOf(link, number);
    if (seg) t.add('tcp.seq', 'Sequence number (relative)', seg[2], o + 4, 4);
    const flags = b[o + 13], hl = (b[o + 12] >> 4) * 4;
    t.add('tcp.ack_raw', 'Acknowledgment number (raw)', u32(b, o + 8), o + 8, 4);
    if (seg && seg[6] >= 0) t.add('tcp.ack', 'Acknowledgment number (relative)', seg[6], o + 8, 4);
    t.add('tcp.hdr_len', 'Header length', hl, o + 12, 1);
    t.add('tcp.flags', 'Flags', hex(((b[o + 12] & 1) << 8) | flags, 4), o + 12, 2);
    TCP_FLAGS.forEach((n, k) => t.add('tcp.flags.' + n, n.toUpperCase(), (flags >> k) & 1, o + 13, 1));
    t.add('tcp.window_size_value', 'Window', u16(b, o + 14), o + 14, 2);
    t.add('tcp.checksum', 'Checksum', hex(u16(b, o + 16), 4), o + 16, 2);
    t.add('tcp.urgent_pointer', 'Urgent pointer', u16(b, o + 18), o + 18, 2);
    const kinds = [];
    for (let p = o + 20; p < o + hl && p < b.length;) {
      const k = b[p];
      kinds.push(k);
      if (k === 0) break;
      if (k === 1) { p++; continue; }
      const ol = b[p + 1];
      if (ol < 2) break;
      if (k === 2 && ol === 4) t.add('tcp.options.mss_val', 'MSS', u16(b, p + 2), p, 4);
      if (k === 3 && ol === 3) t.add('tcp.options.wscale.shift', 'Window scale shift', b[p + 2], p, 3);
      if (k === 8 && ol === 10) {
        t.add('tcp.options.timestamp.tsval', 'Timestamp value', u32(b, p + 2), p, 10);
        t.add('tcp.options.timestamp.tsecr', 'Timestamp echo reply', u32(b, p + 6), p, 10);
      }
      if (k === 5 && seg) {
        for (let s = 0; s + 1 < seg[8].length; s += 2) {
          t.add('tcp.options.sack_le', 'SACK left edge (relative)', seg[8][s], p + 2 + 4 * s, 4);
          t.add('tcp.options.sack_re', 'SACK right edge (relative)', seg[8][s + 1], p + 6 + 4 * s, 4);
        }
      }
      p += ol;
    }
    if (kinds.length) t.add('tcp.option_kind', 'Option kinds', kinds.join(','), o + 20, hl - 20);
    const plen = end - o - hl;
    t.add('tcp.len', 'Segment length', plen, o + hl, Math.max(0, Math.min(plen, b.length - o - hl)));
    t.end = o + hl;
    L.push(t);
    if (plen > 0 && (sp === 80 || dp === 80)) http(b, o + hl, Math.min(end, b.length), L);
  }
  function http(b, o, end, L) {
    let e = o;
    while (e + 1 < end && !(b[e] === 13 && b[e + 1] === 10)) e++;
    if (e + 1 >= end) return;
    const line = String.fromCharCode.apply(null, b.subarray(o, e));
    const h = new Layer('http', 'Hypertext Transfer Protocol: ' + line, o);
    let m;
    if ((m = /^(GET|HEAD|POST|PUT|DELETE|OPTIONS) (\S+) (HTTP\/\d\.\d)$/.exec(line))) {
      h.add('http.request.method', 'Method', m[1], o, m[1].length);
      h.add('http.request.uri', 'URI', m[2], o + m[1].length + 1, m[2].length);
      h.add('http.request.version', 'Version', m[3], e - m[3].length, m[3].length);
    } else if ((m = /^(HTTP\/\d\.\d) (\d{3}) (.*)$/.exec(line))) {
      h.add('http.response.version', 'Version', m[1], o, m[1].length);
      h.add('http.response.code', 'Status code', m[2], o + m[1].length + 1, 3);
      h.add('http.response.phrase', 'Reason', m[3], o + m[1].length + 5, m[3].length);
    } else {
      return;
    }
    h.end = e + 2;
    L.push(h);
  }
  function dnsName(b, p, base, end) {
    const parts = [];
    let jumped = false, next = -1, guard = 0;
    while (p < end && guard++ < 128) {
      const n = b[p];
      if (n === 0) { p++; break; }
      if ((n & 0xc0) === 0xc0) {
        if (!jumped) next = p + 2;
        jumped = true;
        p = base + (((n & 0x3f) << 8) | b[p + 1]);
        continue;
      }
      parts.push(String.fromCharCode.apply(null, b.subarray(p + 1, p + 1 + n)));
      p += n + 1;
    }
    return { name: parts.length ? parts.join('.') : '<Root>', end: jumped ? next : p };
  }
  function dns(b, o, end, L) {
    if (end < o + 12) return;
    const d = new Layer('dns', 'Domain Name System', o);
    const flags = u16(b, o);
    d.add('dns.id', 'Transaction ID', hex(u16(b, o), 4), o, 2);
    d.add('dns.flags', 'Flags', hex(u16(b, o + 2), 4), o + 2, 2);
    d.add('dns.flags.response', 'Response', b[o + 2] >> 7, o + 2, 1);
    const counts = [u16(b, o + 4), u16(b, o + 6), u16(b, o + 8), u16(b, o + 10)];
    ['queries', 'answers', 'auth_rr', 'add_rr'].forEach((n, k) => d.add('dns.count.' + n, n, counts[k], o + 4 + 2 * k, 2));
    let p = o + 12;
    for (let q = 0; q < counts[0] && p < end; q++) {
      const n = dnsName(b, p, o, end);
      d.add('dns.qry.name', 'Query name', n.name, p, n.end - p);
      d.add('dns.qry.type', 'Query type', u16(b, n.end), n.end, 2);
      d.add('dns.qry.class', 'Query class', hex(u16(b, n.end + 2), 4), n.end + 2, 2);
      p = n.end + 4;
    }
    void flags;
    const rrs = counts[1] + counts[2] + counts[3];
    for (let r = 0; r < rrs && p + 10 < end; r++) {
      const n = dnsName(b, p, o, end);
      const type = u16(b, n.end), rdlen = u16(b, n.end + 8), rd = n.end + 10;
      if (rd + rdlen > end) break;
      d.add('dns.resp.name', 'Name', n.name, p, n.end - p);
      d.add('dns.resp.type', 'Type', type, n.end, 2);
      if (type !== 41) d.add('dns.resp.ttl', 'Time to live', u32(b, n.end + 4), n.end + 4, 4);
      if (type === 1 && rdlen === 4) d.add('dns.a', 'Address', ip4(b, rd), rd, 4);
      if (type === 5) d.add('dns.cname', 'Canonical name', dnsName(b, rd, o, end).name, rd, rdlen);
      if (type === 28 && rdlen === 16) d.add('dns.aaaa', 'IPv6 address', ip6(b, rd), rd, 16);
      p = rd + rdlen;
    }
    d.end = Math.min(p, end);
    L.push(d);
  }

  /* ---- TCP connections: flowtrace's segments by frame ---- */
  const segIndex = new Map(); /* "link:frame" -> segment */
  D.tcp.forEach((c) => c.dir.forEach((d) => d.seg.forEach((s) => segIndex.set(c.link + ':' + s[0], s))));
  function segmentOf(link, number) { return segIndex.get(link + ':' + number); }
  function connOf(link, number) {
    return D.tcp.findIndex((c) => c.link === link && c.dir.some((d) => d.seg.some((s) => s[0] === number)));
  }

  /* ---- topology layout: a few hundred steps of springs and charges ---- */
  const N = D.nodes.length, pos = D.nodes.map((n, i) => [Math.cos(2 * Math.PI * i / Math.max(1, N)), Math.sin(2 * Math.PI * i / Math.max(1, N))]);
  (function layout() {
    if (N < 2 || N > 300) return;
    for (let it = 0; it < 300; it++) {
      const f = pos.map(() => [0, 0]);
      for (let i = 0; i < N; i++) for (let j = i + 1; j < N; j++) {
        const dx = pos[i][0] - pos[j][0], dy = pos[i][1] - pos[j][1], d2 = dx * dx + dy * dy + 1e-4;
        const k = 0.05 / d2;
        f[i][0] += dx * k; f[i][1] += dy * k; f[j][0] -= dx * k; f[j][1] -= dy * k;
      }
      for (const l of D.links) {
        if (l.a < 0 || l.b < 0) continue;
        const dx = pos[l.b][0] - pos[l.a][0], dy = pos[l.b][1] - pos[l.a][1], d = Math.hypot(dx, dy) + 1e-6;
        const k = 0.1 * (d - 0.5) / d;
        f[l.a][0] += dx * k; f[l.a][1] += dy * k; f[l.b][0] -= dx * k; f[l.b][1] -= dy * k;
      }
      pos.forEach((p, i) => { p[0] += Math.max(-0.05, Math.min(0.05, f[i][0])); p[1] += Math.max(-0.05, Math.min(0.05, f[i][1])); });
    }
    /* The widest spread goes across the screen. */
    let best = 0, bx = 1, by = 0;
    for (let i = 0; i < N; i++) for (let j = i + 1; j < N; j++) {
      const dx = pos[j][0] - pos[i][0], dy = pos[j][1] - pos[i][1], d = Math.hypot(dx, dy);
      if (d > best) { best = d; bx = dx / d; by = dy / d; }
    }
    pos.forEach((p) => { const x = p[0] * bx + p[1] * by, y = -p[0] * by + p[1] * bx; p[0] = x; p[1] = y; });
  })();

  /* ---- canvases ---- */
  function fit(canvas, h, into) {
    const w = canvas.clientWidth || 320, r = window.devicePixelRatio || 1;
    if (into) { into.width = Math.round(w * r); into.height = Math.round(h * r); canvas = into; }
    if (canvas.width !== Math.round(w * r) || canvas.height !== Math.round(h * r)) {
      canvas.width = Math.round(w * r); canvas.height = Math.round(h * r);
      canvas.style.height = h + 'px';
    }
    const g = canvas.getContext('2d');
    g.setTransform(r, 0, 0, r, 0, 0);
    return { g, w, h };
  }
  function rateText(bps) {
    if (!bps) return 'no limit';
    return bps >= 1e9 ? bps / 1e9 + ' Gbit/s' : bps >= 1e6 ? bps / 1e6 + ' Mbit/s' : bps / 1e3 + ' kbit/s';
  }
  function linkLabel(l) {
    let s = rateText(l.rate) + ', ' + (l.delay >= 1e6 ? l.delay / 1e6 + ' ms' : l.delay / 1e3 + ' \u00b5s');
    if (l.loss) s += ', loss ' + +(l.loss * 100).toFixed(2) + '%';
    return s;
  }
  /* Where each packet on the way was drawn last: a click on one opens it. */
  const drawn = [];
  $('topo').addEventListener('click', (e) => {
    const r = e.target.getBoundingClientRect(), cx = e.clientX - r.left, cy = e.clientY - r.top;
    let best = -1, bestD = 12 * 12;
    for (const [x, y, i] of drawn) {
      const d = (x - cx) * (x - cx) + (y - cy) * (y - cy);
      if (d <= bestD) { bestD = d; best = i; }
    }
    if (best >= 0) { pause(); select(best, true); }
  });
  function drawTopo() {
    const { g, w, h } = fit($('topo'), window.innerWidth < 700 ? 170 : 300);
    g.clearRect(0, 0, w, h);
    let x0 = Infinity, x1 = -Infinity, y0 = Infinity, y1 = -Infinity;
    pos.forEach((p) => { x0 = Math.min(x0, p[0]); x1 = Math.max(x1, p[0]); y0 = Math.min(y0, p[1]); y1 = Math.max(y1, p[1]); });
    const sx = (w - 80) / Math.max(1e-6, x1 - x0), sy = (h - 70) / Math.max(1e-6, y1 - y0), s = Math.min(sx, N > 1 && y1 - y0 > 1e-3 ? sy : sx);
    const P = pos.map((p) => [40 + (p[0] - x0) * s + ((w - 80) - (x1 - x0) * s) / 2, 30 + (p[1] - y0) * s + ((h - 70) - (y1 - y0) * s) / 2]);
    const small = w < 500;
    g.font = (small ? 10 : 11) + 'px sans-serif';
    g.textAlign = 'center';
    D.links.forEach((l) => {
      if (l.a < 0 || l.b < 0) return;
      g.strokeStyle = l.loss ? '#c77' : '#999'; g.lineWidth = l.rate && l.rate < 1e8 ? 4 : 2;
      g.beginPath(); g.moveTo(P[l.a][0], P[l.a][1]); g.lineTo(P[l.b][0], P[l.b][1]); g.stroke();
      if (D.links.length <= 40) {
        g.fillStyle = '#555';
        const mx = (P[l.a][0] + P[l.b][0]) / 2, my = (P[l.a][1] + P[l.b][1]) / 2;
        g.fillText(l.name, mx, my - 16);
        if (!small) g.fillText(linkLabel(l), mx, my + 22);
      }
    });
    /* Packets on their way at time t. */
    const t = state.t, sel = state.sel;
    let shown = 0;
    const lo = firstAtOrAfter(t - maxDur), hi = firstAtOrAfter(t + 1);
    const inFlight = [];
    for (let i = lo; i < hi && inFlight.length < 3000; i++) {
      const f = F[i], d = duration(f);
      if (f[2] + d + (f[5] & (LOST | DROPPED) ? d : 0) < t) continue;
      inFlight.push(i);
    }
    const labels = inFlight.length <= (small ? 3 : 8);
    drawn.length = 0;
    for (const i of inFlight) {
      const f = F[i], l = D.links[f[0]];
      if (l.a < 0 || l.b < 0) continue;
      const [a, b] = ends(f), d = duration(f);
      let frac = (t - f[2]) / d, bad = false;
      if (f[5] & DROPPED) { frac = 0.02; bad = true; } else if (f[5] & LOST && frac > 0.5) { frac = 0.5; bad = true; }
      if (frac > 1) continue;
      const x = P[a][0] + (P[b][0] - P[a][0]) * frac, y = P[a][1] + (P[b][1] - P[a][1]) * frac;
      drawn.push([x, y, i]);
      const bytes = bytesOf(i);
      const kind = protoOf(bytes);
      if (bad) {
        g.strokeStyle = '#c00'; g.lineWidth = 2;
        g.beginPath(); g.moveTo(x - 5, y - 5); g.lineTo(x + 5, y + 5); g.moveTo(x + 5, y - 5); g.lineTo(x - 5, y + 5); g.stroke();
      } else {
        g.fillStyle = i === sel ? '#e80' : COLORS[kind] || '#555';
        g.beginPath(); g.arc(x, y, i === sel ? 7 : 5, 0, 2 * Math.PI); g.fill();
      }
      if (labels) {
        const ttl = ttlOf(bytes);
        g.fillStyle = '#222';
        g.fillText(kind + (ttl >= 0 ? ' TTL ' + ttl : '') + (bad ? (f[5] & DROPPED ? ' dropped' : ' lost') : ''), x, y - 9);
      }
      shown++;
    }
    D.nodes.forEach((n, i) => {
      const [x, y] = P[i];
      g.fillStyle = n.kind === 'router' ? '#2d6a4f' : n.kind === 'switch' ? '#6c757d' : '#1a4f9c';
      if (n.kind === 'router') { g.beginPath(); g.arc(x, y, 11, 0, 2 * Math.PI); g.fill(); } else g.fillRect(x - 11, y - 9, 22, 18);
      g.fillStyle = '#000';
      if (N <= 60) g.fillText(n.name, x, y + 24);
    });
    main.dataset.inFlight = shown;
  }
  const COLORS = { ARP: '#8e44ad', DNS: '#d35400', ICMP: '#16a085', TCP: '#2c3e50', UDP: '#2980b9', IPv6: '#7f8c8d', ICMPv6: '#16a085', HTTP: '#27ae60' };
  function protoOf(b) {
    const type = u16(b, 12);
    if (type === 0x0806) return 'ARP';
    let proto, o;
    if (type === 0x0800 && b.length >= 34) { proto = b[23]; o = 14 + (b[14] & 15) * 4; } else if (type === 0x86dd && b.length >= 54) { proto = b[20]; o = 54; } else return type === 0x86dd ? 'IPv6' : 'Ethernet';
    if (proto === 1) return 'ICMP';
    if (proto === 58) return 'ICMPv6';
    if (proto === 17) return b.length >= o + 4 && (u16(b, o) === 53 || u16(b, o + 2) === 53) ? 'DNS' : 'UDP';
    if (proto === 6) return 'TCP';
    return 'IP';
  }
  function ttlOf(b) {
    const type = u16(b, 12);
    return type === 0x0800 && b.length > 22 ? b[22] : type === 0x86dd && b.length > 21 ? b[21] : -1;
  }
  function summary(i) {
    const b = bytesOf(i), L = dissect(b, F[i][6], F[i][0], F[i][4]);
    const top = L[L.length - 1];
    if (!top) return 'frame of ' + F[i][6] + ' bytes';
    const get = (n) => { for (const l of L) for (const f of l.fields) if (f.f === n) return f.v; return ''; };
    switch (top.name) {
      case 'arp': return get('arp.opcode') === '1' ? 'ARP who has ' + get('arp.dst.proto_ipv4') + '? tell ' + get('arp.src.proto_ipv4') : 'ARP ' + get('arp.src.proto_ipv4') + ' is at ' + get('arp.src.hw_mac');
      case 'tcp': {
        const fl = TCP_FLAGS.filter((n) => get('tcp.flags.' + n) === '1').map((n) => n.toUpperCase()).join(',');
        const s = segmentOf(F[i][0], F[i][4]);
        return 'TCP ' + get('tcp.srcport') + ' \u2192 ' + get('tcp.dstport') + ' [' + fl + ']' + (s ? ' seq=' + s[2] + (s[6] >= 0 ? ' ack=' + s[6] : '') + ' len=' + s[3] + (s[5] & 1 ? ' retransmission' : '') : '');
      }
      case 'dns': return 'DNS ' + (get('dns.flags.response') === '1' ? 'answer ' : 'query ') + get('dns.id') + ' ' + get('dns.qry.name') + (get('dns.a') ? ' A ' + get('dns.a') : '');
      default: return top.label.replace(/^Internet Protocol Version \d, /, 'IP ');
    }
  }

  /* ---- the frame list: only the visible rows exist ---- */
  const ROW = 20, rows = $('rows'), spacer = $('spacer');
  spacer.style.height = F.length * ROW + 'px';
  function drawRows() {
    const top = rows.scrollTop, n = Math.ceil(rows.clientHeight / ROW) + 1;
    const from = Math.max(0, Math.floor(top / ROW)), to = Math.min(F.length, from + n);
    const now = Math.max(0, firstAtOrAfter(state.t + 1) - 1);
    const keep = [spacer];
    for (let i = from; i < to; i++) {
      const f = F[i], r = document.createElement('div');
      r.className = 'row' + (f[5] & LOST ? ' lost' : '') + (f[5] & DROPPED ? ' dropped' : '') + (i === state.sel ? ' sel' : '') + (i === now ? ' now' : '');
      r.style.top = i * ROW + 'px';
      r.setAttribute('role', 'option');
      r.dataset.index = i;
      const [a, b] = ends(f);
      const cells = [D.links[f[0]].name, f[4] || '\u2013', ms(f[2]), nodeName(a) + ' \u2192 ' + nodeName(b),
        (f[5] & LOST ? 'LOST ' : f[5] & DROPPED ? 'DROPPED ' : '') + summary(i)];
      for (const c of cells) { const s = document.createElement('span'); s.textContent = c; r.appendChild(s); }
      keep.push(r);
    }
    rows.replaceChildren(...keep);
  }
  rows.addEventListener('scroll', drawRows);
  rows.addEventListener('click', (e) => { const r = e.target.closest('.row'); if (r) select(+r.dataset.index, true); });

  /* ---- the selected frame: layers and bytes ---- */
  function showFrame(i) {
    const layers = $('layers'), hexv = $('hex');
    layers.replaceChildren();
    if (i < 0) return;
    const f = F[i], b = bytesOf(i), L = dissect(b, f[6], f[0], f[4]);
    const [a, bn] = ends(f);
    const link = D.links[f[0]].name;
    $('detail-title').textContent = (f[4] ? word('frame_of', { n: f[4], link }) : word('refused_on', { link })) +
      ': ' + nodeName(a) + ' \u2192 ' + nodeName(bn) + ', ' + word('bytes', { n: f[6] }) +
      (b.length < f[6] ? ' ' + word('first_kept', { n: b.length }) : '') + ', ' + word('sent', { t: ms(f[2]) }) +
      (f[3] >= 0 ? ', ' + word('arrived', { t: ms(f[3]) }) : f[5] & LOST ? ', ' + word('lost') : f[5] & DROPPED ? ', ' + word('refused') : '');
    main.dataset.selected = D.links[f[0]].name + ':' + f[4];
    for (const l of L) {
      const det = document.createElement('details');
      det.open = true;
      det.dataset.layer = l.name;
      const s = document.createElement('summary');
      s.textContent = l.label;
      det.appendChild(s);
      for (const x of l.fields) {
        const e = document.createElement('div');
        e.className = 'field';
        e.dataset.field = x.f;
        e.dataset.value = x.v;
        e.dataset.start = x.start;
        e.dataset.len = x.len;
        e.tabIndex = 0;
        e.textContent = x.label + ': ' + x.v + '  (' + x.f + ')';
        det.appendChild(e);
      }
      layers.appendChild(det);
    }
    let out = '';
    for (let o = 0; o < b.length; o += 16) {
      out += '<span class="off">' + o.toString(16).padStart(4, '0') + '</span>  ';
      for (let k = o; k < o + 16; k++) out += k < b.length ? '<span data-b="' + k + '">' + b[k].toString(16).padStart(2, '0') + '</span> ' : '   ';
      out += ' ';
      for (let k = o; k < Math.min(o + 16, b.length); k++) out += b[k] >= 32 && b[k] < 127 ? '&#' + b[k] + ';' : '.';
      out += '\n';
    }
    hexv.innerHTML = out;
  }
  function highlight(e) {
    const f = e.target.closest && e.target.closest('.field');
    for (const x of $('hex').querySelectorAll('.hl')) x.classList.remove('hl');
    if (!f) return;
    const s = +f.dataset.start, n = +f.dataset.len;
    for (let k = s; k < s + n; k++) { const x = $('hex').querySelector('[data-b="' + k + '"]'); if (x) x.classList.add('hl'); }
  }
  $('layers').addEventListener('mouseover', highlight);
  $('layers').addEventListener('focusin', highlight);

  /* ---- TCP graphs ---- */
  const connSel = $('conn');
  D.tcp.forEach((c, k) => {
    const o = document.createElement('option');
    o.value = k;
    o.textContent = D.links[c.link].name + ' #' + c.stream + ': ' + c.dir[0].src + ' \u2192 ' + c.dir[0].dst;
    connSel.appendChild(o);
  });
  connSel.addEventListener('change', () => { state.conn = +connSel.value; plotConn(); drawCursor(); });
  const tsgImage = document.createElement('canvas'), ccImage = document.createElement('canvas');
  let tsgMap = null, ccMap = null;
  function dataDir(c) {
    const bytes = c.dir.map((d) => d.seg.reduce((s, x) => s + x[3], 0));
    return bytes[1] > bytes[0] ? 1 : 0;
  }
  function axes(g, w, h, m, xr, yr, ylabel) {
    g.strokeStyle = '#888'; g.lineWidth = 1; g.fillStyle = '#444'; g.font = '10px sans-serif';
    g.strokeRect(m.l, m.t, w - m.l - m.r, h - m.t - m.b);
    g.textAlign = 'center';
    for (let k = 0; k <= 4; k++) {
      const v = xr[0] + (xr[1] - xr[0]) * k / 4;
      g.fillText((v / 1e6).toFixed(1) + ' ms', m.l + (w - m.l - m.r) * k / 4, h - m.b + 12);
    }
    g.textAlign = 'right';
    for (let k = 0; k <= 4; k++) {
      const v = yr[0] + (yr[1] - yr[0]) * k / 4;
      g.fillText(String(Math.round(v)), m.l - 3, h - m.b - (h - m.t - m.b) * k / 4 + 3);
    }
    g.textAlign = 'left';
    g.fillText(ylabel, m.l + 4, m.t + 10);
  }
  function plotConn() {
    const c = D.tcp[state.conn];
    /* Drawn once per connection, offscreen; drawCursor copies it with the time line. */
    const tsg = fit($('tsg'), 300, tsgImage), cc = fit($('cc'), 160, ccImage);
    fit($('tsg'), 300); fit($('cc'), 160);
    tsg.g.clearRect(0, 0, tsg.w, tsg.h); cc.g.clearRect(0, 0, cc.w, cc.h);
    tsgMap = ccMap = null;
    if (!c) return;
    const d = dataDir(c), data = c.dir[d].seg, acks = c.dir[1 - d].seg;
    const all = data.concat(acks);
    let xr = [Infinity, -Infinity], yr = [Infinity, -Infinity];
    for (const s of data) { xr[0] = Math.min(xr[0], s[1]); xr[1] = Math.max(xr[1], s[1]); yr[0] = Math.min(yr[0], s[2]); yr[1] = Math.max(yr[1], s[2] + s[3]); }
    for (const s of acks) { xr[0] = Math.min(xr[0], s[1]); xr[1] = Math.max(xr[1], s[1]); if (s[6] >= 0) yr[1] = Math.max(yr[1], s[6]); }
    if (!all.length) return;
    if (yr[1] <= yr[0]) yr[1] = yr[0] + 1;
    if (xr[1] <= xr[0]) xr[1] = xr[0] + 1;
    const m = { l: 60, r: 8, t: 18, b: 18 }, { g, w, h } = tsg;
    const X = (t) => m.l + (t - xr[0]) / (xr[1] - xr[0]) * (w - m.l - m.r);
    const Y = (s) => h - m.b - (s - yr[0]) / (yr[1] - yr[0]) * (h - m.t - m.b);
    axes(g, w, h, m, [xr[0] + c.t0, xr[1] + c.t0], yr, 'seq ' + c.dir[d].src + ' \u2192 ' + c.dir[d].dst);
    g.save(); g.beginPath(); g.rect(m.l, m.t - 4, w - m.l - m.r, h - m.t - m.b + 4); g.clip();
    /* tcptrace's colours: ACK green, window olive, SACK purple; data black, retransmitted red, out of order blue. */
    const line = (pts, color) => { g.strokeStyle = color; g.beginPath(); let first = true, py = 0; for (const [x, y] of pts) { if (first) g.moveTo(x, y); else { g.lineTo(x, py); g.lineTo(x, y); } first = false; py = y; } g.stroke(); };
    line(acks.filter((s) => s[6] >= 0).map((s) => [X(s[1]), Y(s[6])]), '#2a2');
    line(acks.filter((s) => s[6] >= 0).map((s) => [X(s[1]), Y(Math.min(yr[1] * 2, s[6] + s[7]))]), '#990');
    g.strokeStyle = '#80c';
    g.beginPath();
    for (const s of acks) for (let k = 0; k + 1 < s[8].length; k += 2) { g.moveTo(X(s[1]), Y(s[8][k])); g.lineTo(X(s[1]), Y(s[8][k + 1])); }
    g.stroke();
    for (const [mark, color] of [[0, '#000'], [2, '#03c'], [1, '#d00']]) {
      g.strokeStyle = color; g.beginPath();
      for (const s of data) {
        const mk = s[5] & 1 ? 1 : s[5] & 2 ? 2 : 0;
        if (mk !== mark) continue;
        const x = X(s[1]), y0 = Y(s[2]), y1 = Y(s[2] + Math.max(1, s[3]));
        g.moveTo(x, y0); g.lineTo(x, Math.min(y0 - 1, y1));
      }
      g.stroke();
    }
    g.fillStyle = '#000';
    for (const s of data) if (s[4] & 7) g.fillText(s[4] & 2 ? 'SYN' : s[4] & 1 ? 'FIN' : 'RST', X(s[1]) + 2, Y(s[2]) - 2);
    g.restore();
    tsgMap = { X, xr, c, m };

    /* The sender's own congestion window and RTT. */
    const sender = D.cc.find((x) => x.src === c.dir[d].src && x.dst === c.dir[d].dst);
    if (!sender) { cc.g.fillStyle = '#666'; cc.g.fillText('no sender state recorded for this direction', 10, 20); ccMap = null; return; }
    const S = sender.s;
    let cmax = 1, rmax = 1;
    for (const s of S) { cmax = Math.max(cmax, s[1]); rmax = Math.max(rmax, s[3]); }
    const cg = cc.g, cm = { l: 60, r: 40, t: 14, b: 18 };
    const tr = [xr[0] + c.t0, xr[1] + c.t0];
    const CX = (t) => cm.l + (t - tr[0]) / (tr[1] - tr[0]) * (cc.w - cm.l - cm.r);
    axes(cg, cc.w, cc.h, cm, tr, [0, cmax], 'cwnd (bytes, blue) and RTT (ms, orange, up to ' + (rmax / 1000).toFixed(1) + ')');
    cg.save(); cg.beginPath(); cg.rect(cm.l, cm.t, cc.w - cm.l - cm.r, cc.h - cm.t - cm.b); cg.clip();
    for (const [k, max, color] of [[1, cmax, '#1a4f9c'], [3, rmax, '#e67e22']]) {
      cg.strokeStyle = color; cg.beginPath();
      S.forEach((s, n) => { const x = CX(s[0]), y = cc.h - cm.b - s[k] / max * (cc.h - cm.t - cm.b); if (n) cg.lineTo(x, y); else cg.moveTo(x, y); });
      cg.stroke();
    }
    cg.restore();
    ccMap = { CX };

  }
  function drawCursor() {
    const r = window.devicePixelRatio || 1;
    for (const [id, img, x, h] of [['tsg', tsgImage, tsgMap && tsgMap.X(state.t - tsgMap.c.t0), 300], ['cc', ccImage, ccMap && ccMap.CX(state.t), 160]]) {
      const g = $(id).getContext('2d');
      g.setTransform(1, 0, 0, 1, 0, 0);
      g.clearRect(0, 0, $(id).width, $(id).height);
      g.drawImage(img, 0, 0);
      if (x === null || x === undefined) continue;
      g.setTransform(r, 0, 0, r, 0, 0);
      g.strokeStyle = 'rgba(230,120,0,0.8)'; g.beginPath(); g.moveTo(x, 0); g.lineTo(x, h); g.stroke();
    }
  }

  /* ---- chapters ---- */
  const chap = $('chapters');
  D.chapters.forEach((c, k) => {
    const li = document.createElement('li'), b = document.createElement('button');
    b.type = 'button';
    b.textContent = c.title || word('start');
    b.addEventListener('click', () => { pause(); setTime(c.start); });
    li.appendChild(b);
    chap.appendChild(li);
    void k;
  });
  let shownChapter = -2;
  function showChapter() {
    let k = -1;
    D.chapters.forEach((c, n) => { if (c.start <= state.t) k = n; });
    if (k === shownChapter) return;
    shownChapter = k;
    Array.from(chap.children).forEach((li, n) => li.classList.toggle('now', n === k));
    $('narration').textContent = k >= 0 ? (D.chapters[k].title ? D.chapters[k].title + '\n' : '') + D.chapters[k].text : '';
  }

  /* ---- time and playing ---- */
  const scrub = $('scrub'), clock = $('clock'), speedSel = $('speed');
  SPEEDS.forEach((s, k) => { const o = document.createElement('option'); o.value = k; o.textContent = SPEED_TEXT[k] + '\u00d7'; speedSel.appendChild(o); });
  speedSel.value = state.speed;
  speedSel.addEventListener('change', () => { state.speed = +speedSel.value; });
  function setTime(t) {
    state.t = Math.max(0, Math.min(END, t));
    scrub.value = END ? Math.round(state.t / END * 100000) : 0;
    clock.value = ms(state.t) + ' ms';
    clock.textContent = clock.value;
    render();
  }
  scrub.addEventListener('input', () => setTime(+scrub.value / 100000 * END));
  function render() {
    drawTopo();
    drawCursor();
    showChapter();
    if (state.playing) {
      const now = firstAtOrAfter(state.t + 1) - 1;
      if (now >= 0 && (now * ROW < rows.scrollTop || now * ROW > rows.scrollTop + rows.clientHeight - ROW)) rows.scrollTop = Math.max(0, now * ROW - rows.clientHeight / 2);
    }
    drawRows();
  }
  function tick(now) {
    if (!state.playing) return;
    const dt = Math.min(100, now - state.last);
    state.last = now;
    setTime(state.t + dt * 1e6 * SPEEDS[state.speed]);
    if (state.t >= END) pause(); else requestAnimationFrame(tick);
  }
  function play() { if (state.t >= END) setTime(0); state.playing = true; state.last = performance.now(); $('play').innerHTML = '&#10074;&#10074;'; $('play').setAttribute('aria-label', 'Pause (space)'); requestAnimationFrame(tick); }
  function pause() { state.playing = false; $('play').innerHTML = '&#9654;'; $('play').setAttribute('aria-label', 'Play (space)'); }
  $('play').addEventListener('click', () => (state.playing ? pause() : play()));
  function select(i, keepTime) {
    if (i < 0 || i >= F.length) return;
    state.sel = i;
    const f = F[i];
    if (f[0] >= 0 && F[i][4]) {
      const c = connOf(f[0], f[4]);
      if (c >= 0 && c !== state.conn) { state.conn = c; connSel.value = c; plotConn(); }
    }
    showFrame(i);
    if (!keepTime) setTime(f[2]); else render();
    if (i * ROW < rows.scrollTop || i * ROW > rows.scrollTop + rows.clientHeight - ROW) { rows.scrollTop = Math.max(0, i * ROW - rows.clientHeight / 2); drawRows(); }
  }
  function step(k) { pause(); select(state.sel < 0 ? (k > 0 ? firstAtOrAfter(state.t) : firstAtOrAfter(state.t) - 1) : state.sel + k); }
  $('prev').addEventListener('click', () => step(-1));
  $('next').addEventListener('click', () => step(1));
  document.addEventListener('keydown', (e) => {
    const tag = e.target.tagName;
    if (tag === 'SELECT' || tag === 'INPUT' && e.target.type !== 'range') return;
    if (e.key === ' ' && tag !== 'BUTTON') { e.preventDefault(); state.playing ? pause() : play(); }
    else if (e.key === 'ArrowRight' || e.key === 'ArrowDown' && e.target === rows) { e.preventDefault(); step(1); }
    else if (e.key === 'ArrowLeft' || e.key === 'ArrowUp' && e.target === rows) { e.preventDefault(); step(-1); }
    else if (e.key === '+' || e.key === '=') { state.speed = Math.min(SPEEDS.length - 1, state.speed + 1); speedSel.value = state.speed; }
    else if (e.key === '-') { state.speed = Math.max(0, state.speed - 1); speedSel.value = state.speed; }
  });

  /* ---- the address: #link=NAME&frame=N selects a frame; &bench=STEPS times steps ---- */
  function fromHash() {
    const q = new URLSearchParams(location.hash.slice(1));
    const link = D.links.findIndex((l) => l.name === q.get('link'));
    const n = +q.get('frame');
    if (link >= 0 && n > 0) {
      const i = frameIndex(link, n);
      if (i >= 0) select(i); else main.dataset.selected = 'none';
    }
    return q;
  }
  window.addEventListener('hashchange', fromHash);
  window.addEventListener('resize', () => { plotConn(); render(); });
  if (D.tcp.length) {
    let best = 0, most = -1;
    D.tcp.forEach((c, k) => { const n = c.dir[0].seg.length + c.dir[1].seg.length; if (n > most) { most = n; best = k; } });
    state.conn = best; connSel.value = best;
  }
  plotConn();
  setTime(0);
  const q = fromHash();
  main.dataset.firstRenderMs = (performance.now() - t0perf).toFixed(1);
  const steps = +q.get('bench');
  if (steps > 0) {
    const t = performance.now();
    for (let k = 0; k < steps; k++) select(Math.floor((k + 0.5) * F.length / steps));
    main.dataset.stepMs = ((performance.now() - t) / steps).toFixed(2);
  }
  main.dataset.ready = '1';
})();
