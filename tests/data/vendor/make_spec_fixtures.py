#!/usr/bin/env python3
"""Writes the fixtures of tests/data/vendor/ that are built from a specification rather than
transcribed from a capture (see README.md there for the provenance of every file):

  netflow-v7-catalyst.hex        NetFlow v7 (Catalyst 5000 NFFC), 52-byte records, Cisco's
                                 "NetFlow Export Datagram Format" table
  netflow-v8-aggregations.hex    NetFlow v8, one datagram per router-based aggregation scheme
                                 (1-14), record layouts from the same Cisco document
  paloalto-v9-zero-padded.hex    NetFlow v9 shaped like PAN-OS exports: zero bytes after the
                                 last FlowSet (logstash-codec-netflow issue #146), PAN-OS
                                 vendor fields 346/56701/56702; values invented

usage: make_spec_fixtures.py [OUTDIR]     (default: the directory of this script)

Deterministic: the same bytes every run. Addresses are documentation ranges (RFC 5737).
Python 3 standard library only.
"""

import datetime
import os
import struct
import sys
from ipaddress import IPv4Address


def ip(text):
    return IPv4Address(text).packed


def iso(unix_secs, nsecs=0):
    t = datetime.datetime.fromtimestamp(unix_secs, datetime.timezone.utc)
    return t.strftime("%Y-%m-%dT%H:%M:%S") + f".{nsecs:09d}Z"


def write(path, header_lines, messages):
    """messages: (comment dict, payload bytes) in capture order."""
    with open(path, "w", encoding="ascii") as out:
        for line in header_lines:
            out.write(f"# {line}\n")
        for frame, (comment, payload) in enumerate(messages, 1):
            words = [f"frame={frame}"] + [f"{k}={v}" for k, v in comment.items()]
            out.write("# " + " ".join(words) + "\n")
            out.write(payload.hex() + "\n")


# --------------------------------------------------------------------- NetFlow v7

V7_BOOT = 1561975200  # 2019-07-01T10:00:00Z, unix_secs of the first export


def v7_record(src, dst, nexthop, inp, outp, pkts, octets, first, last, sport, dport,
              flags1, tcp_flags, proto, tos, src_as, dst_as, src_mask, dst_mask, flags2, router_sc):
    rec = struct.pack("!4s4s4sHHIIIIHHBBBBHHBBH4s", ip(src), ip(dst), ip(nexthop), inp, outp, pkts,
                      octets, first, last, sport, dport, flags1, tcp_flags, proto, tos, src_as,
                      dst_as, src_mask, dst_mask, flags2, ip(router_sc))
    assert len(rec) == 52
    return rec


def v7_messages():
    uptime = 3_600_000  # ms
    records = [
        v7_record("198.51.100.10", "203.0.113.80", "192.0.2.254", 3, 7, 12, 5832, uptime - 9000,
                  uptime - 1200, 51544, 80, 0, 0x1b, 6, 0, 64500, 64501, 24, 24, 0, "192.0.2.1"),
        v7_record("203.0.113.80", "198.51.100.10", "192.0.2.253", 7, 3, 10, 11960, uptime - 8990,
                  uptime - 1210, 80, 51544, 0, 0x1b, 6, 0, 64501, 64500, 24, 24, 0, "192.0.2.1"),
        v7_record("198.51.100.23", "203.0.113.53", "192.0.2.254", 3, 7, 1, 73, uptime - 500,
                  uptime - 500, 40123, 53, 0, 0, 17, 0, 64500, 64501, 24, 24, 0, "192.0.2.1"),
    ]
    header = struct.pack("!HHIIIII", 7, len(records), uptime, V7_BOOT, 250_000_000, 1000, 0)
    assert len(header) == 24
    comment = {"time": iso(V7_BOOT, 250_000_000), "exporter": "192.0.2.7:49152",
               "collector": "192.0.2.100:9996", "version": 7, "domain": 0}
    return [(comment, header + b"".join(records))]


# --------------------------------------------------------------------- NetFlow v8

V8_TIME = 1561975800  # 2019-07-01T10:10:00Z

# scheme number -> (name, record builder); the common prefix of the prefix/AS/protocol schemes
# is flows, dPkts, dOctets, First, Last (20 bytes); the "full flow" schemes 6-8 have none.


def agg_head(flows, pkts, octets, first, last):
    return struct.pack("!IIIII", flows, pkts, octets, first, last)


def v8_records(scheme, i, uptime):
    """Two records of aggregation `scheme`; i varies the values between records."""
    first, last = uptime - 60_000 + i * 1000, uptime - 1000 + i * 100
    flows, pkts, octets = 3 + i, 40 + 7 * i, 52_000 + 1111 * i
    h = agg_head(flows, pkts, octets, first, last)
    src_as, dst_as = 64496 + i, 64511 - i
    inp, outp = 2 + i, 9 - i
    src_pfx, dst_pfx = ip(f"198.51.{100 + i}.0"), ip(f"203.0.{113 - i}.0")
    if scheme == 1:  # AS
        return h + struct.pack("!HHHH", src_as, dst_as, inp, outp)
    if scheme == 2:  # Protocol/Port
        return h + struct.pack("!BBHHH", 6 if i == 0 else 17, 0, 0, 443 if i == 0 else 53, 50000 + i)
    if scheme == 3:  # Source Prefix
        return h + struct.pack("!4sBBHHH", src_pfx, 24, 0, src_as, inp, 0)
    if scheme == 4:  # Destination Prefix
        return h + struct.pack("!4sBBHHH", dst_pfx, 24, 0, dst_as, outp, 0)
    if scheme == 5:  # Prefix
        return h + struct.pack("!4s4sBBHHHHH", src_pfx, dst_pfx, 24, 24, 0, src_as, dst_as, inp, outp)
    dst, src = ip(f"203.0.113.{10 + i}"), ip(f"198.51.100.{20 + i}")
    extra, router_sc = 0, ip("192.0.2.1")
    if scheme == 6:  # Destination Only
        return struct.pack("!4sIIIIHBBI4s", dst, pkts, octets, first, last, outp, 0x20, 0x28, extra,
                           router_sc)
    if scheme == 7:  # Source/Destination
        return struct.pack("!4s4sIIIIHHBBHI4s", dst, src, pkts, octets, first, last, outp, inp, 0x20,
                           0x28, 0, extra, router_sc)
    if scheme == 8:  # Full Flow
        return struct.pack("!4s4sHHIIIIHHBBBBI4s", dst, src, 443, 50000 + i, pkts, octets, first, last,
                           outp, inp, 0x20, 6, 0x28, 0, extra, router_sc)
    tos = 0x28 + 4 * i
    if scheme == 9:  # AS-ToS
        return h + struct.pack("!HHHHBBH", src_as, dst_as, inp, outp, tos, 0, 0)
    if scheme == 10:  # Protocol/Port-ToS
        return h + struct.pack("!BBHHHHH", 6, tos, 0, 443, 50000 + i, inp, outp)
    if scheme == 11:  # Source Prefix-ToS
        return h + struct.pack("!4sBBHHH", src_pfx, 24, tos, src_as, inp, 0)
    if scheme == 12:  # Destination Prefix-ToS
        return h + struct.pack("!4sBBHHH", dst_pfx, 24, tos, dst_as, outp, 0)
    if scheme == 13:  # Prefix-ToS
        return h + struct.pack("!4s4sBBBBHHHH", src_pfx, dst_pfx, 24, 24, tos, 0, src_as, dst_as, inp,
                               outp)
    if scheme == 14:  # Prefix-Port
        return h + struct.pack("!4s4sBBBBHHHH", src_pfx, dst_pfx, 24, 24, tos, 6, 50000 + i, 443, inp,
                               outp)
    raise ValueError(scheme)


V8_SIZES = {1: 28, 2: 28, 3: 32, 4: 32, 5: 40, 6: 32, 7: 40, 8: 44, 9: 32, 10: 32, 11: 32, 12: 32,
            13: 40, 14: 40}


def v8_messages():
    messages = []
    uptime = 7_200_000
    seq = 500
    for n, scheme in enumerate(range(1, 15)):
        records = [v8_records(scheme, i, uptime) for i in range(2)]
        assert all(len(r) == V8_SIZES[scheme] for r in records), scheme
        secs = V8_TIME + n
        header = struct.pack("!HHIIIIBBBBI", 8, len(records), uptime + 1000 * n, secs, 0, seq,
                             0, 0, scheme, 2, 0)
        assert len(header) == 28
        seq += len(records)
        comment = {"time": iso(secs), "exporter": "192.0.2.8:49153", "collector": "192.0.2.100:9996",
                   "version": 8, "domain": 0, "aggregation": scheme}
        messages.append((comment, header + b"".join(records)))
    return messages


# --------------------------------------------------------------------- PAN-OS-shaped v9

PA_TIME = 1528286400  # 2018-06-06T12:00:00Z


def pa_messages():
    # (type, length): the data fields of the template, PAN-OS style
    fields = [(1, 4), (2, 4), (4, 1), (5, 1), (6, 1), (7, 2), (8, 4), (10, 4), (11, 2), (12, 4),
              (14, 4), (21, 4), (22, 4), (32, 2), (61, 1), (148, 4), (346, 4), (56701, 32),
              (56702, 64)]
    tmpl = struct.pack("!HH", 256, len(fields)) + b"".join(struct.pack("!HH", t, l) for t, l in fields)
    tset = struct.pack("!HH", 0, 4 + len(tmpl)) + tmpl
    uptime = 86_400_000

    def record(octets, pkts, proto, sport, src, inp, dport, dst, outp, flow_id, app, user):
        return (struct.pack("!IIBBBH4sIH4sIIIHBII", octets, pkts, proto, 0, 0x1b if proto == 6 else 0,
                            sport, ip(src), inp, dport, ip(dst), outp, uptime - 2000, uptime - 30_000,
                            0, 0, flow_id, 25461)
                + app.encode().ljust(32, b"\0") + user.encode().ljust(64, b"\0"))

    recs = [record(4212, 14, 6, 52100, "198.51.100.10", 5, 443, "203.0.113.80", 6, 810001, "ssl",
                   "example\\alice"),
            record(196, 2, 17, 40999, "198.51.100.11", 5, 53, "203.0.113.53", 6, 810002, "dns", "")]
    rec_len = sum(l for _, l in fields)
    assert all(len(r) == rec_len for r in recs)
    body = b"".join(recs)
    pad = (-(4 + len(body))) % 4
    dset = struct.pack("!HH", 256, 4 + len(body) + pad) + body + b"\0" * pad

    def message(seq, secs, sets, count, trailing):
        head = struct.pack("!HHIIII", 9, count, uptime, secs, seq, 1)
        return head + sets + b"\0" * trailing

    base = {"exporter": "192.0.2.9:50001", "collector": "192.0.2.100:2055", "version": 9,
            "domain": 1}
    # PAN-OS pads each datagram with zero bytes after its last FlowSet; the amounts here are
    # chosen to cover a short tail (< a FlowSet header) and a long one.
    return [
        (dict(base, time=iso(PA_TIME)), message(1, PA_TIME, tset, 1, 2)),
        (dict(base, time=iso(PA_TIME + 1)), message(2, PA_TIME + 1, dset, len(recs), 60)),
        (dict(base, time=iso(PA_TIME + 2)), message(4, PA_TIME + 2, tset + dset, 1 + len(recs), 0)),
    ]


def main(argv):
    outdir = argv[1] if len(argv) > 1 else os.path.dirname(os.path.abspath(__file__))
    note = "generated by make_spec_fixtures.py; do not edit (see README.md)"
    write(os.path.join(outdir, "netflow-v7-catalyst.hex"),
          [note, "NetFlow v7 (Catalyst 5000 NFFC), built from Cisco's v7 record table"], v7_messages())
    write(os.path.join(outdir, "netflow-v8-aggregations.hex"),
          [note, "NetFlow v8, aggregation schemes 1-14 (one datagram each), built from Cisco's v8 tables"],
          v8_messages())
    write(os.path.join(outdir, "paloalto-v9-zero-padded.hex"),
          [note, "NetFlow v9 shaped like PAN-OS: zero bytes after the last FlowSet; not a capture"],
          pa_messages())
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
