#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Generators of the inputs test_faults.py needs, made when the test runs (none is committed):

    fault_inputs.py redefinitions OUT.pcap [--count 100000] [--fields 200] [--layouts N]
        one IPFIX template ID redefined COUNT times with FIELDS fields: a new layout each time
        (--layouts 0, the default), or cycling through N layouts; each definition followed by a
        data record. 100,000 x 200 fields is the flood of issue 13 (about 85 MB).
    fault_inputs.py exporters OUT.pcap [--count 25000]
        COUNT NetFlow v5 exporters (10.x.y.z), one datagram with one flow record each: past the
        session limit (20,000) every further exporter's datagram is counted, not decoded.
    fault_inputs.py repeat IN.pcap OUT.pcap [--times N]
        the frames of IN.pcap N times over, later copies shifted in time: a large capture of real
        export traffic (its templates resent, as an exporter does).
"""
import argparse
import struct
import sys

PCAP_HEADER = struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 262144, 1)  # microseconds, Ethernet


def ip4(a):
    return bytes(int(x) for x in a.split("."))


def udp_frame(payload, src="10.0.0.1", sport=5000, dst="10.0.0.2", dport=2055):
    udp = struct.pack(">HHHH", sport, dport, 8 + len(payload), 0) + payload
    ip = struct.pack(">BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 0, 0, 64, 17, 0, ip4(src), ip4(dst)) + udp
    return b"\x02" * 6 + b"\x04" * 6 + b"\x08\x00" + ip


def pcap_record(frame, seconds, micros=0):
    return struct.pack("<IIII", seconds, micros, len(frame), len(frame)) + frame


def ipfix(sets, seq=0, domain=1, export_time=1700000000):
    body = b"".join(struct.pack(">HH", sid, 4 + len(b)) + b for sid, b in sets)
    return struct.pack(">HHIII", 10, 16 + len(body), export_time, seq, domain) + body


def redefinitions(out, count, fields, layouts):
    """Template 256 with `fields` fields (octetDeltaCount, packetDeltaCount, then IANA IDs 100
    and up, 4 bytes each), the last field's ID varying so that each definition has its own
    layout (30,000 distinct ones, then they repeat) and every datagram the same size."""
    out.write(PCAP_HEADER)
    for i in range(count):
        variant = i if layouts == 0 else i % layouts
        spec = [(1, 8), (2, 8)] + [(100 + k, 4) for k in range(fields - 2)]
        spec[-1] = (1000 + variant % 30000, 4)
        tmpl = struct.pack(">HH", 256, len(spec)) + b"".join(struct.pack(">HH", f, l) for f, l in spec)
        record = bytes(sum(l for _, l in spec))
        payload = ipfix([(2, tmpl), (256, record)], seq=i)
        out.write(pcap_record(udp_frame(payload), 1700000000 + i // 1000, (i % 1000) * 1000))


def exporters(out, count):
    out.write(PCAP_HEADER)
    for e in range(count):
        src = f"10.{e // 65536 % 256}.{e // 256 % 256}.{e % 256}"
        header = struct.pack(">HHIIIIBBH", 5, 1, 1000, 1700000000, 0, 0, 0, 0, 0)
        record = struct.pack(">4s4s4sHHIIIIHHBBBBHHBBH", ip4("192.0.2.1"), ip4("198.51.100.2"), bytes(4), 1, 2, 3,
                             300, 500, 900, 40000 + e % 1000, 443, 0, 0x1b, 6, 0, 0, 0, 24, 24, 0)
        out.write(pcap_record(udp_frame(header + record, src=src), 1700000000 + e // 1000, e % 1000 * 1000))


def repeat(data, out, times):
    if data[:4] not in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1"):
        sys.exit("repeat: a little-endian classic pcap is needed")
    out.write(data[:24])
    frames = []
    pos = 24
    while pos + 16 <= len(data):
        sec, sub, caplen, length = struct.unpack("<IIII", data[pos:pos + 16])
        frames.append((sec, sub, length, data[pos + 16:pos + 16 + caplen]))
        pos += 16 + caplen
    span = frames[-1][0] - frames[0][0] + 1 if frames else 1
    for t in range(times):
        for sec, sub, length, frame in frames:
            out.write(struct.pack("<IIII", sec + t * span, sub, len(frame), length) + frame)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="kind", required=True)
    r = sub.add_parser("redefinitions")
    r.add_argument("out")
    r.add_argument("--count", type=int, default=100000)
    r.add_argument("--fields", type=int, default=200)
    r.add_argument("--layouts", type=int, default=0)
    e = sub.add_parser("exporters")
    e.add_argument("out")
    e.add_argument("--count", type=int, default=25000)
    t = sub.add_parser("repeat")
    t.add_argument("input")
    t.add_argument("out")
    t.add_argument("--times", type=int, default=1000)
    a = p.parse_args()
    with open(a.out, "wb") as out:
        if a.kind == "redefinitions":
            redefinitions(out, a.count, a.fields, a.layouts)
        elif a.kind == "exporters":
            exporters(out, a.count)
        else:
            with open(a.input, "rb") as f:
                repeat(f.read(), out, a.times)


if __name__ == "__main__":
    main()
