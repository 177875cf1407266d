#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Writes a NetFlow v5 capture of N distinct connections (a scan or a DDoS seen by one exporter).

usage: bench/gen_connections.py OUT.pcap [--connections 5000000] [--seed 1]

One v5 record per connection, 30 records per datagram (the v5 maximum), one exporter
(192.0.2.1:2055 -> 192.0.2.2:2055) over Ethernet/IPv4/UDP: 5 M connections make 166,667
datagrams, 253 MB. Each record is its own 5-tuple: sources spread over 10.0.0.0/12 (about a
million hosts) with varying ports, towards 64 servers in 198.51.100.0/26 on ports 80 and 443.
Most are a bare SYN of 1-3 packets (the scan or flood); every 50th is a full exchange of
10-200 packets (SYN ACK PSH FIN), which the connection table shows by default (-p 10).
Datagrams are 200 us apart (5000 datagrams/s, 150,000 records/s), sysUptime and the export
time advance with them, flow_sequence counts the records: a capture without sequence gaps.

Standard library only; deterministic for a given seed. Not committed (253 MB): bench/run.py
makes it in its work directory.
"""

import argparse
import random
import struct
import sys

RECORDS_PER_DATAGRAM = 30
INTERVAL_US = 200
T0 = 1_700_000_000  # export time of the first datagram (2023-11-14)


def ip_checksum(header):
    s = sum(struct.unpack('!10H', header))
    s = (s & 0xffff) + (s >> 16)
    s = (s & 0xffff) + (s >> 16)
    return (~s) & 0xffff


def write(out, connections, seed):
    rng = random.Random(seed)
    exporter, collector = bytes([192, 0, 2, 1]), bytes([192, 0, 2, 2])
    eth = bytes.fromhex('020000000002' '020000000001' '0800')
    record = struct.Struct('!4s4s4sHHIIIIHHBBBBHHBBH')
    v5_header = struct.Struct('!HHIIIIBBH')
    out.write(struct.pack('<IHHiIII', 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
    sequence = 0
    datagram = 0
    made = 0
    while made < connections:
        count = min(RECORDS_PER_DATAGRAM, connections - made)
        t_us = datagram * INTERVAL_US
        uptime_ms = 3_600_000 + t_us // 1000
        unix_secs = T0 + t_us // 1_000_000
        unix_nsecs = (t_us % 1_000_000) * 1000
        body = bytearray(v5_header.pack(5, count, uptime_ms, unix_secs, unix_nsecs, sequence, 0, 0, 0))
        for k in range(count):
            i = made + k
            host = (i * 2654435761) & 0xfffff  # a million sources, each used about five times
            src = bytes([10, host >> 16, (host >> 8) & 0xff, host & 0xff])
            dst = bytes([198, 51, 100, i % 64])
            src_port = 1024 + (i // 0x100000) * 7919 % 64000 + (i & 0x3f)
            dst_port = 443 if i & 1 else 80
            if i % 50 == 0:
                packets = rng.randint(10, 200)
                octets = packets * rng.randint(60, 1400)
                flags = 0x1b  # SYN ACK PSH FIN
                duration = rng.randint(10, 5000)
            else:
                packets = rng.randint(1, 3)
                octets = packets * 60
                flags = 0x02  # SYN
                duration = rng.randint(0, 3) * 1000 if packets > 1 else 0
            last = uptime_ms - rng.randint(0, 1000)
            first = max(0, last - duration)
            body += record.pack(src, dst, b'\0\0\0\0', 1, 2, packets, octets, first, last,
                                src_port, dst_port, 0, flags, 6, 0, 0, 0, 12, 26, 0)
        sequence = (sequence + count) & 0xffffffff
        udp = struct.pack('!HHHH', 2055, 2055, 8 + len(body), 0)
        ip = bytearray(struct.pack('!BBHHHBBH4s4s', 0x45, 0, 20 + len(udp) + len(body), datagram & 0xffff,
                                   0, 64, 17, 0, exporter, collector))
        struct.pack_into('!H', ip, 10, ip_checksum(bytes(ip)))
        frame = eth + bytes(ip) + udp + bytes(body)
        ts = 1_700_000_000_000_000 + t_us
        out.write(struct.pack('<IIII', ts // 1_000_000, ts % 1_000_000, len(frame), len(frame)))
        out.write(frame)
        made += count
        datagram += 1
    return datagram


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    ap.add_argument('out', help='capture to write (classic pcap)')
    ap.add_argument('--connections', type=int, default=5_000_000, help='distinct connections (default 5000000)')
    ap.add_argument('--seed', type=int, default=1)
    args = ap.parse_args()
    with open(args.out, 'wb') as out:
        datagrams = write(out, args.connections, args.seed)
    print(f'{args.out}: {args.connections} connections in {datagrams} datagrams', file=sys.stderr)


if __name__ == '__main__':
    main()
