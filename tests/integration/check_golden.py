#!/usr/bin/env python3
"""Golden tests: nfpcap's output for every sample capture against reviewed expected output.

usage: check_golden.py NFPCAP SAMPLES_DIR GOLDEN_DIR [--update] [--only SAMPLE ...]

For each capture in SAMPLES_DIR (*.pcap, *.pcapng; not traffic-lo.pcap, which is
the traffic the exporters read, not an export) and each kind below, runs nfpcap
and compares its standard output with GOLDEN_DIR/<capture>.<kind>:

    connections.txt    nfpcap -n -p 0 CAPTURE                    every capture
    connections.json   nfpcap -n -p 0 --format json CAPTURE      every capture
    flows.json         nfpcap flows --options --format json CAPTURE   FLOW_SAMPLES

-n: no DNS. No --local: times are UTC; the check runs nfpcap under a TZ far from
UTC (TZ=NPT-12:45, no tzdata needed), the update under TZ=UTC0, so output that
depends on the local time zone fails the check.

A difference prints a unified diff (golden -> nfpcap) and fails; so does a
missing golden file, a golden file without a capture, or nfpcap failing.
--update rewrites the golden files from nfpcap's output instead (review the diff
with `git diff tests/golden` before committing: the goldens are only as right as
that review).

KNOWN_WRONG lists output lines that were reviewed and found wrong (each with the
bug it shows). They are left out of the golden files and of the comparison, and
counted in a note, so the goldens freeze only what is right. Once the bug is
fixed, delete its entry, run --update and review the new lines.

Exit status: 0 all equal (or updated), 1 a difference or a failure, 2 bad
arguments. Python 3 standard library only.
"""

import argparse
import difflib
import json
import os
import re
import subprocess
import sys

PROG = "check_golden"
EXIT_OK, EXIT_FAIL, EXIT_USAGE = 0, 1, 2

NOT_EXPORTS = {"traffic-lo.pcap"}
CAPTURE_SUFFIXES = (".pcap", ".pcapng")

# kind -> nfpcap arguments before the capture.
KINDS = {
    "connections.txt": ["-n", "-p", "0"],
    "connections.json": ["-n", "-p", "0", "--format", "json"],
    "flows.json": ["flows", "--options", "--format", "json"],
}
EVERY_CAPTURE = ("connections.txt", "connections.json")

# Records straight from the decoders, one capture per exporter and format: v1, v5,
# v9 with an options record, IPFIX with systemInitTimeMilliseconds, RFC 5103
# reverse IEs, pmacct's 8-byte counters and ms times, nfreplay's absolute times.
FLOW_SAMPLES = (
    "softflowd-v1.pcap",
    "softflowd-v5.pcap",
    "softflowd-v9.pcap",
    "softflowd-ipfix.pcap",
    "softflowd-ipfix-biflow.pcap",
    "pmacct-nfprobe-ipfix.pcap",
    "nfreplay-v9.pcap",
)

CHECK_TZ = "NPT-12:45"  # POSIX TZ string: UTC+12:45, understood without tzdata
UPDATE_TZ = "UTC0"

# (kinds, pattern, reason): output lines reviewed and found wrong. See tests/golden/README.md.
# Empty: the ICMP pairing bug it once held (loopback echo replies one-way, errors merged into
# the ping) is fixed.
KNOWN_WRONG = ()


def captures(samples_dir):
    return sorted(name for name in os.listdir(samples_dir)
                  if name.endswith(CAPTURE_SUFFIXES) and name not in NOT_EXPORTS)


def kinds_for(capture):
    return [k for k in KINDS if k in EVERY_CAPTURE or capture in FLOW_SAMPLES]


def run_nfpcap(nfpcap, samples_dir, capture, kind, tz):
    """nfpcap's stdout for one capture and kind; raises RuntimeError on failure."""
    command = [os.path.abspath(nfpcap)] + KINDS[kind] + [capture]
    env = dict(os.environ, TZ=tz, LC_ALL="C")
    # Run in the samples folder with the bare file name: no local path in any output.
    proc = subprocess.run(command, cwd=samples_dir, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          text=True, check=False)
    if proc.returncode != 0 or proc.stderr:
        raise RuntimeError(f"`{' '.join(command[1:])}` (in {samples_dir}) exited {proc.returncode}, "
                           f"stderr: {proc.stderr.strip() or '(empty)'}")
    return proc.stdout


def drop_known_wrong(kind, text):
    """Returns (text without the known-wrong lines, {reason: count})."""
    kept, dropped = [], {}
    for line in text.splitlines(keepends=True):
        reason = next((r for kinds, pattern, r in KNOWN_WRONG if kind in kinds and pattern.search(line)), None)
        if reason is None:
            kept.append(line)
        else:
            dropped[reason] = dropped.get(reason, 0) + 1
    return "".join(kept), dropped


def json_field_changes(want, got, limit=10):
    """For JSON lines outputs with equal line counts: "line N: key golden -> nfpcap" for changed keys,
    since a unified diff of long JSON lines hides which field moved."""
    want_lines, got_lines = want.splitlines(), got.splitlines()
    if len(want_lines) != len(got_lines):
        return []
    changes = []
    for n, (w, g) in enumerate(zip(want_lines, got_lines), 1):
        if w == g:
            continue
        try:
            wo, go = json.loads(w), json.loads(g)
        except json.JSONDecodeError:
            return []
        for key in list(wo) + [k for k in go if k not in wo]:
            if wo.get(key, "(absent)") != go.get(key, "(absent)"):
                changes.append(f"line {n}: {key}: {json.dumps(wo.get(key, '(absent)'))} -> "
                               f"{json.dumps(go.get(key, '(absent)'))}")
        if len(changes) >= limit:
            changes.append("...")
            break
    return changes


def read(path):
    with open(path, encoding="utf-8") as f:
        return f.read()


def main():
    parser = argparse.ArgumentParser(prog=PROG, description=__doc__.split("\n\n")[0])
    parser.add_argument("nfpcap", help="nfpcap binary")
    parser.add_argument("samples_dir", help="folder of sample captures (samples/)")
    parser.add_argument("golden_dir", help="folder of expected outputs (tests/golden/)")
    parser.add_argument("--update", action="store_true", help="rewrite the golden files from nfpcap's output")
    parser.add_argument("--only", nargs="+", metavar="SAMPLE", help="only these captures (file names)")
    args = parser.parse_args()

    if not os.path.isdir(args.samples_dir) or not os.path.isdir(args.golden_dir):
        print(f"{PROG}: {args.samples_dir} or {args.golden_dir} is not a folder", file=sys.stderr)
        return EXIT_USAGE
    names = captures(args.samples_dir)
    if args.only:
        unknown = sorted(set(args.only) - set(names))
        if unknown:
            print(f"{PROG}: not sample captures: {', '.join(unknown)}", file=sys.stderr)
            return EXIT_USAGE
        names = [n for n in names if n in args.only]

    failures, checked, updated = [], 0, 0
    dropped_total = {}
    expected_files = set()
    for capture in names:
        for kind in kinds_for(capture):
            golden = os.path.join(args.golden_dir, f"{capture}.{kind}")
            expected_files.add(os.path.basename(golden))
            try:
                out = run_nfpcap(args.nfpcap, args.samples_dir, capture, kind,
                                 UPDATE_TZ if args.update else CHECK_TZ)
            except (RuntimeError, OSError) as e:
                failures.append(f"{capture}.{kind}: {e}")
                continue
            out, dropped = drop_known_wrong(kind, out)
            for reason, n in dropped.items():
                dropped_total[reason] = dropped_total.get(reason, 0) + n
            if args.update:
                if not os.path.exists(golden) or read(golden) != out:
                    with open(golden, "w", encoding="utf-8") as f:
                        f.write(out)
                    updated += 1
                    print(f"updated {golden}")
                continue
            checked += 1
            if not os.path.exists(golden):
                failures.append(f"{golden}: missing (run with --update, then review it)")
                continue
            want = read(golden)
            if want != out:
                diff = difflib.unified_diff(want.splitlines(keepends=True), out.splitlines(keepends=True),
                                            fromfile=golden, tofile=f"nfpcap {' '.join(KINDS[kind])} {capture}")
                sys.stdout.writelines(line if line.endswith("\n") else line + "\n" for line in diff)
                if kind.endswith(".json"):
                    for change in json_field_changes(want, out):
                        print(f"  {change}")
                failures.append(f"{golden}: differs (diff above; nfpcap ran under TZ={CHECK_TZ})")

    if not args.only:
        suffixes = tuple("." + k for k in KINDS)
        stale = sorted(n for n in os.listdir(args.golden_dir) if n.endswith(suffixes) and n not in expected_files)
        failures += [f"{os.path.join(args.golden_dir, n)}: no such sample capture or kind (stale?)" for n in stale]

    for reason, n in sorted(dropped_total.items()):
        print(f"note: {n} output lines not compared, known wrong: {reason}")
    for f in failures:
        print(f"{PROG}: FAIL: {f}")
    if args.update:
        print(f"{PROG}: {updated} golden files written, {len(failures)} failures")
    elif not failures:
        print(f"{PROG}: {checked} outputs of {len(names)} captures equal to the golden files")
    return EXIT_FAIL if failures else EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
