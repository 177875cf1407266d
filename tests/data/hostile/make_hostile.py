#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# Hostile but valid export data: well-formed IPFIX whose times and counters sit at the ends of
# what 64 bits hold (year 2262, before 1900, ends before starts, counters near 2^64), as small
# pcaps and as hex fixtures (`nfpcap decode` input). Deterministic, Python 3 standard library:
#   python3 tests/data/hostile/make_hostile.py [OUTDIR]      (default: this directory)
# Each file is named after the defect it reproduced (README.md); tests/integration/
# malformed_corpus.py runs every command over them under the sanitizers.
import pathlib, struct, sys

INT64_MAX = 2**63 - 1
U64 = 2**64 - 1
EXPORT_TIME = 1700000000  # 2023-11-14T22:13:20Z


def pcap_file(payloads):
    out = [struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1)]
    for i, p in enumerate(payloads):
        frame = udp_frame(p)
        out.append(struct.pack("<IIII", EXPORT_TIME + i, 0, len(frame), len(frame)))
        out.append(frame)
    return b"".join(out)


def checksum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack(f">{len(data) // 2}H", data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def udp_frame(payload, src=(192, 0, 2, 1), dst=(192, 0, 2, 2), sport=40000, dport=4739):
    udp = struct.pack(">HHHH", sport, dport, 8 + len(payload), 0) + payload
    ip = struct.pack(">BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 0, 0, 64, 17, 0, bytes(src), bytes(dst))
    ip = ip[:10] + struct.pack(">H", checksum(ip)) + ip[12:]
    return b"\x02" * 6 + b"\x04" * 6 + b"\x08\x00" + ip + udp


def ipfix(sets, seq=0):
    body = b"".join(struct.pack(">HH", sid, 4 + len(b)) + b for sid, b in sets)
    return struct.pack(">HHIII", 10, 16 + len(body), EXPORT_TIME, seq, 1) + body


def template(tid, fields):
    return struct.pack(">HH", tid, len(fields)) + b"".join(struct.pack(">HH", f, n) for f, n in fields)


# Information elements (RFC 7012 numbers) and the encodings used below.
KEY = [(8, 4), (12, 4), (7, 2), (11, 2), (4, 1)]  # src/dst IPv4, src/dst port, protocol
COUNTS = [(2, 8), (1, 8)]  # packetDeltaCount, octetDeltaCount
MS = [(152, 8), (153, 8)]  # flowStart/EndMilliseconds


def key(src, dst, sport, dport, proto=17):
    return bytes(src) + bytes(dst) + struct.pack(">HHB", sport, dport, proto)


A, B = (10, 0, 0, 1), (10, 0, 0, 2)


def message(tid, fields, records, seq=0):
    return ipfix([(2, template(tid, fields)), (tid, b"".join(records))], seq)


def cases():
    """(name, payloads) of each hostile capture."""
    last_ms = INT64_MAX // 1_000_000  # the last whole millisecond int64 nanoseconds hold
    # connections: `end + window` overflowed at the year-2262 limit (two records, both directions).
    yield "flow_end_at_2262_limit", [message(256, KEY + COUNTS + MS, [
        key(A, B, 5000, 53) + struct.pack(">QQQQ", 1, 60, last_ms - 1000, last_ms),
        key(B, A, 53, 5000) + struct.pack(">QQQQ", 1, 90, last_ms - 900, last_ms)])]
    # connections: a start at 1900 and an end in 2262 overflowed the duration (`end - start`).
    # The first record's NTP 0 (dateTimeMicroseconds) read as 1900 then; since NTP eras (RFC
    # 4330) it reads as 2036-02-07. The second record's start is before 1677 (a delta of 2^64-1
    # microseconds), clamped, and its duration to 2023 is more than 292 years: clamped too.
    yield "flow_start_before_1900", [message(257, KEY + COUNTS + [(154, 8), (153, 8)], [
        key(A, B, 5001, 53) + struct.pack(">QQQQ", 1, 60, 0, last_ms)]),
        message(258, KEY + COUNTS + [(158, 8), (153, 8)], [  # flowStartDeltaMicroseconds, 8 bytes
            key(A, B, 5002, 53) + struct.pack(">QQQQ", 1, 60, U64, EXPORT_TIME * 1000)], seq=1)]
    # A record whose end is before its start printed "duration_ms": -9223372036854.
    yield "flow_end_before_start", [message(259, KEY + COUNTS + MS, [
        key(A, B, 5003, 80, 6) + struct.pack(">QQQQ", 3, 180, last_ms, 0),
        key(A, B, 5004, 80, 6) + struct.pack(">QQQQ", 3, 180, EXPORT_TIME * 1000 + 5000, EXPORT_TIME * 1000)])]
    # A counter near 2^64 summed over two records wrapped; a reverse (RFC 5103) one too.
    yield "counter_near_2_64", [message(260, KEY + COUNTS + MS, [
        key(A, B, 5005, 443, 6) + struct.pack(">QQQQ", U64 - 5, U64 - 5, EXPORT_TIME * 1000, EXPORT_TIME * 1000 + 1),
        key(B, A, 443, 5005, 6) + struct.pack(">QQQQ", 10, 10, EXPORT_TIME * 1000, EXPORT_TIME * 1000 + 2),
        key(A, B, 5005, 443, 6) + struct.pack(">QQQQ", 10, 10, EXPORT_TIME * 1000 + 3, EXPORT_TIME * 1000 + 4)])]
    # --renormalize: a sampling interval (samplingInterval, 34) times a counter near 2^64.
    yield "counter_times_sampling", [message(261, KEY + COUNTS + MS + [(34, 4)], [
        key(A, B, 5006, 443, 6) + struct.pack(">QQQQI", 2**60, 2**62, EXPORT_TIME * 1000, EXPORT_TIME * 1000 + 1,
                                               1000)])]
    # Times past year 2262: a 64-bit millisecond value of 2^63 and ~0, and a start plus a
    # duration (flowDurationMilliseconds, 161) past the limit: clamped, not dropped.
    yield "time_past_2262", [message(262, KEY + COUNTS + MS, [
        key(A, B, 5007, 123) + struct.pack(">QQQQ", 1, 76, 2**63, U64)]),
        message(263, KEY + COUNTS + [(152, 8), (161, 4)], [
            key(A, B, 5008, 123) + struct.pack(">QQQI", 1, 76, last_ms - 10, 0xFFFFFFFF)], seq=1)]
    # Every extreme in one capture, biflow included (reverse counters near 2^64).
    biflow = KEY + COUNTS + [(0x8000 | 2, 8), (0x8000 | 1, 8)] + MS
    tmpl = struct.pack(">HH", 264, len(biflow)) + b"".join(
        struct.pack(">HH", f, n) + (struct.pack(">I", 29305) if f & 0x8000 else b"") for f, n in biflow)
    rec = key(A, B, 5009, 22, 6) + struct.pack(">QQQQQQ", U64, U64, U64, U64, 0, last_ms)
    yield "biflow_extremes", [ipfix([(2, tmpl), (264, rec + rec)])]


def fixtures():
    """(name, text) of hex fixtures for `nfpcap decode`."""
    msg = message(256, KEY + COUNTS + MS, [
        key(A, B, 5000, 53) + struct.pack(">QQQQ", 1, 60, EXPORT_TIME * 1000, EXPORT_TIME * 1000 + 10)])
    # decode: `time=9999-12-31T23:59:00Z` overflowed 253402300740 * 1000000000 (src/cli/decode.cpp:68).
    yield "fixture_time_9999", ("# nfpcap-fixture 1\n"
                                "# frame=1 time=9999-12-31T23:59:00Z exporter=192.0.2.1:40000 collector=192.0.2.2:4739\n"
                                f"{msg.hex()}\n"
                                "# frame=2 time=0000-01-01T00:00:00.999999999Z\n"
                                f"{msg.hex()}\n")


def main():
    out = pathlib.Path(sys.argv[1]) if len(sys.argv) > 1 else pathlib.Path(__file__).parent
    out.mkdir(parents=True, exist_ok=True)
    for name, payloads in cases():
        (out / f"{name}.pcap").write_bytes(pcap_file(payloads))
    for name, text in fixtures():
        (out / f"{name}.hex").write_text(text)


if __name__ == "__main__":
    main()
