#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""End-to-end checks of the nfpcap command line on the samples: output shapes, accounting,
stdin and pipes, errors and exit codes.

    tests/integration/test_cli.py NFPCAP_BINARY SAMPLES_DIR
"""
import json
import os
import subprocess
import sys
import tempfile

NFPCAP, SAMPLES = sys.argv[1], sys.argv[2]
failures = []
passed = 0


def run(*args, stdin=None, input_bytes=None):
    return subprocess.run([NFPCAP, *args], stdin=stdin, input=input_bytes, capture_output=True, timeout=60)


def check(name, condition, detail=""):
    global passed
    if condition:
        passed += 1
    else:
        failures.append(f"{name}: {detail}")
        print(f"FAIL {name}: {detail}")


def sample(name):
    return os.path.join(SAMPLES, name)


def json_lines(out):
    return [json.loads(line) for line in out.decode().splitlines() if line]


def test_usage():
    check("help exits 0", run("--help").returncode == 0)
    check("flows --help exits 0", run("flows", "--help").returncode == 0)
    r = run()
    check("no command is a usage error", r.returncode == 2, r.returncode)
    r = run("flows", "--format", "xml", sample("softflowd-v9.pcap"))
    check("bad format is a usage error", r.returncode == 2, r.returncode)
    r = run("flows")
    check("missing file is a usage error", r.returncode == 2, r.returncode)
    check("version", run("--version").stdout.decode().startswith("nfpcap "))


def test_errors():
    r = run("flows", "/nonexistent/x.pcap")
    err = r.stderr.decode()
    check("nonexistent file exits 1", r.returncode == 1, r.returncode)
    check("nonexistent file: one line naming it", err.count("\n") == 1 and "/nonexistent/x.pcap" in err, err)
    with tempfile.TemporaryDirectory() as tmp:
        text = os.path.join(tmp, "notes.txt")
        with open(text, "w") as f:
            f.write("hello, this is not a capture\n")
        r = run("stats", text)
        err = r.stderr.decode()
        check("text file exits 1", r.returncode == 1, r.returncode)
        check("text file: names file and cause", text in err and "not a pcap" in err, err)
        r = run("flows", tmp)
        check("directory exits 1", r.returncode == 1 and "directory" in r.stderr.decode(), r.stderr)
        # A capture cut mid-record: what came before is still printed, exit 1.
        with open(sample("pmacct-nfprobe-v9.pcap"), "rb") as f:
            data = f.read()
        cut = os.path.join(tmp, "cut.pcap")
        with open(cut, "wb") as f:
            f.write(data[: len(data) - 100])
        r = run("flows", "--format", "json", cut)
        whole = json_lines(run("flows", "--format", "json", sample("pmacct-nfprobe-v9.pcap")).stdout)
        got = json_lines(r.stdout)
        check("truncated capture exits 1", r.returncode == 1, r.returncode)
        check("truncated capture names the file", cut in r.stderr.decode(), r.stderr)
        check("records before the damage are printed", 0 < len(got) < len(whole) and got == whole[: len(got)],
              f"{len(got)} of {len(whole)}")
        # A second, good file after a bad one is still read.
        r = run("stats", "--format", "json", "/nonexistent.pcap", sample("softflowd-v5.pcap"))
        check("bad file then good file: exit 1", r.returncode == 1, r.returncode)
        check("bad file then good file: good one counted", json.loads(r.stdout)["data_records"] == 32, r.stdout[:200])


def test_flows_json():
    r = run("flows", "--format", "json", sample("softflowd-v9.pcap"))
    records = json_lines(r.stdout)
    check("flows json exit 0", r.returncode == 0, r.returncode)
    check("flows json: 52 records", len(records) == 52, len(records))
    first = records[0]
    keys = list(first)
    check("flows json key order", keys[:8] == ["frame", "time", "exporter", "version", "domain", "template", "start", "end"], keys[:8])
    check("frame is 1-based", records[0]["frame"] >= 1)
    check("exporter is addr:port", first["exporter"].startswith("127.0.0.1:"), first["exporter"])
    check("times are ISO 8601 UTC with ms", first["start"].endswith("Z") and len(first["start"]) == 24, first["start"])
    v6 = [x for x in records if "sourceIPv6Address" in x]
    check("IPv6 flows present", len(v6) == 20, len(v6))
    check("no options records without --options", all(x.get("kind") != "options" for x in records))
    with_options = json_lines(run("flows", "--format", "json", "--options", sample("softflowd-v9.pcap")).stdout)
    opts = [x for x in with_options if x.get("kind") == "options"]
    check("--options adds options records", len(opts) == 1 and len(with_options) == 53, len(with_options))
    r = run("flows", "--format", "json", sample("softflowd-v9-over-ipv6.pcap"))
    check("IPv6 exporter is [addr]:port", json_lines(r.stdout)[0]["exporter"].startswith("[::1]:"), r.stdout[:120])
    v5 = json_lines(run("flows", "--format", "json", sample("softflowd-v5.pcap")).stdout)[0]
    for key in ("sourceIPv4Address", "destinationIPv4Address", "ipNextHopIPv4Address", "ingressInterface",
                "egressInterface", "packetDeltaCount", "octetDeltaCount", "flowStartSysUpTime", "flowEndSysUpTime",
                "sourceTransportPort", "destinationTransportPort", "tcpControlBits", "protocolIdentifier",
                "ipClassOfService", "bgpSourceAsNumber", "samplingInterval"):
        check(f"v5 record has {key}", key in v5, list(v5))


def test_formats():
    text = run("flows", sample("softflowd-ipfix.pcap")).stdout.decode().splitlines()
    check("text: one line per record", len(text) == 52, len(text))
    check("text: fields as name=value", "sourceTransportPort=" in text[0], text[0])
    csv = run("flows", "--format", "csv", sample("softflowd-ipfix.pcap")).stdout.decode().splitlines()
    check("csv: header plus one row per record", len(csv) == 53 and csv[0].startswith("frame,time,exporter"), csv[:1])
    t = run("templates", sample("softflowd-ipfix.pcap")).stdout.decode()
    check("templates: lists template 1024 with its fields", "template 1024" in t and "sourceIPv4Address" in t, t[:300])
    tj = json_lines(run("templates", "--format", "json", sample("softflowd-ipfix.pcap")).stdout)
    check("templates json: one object per definition", all("fields" in x and "frame" in x for x in tj), tj[:1])


def test_stats_adds_up():
    for name in sorted(os.listdir(SAMPLES)):
        if not name.endswith((".pcap", ".pcapng")):
            continue
        d = json.loads(run("stats", "--format", "json", sample(name)).stdout)
        check(f"{name}: datagrams add up",
              d["datagrams"] == d["not_export_datagrams"] + d["export_datagrams"] + d["session_limit_datagrams"], d)
        check(f"{name}: export datagrams add up",
              d["export_datagrams"] == d["decoded_datagrams"] + d["partial_datagrams"] + d["malformed_datagrams"], d)
        check(f"{name}: sessions sum to totals",
              sum(s["data_records"] for s in d["sessions"]) == d["data_records"], d["sessions"])
        for key in ("datagrams", "export_datagrams", "data_records", "template_records", "options_records", "sessions"):
            check(f"{name}: stats has {key}", key in d)


def test_stdin_and_pipes():
    path = sample("nfreplay-v9.pcap")
    from_file = run("flows", "--format", "json", path).stdout
    with open(path, "rb") as f:
        from_stdin = run("flows", "--format", "json", "-", stdin=f).stdout
    check("stdin gives the same records", from_stdin == from_file and from_file)
    # A reader that goes away (| head -1) is not an error.
    p1 = subprocess.Popen([NFPCAP, "flows", "--format", "json", path], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    p1.stdout.readline()
    p1.stdout.close()
    err = p1.stderr.read()
    rc = p1.wait(timeout=30)
    check("closed pipe: no error message", err == b"", err)
    check("closed pipe: exit 0", rc == 0, rc)
    two = json_lines(run("flows", "--format", "json", path, sample("softflowd-v5.pcap")).stdout)
    check("several files: records name their file", two[0].get("file") == path and two[-1].get("file", "").endswith("softflowd-v5.pcap"), two[0])


def test_port_selection():
    d = json.loads(run("stats", "--format", "json", "--port", "9", sample("softflowd-v9.pcap")).stdout)
    check("--port elsewhere: nothing is export traffic", d["export_datagrams"] == 0 and d["not_export_datagrams"] == d["datagrams"], d)
    d = json.loads(run("stats", "--format", "json", "--port", "2055", sample("softflowd-v9.pcap")).stdout)
    check("--port 2055 selects the export", d["data_records"] == 52, d["data_records"])


def test_damaged_captures():
    """Each damaged or foreign input: exit 1 and exactly one error line naming the file (and the
    frame after which reading stopped); what came before the damage is still counted."""
    import random, struct
    with open(sample("softflowd-v9.pcap"), "rb") as f:
        good = f.read()
    with open(sample("softflowd-ipfix.pcapng"), "rb") as f:
        good_ng = f.read()
    rng = random.Random(5)
    cases = {
        "empty.pcap": b"",
        "cut-mid-global-header.pcap": good[:10],
        "bad-pcapng-block-length.pcapng": good_ng[:8] + struct.pack("<I", 0xFFFFFFF0) + good_ng[12:],
        "random-bytes.bin": bytes(rng.randrange(256) for _ in range(4096)),
    }
    # Cut inside the second record header: frame 1 is decoded, then the error names frame 1.
    first_len = struct.unpack("<I", good[24 + 8:24 + 12])[0]
    cases["cut-mid-record-header.pcap"] = good[:24 + 16 + first_len + 7]
    with tempfile.TemporaryDirectory() as tmp:
        for name, data in cases.items():
            path = os.path.join(tmp, name)
            with open(path, "wb") as f:
                f.write(data)
            r = run("stats", "--format", "json", path)
            err = r.stderr.decode()
            check(f"{name}: exit 1", r.returncode == 1, r.returncode)
            check(f"{name}: one error line naming the file", err.count("\n") == 1 and path in err, err)
            if name == "cut-mid-record-header.pcap":
                check(f"{name}: names the frame", "after frame 1" in err, err)
                d = json.loads(r.stdout)
                check(f"{name}: frame 1 still decoded", d["frames"] == 1 and d["export_datagrams"] == 1, d)
        header_only = os.path.join(tmp, "header-only.pcap")
        with open(header_only, "wb") as f:
            f.write(good[:24])
        r = run("stats", "--format", "json", header_only)
        check("only a global header: an empty capture, exit 0", r.returncode == 0 and r.stderr == b"" and
              json.loads(r.stdout)["frames"] == 0, (r.returncode, r.stderr))
        unreadable = os.path.join(tmp, "unreadable.pcap")
        with open(unreadable, "wb") as f:
            f.write(good)
        os.chmod(unreadable, 0)
        if os.geteuid() != 0 and not os.access(unreadable, os.R_OK):  # root reads it anyway
            r = run("flows", unreadable)
            err = r.stderr.decode()
            check("unreadable file: exit 1", r.returncode == 1, r.returncode)
            check("unreadable file: one line naming it and the cause",
                  err.count("\n") == 1 and unreadable in err and "ermission" in err, err)


for test in (test_usage, test_errors, test_flows_json, test_formats, test_stats_adds_up, test_stdin_and_pipes,
             test_port_selection, test_damaged_captures):
    test()

print(f"test_cli: {passed} passed, {len(failures)} failed")
sys.exit(1 if failures else 0)
