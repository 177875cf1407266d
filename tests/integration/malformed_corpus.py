#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# Acceptance: a few hundred malformed captures (bit flips and bad 16-bit lengths inside real
# exports, truncations, template floods, many exporters, redefinitions, deep list nesting,
# random bytes) generated into a temporary directory, each run through `nfpcap stats --format
# json`. Every run must end by itself within the time limit, without a signal or a sanitizer
# report, with exit status 0 or 1, and on every readable capture the stats must add up:
#   datagrams == not_export_datagrams + export_datagrams + session_limit_datagrams
#   export_datagrams == decoded_datagrams + partial_datagrams + malformed_datagrams
#
# Then hostile but valid data (tests/data/hostile: times at year 2262 and before 1900, ends
# before starts, counters near 2^64, fixture times in year 9999) through every command that
# computes over times and counters (connections in text/JSON/CSV, top, timeline, report, flows,
# decode): no sanitizer report or signal, no negative duration, no wrapped counter, and the
# clamps said (anomalies on the connection, time_clamped/time_reversed in stats).
#
#   malformed_corpus.py NFPCAP SAMPLES_DIR [--hostile DIR] [--count N] [--seed S] [--timeout SECONDS]
#                       [--keep DIR]
import argparse, json, os, pathlib, random, struct, subprocess, sys, tempfile, time

LINKTYPE_ETHERNET = 1


def pcap_file(packets, linktype=LINKTYPE_ETHERNET):
    out = [struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, linktype)]
    for i, p in enumerate(packets):
        out.append(struct.pack("<IIII", 1700000000 + i, 0, len(p), len(p)))
        out.append(p)
    return b"".join(out)


def udp_frame(payload, src="10.0.0.1", sport=5000, dst="10.0.0.2", dport=2055):
    def ip4(a):
        return bytes(int(x) for x in a.split("."))
    udp = struct.pack(">HHHH", sport, dport, 8 + len(payload), 0) + payload
    ip = struct.pack(">BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 0, 0, 64, 17, 0, ip4(src), ip4(dst)) + udp
    return b"\x02" * 6 + b"\x04" * 6 + b"\x08\x00" + ip


def ipfix(sets, domain=1, seq=0):
    body = b"".join(struct.pack(">HH", sid, 4 + len(b)) + b for sid, b in sets)
    return struct.pack(">HHIII", 10, 16 + len(body), 1700000000, seq, domain) + body


def tmpl(tid, fields):
    return struct.pack(">HH", tid, len(fields)) + b"".join(struct.pack(">HH", f, l) for f, l in fields)


def read_pcap_packets(data):
    """Packets of a classic pcap (little or big endian); None for pcapng."""
    magic = data[:4]
    if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1"):
        e = "<"
    elif magic in (b"\xa1\xb2\xc3\xd4", b"\xa1\xb2\x3c\x4d"):
        e = ">"
    else:
        return None
    pos, out = 24, []
    while pos + 16 <= len(data):
        _, _, caplen, _ = struct.unpack(e + "IIII", data[pos:pos + 16])
        out.append((pos + 16, caplen))
        pos += 16 + caplen
    return out


def mutations(samples, rng, count):
    """Yields (name, bytes) of malformed captures made from the samples."""
    files = sorted(p for p in samples.glob("*.pcap*") if not p.name.startswith("traffic"))
    originals = [(p.name, p.read_bytes()) for p in files]
    n = 0
    while n < count:
        name, data = originals[n % len(originals)]
        kind = n % 4
        buf = bytearray(data)
        packets = read_pcap_packets(data)
        if kind == 0 or packets is None:  # bit flips anywhere after the global header
            for _ in range(rng.randint(1, 8)):
                at = rng.randrange(24, len(buf))
                buf[at] ^= 1 << rng.randrange(8)
            yield f"{n:04d}-flip-{name}", bytes(buf)
        elif kind == 1:  # bad 16-bit lengths / counts inside export payloads
            for _ in range(rng.randint(1, 4)):
                start, caplen = rng.choice(packets)
                if caplen < 48:
                    continue
                at = start + rng.randrange(28, caplen - 2)
                value = rng.choice([0, 1, 3, 4, 5, 0xFF, 0xFFFF, 0x8000, rng.randrange(65536)])
                buf[at:at + 2] = struct.pack(">H", value)
            yield f"{n:04d}-length-{name}", bytes(buf)
        elif kind == 2:  # truncation: mid header, mid record, mid packet
            yield f"{n:04d}-cut-{name}", bytes(buf[:rng.randrange(1, len(buf))])
        else:  # a run of random bytes over the export data of one packet
            start, caplen = rng.choice(packets)
            if caplen > 60:
                at = start + rng.randrange(42, caplen - 8)
                length = rng.randrange(1, min(64, start + caplen - at))
                buf[at:at + length] = bytes(rng.randrange(256) for _ in range(length))
            yield f"{n:04d}-smear-{name}", bytes(buf)
        n += 1


def hostile(rng):
    """Floods, deep nesting and non-captures, made from scratch."""
    # Tens of thousands of template IDs from one exporter.
    frames, ids = [], list(range(256, 65536))
    for k in range(0, len(ids), 1000):
        frames.append(udp_frame(ipfix([(2, b"".join(tmpl(t, [(8, 4), (12, 4)]) for t in ids[k:k + 1000]))])))
    yield "flood-template-ids.pcap", pcap_file(frames)
    # 5,000 exporters, each with a template and a record.
    frames = []
    for e in range(5000):
        src = f"10.{e // 256}.{e % 256}.1"
        frames.append(udp_frame(ipfix([(2, tmpl(256, [(8, 4), (12, 4)])), (256, bytes(8))]), src=src))
    yield "flood-exporters.pcap", pcap_file(frames)
    # One template ID redefined 20,000 times.
    frames = [udp_frame(ipfix([(2, tmpl(256, [(8, 4), (12, 4 if i % 2 else 16)]))], seq=i)) for i in range(20000)]
    yield "flood-redefinitions.pcap", pcap_file(frames)
    # Fields per template: 1024, 1025 and a 65535 count in a short record.
    big = lambda n: tmpl(300, [(1 + i % 100, 4) for i in range(n)])
    yield "huge-templates.pcap", pcap_file([udp_frame(ipfix([(2, big(1024))])), udp_frame(ipfix([(2, big(1025))])),
                                            udp_frame(ipfix([(2, struct.pack(">HHHH", 301, 65535, 8, 4))]))])
    # Zero-length fields and zero-length records.
    yield "zero-length.pcap", pcap_file([udp_frame(ipfix([(2, tmpl(256, [(8, 0), (12, 0)])), (256, bytes(64))])),
                                         udp_frame(ipfix([(2, tmpl(257, [(82, 65535)])), (257, bytes(2000))]))])
    # subTemplateList (292) nested inside itself 500 deep, and a basicList (291) chain.
    inner = b""
    for _ in range(500):
        inner = b"\xff" + struct.pack(">H", 3 + len(inner)) + b"\x03" + struct.pack(">H", 256) + inner
    msg = ipfix([(2, tmpl(256, [(292, 65535)])), (256, inner)])
    yield "deep-nesting.pcap", pcap_file([udp_frame(msg[:65000])])
    blist = b""
    for _ in range(300):
        blist = b"\xff" + struct.pack(">H", 5 + len(blist)) + b"\x03" + struct.pack(">HH", 291, 65535) + blist
    yield "deep-basic-list.pcap", pcap_file([udp_frame(ipfix([(2, tmpl(256, [(291, 65535)])), (256, blist)]))])
    # Not captures.
    yield "random.bin", bytes(rng.randrange(256) for _ in range(4096))
    yield "empty.pcap", b""
    yield "header-only.pcap", pcap_file([])
    yield "pcapng-bad-block-length.pcapng", (struct.pack("<IIIHHq", 0x0A0D0D0A, 0xFFFFFFF0, 0x1A2B3C4D, 1, 0, -1)
                                             + bytes(64))


def check(nfpcap, path, timeout):
    """None when the run is acceptable, else what is wrong."""
    started = time.monotonic()
    try:
        r = subprocess.run([nfpcap, "stats", "--format", "json", str(path)], capture_output=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return f"no result within {timeout} s"
    took = time.monotonic() - started
    err = r.stderr.decode(errors="replace")
    if r.returncode < 0:
        return f"killed by signal {-r.returncode}: {err[-2000:]}"
    if "Sanitizer" in err or "runtime error" in err:
        return f"sanitizer report: {err[-4000:]}"
    if r.returncode not in (0, 1):
        return f"exit status {r.returncode}: {err[-2000:]}"
    if r.returncode == 1 and not err.strip():
        return "exit status 1 without an error line"
    if r.returncode == 1 and path.name not in err:
        return f"error line does not name the file: {err.strip()}"
    if not r.stdout.strip():
        return None if r.returncode == 1 else "no stats output"
    try:
        s = json.loads(r.stdout)
    except ValueError as e:
        return f"stats are not JSON ({e})"
    if s["datagrams"] != s["not_export_datagrams"] + s["export_datagrams"] + s["session_limit_datagrams"]:
        return f"datagrams do not add up: {s['datagrams']} != {s['not_export_datagrams']} + " \
               f"{s['export_datagrams']} + {s['session_limit_datagrams']}"
    if s["export_datagrams"] != s["decoded_datagrams"] + s["partial_datagrams"] + s["malformed_datagrams"]:
        return "export datagrams do not add up"
    if took > timeout:
        return f"took {took:.1f} s"
    return None


U64 = 2**64 - 1


def run(nfpcap, args, timeout):
    """(returncode, stdout, stderr, problem) of one run; problem is None when it ended cleanly."""
    try:
        r = subprocess.run([nfpcap] + args, capture_output=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return None, "", "", f"no result within {timeout} s"
    out, err = r.stdout.decode(errors="replace"), r.stderr.decode(errors="replace")
    if r.returncode < 0:
        return r.returncode, out, err, f"killed by signal {-r.returncode}: {err[-2000:]}"
    if "Sanitizer" in err or "runtime error" in err:
        return r.returncode, out, err, f"sanitizer report: {err[-4000:]}"
    if r.returncode not in (0, 1):
        return r.returncode, out, err, f"exit status {r.returncode}: {err[-2000:]}"
    return r.returncode, out, err, None


def json_lines(text):
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def check_hostile(nfpcap, path, timeout):
    """Problems of one hostile capture or fixture through every command (empty when none)."""
    problems = []
    with tempfile.TemporaryDirectory(prefix="nfpcap-hostile-") as tmp:
        if path.suffix == ".hex":
            runs = [["decode", "--file", str(path)], ["decode", "-T", "json", "--file", str(path)]]
        else:
            runs = [["connections", "-p", "0", "-T", fmt, str(path)] for fmt in ("text", "json", "csv")]
            runs += [["connections", "-p", "0", "-T", "json", "--renormalize", "--merge-exporters", str(path)],
                     ["connections", "-p", "0", "--sort", "duration", "--window", "9.2e9", str(path)],
                     ["top", str(path)], ["top", "-T", "json", "--renormalize", "-s", "dstport", str(path)],
                     ["timeline", str(path)], ["timeline", "-T", "json", "--renormalize", "-g", "proto", str(path)],
                     ["report", "-o", str(pathlib.Path(tmp) / "r.html"), str(path)],
                     ["flows", str(path)], ["flows", "-T", "json", str(path)], ["flows", "-T", "line", str(path)],
                     ["flows", "-T", "csv", str(path)], ["stats", "-T", "json", str(path)]]
        outputs = {}
        for args in runs:
            # -n: no DNS (the table names hosts otherwise: slow, and not what is tested here).
            rc, out, err, why = run(nfpcap, args if args[0] == "decode" else args[:1] + ["-n"] + args[1:], timeout)
            if why:
                problems.append(f"{' '.join(args[:-1])}: {why}")
                continue
            if rc != 0:  # valid data: every command reads it (a clamp is said, never an error)
                problems.append(f"{' '.join(args[:-1])}: exit status {rc}: {err[-2000:]}")
            outputs[" ".join(args[:-1])] = (rc, out, err)
    for cmd, (rc, out, err) in outputs.items():
        if cmd.startswith("connections") and "-T json" in cmd:
            for row in json_lines(out):
                if row.get("duration_ms") is not None and row["duration_ms"] < 0:
                    problems.append(f"{cmd}: negative duration {row['duration_ms']}")
        if cmd == "connections -p 0 -T csv":
            rows = out.splitlines()
            for line in rows[1:]:
                duration = line.split(",")[2]
                if duration and int(duration) < 0:
                    problems.append(f"{cmd}: negative duration {duration}")
    # What each capture shows (make_hostile.py): the clamp is said, the counter does not wrap.
    name = path.stem
    rows = json_lines(outputs.get("connections -p 0 -T json", (0, "", ""))[1])
    anomalies = {a for row in rows for a in row.get("anomalies", [])}
    stats = json.loads(outputs["stats -T json"][1]) if "stats -T json" in outputs else {}
    reasons = stats.get("reasons", {})
    expect = {
        "counter_near_2_64": lambda: any(r["packets_to_server"] == U64 for r in rows) and
        "counter_saturated" in anomalies,
        "biflow_extremes": lambda: "counter_saturated" in anomalies and all(
            r["packets_to_server"] == U64 and r["packets_to_client"] == U64 for r in rows),
        "flow_end_before_start": lambda: "time_reversed" in anomalies and reasons.get("time_reversed") == 2,
        "flow_start_before_1900": lambda: "time_clamped" in anomalies and reasons.get("time_clamped") == 1,
        "time_past_2262": lambda: all(r["start"] is not None for r in rows) and reasons.get("time_clamped") == 2,
        "flow_end_at_2262_limit": lambda: len(rows) == 1 and rows[0]["duration_ms"] == 1000,
    }
    if name == "counter_times_sampling":
        renorm = json_lines(outputs.get("connections -p 0 -T json --renormalize --merge-exporters", (0, "", ""))[1])
        if not (renorm and renorm[0]["packets_to_server"] == U64 and "counter_saturated" in renorm[0]["anomalies"]):
            problems.append(f"--renormalize: the product did not saturate (or did not say so): {renorm}")
    elif name == "fixture_time_9999":
        rc, out, err = outputs.get("decode -T json --file", (1, "", ""))
        if rc != 0 or len(json_lines(out)) != 2 or err.count("clamped") != 2:
            problems.append(f"decode: want 2 records, exit 0 and two clamp warnings: {rc} {err}")
    elif name in expect and not expect[name]():
        problems.append(f"not as make_hostile.py says: rows {rows}, stats reasons {reasons}")
    return problems


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("nfpcap")
    ap.add_argument("samples", type=pathlib.Path)
    ap.add_argument("--count", type=int, default=300)
    ap.add_argument("--seed", type=int, default=5)
    ap.add_argument("--timeout", type=float, default=float(os.environ.get("MALFORMED_TIMEOUT", "10")))
    ap.add_argument("--keep", type=pathlib.Path, help="write the corpus here and keep it")
    ap.add_argument("--hostile", type=pathlib.Path, help="hostile but valid captures and fixtures (tests/data/hostile)")
    a = ap.parse_args()
    rng = random.Random(a.seed)
    with tempfile.TemporaryDirectory(prefix="nfpcap-malformed-") as tmp:
        out = a.keep or pathlib.Path(tmp)
        out.mkdir(parents=True, exist_ok=True)
        failures = total = 0
        for name, data in list(hostile(rng)) + list(mutations(a.samples, rng, a.count)):
            path = out / name
            path.write_bytes(data)
            total += 1
            why = check(a.nfpcap, path, a.timeout)
            if why:
                failures += 1
                print(f"FAIL {name}: {why}")
                if a.keep is None:  # keep what failed, for reproducing
                    keep = pathlib.Path(tempfile.gettempdir()) / "nfpcap-malformed-failures"
                    keep.mkdir(exist_ok=True)
                    (keep / name).write_bytes(data)
        if a.hostile:
            for path in sorted(a.hostile.glob("*.pcap")) + sorted(a.hostile.glob("*.hex")):
                total += 1
                problems = check_hostile(a.nfpcap, path, a.timeout)
                for why in problems:
                    print(f"FAIL {path.name}: {why}")
                failures += 1 if problems else 0
        print(f"malformed corpus: {total} inputs, {failures} failed")
        return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
