#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Make N one-way UDP flows: one datagram (LEN bytes) from each of N new sockets (so N new
source ports) to ADDR:PORT. Optional SRC binds the source address.

  udpflows.py ADDR PORT N [LEN [SRC]]
"""
import socket
import sys

addr, port, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
ln = int(sys.argv[4]) if len(sys.argv) > 4 else 32
src = sys.argv[5] if len(sys.argv) > 5 else None
fam = socket.AF_INET6 if ":" in addr else socket.AF_INET
for i in range(n):
    s = socket.socket(fam, socket.SOCK_DGRAM)
    if src:
        s.bind((src, 0))
    s.sendto(bytes([65 + i % 26]) * ln, (addr, port))
    s.close()
