#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""IPFIX over SCTP in capture files (RFC 7011 §10.2) against tshark.

    tests/integration/test_sctp.py NFPCAP_BINARY CAPTURE_DATA_DIR

The fixtures (tests/data/capture/sctp-ipfix*.pcap, make_sctp_fixtures.py) carry the IPFIX
messages of samples/softflowd-ipfix.pcap as SCTP user messages. tshark (its IPFIX dissector on
SCTP port 4739, with SCTP reassembly on) decodes every data record; nfpcap must give the same
records: in the same order where the capture is in order, and the same multiset where it is
not (tshark decodes in capture order; nfpcap puts each stream in stream sequence order).
Exit 77 (skipped) without tshark.
"""
import ipaddress
import json
import os
import shutil
import subprocess
import sys

from checks import check, outcome

NFPCAP, DATA = (os.path.abspath(a) for a in sys.argv[1:3])

TSHARK = {"cflow.srcaddr": "src", "cflow.srcaddrv6": "src", "cflow.dstaddr": "dst", "cflow.dstaddrv6": "dst",
          "cflow.srcport": "sport", "cflow.dstport": "dport", "cflow.protocol": "proto", "cflow.octets": "octets",
          "cflow.packets": "packets"}
NFPCAP_KEYS = {"sourceIPv4Address": "src", "sourceIPv6Address": "src", "destinationIPv4Address": "dst",
               "destinationIPv6Address": "dst", "sourceTransportPort": "sport", "destinationTransportPort": "dport",
               "protocolIdentifier": "proto", "octetDeltaCount": "octets", "packetDeltaCount": "packets"}


def norm(field, value):
    if field in ("src", "dst"):
        return str(ipaddress.ip_address(value))
    return int(value)


def tshark_records(path):
    """(frame, record) for each data record tshark decodes (options data left out)."""
    r = subprocess.run(["tshark", "-r", path, "-o", "sctp.reassembly:TRUE", "-T", "json", "-Y", "cflow"],
                       capture_output=True, timeout=300, check=True)
    out = []
    for packet in json.loads(r.stdout or b"[]"):
        layers = packet["_source"]["layers"]
        frame = int(layers["frame"]["frame.number"])
        cflow = layers.get("cflow", {})
        options = {k.split(": ")[-1] for k in cflow if "(Options Template)" in k}
        for key, s in cflow.items():
            if not key.startswith("Set ") or not isinstance(s, dict):
                continue
            if s.get("cflow.flowset_id") in options or int(s.get("cflow.flowset_id", "0")) < 256:
                continue
            for fk, flow in s.items():
                if fk.startswith("Flow ") and isinstance(flow, dict):
                    out.append((frame, {TSHARK[k]: norm(TSHARK[k], v) for k, v in flow.items() if k in TSHARK}))
    return out


def nfpcap_records(path):
    r = subprocess.run([NFPCAP, "flows", "-T", "json", path], capture_output=True, timeout=300)
    out = []
    for line in r.stdout.decode().splitlines():
        rec = json.loads(line)
        out.append((rec["frame"], {NFPCAP_KEYS[k]: norm(NFPCAP_KEYS[k], v) for k, v in rec.items() if k in NFPCAP_KEYS}))
    return r, out


def stats(path):
    return json.loads(subprocess.run([NFPCAP, "stats", "-T", "json", path], capture_output=True, timeout=300).stdout)


def test_plain():
    path = os.path.join(DATA, "sctp-ipfix.pcap")
    want = tshark_records(path)
    r, got = nfpcap_records(path)
    check("plain: exit 0", r.returncode == 0, r.stderr)
    check("plain: tshark's records, in order, at its frames", len(want) > 0 and got == want, (len(got), len(want)))
    s = stats(path)
    check("plain: every message an SCTP user message",
          s["sctp_packets"] == 10 and s["sctp_messages"] == 3 and s["sctp_associations"] == 1 and
          s["datagrams"] == 3 and s["decoded_datagrams"] == 3, s)
    sessions = s.get("sessions", [])
    check("plain: one session, over SCTP", len(sessions) == 1 and sessions[0].get("transport") == "sctp", sessions)


def test_hard():
    path = os.path.join(DATA, "sctp-ipfix-hard.pcap")
    want = [w for w in tshark_records(path) if w[0] != 12]  # frame 12's chunk is longer than its packet
    r, got = nfpcap_records(path)
    key = lambda x: sorted(x[1].items())  # noqa: E731
    check("hard: tshark's records (fragments, reordering, a retransmission, two associations)",
          len(want) > 0 and sorted(map(key, got)) == sorted(map(key, want)), (len(got), len(want)))
    frames = []
    for frame, _ in got:
        if not frames or frames[-1] != frame:
            frames.append(frame)
    check("hard: message 2 (frame 9) before message 3 (frame 8), in stream order", frames == [7, 9, 8, 11], frames)
    s = stats(path)
    check("hard: counted", s["sctp_duplicates"] == 1 and s["sctp_out_of_order"] == 1 and
          s["sctp_associations"] == 2 and s["sctp_messages"] == 4 and s["frame_issues"]["sctp_invalid"] == 1 and
          s["sctp_packets"] + 1 == s["frames"], s)


def main():
    if shutil.which("tshark") is None:
        print("SKIP: tshark not installed")
        sys.exit(77)
    for t in (test_plain, test_hard):
        try:
            t()
        except Exception as e:  # one broken test should not hide the others
            check(t.__name__, False, repr(e))
    sys.exit(outcome("test_sctp"))


if __name__ == "__main__":
    main()
