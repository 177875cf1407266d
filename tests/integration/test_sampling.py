#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Sampling, options joined to records, NetFlow v7 and --ie-file on the real captures of
samples/cases, checked against samples/cases/groundtruth.json (made by tools/flowtruth.py, a
decoder independent of nfpcap) and, for v7, against tshark.

    tests/integration/test_sampling.py NFPCAP_BINARY SAMPLES_DIR

- stats: each sampling capture's session says the rate its exporter announced (v5 header, v9
  34/35, IPFIX PSAMP 305/306, pmacct's sampler options 48-50 in v9 and IPFIX) and how many data
  records were resolved from which source, at which interval.
- flows --join-options: every data record carries that rate and its source.
- connections --renormalize: the packets of all connections are the records' packets times the
  rate; without it, the records' packets.
- The pmacct captures without their options record (a fixture of the later frames): the records
  still name sampler 1, nothing describes it, so the rate is unknown, flagged, not scaled.
- fprobe's NetFlow v7 export: stats and records against the ground truth, and tshark.
- --ie-file names a field nothing else names; a bad file is a usage error naming FILE:LINE.
- RFC 5610: an exporter's in-band description names and types its enterprise element.
"""
import csv
import io
import json
import os
import shutil
import subprocess
import sys
import tempfile

from checks import check, fail, outcome

NFPCAP, SAMPLES = sys.argv[1], sys.argv[2]
CASES = os.path.join(SAMPLES, "cases")


def run(*args, check_rc=True):
    p = subprocess.run([NFPCAP, *args], capture_output=True, text=True, timeout=120)
    if check_rc and p.returncode != 0:
        fail(f"nfpcap {' '.join(args)}", f"exit {p.returncode}: {p.stderr.strip()}")
    return p


def json_lines(text):
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def case(name):
    return os.path.join(CASES, name)


TRUTH = json.load(open(case("groundtruth.json")))


def expected_rate(session):
    """The 1-in-N rate the ground truth's options values (or the v5 header) announce, how it is
    attributed (session-wide or by sampler) and the algorithm code nfpcap reports."""
    if session["version"] == 5:
        mode, interval = eval(session["sampling"][0])  # "(mode, interval)" as flowtruth writes it
        return interval, "header", mode
    (values,) = session["option_values"]
    if "sampler_interval" in values:
        return values["sampler_interval"], "sampler", values["sampler_mode"]
    if "sampling_interval" in values:
        return values["sampling_interval"], "session", values["sampling_algorithm"]
    interval, space = values["sampling_packet_interval"], values["sampling_packet_space"]
    return round((interval + space) / interval), "session", 100 + values["selector_algorithm"]


SAMPLING = ["softflowd-v5-sampling.pcap", "softflowd-v9-sampling.pcap", "softflowd-ipfix-sampling.pcap",
            "pmacct-nfprobe-v9-sampling.pcap", "pmacct-nfprobe-ipfix-sampling.pcap"]


def test_stats(name):
    (truth,) = TRUTH[name]["sessions"]
    interval, source, algorithm = expected_rate(truth)
    stats = json.loads(run("stats", "-T", "json", case(name)).stdout)
    (session,) = stats["sessions"]
    s = session["sampling"]
    where = f"stats {name}"
    if source == "session":
        check(f"{where}: announced rate", s["announced"] is not None and s["announced"]["interval"] == interval
              and s["announced"]["algorithm"] == algorithm, s["announced"])
    elif source == "sampler":
        sid = truth["option_values"][0]["sampler_id"]
        samplers = {x["id"]: x["rate"] for x in s["samplers"]}
        check(f"{where}: sampler {sid}", sid in samplers and samplers[sid]["interval"] == interval
              and samplers[sid]["algorithm"] == algorithm, s["samplers"])
    records = truth["data_records"]
    check(f"{where}: records resolved by {source}", s["records"][source] == records,
          f"{s['records']} (expected {records} by {source})")
    check(f"{where}: records by interval", s["records_by_interval"] == {str(interval): records},
          s["records_by_interval"])
    text = run("stats", case(name)).stdout
    check(f"{where}: text names the rate", f"1 in {interval}" in text and "Sampling" in text, text[-600:])


def test_join(name):
    (truth,) = TRUTH[name]["sessions"]
    interval, source, _ = expected_rate(truth)
    records = json_lines(run("flows", "-T", "json", "--join-options", case(name)).stdout)
    where = f"flows --join-options {name}"
    check(f"{where}: record count", len(records) == truth["data_records"], len(records))
    bad = [r for r in records if r.get("sampling_interval") != interval or r.get("sampling_source") != source]
    check(f"{where}: every record 1 in {interval} by {source}", not bad, bad[:1])
    # With a filter the options records are not printed, yet still joined.
    tcp = json_lines(run("flows", "-T", "json", "--join-options", "-Y", "proto tcp", case(name)).stdout)
    check(f"{where} -Y 'proto tcp'", tcp and len(tcp) < len(records) and all(
        r["sampling_interval"] == interval and r["sampling_source"] == source for r in tcp), tcp[:1])
    values = (truth.get("option_values") or [{}])[0]
    if "scope_interface" in values and "if_name" in values:
        # v9 options scoped to an interface: its name joins the records of that interface.
        ifindex, ifname = values["scope_interface"], values["if_name"]
        mine = [r for r in records if r.get("ingressInterface") == ifindex]
        check(f"{where}: interface {ifindex} named {ifname!r}", mine and all(
            r.get("ingress_interface_name") == ifname for r in mine), mine[:1])
    plain = json_lines(run("flows", "-T", "json", case(name)).stdout)
    check(f"{where}: keys only with --join-options", all("sampling_interval" not in r for r in plain))
    # text and CSV carry the same words
    text = run("flows", "--join-options", case(name)).stdout.splitlines()
    check(f"{where}: text", len(text) == len(records) and all(
        f"sampling_interval={interval} sampling_source={source}" in line for line in text), text[:1])
    rows = list(csv.DictReader(io.StringIO(run("flows", "-T", "csv", "--join-options", case(name)).stdout)))
    check(f"{where}: csv fields column", len(rows) == len(records) and all(
        f"sampling_interval={interval} sampling_source={source}" in row["fields"] for row in rows), rows[:1])


def connection_packets(name, *extra):
    rows = json_lines(run("connections", "-n", "-p", "0", "-T", "json", *extra, case(name)).stdout)
    return sum(r["packets_to_server"] + r["packets_to_client"] for r in rows)


def test_renormalize(name):
    (truth,) = TRUTH[name]["sessions"]
    interval, _, _ = expected_rate(truth)
    packets = truth["packets_in_records"]
    got = connection_packets(name)
    check(f"connections {name}: packets as exported", got == packets, f"{got} != {packets}")
    got = connection_packets(name, "--renormalize")
    check(f"connections --renormalize {name}: packets x{interval}", got == packets * interval,
          f"{got} != {packets} x {interval}")
    footer = run("connections", "-n", "-p", "0", case(name)).stdout
    check(f"connections {name}: footer names the rate", f"at 1 in {interval}" in footer, footer[-400:])


def test_unknown_rate(tmp, name):
    """pmacct sends its sampler options once, in the first datagram: the later datagrams alone
    (a fixture of frames 2-, templates rebuilt) name sampler 1 and nothing describes it."""
    (truth,) = TRUTH[name]["sessions"]
    fixture = os.path.join(tmp, name + ".hex")
    with open(fixture, "w") as f:
        f.write(run("hex", "--frames", "2-", case(name)).stdout)
    records = json_lines(run("decode", "-T", "json", "--join-options", "--file", fixture).stdout)
    where = f"{name} without its options record"
    check(f"{where}: records", 0 < len(records) < truth["data_records"], len(records))
    check(f"{where}: sampling unknown", all(r["sampling_interval"] is None and r["sampling_source"] == "unknown"
                                            for r in records), records[:1])
    pcap = os.path.join(tmp, name)
    run("hex", "--frames", "2-", "--pcap", pcap, case(name))
    stats = json.loads(run("stats", "-T", "json", pcap).stdout)
    (session,) = stats["sessions"]
    check(f"{where}: stats counts unknown", session["sampling"]["records"]["unknown"] == len(records),
          session["sampling"])
    out = run("connections", "-n", "-p", "0", "--renormalize", pcap).stdout
    check(f"{where}: footer flags them", f"{len(records)} flow records were sampled at a rate no options data"
          in out, out[-400:])
    check(f"{where}: connections marked ~", "~" in out, out[:400])
    rows = json_lines(run("connections", "-n", "-p", "0", "-T", "json", "--renormalize", pcap).stdout)
    exported = json_lines(run("connections", "-n", "-p", "0", "-T", "json", pcap).stdout)
    total = lambda rs: sum(r["packets_to_server"] + r["packets_to_client"] for r in rs)
    check(f"{where}: not scaled", total(rows) == total(exported), f"{total(rows)} != {total(exported)}")


def test_v7(tmp):
    name = "fprobe-v7-icmp.pcap"
    (truth,) = TRUTH[name]["sessions"]
    stats = json.loads(run("stats", "-T", "json", case(name)).stdout)
    (session,) = stats["sessions"]
    check("v7 stats: version and records", session["version"] == 7 and session["data_records"] == truth["data_records"],
          session)
    records = json_lines(run("flows", "-T", "json", case(name)).stdout)
    check("v7 records", len(records) == truth["data_records"], len(records))
    check("v7 packets", sum(r["packetDeltaCount"] for r in records) == truth["packets_in_records"],
          [r.get("packetDeltaCount") for r in records])
    check("v7 octets", sum(r["octetDeltaCount"] for r in records) == truth["octets_in_records"],
          [r.get("octetDeltaCount") for r in records])
    check("v7 fields", all("routerShortcut" in r and "exportFlags" in r and r["version"] == 7 for r in records),
          records[:1])
    if shutil.which("tshark") and shutil.which("text2pcap") and shutil.which("mergecap"):
        fixture = os.path.join(tmp, "fprobe-v7-icmp.hex")
        with open(fixture, "w") as f:
            f.write(run("hex", case(name)).stdout)
        script = os.path.join(os.path.dirname(os.path.abspath(__file__)), "compare_vendor.py")
        p = subprocess.run([sys.executable, script, NFPCAP, fixture], capture_output=True, text=True, timeout=300)
        check("v7 against tshark (compare_vendor)", p.returncode == 0 and "1 of 1 fixtures match" in p.stdout,
              p.stdout[-800:] + p.stderr[-400:])


def test_ie_file(tmp):
    # YAF's CERT element 6871.40 is named by neither tshark nor nfpcap's table.
    vendor = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data", "vendor", "yaf-ipfix-stml.hex")
    before = run("decode", "-T", "json", "--file", vendor).stdout
    check("ie-file: 6871.40 unnamed without it", '"6871.40"' in before, before[:200])
    defs = os.path.join(tmp, "mine.csv")
    with open(defs, "w") as f:
        f.write("pen,id,name,type\n# YAF\n6871,40,myYafField,octetArray\n")
    after = run("decode", "-T", "json", "--ie-file", defs, "--file", vendor).stdout
    check("ie-file: named", '"6871.40"' not in after and "myYafField" in after,
          [line for line in after.splitlines() if "yaf" in line.lower()][:1] or after[:300])
    check("ie-file: values unchanged", before.replace('"6871.40"', "").count("\n") == after.count("\n"))
    bad = os.path.join(tmp, "bad.csv")
    with open(bad, "w") as f:
        f.write("pen,id,name,type\n6871,40,myYafField,notAType\n")
    p = run("flows", "--ie-file", bad, case("fprobe-v7-icmp.pcap"), check_rc=False)
    check("ie-file: bad type is a usage error naming FILE:LINE", p.returncode == 2 and f"{bad}:2" in p.stderr,
          f"exit {p.returncode}: {p.stderr.strip()}")


def ipfix_type_information_message(describe):
    """One IPFIX message as RFC 5610 §3.9 describes it: a data template using enterprise element
    424242/100 (an enterprise nfpcap has no name for), then, when `describe`, an options
    template of type information (scope informationElementId 303 + privateEnterpriseNumber 346;
    informationElementDataType 339, informationElementSemantics 344, variable-length
    informationElementName 341) and its record, then a data record."""
    import struct

    def set_(set_id, body):
        return struct.pack("!HH", set_id, 4 + len(body)) + body

    template = set_(2, struct.pack("!HH", 257, 2) + struct.pack("!HH", 8, 4)
                    + struct.pack("!HHI", 0x8000 | 100, 4, 424242))
    name = b"exampleCounter"
    options_template = set_(3, struct.pack("!HHH", 256, 5, 2) + struct.pack("!HH", 303, 2)
                            + struct.pack("!HH", 346, 4) + struct.pack("!HH", 339, 1)
                            + struct.pack("!HH", 344, 1) + struct.pack("!HH", 341, 0xFFFF))
    # data type 3 = unsigned32, semantics 2 = totalCounter (RFC 5610 §3.1/§3.2)
    description = set_(256, struct.pack("!HIBB", 100, 424242, 3, 2) + bytes([len(name)]) + name)
    data = set_(257, bytes([10, 0, 0, 1]) + struct.pack("!I", 258))
    body = template + (options_template + description if describe else b"") + data
    header = struct.pack("!HHIII", 10, 16 + len(body), 1700000000, 0, 1)
    return (header + body).hex()


def test_type_information():
    plain = json_lines(run("decode", "-T", "json", ipfix_type_information_message(False)).stdout)
    check("RFC 5610: undescribed element as PEN.ID hex", len(plain) == 1 and plain[0].get("424242.100") == "00000102",
          plain)
    described = json_lines(run("decode", "-T", "json", ipfix_type_information_message(True)).stdout)
    check("RFC 5610: the description names and types the element, in a template sent before it",
          len(described) == 1 and described[0].get("424242:exampleCounter") == 258
          and described[0].get("sourceIPv4Address") == "10.0.0.1", described)


def main():
    for name in SAMPLING:
        test_stats(name)
        test_join(name)
        test_renormalize(name)
    with tempfile.TemporaryDirectory() as tmp:
        for name in ["pmacct-nfprobe-v9-sampling.pcap", "pmacct-nfprobe-ipfix-sampling.pcap"]:
            test_unknown_rate(tmp, name)
        test_v7(tmp)
        test_ie_file(tmp)
    test_type_information()
    return outcome("test_sampling")


if __name__ == "__main__":
    sys.exit(main())
