#!/usr/bin/env python3
"""`nfpcap hex` and `nfpcap decode` end to end on every sample.

usage: test_hex.py NFPCAP_BINARY SAMPLES_DIR [COMPARE_TSHARK_PY]

1. Round trip: `hex CAPTURE | decode` prints exactly what `flows` prints
   (JSON, options records included), for the whole capture and for frame
   selections (templates and boot-time records rebuilt first).
2. Anonymized round trip: `hex --anonymize KEY | decode` gives the same
   number of records with equal non-address fields; no address of the
   original (records, exporter, collector) appears anywhere in the hex
   comments or the decoded output; same key, same output.
3. `hex --pcap OUT` writes a capture that nfpcap decodes like the fixture and
   that tshark decodes like nfpcap (compare_tshark.py, skipped without
   tshark).
4. Selection options, and errors: bad hex names the line, bad options exit 2.

Exit status: 0 all passed, 1 any failure. Python 3 standard library only.
"""

import ipaddress
import json
import os
import shutil
import subprocess
import sys
import tempfile

KEY = "fixture test passphrase"
failures = []


def nine_digit_time(record):
    """The record with its capture time written with 9 fractional digits."""
    r = dict(record)
    t = r.get("time")
    if isinstance(t, str) and t.endswith("Z"):
        whole, _, frac = t[:-1].partition(".")
        r["time"] = f"{whole}.{frac.ljust(9, '0')}Z"
    return r


def run(nfpcap, args, stdin=None, check=True):
    p = subprocess.run([nfpcap] + args, input=stdin, capture_output=True, text=True)
    if check and p.returncode != 0:
        raise RuntimeError(f"nfpcap {' '.join(args)} exited {p.returncode}: {p.stderr}")
    return p


def fail(what):
    failures.append(what)
    print(f"FAIL {what}", file=sys.stderr)


def json_lines(text):
    return [json.loads(line) for line in text.splitlines() if line]


def is_address(value):
    if not isinstance(value, str):
        return False
    try:
        ipaddress.ip_address(value)
        return True
    except ValueError:
        return False


def endpoint_address(text):
    host = text.rsplit(":", 1)[0]
    return host.strip("[]")


def addresses_of(records):
    found = set()

    def walk(v):
        if isinstance(v, dict):
            for x in v.values():
                walk(x)
        elif isinstance(v, list):
            for x in v:
                walk(x)
        elif is_address(v):
            found.add(str(ipaddress.ip_address(v)))

    for r in records:
        walk(r)
        found.add(str(ipaddress.ip_address(endpoint_address(r["exporter"]))))
    return found


def without_addresses(record):
    def strip(v):
        if isinstance(v, dict):
            return {k: strip(x) for k, x in v.items() if k != "exporter"}
        if isinstance(v, list):
            return [strip(x) for x in v]
        return "<address>" if is_address(v) else v

    return strip(record)


def frame_count(nfpcap, capture):
    stats = json.loads(run(nfpcap, ["stats", "--format", "json", capture]).stdout.splitlines()[0])
    return stats


def check_sample(nfpcap, capture, compare_tshark, tmp):
    name = os.path.basename(capture)
    flows = json_lines(run(nfpcap, ["flows", "--format", "json", "--options", capture]).stdout)
    frames = sorted({r["frame"] for r in flows})

    # 1. exact round trip, whole capture and selections
    hex_text = run(nfpcap, ["hex", capture]).stdout
    decoded = json_lines(run(nfpcap, ["decode", "--format", "json", "--options"], stdin=hex_text).stdout)
    if decoded != flows:
        fail(f"{name}: hex | decode differs from flows ({len(decoded)} vs {len(flows)} records)")
    for sel in ["2-", "3", "2,4-5"]:
        want = set()
        for part in sel.split(","):
            lo, dash, hi = part.partition("-")
            hi_n = (int(hi) if hi else 1 << 62) if dash else int(lo)
            want |= {f for f in frames if int(lo) <= f <= hi_n}
        expected = [r for r in flows if r["frame"] in want]
        got = json_lines(run(nfpcap, ["decode", "--format", "json", "--options"],
                             stdin=run(nfpcap, ["hex", "--frames", sel, capture]).stdout).stdout)
        if got != expected:
            fail(f"{name}: --frames {sel}: {len(got)} records decoded, flows has {len(expected)}")
    for fmt in ["text", "csv"]:
        a = run(nfpcap, ["flows", "--format", fmt, capture]).stdout
        b = run(nfpcap, ["decode", "--format", fmt], stdin=hex_text).stdout
        if a != b:
            fail(f"{name}: decode --format {fmt} differs from flows")

    # 2. anonymized round trip
    anon_hex = run(nfpcap, ["hex", "--anonymize", KEY, capture]).stdout
    if run(nfpcap, ["hex", "--anonymize", KEY, capture]).stdout != anon_hex:
        fail(f"{name}: --anonymize is not deterministic")
    anon = json_lines(run(nfpcap, ["decode", "--format", "json", "--options"], stdin=anon_hex).stdout)
    if len(anon) != len(flows):
        fail(f"{name}: anonymized fixture decodes {len(anon)} records, flows {len(flows)}")
    elif [without_addresses(r) for r in anon] != [without_addresses(r) for r in flows]:
        fail(f"{name}: anonymized records differ in fields that are not addresses")
    originals = addresses_of(flows)
    for line in hex_text.splitlines():
        if line.startswith("#"):
            for word in line.split():
                if word.startswith(("exporter=", "collector=")):
                    originals.add(str(ipaddress.ip_address(endpoint_address(word.split("=", 1)[1]))))
    leaked = originals & addresses_of(anon)
    comment_words = {w.split("=", 1)[1] for line in anon_hex.splitlines() if line.startswith("#")
                     for w in line.split() if w.startswith(("exporter=", "collector="))}
    leaked |= originals & {str(ipaddress.ip_address(endpoint_address(w))) for w in comment_words}
    if leaked:
        fail(f"{name}: original addresses in the anonymized output: {sorted(leaked)}")
    if not originals:
        fail(f"{name}: no addresses found in the original (test broken?)")

    # 3. --pcap: nfpcap reads it back like the fixture; tshark agrees with nfpcap
    out = os.path.join(tmp, name + ".anon.pcap")
    run(nfpcap, ["hex", "--anonymize", KEY, "--pcap", out, capture])
    from_pcap = json_lines(run(nfpcap, ["flows", "--format", "json", "--options", out]).stdout)
    # The written pcap has nanosecond times: 9 digits where a microsecond capture prints 6.
    if [nine_digit_time(r) for r in from_pcap] != [nine_digit_time(r) for r in anon]:
        fail(f"{name}: flows on the written pcap differs from decode of the fixture")
    if compare_tshark and shutil.which("tshark"):
        p = subprocess.run([sys.executable, compare_tshark, nfpcap, out], capture_output=True, text=True)
        if p.returncode != 0:
            fail(f"{name}: tshark disagrees on the written pcap:\n{p.stdout[-2000:]}{p.stderr[-2000:]}")


def check_cli(nfpcap, samples, tmp):
    v9 = os.path.join(samples, "softflowd-v9.pcap")
    lines = run(nfpcap, ["hex", "--limit", "1", "--frames", "2-", v9]).stdout.splitlines()
    if (len(lines) != 5 or lines[0] != "# nfpcap-fixture 1" or not lines[1].startswith("# rebuilt")
            or not lines[3].startswith("# frame=2 ")):
        fail(f"--limit 1 --frames 2-: unexpected lines {[l[:40] for l in lines]}")
    # A fixture format newer than this nfpcap is refused with a message saying so.
    p = subprocess.run([nfpcap, "decode", "-"], input="# nfpcap-fixture 99\n", capture_output=True, text=True)
    if p.returncode != 1 or "newer than this nfpcap reads" not in p.stderr:
        fail(f"newer fixture format: exit {p.returncode}, stderr {p.stderr!r}")
    # A selection that matches nothing says so.
    p = subprocess.run([nfpcap, "hex", "--frames", "1000-", v9], capture_output=True, text=True)
    if p.returncode != 0 or p.stdout or "0 of 3 export datagrams selected" not in p.stderr:
        fail(f"empty selection: exit {p.returncode}, stdout {p.stdout!r}, stderr {p.stderr!r}")
    if run(nfpcap, ["hex", "--version", "5", v9]).stdout != "":
        fail("--version 5 selected v9 datagrams")
    if run(nfpcap, ["hex", "--exporter", "192.0.2.1", v9]).stdout != "":
        fail("--exporter 192.0.2.1 selected datagrams")
    if run(nfpcap, ["hex", "--exporter", "127.0.0.1", v9]).stdout == "":
        fail("--exporter 127.0.0.1 selected nothing")
    for bad in [["--frames", "5-2"], ["--exporter", "nohost"], ["--version", "6"]]:
        p = run(nfpcap, ["hex"] + bad + [v9], check=False)
        if p.returncode != 2:
            fail(f"hex {' '.join(bad)}: exit {p.returncode}, expected 2")

    # bad hex names the line; good lines around it still decode
    good = run(nfpcap, ["hex", os.path.join(samples, "softflowd-v5.pcap")]).stdout.splitlines()
    text = "\n".join(good[:2] + ["0005zz"] + good[2:]) + "\n"
    path = os.path.join(tmp, "bad.hex")
    with open(path, "w") as f:
        f.write(text)
    p = run(nfpcap, ["decode", "--file", path], check=False)
    if p.returncode != 1 or f"{path}:3: not hex: 'z' at column 5" not in p.stderr:
        fail(f"bad hex line: exit {p.returncode}, stderr {p.stderr!r}")
    if len(p.stdout.splitlines()) != 32:
        fail(f"bad hex line: the good lines gave {len(p.stdout.splitlines())} records, expected 32")
    p = run(nfpcap, ["decode", "000"], check=False)
    if p.returncode != 1 or "argument 1: odd number of hex digits" not in p.stderr:
        fail(f"odd hex digits: exit {p.returncode}, stderr {p.stderr!r}")
    p = run(nfpcap, ["decode", "00070001"], check=False)
    if p.returncode != 1 or "argument 1: not decoded" not in p.stderr:
        fail(f"unknown version: exit {p.returncode}, stderr {p.stderr!r}")
    # payloads as arguments, templates carried from one to the next
    payloads = [l for l in run(nfpcap, ["hex", v9]).stdout.splitlines() if not l.startswith("#")]
    p = run(nfpcap, ["decode"] + payloads)
    if len(p.stdout.splitlines()) != 52:
        fail(f"decode HEX...: {len(p.stdout.splitlines())} records, expected 52")


def main():
    nfpcap, samples = sys.argv[1], sys.argv[2]
    compare_tshark = sys.argv[3] if len(sys.argv) > 3 else None
    captures = sorted(os.path.join(samples, f) for f in os.listdir(samples)
                      if f.endswith((".pcap", ".pcapng")) and f != "traffic-lo.pcap")
    with tempfile.TemporaryDirectory() as tmp:
        for capture in captures:
            check_sample(nfpcap, capture, compare_tshark, tmp)
        check_cli(nfpcap, samples, tmp)
    print(f"test_hex: {len(captures)} captures, {len(failures)} failure(s)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
