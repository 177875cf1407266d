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

from checks import check, outcome

NFPCAP, SAMPLES = sys.argv[1], sys.argv[2]


def run(*args, stdin=None, input_bytes=None):
    return subprocess.run([NFPCAP, *args], stdin=stdin, input=input_bytes, capture_output=True, timeout=60)


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
    r = run("flows", stdin=subprocess.DEVNULL)
    check("missing file is a usage error", r.returncode == 2, r.returncode)
    check("version", run("--version").stdout.decode().startswith("nfpcap "))


def test_habits():
    r = run("flow", sample("softflowd-v9.pcap"))
    check("a command typo suggests the command", r.returncode == 2 and b"did you mean 'flows'?" in r.stderr, r.stderr)
    r = run("tempaltes", sample("softflowd-v9.pcap"))
    check("two letters swapped: still suggested", r.returncode == 2 and b"'templates'" in r.stderr, r.stderr)
    for command in ("flows", "stats", "templates", "top", "timeline", "hex"):
        r = run(command, "-n", sample("softflowd-v9.pcap"))
        check(f"{command} accepts -n", r.returncode == 0, r.stderr)
    r = run(sample("traffic-lo.pcap"))
    check("no export traffic: said on stderr, no empty table", r.returncode == 0 and not r.stdout and
          b"no NetFlow or IPFIX export traffic in 146 frames (26 UDP datagrams)" in r.stderr, (r.stdout, r.stderr))
    r = run("flows", "--port", "9", sample("softflowd-v9.pcap"))
    check("no export traffic on the chosen port: says so", b"on the selected ports" in r.stderr, r.stderr)
    # Every input option, and -n, may come before the command, as --listen and -c can.
    v9, v5 = sample("softflowd-v9.pcap"), sample("softflowd-v5.pcap")
    after = run("flows", "-T", "json", "--merge", "--port", "2055", "--no-two-pass", "-r", v9, "-r", v5)
    before = run("--merge", "--port", "2055", "--no-two-pass", "-r", v9, "-r", v5, "flows", "-T", "json")
    check("input options before the command", before.returncode == 0 and before.stdout == after.stdout and
          after.stdout, (before.returncode, before.stderr))
    r = run("-n", "top", v9)
    check("-n before the command", r.returncode == 0 and r.stdout.startswith(b"Top ") and not r.stderr, r.stderr)
    r = run("-p", "0", "top", v9)
    check("a command after another command's options: a usage error saying so, no table",
          r.returncode == 2 and not r.stdout and b"'top' is a command, not a capture file" in r.stderr,
          (r.returncode, r.stdout[:100], r.stderr))


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


def test_min_packets_default_by_format():
    # Machines read JSON and CSV whole: -p defaults to 0 there, to 10 for the text table.
    v5 = sample("softflowd-v5.pcap")
    every = json_lines(run("connections", "-T", "json", v5).stdout)
    kept = json_lines(run("connections", "-T", "json", "-p", "10", v5).stdout)
    small = [c for c in every if c["packets_to_server"] + c["packets_to_client"] < 10]
    check("-p: json shows every connection by default", small and len(every) == len(kept) + len(small),
          (len(every), len(kept), len(small)))
    csv_rows = run("connections", "-T", "csv", v5).stdout.decode().splitlines()
    check("-p: csv shows every connection by default", len(csv_rows) == len(every) + 1, (len(csv_rows), len(every)))
    text = run("connections", v5).stdout.decode()
    check("-p: the text table hides the small ones and says so", "fewer than 10 packets" in text or
          "-p 0" in text, text[-400:])


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


def synopsis_blocks():
    """The man page's SYNOPSIS as plain text: each command's block, and the INPUT block."""
    import re
    with open(os.path.join(SAMPLES, "..", "man", "nfpcap.1")) as f:
        page = f.read()
    text = page[page.index(".SH SYNOPSIS"):page.index(".SH DESCRIPTION")]
    text = re.sub(r"\\f[BIRP]", "", text).replace("\\-", "-")
    blocks, current = {}, None
    for line in text.splitlines():
        words = line.split()
        if line.startswith(".B nfpcap"):
            current = words[2] if len(words) > 2 else "connections"
        elif line.startswith(".I INPUT"):
            current = "INPUT"
        elif current:
            blocks[current] = blocks.get(current, "") + " " + line
    return blocks


def test_manual_synopsis():
    # Every option of every command's --help is in the man page's SYNOPSIS: in the command's
    # own block, or in INPUT (the input options every command but decode shares).
    import re
    blocks = synopsis_blocks()
    for command in ("connections", "flows", "stats", "templates", "hex", "decode", "top", "timeline", "report"):
        check(f"SYNOPSIS has {command}", command in blocks, sorted(blocks))
        usage = run(command, "--help").stdout.decode()
        names = re.findall(r"^\s+((?:-[A-Za-z],)?--?[A-Za-z][-A-Za-z0-9,!]*)", usage, re.M)
        shared = blocks.get("INPUT", "") if command != "decode" else ""
        where = blocks.get(command, "") + " " + shared
        missing = []
        for option in names:
            spelled = [n for n in option.split(",") if n not in ("-h", "--help")]
            if spelled and not any(re.search(r"\[ " + re.escape(n) + r"[\s\]]", where) for n in spelled):
                missing.append(option)
        check(f"SYNOPSIS of {command} lists every option of its --help", not missing, missing)
        # CLI11's artefacts stay out of help: validator names after the value name, `=default`.
        artefacts = re.findall(r"^\s+-\S+ [^\s\[]*(?::[A-Z]{3,}|=\S+)", usage, re.M)
        check(f"{command} --help: no FILE:FILE or SECONDS:NONNEGATIVE=10", not artefacts, artefacts)
    check("--window's default is in its description",
          "(default 10)" in run("connections", "--help").stdout.decode())
    top = run("--help").stdout.decode()
    check("nfpcap --help shows the default command's options",
          "--min-packets" in top and "--merge-exporters" in top and "connections, the command run without one" in top,
          top[-500:])


def test_statistics_and_filters():
    v9 = sample("softflowd-v9.pcap")
    r = run("top", "-n", "--format", "json", "-s", "srcip", v9)
    rows = json_lines(r.stdout)
    check("top json exit 0", r.returncode == 0, r.stderr)
    total = rows[-1]
    check("top: a total line last", total.get("kind") == "total" and total["records"]["flows"] == 52, total)
    check("top srcip: rows add up to the flows", sum(x["flows"] for x in rows[:-1]) == 52, rows)
    rows = json_lines(run("top", "-n", "--format", "json", "-s", "ip", "--count", "0", v9).stdout)
    check("top ip: each flow counts for both sides", sum(x["flows"] for x in rows[:-1]) == 104, rows)
    # nfdump -s port/bytes -n 3 on the same flows: 8000 10 flows 146856 bytes, then 59258, 8080.
    rows = json_lines(run("top", "--format", "json", "-s", "port", "-O", "bytes", "--count", "3", v9).stdout)
    check("top port by bytes as nfdump", [x["key"] for x in rows[:-1]] == ["8000", "59258", "8080"] and
          rows[0]["bytes"] == 146856 and rows[0]["flows"] == 10, rows)
    text = run("top", "-s", "service", v9).stdout.decode()
    check("top text: title and totals", text.startswith("Top ") and "Total: 52 flows, 146 packets, 175284 bytes" in text,
          text[:300])
    lines = json_lines(run("timeline", "--format", "json", "-i", "0.1", "-g", "proto", v9).stdout)
    total = lines[-1]
    cells = lines[:-1]
    check("timeline: a total line last", total.get("kind") == "total" and total["records"]["flows"] == 52, total)
    check("timeline: intervals add up to the records",
          sum(x["flows"] for x in cells) == 52 and sum(x["packets"] for x in cells) == 146 and
          sum(x["bytes"] for x in cells) == 175284, total)
    check("timeline: groups are protocols",
          all(set(x["groups"]) <= {"tcp", "udp", "icmp", "ipv6-icmp"} for x in cells) and cells[0]["groups"], cells[:3])
    check("timeline: an interval's groups add up to it",
          all(sum(g[k] for g in x["groups"].values()) == x[k] for x in cells for k in ("flows", "packets", "bytes")),
          cells[:3])
    # CSV: the same cells in long form, numbers bare; top CSV the same rows as JSON.
    csv_rows = run("timeline", "-T", "csv", "-i", "0.1", "-g", "proto", v9).stdout.decode().splitlines()
    check("timeline csv: header, one row per interval and group",
          csv_rows[0] == "start,group,flows,packets,bytes,saturated" and
          len(csv_rows) - 1 == sum(len(x["groups"]) for x in cells) and
          sum(int(row.split(",")[2]) for row in csv_rows[1:]) == 52, csv_rows[:3])
    top_json = json_lines(run("top", "-T", "json", "-s", "dstport", "--count", "0", v9).stdout)[:-1]
    top_csv = run("top", "-T", "csv", "-s", "dstport", "--count", "0", v9).stdout.decode().splitlines()
    check("top csv: the JSON rows, in order",
          top_csv[0].startswith("rank,key,flows,flows_pct,packets") and
          [tuple(r.split(",")[1:3]) for r in top_csv[1:]] == [(x["key"], str(x["flows"])) for x in top_json], top_csv[:3])
    # -q: the rows only; the total object and title go, the rows stay the same.
    quiet = json_lines(run("top", "-T", "json", "-q", "-s", "dstport", "--count", "0", v9).stdout)
    check("top -q json: no total object", quiet == top_json, quiet[-1:])
    text = run("top", "-n", "-q", "-s", "srcip", v9).stdout.decode().splitlines()
    check("top -q text: one line per row", len(text) == 2 and text[0].startswith("127.0.0.1"), text)
    # Host rows named as the connection table names them (a hosts file here; DNS in test_dns.sh).
    with tempfile.NamedTemporaryFile("w", suffix=".hosts") as hosts:
        hosts.write("127.0.0.1 loop-host.test\n")
        hosts.flush()
        text = run("top", "-n", "--hosts", hosts.name, "-s", "srcip", v9).stdout.decode().splitlines()
        check("top text: a named host as name (address)", text[2].startswith("loop-host.test (127.0.0.1)  "), text[:3])
        rows = json_lines(run("top", "-n", "--hosts", hosts.name, "-T", "json", "-s", "srcip", v9).stdout)[:-1]
        check("top json: key the address, name beside it",
              {(x["key"], x["name"]) for x in rows} == {("127.0.0.1", "loop-host.test"), ("::1", None)}, rows)
        csv_rows = run("top", "-n", "--hosts", hosts.name, "-T", "csv", "-s", "exporter", v9).stdout.decode()
        csv_rows = csv_rows.splitlines()
        check("top csv exporter: a name column", csv_rows[0].startswith("rank,key,name,flows,") and
              csv_rows[1].split(",")[2] == "loop-host.test", csv_rows[:2])
        rows = json_lines(run("top", "-n", "--hosts", hosts.name, "-T", "json", "-s", "dstport", v9).stdout)[:-1]
        check("top json: no name for keys that are not hosts", rows and all("name" not in x for x in rows), rows[:1])
    text = run("timeline", "-q", v9).stdout.decode().splitlines()
    check("timeline -q: intervals only", text and all(line[:4] == "2026" for line in text), text)
    r = run("-q", "-n", "-p", "0", v9)
    lines = r.stdout.decode().splitlines()
    check("connections -q: rows only", r.returncode == 0 and lines and all(line[:4] == "2026" for line in lines), lines[:2])
    r = run("-q", "-n", v9)
    check("connections -q: what -p hid is said on stderr", b"skipped (-p 0 shows all)" in r.stderr, r.stderr)
    r = run("-n", "-T", "json", "-p", "20", v9)
    check("connections json -p 20: what it hid on stderr",
          b"connections with fewer than 20 packets skipped" in r.stderr, r.stderr)
    # flows -c: the first N records, in every format.
    every = run("flows", "-T", "json", v9).stdout.decode().splitlines()
    first = run("flows", "-T", "json", "-c", "7", v9).stdout.decode().splitlines()
    check("flows -c 7: the first 7 records", first == every[:7], len(first))
    first = run("flows", "-T", "json", "-c", "3", "-Y", "proto udp", v9).stdout.decode().splitlines()
    udp = run("flows", "-T", "json", "-Y", "proto udp", v9).stdout.decode().splitlines()
    check("flows -c counts the records -Y selects", first == udp[:3], first)
    # hex -Y: the datagrams with a matching record (and the templates they need).
    r = run("hex", "-Y", "proto udp and port 53", v9)
    lines = [line for line in r.stdout.decode().splitlines() if line and not line.startswith("#")]
    decoded = subprocess.run([NFPCAP, "decode", "-T", "json"], input="\n".join(lines).encode(), capture_output=True)
    records = json_lines(decoded.stdout)
    check("hex -Y: the fixture holds DNS records", r.returncode == 0 and
          any(x.get("destinationTransportPort") == 53 or x.get("sourceTransportPort") == 53 for x in records),
          (r.stderr, records[:2]))
    all_hex = [line for line in run("hex", v9).stdout.decode().splitlines() if line and not line.startswith("#")]
    check("hex -Y: fewer datagrams than without", 0 < len(lines) < len(all_hex), (len(lines), len(all_hex)))
    r = run("hex", "-Y", "port 1", v9)
    check("hex -Y matching nothing: said", b"0 of " in r.stderr and b"selected" in r.stderr, r.stderr)
    # -Y selects what nfdump selects (tests/data/filter has the full comparison).
    r = run("flows", "--format", "json", "-Y", "proto udp and not port 53", v9)
    check("flows -Y: the selected records", r.returncode == 0 and len(json_lines(r.stdout)) == 10, r.stdout[:200])
    r = run("top", "--format", "json", "-Y", "flags S and not flags AFRPU", v9)
    check("top -Y: bare SYNs", json_lines(r.stdout)[-1]["records"]["flows"] == 2, r.stdout[-300:])
    r = run("-n", "-p", "0", "--format", "json", "-Y", "proto tcp", v9)
    check("connections -Y: TCP only", r.returncode == 0 and
          all(x["protocol"] == 6 for x in json_lines(r.stdout)), r.stdout[:300])
    r = run("top", "-Y", "prot tcp", v9)
    check("bad filter: usage error naming the token", r.returncode == 2 and
          r.stderr.decode() == "nfpcap: filter: unknown keyword 'prot' at column 1\n", (r.returncode, r.stderr))
    r = run("flows", "-Y", "port > 70000", v9)
    check("filter out of range: usage error", r.returncode == 2 and b"column 8" in r.stderr, r.stderr)
    r = run("timeline", "--from", "yesterday", v9)
    check("bad --from: usage error naming it", r.returncode == 2 and b"--from yesterday" in r.stderr, r.stderr)
    r = run("timeline", "-i", "0.000001", "--from", "2026-01-01", "--to", "2027-01-01", v9)
    check("a window of too many intervals: usage error", r.returncode == 2 and b"intervals" in r.stderr, r.stderr)
    # --from/--to against nfdump's listing of the same flows (start times, UTC, milliseconds).
    with open(sample("softflowd-v9.nfdump.txt")) as f:
        starts = [line[:23] for line in f if line[:1].isdigit()]
    want = sum(1 for t in starts if "2026-11-27 12:18:04.400" <= t < "2026-11-27 12:18:05.100")
    r = run("flows", "--format", "json", "--from", "2026-11-27T12:18:04.4Z", "--to", "2026-11-27 12:18:05.100", v9)
    check("--from/--to select flows by start", r.returncode == 0 and len(json_lines(r.stdout)) == want,
          (len(json_lines(r.stdout)), want))
    r = run("top", "--format", "json", "--from", "1700000000", v9)
    check("--from as epoch seconds", json_lines(r.stdout)[-1]["records"]["flows"] == 52, r.stdout[-200:])


def test_exporters_and_icmp():
    # Two exporters (softflowd and pmacct) saw the same traffic: each observation is a row, with
    # its exporter; --merge-exporters counts each connection once, listing both.
    for name in ("exporters-v9.pcap", "exporters-v5.pcap", "exporters-ipfix.pcap"):
        capture = os.path.join(SAMPLES, "cases", name)
        rows = json_lines(run("-n", "-p", "0", "-T", "json", capture).stdout)
        exporters = sorted({r["exporter"] for r in rows})
        check(f"{name}: two exporters", len(exporters) == 2, exporters)
        if len(exporters) != 2:
            continue
        each = [json_lines(run("-n", "-p", "0", "-T", "json", "-Y", f"exporter {e}", capture).stdout) for e in exporters]
        check(f"{name}: one row per exporter's observation", len(rows) == len(each[0]) + len(each[1]),
              (len(rows), [len(x) for x in each]))
        merged = json_lines(run("-n", "-p", "0", "-T", "json", "--merge-exporters", capture).stdout)
        check(f"{name}: --merge-exporters: each connection once", len(merged) == max(len(x) for x in each) and
              all(sorted(r.get("exporters", [])) == exporters for r in merged if len(r.get("exporters", [])) > 1) and
              any(len(r.get("exporters", [])) == 2 for r in merged), (len(merged), merged[:1]))
        biggest = max(sum(r["packets_to_server"] + r["packets_to_client"] for r in x) for x in each)
        check(f"{name}: --merge-exporters counts no packet twice",
              sum(r["packets_to_server"] + r["packets_to_client"] for r in merged) <= biggest, biggest)
        text = run("-n", "-p", "0", capture).stdout.decode().splitlines()
        check(f"{name}: the text table has an Exporter column", text[0].rstrip().endswith("Exporter"), text[0])
    # fprobe puts the ICMP type in the source port and the code in the destination port.
    rows = json_lines(run("-n", "-p", "0", "-T", "json", os.path.join(SAMPLES, "cases", "fprobe-v5-icmp.pcap")).stdout)
    icmp = {r["service"]: r for r in rows if r["protocol"] == 1}
    echo = icmp.get("echo-request", {})
    check("fprobe: the echo request and its replies are one connection, 4 + 4",
          echo.get("packets_to_server") == 4 and echo.get("packets_to_client") == 4 and
          echo.get("client") == "127.0.0.1" and echo.get("server") == "127.0.0.2", rows)
    check("fprobe: port unreachable named", "destination-unreachable" in icmp, sorted(icmp))
    # softflowd -b (RFC 5103 biflow): the replies in a record whose forward direction is empty
    # and whose type (0) describes no packet. The same traffic as softflowd-v9-icmp.pcap (one
    # record per direction, types exported): the same connections, but for the types of the
    # ICMP errors, which the biflow export does not carry.
    def icmp_rows(name):
        rows = json_lines(run("-n", "-p", "0", "-T", "json", os.path.join(SAMPLES, "cases", name)).stdout)
        return sorted((r["protocol"], r["client"], r["server"], r["packets_to_server"], r["packets_to_client"],
                       r["bytes_to_server"], r["bytes_to_client"]) for r in rows if r["protocol"] in (1, 58))
    biflow, uniflow = icmp_rows("softflowd-ipfix-biflow-icmp.pcap"), icmp_rows("softflowd-v9-icmp.pcap")
    check("softflowd -b ICMP: echo 4 + 4 each, errors from their sender: as the v9 export",
          biflow == uniflow and len(biflow) == 4 and (1, "127.0.0.1", "127.0.0.2", 4, 4, 336, 336) in biflow and
          (58, "2001:db8::1", "2001:db8::2", 4, 4, 416, 416) in biflow, (biflow, uniflow))


def test_records_without_flow_key():
    # PSAMP packet reports (tests/data/capture/make_psamp.py): records, but no connection.
    path = os.path.join(os.path.dirname(SAMPLES), "tests", "data", "capture", "psamp-packet-reports.pcap")
    r = run("-n", "-p", "0", path)
    text = r.stdout.decode()
    check("keyless records: the footer says they are in no connection", r.returncode == 0 and
          "1 of 1 connections shown" in text and "3 data records without a flow key" in text, text)
    r = run("-n", "-T", "json", path)
    check("keyless records: said on stderr beside JSON", len(json_lines(r.stdout)) == 1 and
          b"nfpcap: 3 data records without a flow key" in r.stderr, r.stderr)
    check("keyless records: flows shows them", len(json_lines(run("flows", "-T", "json", path).stdout)) == 4)


def report_summary(path):
    """The JSON summary `nfpcap report` embeds in the page (id nfpcap-summary)."""
    with open(path, encoding="utf-8") as f:
        page = f.read()
    start = page.index('id="nfpcap-summary">') + len('id="nfpcap-summary">')
    return json.loads(page[start:page.index("</script>", start)])


def test_report():
    v9 = sample("softflowd-v9.pcap")
    with open(v9, "rb") as f:
        r = run("report", "-n", "-", stdin=f)
    check("report of standard input without -o: usage error", r.returncode == 2 and b"-o FILE" in r.stderr, r.stderr)
    r = run("report", "-n", "-o", "/nonexistent/dir/r.html", v9)
    check("report: unwritable output exits 3 (output error) naming it",
          r.returncode == 3 and b"cannot write to /nonexistent/dir/r.html" in r.stderr,
          (r.returncode, r.stderr))
    with tempfile.TemporaryDirectory() as tmp:
        page = os.path.join(tmp, "r.html")
        r = run("report", "-n", "-o", page, v9)
        summary = report_summary(page)
        stats = json.loads(run("stats", "--format", "json", v9).stdout)
        connections = json_lines(run("-n", "-p", "0", "--format", "json", v9).stdout)
        check("report: exit 0, nothing on stderr", r.returncode == 0 and not r.stderr, r.stderr)
        check("report: records and datagrams as stats", summary["data_records"] == stats["data_records"] and
              summary["export_datagrams"] == stats["export_datagrams"], (summary, stats))
        check("report: connections as the connection table", summary["connections"] == len(connections),
              (summary["connections"], len(connections)))
        check("report: bytes of all connections",
              summary["bytes"] == sum(c["bytes_to_server"] + c["bytes_to_client"] for c in connections), summary)
        with open(page, encoding="utf-8") as f:
            html = f.read()
        check("report: titled by the capture", "<title>softflowd-v9.pcap" in html, html[:300])
        for section in ("summary", "timeline", "top-talkers", "services", "exporters", "connections", "templates"):
            check(f"report: section {section}", f'id="{section}"' in html, section)
        r = run("report", "-n", "-Y", "proto udp", "-o", page, v9)
        udp = [c for c in connections if c["protocol"] == 17]
        check("report -Y: only the selected flows", report_summary(page)["connections"] == len(udp) > 0,
              (report_summary(page)["connections"], len(udp)))
        r = subprocess.run([os.path.abspath(NFPCAP), "report", "-n", os.path.abspath(v9)], cwd=tmp,
                           capture_output=True, timeout=60)
        check("report: CAPTURE-report.html by default, said on stderr",
              r.returncode == 0 and os.path.exists(os.path.join(tmp, "softflowd-v9-report.html")) and
              r.stderr == b"nfpcap: wrote softflowd-v9-report.html\n", (r.returncode, r.stderr))
        two = (v9, sample("pmacct-nfprobe-v9.pcap"))
        r = run("report", "-n", "-g", "service", "-o", page, *two)
        with open(page, encoding="utf-8") as f:
            html = f.read()
        exporters = {s["exporter"] for s in json.loads(run("stats", "--format", "json", *two).stdout)["sessions"]}
        check("report: a timeline per exporter besides all together",
              len(exporters) == 2 and all(f">{e}<" in html for e in exporters) and "by service" in html, exporters)
        r = run("report", "-n", "-o", "-", v9)
        check("report -o -: the page on standard output", r.returncode == 0 and r.stdout.startswith(b"<!DOCTYPE html>"),
              r.stdout[:40])


def test_capture_options():
    cases = os.path.join(SAMPLES, "cases")
    v9 = sample("softflowd-v9.pcap")
    # -r FILE is a file argument (tcpdump's habit); repeatable, after positional files.
    plain = run("flows", "--format", "json", v9).stdout
    r = run("flows", "--format", "json", "-r", v9)
    check("-r FILE reads the file", r.returncode == 0 and r.stdout == plain and plain, r.stderr)
    r = run("-r", v9)
    check("-r FILE without a command runs connections", r.returncode == 0 and r.stdout, r.stderr)
    two = json_lines(run("flows", "--format", "json", v9, "-r", sample("softflowd-v5.pcap")).stdout)
    check("-r after FILE: read after it", two[0].get("file") == v9 and two[-1]["file"].endswith("softflowd-v5.pcap"),
          two[-1])
    r = run("stats", "--port", "2055", v9)
    check("a repeatable option takes one value: --port N FILE", r.returncode == 0, r.stderr)
    # -f EXPR: libpcap's filter on every frame; what it leaves out is counted.
    all_frames = json.loads(run("stats", "--format", "json", v9).stdout)
    none = json.loads(run("stats", "--format", "json", "-f", "udp port 9", v9).stdout)
    check("-f: frames left out are counted", none["filtered_frames"] == all_frames["frames"] and
          none["datagrams"] == 0, none)
    some = json.loads(run("stats", "--format", "json", "--capture-filter", "udp dst port 2055", v9).stdout)
    check("-f: matching frames decoded", some["data_records"] == all_frames["data_records"] and
          some["filtered_frames"] == 0, some)
    r = run("stats", "-f", "udp port", v9)
    check("-f: an expression libpcap refuses is a usage error", r.returncode == 2 and b"capture filter" in r.stderr,
          (r.returncode, r.stderr))
    # Nanosecond captures print nanosecond capture times.
    nsec = os.path.join(cases, "softflowd-ipfix-nsec.pcap")
    if os.path.exists(nsec):
        rec = json_lines(run("flows", "--format", "json", nsec).stdout)[0]
        check("nanosecond pcap: 9 digits", len(rec["time"].split(".")[1]) == 10, rec["time"])  # 9 digits and Z
        text = run("flows", nsec).stdout.decode().splitlines()[0].split()[1]
        check("nanosecond pcap: 9 digits in text", len(text.split(".")[1]) == 10, text)
    rec = json_lines(run("flows", "--format", "json", v9).stdout)[0]
    check("microsecond pcap: 6 digits", len(rec["time"].split(".")[1]) == 7, rec["time"])
    # IPFIX / v9 over TCP: the ground truth's records (samples/cases/manifest.tsv, flowtruth.py).
    with open(os.path.join(cases, "manifest.tsv")) as f:
        rows = [line.rstrip("\n").split("\t") for line in f]
    head = rows[0]
    for row in rows[1:]:
        m = dict(zip(head, row))
        if m["transport"] != "tcp":
            continue
        path = os.path.join(cases, m["file"])
        d = json.loads(run("stats", "--format", "json", path).stdout)
        check(f"{m['file']}: messages as the ground truth", d["stream_messages"] == int(m["messages"]),
              (d["stream_messages"], m["messages"]))
        check(f"{m['file']}: data records as the ground truth", d["data_records"] == int(m["data_records"]),
              (d["data_records"], m["data_records"]))
        check(f"{m['file']}: one TCP session", [s["transport"] for s in d["sessions"]] == ["tcp"], d["sessions"])
        check(f"{m['file']}: datagrams are the stream messages", d["datagrams"] == d["stream_messages"] +
              d["udp_datagrams"], d)
        # --tcp detect picks a connection on another port up at its first message: the
        # handshake before it is TCP not followed.
        check(f"{m['file']}: every frame a TCP segment", d["tcp_segments"] > 0 and
              d["tcp_segments"] + d["not_udp_packets"] == d["frames"], d)
        if "gap" in m["file"]:
            check(f"{m['file']}: the lost bytes counted", d["tcp_bytes_lost"] > 0 and d["stream_bytes_lost"] >=
                  d["tcp_bytes_lost"] and d["stream_resyncs"] >= 1, d)
        none = json.loads(run("stats", "--format", "json", "--tcp", "none", path).stdout)
        check(f"{m['file']}: --tcp none: not followed", none["datagrams"] == 0 and none["not_udp_packets"] ==
              none["frames"], none)
    text = run("stats", os.path.join(cases, "ipfix-tcp-split-gap.pcap")).stdout.decode()
    check("stats text: the TCP counters", "TCP segments followed" in text and "TCP stream messages" in text and
          "stream bytes lost" in text, text[:600])
    # Every frame accounted for, in every capture of the samples.
    for name in sorted(os.listdir(cases)):
        if ".pcap" not in name:
            continue
        d = json.loads(run("stats", "--format", "json", os.path.join(cases, name)).stdout)
        issues = sum(n for k, n in d["frame_issues"].items() if k != "fragment_dropped")
        accounted = (d["not_ip_frames"] + d["not_udp_packets"] + d["filtered_frames"] + issues + d["udp_fragments"] +
                     d["tcp_segments"] + d["udp_datagrams"] - d["reassembled_datagrams"])
        check(f"{name}: every frame accounted for", accounted == d["frames"], d)


def test_numeric_options():
    # Defect: --window 1e30 overflowed converting to an integer (undefined behaviour). Lengths of
    # time are checked when parsed: a usage error naming the range.
    v9 = sample("softflowd-v9.pcap")
    for args in (["connections", "--window", "1e30", v9], ["connections", "--window", "nan", v9],
                 ["connections", "--window", "inf", v9], ["connections", "--window", "-1", v9],
                 ["report", "-o", os.devnull, "--window", "1e30", v9], ["stats", "--duration", "1e30", v9],
                 ["stats", "--duration", "0", v9]):
        r = run(*args)
        check(f"{' '.join(args[:3])}: usage error naming the range",
              r.returncode == 2 and b"out of range" in r.stderr and b"Sanitizer" not in r.stderr, r.stderr)
    r = run("connections", "-T", "json", "--window", "9.2e9", v9)
    check("--window at its limit (292 years) works", r.returncode == 0 and json_lines(r.stdout), r.stderr)
    r = run("connections", "-T", "json", "--window", "0", v9)
    check("--window 0 works", r.returncode == 0 and json_lines(r.stdout), r.stderr)


def test_report_window_over_1000_intervals():
    # Found by fuzz_report: flows from 1970 to 2262 made the page's timeline 106,000 one-day
    # intervals, over its limit of 1000: `report` failed ("the window holds more than 1000
    # intervals", exit 1). The interval now grows with the range.
    hostile = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data", "hostile")
    with tempfile.TemporaryDirectory() as tmp:
        page = os.path.join(tmp, "r.html")
        r = run("report", "-n", "-o", page, os.path.join(hostile, "biflow_extremes.pcap"))
        check("report_window_over_1000_intervals: the page is written",
              r.returncode == 0 and os.path.getsize(page) > 0, r.stderr)


for test in (test_report_window_over_1000_intervals, test_numeric_options, test_min_packets_default_by_format, test_usage, test_habits, test_errors,
             test_flows_json, test_formats, test_stats_adds_up, test_stdin_and_pipes,
             test_port_selection, test_damaged_captures, test_statistics_and_filters, test_report,
             test_exporters_and_icmp, test_records_without_flow_key, test_capture_options, test_manual_synopsis):
    test()

sys.exit(outcome("test_cli"))
