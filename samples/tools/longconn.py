#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""One TCP connection that lasts SECONDS s: the client sends 100 bytes every second and the
server answers each with 40 bytes; then the client closes.

  longconn.py ADDR PORT SECONDS
"""
import socket
import sys
import threading
import time

addr, port, secs = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
fam = socket.AF_INET6 if ":" in addr else socket.AF_INET
lst = socket.socket(fam, socket.SOCK_STREAM)
lst.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
lst.bind((addr, port))
lst.listen(1)


def serve():
    c, _ = lst.accept()
    while True:
        d = c.recv(4096)
        if not d:
            break
        c.sendall(b"a" * 40)
    c.close()


t = threading.Thread(target=serve)
t.start()
c = socket.create_connection((addr, port))
for _ in range(secs):
    c.sendall(b"q" * 100)
    c.recv(4096)
    time.sleep(1)
c.close()
t.join()
