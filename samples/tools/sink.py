#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Collector stand-in: receive and discard exports, so that the exporter never gets an ICMP
port unreachable (UDP) or a refused connection (TCP) back.

  sink.py udp ADDR PORT [COUNTFILE]   count datagrams; COUNTFILE holds the number received so far
  sink.py tcp ADDR PORT [COUNTFILE]   accept connections one after the other, read them to the end;
                                      COUNTFILE holds the number of bytes received so far
"""
import socket
import sys

kind, addr, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
countfile = sys.argv[4] if len(sys.argv) > 4 else None
fam = socket.AF_INET6 if ":" in addr else socket.AF_INET


def note(n):
    if countfile:
        with open(countfile + ".tmp", "w") as f:
            f.write(f"{n}\n")
        import os
        os.replace(countfile + ".tmp", countfile)


n = 0
note(0)
if kind == "udp":
    s = socket.socket(fam, socket.SOCK_DGRAM)
    s.bind((addr, port))
    while True:
        s.recvfrom(65535)
        n += 1
        note(n)
else:
    l = socket.socket(fam, socket.SOCK_STREAM)
    l.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    l.bind((addr, port))
    l.listen(4)
    while True:
        c, _ = l.accept()
        while True:
            d = c.recv(65536)
            if not d:
                break
            n += len(d)
            note(n)
        c.close()
