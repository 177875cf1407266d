#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Push softflowd's live capture along: send N non-IP Ethernet frames (ethertype 0x88b5, IEEE
"local experimental") on an interface, optionally every SECONDS seconds until killed.

softflowd 1.1.0 (Debian 12) opens live interfaces without libpcap's immediate mode, so with
libpcap 1.10's TPACKET_V3 ring it only sees packets when a 256 KiB ring block is full; on a
quiet loopback that never happens and it exports nothing. These frames fill the block; softflowd
counts them as "Ignored packets (non-IP)" and they make no flow. Capture filters on the export
port never record them.

  flush.py IFACE [N [SECONDS]]
"""
import socket
import sys
import time

iface = sys.argv[1]
n = int(sys.argv[2]) if len(sys.argv) > 2 else 1500
every = float(sys.argv[3]) if len(sys.argv) > 3 else None
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind((iface, 0))
frame = b"\x02\x00\x00\x00\x00\x01" + b"\x02\x00\x00\x00\x00\x02" + b"\x88\xb5" + b"\xff" * 1486
while True:
    for _ in range(n):
        s.send(frame)
    if every is None:
        break
    time.sleep(every)
