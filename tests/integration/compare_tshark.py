#!/usr/bin/env python3
"""Compare nfpcap's decoded flow records with tshark's, record by record.

usage: compare_tshark.py NFPCAP_BINARY CAPTURE [--port P ...] [--max-diffs N] [--two-pass]

1. tshark decodes CAPTURE (every --port P forced to the cflow dissector with
   "-d udp.port==P,cflow", and only datagrams to or from those ports count;
   without --port, every UDP port is decoded as cflow and only datagrams that
   start with a NetFlow/IPFIX version number count) and writes PDML. Each flow data record is one "pdu i/n" (v1/v5) or "Flow i"
   (v9/IPFIX) subtree; options data records are told apart by the kind of the
   template they use (tshark names the frame that defined it). Template
   records and data that arrived before its template have no such subtree.
2. `nfpcap flows --format json CAPTURE [--port P ...]` prints one JSON object
   per data record (options records excluded).
3. Both lists are compared in capture order: frame, exporter, version,
   template id, source/destination address and port, protocol, packets,
   octets (and the reverse counterparts of those fields when present).
4. `nfpcap stats --format json` must account for every datagram and record.

With --two-pass, tshark runs with -2 (its second pass knows every template of the file, so
data before its template is decoded) and nfpcap's late records (printed when decoded, each
with its own frame) are put back in frame order before the comparison.

Exit status: 0 all equal, 1 any difference or failure, 77 tshark missing
(meson's "skipped"). Python 3 standard library only.
"""

import argparse
import io
import ipaddress
import json
import os
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from difflib import SequenceMatcher

import tshark_cache

PROG = "compare_tshark"
EXIT_OK, EXIT_FAIL, EXIT_SKIP = 0, 1, 77

# Compared per-record fields. Each value is a sorted tuple, so that a template
# repeating an element (nfpcap: JSON array, tshark: repeated field) or naming
# it with a protocol-specific IE (udpSourcePort vs sourceTransportPort, which
# tshark shows as the same cflow.srcport) compares as a multiset.
FIELDS = ("src_addr", "dst_addr", "src_port", "dst_port", "protocol", "packets", "octets")

# tshark field abbreviation -> compared field. tshark 4.0 shows IE 1/2 as
# cflow.octets/cflow.packets (older releases: *64 for 8-byte encodings) and
# IE 85/86 (octetTotalCount/packetTotalCount) as cflow.permanent_*; older
# releases show 85/86 as cflow.octets/cflow.packets too, hence one "packets"
# field for delta and total counts alike.
TSHARK_FIELDS = {
    "cflow.srcaddr": "src_addr",
    "cflow.srcaddrv6": "src_addr",
    "cflow.dstaddr": "dst_addr",
    "cflow.dstaddrv6": "dst_addr",
    "cflow.srcport": "src_port",
    "cflow.dstport": "dst_port",
    "cflow.protocol": "protocol",
    "cflow.packets": "packets",
    "cflow.packets64": "packets",
    "cflow.permanent_packets": "packets",
    "cflow.octets": "octets",
    "cflow.octets64": "octets",
    "cflow.permanent_octets": "octets",
}

# nfpcap JSON key (IANA name) -> compared field. "reverseX" (RFC 5103,
# PEN 29305) maps to "reverse_" + the field of X.
NFPCAP_FIELDS = {
    "sourceIPv4Address": "src_addr",
    "sourceIPv6Address": "src_addr",
    "destinationIPv4Address": "dst_addr",
    "destinationIPv6Address": "dst_addr",
    "sourceTransportPort": "src_port",
    "udpSourcePort": "src_port",
    "tcpSourcePort": "src_port",
    "destinationTransportPort": "dst_port",
    "udpDestinationPort": "dst_port",
    "tcpDestinationPort": "dst_port",
    "protocolIdentifier": "protocol",
    "packetDeltaCount": "packets",
    "packetTotalCount": "packets",
    "octetDeltaCount": "octets",
    "octetTotalCount": "octets",
}
ADDRESS_FIELDS = {"src_addr", "dst_addr"}

NETFLOW_VERSIONS = {1, 5, 6, 7, 8, 9, 10}  # what tshark's cflow dissector knows
SUPPORTED_VERSIONS = {1, 5, 7, 8, 9, 10}  # what nfpcap decodes; tshark also does v6
PDU_RE = re.compile(r"^pdu \d+/\d+$")  # v1/v5/v7/v8 record subtree
FLOW_RE = re.compile(r"^Flow \d+$")  # v9/IPFIX data record subtree


def log(msg):
    print(f"{PROG}: {msg}", flush=True)


class Record:
    """One flow data record as seen by tshark or nfpcap."""

    __slots__ = ("frame", "exporter", "version", "template", "fields", "index", "stale")

    def __init__(self, frame, exporter, version, template, index):
        self.frame = frame
        self.exporter = exporter
        self.version = version
        self.template = template
        self.fields = {}
        self.index = index  # 1-based position in its tool's output
        self.stale = None  # tshark only: (frame tshark took the template from, frame of the redefinition)

    def add(self, field, value):
        self.fields.setdefault(field, []).append(value)

    def freeze(self):
        self.fields = {k: tuple(sorted(v, key=sort_key)) for k, v in self.fields.items()}

    def key(self):
        return (self.frame, self.exporter, self.version, self.template,
                tuple(sorted(self.fields.items())))

    def attributes(self):
        attrs = {"frame": self.frame, "exporter": self.exporter, "version": self.version,
                 "template": self.template}
        for name in all_fields(self):
            attrs[name] = self.fields.get(name, ())
        return attrs

    def describe(self):
        parts = [f"frame {self.frame}", f"v{self.version}", f"exporter {self.exporter}"]
        if self.template is not None:
            parts.append(f"template {self.template}")
        for name in all_fields(self):
            vals = self.fields.get(name, ())
            parts.append(f"{name}={format_values(vals)}")
        return " ".join(parts)


def all_fields(*records):
    names = list(FIELDS)
    extra = set()
    for r in records:
        extra.update(k for k in r.fields if k not in FIELDS)
    return names + sorted(extra)


def sort_key(v):
    return (type(v).__name__, v)


def format_values(vals):
    if not vals:
        return "-"
    if len(vals) == 1:
        return str(vals[0])
    return "[" + ",".join(str(v) for v in vals) + "]"


def norm_number(v):
    if isinstance(v, bool):
        return str(v)
    if isinstance(v, int):
        return v
    if isinstance(v, float) and v.is_integer():
        return int(v)
    s = str(v).strip()
    try:
        if s.lower().startswith("0x"):
            return int(s, 16)
        return int(s, 10)
    except ValueError:
        return s  # kept as text: a mismatch will show it


def norm_address(v):
    s = str(v).strip()
    try:
        return str(ipaddress.ip_address(s))
    except ValueError:
        return s


def norm_value(field, v):
    base = field[len("reverse_"):] if field.startswith("reverse_") else field
    return norm_address(v) if base in ADDRESS_FIELDS else norm_number(v)


def norm_exporter(addr, port):
    return f"{norm_address(str(addr).strip('[]'))}:{port}"


# --------------------------------------------------------------------- tshark

def tshark_ok():
    return shutil.which("tshark") is not None


CUT_SHORT = "cut short in the middle of a packet"


def tshark_errors(stderr):
    """tshark's stderr without the root warning."""
    text = stderr.decode(errors="replace") if isinstance(stderr, bytes) else stderr
    text = text.replace('Running as user "root" and group "root". This could be dangerous.', "")
    return " ".join(line.strip() for line in text.splitlines() if line.strip())


def run(cmd, **kw):
    return subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, **kw)


def port_ranges(ports):
    """[2055, 2056, 2057, 4739] -> ['2055-2057', '4739'] (tshark -d selectors)."""
    out = []
    ports = sorted(set(ports))
    i = 0
    while i < len(ports):
        j = i
        while j + 1 < len(ports) and ports[j + 1] == ports[j] + 1:
            j += 1
        out.append(str(ports[i]) if i == j else f"{ports[i]}-{ports[j]}")
        i = j + 1
    return out


def child_fields(elem):
    return [c for c in elem if c.tag == "field"]


def field_show(elem, name):
    for c in elem:
        if c.tag == "field" and c.get("name") == name:
            return c.get("show")
    return None


class TsharkCollector:
    def __init__(self, ports):
        self.ports = set(ports) if ports else None
        self.records = []
        # (frame, version, template id) -> (kind, layout) of a template defined there;
        # kind "data" | "options", layout = the template's fields as tshark shows them
        self.frame_templates = {}
        # (session, template id) -> (frame, kind, layout) of its latest definition
        self.session_templates = {}
        self.stale_records = []  # tshark records decoded with a superseded template
        self.withdrawn_records = []  # (frame, template id, withdrawal frame): decoded by tshark anyway
        self.options_records = 0
        self.unsupported = {}  # version -> records
        self.unknown_template_records = 0
        self.ports_seen = set()  # destination ports of the NetFlow datagrams
        self.warning = None  # tshark complaint that did not stop it (capture cut short)

    def packet(self, pkt):
        frame = None
        prev = None
        src = sport = dst = dport = None
        for proto in pkt:
            if proto.tag != "proto":
                continue
            name = proto.get("name")
            if name == "geninfo" and frame is None:
                num = field_show(proto, "num")
                frame = int(num) if num else None
            elif name == "frame" and frame is None:
                num = field_show(proto, "frame.number")
                frame = int(num) if num else None
            elif name == "ip":
                src, dst = field_show(proto, "ip.src"), field_show(proto, "ip.dst")
            elif name == "ipv6":
                src, dst = field_show(proto, "ipv6.src"), field_show(proto, "ipv6.dst")
            elif name == "udp":
                sport, dport = field_show(proto, "udp.srcport"), field_show(proto, "udp.dstport")
            elif name == "tcp":
                sport, dport = field_show(proto, "tcp.srcport"), field_show(proto, "tcp.dstport")
            elif name == "cflow" and prev == "udp":
                # prev != "udp": cflow quoted inside an ICMP error, not export traffic
                if self.ports is None or int(sport) in self.ports or int(dport) in self.ports:
                    self.cflow(proto, frame, (src, sport, dst, dport))
            elif name == "cflow" and prev in ("tcp", "cflow", "fake-field-wrapper") and TCP_PORTS:
                # messages of a TCP stream (several in one segment follow each other)
                if int(sport) in TCP_PORTS or int(dport) in TCP_PORTS:
                    self.cflow(proto, frame, (src, sport, dst, dport))
            prev = name

    def cflow(self, proto, frame, flow):
        version = int(field_show(proto, "cflow.version") or 0)
        if version not in NETFLOW_VERSIONS:
            return  # not NetFlow: some other UDP traffic forced through the cflow dissector
        self.ports_seen.add(int(flow[3]))
        exporter = norm_exporter(flow[0], flow[1])
        if version in (9, 10):
            domain = field_show(proto, "cflow.source_id") or field_show(proto, "cflow.od_id")
            session = flow + (version, domain)
        for child in child_fields(proto):
            show = child.get("show", "")
            if child.get("name") == "" and PDU_RE.match(show):
                self.emit(child, frame, exporter, version, None)
                continue
            fsid = field_show(child, "cflow.flowset_id")
            if fsid is None or version not in (9, 10):
                continue
            fsid = int(fsid)
            if fsid < 256:
                kind = {0: "data", 1: "options"} if version == 9 else {2: "data", 3: "options"}
                kind = kind.get(fsid)
                if kind is None:
                    continue
                for t in child_fields(child):
                    tid = field_show(t, "cflow.template_id")
                    if tid is None:
                        continue
                    tid = int(tid)
                    layout = tuple((f.get("name"), f.get("show")) for f in t.iter("field")
                                   if f.get("name"))
                    count = (field_show(t, "cflow.template_field_count")
                             or field_show(t, "cflow.template_ipfix_total_field_count"))
                    if version == 10 and count == "0":
                        # IPFIX template withdrawal (RFC 7011 8.1); id 2/3 withdraws all
                        if tid in (2, 3):
                            for key in [k for k in self.session_templates if k[0] == session]:
                                self.session_templates[key] = (frame, "withdrawn", ())
                        else:
                            self.session_templates[(session, tid)] = (frame, "withdrawn", ())
                        continue
                    self.frame_templates[(frame, version, tid)] = (kind, layout)
                    self.session_templates[(session, tid)] = (frame, kind, layout)
                continue
            tframe = field_show(child, "cflow.template_frame")
            used = None
            if tframe is not None:
                used = self.frame_templates.get((int(tframe), version, fsid))
            latest = self.session_templates.get((session, fsid))
            stale = None
            if used is None and latest is not None:
                used = latest[1:]
            elif used is not None and latest is not None and latest[2] != used[1]:
                # tshark 4.0 keeps decoding with the first definition of a template id
                # when the exporter redefines it with another layout (RFC 7011 8.1
                # allows that over UDP); nfpcap uses the new one.
                stale = (int(tframe), latest[0])
            kind = used[0] if used is not None else None
            withdrawn = latest is not None and latest[1] == "withdrawn"
            for rec in child_fields(child):
                if rec.get("name") == "" and FLOW_RE.match(rec.get("show", "")):
                    if withdrawn:
                        # tshark 4.0 ignores withdrawals and goes on decoding with the old
                        # template; nfpcap (like RFC 7011) has no template for this data.
                        self.withdrawn_records.append((frame, fsid, latest[0]))
                        continue
                    if kind == "options":
                        self.options_records += 1
                        continue
                    if kind is None:
                        self.unknown_template_records += 1
                    r = self.emit(rec, frame, exporter, version, fsid)
                    if r is not None and stale is not None:
                        r.stale = stale
                        self.stale_records.append(r)

    def emit(self, node, frame, exporter, version, template):
        if version not in SUPPORTED_VERSIONS:
            self.unsupported[version] = self.unsupported.get(version, 0) + 1
            return None
        r = Record(stream_frame(frame, version), exporter, version, template, len(self.records) + 1)
        for f in child_fields(node):
            field = TSHARK_FIELDS.get(f.get("name"))
            if field is None:
                continue
            if "(Reverse" in (f.get("showname") or ""):
                field = "reverse_" + field
            r.add(field, norm_value(field, f.get("show")))
        r.freeze()
        self.records.append(r)
        return r


def tshark_records(capture, ports, two_pass=False):
    # Without --port every UDP port is decoded as cflow (one pass; a range selector
    # costs tshark nothing) and only layers starting with a NetFlow version count.
    args = ["-n"] + (["-2"] if two_pass else []) + ["-Y", "cflow", "-T", "pdml"]
    for sel in port_ranges(ports) if ports else ["1-65535"]:
        args += ["-d", f"udp.port=={sel},cflow"]
    if TCP_PORTS:
        # Messages cut across segments, out-of-order segments put back in order (tshark 4.0).
        args += ["-o", "tcp.desegment_tcp_streams:TRUE", "-o", "tcp.reassemble_out_of_order:TRUE"]
        for sel in port_ranges(TCP_PORTS):
            args += ["-d", f"tcp.port=={sel},cflow"]
    collector = TsharkCollector(ports)
    status, out, err = tshark_cache.tshark(args, capture)  # one run per capture (tshark_cache.py)
    err = err.decode(errors="replace")
    try:
        for _event, elem in ET.iterparse(io.BytesIO(out), events=("end",)):
            if elem.tag == "packet":
                collector.packet(elem)
                elem.clear()
    except ET.ParseError as e:
        raise RuntimeError(f"cannot parse tshark PDML: {e}")
    if status != 0:
        if CUT_SHORT not in tshark_errors(err):
            raise RuntimeError(f"tshark failed ({status}): {tshark_errors(err)}")
        collector.warning = tshark_errors(err)
    return collector


# --------------------------------------------------------------------- nfpcap

NFPCAP_WARNINGS = []  # stderr of nfpcap runs that exited non-zero but printed their output


TCP_PORTS = []  # --tcp-port: TCP ports carrying export streams, for both decoders


def stream_frame(frame, version):
    # A NetFlow v9 header has no length: over TCP nfpcap ends a message where the next header
    # begins (or at the FIN), tshark at the end of its segment, so the frames differ by design.
    # With --tcp-port, v9 records compare in stream order, not by frame.
    return "v9 over TCP" if TCP_PORTS and version == 9 else frame


def nfpcap_json_lines(binary, command, capture, ports):
    cmd = [binary, command, "--format", "json"]
    for p in ports:
        cmd += ["--port", str(p)]
    if TCP_PORTS:
        cmd += ["--tcp", "ports"]
        for p in TCP_PORTS:
            cmd += ["--tcp-port", str(p)]
    cmd.append(capture)
    res = run(cmd)
    err = res.stderr.decode(errors="replace").strip()
    if res.returncode != 0:
        # A capture cut short: nfpcap reports it, exits 1 and still prints what it
        # decoded before; tshark does the same (exit 2). Anything else is a failure.
        if res.returncode == 1 and res.stdout.strip() and "truncated" in err:
            NFPCAP_WARNINGS.append(f"`nfpcap {command}` exited 1: {err}")
        else:
            raise RuntimeError(f"{' '.join(cmd)} exited {res.returncode}: {err}")
    return res.stdout.decode(errors="replace")


def nfpcap_records(binary, capture, ports):
    out = nfpcap_json_lines(binary, "flows", capture, ports)
    records = []
    for n, line in enumerate(out.splitlines(), 1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as e:
            raise RuntimeError(f"nfpcap flows: line {n} is not JSON ({e}): {line[:200]}")
        if obj.get("kind") == "options":
            continue
        exporter = str(obj.get("exporter", ""))
        host, _, port = exporter.rpartition(":")
        r = Record(stream_frame(obj.get("frame"), obj.get("version")), norm_exporter(host, port), obj.get("version"),
                   obj.get("template"), len(records) + 1)
        for key, value in obj.items():
            rev = key.startswith("reverse") and key[7:8].isupper()
            base = key[7].lower() + key[8:] if rev else key
            field = NFPCAP_FIELDS.get(base)
            if field is None:
                continue
            if rev:
                field = "reverse_" + field
            for v in value if isinstance(value, list) else [value]:
                r.add(field, norm_value(field, v))
        r.freeze()
        if r.version not in (9, 10):
            r.template = None
        records.append(r)
    return records


def check_stats(binary, capture, ports, flow_count):
    """Returns a list of accounting errors (empty when it adds up)."""
    out = nfpcap_json_lines(binary, "stats", capture, ports)
    try:
        st = json.loads(out)
    except json.JSONDecodeError as e:
        return [f"stats output is not one JSON document: {e}"]
    errors = []

    def get(obj, key, where="total"):
        if key not in obj:
            errors.append(f"stats: {where}: missing key {key!r}")
            return 0
        return obj[key]

    d = get(st, "datagrams")
    ne, ex, sl = get(st, "not_export_datagrams"), get(st, "export_datagrams"), get(st, "session_limit_datagrams")
    if d != ne + ex + sl:
        errors.append(f"stats: datagrams {d} != not_export_datagrams {ne} + export_datagrams {ex}"
                      f" + session_limit_datagrams {sl} (= {ne + ex + sl})")
    dec, part, mal = get(st, "decoded_datagrams"), get(st, "partial_datagrams"), get(st, "malformed_datagrams")
    if ex != dec + part + mal:
        errors.append(f"stats: export_datagrams {ex} != decoded_datagrams {dec} + partial_datagrams {part}"
                      f" + malformed_datagrams {mal} (= {dec + part + mal})")
    dr = get(st, "data_records")
    if dr != flow_count:
        errors.append(f"stats: data_records {dr} != {flow_count} records printed by `nfpcap flows`")
    sessions = get(st, "sessions") or []
    per_session = sum(s.get("data_records", 0) for s in sessions)
    if per_session != dr:
        errors.append(f"stats: sum of per-session data_records {per_session} != data_records {dr}"
                      f" ({len(sessions)} sessions)")
    return errors


# --------------------------------------------------------------------- compare

def compare(tsh, nfp, max_diffs):
    """Returns a list of difference descriptions (at most max_diffs) and
    the total number of differences."""
    diffs = []
    total = 0
    stale_pairs = []  # (tshark, nfpcap) records that differ because tshark used a stale template

    def note(text):
        nonlocal total
        total += 1
        if len(diffs) < max_diffs:
            diffs.append(text)

    # nfpcap must print in capture order.
    for a, b in zip(nfp, nfp[1:]):
        if isinstance(a.frame, int) and isinstance(b.frame, int) and b.frame < a.frame:
            note(f"nfpcap record #{b.index} (frame {b.frame}) printed after record #{a.index}"
                 f" (frame {a.frame}): not in capture order")
            break

    # Group by frame so that one missing record does not shift all the rest.
    def by_frame(records):
        groups, order = {}, []
        for r in records:
            if r.frame not in groups:
                groups[r.frame] = []
                order.append(r.frame)
            groups[r.frame].append(r)
        return groups, order

    tg, torder = by_frame(tsh)
    ng, norder = by_frame(nfp)
    frames = list(dict.fromkeys(torder + norder))
    frames.sort(key=lambda f: (not isinstance(f, int), f if isinstance(f, int) else 0))
    for frame in frames:
        a, b = tg.get(frame, []), ng.get(frame, [])
        if len(a) == len(b):
            pairs = [("pair", x, y) for x, y in zip(a, b)]
        else:
            pairs = []
            sm = SequenceMatcher(None, [r.key() for r in a], [r.key() for r in b], autojunk=False)
            for op, i1, i2, j1, j2 in sm.get_opcodes():
                if op == "equal" or op == "replace":
                    k = min(i2 - i1, j2 - j1)
                    pairs += [("pair", a[i1 + n], b[j1 + n]) for n in range(k)]
                    pairs += [("tshark", r, None) for r in a[i1 + k:i2]]
                    pairs += [("nfpcap", None, r) for r in b[j1 + k:j2]]
                elif op == "delete":
                    pairs += [("tshark", r, None) for r in a[i1:i2]]
                elif op == "insert":
                    pairs += [("nfpcap", None, r) for r in b[j1:j2]]
        for what, x, y in pairs:
            if what == "tshark":
                note(f"only in tshark (tshark #{x.index}): {x.describe()}")
            elif what == "nfpcap":
                note(f"only in nfpcap (nfpcap #{y.index}): {y.describe()}")
            elif x.stale is not None and x.key() != y.key():
                stale_pairs.append((x, y))
            elif x.key() != y.key():
                xa, ya = x.attributes(), y.attributes()
                names = ["frame", "exporter", "version", "template"] + all_fields(x, y)
                parts = []
                for name in names:
                    xv, yv = xa.get(name, ()), ya.get(name, ())
                    if xv != yv:
                        if isinstance(xv, tuple):
                            xv, yv = format_values(xv), format_values(yv)
                        parts.append(f"{name}: tshark {xv} != nfpcap {yv}")
                note(f"frame {frame} (tshark #{x.index}, nfpcap #{y.index}): " + "; ".join(parts)
                     + f"\n    tshark: {x.describe()}\n    nfpcap: {y.describe()}")
    return diffs, total, stale_pairs


def main(argv=None):
    ap = argparse.ArgumentParser(
        prog="compare_tshark.py",
        description="Compare nfpcap's flow records with tshark's decoding of the same capture.")
    ap.add_argument("nfpcap", metavar="NFPCAP_BINARY")
    ap.add_argument("capture", metavar="CAPTURE")
    ap.add_argument("--port", type=int, action="append", default=[], metavar="P",
                    help="UDP export port (repeatable); default: any port")
    ap.add_argument("--tcp-port", type=int, action="append", default=[], metavar="P",
                    help="TCP port of export streams (repeatable; tshark: -d tcp.port==P,cflow with TCP "
                         "desegmentation; nfpcap: --tcp ports --tcp-port P)")
    ap.add_argument("--max-diffs", type=int, default=10, metavar="N",
                    help="print at most N differences (default 10)")
    ap.add_argument("--two-pass", action="store_true",
                    help="tshark -2; nfpcap's late records compared in frame order")
    args = ap.parse_args(argv)
    name = os.path.basename(args.capture)
    TCP_PORTS[:] = args.tcp_port

    if not tshark_ok():
        log(f"{name}: SKIP: tshark is not installed")
        return EXIT_SKIP
    if not os.path.exists(args.capture):
        log(f"{name}: capture not found: {args.capture}")
        return EXIT_FAIL

    try:
        tcol = tshark_records(args.capture, args.port, args.two_pass)
        nfp = nfpcap_records(args.nfpcap, args.capture, args.port)
        if args.two_pass:
            # Late records come out when their template arrives; the order within a frame stays.
            nfp.sort(key=lambda r: r.frame if isinstance(r.frame, int) else 0)
        stats_errors = check_stats(args.nfpcap, args.capture, args.port, len(nfp))
    except (RuntimeError, OSError) as e:
        log(f"{name}: ERROR: {e}")
        return EXIT_FAIL

    tsh = tcol.records
    cut_short = tcol.warning is not None
    if cut_short:
        log(f"{name}: note: tshark: {tcol.warning}")
    for w in NFPCAP_WARNINGS:
        log(f"{name}: note: {w}")
    if args.port:
        ports_text = ",".join(port_ranges(args.port))
    else:
        ports_text = "any (NetFlow/IPFIX seen to " + (",".join(port_ranges(tcol.ports_seen)) or "none") + ")"
    log(f"{name}: ports {ports_text}; tshark {len(tsh)} records"
        f" ({tcol.options_records} options records left out), nfpcap {len(nfp)} records")
    for v, n in sorted(tcol.unsupported.items()):
        log(f"{name}: note: {n} tshark records of NetFlow v{v} left out (nfpcap decodes v1/v5/v7/v8/v9/IPFIX)")
    if tcol.unknown_template_records:
        log(f"{name}: note: {tcol.unknown_template_records} tshark records whose template kind"
            " could not be told; counted as data records")

    diffs, ndiffs, stale_pairs = compare(tsh, nfp, args.max_diffs)
    if tcol.withdrawn_records:
        f, tid, wf = tcol.withdrawn_records[0]
        log(f"{name}: note: tshark decoded {len(tcol.withdrawn_records)} records with a withdrawn"
            f" template (e.g. frame {f}: template {tid}, withdrawn in frame {wf}); left out"
            " (tshark quirk: it ignores IPFIX template withdrawals)")
    if tcol.stale_records:
        frames = sorted({r.frame for r in tcol.stale_records})
        first = tcol.stale_records[0]
        log(f"{name}: note: tshark decoded {len(tcol.stale_records)} records in {len(frames)} frames"
            f" with a superseded template (e.g. frame {first.frame}: template {first.template}"
            f" taken from frame {first.stale[0]}, redefined with another layout in frame"
            f" {first.stale[1]}); {len(stale_pairs)} of them differ from nfpcap and are not"
            " counted as differences (tshark quirk)")
    for d in diffs:
        log(f"{name}: DIFF {d}")
    if ndiffs > len(diffs):
        log(f"{name}: ... {ndiffs - len(diffs)} more differences not shown")
    for e in stats_errors:
        log(f"{name}: STATS {e}")

    problems = []
    if NFPCAP_WARNINGS and not cut_short:
        problems.append("nfpcap reported a truncated capture that tshark read in full")
    if len(tsh) != len(nfp):
        problems.append(f"record count tshark {len(tsh)} != nfpcap {len(nfp)}")
    if ndiffs:
        problems.append(f"{ndiffs} differences")
    if stats_errors:
        problems.append(f"{len(stats_errors)} stats accounting errors")
    if problems:
        log(f"{name}: FAIL: " + ", ".join(problems))
        return EXIT_FAIL
    extra = ""
    if stale_pairs:
        extra = f" ({len(stale_pairs)} decoded by tshark with a superseded template, not compared field by field)"
    log(f"{name}: {len(tsh)} records, all equal{extra}")
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
