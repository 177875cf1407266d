#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""--threads: flows (every format) and connections print the same bytes with any thread count.

    tests/integration/test_threads.py NFPCAP_BINARY SAMPLES_DIR TEST_DATA_DIR

Each sample alone, then every sample and test capture in one run, three times over (several
files: records name their file; v1/v5/v7/v9/IPFIX, templates redefined, options, lists,
damaged captures; enough records for many batches), compared with --threads 1 byte for byte.
Timings are not tested here (bench/run.py measures them).
"""
import glob
import os
import subprocess
import sys

from checks import check, outcome

NFPCAP, SAMPLES, TEST_DATA = sys.argv[1], sys.argv[2], sys.argv[3]


def run(args):
    r = subprocess.run([NFPCAP, *args], capture_output=True, timeout=120)
    return r.returncode, r.stdout, r.stderr


def same_with_threads(name, args):
    one = run([*args, "--threads", "1"])
    for threads in ("2", "3"):
        many = run([*args, "--threads", threads])
        check(f"{name} --threads {threads}: exit code", many[0] == one[0], f"{many[0]} vs {one[0]}")
        check(f"{name} --threads {threads}: stdout", many[1] == one[1],
              f"{len(many[1])} bytes vs {len(one[1])} with --threads 1")
        check(f"{name} --threads {threads}: stderr", many[2] == one[2], many[2][-300:])
    return one


samples = sorted(glob.glob(os.path.join(SAMPLES, "*.pcap*")) + glob.glob(os.path.join(SAMPLES, "cases", "*.pcap*")))
test_data = sorted(glob.glob(os.path.join(TEST_DATA, "**", "*.pcap*"), recursive=True))
check("samples found", len(samples) >= 10, len(samples))

for s in samples:
    base = os.path.basename(s)
    for fmt in ("text", "json", "csv", "line"):
        same_with_threads(f"flows -T {fmt} {base}", ["flows", "-T", fmt, s])
    for fmt in ("text", "json", "csv"):
        same_with_threads(f"connections -T {fmt} {base}", ["connections", "-n", "-p", "0", "-T", fmt, s])

everything = (samples + test_data) * 3
for fmt in ("text", "json", "csv", "line"):
    rc, out, _ = same_with_threads(f"flows -T {fmt} (all captures x3)",
                                   ["flows", "-T", fmt, "--options", "--provenance", *everything])
    check(f"flows -T {fmt} (all captures x3) prints many records", out.count(b"\n") > 5000, out.count(b"\n"))
# Joined records are formatted on the decoding thread (their options state changes as it goes),
# the others in batches: both in one run, in order.
same_with_threads("flows --join-options (all captures x3)", ["flows", "-T", "json", "--join-options", *everything])
for extra in ([], ["--merge-exporters"], ["--follow"], ["--sort", "bytes", "--top", "50"]):
    # -n: what reverse DNS answers in time (the footer's Names line) depends on the machine's load.
    same_with_threads(f"connections {' '.join(extra)} (all captures x3)",
                      ["connections", "-n", "-p", "0", *extra, *everything])

# A reader that goes away early: the threads stop, the run ends (no hang, no error).
p = subprocess.Popen([NFPCAP, "flows", "-T", "json", "--threads", "2", *everything], stdout=subprocess.PIPE,
                     stderr=subprocess.PIPE)
first = p.stdout.read(1000)
p.stdout.close()
try:
    p.wait(timeout=60)
    check("closed pipe: the run ends", True)
except subprocess.TimeoutExpired:
    p.kill()
    check("closed pipe: the run ends", False, "still running after 60 s")
check("closed pipe: output began", len(first) == 1000, len(first))

sys.exit(outcome("test_threads"))
