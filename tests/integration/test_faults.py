#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Faults never lose output silently (issue 13): each test is named after the defect it guards.

- a full disk (/dev/full) or a closed descriptor is an output error (exit 3, a message naming the
  output) in every command and format, also for hex --pcap, report -o and --write; a reader that
  closes the pipe (`| head`) still ends output quietly;
- SIGINT/SIGTERM cut the output at a record boundary (what was written is a prefix of the whole
  output ending at a line end), with exit 128 + the signal when a file was being read;
- a capture cut mid-record (file or standard input) says so and keeps the records before the cut;
- a stalled standard input is waited for without spinning (CPU time, from the child's resource
  usage, not wall-clock time);
- the exit codes of nfpcap(1): 0, 1, 2, 3 and 128 + signal, the same in every command;
- every loss `stats` counts is named by connections/top/timeline (footer) and flows (stderr);
- `templates` stays small on a redefinition flood and says what it summarized.

    tests/integration/test_faults.py NFPCAP_BINARY SAMPLES_DIR

Inputs are generated into a temporary directory (fault_inputs.py). Runs itself again inside a
private network namespace where it can (the --write test listens on loopback).
"""
import csv
import io
import json
import os
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fault_inputs  # noqa: E402
from checks import check, outcome  # noqa: E402

NFPCAP, SAMPLES = os.path.abspath(sys.argv[1]), sys.argv[2]
WORK = None


def sample(name):
    return os.path.join(SAMPLES, name)


def run(*args, stdout=subprocess.PIPE, stdin=subprocess.DEVNULL, preexec_fn=None, timeout=120):
    return subprocess.run([NFPCAP, *args], stdout=stdout, stderr=subprocess.PIPE, stdin=stdin, preexec_fn=preexec_fn,
                          timeout=timeout)


def enter_namespace():
    if os.environ.get("NFPCAP_FAULTS_NETNS") == "1":
        return
    unshare = shutil.which("unshare")
    if unshare is None or subprocess.run([unshare, "-n", "true"], capture_output=True).returncode != 0:
        return
    env = dict(os.environ, NFPCAP_FAULTS_NETNS="1")
    script = "ip link set lo up 2>/dev/null; exec \"$@\""
    r = subprocess.run([unshare, "-n", "sh", "-c", script, "sh", sys.executable, os.path.abspath(__file__),
                        *sys.argv[1:]], env=env)
    sys.exit(r.returncode)


def generated(name, make):
    path = os.path.join(WORK, name)
    if not os.path.exists(path):
        with open(path, "wb") as out:
            make(out)
    return path


def big_capture():
    """Real export traffic (softflowd v9), 2000 times over: about 6.5 MB, 104,000 records."""
    with open(sample("softflowd-v9.pcap"), "rb") as f:
        data = f.read()
    return generated("big.pcap", lambda out: fault_inputs.repeat(data, out, 2000))


def big_hex():
    path = os.path.join(WORK, "big.hex")
    if not os.path.exists(path):
        with open(path, "wb") as out:
            r = run("hex", big_capture(), stdout=out)
        assert r.returncode == 0, r.stderr
    return path


# Every command and format, each with an input it prints something for.
def every_output():
    v9 = sample("softflowd-v9.pcap")
    for fmt in ("text", "json", "csv", "line"):
        yield ["flows", "-T", fmt, v9]
        yield ["decode", "-T", fmt, "--file", big_hex()]
    for fmt in ("text", "json", "csv"):
        yield ["connections", "-n", "-T", fmt, v9]
    for command in ("top", "timeline", "stats", "templates"):
        for fmt in ("text", "json"):
            yield [command, "-T", fmt, v9]
    yield ["hex", v9]
    yield ["report", "-n", "-o", "-", v9]


def test_full_disk_is_an_output_error():
    with open("/dev/full", "wb") as full:
        for args in every_output():
            r = run(*args, stdout=full)
            err = r.stderr.decode()
            check(f"{' '.join(args[:3])} > /dev/full: exit 3", r.returncode == 3, (r.returncode, err[-300:]))
            check(f"{' '.join(args[:3])} > /dev/full: says so",
                  "nfpcap: cannot write to standard output: No space left on device" in err, err[-300:])
    v9 = sample("softflowd-v9.pcap")
    r = run("hex", "--pcap", "/dev/full", v9)
    check("hex --pcap /dev/full: exit 3 naming the file",
          r.returncode == 3 and b"cannot write to /dev/full: No space left on device" in r.stderr, r.stderr)
    r = run("report", "-n", "-o", "/dev/full", v9)
    check("report -o /dev/full: exit 3 naming the file",
          r.returncode == 3 and b"cannot write to /dev/full: No space left on device" in r.stderr, r.stderr)
    r = run("hex", "--pcap", os.path.join(WORK, "no", "such", "dir.pcap"), v9)
    check("hex --pcap into a missing directory: exit 3", r.returncode == 3 and b"cannot write to" in r.stderr,
          (r.returncode, r.stderr))
    r = subprocess.run([NFPCAP, "--help"], stdout=open("/dev/full", "wb"), stderr=subprocess.PIPE)
    check("--help > /dev/full: exit 3", r.returncode == 3 and b"No space left" in r.stderr, (r.returncode, r.stderr))


def test_closed_stdout_is_an_output_error():
    for args in every_output():
        r = run(*args, stdout=None, preexec_fn=lambda: os.close(1))
        err = r.stderr.decode()
        check(f"{' '.join(args[:3])} >&-: exit 3 (a closed descriptor)",
              r.returncode == 3 and "cannot write to standard output: Bad file descriptor" in err,
              (r.returncode, err[-300:]))
    # The descriptor left closed is not taken by a file the command opens: the pcap stays whole.
    out = os.path.join(WORK, "closed-stdout.pcap")
    r = run("hex", "--pcap", out, sample("softflowd-v9.pcap"), stdout=None, preexec_fn=lambda: os.close(1))
    v = run("flows", out)
    check("hex --pcap with standard output closed: the capture is written", r.returncode == 0 and v.returncode == 0
          and v.stdout.count(b"\n") == run("flows", sample("softflowd-v9.pcap")).stdout.count(b"\n"),
          (r.returncode, r.stderr, v.stderr))


def test_closed_pipe_ends_quietly():
    for args in (["flows", "-T", "json", big_capture()], ["hex", big_capture()],
                 ["decode", "--file", big_hex()]):
        p = subprocess.Popen([NFPCAP, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        p.stdout.readline()
        p.stdout.close()  # as `| head -1` does
        err = p.stderr.read()
        p.wait(timeout=60)
        check(f"{args[0]} | head -1: exit 0, nothing on stderr", p.returncode == 0 and err == b"", (p.returncode, err))


def free_port():
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def v5_payload(seq):
    header = struct.pack(">HHIIIIBBH", 5, 1, 1000, 1700000000, 0, seq, 0, 0, 0)
    record = struct.pack(">4s4s4sHHIIIIHHBBBBHHBBH", bytes([192, 0, 2, 1]), bytes([198, 51, 100, 2]), bytes(4), 1, 2,
                         3, 300, 500, 900, 40000, 443, 0, 0x1b, 6, 0, 0, 0, 24, 24, 0)
    return header + record


def test_write_file_on_full_disk_is_an_output_error():
    port = free_port()
    p = subprocess.Popen([NFPCAP, "stats", "--listen", f"127.0.0.1:{port}", "--write", "/dev/full", "-c", "200"],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    # Wait for the socket (the first stderr line says where it listens).
    line = p.stderr.readline()
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    for i in range(200):
        s.sendto(v5_payload(i), ("127.0.0.1", port))
        time.sleep(0.001)
    try:
        out, err = p.communicate(timeout=20)
    except subprocess.TimeoutExpired:
        p.send_signal(signal.SIGINT)
        out, err = p.communicate(timeout=20)
    err = line + err
    check("--write /dev/full: exit 3", p.returncode == 3, (p.returncode, err))
    check("--write /dev/full: says so once", err.count(b"cannot write to /dev/full: No space left on device") == 1, err)
    check("--write /dev/full: the run itself went on", b"export datagrams" in out, out[:200])


def cut_at_record_boundary(args, sig, full, label, stdin=None):
    """Runs `args` with stdout to a file, sends `sig` once output has begun, and checks what was
    written: a prefix of `full` (the output of the whole run) that ends at a line end."""
    path = os.path.join(WORK, "cut.out")
    with open(path, "wb") as out:
        p = subprocess.Popen([NFPCAP, *args], stdout=out, stderr=subprocess.PIPE,
                             stdin=stdin if stdin is not None else subprocess.DEVNULL)
        while os.path.getsize(path) == 0 and p.poll() is None:
            time.sleep(0.0005)
        p.send_signal(sig)
        err = p.communicate(timeout=60)[1]
    with open(path, "rb") as f:
        cut = f.read()
    check(f"{label}: stopped by the signal (exit 128+{int(sig)})", p.returncode == 128 + int(sig),
          (p.returncode, err[-300:]))
    check(f"{label}: output ends at a record boundary", cut.endswith(b"\n") and full.startswith(cut),
          (len(cut), cut[-120:]))
    check(f"{label}: cut short", 0 < len(cut) < len(full), (len(cut), len(full)))
    return cut


def test_signal_cuts_output_at_record_boundary():
    big = big_capture()
    for fmt, sig in (("json", signal.SIGINT), ("csv", signal.SIGTERM), ("text", signal.SIGINT),
                     ("line", signal.SIGTERM)):
        full = run("flows", "-T", fmt, big).stdout
        cut = cut_at_record_boundary(["flows", "-T", fmt, big], sig, full, f"flows -T {fmt} {sig.name}")
        if fmt == "json":
            check("flows json cut: every line is a record", all(json.loads(x) for x in cut.splitlines()), "")
        if fmt == "csv":
            rows = list(csv.reader(io.StringIO(cut.decode())))
            check("flows csv cut: every row has the header's columns", all(len(r) == len(rows[0]) for r in rows), "")
    hexfile = big_hex()
    full = run("decode", "-T", "json", "--file", hexfile).stdout
    cut_at_record_boundary(["decode", "-T", "json", "--file", hexfile], signal.SIGINT, full, "decode json SIGINT")
    full = run("hex", big).stdout
    cut_at_record_boundary(["hex", big], signal.SIGTERM, full, "hex SIGTERM")


def test_signal_on_standard_input_ends_normally():
    # Standard input (like a live source) ends when the user stops it: exit 0, the table printed.
    p = subprocess.Popen([NFPCAP, "connections", "-n", "-"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE)
    with open(sample("softflowd-v9.pcap"), "rb") as f:
        p.stdin.write(f.read())
    p.stdin.flush()
    time.sleep(0.5)  # the frames are read; the pipe stays open
    p.send_signal(signal.SIGINT)
    out, err = p.communicate(timeout=30)
    check("SIGINT on standard input: exit 0", p.returncode == 0, (p.returncode, err))
    check("SIGINT on standard input: the table of what was read", b"connections shown" in out, out[-300:])


def test_truncated_capture_keeps_what_came_before():
    v9 = sample("softflowd-v9.pcap")
    with open(v9, "rb") as f:
        data = f.read()
    packets = []  # (end offset of each frame)
    pos = 24
    while pos + 16 <= len(data):
        caplen = struct.unpack("<I", data[pos + 8:pos + 12])[0]
        pos += 16 + caplen
        packets.append(pos)
    cut_at = packets[len(packets) // 2] + 40  # inside the next frame's data
    cut = data[:cut_at]
    kept = data[:packets[len(packets) // 2]]
    path, whole = os.path.join(WORK, "cut-mid-record.pcap"), os.path.join(WORK, "kept.pcap")
    with open(path, "wb") as f:
        f.write(cut)
    with open(whole, "wb") as f:
        f.write(kept)
    expected = run("flows", "-T", "json", whole).stdout
    for label, r in (("file", run("flows", "-T", "json", path)),
                     ("standard input", run("flows", "-T", "json", "-", stdin=open(path, "rb")))):
        err = r.stderr.decode()
        check(f"capture cut mid-record ({label}): exit 1", r.returncode == 1, (r.returncode, err))
        check(f"capture cut mid-record ({label}): says so", "truncated" in err and "what came before it was decoded"
              in err, err)
        check(f"capture cut mid-record ({label}): the records before the cut", r.stdout == expected and expected,
              (len(r.stdout), len(expected)))


def test_truncated_pcapng_and_compressed_keep_what_came_before():
    import gzip
    ng = sample("softflowd-ipfix.pcapng")
    with open(ng, "rb") as f:
        data = f.read()
    cases = [("pcapng", ".pcapng", data)]
    # Compressed input, where this build reads it (the capture reader with gzip/zstd).
    probe = os.path.join(WORK, "probe.pcap.gz")
    with open(sample("softflowd-v9.pcap"), "rb") as f:
        plain = f.read()
    with open(probe, "wb") as f:
        f.write(gzip.compress(plain))
    if run("stats", probe).returncode == 0:
        # Large enough for many zstd blocks (up to 128 KiB each, decoded whole): a cut keeps
        # the blocks before it.
        with open(big_capture(), "rb") as f:
            plain = f.read()
        cases.append(("gzip", ".pcap.gz", gzip.compress(plain)))
        if shutil.which("zstd"):
            z = subprocess.run(["zstd", "-c", "-q"], input=plain, capture_output=True).stdout
            cases.append(("zstd", ".pcap.zst", z))
    else:
        print("note: this build reads no compressed captures; the cut .gz/.zst cases are not run")
    for label, suffix, blob in cases:
        whole = os.path.join(WORK, "whole" + suffix)
        with open(whole, "wb") as f:
            f.write(blob)
        full = run("flows", "-T", "json", whole).stdout
        path = os.path.join(WORK, "cut" + suffix)
        with open(path, "wb") as f:
            f.write(blob[:len(blob) * 2 // 3])
        for where, r in (("file", run("flows", "-T", "json", path)),
                         ("standard input", run("flows", "-T", "json", "-", stdin=open(path, "rb")))):
            err = r.stderr.decode()
            check(f"{label} cut ({where}): exit 1, says so", r.returncode == 1 and "truncated" in err.lower(),
                  (r.returncode, err))
            check(f"{label} cut ({where}): keeps the records before the cut",
                  0 < len(r.stdout) < len(full) and full.startswith(r.stdout), (len(r.stdout), len(full)))


def cpu_of(args, stdin_bytes, stall):
    """The child's user+system CPU time while its standard input stays open and quiet for `stall` seconds."""
    p = subprocess.Popen([NFPCAP, *args], stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    p.stdin.write(stdin_bytes)
    p.stdin.flush()
    time.sleep(stall)
    p.stdin.close()
    _, status, usage = os.wait4(p.pid, 0)
    p.returncode = os.waitstatus_to_exitcode(status)
    return usage.ru_utime + usage.ru_stime


def test_stalled_stdin_does_not_spin():
    with open(sample("softflowd-v9.pcap"), "rb") as f:
        data = f.read()
    with open(big_hex(), "rb") as f:
        hex_lines = b"".join(f.readline() for _ in range(4))
    for args, first, label in ((["flows"], b"", "flows, nothing sent"), (["flows"], data[:24], "flows, pcap header"),
                               (["connections", "-n"], data, "connections, a whole capture"),
                               (["decode"], hex_lines, "decode, some lines")):
        cpu = cpu_of(args, first, 3)
        check(f"stalled standard input ({label}): CPU stays near 0", cpu < 0.5, f"{cpu:.2f} s of CPU in a 3 s stall")


def test_exit_codes():
    v9 = sample("softflowd-v9.pcap")
    missing = os.path.join(WORK, "missing.pcap")
    commands = {
        "flows": [], "connections": ["-n"], "stats": [], "templates": [], "top": [], "timeline": [], "hex": [],
        "report": ["-n", "-o", "-"],
    }
    with open("/dev/full", "wb") as full:
        for command, extra in commands.items():
            r = run(command, *extra, v9, stdout=subprocess.DEVNULL)
            check(f"{command}: 0 when all went well", r.returncode == 0, (r.returncode, r.stderr))
            r = run(command, *extra, missing, stdout=subprocess.DEVNULL)
            check(f"{command}: 1 for an input error", r.returncode == 1, (r.returncode, r.stderr))
            r = run(command, *extra, "--no-such-option", v9, stdout=subprocess.DEVNULL)
            check(f"{command}: 2 for a usage error", r.returncode == 2, (r.returncode, r.stderr))
            r = run(command, *extra, v9, stdout=full)
            check(f"{command}: 3 for an output error", r.returncode == 3, (r.returncode, r.stderr))
    r = run("decode", "--file", missing, stdout=subprocess.DEVNULL)
    check("decode: 1 for an input error", r.returncode == 1, (r.returncode, r.stderr))
    r = run("decode", "--no-such-option", stdout=subprocess.DEVNULL)
    check("decode: 2 for a usage error", r.returncode == 2, (r.returncode, r.stderr))
    # 128 + the signal: a file whose reading a signal stopped (the output then a whole-record prefix).
    big = big_capture()
    for command, extra in (("stats", []), ("connections", ["-n"]), ("templates", [])):
        # 64 times the 6.5 MB capture: stats reads 8 of them (52 MB) in under the 50 ms before
        # the signal; 416 MB take it several times that.
        p = subprocess.Popen([NFPCAP, command, *extra] + [big] * 64, stdout=subprocess.DEVNULL,
                             stderr=subprocess.PIPE)
        time.sleep(0.05)
        p.send_signal(signal.SIGTERM)
        err = p.communicate(timeout=60)[1]
        check(f"{command}: 143 when SIGTERM stopped the reading of a file", p.returncode == 143, (p.returncode, err))


def test_losses_named_by_every_command():
    # Past the session limit (20,000 exporters): counted by stats, named by every other command.
    exporters = generated("exporters.pcap", lambda out: fault_inputs.exporters(out, 25000))
    stats = json.loads(run("stats", "-T", "json", exporters).stdout)
    lost = stats["session_limit_datagrams"]
    check("25,000 exporters: stats counts the datagrams past the session limit", lost == 5000, lost)
    line = f"{lost} export datagrams not decoded: session limit (20000 sessions) reached"
    for command in (["connections", "-n"], ["top"], ["timeline"]):
        out = run(*command, exporters).stdout.decode()
        check(f"session limit: named in the {command[0]} footer", line + "." in out.splitlines()[-3:]
              or (line + ".") in out[-2000:], out[-400:])
    r = run("flows", exporters, stdout=subprocess.DEVNULL)
    check("session limit: flows says so on stderr", f"nfpcap: {line}\n".encode() in r.stderr, r.stderr[-400:])

    # Data that waited for its template in vain, a set cut short, a datagram shorter than its header.
    frames = [
        fault_inputs.udp_frame(fault_inputs.ipfix([(300, bytes(16))])),  # template 300 never comes
        # a set whose length runs past the end of its message
        fault_inputs.udp_frame(struct.pack(">HHIII", 10, 24, 1700000000, 1, 1) + struct.pack(">HH", 256, 64)
                               + bytes(4)),
        fault_inputs.udp_frame(struct.pack(">HH", 5, 1) + bytes(10)),  # v5, cut inside its header
    ]
    path = generated("losses.pcap", lambda out: (out.write(fault_inputs.PCAP_HEADER), [
        out.write(fault_inputs.pcap_record(f, 1700000000 + i)) for i, f in enumerate(frames)]))
    stats = json.loads(run("stats", "-T", "json", "--port", "2055", path).stdout)
    counted = {k: v for k, v in stats["reasons"].items() if v and k in (
        "missing_template", "set_truncated", "header_truncated")}
    check("losses.pcap: stats counts the three losses", len(counted) == 3, stats["reasons"])
    r = run("flows", "--port", "2055", path, stdout=subprocess.DEVNULL)
    err = r.stderr.decode()
    for reason, n in counted.items():
        check(f"{reason}: flows names it with stats' count",
              any(l.startswith(f"nfpcap: {n} ") and l.endswith(f"({reason})") for l in err.splitlines()), err)
    out = run("connections", "-n", "--port", "2055", path).stdout.decode()
    for reason, n in counted.items():
        check(f"{reason}: the connections footer names it", any(
            l.startswith(f"{n} ") and l.endswith(f"({reason}).") for l in out.splitlines()), out[-600:])
    check("connections footer: stats says more", "`nfpcap stats --port 2055" not in out
          and f"`nfpcap stats {path}` says more." in out, out[-300:])


# A process's peak resident size counts what it had before exec too (a fork of this script, which
# holds large outputs): the child is started by a small interpreter of its own.
MEASURE = """
import os, sys
pid = os.fork()
if pid == 0:
    fd = os.open(sys.argv[1], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    os.dup2(fd, 1)
    os.execv(sys.argv[2], sys.argv[2:])
_, status, usage = os.wait4(pid, 0)
print(os.waitstatus_to_exitcode(status), usage.ru_maxrss)
"""


def run_measured(args):
    """Runs nfpcap and returns (exit code, stdout, peak resident KB) from its resource usage."""
    out_path = os.path.join(WORK, "measured.out")
    r = subprocess.run([sys.executable, "-c", MEASURE, out_path, NFPCAP, *args], capture_output=True, timeout=300)
    rc, rss = (int(x) for x in r.stdout.split())
    with open(out_path, "rb") as f:
        return rc, f.read(), rss


def test_template_redefinition_flood_is_bounded():
    # 3,000 redefinitions of one 200-field template, each a new layout, each with a record.
    flood = generated("redefinitions.pcap", lambda out: fault_inputs.redefinitions(out, 3000, 200, 0))
    rc, out, rss = run_measured(["templates", flood])
    text = out.decode()
    check("redefinition flood: templates exits 0", rc == 0, rc)
    check("redefinition flood: memory stays small", rss < 60 * 1024, f"{rss // 1024} MB peak")
    check("redefinition flood: lists 10 definitions", text.count("  template 256 (data, 200 fields") == 10,
          text.count("  template 256 (data"))
    check("redefinition flood: says what it summarized",
          "template 256: 2990 more definitions (2990 layouts, frames 2 to 2991, 2990 records) not listed" in text,
          [l for l in text.splitlines() if "more definitions" in l])
    rc, out, rss = run_measured(["templates", "-T", "json", flood])
    lines = [json.loads(l) for l in out.decode().splitlines()]
    summary = [x for x in lines if x.get("event") == "summarized"]
    defs = [x for x in lines if "fields" in x]
    check("redefinition flood json: one summary line", len(summary) == 1, summary)
    check("redefinition flood json: every definition accounted for",
          summary and sum(1 + x["resends"] for x in defs) + summary[0]["definitions"] == 3000, summary)
    check("redefinition flood json: every record accounted for",
          summary and sum(x["records"] for x in defs) + summary[0]["records"] == 3000, summary)
    check("redefinition flood json: the last definition is in force",
          [x["frame"] for x in defs if x.get("current")] == [3000], [x["frame"] for x in defs if x.get("current")])

    # Two layouts alternating: a resend of a known layout is a count, not a copy.
    flip = generated("alternating.pcap", lambda out: fault_inputs.redefinitions(out, 2000, 200, 2))
    rc, out, rss = run_measured(["templates", "-T", "json", flip])
    defs = [json.loads(l) for l in out.decode().splitlines()]
    check("alternating layouts: two entries", len(defs) == 2, len(defs))
    check("alternating layouts: each sent 1000 times, 1000 records",
          [(1 + x["resends"], x["records"]) for x in defs] == [(1000, 1000), (1000, 1000)],
          [(x["resends"], x["records"]) for x in defs])


def main():
    global WORK
    enter_namespace()
    with tempfile.TemporaryDirectory(prefix="nfpcap-faults.") as work:
        WORK = work
        for name, fn in sorted(globals().items()):
            if name.startswith("test_") and callable(fn):
                fn()
    sys.exit(outcome("test_faults"))


if __name__ == "__main__":
    main()
