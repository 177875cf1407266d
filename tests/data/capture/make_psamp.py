#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# psamp-packet-reports.pcap: one IPFIX message (RFC 5476 PSAMP) holding three packet reports
# (selectorId 302, observationTimeMilliseconds 323, ipHeaderPacketSection 313: no flow key)
# and one flow record with addresses, ports and counters. Deterministic, standard library:
#   python3 tests/data/capture/make_psamp.py [OUTDIR]      (default: this directory)
import pathlib, struct, sys

EXPORT_TIME = 1700000000  # 2023-11-14T22:13:20Z


def udp_frame(payload, src=(192, 0, 2, 1), dst=(192, 0, 2, 2), sport=40000, dport=4739):
    udp = struct.pack(">HHHH", sport, dport, 8 + len(payload), 0) + payload
    ip = struct.pack(">BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 0, 0, 64, 17, 0, bytes(src), bytes(dst))
    s = sum(struct.unpack(">10H", ip))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    ip = ip[:10] + struct.pack(">H", ~s & 0xFFFF) + ip[12:]
    return b"\x02" * 6 + b"\x04" * 6 + b"\x08\x00" + ip + udp


def template(tid, fields):
    return struct.pack(">HH", tid, len(fields)) + b"".join(struct.pack(">HH", f, n) for f, n in fields)


def main():
    out = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else pathlib.Path(__file__).parent)
    reports = template(256, [(302, 8), (323, 8), (313, 0xFFFF)])
    flows = template(257, [(8, 4), (12, 4), (7, 2), (11, 2), (4, 1), (2, 8), (1, 8), (152, 8), (153, 8)])
    header = bytes.fromhex("450000540001000040011c") + bytes(9)  # an IPv4 header section, 20 bytes
    data_256 = b"".join(struct.pack(">QQB", 7, EXPORT_TIME * 1000 + i, len(header)) + header for i in range(3))
    data_257 = bytes((10, 0, 0, 1, 10, 0, 0, 2)) + struct.pack(">HHBQQQQ", 40000, 53, 17, 1, 80,
                                                                   EXPORT_TIME * 1000, EXPORT_TIME * 1000)
    sets = [(2, reports + flows), (256, data_256), (257, data_257)]
    body = b"".join(struct.pack(">HH", sid, 4 + len(b)) + b for sid, b in sets)
    message = struct.pack(">HHIII", 10, 16 + len(body), EXPORT_TIME, 0, 1) + body
    frame = udp_frame(message)
    pcap = struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1)
    pcap += struct.pack("<IIII", EXPORT_TIME, 0, len(frame), len(frame)) + frame
    (out / "psamp-packet-reports.pcap").write_bytes(pcap)


if __name__ == "__main__":
    main()
