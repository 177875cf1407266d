#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Write manifest.tsv and groundtruth.json of the second set of samples (samples/cases/).

  groundtruth.py CASES_DIR

manifest.tsv: one line per capture with tshark's counts (tools/tshark-count.py) next to
tools/flowtruth.py's, the file format and link types; TCP captures get a second line with
tcp.reassemble_out_of_order (transport "tcp+ooo"), captures with data tshark found no template
for a second line with tshark -2 (transport "udp+2pass").

groundtruth.json: per capture, flowtruth's per-session summary; for captures made from a
recorded traffic file, each exporter's records against that traffic's 5-tuples; for edited
copies, what was edited and the counts a correct analyzer must report, in each version's unit
(v5/v7: flows, v9: export packets, IPFIX: data records).
"""
import json
import os
import subprocess
import sys
from collections import OrderedDict

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import flowtruth  # noqa: E402

# file, transport, ports, traffic capture the exporter saw (or None), short description
FILES = [
    ("softflowd-v9-late-start.pcap", "udp", "2055", None, "softflowd v9 live, capture starts after its first (template) message"),
    ("softflowd-ipfix-late-start.pcap", "udp", "4739", None, "softflowd IPFIX live, capture starts after its first message"),
    ("pmacct-nfprobe-v9-late-start.pcap", "udp", "2100", None, "pmacct v9 live, capture starts after its first message"),
    ("pmacct-nfprobe-ipfix-late-start.pcap", "udp", "4739", None, "pmacct IPFIX live, capture starts after its first message"),
    ("softflowd-v5-sampling.pcap", "udp", "2055", None, "softflowd v5 -s 4: header sampling mode 1, interval 4"),
    ("softflowd-v9-sampling.pcap", "udp", "2055", None, "softflowd v9 -s 4: options SAMPLING_INTERVAL 4 / ALGORITHM 1"),
    ("softflowd-ipfix-sampling.pcap", "udp", "4739", None, "softflowd IPFIX -s 4: options samplingPacketInterval 1 / Space 3"),
    ("pmacct-nfprobe-v9-sampling.pcap", "udp", "2100", None, "pmacct v9 sampling_rate 4: FLOW_SAMPLER_ID/MODE/INTERVAL options"),
    ("pmacct-nfprobe-ipfix-sampling.pcap", "udp", "4739", None, "pmacct IPFIX sampling_rate 4: samplerId/Mode/RandomInterval options"),
    ("softflowd-v5-restart.pcap", "udp", "2055", None, "softflowd v5 live, killed and restarted from the same port"),
    ("softflowd-v9-restart.pcap", "udp", "2055", None, "softflowd v9 live, killed and restarted from the same port"),
    ("softflowd-ipfix-restart.pcap", "udp", "4739", None, "softflowd IPFIX live, killed and restarted from the same port"),
    ("softflowd-v5-live.pcap", "udp", "2055", None, "softflowd v5 live, 8 datagrams (base of the v5 edits)"),
    ("softflowd-v5-live-gap.pcap", "udp", "2055", None, "softflowd-v5-live.pcap without frames 3 and 6"),
    ("softflowd-v5-live-dup.pcap", "udp", "2055", None, "softflowd-v5-live.pcap with frame 4 twice"),
    ("softflowd-v5-live-reorder.pcap", "udp", "2055", None, "softflowd-v5-live.pcap with frames 5 and 6 swapped"),
    ("pmacct-nfprobe-v9-gap.pcap", "udp", "2100", None, "pmacct-nfprobe-v9.pcap without frames 3 and 6"),
    ("pmacct-nfprobe-v9-dup.pcap", "udp", "2100", None, "pmacct-nfprobe-v9.pcap with frame 4 twice"),
    ("pmacct-nfprobe-v9-reorder.pcap", "udp", "2100", None, "pmacct-nfprobe-v9.pcap with frames 5 and 6 swapped"),
    ("pmacct-nfprobe-ipfix-gap.pcap", "udp", "4739", None, "pmacct-nfprobe-ipfix.pcap without frames 3 and 6"),
    ("pmacct-nfprobe-ipfix-dup.pcap", "udp", "4739", None, "pmacct-nfprobe-ipfix.pcap with frame 4 twice"),
    ("pmacct-nfprobe-ipfix-reorder.pcap", "udp", "4739", None, "pmacct-nfprobe-ipfix.pcap with frames 5 and 6 swapped"),
    ("exporters-v5.pcap", "udp", "2055", "../traffic-lo.pcap", "softflowd v5 and pmacct v5 (engine 1/5), same traffic"),
    ("exporters-v9.pcap", "udp", "2055", "../traffic-lo.pcap", "softflowd v9 and pmacct v9, same traffic, same template ids"),
    ("exporters-ipfix.pcap", "udp", "4739", "../traffic-lo.pcap", "softflowd IPFIX and pmacct IPFIX (domain 7), same traffic"),
    ("exporters-netns-v9.pcap", "udp", "2055", "traffic-netns.pcap", "two softflowd on the two ends of a veth link"),
    ("fprobe-v5-icmp.pcap", "udp", "9996", "traffic-icmp.pcap", "fprobe v5 live: ICMP echo and port unreachable"),
    ("fprobe-v7-icmp.pcap", "udp", "9997", "traffic-icmp.pcap", "fprobe v7 live: the same"),
    ("softflowd-v9-icmp.pcap", "udp", "2055", "traffic-icmp.pcap", "softflowd v9: ICMP and ICMPv6 echo, unreachables"),
    ("softflowd-ipfix-biflow-icmp.pcap", "udp", "4739", "traffic-icmp.pcap", "softflowd IPFIX -b (biflow): the same"),
    ("softflowd-v9-active-timeout.pcap", "udp", "2055", "traffic-long.pcap", "softflowd v9, maxlife 10 s, one 45 s TCP connection"),
    ("pmacct-nfprobe-ipfix-active-timeout.pcap", "udp", "4739", "traffic-long.pcap", "pmacct IPFIX, maxlife 10 s, the same connection"),
    ("fprobe-v5-active-timeout.pcap", "udp", "9996", "traffic-long.pcap", "fprobe v5, active timer 10 s, the same connection"),
    ("softflowd-ipfix-tcp.pcap", "tcp", "4739", "../traffic-lo.pcap", "softflowd IPFIX over TCP (-P tcp)"),
    ("softflowd-v9-tcp.pcap", "tcp", "2055", "../traffic-lo.pcap", "softflowd NetFlow v9 over TCP (-P tcp)"),
    ("ipfix-tcp-split.pcap", "tcp", "4739", "../traffic-lo.pcap", "pmacct's 9 IPFIX messages over TCP, split across 10 segments"),
    ("ipfix-tcp-split-gap.pcap", "tcp", "4739", None, "ipfix-tcp-split.pcap without its 4th data segment"),
    ("ipfix-tcp-split-retrans.pcap", "tcp", "4739", "../traffic-lo.pcap", "ipfix-tcp-split.pcap with its 5th data segment twice"),
    ("ipfix-tcp-split-reorder.pcap", "tcp", "4739", "../traffic-lo.pcap", "ipfix-tcp-split.pcap with data segments 6 and 7 swapped"),
    ("softflowd-ipfix-nsec.pcap", "udp", "4739", "../traffic-lo.pcap", "nanosecond pcap (tcpdump --time-stamp-precision=nano)"),
    ("softflowd-ipfix-nsec.pcapng", "udp", "4739", "../traffic-lo.pcap", "the same converted by editcap -F pcapng: if_tsresol 9"),
    ("softflowd-v9-lo-and-any.pcapng", "udp", "2055", None, "dumpcap -i lo -i any: each datagram on two interfaces"),
    ("mixed-linktypes-v9.pcapng", "udp", "2055,2100", None, "mergecap of an Ethernet and an SLL2 capture: two IDBs"),
    ("softflowd-v9.pcap.gz", "udp", "2055", "../traffic-lo.pcap", "gzip -n of softflowd-v9.pcap"),
    ("softflowd-v9.pcap.zst", "udp", "2055", "../traffic-lo.pcap", "zstd -19 of softflowd-v9.pcap"),
    ("softflowd-ipfix-realistic.pcap", "udp", "4739", "traffic-realistic.pcap", "softflowd IPFIX live, 3 minutes of varied traffic"),
]
TRAFFIC = ["traffic-icmp.pcap", "traffic-long.pcap", "traffic-netns.pcap", "traffic-realistic.pcap"]

# edited copies: name -> (base, operations as given to pcapedit.py)
EDITS = {}
for base in ("softflowd-v5-live.pcap", "../pmacct-nfprobe-v9.pcap", "../pmacct-nfprobe-ipfix.pcap"):
    name = os.path.basename(base)[:-5]
    EDITS[f"{name}-gap.pcap"] = (base, ["del:3", "del:6"])
    EDITS[f"{name}-dup.pcap"] = (base, ["dup:4"])
    EDITS[f"{name}-reorder.pcap"] = (base, ["swap:5,6"])


def tshark_counts(path, transport, ports, ooo=False, two_pass=False):
    cmd = ["python3", os.path.join(os.path.dirname(__file__), "tshark-count.py"), path, transport, ports]
    if ooo:
        cmd.append("--out-of-order")
    if two_pass:
        cmd.append("--two-pass")
    f = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout.rstrip("\n").split("\t")
    keys = ["frames", "pdus", "versions", "data", "options", "templates", "option_templates", "sets_without_template",
            "expert_frames"]
    d = OrderedDict(zip(keys, f[3:12]))
    for k in keys:
        if k != "versions":
            d[k] = int(d[k])
    d["command"] = f[12]
    return d


def unit_of(version):
    return {5: "flows", 7: "flows", 9: "export packets", 10: "data records"}[version]


def per_message(path, ports):
    """[(frame, version, seq, records in the version's unit)] of the single session in path."""
    sessions, _ = flowtruth.analyze(path, ports)
    (s,) = sessions.values()
    ver = s.key[3]
    out = []
    for frame, seq, n, _u in s.seqs:
        out.append((frame, ver, seq, n))
    return out


def edit_truth(samples, name):
    base, ops = EDITS[name]
    (ports,) = [p for f, _t, p, _tr, _d in FILES if f == name]
    msgs = per_message(os.path.join(samples, base), {int(x) for x in ports.split(",")})
    ver = msgs[0][1]
    by_frame = {m[0]: m for m in msgs}
    truth = OrderedDict(base=base, operations=ops, unit=unit_of(ver), lost=0, duplicated=0, reordered=0,
                        messages_lost=0, messages_duplicated=0, messages_reordered=0, detail=[])
    for op in ops:
        kind, arg = op.split(":")
        if kind == "del":
            _f, _v, seq, n = by_frame[int(arg)]
            truth["lost"] += n
            truth["messages_lost"] += 1
            truth["detail"].append(f"frame {arg} (sequence {seq}, {n} {unit_of(ver)}) deleted: lost")
        elif kind == "dup":
            _f, _v, seq, n = by_frame[int(arg)]
            truth["duplicated"] += n
            truth["messages_duplicated"] += 1
            truth["detail"].append(f"frame {arg} (sequence {seq}, {n} {unit_of(ver)}) written twice: "
                                   f"the copy is frame {int(arg) + 1}")
        elif kind == "swap":
            a, b = (int(x) for x in arg.split(","))
            _f, _v, seq, n = by_frame[a]
            _f2, _v2, seq2, _n2 = by_frame[b]
            truth["reordered"] += n
            truth["messages_reordered"] += 1
            truth["detail"].append(f"frames {a} and {b} swapped: sequence {seq} ({n} {unit_of(ver)}) arrives "
                                   f"after sequence {seq2}; nothing is lost or duplicated")
    truth["base_messages"] = len(msgs)
    return truth


def main():
    samples = sys.argv[1]
    rows = []
    truth = OrderedDict()
    for name, transport, ports, traffic, what in FILES:
        path = os.path.join(samples, name)
        if not os.path.exists(path):
            print(f"groundtruth: missing {name}", file=sys.stderr)
            continue
        portset = {int(p) for p in ports.split(",")}
        sessions, holes = flowtruth.analyze(path, portset)
        summ = [flowtruth.session_summary(s) for s in sessions.values()]
        fmt, lts = flowtruth.capture_info(path)
        entry = OrderedDict(description=what, transport=transport, ports=ports, format=fmt, link_types=lts,
                            bytes=os.path.getsize(path))
        ts = tshark_counts(path, transport, ports)
        entry["tshark"] = ts
        if transport == "tcp":
            entry["tshark_out_of_order"] = tshark_counts(path, transport, ports, ooo=True)
        if ts["sets_without_template"]:
            # tshark -2: the second pass knows the templates of the whole file
            entry["tshark_two_pass"] = tshark_counts(path, transport, ports, two_pass=True)
        entry["sessions"] = summ
        if holes:
            entry["tcp_holes"] = [{k: v for k, v in h.items() if k not in ("payload", "frame", "ts")} for h in holes]
        if traffic:
            entry["traffic"] = traffic
            entry["vs_traffic"] = flowtruth.compare(os.path.join(samples, traffic), path, portset)
        if name in EDITS:
            entry["expected"] = edit_truth(samples, name)
        truth[name] = entry
        ft = OrderedDict(sessions=len(summ), messages=sum(s["messages"] for s in summ),
                         data=sum(s["data_records"] for s in summ),
                         options=sum(s.get("option_records", 0) for s in summ),
                         before_template=sum(sum(s.get("records_before_template", {}).values()) for s in summ))
        extra = [("+ooo", entry["tshark_out_of_order"])] if transport == "tcp" else []
        if "tshark_two_pass" in entry:
            extra.append(("+2pass", entry["tshark_two_pass"]))
        for label, t in [("", ts)] + extra:
            rows.append([name, transport + label, ports, t["frames"], t["pdus"], t["versions"], t["data"], t["options"],
                         t["templates"], t["option_templates"], t["sets_without_template"], t["expert_frames"],
                         ft["sessions"], ft["messages"], ft["data"], ft["options"], ft["before_template"], fmt, lts,
                         entry["bytes"], t["command"]])
    for name in TRAFFIC:
        path = os.path.join(samples, name)
        if not os.path.exists(path):
            continue
        fmt, lts = flowtruth.capture_info(path)
        frames = sum(1 for _ in flowtruth.read_capture(path))
        flows = flowtruth.traffic_flows(path)
        truth[name] = OrderedDict(description="traffic the exporters saw", format=fmt, link_types=lts, frames=frames,
                                  unidirectional_flows=len(flows), bytes=os.path.getsize(path))
        rows.append([name, "-", "-", frames] + ["-"] * 13 + [fmt, lts, os.path.getsize(path), "-"])
    header = ["file", "transport", "ports", "frames", "tshark_pdus", "versions", "tshark_data_records",
              "tshark_option_records", "tshark_templates", "tshark_option_templates", "tshark_sets_without_template",
              "tshark_expert_frames", "sessions", "messages", "data_records", "option_records",
              "records_before_template", "file_format", "link_types", "bytes", "tshark_command"]
    with open(os.path.join(samples, "manifest.tsv"), "w") as f:
        f.write("\t".join(header) + "\n")
        for r in rows:
            f.write("\t".join(str(x) for x in r) + "\n")
    with open(os.path.join(samples, "groundtruth.json"), "w") as f:
        json.dump(truth, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
