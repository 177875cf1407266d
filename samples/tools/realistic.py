#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""A few minutes of varied loopback traffic between several 127.0.0.x "hosts" (and ::1), paced
and reproducible (fixed random seed), for samples/softflowd-ipfix-realistic.pcap.

  realistic.py SECONDS LOG

Servers (threads of this process):
  HTTP   127.0.0.10:80 and [::1]:8080, files of 512 B .. 200 KB, some 404s
  DNS    127.0.0.53:53 and [::1]:5353, DNS-like responder (one A record 192.0.2.x)
Clients, each action from one of the source addresses 127.0.0.101 .. 127.0.0.105:
  HTTP GETs (new connection each), DNS queries (new socket each), ping -c 3 to 127.0.0.20-22,
  a TCP connect scan of closed ports on 127.0.0.30 (SYN answered by RST), UDP datagrams to
  closed ports of 127.0.0.31 (ICMP port unreachable), IPv6 HTTP and DNS over ::1.
LOG gets one line per action (time, kind, source, target).
"""
import http.client
import http.server
import os
import random
import socket
import struct
import subprocess
import sys
import threading
import time

secs, logpath = float(sys.argv[1]), sys.argv[2]
rnd = random.Random(20261201)
FILES = {f"/f{n}.bin": os.urandom(n) for n in (512, 1500, 4000, 20000, 65000, 200000)}


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.0"

    def do_GET(self):
        body = FILES.get(self.path)
        if body is None:
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *a):
        pass


class Server6(http.server.ThreadingHTTPServer):
    address_family = socket.AF_INET6


def serve_http():
    for cls, addr in ((http.server.ThreadingHTTPServer, ("127.0.0.10", 80)), (Server6, ("::1", 8080))):
        srv = cls(addr, Handler)
        threading.Thread(target=srv.serve_forever, daemon=True).start()


def serve_dns(addr, port):
    fam = socket.AF_INET6 if ":" in addr else socket.AF_INET
    s = socket.socket(fam, socket.SOCK_DGRAM)
    s.bind((addr, port))

    def loop():
        while True:
            data, peer = s.recvfrom(2048)
            hdr = data[:2] + struct.pack("!HHHHH", 0x8180, 1, 1, 0, 0)
            ans = b"\xc0\x0c" + struct.pack("!HHIH", 1, 1, 60, 4) + bytes([192, 0, 2, data[1] % 250 + 1])
            s.sendto(hdr + data[12:] + ans, peer)

    threading.Thread(target=loop, daemon=True).start()


def dns_query(server, port, name, src):
    fam = socket.AF_INET6 if ":" in server else socket.AF_INET
    s = socket.socket(fam, socket.SOCK_DGRAM)
    if src:
        s.bind((src, 0))
    s.settimeout(2)
    q = struct.pack("!HHHHHH", rnd.randrange(65536), 0x0100, 1, 0, 0, 0)
    q += b"".join(bytes([len(x)]) + x.encode() for x in name.split(".")) + b"\0" + struct.pack("!HH", 1, 1)
    s.sendto(q, (server, port))
    try:
        s.recvfrom(2048)
    except OSError:
        pass
    s.close()


def http_get(host, port, path, src):
    c = http.client.HTTPConnection(host, port, timeout=5, source_address=(src, 0) if src else None)
    try:
        c.request("GET", path)
        c.getresponse().read()
    except OSError:
        pass
    c.close()


def scan(target, ports, src):
    for p in ports:
        s = socket.socket()
        s.bind((src, 0))
        s.settimeout(1)
        try:
            s.connect((target, p))
        except OSError:
            pass
        s.close()


def main():
    serve_http()
    serve_dns("127.0.0.53", 53)
    serve_dns("::1", 5353)
    time.sleep(0.5)
    log = open(logpath, "w")
    t0 = time.time()
    names = ["example.com", "www.example.org", "mail.example.net", "a.example", "b.example", "cdn.example.com",
             "api.example.org", "ntp.example.net"]
    while time.time() - t0 < secs:
        src = f"127.0.0.{rnd.randint(101, 105)}"
        kind = rnd.choices(["http", "dns", "ping", "scan", "udp-closed", "http6", "dns6"],
                           weights=[30, 30, 6, 2, 4, 8, 8])[0]
        if kind == "http":
            path = rnd.choice(list(FILES) + ["/missing.html"])
            http_get("127.0.0.10", 80, path, src)
            target = "127.0.0.10:80" + path
        elif kind == "dns":
            name = rnd.choice(names)
            dns_query("127.0.0.53", 53, name, src)
            target = "127.0.0.53:53 " + name
        elif kind == "ping":
            dst = f"127.0.0.{rnd.randint(20, 22)}"
            subprocess.run(["ping", "-c", "3", "-i", "0.2", "-I", src, dst], stdout=subprocess.DEVNULL)
            target = dst
        elif kind == "scan":
            start = rnd.randrange(1, 900)
            scan("127.0.0.30", range(start, start + 40), src)
            target = f"127.0.0.30:{start}-{start + 39}"
        elif kind == "udp-closed":
            s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            s.bind((src, 0))
            port = rnd.randrange(10000, 11000)
            s.sendto(b"probe", ("127.0.0.31", port))
            s.close()
            target = f"127.0.0.31:{port}"
        elif kind == "http6":
            src = None
            path = rnd.choice(list(FILES))
            http_get("::1", 8080, path, None)
            target = "[::1]:8080" + path
        else:
            src = None
            name = rnd.choice(names)
            dns_query("::1", 5353, name, None)
            target = "[::1]:5353 " + name
        log.write(f"{time.time() - t0:.3f}\t{kind}\t{src or '::1'}\t{target}\n")
        log.flush()
        time.sleep(rnd.uniform(0.05, 1.2))


main()
