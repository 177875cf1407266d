#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""What the reference decoder (tshark) makes of an export capture.

  tshark-count.py FILE udp|tcp PORT[,PORT...] [--two-pass] [--out-of-order]

Runs `tshark -r FILE -d udp.port==PORT,cflow ... -V` (for tcp also
`-o tcp.desegment_tcp_streams:TRUE -d tcp.port==PORT,cflow`, and with --out-of-order
`-o tcp.reassemble_out_of_order:TRUE`) and counts, from the packet tree:

  frames          frames in the file
  pdus            NetFlow/IPFIX messages tshark dissected ("Cisco NetFlow/IPFIX" trees)
  versions        export versions seen
  data            data records in data (flow)sets that tshark decoded (v1/v5/v7: "pdu i/n")
  options         options data records (sets whose id tshark saw as an options template)
  templates       template records / options template records
  no_template     data (flow)sets tshark could not decode: "Data (N bytes), no template found"
  expert          frames with any expert item or a malformed mark

Prints one tab-separated line: file, transport, ports, the counts above, and the command.
"""
import re
import subprocess
import sys


def main():
    path, transport, ports = sys.argv[1], sys.argv[2], sys.argv[3].split(",")
    two_pass = "--two-pass" in sys.argv[4:]
    ooo = "--out-of-order" in sys.argv[4:]
    cmd = ["tshark", "-r", path]
    if two_pass:
        cmd.append("-2")
    if transport == "tcp":
        cmd += ["-o", "tcp.desegment_tcp_streams:TRUE"]
        if ooo:
            cmd += ["-o", "tcp.reassemble_out_of_order:TRUE"]
    for p in ports:
        cmd += ["-d", f"{transport}.port=={p},cflow"]
    out = subprocess.run(cmd + ["-V"], capture_output=True, text=True, check=True).stdout
    frames = pdus = data = opts = templates = opt_templates = no_template = 0
    versions = set()
    opt_ids = set()
    in_cflow = cur_opt = False
    for line in out.splitlines():
        if line.startswith("Frame "):
            frames += 1
            in_cflow = False
            continue
        if line.startswith("Cisco NetFlow/IPFIX"):
            in_cflow = True
            pdus += 1
            continue
        if not in_cflow:
            continue
        m = re.match(r"    Version: (\d+)$", line)
        if m:
            versions.add(int(m.group(1)))
            continue
        m = re.match(r"    (?:Flow)?Set \d+ \[id=\d+\] \((Options )?(?:Data )?Template\): ([\d,]+)", line)
        if m:
            ids = m.group(2).split(",")
            if m.group(1):
                opt_templates += len(ids)
                opt_ids.update(ids)
            else:
                templates += len(ids)
            continue
        m = re.match(r"    (?:Flow)?Set \d+ \[id=(\d+)\]", line)
        if m:
            cur_opt = m.group(1) in opt_ids
            continue
        if re.match(r"        Flow \d+$", line):
            if cur_opt:
                opts += 1
            else:
                data += 1
            continue
        if re.match(r"    pdu \d+/\d+$", line):
            data += 1
            continue
        if re.match(r"        Data \(\d+ bytes\), no template found$", line):
            no_template += 1
    ecmd = cmd + ["-Y", "_ws.malformed or _ws.expert"]
    bad = subprocess.run(ecmd, capture_output=True, text=True).stdout.strip()
    expert = len(bad.splitlines()) if bad else 0
    shown = " ".join(["tshark", "-r", path.split("/")[-1]] + cmd[3:] + ["-V"])
    print("\t".join(str(x) for x in [path.split("/")[-1], transport, ",".join(ports), frames, pdus,
                                      ",".join(map(str, sorted(versions))) or "-", data, opts, templates,
                                      opt_templates, no_template, expert, shown]))


if __name__ == "__main__":
    main()
