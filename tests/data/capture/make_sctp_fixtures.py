#!/usr/bin/python3
# SPDX-License-Identifier: MIT
# Writes the IPFIX-over-SCTP fixtures of tests/data/capture (RFC 7011 §10.2) with scapy
# (Debian's python3-scapy), carrying the three IPFIX messages softflowd sent in
# samples/softflowd-ipfix.pcap.
"""Regenerate with:  /usr/bin/python3 tests/data/capture/make_sctp_fixtures.py

Deterministic (fixed times, tags and TSNs). See README.md beside this script.
"""
import os

from scapy.all import IP, UDP, Ether, IPv6, Raw, rdpcap, wrpcap
from scapy.layers.sctp import (SCTP, SCTPChunkCookieAck, SCTPChunkCookieEcho, SCTPChunkData, SCTPChunkInit,
                               SCTPChunkInitAck, SCTPChunkSACK)

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", "..", ".."))
T0 = 1_700_000_000
M = [bytes(p[UDP].payload) for p in rdpcap(os.path.join(ROOT, "samples", "softflowd-ipfix.pcap"))]
MAC = dict(src="02:00:00:00:00:01", dst="02:00:00:00:00:02")
TAG_EXPORTER, TAG_COLLECTOR = 0x11111111, 0x22222222


def to_collector(*chunks, sport=40000, tag=TAG_COLLECTOR, v6=False):
    ip = IPv6(src="2001:db8::1", dst="2001:db8:1::1") if v6 else IP(src="192.0.2.1", dst="198.51.100.1")
    p = Ether(**MAC) / ip / SCTP(sport=sport, dport=4739, tag=tag)
    for c in chunks:
        p = p / c
    return p


def to_exporter(*chunks):
    p = Ether(**MAC) / IP(src="198.51.100.1", dst="192.0.2.1") / SCTP(sport=4739, dport=40000, tag=TAG_EXPORTER)
    for c in chunks:
        p = p / c
    return p


def data(tsn, ssn, payload, begin=True, end=True, unordered=False, stream=0):
    return SCTPChunkData(tsn=tsn, stream_id=stream, stream_seq=ssn, proto_id=0, data=payload, beginning=int(begin),
                         ending=int(end), unordered=int(unordered))


def handshake():
    return [
        to_collector(SCTPChunkInit(init_tag=TAG_EXPORTER, a_rwnd=65536, n_out_streams=2, n_in_streams=2,
                                   init_tsn=1), tag=0),
        to_exporter(SCTPChunkInitAck(init_tag=TAG_COLLECTOR, a_rwnd=65536, n_out_streams=2, n_in_streams=2,
                                     init_tsn=1)),
        to_collector(SCTPChunkCookieEcho(cookie=b"cookie!!")),
        to_exporter(SCTPChunkCookieAck()),
    ]


def stamp(packets):
    for i, p in enumerate(packets):
        p.time = T0 + i
    return packets


def plain():
    """The handshake, then the three messages on stream 0, each one DATA chunk, each SACKed."""
    frames = handshake()
    for i, m in enumerate(M):
        frames.append(to_collector(data(1 + i, i, m)))
        frames.append(to_exporter(SCTPChunkSACK(cumul_tsn_ack=1 + i, a_rwnd=65536)))
    return stamp(frames)


def hard():
    """Message 1 in three fragments (TSN 1-3, captured 1, 3, 2); message 3 (TSN 5, SSN 2)
    before message 2 (TSN 4, SSN 1), then message 3 again (a retransmission); message 2 bundled
    after a SACK chunk; a second association (IPv6, another tag) with message 1 alone; a packet
    whose chunk is longer than the packet."""
    m1 = M[0]
    a, b = len(m1) // 3, 2 * len(m1) // 3
    frames = handshake() + [
        to_collector(data(1, 0, m1[:a], end=False)),
        to_collector(data(3, 0, m1[b:], begin=False)),
        to_collector(data(2, 0, m1[a:b], begin=False, end=False)),
        to_collector(data(5, 2, M[2])),
        to_collector(SCTPChunkSACK(cumul_tsn_ack=0, a_rwnd=65536), data(4, 1, M[1])),
        to_collector(data(5, 2, M[2])),
        to_collector(data(1, 0, m1), sport=40001, tag=0x33333333, v6=True),
    ]
    bad = to_collector(data(6, 3, M[1][:40]))
    raw = bytearray(bytes(bad))
    chunk = 14 + 20 + 12  # Ethernet, IPv4, SCTP common header
    raw[chunk + 2:chunk + 4] = (200).to_bytes(2, "big")  # a DATA chunk claiming 200 bytes of 56
    frames.append(Ether(bytes(raw)))
    return stamp(frames)


def main():
    wrpcap(os.path.join(HERE, "sctp-ipfix.pcap"), plain())
    wrpcap(os.path.join(HERE, "sctp-ipfix-hard.pcap"), hard())


if __name__ == "__main__":
    main()
