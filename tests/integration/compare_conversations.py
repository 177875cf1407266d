#!/usr/bin/env python3
"""Check nfpcap's connection table against the conversations of the traffic it describes.

usage: compare_conversations.py NFPCAP TRAFFIC_PCAP EXPORT_PCAP
                                [--ipv4-only] [--time-tolerance S] [--max-diffs N]

TRAFFIC_PCAP is the packet capture an exporter (softflowd, pmacct...) turned into
the flow records of EXPORT_PCAP, e.g. samples/traffic-lo.pcap and
samples/softflowd-v9.pcap.

1. tshark prints one line per packet of TRAFFIC_PCAP (addresses, ports, IP length,
   TCP flags, time); the script adds them up into conversations by 5-tuple, one
   per unordered pair of endpoints, with packets and IP bytes per direction
   (IPv4: ip.len; IPv6: ipv6.plen + 40), the first and last packet time, and for
   TCP the initiator (sender of the first SYN without ACK). Only the outer IP
   header counts: the packet quoted in an ICMP error is not traffic.
2. The same capture through `tshark -z conv,tcp -z conv,udp` must list the same
   endpoint pairs with the same frame counts per direction (this checks step 1).
3. `NFPCAP -n -p 0 --format json EXPORT_PCAP` prints one connection per line.
4. For TCP and UDP: the same set of conversations; per direction packets equal
   and bytes equal to the IP bytes (what the exporters count: no link header);
   the client is the TCP initiator, and for UDP the sender of the first packet;
   start and end within --time-tolerance seconds of the first and last packet.
   nfpcap's ICMP/ICMPv6 (and other non TCP/UDP) connections are not compared.
   With --ipv4-only (NetFlow v1/v5 carry no IPv6) the traffic's IPv6
   conversations are left out, and any IPv6 connection from nfpcap is extra.

Exit status: 0 all equal, 1 a difference or a tool failure, 2 bad arguments,
77 tshark missing (meson's "skipped"). Python 3 standard library only.
"""

import argparse
import datetime
import ipaddress
import json
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field

import tshark_cache

PROG = "compare_conversations"
EXIT_OK, EXIT_FAIL, EXIT_USAGE, EXIT_SKIP = 0, 1, 2, 77

TCP, UDP = 6, 17
PROTO_NAMES = {TCP: "tcp", UDP: "udp"}
TCP_SYN, TCP_ACK = 0x02, 0x10
IPV6_HEADER = 40

TSHARK_FIELDS = (
    "frame.number", "frame.time_epoch", "frame.len", "frame.protocols",
    "ip.src", "ip.dst", "ip.len", "ipv6.src", "ipv6.dst", "ipv6.plen",
    "tcp.srcport", "tcp.dstport", "tcp.flags", "udp.srcport", "udp.dstport",
)


def fail(message):
    print(f"{PROG}: {message}", file=sys.stderr)
    return EXIT_FAIL


@dataclass
class Conversation:
    """One TCP/UDP conversation. Index 0 of the arrays: from `a` to `b`."""

    protocol: int
    a: tuple  # (ipaddress, port), the endpoint that sent the first packet
    b: tuple
    packets: list = field(default_factory=lambda: [0, 0])
    bytes: list = field(default_factory=lambda: [0, 0])
    first: float = 0.0
    last: float = 0.0
    initiator: tuple = None  # TCP: sender of the first SYN without ACK

    def direction(self, src):
        return 0 if src == self.a else 1


def pair_key(protocol, x, y):
    """Direction-free key of a conversation."""
    return (protocol, min(x, y, key=endpoint_order), max(x, y, key=endpoint_order))


def endpoint_order(endpoint):
    address, port = endpoint
    return (address.version, int(address), port)


def endpoint_text(endpoint):
    address, port = endpoint
    return f"[{address}]:{port}" if address.version == 6 else f"{address}:{port}"


def run(command):
    """Runs a command, returns stdout; raises RuntimeError with its stderr on failure."""
    proc = subprocess.run(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, check=False)
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} exited {proc.returncode}: {proc.stderr.strip()}")
    return proc.stdout


def run_tshark(args, capture):
    """tshark on CAPTURE, stdout as text; run once per capture for all tests (tshark_cache.py)."""
    status, out, err = tshark_cache.tshark(args, capture)
    if status != 0:
        raise RuntimeError(f"tshark -r {capture} {' '.join(args)} exited {status}: {err.decode(errors='replace').strip()}")
    return out.decode(errors="replace")


def transport_of(protocols):
    """The protocol right after the outer IP header in tshark's frame.protocols ("eth:ethertype:ip:tcp")."""
    chain = protocols.split(":")
    for i, name in enumerate(chain):
        if name in ("ip", "ipv6"):
            rest = [p for p in chain[i + 1:] if not p.startswith("ipv6.")]  # IPv6 extension headers
            return name, (rest[0] if rest else "")
    return "", ""


def traffic_conversations(traffic, ipv4_only):
    """Aggregates TRAFFIC's packets into conversations. Returns (conversations by key, notes)."""
    args = ["-n", "-T", "fields", "-E", "separator=/t", "-E", "occurrence=f"]
    for f in TSHARK_FIELDS:
        args += ["-e", f]
    conversations = {}
    notes = []
    link_overheads = {}
    skipped = {}
    for line in run_tshark(args, traffic).splitlines():
        values = dict(zip(TSHARK_FIELDS, line.split("\t")))
        network, transport = transport_of(values["frame.protocols"])
        if network == "ip":
            src, dst = values["ip.src"], values["ip.dst"]
            ip_bytes = int(values["ip.len"])
        elif network == "ipv6":
            src, dst = values["ipv6.src"], values["ipv6.dst"]
            ip_bytes = int(values["ipv6.plen"]) + IPV6_HEADER
        else:
            skipped["not IP"] = skipped.get("not IP", 0) + 1
            continue
        overhead = int(values["frame.len"]) - ip_bytes
        link_overheads[overhead] = link_overheads.get(overhead, 0) + 1
        if transport not in ("tcp", "udp"):
            skipped[transport or "no transport"] = skipped.get(transport or "no transport", 0) + 1
            continue
        if ipv4_only and network == "ipv6":
            skipped["IPv6 (--ipv4-only)"] = skipped.get("IPv6 (--ipv4-only)", 0) + 1
            continue
        protocol = TCP if transport == "tcp" else UDP
        sport, dport = values[f"{transport}.srcport"], values[f"{transport}.dstport"]
        s = (ipaddress.ip_address(src), int(sport))
        d = (ipaddress.ip_address(dst), int(dport))
        t = float(values["frame.time_epoch"])
        key = pair_key(protocol, s, d)
        conv = conversations.get(key)
        if conv is None:
            conv = conversations[key] = Conversation(protocol, s, d, first=t, last=t)
        i = conv.direction(s)
        conv.packets[i] += 1
        conv.bytes[i] += ip_bytes
        conv.first, conv.last = min(conv.first, t), max(conv.last, t)
        if protocol == TCP and conv.initiator is None:
            flags = int(values["tcp.flags"], 16)
            if flags & TCP_SYN and not flags & TCP_ACK:
                conv.initiator = s
    # The link header is the difference between frame and IP length: 14 on Ethernet
    # (traffic-lo.pcap), 16 on Linux cooked v1, 20 on v2. Exporters count IP bytes.
    overheads = ", ".join(f"{o} bytes x {n}" for o, n in sorted(link_overheads.items()))
    notes.append(f"traffic: frame length - IP length = {overheads}")
    if skipped:
        notes.append("traffic: not compared: " + ", ".join(f"{n} {k}" for k, n in sorted(skipped.items())))
    return conversations, notes


CONV_LINE = re.compile(r"^(\S+):(\d+)\s+<->\s+(\S+):(\d+)\s+(\d+)\s+\d+\s+\S+\s+(\d+)\s+\d+\s+\S+\s+(\d+)\s")


def tshark_conv_table(traffic):
    """`tshark -z conv,tcp -z conv,udp`: {key: {endpoint: frames sent}}."""
    out = run_tshark(["-q", "-n", "-z", "conv,tcp", "-z", "conv,udp"], traffic)
    table = {}
    protocol = None
    for line in out.splitlines():
        if line.startswith("TCP Conversations"):
            protocol = TCP
        elif line.startswith("UDP Conversations"):
            protocol = UDP
        m = CONV_LINE.match(line)
        if not m or protocol is None:
            continue
        # Columns: A <-> B, frames B->A ("<-"), frames A->B ("->"), total.
        a = (ipaddress.ip_address(m.group(1)), int(m.group(2)))
        b = (ipaddress.ip_address(m.group(3)), int(m.group(4)))
        table[pair_key(protocol, a, b)] = {b: int(m.group(5)), a: int(m.group(6))}
    return table


def check_conv_table(conversations, table, ipv4_only):
    """Problems between our aggregation and tshark's own conversation table."""
    problems = []
    if ipv4_only:
        table = {k: v for k, v in table.items() if k[1][0].version == 4}
    for key in sorted(set(table) | set(conversations), key=str):
        conv = conversations.get(key)
        frames = table.get(key)
        if conv is None or frames is None:
            where = "tshark -z conv" if conv is None else "the per-packet fields"
            problems.append(f"self-check: {describe_key(key)} only in {where}")
            continue
        ours = {conv.a: conv.packets[0], conv.b: conv.packets[1]}
        if ours != frames:
            problems.append(f"self-check: {describe_key(key)} frames {ours} != tshark -z conv {frames}")
    return problems


def describe_key(key):
    protocol, x, y = key
    return f"{PROTO_NAMES.get(protocol, protocol)} {endpoint_text(x)} <-> {endpoint_text(y)}"


def parse_time(text):
    """nfpcap's "2026-11-27T12:18:04.272Z" -> POSIX seconds."""
    return datetime.datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


def nfpcap_connections(nfpcap, export):
    out = run([nfpcap, "-n", "-p", "0", "--format", "json", export])
    connections = []
    for n, line in enumerate(out.splitlines(), 1):
        try:
            connections.append(json.loads(line))
        except json.JSONDecodeError as e:
            raise RuntimeError(f"nfpcap output line {n} is not JSON ({e}): {line!r}") from e
    return connections


def compare(conversations, connections, tolerance, ipv4_only):
    """Returns (problems, number of compared conversations)."""
    problems = []
    seen = {}
    for c in connections:
        if c["protocol"] not in (TCP, UDP):
            continue
        client = (ipaddress.ip_address(c["client"]), c["client_port"])
        server = (ipaddress.ip_address(c["server"]), c["server_port"])
        key = pair_key(c["protocol"], client, server)
        if key in seen:
            problems.append(f"{describe_key(key)}: nfpcap shows it {seen[key] + 1} times")
        seen[key] = seen.get(key, 0) + 1
        conv = conversations.get(key)
        if conv is None:
            note = " (IPv6, --ipv4-only)" if ipv4_only and client[0].version == 6 else ""
            problems.append(f"{PROTO_NAMES[c['protocol']]} {endpoint_text(client)} -> {endpoint_text(server)}: "
                            f"only in nfpcap{note}: {json.dumps(c)}")
            continue
        problems += compare_one(key, conv, c, client, tolerance)
    for key in sorted(conversations, key=lambda k: conversations[k].first):
        if key not in seen:
            conv = conversations[key]
            problems.append(f"{PROTO_NAMES[conv.protocol]} {endpoint_text(conv.a)} -> {endpoint_text(conv.b)}: "
                            f"only in the traffic "
                            f"({conv.packets[0]}+{conv.packets[1]} packets)")
    return problems, len(conversations)


def compare_one(key, conv, c, client, tolerance):
    label = f"{PROTO_NAMES[conv.protocol]} {endpoint_text(conv.a)} -> {endpoint_text(conv.b)}"
    problems = []
    # Traffic counters seen from nfpcap's client.
    i = conv.direction(client)
    expected = {
        "packets_to_server": conv.packets[i], "packets_to_client": conv.packets[1 - i],
        "bytes_to_server": conv.bytes[i], "bytes_to_client": conv.bytes[1 - i],
    }
    for name, want in expected.items():
        if c[name] != want:
            problems.append(f"{label}: {name} nfpcap {c[name]} != traffic {want}")
    if conv.protocol == TCP:
        want_client, rule = conv.initiator, "sent the first SYN"
    else:
        want_client, rule = conv.a, "sent the first packet"
    if want_client is not None and client != want_client:
        problems.append(f"{label}: client nfpcap {endpoint_text(client)} ({c['direction_rule']} rule), "
                        f"but {endpoint_text(want_client)} {rule}")
    for name, want in (("start", conv.first), ("end", conv.last)):
        got = parse_time(c[name])
        if abs(got - want) > tolerance:
            want_text = datetime.datetime.fromtimestamp(want, datetime.timezone.utc).isoformat()
            problems.append(f"{label}: {name} nfpcap {c[name]} is {got - want:+.3f} s from the traffic's "
                            f"{want_text} (tolerance {tolerance} s)")
    return problems


def main():
    parser = argparse.ArgumentParser(prog=PROG, description=__doc__.split("\n\n")[0])
    parser.add_argument("nfpcap", help="nfpcap binary")
    parser.add_argument("traffic", help="the packet capture the exporter read")
    parser.add_argument("export", help="the capture of that exporter's NetFlow/IPFIX datagrams")
    parser.add_argument("--ipv4-only", action="store_true",
                        help="compare IPv4 conversations only (NetFlow v1/v5 cannot carry IPv6)")
    parser.add_argument("--time-tolerance", type=float, default=1.0, metavar="S",
                        help="allowed difference of start/end from the first/last packet, seconds "
                             "(default 1: a NetFlow v9 header gives the export time in whole seconds)")
    parser.add_argument("--max-diffs", type=int, default=20, metavar="N", help="print at most N differences")
    args = parser.parse_args()

    if shutil.which("tshark") is None:
        print(f"{PROG}: SKIP: tshark not found on PATH (Debian package tshark)")
        return EXIT_SKIP
    for path in (args.traffic, args.export):
        if not os.path.isfile(path):
            return fail(f"{path}: no such file")
    name = os.path.basename(args.export)
    try:
        conversations, notes = traffic_conversations(args.traffic, args.ipv4_only)
        problems = check_conv_table(conversations, tshark_conv_table(args.traffic), args.ipv4_only)
        connections = nfpcap_connections(args.nfpcap, args.export)
    except (RuntimeError, OSError) as e:
        return fail(f"{name}: {e}")
    more, compared = compare(conversations, connections, args.time_tolerance, args.ipv4_only)
    problems += more
    for note in notes:
        print(f"note: {note}")
    for p in problems[: args.max_diffs]:
        print(p)
    if len(problems) > args.max_diffs:
        print(f"... and {len(problems) - args.max_diffs} more")
    scope = "IPv4 " if args.ipv4_only else ""
    if problems:
        print(f"{PROG}: {name}: FAIL: {len(problems)} differences in {compared} {scope}TCP/UDP conversations")
        return EXIT_FAIL
    print(f"{PROG}: {name}: {compared} {scope}TCP/UDP conversations, all equal "
          f"(pairs, client, packets, IP bytes, times within {args.time_tolerance} s)")
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
