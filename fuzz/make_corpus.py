#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# Writes the seed corpus of the fuzz targets from samples/ (needs tshark for UDP payloads):
#   fuzz/make_corpus.py samples fuzz/corpus
# decoder/: every distinct export datagram payload; hex/: the same as hex text (a few per
# sample); capture/: the sample captures and the capture fixtures of tests/data (plain, gzip and
# zstd; pcapng sections and blocks; tunnels; TCP streams; damaged files under invalid-).
import hashlib, pathlib, shutil, subprocess, sys

samples, out = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
tests_data = pathlib.Path(__file__).resolve().parent.parent / "tests" / "data" / "capture"
for sub in ("decoder", "hex", "capture"):
    (out / sub).mkdir(parents=True, exist_ok=True)

def put(sub, data: bytes):
    name = hashlib.sha1(data).hexdigest()[:16]
    (out / sub / name).write_bytes(data)

for cap in sorted(samples.glob("*.pcap*")):
    if cap.name.startswith("traffic"):
        continue
    shutil.copy(cap, out / "capture" / cap.name)
    rows = subprocess.run(["tshark", "-r", str(cap), "-T", "fields", "-e", "udp.payload"],
                          capture_output=True, text=True, check=True).stdout.split()
    for i, h in enumerate(rows):
        put("decoder", bytes.fromhex(h))
        if i < 4:
            put("hex", " ".join(h[k:k + 8] for k in range(0, len(h), 8)).encode() + b"\n")
for f in sorted(tests_data.glob("*.pcap*")):
    shutil.copy(f, out / "capture" / f.name)
for f in sorted((tests_data / "tool").glob("*")):
    shutil.copy(f, out / "capture" / ("tool-" + f.name))
for f in sorted((tests_data / "invalid").glob("*")):
    shutil.copy(f, out / "capture" / ("invalid-" + f.name))
