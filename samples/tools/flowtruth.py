#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Independent ground truth for the sample captures (Python 3 standard library only).

Reads a pcap / pcapng (optionally .gz) capture, takes the UDP datagrams and the TCP byte
streams to or from the given ports, decodes NetFlow v1/v5/v7/v9 and IPFIX messages itself and
reports, per exporting session (exporter address:port -> collector address:port, version,
source id / observation domain):

  messages, data records, options records, templates, options templates,
  data records that arrived before their template (counted once the template shows up),
  records whose template never shows up, sequence numbers and what the version's
  sequence rule makes of them, sysUptime resets, sampling information.

It exists so that the numbers in samples/cases/README.md do not rest on tshark alone:
make-samples-2.sh records both, and they agree wherever tshark decodes everything.

  flowtruth.py summary FILE PORT[,PORT...]        JSON summary, one object per session
  flowtruth.py messages FILE PORT[,PORT...]       one line per export message
  flowtruth.py records FILE PORT[,PORT...]        one JSON line per decoded flow record
  flowtruth.py traffic FILE                       unidirectional 5-tuples of an IP traffic capture
  flowtruth.py info FILE                          file format (timestamp resolution) and link types
  flowtruth.py compare TRAFFIC FILE PORT[,PORT...] each exporter's records against the traffic's 5-tuples
"""
import gzip
import ipaddress
import json
import struct
import sys
from collections import OrderedDict, defaultdict

# ------------------------------------------------------------------ capture files


def read_capture(path):
    """Yield (frame_no, ts_seconds_float, ts_ns_int, linktype, bytes)."""
    data = _read_file(path)
    magic = data[:4]
    if magic in (b"\xd4\xc3\xb2\xa1", b"\xa1\xb2\xc3\xd4", b"\x4d\x3c\xb2\xa1", b"\xa1\xb2\x3c\x4d"):
        yield from _read_pcap(data)
    elif magic == b"\x0a\x0d\x0d\x0a":
        yield from _read_pcapng(data)
    else:
        raise SystemExit(f"{path}: not a pcap or pcapng file")


def _read_file(path):
    if path.endswith(".zst"):
        import subprocess
        return subprocess.run(["zstd", "-dc", path], capture_output=True, check=True).stdout
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        return f.read()


def _read_pcap(data):
    le = data[:4] in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1")
    nano = data[:4] in (b"\x4d\x3c\xb2\xa1", b"\xa1\xb2\x3c\x4d")
    e = "<" if le else ">"
    linktype = struct.unpack(e + "I", data[20:24])[0] & 0x0FFFFFFF
    off, n = 24, 0
    while off + 16 <= len(data):
        sec, frac, incl, _orig = struct.unpack(e + "IIII", data[off:off + 16])
        off += 16
        n += 1
        ns = sec * 10**9 + (frac if nano else frac * 1000)
        yield n, ns / 1e9, ns, linktype, data[off:off + incl]
        off += incl


def _read_pcapng(data):
    off, n = 0, 0
    e = "<"
    ifaces = []
    while off + 12 <= len(data):
        btype = struct.unpack(e + "I", data[off:off + 4])[0]
        if btype == 0x0A0D0D0A:
            bom = data[off + 8:off + 12]
            e = "<" if bom == b"\x4d\x3c\x2b\x1a" else ">"
            ifaces = []
        blen = struct.unpack(e + "I", data[off + 4:off + 8])[0]
        body = data[off + 8:off + blen - 4]
        if btype == 1:  # IDB
            linktype = struct.unpack(e + "H", body[0:2])[0]
            tsresol = 6
            o = 8
            while o + 4 <= len(body):
                code, olen = struct.unpack(e + "HH", body[o:o + 4])
                if code == 0:
                    break
                if code == 9:
                    tsresol = body[o + 4]
                o += 4 + ((olen + 3) & ~3)
            ifaces.append((linktype, tsresol))
        elif btype == 6:  # EPB
            ifid, hi, lo, caplen, _orig = struct.unpack(e + "IIIII", body[:20])
            linktype, res = ifaces[ifid]
            ticks = (hi << 32) | lo
            if res & 0x80:
                ns = ticks * 10**9 // (2 ** (res & 0x7F))
            else:
                ns = ticks * 10**9 // (10**res)
            n += 1
            yield n, ns / 1e9, ns, linktype, body[20:20 + caplen]
        elif btype == 3:  # SPB
            n += 1
            yield n, 0.0, 0, ifaces[0][0], body[4:]
        off += blen


# ------------------------------------------------------------------ link / IP / UDP / TCP


def link_payload(linktype, pkt):
    """Return (ethertype, l3 bytes) or None."""
    if linktype == 1:  # Ethernet
        et, o = struct.unpack("!H", pkt[12:14])[0], 14
        while et in (0x8100, 0x88A8):
            et, o = struct.unpack("!H", pkt[o + 2:o + 4])[0], o + 4
        return et, pkt[o:]
    if linktype == 113:  # Linux SLL
        return struct.unpack("!H", pkt[14:16])[0], pkt[16:]
    if linktype == 276:  # Linux SLL2
        return struct.unpack("!H", pkt[0:2])[0], pkt[20:]
    if linktype in (101, 12, 14):  # raw IP
        v = pkt[0] >> 4
        return (0x0800 if v == 4 else 0x86DD), pkt
    if linktype in (0, 108):
        fam = struct.unpack("<I" if linktype == 0 else "!I", pkt[:4])[0]
        return (0x0800 if fam == 2 else 0x86DD), pkt[4:]
    return None


def ip_payload(et, l3):
    """Return (src, dst, proto, l4 bytes, ip_total_len, frag) or None."""
    if et == 0x0800 and len(l3) >= 20:
        ihl = (l3[0] & 15) * 4
        total = struct.unpack("!H", l3[2:4])[0]
        flags_frag = struct.unpack("!H", l3[6:8])[0]
        frag = (flags_frag & 0x3FFF) != 0
        return (str(ipaddress.IPv4Address(l3[12:16])), str(ipaddress.IPv4Address(l3[16:20])), l3[9],
                l3[ihl:total], total, frag)
    if et == 0x86DD and len(l3) >= 40:
        plen = struct.unpack("!H", l3[4:6])[0]
        nh, o = l3[6], 40
        frag = False
        while nh in (0, 43, 60, 44):
            if nh == 44:
                frag = True
                nh, o = l3[o], o + 8
            else:
                nh, o = l3[o], o + (l3[o + 1] + 1) * 8
        return (str(ipaddress.IPv6Address(l3[8:24])), str(ipaddress.IPv6Address(l3[24:40])), nh,
                l3[o:40 + plen], 40 + plen, frag)
    return None


def endpoint(addr, port):
    return f"[{addr}]:{port}" if ":" in addr else f"{addr}:{port}"


def export_messages(path, ports):
    """Yield dicts {frame, ts, transport, src, dst, payload} for UDP datagrams to/from ports and
    for whole messages reassembled from TCP streams to ports (IPFIX framing: length at offset 2;
    NetFlow v9 over TCP: walked by flowset lengths)."""
    tcp_streams = OrderedDict()
    for n, ts, _ns, lt, pkt in read_capture(path):
        lp = link_payload(lt, pkt)
        if not lp:
            continue
        ipp = ip_payload(*lp)
        if not ipp:
            continue
        src, dst, proto, l4, _tot, frag = ipp
        if frag:
            continue
        if proto == 17 and len(l4) >= 8:
            sp, dp = struct.unpack("!HH", l4[:4])
            if dp in ports or sp in ports:
                yield dict(frame=n, ts=ts, transport="udp", src=endpoint(src, sp), dst=endpoint(dst, dp),
                           payload=l4[8:])
        elif proto == 6 and len(l4) >= 20:
            sp, dp, seq = struct.unpack("!HHI", l4[:8])
            off = (l4[12] >> 4) * 4
            flags = l4[13]
            if dp not in ports:
                continue
            key = (endpoint(src, sp), endpoint(dst, dp))
            st = tcp_streams.setdefault(key, dict(isn=None, segs=[], frames=[]))
            if flags & 0x02:
                st["isn"] = (seq + 1) & 0xFFFFFFFF
            data = l4[off:]
            if data:
                st["segs"].append((seq, data, n, ts))
    for (src, dst), st in tcp_streams.items():
        yield from _tcp_messages(src, dst, st)


def _tcp_messages(src, dst, st):
    """Reassemble one direction of a TCP connection by sequence number (first copy of a byte
    wins, so retransmissions and reordering do not matter) and cut it into messages. A message
    that misses bytes is reported lost; if its header (length) arrived, the walk resumes right
    after it, otherwise it stops there."""
    isn = st["isn"] if st["isn"] is not None else (min(s[0] for s in st["segs"]) if st["segs"] else 0)
    buf = {}
    frame_at = {}
    for seq, data, n, ts in st["segs"]:
        rel = (seq - isn) & 0xFFFFFFFF
        for i, b in enumerate(data):
            if rel + i not in buf:
                buf[rel + i] = b
                frame_at[rel + i] = (n, ts)
    size = max(buf) + 1 if buf else 0

    def have(a, b):
        return all(i in buf for i in range(a, b))

    def get(a, b):
        return bytes(buf[i] for i in range(a, b))

    o = 0
    while o < size:
        if not have(o, o + 4):
            yield dict(frame=None, ts=None, transport="tcp", src=src, dst=dst, payload=b"", hole_at=o,
                       bytes_after_hole=sum(1 for i in buf if i >= o), resumed=False)
            return
        ver = struct.unpack("!H", get(o, o + 2))[0]
        if ver == 10:
            mlen = struct.unpack("!H", get(o + 2, o + 4))[0]
        elif ver == 9:
            run = o
            while run in buf:
                run += 1
            mlen = _v9_stream_len(get(o, run), 0) if run - o >= 20 else -1
        else:
            yield dict(frame=None, ts=None, transport="tcp", src=src, dst=dst, payload=b"", hole_at=o,
                       bytes_after_hole=sum(1 for i in buf if i >= o), resumed=False, not_a_message=True)
            return
        if mlen < 16:
            return
        if have(o, o + mlen):
            n, ts = frame_at[o + mlen - 1]
            yield dict(frame=n, ts=ts, transport="tcp", src=src, dst=dst, payload=get(o, o + mlen), stream_offset=o)
        else:
            yield dict(frame=None, ts=None, transport="tcp", src=src, dst=dst, payload=b"", hole_at=o,
                       lost_message_length=mlen, lost_message_sequence=struct.unpack("!I", get(o + 8, o + 12))[0]
                       if ver == 10 and have(o, o + 12) else None, resumed=True)
        o += mlen


def _v9_stream_len(stream, o):
    """NetFlow v9 has no message length: walk the flowsets; a flowset id is 0, 1 or >= 256, so
    a 9 where the next flowset id would be is the next message's version."""
    p = o + 20
    while p + 4 <= len(stream):
        if struct.unpack("!H", stream[p:p + 2])[0] == 9:
            break
        slen = struct.unpack("!H", stream[p + 2:p + 4])[0]
        if slen < 4:
            return -1
        p += slen
    return p - o


# ------------------------------------------------------------------ NetFlow / IPFIX decoding

IE_NAMES = {1: "octets", 2: "packets", 4: "proto", 5: "tos", 6: "tcp_flags", 7: "sport", 8: "src", 11: "dport",
            12: "dst", 21: "last_uptime", 22: "first_uptime", 27: "src", 28: "dst", 32: "icmp_type_code",
            139: "icmp_type_code_v6", 176: "icmp_type", 177: "icmp_code", 178: "icmp_type_v6", 179: "icmp_code_v6",
            152: "start_ms", 153: "end_ms", 150: "start_s", 151: "end_s", 154: "start_us", 155: "end_us",
            85: "octets", 86: "packets", 23: "out_octets", 24: "out_packets", 61: "direction", 60: "ip_version",
            48: "sampler_id", 49: "sampler_mode", 50: "sampler_interval", 34: "sampling_interval",
            35: "sampling_algorithm", 304: "selector_algorithm", 305: "sampling_packet_interval",
            306: "sampling_packet_space", 36: "active_timeout", 37: "idle_timeout",
            160: "system_init_ms", 143: "metering_process_id", 144: "exporting_process_id", 130: "exporter_ipv4",
            131: "exporter_ipv6", 82: "if_name", 10: "in_if", 14: "out_if", 9: "src_mask", 13: "dst_mask"}


def _addr(b):
    if len(b) == 4:
        return str(ipaddress.IPv4Address(b))
    if len(b) == 16:
        return str(ipaddress.IPv6Address(b))
    return b.hex()


def decode_fields(fields, rec):
    """fields: list of (pen, ie, length); rec bytes -> dict of named values."""
    out = {}
    o = 0
    for pen, ie, ln in fields:
        if ln == 0xFFFF:
            ln = rec[o]
            o += 1
            if ln == 255:
                ln = struct.unpack("!H", rec[o:o + 2])[0]
                o += 2
        v = rec[o:o + ln]
        o += ln
        if pen == 0xFFFFFFFF:  # NetFlow v9 options scope
            name = {1: "scope_system", 2: "scope_interface", 3: "scope_line_card", 4: "scope_cache",
                    5: "scope_template"}.get(ie, f"scope_{ie}")
        else:
            name = IE_NAMES.get(ie) if pen == 0 else f"pen{pen}.{ie & 0x7FFF}"
        if name is None:
            continue
        if name in ("src", "dst", "exporter_ipv4", "exporter_ipv6"):
            out[name] = _addr(v)
        elif name == "if_name":
            out[name] = v.decode("latin1")
        else:
            out[name] = int.from_bytes(v, "big")
    return out, o


def record_length(fields):
    if any(ln == 0xFFFF for _p, _i, ln in fields):
        return None
    return sum(ln for _p, _i, ln in fields)


class Session:
    def __init__(self, key):
        self.key = key
        self.templates = {}  # id -> (fields, is_options, scope_count)
        self.messages = 0
        self.data_records = 0
        self.option_records = 0
        self.template_records = 0
        self.option_template_records = 0
        self.pending = defaultdict(list)  # template id -> [set bytes length, frame]
        self.before_template = defaultdict(int)
        self.before_template_sets = defaultdict(int)
        self.before_template_frames = set()
        self.first_template_frame = None
        self.seqs = []  # (frame, seq, records-in-unit, uptime/export time)
        self.uptimes = []
        self.sampling = set()
        self.option_values = []
        self.records = []
        self.template_ids = set()
        self.option_template_ids = set()
        self.ies_seen = set()
        self.packets = 0
        self.octets = 0


def parse_message(sess, msg, frame, keep_records):
    p = msg
    ver = struct.unpack("!H", p[:2])[0]
    sess.messages += 1
    if ver in (1, 5, 7):
        count, uptime, secs, nsecs = struct.unpack("!HIII", p[2:16])
        hdr, rlen = {1: (16, 48), 5: (24, 48), 7: (24, 52)}[ver]
        seq = struct.unpack("!I", p[16:20])[0] if ver in (5, 7) else None
        if ver == 5:
            samp = struct.unpack("!H", p[22:24])[0]
            sess.sampling.add((samp >> 14, samp & 0x3FFF))
        n = min(count, (len(p) - hdr) // rlen)
        sess.data_records += n
        sess.seqs.append((frame, seq, n, uptime))
        sess.uptimes.append((frame, uptime))
        for i in range(n):
            r = p[hdr + i * rlen:hdr + (i + 1) * rlen]
            pk, by, first, last = struct.unpack("!IIII", r[16:32])
            sp, dp = struct.unpack("!HH", r[32:36])
            sess.packets += pk
            sess.octets += by
            if keep_records:
                sess.records.append(dict(frame=frame, src=_addr(r[0:4]), dst=_addr(r[4:8]), sport=sp, dport=dp,
                                         proto=r[38], tos=r[39], tcp_flags=r[40] if ver == 1 else r[37],
                                         packets=pk, octets=by, first_uptime=first, last_uptime=last,
                                         sys_uptime=uptime, unix_secs=secs))
        return
    if ver == 9:
        count, uptime, secs, seq, sid = struct.unpack("!HIIII", p[2:20])
        o = 20
        end = len(p)
    elif ver == 10:
        mlen, secs, seq, sid = struct.unpack("!HIII", p[2:16])
        o = 16
        end = min(mlen, len(p))
        uptime = None
    else:
        return
    entry = [frame, seq, 0, uptime if ver == 9 else secs]
    sess.seqs.append(entry)
    while o + 4 <= end:
        sid_, slen = struct.unpack("!HH", p[o:o + 4])
        if slen < 4:
            break
        body = p[o + 4:o + slen]
        o += slen
        if (ver == 9 and sid_ == 0) or (ver == 10 and sid_ == 2):
            b = 0
            while b + 4 <= len(body):
                tid, fc = struct.unpack("!HH", body[b:b + 4])
                b += 4
                if tid < 256:
                    break
                fields = []
                for _ in range(fc):
                    ie, ln = struct.unpack("!HH", body[b:b + 4])
                    b += 4
                    pen = 0
                    if ver == 10 and ie & 0x8000:
                        pen = struct.unpack("!I", body[b:b + 4])[0]
                        b += 4
                    fields.append((pen, ie & 0x7FFF if pen == 0 else ie, ln))
                    sess.ies_seen.add((pen, ie & 0x7FFF))
                sess.templates[tid] = (fields, False, 0)
                sess.template_records += 1
                sess.template_ids.add(tid)
                if sess.first_template_frame is None:
                    sess.first_template_frame = frame
                _resolve_pending(sess, tid)
        elif (ver == 9 and sid_ == 1) or (ver == 10 and sid_ == 3):
            b = 0
            while b + 6 <= len(body):
                if ver == 9:
                    tid, scope_len, opt_len = struct.unpack("!HHH", body[b:b + 6])
                    b += 6
                    nf = (scope_len + opt_len) // 4
                    scope_count = scope_len // 4
                else:
                    tid, fc, scope_count = struct.unpack("!HHH", body[b:b + 6])
                    b += 6
                    nf = fc
                if tid < 256:
                    break
                fields = []
                for _ in range(nf):
                    ie, ln = struct.unpack("!HH", body[b:b + 4])
                    b += 4
                    pen = 0
                    if ver == 10 and ie & 0x8000:
                        pen = struct.unpack("!I", body[b:b + 4])[0]
                        b += 4
                    fields.append((pen, ie & 0x7FFF if pen == 0 else ie, ln))
                    sess.ies_seen.add((pen, ie & 0x7FFF))
                if ver == 9:
                    # v9 scope field types are their own registry (1 = system ...); name them apart
                    fields = [(0xFFFFFFFF if i < scope_count else pen, ie, ln) for i, (pen, ie, ln) in enumerate(fields)]
                sess.templates[tid] = (fields, True, scope_count)
                sess.option_template_records += 1
                sess.option_template_ids.add(tid)
                if sess.first_template_frame is None:
                    sess.first_template_frame = frame
                _resolve_pending(sess, tid)
        elif sid_ >= 256:
            t = sess.templates.get(sid_)
            if t is None:
                sess.pending[sid_].append((body, frame, entry))
                continue
            fields, is_opt, _sc = t
            n = _count_records(fields, body)
            if is_opt:
                sess.option_records += n
            else:
                sess.data_records += n
            if ver == 10:
                entry[2] += n
            for rec in _iter_records(fields, body):
                vals, _ = decode_fields(fields, rec)
                if is_opt:
                    sess.option_values.append(dict(frame=frame, template=sid_, **vals))
                    if "sampler_interval" in vals or "sampling_interval" in vals or "sampling_packet_interval" in vals:
                        sess.sampling.add(tuple(sorted((k, v) for k, v in vals.items()
                                                       if k.startswith("sampl"))))
                else:
                    sess.packets += vals.get("packets", 0)
                    sess.octets += vals.get("octets", 0)
                if keep_records and not is_opt:
                    vals.update(frame=frame, template=sid_)
                    if uptime is not None:
                        vals["sys_uptime"] = uptime
                    vals["export_secs"] = secs
                    sess.records.append(vals)
    if ver == 9:
        entry[2] = 1
        sess.uptimes.append((frame, uptime))


def _count_records(fields, body):
    rl = record_length(fields)
    if rl:
        return len(body) // rl
    return sum(1 for _ in _iter_records(fields, body))


def _iter_records(fields, body):
    rl = record_length(fields)
    if rl:
        for i in range(len(body) // rl):
            yield body[i * rl:(i + 1) * rl]
        return
    o = 0
    minlen = sum(1 if ln == 0xFFFF else ln for _p, _i, ln in fields)
    while len(body) - o >= minlen and minlen > 0:
        _v, used = decode_fields(fields, body[o:])
        yield body[o:o + used]
        o += used


def _resolve_pending(sess, tid):
    if tid not in sess.pending:
        return
    fields, is_opt, _ = sess.templates[tid]
    for body, frame, entry in sess.pending.pop(tid):
        n = _count_records(fields, body)
        if sess.key[3] == 10:
            entry[2] += n
        sess.before_template[tid] += n
        sess.before_template_sets[tid] += 1
        sess.before_template_frames.add(frame)


def sequence_report(version, seqs):
    """Apply the version's sequence rule to consecutive messages, in capture order.
    v5/v7: next = seq + count (flows); v9: next = seq + 1 (export packets);
    IPFIX: next = seq + data records of the message, options data records included
    (RFC 7011 3.1), records that came before their template counted once it is known."""
    if version == 1:
        return None
    out = dict(first=seqs[0][1], last=seqs[-1][1], in_order=0, ahead=[], behind=[])
    for (f0, s0, n0, _u0), (f1, s1, _n1, _u1) in zip(seqs, seqs[1:]):
        exp = (s0 + n0) & 0xFFFFFFFF
        d = (s1 - exp) & 0xFFFFFFFF
        if d == 0:
            out["in_order"] += 1
        elif d < 0x80000000:
            out["ahead"].append(dict(frame=f1, expected=exp, got=s1, by=d))
        else:
            out["behind"].append(dict(frame=f1, expected=exp, got=s1, by=d - 0x100000000))
    return out


def analyze(path, ports, keep_records=False):
    sessions = OrderedDict()
    holes = []
    for m in export_messages(path, ports):
        if m["frame"] is None:
            holes.append(m)
            continue
        p = m["payload"]
        if len(p) < 4:
            continue
        ver = struct.unpack("!H", p[:2])[0]
        if ver in (9, 10):
            dom = struct.unpack("!I", p[16:20] if ver == 9 else p[12:16])[0]
        elif ver in (1, 5, 7):
            dom = (p[20], p[21]) if ver in (5, 7) else None
        else:
            continue
        key = (m["transport"], m["src"], m["dst"], ver, dom)
        sess = sessions.get(key)
        if sess is None:
            sess = sessions[key] = Session(key)
        parse_message(sess, p, m["frame"], keep_records)
    return sessions, holes


def session_summary(s):
    transport, src, dst, ver, dom = s.key
    d = OrderedDict(transport=transport, exporter=src, collector=dst, version=ver)
    if ver in (9, 10):
        d["source_id" if ver == 9 else "observation_domain"] = dom
    elif ver in (5, 7):
        d["engine_type"], d["engine_id"] = dom
    d["messages"] = s.messages
    d["data_records"] = s.data_records
    d["packets_in_records"] = s.packets
    d["octets_in_records"] = s.octets
    if ver in (9, 10):
        d["option_records"] = s.option_records
        d["template_records"] = s.template_records
        d["option_template_records"] = s.option_template_records
        d["template_ids"] = sorted(s.template_ids)
        d["option_template_ids"] = sorted(s.option_template_ids)
        d["first_template_frame"] = s.first_template_frame
        d["records_before_template"] = dict(sorted(s.before_template.items()))
        d["sets_before_template"] = dict(sorted(s.before_template_sets.items()))
        d["frames_with_data_before_template"] = sorted(s.before_template_frames)
        d["never_templated"] = {tid: len(v) for tid, v in sorted(s.pending.items())}
        d["timeout_ies_in_templates"] = sorted(ie for pen, ie in s.ies_seen if pen == 0 and ie in (36, 37))
        if s.option_values:
            d["option_values"] = s.option_values
    d["sequence"] = [x[1] for x in s.seqs] if ver != 1 else None
    d["sequence_check"] = sequence_report(ver, s.seqs)
    ups = [u for _f, u in s.uptimes if u is not None]
    if ups:
        d["sys_uptime_ms"] = [ups[0], ups[-1]]
        d["sys_uptime_decreases"] = [dict(frame=f1, before=u0, after=u1)
                                     for (f0, u0), (f1, u1) in zip(s.uptimes, s.uptimes[1:]) if u1 < u0]
    if s.sampling:
        d["sampling"] = sorted(str(x) for x in s.sampling)
    return d


# ------------------------------------------------------------------ traffic ground truth


def traffic_flows(path):
    """Unidirectional (proto, src, sport, dst, dport) -> [packets, IP bytes]; ICMP 'ports' are
    sport 0, dport type*256+code (how v5 exporters put them)."""
    flows = OrderedDict()
    for _n, _ts, _ns, lt, pkt in read_capture(path):
        lp = link_payload(lt, pkt)
        if not lp:
            continue
        ipp = ip_payload(*lp)
        if not ipp:
            continue
        src, dst, proto, l4, tot, _frag = ipp
        sp = dp = 0
        if proto in (6, 17) and len(l4) >= 4:
            sp, dp = struct.unpack("!HH", l4[:4])
        elif proto in (1, 58) and len(l4) >= 2:
            dp = l4[0] * 256 + l4[1]
        k = (proto, src, sp, dst, dp)
        f = flows.setdefault(k, [0, 0])
        f[0] += 1
        f[1] += tot
    return flows


LINKTYPE_NAMES = {0: "null", 1: "ether", 12: "raw", 101: "raw", 108: "loop", 113: "linux-sll", 276: "linux-sll2"}


def capture_info(path):
    """'pcap-usec' / 'pcap-nsec' / 'pcapng-tsresolN[,M]' (+ '.gz'), and the link types."""
    head = _read_file(path)
    magic = head[:4]
    if magic == b"\x0a\x0d\x0d\x0a":
        res = sorted({str(r) for r in _pcapng_tsresols(head)})
        fmt = "pcapng-tsresol" + ",".join(res)
    else:
        fmt = "pcap-nsec" if magic in (b"\x4d\x3c\xb2\xa1", b"\xa1\xb2\x3c\x4d") else "pcap-usec"
    lts = sorted({lt for _n, _t, _ns, lt, _p in read_capture(path)})
    comp = ".gz" if path.endswith(".gz") else ".zst" if path.endswith(".zst") else ""
    return fmt + comp, ",".join(LINKTYPE_NAMES.get(x, str(x)) for x in lts)


def _pcapng_tsresols(data):
    off, e = 0, "<"
    while off + 12 <= len(data):
        btype = struct.unpack(e + "I", data[off:off + 4])[0]
        if btype == 0x0A0D0D0A:
            e = "<" if data[off + 8:off + 12] == b"\x4d\x3c\x2b\x1a" else ">"
        blen = struct.unpack(e + "I", data[off + 4:off + 8])[0]
        if btype == 1:
            body = data[off + 8:off + blen - 4]
            res, o = 6, 8
            while o + 4 <= len(body):
                code, olen = struct.unpack(e + "HH", body[o:o + 4])
                if code == 0:
                    break
                if code == 9:
                    res = body[o + 4]
                o += 4 + ((olen + 3) & ~3)
            yield res
        off += blen


def record_key(r):
    proto = r.get("proto", 0)
    sp, dp = r.get("sport", 0), r.get("dport", 0)
    if proto in (1, 58):
        tc = r.get("icmp_type_code", r.get("icmp_type_code_v6"))
        if tc is None and "icmp_type" in r:
            tc = r["icmp_type"] * 256 + r.get("icmp_code", 0)
        if tc is None and "icmp_type_v6" in r:
            tc = r["icmp_type_v6"] * 256 + r.get("icmp_code_v6", 0)
        sp, dp = 0, (tc if tc is not None else dp)
    return (proto, r.get("src"), sp, r.get("dst"), dp)


def compare(traffic_path, path, ports):
    """Per exporter session: its flow records summed by 5-tuple against the traffic's
    unidirectional 5-tuples (IPv4 only for v1/v5/v7). ICMP: the exporter's type/code
    (ICMP_TYPE / icmpTypeCode* IEs, or the v5 destination port) against type*256+code.
    Biflow records (reverse IEs, PEN 29305) count for both directions."""
    tr = traffic_flows(traffic_path)
    sessions, _ = analyze(path, ports, keep_records=True)
    out = []
    for s in sessions.values():
        ver = s.key[3]
        want = {k: v for k, v in tr.items() if ver not in (1, 5, 7) or ":" not in k[1]}
        got = {}
        for r in s.records:
            if r.get("packets", 0) or not r.get("pen29305.2"):
                g = got.setdefault(record_key(r), [0, 0, 0])
                g[0] += r.get("packets", 0)
                g[1] += r.get("octets", 0)
                g[2] += 1
            if r.get("pen29305.2"):  # biflow (RFC 5103): the reverse direction's counters
                rev = dict(proto=r.get("proto"), src=r.get("dst"), dst=r.get("src"), sport=r.get("dport", 0),
                           dport=r.get("sport", 0))
                for ie, name in ((32, "icmp_type_code"), (139, "icmp_type_code_v6")):
                    if f"pen29305.{ie}" in r:
                        rev[name] = r[f"pen29305.{ie}"]
                g = got.setdefault(record_key(rev), [0, 0, 0])
                g[0] += r["pen29305.2"]
                g[1] += r.get("pen29305.1", 0)

        same = [k for k in want if k in got and got[k][:2] == want[k]]
        differ = [k for k in want if k in got and got[k][:2] != want[k]]
        out.append(OrderedDict(
            exporter=s.key[1], version=ver, traffic_flows=len(want), exporter_flows=len(got),
            records=len(s.records),
            equal_packets_and_octets=len(same),
            different_counts=[dict(flow=list(k), traffic=want[k], exporter=got[k][:2]) for k in differ],
            missing=[list(k) for k in want if k not in got],
            extra=[list(k) for k in got if k not in want]))
    return out


def main():
    if len(sys.argv) >= 5 and sys.argv[1] == "compare":
        ports = {int(x) for x in sys.argv[4].split(",")}
        print(json.dumps(compare(sys.argv[2], sys.argv[3], ports), indent=1))
        return
    if len(sys.argv) >= 3 and sys.argv[1] == "info":
        print("\t".join(capture_info(sys.argv[2])))
        return
    if len(sys.argv) < 3:
        print(__doc__)
        sys.exit(2)
    cmd, path = sys.argv[1], sys.argv[2]
    if cmd == "traffic":
        for (proto, src, sp, dst, dp), (pk, by) in traffic_flows(path).items():
            print(json.dumps(dict(proto=proto, src=src, sport=sp, dst=dst, dport=dp, packets=pk, octets=by)))
        return
    ports = {int(x) for x in sys.argv[3].split(",")}
    sessions, holes = analyze(path, ports, keep_records=(cmd == "records"))
    if cmd == "summary":
        out = [session_summary(s) for s in sessions.values()]
        for h in holes:
            d = dict(tcp_stream=f"{h['src']} -> {h['dst']}", hole_at_stream_offset=h["hole_at"])
            for k in ("lost_message_length", "lost_message_sequence", "bytes_after_hole", "resumed",
                      "not_a_message"):
                if k in h:
                    d[k] = h[k]
            out.append(d)
        print(json.dumps(out, indent=1))
    elif cmd == "messages":
        for m in export_messages(path, ports):
            p = m["payload"]
            if m["frame"] is None:
                what = "message lost, resumed after it" if m.get("resumed") else "stream ends here"
                print(f"-\ttcp\t{m['src']}\t{m['dst']}\tbytes missing at stream offset {m['hole_at']}: {what}")
                continue
            ver = struct.unpack("!H", p[:2])[0]
            if ver in (5, 7):
                info = "count=%d seq=%d uptime=%d" % (struct.unpack("!H", p[2:4])[0], struct.unpack("!I", p[16:20])[0],
                                                      struct.unpack("!I", p[4:8])[0])
            elif ver == 9:
                info = "count=%d seq=%d uptime=%d" % (struct.unpack("!H", p[2:4])[0], struct.unpack("!I", p[12:16])[0],
                                                      struct.unpack("!I", p[4:8])[0])
            elif ver == 10:
                info = "len=%d seq=%d" % (struct.unpack("!H", p[2:4])[0], struct.unpack("!I", p[8:12])[0])
            else:
                info = ""
            print(f"{m['frame']}\t{m['transport']}\t{m['src']}\t{m['dst']}\tv{ver}\t{info}")
    elif cmd == "records":
        for s in sessions.values():
            for r in s.records:
                r = dict(r)
                r["exporter"] = s.key[1]
                r["version"] = s.key[3]
                print(json.dumps(r))


if __name__ == "__main__":
    main()
