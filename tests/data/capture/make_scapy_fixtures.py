#!/usr/bin/python3
# SPDX-License-Identifier: MIT
# Writes the encapsulation, IPv6 extension header and TCP stream fixtures of tests/data/capture
# with scapy (Debian's python3-scapy), carrying real export payloads: the IPFIX messages that
# softflowd sent in samples/softflowd-ipfix.pcap, and the IPFIX-over-TCP stream softflowd sent
# in tool/ipfix-over-tcp.pcap (make_tool_captures.sh).
"""Regenerate with:  /usr/bin/python3 tests/data/capture/make_scapy_fixtures.py

Output is deterministic (fixed times, no randomness): running it again leaves `git status`
clean. See README.md beside this script for what each file shows.
"""
import os

from scapy.all import (GRE, IP, TCP, UDP, Dot1Q, Ether, IPv6, IPv6ExtHdrDestOpt, IPv6ExtHdrFragment,
                       IPv6ExtHdrHopByHop, IPv6ExtHdrRouting, Raw, rdpcap, wrpcap)
from scapy.contrib.erspan import ERSPAN_II, ERSPAN_III
from scapy.contrib.mpls import MPLS
from scapy.layers.ppp import PPP, PPPoE
from scapy.layers.vxlan import VXLAN

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", "..", ".."))
T0 = 1_700_000_000

# The three IPFIX messages of softflowd-ipfix.pcap; the first holds the templates and 5 data
# records of its own, so a frame carrying it decodes by itself.
MESSAGES = [bytes(p[UDP].payload) for p in rdpcap(os.path.join(ROOT, "samples", "softflowd-ipfix.pcap"))]
M1 = MESSAGES[0]

OUTER_MAC = dict(src="02:00:00:00:00:01", dst="02:00:00:00:00:02")
INNER_MAC = dict(src="02:00:00:00:01:01", dst="02:00:00:00:01:02")


def export4(n, payload=M1):
    """Inner UDP/IPv4: exporter 192.0.2.n:4739 -> collector 198.51.100.1:4739."""
    return IP(src=f"192.0.2.{n}", dst="198.51.100.1", id=n) / UDP(sport=4739, dport=4739) / Raw(payload)


def export6(n, payload=M1):
    return IPv6(src=f"2001:db8::{n:x}", dst="2001:db8:1::1") / UDP(sport=4739, dport=4739) / Raw(payload)


def outer4(inner_proto):
    return Ether(**OUTER_MAC) / IP(src="10.0.0.1", dst="10.0.0.2", proto=inner_proto)


def stamp(packets):
    for i, p in enumerate(packets):
        p.time = T0 + i
    return packets


def tunnels():
    """One frame per encapsulation, each carrying message 1 from its own exporter."""
    o4 = Ether(**OUTER_MAC) / IP(src="10.0.0.1", dst="10.0.0.2")
    o6 = Ether(**OUTER_MAC) / IPv6(src="fd00::1", dst="fd00::2")
    frames = [
        # 1 GRE with checksum, key and sequence number, carrying IPv4
        o4 / GRE(chksum_present=1, key_present=1, seqnum_present=1, key=7, sequence_number=1) / export4(1),
        # 2 GRE transparent Ethernet bridging (0x6558)
        o4 / GRE(proto=0x6558) / Ether(**INNER_MAC) / export4(2),
        # 3 ERSPAN type II (GRE 0x88be with a sequence number)
        o4 / GRE(seqnum_present=1, sequence_number=5, proto=0x88be) / ERSPAN_II(ver=1, session_id=3) /
        Ether(**INNER_MAC) / export4(3),
        # 4 ERSPAN type III (GRE 0x22eb), IPv6 inside the mirrored frame
        o4 / GRE(seqnum_present=1, sequence_number=6, proto=0x22eb) / ERSPAN_III(ver=2, session_id=4, ft=0) /
        Ether(**INNER_MAC) / export6(4),
        # 5 MPLS, two labels
        Ether(**OUTER_MAC, type=0x8847) / MPLS(label=100, s=0, ttl=64) / MPLS(label=200, s=1, ttl=64) / export4(5),
        # 6 VXLAN (UDP 4789), an 802.1Q-tagged inner frame
        o4 / UDP(sport=50000, dport=4789) / VXLAN(vni=42, flags=0x08) / Ether(**INNER_MAC) / Dot1Q(vlan=10) /
        export4(6),
        # 7 IPv4 in IPv4, 8 IPv6 in IPv4, 9 IPv6 in IPv6, 10 IPv4 in IPv6
        o4 / export4(7),
        o4 / export6(8),
        o6 / export6(9),
        o6 / export4(10),
        # 11 PPPoE session, PPP IPv4; 12 PPP IPv6
        Ether(**OUTER_MAC) / PPPoE(sessionid=0x11) / PPP(proto=0x0021) / export4(11),
        Ether(**OUTER_MAC) / PPPoE(sessionid=0x11) / PPP(proto=0x0057) / export6(12),
        # 13 GRE over IPv6, 802.1ad + 802.1Q outside
        Ether(**OUTER_MAC) / Dot1Q(type=0x8100, vlan=100) / Dot1Q(vlan=200) / IPv6(src="fd00::1", dst="fd00::2") /
        GRE(key_present=1, key=9) / export4(13),
        # 14 GRE carrying PPP (0x880b, address and control fields, PPP IPv4)
        o4 / GRE(proto=0x880b) / Raw(b"\xff\x03\x00\x21" + bytes(export4(14))),
        # 15 GRE with a protocol type that neither nfpcap nor tshark unwraps
        o4 / GRE(proto=0x1234) / export4(15),
    ]
    # The outer 802.1ad tag of frame 13.
    frames[12][Dot1Q].type = 0x8100
    frames[12][Ether].type = 0x88a8
    return stamp(frames)


def tunnel_cut():
    """A GRE frame cut by a snap length of 200: the inner datagram is truncated."""
    f = Ether(**OUTER_MAC) / IP(src="10.0.0.1", dst="10.0.0.2") / GRE() / export4(20)
    cut = Raw(bytes(f)[:200])
    cut.time = T0
    cut.wirelen = len(f)
    return cut


def ext_headers():
    """IPv6 extension headers before UDP, and Destination Options after a fragment header."""
    base = dict(src="2001:db8::1", dst="2001:db8:1::1")
    udp = UDP(sport=4739, dport=4739)
    frames = [
        Ether(**OUTER_MAC) / IPv6(src="2001:db8::a1", dst="2001:db8:1::1") / IPv6ExtHdrHopByHop() / udp / Raw(M1),
        Ether(**OUTER_MAC) / IPv6(src="2001:db8::a2", dst="2001:db8:1::1") / IPv6ExtHdrDestOpt() / udp / Raw(M1),
        Ether(**OUTER_MAC) / IPv6(src="2001:db8::a3", dst="2001:db8:1::1") / IPv6ExtHdrRouting(addresses=[]) / udp /
        Raw(M1),
        Ether(**OUTER_MAC) / IPv6(src="2001:db8::a4", dst="2001:db8:1::1") / IPv6ExtHdrHopByHop() /
        IPv6ExtHdrDestOpt() / IPv6ExtHdrRouting(addresses=[]) / IPv6ExtHdrDestOpt() / udp / Raw(M1),
    ]
    # Destination Options after the fragment header (RFC 8200 §4.1 order): the fragmentable part
    # is DestOpt / UDP / message 1, cut in three.
    inner = IPv6(**base) / IPv6ExtHdrDestOpt() / udp / Raw(M1)
    inner = IPv6(bytes(inner))  # UDP checksum filled in
    part = bytes(inner[IPv6ExtHdrDestOpt])
    cuts = [0, 600, 1200, len(part)]
    for k in range(3):
        a, b = cuts[k], cuts[k + 1]
        frames.append(Ether(**OUTER_MAC) / IPv6(**base, nh=44) /
                      IPv6ExtHdrFragment(nh=60, offset=a // 8, m=1 if b < len(part) else 0, id=0x1234) /
                      Raw(part[a:b]))
    return stamp(frames)


def sll_vlan():
    """802.1Q inside Linux cooked captures: SLL (113) and SLL2 (276) with protocol 0x8100."""
    tagged = bytes(Dot1Q(vlan=7, type=0x0800) / export4(30))
    sll = b"\x00\x00\x00\x01\x00\x06" + bytes.fromhex("0200000000110000") + b"\x81\x00" + tagged
    sll2 = b"\x81\x00\x00\x00" + b"\x00\x00\x00\x03" + b"\x00\x01\x00\x06" + bytes.fromhex("0200000000110000") + tagged
    return [Raw(sll)], [Raw(sll2)]


# ---------------------------------------------------------------- TCP streams

def tcp_capture():
    return rdpcap(os.path.join(HERE, "tool", "ipfix-over-tcp.pcap"))


def data_frames(pkts):
    return [i for i, p in enumerate(pkts) if TCP in p and len(p[TCP].payload) > 0]


def tcp_variants():
    pkts = tcp_capture()
    data = data_frames(pkts)  # the three IPFIX messages, one per segment
    assert len(data) == 3, data
    a, b, c = data
    out = {}
    # Segment 3 before segment 2.
    order = list(range(len(pkts)))
    order[b], order[c] = order[c], order[b]
    out["tcp-reordered.pcap"] = [pkts[i] for i in order]
    # Segment 2 sent again after segment 3 (a retransmission).
    out["tcp-retransmitted.pcap"] = list(pkts[:c + 1]) + [pkts[b].copy()] + list(pkts[c + 1:])
    # Segment 2 never captured: a gap of len(message 2) bytes before message 3.
    out["tcp-missing-segment.pcap"] = [p for i, p in enumerate(pkts) if i != b]
    # The stream re-cut into 500-byte segments, the third and fourth swapped, the second sent
    # twice and one segment overlapping its neighbours: what a collector's stack reorders.
    first = pkts[a]
    stream = b"".join(bytes(pkts[i][TCP].payload) for i in data)
    seq0 = first[TCP].seq
    segs = []
    for k, off in enumerate(range(0, len(stream), 500)):
        segs.append((off, stream[off:off + 500]))
    segs.append((700, stream[700:1300]))  # overlaps segments 2 and 3
    order = [0, 1, 3, 2, 1] + list(range(4, len(segs) - 1)) + [len(segs) - 1]
    frames = list(pkts[:a])
    for k in order:
        off, chunk = segs[k]
        p = first.copy()
        p[TCP].seq = seq0 + off
        p[TCP].remove_payload()
        p[TCP].add_payload(Raw(chunk))
        del p[IP].len, p[IP].chksum, p[TCP].chksum
        p = Ether(bytes(p))
        frames.append(p)
    frames += list(pkts[c + 1:])
    for i, p in enumerate(frames):
        p.time = T0 + i / 1000
    out["tcp-resegmented.pcap"] = frames
    return out


def main():
    wrpcap(os.path.join(HERE, "tunnels.pcap"), tunnels())
    wrpcap(os.path.join(HERE, "tunnel-snaplen200.pcap"), [tunnel_cut()], snaplen=200)
    wrpcap(os.path.join(HERE, "ipv6-ext-headers.pcap"), ext_headers())
    sll, sll2 = sll_vlan()
    sll[0].time = sll2[0].time = T0
    wrpcap(os.path.join(HERE, "sll-vlan.pcap"), sll, linktype=113)
    wrpcap(os.path.join(HERE, "sll2-vlan.pcap"), sll2, linktype=276)
    for name, frames in tcp_variants().items():
        wrpcap(os.path.join(HERE, name), frames)


if __name__ == "__main__":
    main()
