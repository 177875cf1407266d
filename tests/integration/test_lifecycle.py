#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Templates over time and loss accounting, end to end, on the real captures of samples/cases/
against their ground truth (samples/cases/groundtruth.json, written by samples/tools/flowtruth.py,
a decoder of its own): data before its template decoded late and marked, --pending-limit,
--two-pass, --provenance, sequence numbers (lost / duplicates / reordered / restarts per session
in the version's unit) in `stats` JSON and text.

    tests/integration/test_lifecycle.py NFPCAP_BINARY CASES_DIR
"""
import json
import os
import subprocess
import sys

from checks import check, outcome

NFPCAP, CASES = sys.argv[1], sys.argv[2]

with open(os.path.join(CASES, "groundtruth.json")) as f:
    TRUTH = json.load(f)


def run(*args, input_bytes=None):
    return subprocess.run([NFPCAP, *args], input=input_bytes, capture_output=True, timeout=120)


def case(name):
    return os.path.join(CASES, name)


def json_lines(out):
    return [json.loads(line) for line in out.decode().splitlines() if line]


def stats(name, *options, input_bytes=None):
    r = run("stats", "--format", "json", *options, "-" if input_bytes is not None else case(name),
            input_bytes=input_bytes)
    check(f"{name} {' '.join(options)}: stats exit 0", r.returncode == 0, r.stderr[:300])
    return json.loads(r.stdout) if r.returncode == 0 else {"sessions": []}


def session_of(d, truth_session):
    """The nfpcap session of a ground-truth session (same exporter, collector, version)."""
    for s in d["sessions"]:
        if (s["exporter"] == truth_session["exporter"] and s["collector"] == truth_session["collector"]
                and s["version"] == truth_session["version"]):
            return s
    return None


def late_cases():
    for name, t in TRUTH.items():
        if any(s.get("records_before_template") for s in t.get("sessions", [])):
            yield name, t


def test_late_data():
    names = list(late_cases())
    check("the ground truth has captures with data before its template", len(names) >= 4, len(names))
    for name, t in names:
        # Everything: the records after the template, and the ones before it, decoded late.
        for options in ((), ("--no-two-pass",)):
            d = stats(name, *options)
            for ts in t["sessions"]:
                s = session_of(d, ts)
                label = f"{name} {' '.join(options)} {ts['exporter']}"
                if s is None:
                    check(f"{label}: session found", False, [x["exporter"] for x in d["sessions"]])
                    continue
                before = sum(ts["records_before_template"].values())
                sets_before = sum(ts["sets_before_template"].values())
                check(f"{label}: all data records", s["data_records"] == ts["data_records"] + before,
                      (s["data_records"], ts["data_records"], before))
                check(f"{label}: options records", s["options_records"] == ts.get("option_records", 0),
                      (s["options_records"], ts.get("option_records")))
                check(f"{label}: late records", s["late_data_records"] == before, (s["late_data_records"], before))
                check(f"{label}: late sets", s["late_sets"] == sets_before, (s["late_sets"], sets_before))
                check(f"{label}: nothing without a template", s["missing_template_sets"] == 0,
                      s["missing_template_sets"])
                # The capture starts after the exporter's first message: that is no loss.
                check(f"{label}: no sequence loss", s["sequence"] == {"lost": 0, "duplicates": 0, "reordered": 0,
                                                                      "restarts": 0}, s["sequence"])
            # A v9 header's count cannot be checked against sets that wait for their template.
            check(f"{name} {' '.join(options)}: no count_mismatch", d["reasons"]["count_mismatch"] == 0,
                  d["reasons"]["count_mismatch"])
            check(f"{name} {' '.join(options)}: datagrams all decoded",
                  d["decoded_datagrams"] == d["export_datagrams"], (d["decoded_datagrams"], d["export_datagrams"]))

        # As a live collector: nothing kept, the sets before the template are missing_template.
        d = stats(name, "--pending-limit", "0")
        for ts in t["sessions"]:
            s = session_of(d, ts) or {}
            sets_before = sum(ts["sets_before_template"].values())
            check(f"{name} --pending-limit 0: only records after the template",
                  s.get("data_records") == ts["data_records"], (s.get("data_records"), ts["data_records"]))
            check(f"{name} --pending-limit 0: sets without template", s.get("missing_template_sets") == sets_before,
                  (s.get("missing_template_sets"), sets_before))
            check(f"{name} --pending-limit 0: none late", s.get("late_data_records") == 0, s.get("late_data_records"))

        # A buffer too small for the late data: the first pass learns the templates instead.
        d = stats(name, "--pending-limit", "1K")
        total = sum(ts["data_records"] + sum(ts["records_before_template"].values()) for ts in t["sessions"])
        check(f"{name} --pending-limit 1K: the first pass decodes them all", d["data_records"] == total,
              (d["data_records"], total))
        check(f"{name} --pending-limit 1K: none dropped", d["reasons"]["pending_limit"] == 0, d["reasons"])
        # Without the first pass, what did not fit is dropped and counted, and every set is accounted.
        d = stats(name, "--pending-limit", "1K", "--no-two-pass")
        sets = sum(sum(ts["sets_before_template"].values()) for ts in t["sessions"])
        dropped = d["reasons"]["pending_limit"]
        check(f"{name} --pending-limit 1K --no-two-pass: some dropped", 0 < dropped < sets, (dropped, sets))
        check(f"{name} --pending-limit 1K --no-two-pass: every set kept, dropped or missing",
              d["late_sets"] + dropped + d["missing_template_sets"] == sets,
              (d["late_sets"], dropped, d["missing_template_sets"], sets))
        check(f"{name} --pending-limit 1K --no-two-pass: datagrams with dropped sets are partial",
              d["partial_datagrams"] > 0, d["partial_datagrams"])

        # Standard input is read once (no first pass): the default buffer holds it all.
        with open(case(name), "rb") as f:
            d = stats(name, input_bytes=f.read())
        check(f"{name} from stdin: all data records", d["data_records"] == total, (d["data_records"], total))

        # The records: late ones marked, with their own frame and the frame of their template.
        r = run("flows", "--format", "json", case(name))
        records = json_lines(r.stdout)
        late = [x for x in records if x.get("late") is True]
        for ts in t["sessions"]:
            mine = [x for x in late if x["exporter"] == ts["exporter"]]
            by_template = {}
            for x in mine:
                by_template[str(x["template"])] = by_template.get(str(x["template"]), 0) + 1
            check(f"{name}: late records per template", by_template == ts["records_before_template"],
                  (by_template, ts["records_before_template"]))
            frames = sorted({x["frame"] for x in mine})
            check(f"{name}: late records keep their own frames", frames == ts["frames_with_data_before_template"],
                  frames)
            check(f"{name}: late records name a later template frame",
                  all(x["template_frame"] >= ts["first_template_frame"] > x["frame"] for x in mine),
                  [(x["frame"], x.get("template_frame")) for x in mine[:5]])
        check(f"{name}: on-time records carry no template_frame without --provenance",
              all("template_frame" not in x for x in records if "late" not in x), "")
        for fmt, marker in (("text", " late template_frame="), ("csv", ",true,")):
            out = run("flows", "--format", fmt, case(name)).stdout.decode()
            check(f"{name}: {fmt} marks late records", out.count(marker) == len(late), (out.count(marker), len(late)))


def test_provenance():
    for name in ("softflowd-v9-restart.pcap", "pmacct-nfprobe-ipfix-late-start.pcap", "exporters-ipfix.pcap"):
        records = json_lines(run("flows", "--format", "json", "--provenance", case(name)).stdout)
        templates = json_lines(run("templates", "--format", "json", case(name)).stdout)
        defined = {(x["exporter"], x["template"], x["frame"]) for x in templates if "fields" in x}
        check(f"{name} --provenance: every record names its template's frame",
              records and all("template_frame" in x for x in records), records[:1])
        check(f"{name} --provenance: that frame defined the template",
              all((x["exporter"], x["template"], x["template_frame"]) in defined for x in records),
              [x for x in records if (x["exporter"], x["template"], x["template_frame"]) not in defined][:2])
        check(f"{name} --provenance: the template came before, unless the record is late",
              all(x["template_frame"] <= x["frame"] or x.get("late") for x in records), "")
        # `templates` counts each definition's records, late ones apart.
        data = [x for x in templates if x.get("kind") == "data"]
        check(f"{name}: templates counts every record", sum(x["records"] for x in data) == len(records),
              (sum(x["records"] for x in data), len(records)))
        check(f"{name}: templates counts the late ones", sum(x["late_records"] for x in data)
              == sum(1 for x in records if x.get("late")), [x["late_records"] for x in data])


def test_sequence():
    for name, t in sorted(TRUTH.items()):
        if not t.get("sessions") or not name.endswith((".pcap", ".pcapng", ".gz", ".zst")):
            continue
        r = run("stats", "--format", "json", case(name))
        d = json.loads(r.stdout) if r.returncode == 0 else None
        if d is None or (t.get("transport") == "tcp" and not d["sessions"]):
            # Inputs this build cannot read yet (TCP streams, compressed files, pcapng with
            # several link types): checked here as soon as it can.
            check(f"{name}: a read error names its cause", r.returncode != 0 or t.get("transport") == "tcp",
                  r.stderr[:200])
            print(f"note: {name}: not read by this build ({r.stderr.decode().strip()[:120] or 'no TCP sessions'})")
            continue
        expected = t.get("expected")
        for ts in t["sessions"]:
            s = session_of(d, ts)
            if s is None:
                check(f"{name} {ts['exporter']}: session found", False, [x["exporter"] for x in d["sessions"]])
                continue
            q = s["sequence"]
            if expected:
                # Edited copies: lost in the version's unit, duplicates and reordered in datagrams.
                want = {"lost": expected["lost"], "duplicates": expected["messages_duplicated"],
                        "reordered": expected["messages_reordered"], "restarts": 0}
                check(f"{name}: unit", s["sequence_unit"] == expected["unit"], (s["sequence_unit"], expected["unit"]))
            elif t.get("tcp_holes"):
                # A message lost in a hole of the TCP stream: its records, by the next number.
                lost = sum(a["by"] for a in ts["sequence_check"]["ahead"])
                want = {"lost": lost, "duplicates": 0, "reordered": 0, "restarts": 0}
            elif name.endswith("-restart.pcap"):
                # One exporter restarted once from the same port: one restart, nothing lost.
                want = {"lost": 0, "duplicates": 0, "reordered": 0, "restarts": 1}
                check(f"{name}: one session", len(d["sessions"]) == 1, len(d["sessions"]))
            elif name == "softflowd-v9-lo-and-any.pcapng":
                # dumpcap -i lo -i any: every datagram twice, the second copies later in the file.
                want = {"lost": 0, "duplicates": ts["messages"] // 2, "reordered": 0, "restarts": 0}
            else:
                # Exporters as they are (softflowd's IPFIX numbers count the message's own
                # records, fprobe's uptime steps back): nothing lost, duplicated or restarted.
                want = {"lost": 0, "duplicates": 0, "reordered": 0, "restarts": 0}
            check(f"{name} {ts['exporter']}: sequence {want}", q == want, q)

    # The words of the text output.
    for name, words in (("softflowd-v5-live-gap.pcap", "13 flows lost"),
                        ("pmacct-nfprobe-v9-gap.pcap", "2 export packets lost"),
                        ("pmacct-nfprobe-ipfix-gap.pcap", "13 data records lost"),
                        ("pmacct-nfprobe-ipfix-dup.pcap", "1 datagram duplicated"),
                        ("softflowd-v5-live-reorder.pcap", "1 datagram reordered"),
                        ("softflowd-v9-restart.pcap", "1 exporter restart")):
        out = run("stats", case(name)).stdout.decode()
        check(f"{name}: stats text says '{words}'", words in out, out[-600:])

    # A restart: data after it is decoded with the new incarnation's templates, nothing is lost.
    for name in ("softflowd-v9-restart.pcap", "softflowd-ipfix-restart.pcap"):
        ts = TRUTH[name]["sessions"][0]
        d = stats(name)
        s = d["sessions"][0] if d["sessions"] else {}
        check(f"{name}: all records", s.get("data_records") == ts["data_records"]
              and s.get("options_records") == ts["option_records"], (s.get("data_records"), ts["data_records"]))
        check(f"{name}: none with the old template", s.get("previous_template_records") == 0, s)
        # `templates` says which definitions came after the restart: those of the restart's frame.
        restart_frame = ts["sequence_check"]["behind"][0]["frame"]
        defs = json_lines(run("templates", "--format", "json", case(name)).stdout)
        after = {x["frame"] for x in defs if x.get("after_restart")}
        check(f"{name}: templates after the restart", after == {restart_frame}, (after, restart_frame))
        check(f"{name}: each template defined before and after it",
              sum(1 for x in defs if x.get("after_restart")) * 2 == len(defs), len(defs))


def test_decode_fixtures():
    # IPFIX messages as hex (decode reads them as UDP datagrams of one exporter): a template
    # (256: source and destination IPv4 address), its withdrawal, data.
    template = "000a0020650000000000000000000000000200100100000200080004000c0004"
    withdrawal = "000a00186500000100000000000000000002000801000000"
    data = "000a001c6500000200000000000000000100000c0a0000010a000002"
    r = run("decode", "-T", "json", template, withdrawal, data)
    records = json_lines(r.stdout)
    check("decode: over UDP a withdrawal is ignored (RFC 7011 8.4): the data after it decodes",
          r.returncode == 0 and len(records) == 1 and records[0]["sourceIPv4Address"] == "10.0.0.1", r)
    # Data first, its template next: decoded late, with its own frame and the template's.
    r = run("decode", "-T", "json", data, template)
    records = json_lines(r.stdout)
    check("decode: data before its template is decoded late",
          len(records) == 1 and records[0]["frame"] == 1 and records[0].get("late") is True
          and records[0].get("template_frame") == 2, records)
    r = run("decode", "-T", "json", "--pending-limit", "0", data, template)
    check("decode --pending-limit 0: lost, and said so", not json_lines(r.stdout) and b"missing_template" in r.stderr,
          r)
    r = run("decode", "-T", "json", data)
    check("decode: a template that never comes is missing_template, reported at the end",
          not json_lines(r.stdout) and b"frame 1: warning" in r.stderr and b"missing_template" in r.stderr, r.stderr)


for test in (test_late_data, test_provenance, test_sequence, test_decode_fixtures):
    test()

sys.exit(outcome("test_lifecycle"))
