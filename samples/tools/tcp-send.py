#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Send the export messages of a UDP capture over one real TCP connection, in pieces that do
not follow the message boundaries, so that messages are split across TCP segments.

  tcp-send.py CAPTURE UDPPORT ADDR TCPPORT LOG [SIZES]

Reads the UDP payloads sent to UDPPORT in CAPTURE (byte-exact, in capture order), connects to
ADDR:TCPPORT, sets TCP_NODELAY and write()s the concatenated messages in pieces of the sizes
in SIZES (comma separated, used in a cycle; default 200,700,60,333,1000), pausing 50 ms
after each write so that each write leaves as one segment. LOG gets a JSON description:
the stream offset and length of every message and of every write.
"""
import json
import os
import socket
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import flowtruth  # noqa: E402

cap, uport, addr, tport, log = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4]), sys.argv[5]
sizes = [int(x) for x in (sys.argv[6] if len(sys.argv) > 6 else "200,700,60,333,1000").split(",")]
msgs = [m["payload"] for m in flowtruth.export_messages(cap, {uport}) if m["transport"] == "udp"]
stream = b"".join(msgs)
desc = dict(source=os.path.basename(cap), messages=[], writes=[])
o = 0
for i, m in enumerate(msgs, 1):
    desc["messages"].append(dict(index=i, offset=o, length=len(m)))
    o += len(m)
fam = socket.AF_INET6 if ":" in addr else socket.AF_INET
s = socket.socket(fam, socket.SOCK_STREAM)
s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
s.connect((addr, tport))
time.sleep(0.1)
o, k = 0, 0
while o < len(stream):
    n = min(sizes[k % len(sizes)], len(stream) - o)
    s.sendall(stream[o:o + n])
    desc["writes"].append(dict(index=k + 1, offset=o, length=n))
    o += n
    k += 1
    time.sleep(0.05)
time.sleep(0.1)
s.close()
with open(log, "w") as f:
    json.dump(desc, f, indent=1)
