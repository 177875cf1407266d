#!/usr/bin/env python3
"""Compare `nfpcap decode` with tshark on the vendor hex fixtures, record by record and
field by field.

usage: compare_vendor.py NFPCAP_BINARY [HEX_FILE_OR_DIR ...] [--max-diffs N] [--keep DIR]

Without HEX_FILE_OR_DIR: every tests/data/vendor/*.hex beside this script's tests/ folder.
For each fixture (`nfpcap hex` format: `# key=value ...` comments, one hex UDP payload a line):

1. Each payload becomes a frame of a pcap (text2pcap: Ethernet/IPv4 or IPv6/UDP, from the
   exporter to the collector of its comment, at its time; mergecap -a keeps the file's order,
   so frame N is the N-th payload).
2. tshark 4.0 decodes the pcap as the reference (`-d udp.port==P,cflow` for every collector
   port, `-T pdml`: PDML gives each field's position, which ties it to its template field).
   What tshark shows of a frame: its templates (id, kind, scope count, fields), its data and
   options records ("Flow N" / "pdu i/n"), the fields of each record, and any malformed or
   error expert mark.
3. `nfpcap decode --format json --options --file FIXTURE` gives the records;
   `nfpcap templates --format json` and `nfpcap stats --format json` on the same pcap give the
   templates nfpcap learnt and its accounting.
4. Compared, per file: payloads nfpcap refused (`not decoded`), data and options record counts
   (per frame, in order), template records and distinct template layouts, and for every record
   field tshark names (anything but its generic "enterprise private entry"/unknown type): that
   nfpcap names it too (not `PEN.ID` / `v9.TYPE`) and that the values agree (numbers,
   addresses, MACs, times, strings, octet arrays; tshark's seconds-since-boot display of
   sysUpTime fields is compared in milliseconds).

Prints a summary per file and the first differences; exit status 0 when every file matches,
1 on any mismatch or failure, 77 when tshark/text2pcap/mergecap is missing (meson's "skipped").
Python 3 standard library only.
"""

import argparse
import datetime
import glob
import ipaddress
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from collections import Counter, defaultdict

PROG = "compare_vendor"
EXIT_OK, EXIT_FAIL, EXIT_SKIP = 0, 1, 77

# tshark field abbreviations that do not name the field (the value is shown as raw bytes).
TSHARK_GENERIC = {"cflow.enterprise_private_entry", "cflow.unknown_field_type", "cflow.unknown",
                  "cflow.padding", "cflow.pie.unknown"}
# tshark fields derived from others (no bytes of their own), or that are not record fields.
TSHARK_SKIP = {"cflow.timedelta", "cflow.string_len_short", "cflow.string_len_long", ""}

# NetFlow v1/v5/v7/v8 have no templates: their tshark fields are named here by the IANA
# element nfpcap uses for the same bytes.
FIXED_FORMAT_NAMES = {
    "cflow.srcaddr": "sourceIPv4Address", "cflow.dstaddr": "destinationIPv4Address",
    "cflow.nexthop": "ipNextHopIPv4Address", "cflow.inputint": "ingressInterface",
    "cflow.outputint": "egressInterface", "cflow.packets": "packetDeltaCount",
    "cflow.octets": "octetDeltaCount", "cflow.timestart": "flowStartSysUpTime",
    "cflow.timeend": "flowEndSysUpTime", "cflow.srcport": "sourceTransportPort",
    "cflow.dstport": "destinationTransportPort", "cflow.tcpflags": "tcpControlBits",
    "cflow.protocol": "protocolIdentifier", "cflow.tos": "ipClassOfService",
    "cflow.srcas": "bgpSourceAsNumber", "cflow.dstas": "bgpDestinationAsNumber",
    "cflow.srcmask": "sourceIPv4PrefixLength", "cflow.dstmask": "destinationIPv4PrefixLength",
    "cflow.flows": "deltaFlowCount", "cflow.srcnet": "sourceIPv4Prefix",
    "cflow.dstnet": "destinationIPv4Prefix", "cflow.marked_tos": "postIpClassOfService",
    # Fields IANA lacks, named by nfpcap's netflow-fixed pseudo-scope (data/ie/netflow-fixed.csv).
    "cflow.flags": "exportFlags", "cflow.routersc": "routerShortcut", "cflow.extra_packets": "extraPackets",
}
# tshark 4.0 reads v8 AS-ToS records (scheme 9) as ToS, pad, reserved, then the interfaces;
# Cisco's table (and flow-tools) has the interfaces at 24-27 and ToS at 28. These fields are
# checked against the record's bytes at Cisco's offsets instead: (version, scheme) -> tshark
# field -> (offset in the record, length).
TSHARK_MISREADS = {
    (8, 9): {"cflow.inputint": (24, 2), "cflow.outputint": (26, 2), "cflow.tos": (28, 1)},
}
FIXED_VERSIONS = {1, 5, 6, 7, 8}

RECORD_META = {"frame", "time", "exporter", "version", "domain", "template", "kind", "start", "end"}
UNNAMED_RE = re.compile(r"^(\d+\.\d+|v9\.\d+)$")  # nfpcap's PEN.ID and v9.TYPE
SEVERITY_ERROR = 0x00800000
MONTHS = {m: i for i, m in enumerate(
    ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"], 1)}


def log(msg):
    print(f"{PROG}: {msg}", flush=True)


# --------------------------------------------------------------------- fixtures and pcaps

def parse_endpoint(text):
    if text.startswith("["):
        host, _, port = text[1:].partition("]:")
    else:
        host, _, port = text.rpartition(":")
    return host, int(port)


class Payload:
    __slots__ = ("frame", "time", "exporter", "collector", "data", "line")

    def __init__(self, frame, time, exporter, collector, data, line):
        self.frame, self.time, self.exporter, self.collector = frame, time, exporter, collector
        self.data, self.line = data, line


def read_fixture(path):
    """The payloads of a hex fixture, in order; exporter/collector carry over, as in decode."""
    payloads, pending = [], {}
    exporter = collector = None
    with open(path, encoding="ascii") as f:
        for number, line in enumerate(f, 1):
            line = line.strip()
            if not line:
                continue
            if line.startswith("#"):
                for word in line[1:].split():
                    key, eq, value = word.partition("=")
                    if eq:
                        pending[key] = value
                continue
            exporter = pending.get("exporter", exporter)
            collector = pending.get("collector", collector)
            if exporter is None or collector is None:
                raise ValueError(f"{path}:{number}: no exporter/collector comment before the hex")
            frame = len(payloads) + 1
            if "frame" in pending and int(pending["frame"]) != frame:
                raise ValueError(f"{path}:{number}: frame={pending['frame']} but this is payload {frame}")
            payloads.append(Payload(frame, pending.get("time", "1970-01-01T00:00:00Z"),
                                    parse_endpoint(exporter), parse_endpoint(collector),
                                    bytes.fromhex(line), number))
            pending = {}
    return payloads


def run(cmd, **kw):
    return subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, **kw)


def build_pcap(payloads, out, workdir):
    """One text2pcap run per payload (its own addresses), concatenated in order."""
    parts = []
    for p in payloads:
        txt = os.path.join(workdir, f"p{p.frame}.txt")
        part = os.path.join(workdir, f"p{p.frame}.pcap")
        with open(txt, "w", encoding="ascii") as f:
            f.write(f"{p.time} {p.data.hex()}\n")
        (eh, ep), (ch, cp) = p.exporter, p.collector
        family = "-6" if ":" in eh else "-4"
        res = run(["text2pcap", "-q", "-F", "pcap", "-t", "ISO", "-r",
                   r"^(?<time>\S+) (?<data>[0-9a-fA-F]+)$", family, f"{eh},{ch}",
                   "-u", f"{ep},{cp}", txt, part])
        if res.returncode != 0:
            raise RuntimeError(f"text2pcap failed on payload {p.frame}: {res.stderr.decode().strip()}")
        parts.append(part)
    res = run(["mergecap", "-a", "-F", "pcap", "-w", out] + parts)
    if res.returncode != 0:
        raise RuntimeError(f"mergecap failed: {res.stderr.decode().strip()}")


# --------------------------------------------------------------------- tshark

class TField:
    __slots__ = ("name", "showname", "show", "value", "pos", "size")

    def __init__(self, e):
        self.name = e.get("name", "")
        self.showname = e.get("showname", "")
        self.show = e.get("show", "")
        self.value = e.get("value")
        self.pos = int(e.get("pos", "0"))
        self.size = int(e.get("size", "0"))


class TRecord:
    def __init__(self, frame, version, template, kind, base, pos, size):
        self.frame, self.version, self.template, self.kind = frame, version, template, kind
        self.base = base  # frame offset of the UDP payload (tshark positions count from the frame)
        self.offset, self.size = pos - base, size  # the record, in the UDP payload
        self.fields = []  # TField


class TTemplate:
    def __init__(self, frame, tid, kind, scope, fields):
        self.frame, self.id, self.kind, self.scope, self.fields = frame, tid, kind, scope, fields

    def layout(self):
        return (self.id, self.kind, self.scope, tuple(self.fields))


def children(e):
    return [c for c in e if c.tag == "field"]


def first(e, name):
    for c in e.iter("field"):
        if c.get("name") == name:
            return c.get("show")
    return None


def record_fields(node):
    """Top-level fields of a record; generated zero-size containers are opened."""
    out = []
    for c in children(node):
        name = c.get("name", "")
        if name == "cflow.timedelta" or (int(c.get("size", "0")) == 0 and children(c)):
            out.extend(record_fields(c))
            continue
        if name.startswith("_ws."):
            continue
        out.append(TField(c))
    return out


def parse_template(node, frame, version, kind):
    tid = int(first(node, "cflow.template_id"))
    fields, scope = [], 0
    for f in children(node):
        show = f.get("show", "")
        if not show.startswith("Field ("):
            continue
        ftype = pen = length = None
        for c in f.iter("field"):
            name = c.get("name")
            if name in ("cflow.template_field_type", "cflow.scope_field_type",
                        "cflow.template_ipfix_field_type", "cflow.template_ipfix_field_type_enterprise",
                        "cflow.template_scope_field_type") and ftype is None:
                ftype = int(c.get("show"))
            elif name == "cflow.template_ipfix_field_pen":
                pen = int(c.get("show"))
            elif name == "cflow.template_field_length":
                length = int(c.get("show"))
        if "[Scope]" in show:
            scope += 1
        fields.append((ftype if ftype is not None else -1, pen or 0, length))
    return TTemplate(frame, tid, kind, scope, fields)


class TsharkView:
    def __init__(self):
        self.records = []  # TRecord
        self.templates = []  # TTemplate, one per template record seen
        self.by_frame = {}  # (frame, template id) -> TTemplate
        self.marks = []  # (frame, message)
        self.frames = 0


def tshark_view(pcap, ports):
    cmd = ["tshark", "-n", "-r", pcap, "-T", "pdml"]
    for p in sorted(ports):
        cmd += ["-d", f"udp.port=={p},cflow"]
    res = run(cmd)
    if res.returncode != 0 and not res.stdout:
        raise RuntimeError(f"tshark failed: {res.stderr.decode(errors='replace').strip()}")
    view = TsharkView()
    latest = {}  # template id -> TTemplate (one exporter session per fixture, in practice)
    root = ET.fromstring(res.stdout)
    for pkt in root.iter("packet"):
        view.frames += 1
        frame = view.frames
        for e in pkt.iter("field"):
            if e.get("name") == "_ws.expert":
                sev = first(e, "_ws.expert.severity")
                if sev is not None and int(sev) >= SEVERITY_ERROR:
                    view.marks.append((frame, first(e, "_ws.expert.message") or "error"))
        for proto in pkt.iter("proto"):
            if proto.get("name") == "_ws.malformed":
                view.marks.append((frame, proto.get("showname") or "malformed"))
            if proto.get("name") != "cflow":
                continue
            base = int(proto.get("pos", "0"))
            version = int(first(proto, "cflow.version") or 0)
            for node in children(proto):
                show = node.get("show", "")
                if node.get("name") == "" and show.startswith("pdu "):
                    r = TRecord(frame, version, None, "data", base, int(node.get("pos")),
                                int(node.get("size", "0")))
                    r.fields = record_fields(node)
                    view.records.append(r)
                    continue
                fsid = first(node, "cflow.flowset_id")
                if fsid is None or node.get("name") != "":
                    continue
                fsid = int(fsid)
                if fsid < 256:
                    kind = "options" if fsid in (1, 3) else "data"
                    for t in children(node):
                        tshow = t.get("show", "")
                        if t.get("name") == "" and ("Template (Id" in tshow):
                            tmpl = parse_template(t, frame, version, kind)
                            if not tmpl.fields and version == 10:
                                continue  # withdrawal
                            view.templates.append(tmpl)
                            view.by_frame[(frame, tmpl.id)] = tmpl
                            latest[tmpl.id] = tmpl
                    continue
                tframe = first(node, "cflow.template_frame")
                tmpl = view.by_frame.get((int(tframe), fsid)) if tframe else None
                if tmpl is None:
                    tmpl = latest.get(fsid)
                for rec in children(node):
                    if rec.get("name") == "" and re.match(r"^Flow \d+$", rec.get("show", "")):
                        r = TRecord(frame, version, fsid, tmpl.kind if tmpl else "data", base,
                                    int(rec.get("pos")), int(rec.get("size", "0")))
                        r.fields = record_fields(rec)
                        view.records.append(r)
    return view


# --------------------------------------------------------------------- nfpcap

def nfpcap_decode(binary, fixture):
    res = run([binary, "decode", "--format", "json", "--options", "--file", fixture])
    records = []
    for n, line in enumerate(res.stdout.decode(errors="replace").splitlines(), 1):
        if line.strip():
            try:
                records.append(json.loads(line))
            except json.JSONDecodeError as e:
                raise RuntimeError(f"nfpcap decode: output line {n} is not JSON ({e})")
    refused, warnings = [], []
    for line in res.stderr.decode(errors="replace").splitlines():
        m = re.match(r"^nfpcap: .*?:(\d+): (.*)$", line)
        text = m.group(2) if m else line
        where = int(m.group(1)) if m else None
        if "not decoded" in text:
            refused.append((where, text))
        elif text.strip():
            warnings.append((where, text))
    return res.returncode, records, refused, warnings


def nfpcap_json(binary, command, pcap, ports):
    cmd = [binary, command, "--format", "json"]
    for p in sorted(ports):
        cmd += ["--port", str(p)]
    res = run(cmd + [pcap])
    return [json.loads(l) for l in res.stdout.decode(errors="replace").splitlines() if l.strip()]


class NTemplate:
    def __init__(self, obj):
        self.id = obj["template"]
        self.frame = obj.get("frame")
        self.kind = obj.get("kind", "data")
        self.scope = obj.get("scope_fields", 0)
        self.resends = obj.get("resends", 0)
        self.fields = obj.get("fields", [])

    def layout(self):
        return (self.id, self.kind, self.scope,
                tuple((f["id"], f["pen"], 65535 if f["length"] == "variable" else f["length"])
                      for f in self.fields))


# --------------------------------------------------------------------- values

def parse_tshark_time(text):
    """'Aug 16, 2017 23:42:59.866000000 UTC' -> ns since 1970, or None."""
    m = re.match(r"^([A-Z][a-z]{2})\s+(\d+), (\d{4}) (\d\d):(\d\d):(\d\d)(?:\.(\d+))? UTC$", text)
    if not m:
        return None
    mon, day, year, hh, mm, ss, frac = m.groups()
    t = datetime.datetime(int(year), MONTHS[mon], int(day), int(hh), int(mm), int(ss),
                          tzinfo=datetime.timezone.utc)
    return int(t.timestamp()) * 10**9 + int((frac or "0").ljust(9, "0")[:9])


def parse_iso(text):
    m = re.match(r"^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(?:\.(\d+))?Z$", text)
    if not m:
        return None
    y, mo, d, hh, mm, ss, frac = m.groups()
    t = datetime.datetime(int(y), int(mo), int(d), int(hh), int(mm), int(ss),
                          tzinfo=datetime.timezone.utc)
    return int(t.timestamp()) * 10**9 + int((frac or "0").ljust(9, "0")[:9])


def as_int(text):
    text = text.strip()
    try:
        return int(text, 16) if text.lower().startswith("0x") else int(text)
    except ValueError:
        return None


def as_address(text):
    try:
        return ipaddress.ip_address(str(text).strip("[]"))
    except ValueError:
        return None


def hex_of(text):
    t = str(text).replace(":", "").replace(" ", "").lower()
    return t if re.fullmatch(r"([0-9a-f]{2})*", t) else None


def values_equal(tf, nvalue, nname, export_ns=None):
    """True when nfpcap's JSON value means what tshark shows for the field. tshark shows
    flowStart/EndDeltaMicroseconds as absolute times (export time minus the delta)."""
    show = tf.show
    if isinstance(nvalue, bool):
        return show.lower() in (("1", "true", "yes") if nvalue else ("0", "false", "no", "2"))
    if isinstance(nvalue, (int, float)):
        if isinstance(nvalue, int) and tf.value and hex_of(show) == tf.value.lower():
            # tshark shows the field as its bytes (v8's marked ToS and extra packets): the number
            # those bytes hold.
            return int(tf.value, 16) == nvalue
        ti = as_int(show)
        if ti is not None and ti == nvalue:
            return True
        try:
            tfl = float(show)
        except ValueError:
            tfl = None
        if tfl is not None:
            if nname.endswith("SysUpTime") or tf.name in ("cflow.timestart", "cflow.timeend"):
                return round(tfl * 1000) == nvalue
            return abs(tfl - float(nvalue)) <= 1e-6 * max(1.0, abs(tfl))
        ns = parse_tshark_time(show)
        if ns is not None and nname.endswith("DeltaMicroseconds") and export_ns is not None:
            return export_ns - int(nvalue) * 1000 == ns
        if ns is not None:  # nfpcap printed a raw time number: seconds, ms, us or ns
            return nvalue in (ns // 10**9, ns // 10**6, ns // 10**3, ns)
        return False
    if nvalue is None:
        return show == ""
    if isinstance(nvalue, (list, dict)):
        return False
    s = str(nvalue)
    if s == show:
        return True
    ta, na = as_address(show), as_address(s)
    if ta is not None and na is not None:
        return ta == na
    tt, nt = parse_tshark_time(show), parse_iso(s)
    if tt is not None and nt is not None:
        return tt == nt or (tt // 10**6 == nt // 10**6 and nt % 10**6 == 0)
    th, nh = hex_of(show), hex_of(s)
    if th is not None and nh is not None and th and th == nh:
        return True
    if tf.value is not None and nh is not None and nh == tf.value.lower():
        return True
    return s.rstrip("\0") == show.rstrip("\0")


# --------------------------------------------------------------------- compare

class FileResult:
    def __init__(self, name):
        self.name = name
        self.problems = []  # short reasons: MISMATCH when not empty
        self.details = []  # lines
        self.compared = self.equal = 0
        self.unnamed = Counter()  # (nfpcap key, tshark field) -> n
        self.value_diffs = Counter()  # (nfpcap key, tshark field) -> n
        self.missing = Counter()  # (tshark field, why) -> n
        self.extra_named = Counter()  # nfpcap names tshark leaves generic
        self.generic_both = Counter()  # neither names (nfpcap PEN.ID / v9.TYPE, tshark generic)
        self.spec_checked = Counter()  # (tshark field, v8 scheme) checked at the spec's offset (TSHARK_MISREADS)


def export_time_ns(payload):
    version = int.from_bytes(payload[0:2], "big")
    if version == 10 and len(payload) >= 8:
        return int.from_bytes(payload[4:8], "big") * 10**9
    if len(payload) >= 12:
        return int.from_bytes(payload[8:12], "big") * 10**9
    return None


def field_layout(payload, offset, fields):
    """(start, end, index) of each field of the record at `offset`; `fields` = [(pen, id, length)]."""
    spans, pos = [], offset
    for i, (_pen, _fid, length) in enumerate(fields):
        start = pos
        if length == 65535:
            if pos >= len(payload):
                break
            n = payload[pos]
            pos += 1
            if n == 255:
                n = int.from_bytes(payload[pos:pos + 2], "big")
                pos += 2
            length = n
        pos += length
        spans.append((start, pos, i))
    return spans


def compare_file(binary, path, max_diffs, keep):
    name = os.path.basename(path)
    res = FileResult(name)
    payloads = read_fixture(path)
    ports = {p.collector[1] for p in payloads}
    with tempfile.TemporaryDirectory(prefix="compare_vendor.") as work:
        pcap = os.path.join(keep or work, name[:-4] + ".pcap") if keep else os.path.join(work, "f.pcap")
        build_pcap(payloads, pcap, work)
        tv = tshark_view(pcap, ports)
        code, nrecs, refused, warnings = nfpcap_decode(binary, path)
        # Data that came before its template (in an earlier frame or earlier in the same one):
        # nfpcap decodes it late (an offline analyzer sees the whole capture); tshark cannot, so
        # such records are counted apart, not compared.
        def before_template(r):
            return r.get("late") and (r.get("template_frame") or 0) >= (r.get("frame") or 0)
        late = [r for r in nrecs if before_template(r)]
        nrecs = [r for r in nrecs if not before_template(r)]
        ntemplates = [NTemplate(o) for o in nfpcap_json(binary, "templates", pcap, ports)]
        stats = nfpcap_json(binary, "stats", pcap, ports)
        stats = stats[0] if stats else {}

    versions = sorted({int.from_bytes(p.data[:2], "big") for p in payloads if len(p.data) >= 2})
    line_frame = {p.line: p.frame for p in payloads}
    td = [r for r in tv.records if r.kind == "data"]
    to = [r for r in tv.records if r.kind == "options"]
    nd = [r for r in nrecs if r.get("kind") != "options"]
    no = [r for r in nrecs if r.get("kind") == "options"]
    ntmpl_records = stats.get("template_records", 0) + stats.get("options_template_records", 0)
    res.details.append(
        f"{len(payloads)} payloads (v{'/v'.join(map(str, versions))}); tshark: {len(td)} data +"
        f" {len(to)} options records, {len(tv.templates)} template records; nfpcap: {len(nd)} data +"
        f" {len(no)} options records, {ntmpl_records} template records")
    if late:
        res.details.append(f"note: {len(late)} records decoded late by nfpcap (data before its template;"
                           f" tshark cannot decode them), frames {frame_list(sorted({r.get('frame') for r in late}))}")
    for frame, msg in tv.marks:
        res.details.append(f"note: tshark marks frame {frame}: {msg}")
    by_reason = defaultdict(list)
    for where, text in refused:
        by_reason[text].append(line_frame.get(where, "?"))
    for text, frames in by_reason.items():
        res.problems.append("refused datagrams")
        res.details.append(f"REFUSED {len(frames)} payloads (frames {frame_list(frames)}): {text}")
    for where, text in warnings:
        res.details.append(f"nfpcap warning, frame {line_frame.get(where, '?')}: {text}")
    if code not in (0, 1):
        res.problems.append(f"nfpcap decode exited {code}")

    # Record counts per frame.
    if len(td) != len(nd):
        res.problems.append(f"data records tshark {len(td)} != nfpcap {len(nd)}")
    if len(to) != len(no):
        res.problems.append(f"options records tshark {len(to)} != nfpcap {len(no)}")

    # Templates: number of template records, distinct layouts.
    if len(tv.templates) != ntmpl_records:
        res.problems.append(f"template records tshark {len(tv.templates)} != nfpcap {ntmpl_records}")
    tl = {t.layout() for t in tv.templates}
    nl = {t.layout() for t in ntemplates}
    for lay in sorted(tl - nl, key=str):
        res.problems.append("template layouts differ")
        res.details.append(f"TEMPLATE only in tshark: id {lay[0]} {lay[1]} scope {lay[2]}"
                           f" fields {[(t, p, l) for t, p, l in lay[3]]}")
    for lay in sorted(nl - tl, key=str):
        res.problems.append("template layouts differ")
        res.details.append(f"TEMPLATE only in nfpcap: id {lay[0]} {lay[1]} scope {lay[2]}"
                           f" fields {[(t, p, l) for t, p, l in lay[3]]}")

    # Records, paired in order within each frame and kind.
    definitions = defaultdict(list)  # template id -> [NTemplate] by frame
    for t in ntemplates:
        definitions[t.id].append(t)
    tgroups, ngroups = defaultdict(list), defaultdict(list)
    for r in tv.records:
        tgroups[(r.frame, r.kind)].append(r)
    for r in nrecs:
        ngroups[(r.get("frame"), r.get("kind", "data") if r.get("kind") == "options" else "data")].append(r)
    diffs = 0
    uneven = defaultdict(list)
    for key in sorted(set(tgroups) | set(ngroups), key=lambda k: (k[0] or 0, k[1])):
        a, b = tgroups.get(key, []), ngroups.get(key, [])
        if len(a) != len(b):
            uneven[(key[1], len(a), len(b))].append(key[0])
        for i, tr in enumerate(a):
            nr = b[i] if i < len(b) else None
            where = f"frame {tr.frame} {tr.kind} record {i + 1}"
            if nr is not None and tr.template is not None and nr.get("template") != tr.template:
                res.problems.append("template ids differ")
                res.details.append(f"{where}: template tshark {tr.template} != nfpcap {nr.get('template')}")
            diffs += compare_record(res, tr, nr, payloads[tr.frame - 1].data, definitions, where,
                                    max_diffs - diffs)
    for (kind, a, b), frames in sorted(uneven.items()):
        res.details.append(f"frames {frame_list(frames)}: {a} {kind} records each in tshark, {b} in nfpcap")
    nf = res.compared
    summary = (f"fields: {nf} compared, {res.equal} equal, {sum(res.unnamed.values())} unnamed in nfpcap,"
               f" {sum(res.value_diffs.values())} value differences, {sum(res.missing.values())}"
               " missing in nfpcap")
    if res.extra_named:
        summary += f"; nfpcap names {sum(res.extra_named.values())} fields tshark leaves generic"
    res.details.insert(1, summary)
    if res.unnamed:
        res.problems.append("unnamed vendor fields")
        res.details.append("unnamed in nfpcap: " + ", ".join(
            f"{k} (tshark {t}) x{n}" for (k, t), n in sorted(res.unnamed.items())))
    if res.value_diffs:
        res.problems.append("value differences")
        res.details.append("value differences: " + ", ".join(
            f"{k} (tshark {t}) x{n}" for (k, t), n in sorted(res.value_diffs.items())))
    if res.missing:
        res.problems.append("fields missing")
        res.details.append("missing in nfpcap: " + ", ".join(
            f"{t} ({why}) x{n}" for (t, why), n in sorted(res.missing.items())))
    if res.extra_named:
        res.details.append("named by nfpcap, generic in tshark: " + ", ".join(
            f"{k} x{n}" for k, n in sorted(res.extra_named.items())))
    if res.spec_checked:
        res.details.append("note: tshark 4.0 misreads these, checked at Cisco's offsets instead: " + ", ".join(
            f"{t} (v8 scheme {scheme}) x{n}" for (t, scheme), n in sorted(res.spec_checked.items())))
    if res.generic_both:
        res.details.append("note: named by neither (not counted): " + ", ".join(
            f"{k} x{n}" for k, n in sorted(res.generic_both.items())))
    return res


def frame_list(frames):
    """[1, 2, 3, 5] -> '1-3,5'."""
    nums = sorted(f for f in frames if isinstance(f, int))
    out, i = [], 0
    while i < len(nums):
        j = i
        while j + 1 < len(nums) and nums[j + 1] == nums[j] + 1:
            j += 1
        out.append(str(nums[i]) if i == j else f"{nums[i]}-{nums[j]}")
        i = j + 1
    return ",".join(out + [str(f) for f in frames if not isinstance(f, int)])


def nfpcap_template(definitions, tid, frame):
    best = None
    for t in definitions.get(tid, []):
        if t.frame is not None and t.frame <= frame and (best is None or t.frame >= best.frame):
            best = t
    return best


def compare_record(res, tr, nr, payload, definitions, where, budget):
    """Field-by-field comparison of one record; returns the number of detail lines written."""
    written = 0

    def note(text):
        nonlocal written
        if written < budget:
            res.details.append(text)
        written += 1

    named = [f for f in tr.fields if f.name not in TSHARK_SKIP and f.name != "cflow.reserved"]
    if nr is None:
        for f in named:
            if f.name not in TSHARK_GENERIC:
                res.compared += 1
                res.missing[(f.name, "record not decoded")] += 1
        return 0
    occurrences = Counter()
    if tr.version in FIXED_VERSIONS:
        scheme = payload[22] if tr.version == 8 and len(payload) > 22 else 0
        misread = TSHARK_MISREADS.get((tr.version, scheme), {})
        for f in named:
            if f.name in TSHARK_GENERIC:
                continue
            res.compared += 1
            key = FIXED_FORMAT_NAMES.get(f.name)
            if key is None or key not in nr:
                res.missing[(f.name, f"no {key or 'equivalent'} in the record")] += 1
                continue
            if f.name in misread:
                at, size = misread[f.name]
                start = tr.offset + at
                expected = int.from_bytes(payload[start:start + size], "big")
                res.spec_checked[(f.name, scheme)] += 1
                if nr[key] == expected:
                    res.equal += 1
                else:
                    res.value_diffs[(key, f.name)] += 1
                    note(f"DIFF {where}: {f.name} (nfpcap {key}): bytes at Cisco's offset {at} hold"
                         f" {expected} != nfpcap {nr[key]!r}")
                continue
            compare_value(res, f, key, nr[key], where, note, export_time_ns(payload))
        return written
    nt = nfpcap_template(definitions, tr.template, tr.frame)
    if nt is None:
        for f in named:
            if f.name not in TSHARK_GENERIC:
                res.compared += 1
                res.missing[(f.name, "template unknown to nfpcap")] += 1
        return written
    spans = field_layout(payload, tr.offset, [(f["pen"], f["id"], 65535 if f["length"] == "variable"
                                              else f["length"]) for f in nt.fields])
    names = [f["name"] for f in nt.fields]
    repeat = Counter(names)
    used = set()
    taken = set()  # template field indexes some tshark field was tied to by its position

    def holds(span, f):
        """The bytes of template field `span` are the bytes tshark shows for `f`."""
        start, end, _ = span
        if f.value is None or f.size == 0:
            return True
        return payload[start:end].hex().endswith(f.value.lower()) or f.value.lower() in payload[start:end].hex()

    ties = []
    for f in named:
        at = f.pos - tr.base  # the field's offset in the UDP payload
        idx = None
        for span in spans:
            start, end, i = span
            if start <= at < max(end, start + 1) and holds(span, f):
                idx = i
                break
        ties.append(idx)
        if idx is not None:
            taken.add(idx)
    for n, f in enumerate(named):
        if ties[n] is None and f.value is not None and f.size > 0:
            # tshark 4.0 misplaces some fields (cflow.timeend of a v9 LAST_SWITCHED that comes
            # before FIRST_SWITCHED): tie it to the one free template field with its bytes.
            for span in spans:
                if span[2] not in taken and span[1] - span[0] == f.size and holds(span, f):
                    ties[n] = span[2]
                    taken.add(span[2])
                    break
    export_ns = export_time_ns(payload)
    for n, f in enumerate(named):
        idx = ties[n]
        if idx is None:
            if f.name not in TSHARK_GENERIC:
                res.compared += 1
                res.missing[(f.name, "no template field at its position")] += 1
            continue
        key = names[idx]
        if (idx, f.name) in used:
            continue
        used.add((idx, f.name))
        value = nr.get(key)
        if repeat[key] > 1 and isinstance(value, list):
            occurrence = sum(1 for j in range(idx) if names[j] == key)
            value = value[occurrence] if occurrence < len(value) else None
        if f.name in TSHARK_GENERIC:
            (res.generic_both if UNNAMED_RE.match(key) else res.extra_named)[key] += 1
            continue
        res.compared += 1
        if key not in nr:
            res.missing[(f.name, f"{key} not printed")] += 1
            continue
        if UNNAMED_RE.match(key):
            res.unnamed[(key, f.name)] += 1
            if not values_equal(f, value, key, export_ns):
                note(f"{where}: {f.name} (nfpcap {key}): tshark {f.show!r} != nfpcap {value!r}")
            continue
        compare_value(res, f, key, value, where, note, export_ns)
    return written


def compare_value(res, f, key, value, where, note, export_ns=None):
    if values_equal(f, value, key, export_ns):
        res.equal += 1
    else:
        res.value_diffs[(key, f.name)] += 1
        note(f"DIFF {where}: {f.name} (nfpcap {key}): tshark {f.show!r} != nfpcap {value!r}")


def main(argv=None):
    ap = argparse.ArgumentParser(prog="compare_vendor.py", description=__doc__.split("\n\n")[0])
    ap.add_argument("nfpcap", metavar="NFPCAP_BINARY")
    ap.add_argument("paths", nargs="*", metavar="HEX_FILE_OR_DIR")
    ap.add_argument("--max-diffs", type=int, default=8, metavar="N",
                    help="print at most N value differences per file (default 8)")
    ap.add_argument("--keep", metavar="DIR", help="keep the pcaps built from the fixtures in DIR")
    args = ap.parse_args(argv)
    for tool in ("tshark", "text2pcap", "mergecap"):
        if shutil.which(tool) is None:
            log(f"SKIP: {tool} is not installed")
            return EXIT_SKIP
    paths = args.paths or [os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data", "vendor")]
    files = []
    for p in paths:
        files += sorted(glob.glob(os.path.join(p, "*.hex"))) if os.path.isdir(p) else [p]
    if not files:
        log("no .hex fixtures found")
        return EXIT_FAIL
    if args.keep:
        os.makedirs(args.keep, exist_ok=True)
    failed = 0
    for path in files:
        name = os.path.basename(path)
        try:
            res = compare_file(args.nfpcap, path, args.max_diffs, args.keep)
        except (RuntimeError, ValueError, OSError, ET.ParseError) as e:
            log(f"{name}: ERROR: {e}")
            failed += 1
            continue
        for line in res.details:
            log(f"{name}: {line}")
        if res.problems:
            failed += 1
            log(f"{name}: MISMATCH: {', '.join(dict.fromkeys(res.problems))}")
        else:
            log(f"{name}: OK")
    log(f"{len(files) - failed} of {len(files)} fixtures match")
    return EXIT_FAIL if failed else EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
