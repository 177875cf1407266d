#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Live input end to end: the payloads of the samples sent to `--listen` sockets on loopback
(real UDP and TCP sockets), a capture piped on standard input that stalls, SIGINT, and `-i lo`.

    tests/integration/test_live.py NFPCAP_BINARY SAMPLES_DIR

Runs itself again inside a private network namespace (`unshare -n`, loopback only) where it
can; without one (no root, no unshare) the socket tests still run on 127.0.0.1 with ports the
kernel picks, and the capture tests (-i lo) are skipped. Exit 77 (skipped) only when loopback
sockets cannot be made at all. No timed assertions: every wait has a generous timeout, and
"done" is always something observed (a line printed, a record written), never a delay.
"""
import fcntl
import json
import os
import re
import select
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import termios
import time

from checks import check, outcome

NFPCAP, SAMPLES = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
TIMEOUT = float(os.environ.get("LIVE_TIMEOUT", "60"))
skipped = []


def sample(name):
    return os.path.join(SAMPLES, name)


# --- the namespace -----------------------------------------------------------------------------

def enter_namespace():
    """Re-executes this script in a new network namespace; returns False where that is not possible."""
    if os.environ.get("NFPCAP_LIVE_NETNS") == "1":
        return True
    unshare = shutil.which("unshare")
    if unshare is None or subprocess.run([unshare, "-n", "true"], capture_output=True).returncode != 0:
        return False
    env = dict(os.environ, NFPCAP_LIVE_NETNS="1")
    script = ("ip link set lo up 2>/dev/null || python3 -c 'pass'; exec \"$@\"")
    r = subprocess.run([unshare, "-n", "sh", "-c", script, "sh", sys.executable, os.path.abspath(__file__), *sys.argv[1:]],
                       env=env)
    sys.exit(r.returncode)


def bring_lo_up():
    if shutil.which("ip"):
        subprocess.run(["ip", "link", "set", "lo", "up"], capture_output=True)


# --- reading captures (pcap and pcapng, the link types of the samples) -------------------------

def frames(path):
    """(link type, frame bytes) of each packet of a pcap or pcapng file."""
    data = open(path, "rb").read()
    magic = data[:4]
    out = []
    if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1", b"\xa1\xb2\xc3\xd4", b"\xa1\xb2\x3c\x4d"):
        e = "<" if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1") else ">"
        link = struct.unpack(e + "I", data[20:24])[0]
        pos = 24
        while pos + 16 <= len(data):
            _, _, caplen, _ = struct.unpack(e + "IIII", data[pos:pos + 16])
            out.append((link, data[pos + 16:pos + 16 + caplen]))
            pos += 16 + caplen
        return out
    # pcapng: section header, interface descriptions (link types), enhanced packet blocks
    pos, e, links = 0, "<", []
    while pos + 12 <= len(data):
        btype = struct.unpack("<I", data[pos:pos + 4])[0]
        if btype == 0x0A0D0D0A:
            e = "<" if data[pos + 8:pos + 12] == b"\x4d\x3c\x2b\x1a" else ">"
            links = []
        blen = struct.unpack(e + "I", data[pos + 4:pos + 8])[0]
        body = data[pos + 8:pos + blen - 4]
        btype = struct.unpack(e + "I", data[pos:pos + 4])[0]
        if btype == 1:
            links.append(struct.unpack(e + "H", body[:2])[0])
        elif btype == 6:
            itf, _, _, caplen, _ = struct.unpack(e + "IIIII", body[:20])
            out.append((links[itf], body[20:20 + caplen]))
        pos += blen
    return out


def udp_of(link, f):
    """(src, sport, dst, dport, payload) of a UDP frame, or None."""
    if link == 1:  # Ethernet, VLAN tags skipped
        etype, pos = struct.unpack(">H", f[12:14])[0], 14
        while etype in (0x8100, 0x88A8):
            etype, pos = struct.unpack(">H", f[pos + 2:pos + 4])[0], pos + 4
    elif link == 113:  # Linux cooked
        etype, pos = struct.unpack(">H", f[14:16])[0], 16
    elif link == 276:  # Linux cooked v2
        etype, pos = struct.unpack(">H", f[0:2])[0], 20
    elif link in (101, 12):
        etype, pos = (0x0800 if f[0] >> 4 == 4 else 0x86DD), 0
    else:
        return None
    ip = f[pos:]
    if etype == 0x0800 and ip[9] == 17:
        ihl = (ip[0] & 15) * 4
        src, dst, udp = socket.inet_ntop(socket.AF_INET, ip[12:16]), socket.inet_ntop(socket.AF_INET, ip[16:20]), ip[ihl:]
    elif etype == 0x86DD and ip[6] == 17:
        src, dst, udp = socket.inet_ntop(socket.AF_INET6, ip[8:24]), socket.inet_ntop(socket.AF_INET6, ip[24:40]), ip[40:]
    else:
        return None
    sport, dport, length = struct.unpack(">HHH", udp[:6])
    return src, sport, dst, dport, udp[8:length]


def export_datagrams(path):
    """The export datagrams of a capture, in order, as (exporter key, payload): those of the
    sessions offline `nfpcap stats` found (other UDP, e.g. DNS, is not sent to a collector)."""
    stats = json.loads(subprocess.run([NFPCAP, "stats", "-T", "json", path], capture_output=True, timeout=TIMEOUT).stdout)
    pairs = set()
    for s in stats["sessions"]:
        pairs.add((s["exporter"], s["collector"]))

    def ep(a, p):
        return f"[{a}]:{p}" if ":" in a else f"{a}:{p}"

    out = []
    for link, f in frames(path):
        u = udp_of(link, f)
        if u is None:
            continue
        src, sport, dst, dport, payload = u
        if (ep(src, sport), ep(dst, dport)) in pairs:
            out.append(((src, sport, dst, dport), payload))
    return out


# --- running nfpcap ----------------------------------------------------------------------------

def start(*args, stdin=subprocess.DEVNULL):
    return subprocess.Popen([NFPCAP, *args], stdin=stdin, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def wait_listening(p):
    """Reads stderr up to nfpcap's `listening on` line; returns the line (the bound addresses)."""
    deadline = time.monotonic() + TIMEOUT
    buf = b""
    while time.monotonic() < deadline:
        r, _, _ = select.select([p.stderr], [], [], 1.0)
        if not r:
            if p.poll() is not None:
                break
            continue
        chunk = os.read(p.stderr.fileno(), 4096)
        if not chunk:
            break
        buf += chunk
        if b"\n" in buf and b"listening on" in buf:
            return buf.decode()
    raise RuntimeError(f"nfpcap did not start listening: {buf!r}")


def bound_port(line, kind="udp"):
    # "nfpcap: listening on udp 127.0.0.1:40123 (receive buffer ...)"
    for part in line.split("listening on", 1)[1].split(","):
        words = part.split()
        if words and words[0] == kind:
            return int(words[1].rsplit(":", 1)[1])
    raise RuntimeError(line)


def finish(p, timeout=TIMEOUT):
    out, err = p.communicate(timeout=timeout)
    return p.returncode, out, err


def close_and_finish(p, timeout=TIMEOUT):
    """Closes our end of the process's stdin and collects the rest of its output."""
    if p.stdin is not None:
        p.stdin.close()
        p.stdin = None
    return finish(p, timeout)


def first_line(p):
    """The first line nfpcap writes, read from the pipe itself (not through a buffered reader,
    which would keep what follows from communicate()); returns it with whatever came after it."""
    buf = b""
    deadline = time.monotonic() + TIMEOUT
    while b"\n" not in buf and time.monotonic() < deadline:
        ready, _, _ = select.select([p.stdout], [], [], 1.0)
        if ready:
            chunk = os.read(p.stdout.fileno(), 65536)
            if not chunk:
                break
            buf += chunk
    line, _, rest = buf.partition(b"\n")
    return line, rest


def records(out):
    return [json.loads(line) for line in out.decode().splitlines() if line.strip()]


ENVELOPE = {"frame", "time", "exporter", "collector", "file"}


def decoded(rs):
    """What decoding says of each record, without where and when the datagram travelled."""
    return [{k: v for k, v in r.items() if k not in ENVELOPE} for r in rs]


def send(datagrams, host, port, family=socket.AF_INET, sources=None):
    """Sends each payload from one socket per original exporter (so sessions stay apart)."""
    sockets = {}
    for key, payload in datagrams:
        s = sockets.get(key)
        if s is None:
            s = socket.socket(family, socket.SOCK_DGRAM)
            s.bind((sources or ("::1" if family == socket.AF_INET6 else "127.0.0.1"), 0))
            sockets[key] = s
        s.sendto(payload, (host, port))
    for s in sockets.values():
        s.close()


def pcap_records(path):
    """Records in a pcap file nfpcap wrote (the global header, then whole records only)."""
    try:
        data = open(path, "rb").read()
    except FileNotFoundError:
        return 0
    pos, n = 24, 0
    while pos + 16 <= len(data):
        caplen = struct.unpack("<I", data[pos + 8:pos + 12])[0]
        if pos + 16 + caplen > len(data):
            break
        pos += 16 + caplen
        n += 1
    return n


def wait_for(condition, what):
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    raise RuntimeError(f"timed out waiting for {what}")


# --- the tests ---------------------------------------------------------------------------------

LISTEN_SAMPLES = ["softflowd-v5.pcap", "softflowd-v9.pcap", "softflowd-ipfix.pcap", "softflowd-ipfix-biflow.pcap",
                  "pmacct-nfprobe-v9.pcap", "pmacct-nfprobe-ipfix.pcap", "nfreplay-v9.pcap", "softflowd-ipfix.pcapng",
                  "softflowd-v9-any-sll2.pcap"]


def test_listen_matches_offline(tmp):
    for name in LISTEN_SAMPLES:
        path = sample(name)
        datagrams = export_datagrams(path)
        offline = records(subprocess.run([NFPCAP, "flows", "-T", "json", path], capture_output=True, timeout=TIMEOUT).stdout)
        written = os.path.join(tmp, name + ".live.pcap")
        p = start("flows", "-T", "json", "--listen", "127.0.0.1:0", "--rcvbuf", "16M", "--datagrams", str(len(datagrams)),
                  "--write", written)
        port = bound_port(wait_listening(p))
        send(datagrams, "127.0.0.1", port)
        rc, out, err = finish(p)
        live = records(out)
        check(f"{name}: --listen -c exits 0", rc == 0, (rc, err))
        check(f"{name}: --listen decodes what offline decoding gives", decoded(live) == decoded(offline),
              (len(live), len(offline), err))
        check(f"{name}: exporter is the sender", all(r["exporter"].startswith("127.0.0.1:") for r in live), live[:1])
        again = subprocess.run([NFPCAP, "flows", "-T", "json", written], capture_output=True, timeout=TIMEOUT)
        check(f"{name}: the --write file decodes to the same records, frames and times", records(again.stdout) == live,
              again.stderr)
        check(f"{name}: the --write file holds every datagram", pcap_records(written) == len(datagrams),
              (pcap_records(written), len(datagrams)))
        if shutil.which("tshark"):
            t = subprocess.run(["tshark", "-n", "-r", written, "-T", "fields", "-e", "udp.srcport"], capture_output=True,
                               timeout=TIMEOUT)
            check(f"{name}: tshark reads the --write file", t.returncode == 0 and
                  len(t.stdout.decode().split()) == len(datagrams), t.stderr)


def test_listen_ipv6(tmp):
    path = sample("softflowd-v9.pcap")
    datagrams = export_datagrams(path)
    offline = decoded(records(subprocess.run([NFPCAP, "flows", "-T", "json", path], capture_output=True).stdout))
    try:
        socket.socket(socket.AF_INET6, socket.SOCK_DGRAM).bind(("::1", 0))
    except OSError:
        skipped.append("IPv6 (no ::1 here)")
        return
    p = start("flows", "-T", "json", "--listen", "[::1]:0", "--datagrams", str(len(datagrams)))
    port = bound_port(wait_listening(p))
    send(datagrams, "::1", port, socket.AF_INET6)
    rc, out, err = finish(p)
    live = records(out)
    check("[::1]: decodes what offline decoding gives", decoded(live) == offline, err)
    check("[::1]: the exporter is IPv6", all(r["exporter"].startswith("[::1]:") for r in live), live[:1])
    # Every address ([::] takes IPv4 too): the IPv4 sender is shown as IPv4, not ::ffff:127.0.0.1.
    p = start("flows", "-T", "json", "--listen", "0", "--datagrams", str(len(datagrams)), "--write", os.path.join(tmp, "any.pcap"))
    port = bound_port(wait_listening(p))
    send(datagrams, "127.0.0.1", port)
    rc, out, err = finish(p)
    live = records(out)
    check("--listen PORT takes IPv4: same records", decoded(live) == offline, err)
    check("--listen PORT: IPv4 exporter as IPv4", all(r["exporter"].startswith("127.0.0.1:") for r in live), live[:1])
    again = subprocess.run([NFPCAP, "flows", "-T", "json", os.path.join(tmp, "any.pcap")], capture_output=True)
    check("--listen PORT: --write file reads back", records(again.stdout) == live, again.stderr)
    # [::] written out is every address too (the README's `--listen [::]:2055`): IPv4 and IPv6
    p = start("stats", "-T", "json", "--listen", "[::]:0", "-c", str(2 * len(datagrams)))
    port = bound_port(wait_listening(p))
    send(datagrams, "127.0.0.1", port)
    send(datagrams, "::1", port, socket.AF_INET6)
    rc, out, err = finish(p)
    s = json.loads(out) if rc == 0 else {}
    check("--listen [::]:PORT takes IPv4 and IPv6", rc == 0 and sorted(x["exporter"].split(":")[0]
          for x in s["sessions"]) == ["127.0.0.1", "["], (rc, err, s.get("sessions")))


def test_sigint_prints_the_table(tmp):
    path = sample("softflowd-ipfix.pcap")
    datagrams = export_datagrams(path)
    written = os.path.join(tmp, "sigint.pcap")
    p = start("-n", "-p", "0", "--listen", "127.0.0.1:0", "--write", written)
    port = bound_port(wait_listening(p))
    send(datagrams, "127.0.0.1", port)
    # Everything written is decoded: the stop comes between messages, after the last one written.
    wait_for(lambda: pcap_records(written) == len(datagrams), "every datagram written")
    p.send_signal(signal.SIGINT)
    rc, out, err = finish(p)
    check("SIGINT on --listen: exit 0", rc == 0, (rc, err))
    text = out.decode()
    check("SIGINT prints the connection table", "connections shown" in text, text[-500:])
    offline = subprocess.run([NFPCAP, "-n", "-p", "0", written], capture_output=True).stdout.decode()
    check("SIGINT: the table is the one of what was received", text == offline, (text[-300:], offline[-300:]))
    check("SIGINT: stderr says what was received", f"{len(datagrams)} messages received" in err.decode(), err)
    # stats too: every datagram that reached the socket is export data (malformed if it is not)
    written = os.path.join(tmp, "sigterm.pcap")
    p = start("stats", "-T", "json", "--listen", "127.0.0.1:0", "--write", written)
    port = bound_port(wait_listening(p))
    send(datagrams, "127.0.0.1", port)
    send([(("x", 0, "y", 0), b"not an export datagram")], "127.0.0.1", port)
    wait_for(lambda: pcap_records(written) == len(datagrams) + 1, "every datagram written")
    p.send_signal(signal.SIGTERM)
    rc, out, err = finish(p)
    check("SIGTERM on --listen: exit 0", rc == 0, (rc, err))
    s = json.loads(out)
    check("stats: the kernel's drop count is reported", s["files"][0].get("kernel_drops") == 0, s["files"])
    check("stats: what arrived on the socket is export data", s["not_export_datagrams"] == 0 and
          s["malformed_datagrams"] == 1 and s["export_datagrams"] == len(datagrams) + 1, s)


def test_second_signal_exits_at_once(tmp):
    # stdout is a pipe nobody reads, and more output than it holds: nfpcap ends up waiting in
    # write() whatever it does, and the first SIGINT cannot end that wait (the records so far are
    # still to be written); the second ends the process at once. Signals are sent until it ends:
    # two sent close together may arrive as one.
    data = open(sample("softflowd-ipfix.pcap"), "rb").read()
    path = os.path.join(tmp, "repeated.pcap")
    with open(path, "wb") as f:
        f.write(data[:24] + data[24:] * 100)  # the same packets 100 times: one capture, large output
    size = len(subprocess.run([NFPCAP, "flows", "-T", "json", path], capture_output=True).stdout)
    check("second signal: the output is larger than a pipe holds", size > 16 * 65536, size)
    r, w = os.pipe()
    with open(path, "rb") as capture:
        p = subprocess.Popen([NFPCAP, "flows", "-T", "json", "-"], stdin=capture, stdout=w, stderr=subprocess.PIPE)
    os.close(w)
    # Signal once the pipe is full: nfpcap then waits in write() and cannot finish on its own.
    capacity = fcntl.fcntl(r, 1032)  # F_GETPIPE_SZ

    def queued():
        return struct.unpack("i", fcntl.ioctl(r, termios.FIONREAD, b"\0\0\0\0"))[0]

    def blocked():
        try:
            wchan = open(f"/proc/{p.pid}/wchan").read()
        except OSError:
            wchan = "0"
        if wchan not in ("", "0"):
            return "pipe_write" in wchan and queued() > 0
        return queued() > capacity // 2  # the kernel does not say where it waits: the pipe is filling

    wait_for(blocked, "nfpcap to wait on the full pipe")
    deadline = time.monotonic() + TIMEOUT
    rc = None
    while rc is None and time.monotonic() < deadline:
        p.send_signal(signal.SIGINT)
        try:
            rc = p.wait(timeout=0.2)
        except subprocess.TimeoutExpired:
            pass
    if rc is None:
        p.kill()
        p.wait()
    os.close(r)
    check("a second SIGINT exits at once, output still blocked (128 + SIGINT)", rc == 128 + signal.SIGINT, rc)


def test_stalled_pipe(tmp):
    # `tcpdump -U -w - | nfpcap flows -`: half the capture, then the writer stalls; the records of
    # that half must be out before it resumes.
    path = sample("softflowd-v9.pcap")
    data = open(path, "rb").read()
    offline = subprocess.run([NFPCAP, "flows", "-T", "json", path], capture_output=True).stdout.decode().splitlines()
    # cut after the first frame that holds records
    first_frame = json.loads(offline[0])["frame"]
    pos = 24
    for _ in range(first_frame):
        caplen = struct.unpack("<I", data[pos + 8:pos + 12])[0]
        pos += 16 + caplen
    first = subprocess.run([NFPCAP, "flows", "-T", "json", "-"], input=data[:pos], capture_output=True).stdout
    expected_first = first.decode().splitlines()
    check("stalled pipe: the first part has records", len(expected_first) > 0 and len(expected_first) < len(offline))
    for implicit in (False, True):
        args = ["flows", "-T", "json"] + ([] if implicit else ["-"])
        p = subprocess.Popen([NFPCAP, *args], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        p.stdin.write(data[:pos])
        p.stdin.flush()
        got = []
        deadline = time.monotonic() + TIMEOUT
        buf = b""
        while len(got) < len(expected_first) and time.monotonic() < deadline:
            ready, _, _ = select.select([p.stdout], [], [], 1.0)
            if ready:
                chunk = os.read(p.stdout.fileno(), 65536)
                if not chunk:
                    break
                buf += chunk
                *lines, buf = buf.split(b"\n")
                got += [line.decode() for line in lines]
        label = "implicit stdin" if implicit else "-"
        check(f"stalled pipe ({label}): the first records are out before the pipe resumes", got == expected_first,
              (len(got), len(expected_first)))
        if implicit:
            # Ctrl-C while the pipe is quiet: the records so far, exit 0 (as tcpdump)
            p.send_signal(signal.SIGINT)
            rc, out, err = finish(p)
            check("SIGINT on a quiet pipe: exit 0", rc == 0, (rc, err))
            check("SIGINT on a quiet pipe: no error message", b"nfpcap:" not in err, err)
            p.stdin.close()
        else:
            p.stdin.write(data[pos:])
            rc, out, err = close_and_finish(p)
            check("stalled pipe: everything once it resumes", got + (buf + out).decode().splitlines() == offline,
                  err)
            check("stalled pipe: exit 0", rc == 0, rc)


def test_listen_records_before_stop(tmp):
    # Records are written as each datagram arrives, not at the end of the run.
    path = sample("softflowd-ipfix.pcap")
    datagrams = export_datagrams(path)
    p = start("flows", "-T", "json", "--listen", "127.0.0.1:0")
    port = bound_port(wait_listening(p))
    send(datagrams, "127.0.0.1", port)
    line, _ = first_line(p)
    check("--listen: a record is out while still listening", line.startswith(b"{") and p.poll() is None, line)
    p.send_signal(signal.SIGINT)
    finish(p)


def test_listen_tcp(tmp):
    path = sample("softflowd-ipfix.pcap")
    datagrams = export_datagrams(path)
    offline = decoded(records(subprocess.run([NFPCAP, "flows", "-T", "json", path], capture_output=True).stdout))
    p = start("flows", "-T", "json", "--listen-tcp", "127.0.0.1:0", "--datagrams", str(2 * len(datagrams)))
    port = bound_port(wait_listening(p), "tcp")
    stream = b"".join(payload for _, payload in datagrams)
    for _ in range(2):  # two connections: two sessions, each with its own templates
        c = socket.create_connection(("127.0.0.1", port))
        # in uneven pieces: messages are cut by their length field, not by what one read returns
        for i in range(0, len(stream), 1000):
            c.sendall(stream[i:i + 1000])
        c.close()
    rc, out, err = finish(p)
    live = records(out)
    check("--listen-tcp: two connections decode what offline decoding gives, twice", decoded(live) == offline * 2,
          (len(live), len(offline), err))
    # bytes that are no export message are skipped (and counted) up to the next message header
    p = start("stats", "-T", "json", "--listen-tcp", "127.0.0.1:0", "-c", "2")
    port = bound_port(wait_listening(p), "tcp")
    junk = b"GET / HTTP/1.0\r\n\r\n"
    c = socket.create_connection(("127.0.0.1", port))
    c.sendall(junk + datagrams[0][1])
    c.close()
    c = socket.create_connection(("127.0.0.1", port))
    c.sendall(datagrams[0][1])
    c.close()
    rc, out, err = finish(p)
    s = json.loads(out)
    check("--listen-tcp: a message after junk is found and decoded", s["decoded_datagrams"] == 2 and
          s["malformed_datagrams"] == 0, s)
    check("--listen-tcp: the junk is counted", s["files"][0].get("stream_bytes_lost") == len(junk) and
          s["files"][0].get("stream_resyncs") == 1 and s["files"][0].get("stream_messages") == 2, s["files"])
    check("--listen-tcp: the end of the run says what was skipped",
          f"{len(junk)} TCP stream bytes skipped (no message header) in 1 resync" in err.decode(), err)


def test_stops(tmp):
    p = start("stats", "-T", "json", "--listen", "127.0.0.1:0", "--duration", "0.5")
    wait_listening(p)
    rc, out, err = finish(p)
    check("--duration ends a quiet --listen with exit 0", rc == 0 and json.loads(out)["datagrams"] == 0, (rc, err))
    r = subprocess.run([NFPCAP, "flows", "-T", "json", "--datagrams", "3", sample("softflowd-v9.pcap")],
                       capture_output=True)
    stats = json.loads(subprocess.run([NFPCAP, "stats", "-T", "json", "-c", "3", sample("softflowd-v9.pcap")],
                                      capture_output=True).stdout)
    check("-c N reads N datagrams of a file", stats["datagrams"] == 3, stats["datagrams"])
    check("--datagrams on a file: exit 0", r.returncode == 0, r.returncode)
    # flows -c counts records (nfdump -c): the first N of what --datagrams 3 gives... or fewer.
    all_records = r.stdout.decode().splitlines()
    r = subprocess.run([NFPCAP, "flows", "-T", "json", "-c", "5", sample("softflowd-v9.pcap")], capture_output=True)
    check("flows -c N prints the first N records", r.returncode == 0 and
          r.stdout.decode().splitlines() == all_records[:5] and len(all_records) >= 5, (r.returncode, r.stdout[:300]))
    r = subprocess.run([NFPCAP, "flows", "--listen", "1", sample("softflowd-v9.pcap")], capture_output=True)
    check("FILE and --listen together: usage error", r.returncode == 2, r.returncode)
    r = subprocess.run([NFPCAP, "flows", "--write", "/dev/null", sample("softflowd-v9.pcap")], capture_output=True)
    check("--write without a live input: usage error", r.returncode == 2, r.returncode)
    r = subprocess.run([NFPCAP, "flows", "--listen", "nonsense"], capture_output=True)
    check("--listen with a bad address: usage error", r.returncode == 2, r.returncode)
    blocker = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    blocker.bind(("127.0.0.1", 0))
    r = subprocess.run([NFPCAP, "flows", "--listen", f"127.0.0.1:{blocker.getsockname()[1]}"], capture_output=True,
                       timeout=TIMEOUT)
    blocker.close()
    check("--listen on a port in use: exit 1 naming it", r.returncode == 1 and b"cannot bind" in r.stderr, r.stderr)


def bound_ports(line):
    """Every (address, port) of nfpcap's `listening on` line, in order."""
    out = []
    for part in line.split("listening on", 1)[1].split("(")[0].split(","):
        words = part.split()
        if len(words) >= 2:
            addr, port = words[1].rsplit(":", 1)
            out.append((words[0], addr.strip("[]"), int(port)))
    return out


def test_real_exporters(tmp):
    """Real exporters, live: softflowd (NetFlow v9 to 127.0.0.1, IPFIX to [::1]) and pmacctd's
    nfprobe (IPFIX to 127.0.0.1) read samples/traffic-lo.pcap, the traffic the samples were made
    from, exactly as samples/make-samples.sh runs them, and export to one nfpcap --listen. Each
    exporter's records are its sample's records; the --write file decodes to the same output byte
    for byte, and tshark reads the same records in it."""
    traffic = sample("traffic-lo.pcap")
    have = {t: shutil.which(t) is not None for t in ("softflowd", "pmacctd")}
    if not any(have.values()):
        skipped.append("real exporters (neither softflowd nor pmacctd installed)")
        return
    try:
        socket.socket(socket.AF_INET6, socket.SOCK_DGRAM).bind(("::1", 0))
        ipv6 = True
    except OSError:
        ipv6 = False
    written = os.path.join(tmp, "exporters.pcap")
    # stdout to a file: a pipe nobody reads until the end would fill and hold nfpcap back
    output = open(os.path.join(tmp, "exporters.json"), "w+b")
    p = subprocess.Popen([NFPCAP, "flows", "-T", "json", "--listen", "127.0.0.1:0",
                          *(["--listen", "[::1]:0"] if ipv6 else []), "--write", written],
                         stdin=subprocess.DEVNULL, stdout=output, stderr=subprocess.PIPE)
    ports = bound_ports(wait_listening(p))
    v4 = next(port for _, a, port in ports if a == "127.0.0.1")
    v6 = next((port for _, a, port in ports if a == "::1"), None)
    runs = []  # (what, expected sample, exporter address family)
    if have["softflowd"]:
        runs.append(("softflowd -v 9 to 127.0.0.1", "softflowd-v9.pcap",
                     ["softflowd", "-d", "-r", traffic, "-n", f"127.0.0.1:{v4}", "-c", "none", "-v", "9", "-6", "-a",
                      "-p", os.path.join(tmp, "softflowd.pid")]))
        if v6 is not None:
            runs.append(("softflowd -v 10 to [::1]", "softflowd-ipfix.pcap",
                         ["softflowd", "-d", "-r", traffic, "-n", f"[::1]:{v6}", "-c", "none", "-v", "10", "-6", "-a",
                          "-p", os.path.join(tmp, "softflowd.pid")]))
    if have["pmacctd"]:
        conf = os.path.join(tmp, "pmacctd.conf")
        with open(conf, "w") as f:
            f.write(f"daemonize: false\npcap_savefile: {traffic}\nplugins: nfprobe[np]\n"
                    f"nfprobe_receiver[np]: 127.0.0.1:{v4}\nnfprobe_version[np]: 10\n"
                    "nfprobe_timeouts[np]: tcp=5:tcp.rst=5:tcp.fin=5:udp=5:icmp=5:general=5:expint=1\n")
        runs.append(("pmacctd nfprobe IPFIX to 127.0.0.1", "pmacct-nfprobe-ipfix.pcap", ["pmacctd", "-f", conf]))
    sent = 0
    for what, name, cmd in runs:
        # one exporter at a time: each one's datagrams are in before the next starts
        r = subprocess.run(cmd, capture_output=True, timeout=TIMEOUT * 2)
        check(f"{what}: the exporter ran", r.returncode == 0, r.stderr[-500:])
        sent += len(export_datagrams(sample(name)))
        wait_for(lambda: pcap_records(written) >= sent, f"{what}'s datagrams")
    p.send_signal(signal.SIGINT)
    rc, _, err = finish(p)
    output.seek(0)
    out = output.read()
    output.close()
    check("real exporters: SIGINT exits 0", rc == 0, (rc, err))
    live = records(out)
    by_exporter = {}
    for r in live:
        by_exporter.setdefault(r["exporter"], []).append(r)
    check("real exporters: one session each", len(by_exporter) == len(runs), list(by_exporter))
    for (what, name, _), (exporter, got) in zip(runs, by_exporter.items()):
        want = records(subprocess.run([NFPCAP, "flows", "-T", "json", sample(name)], capture_output=True,
                                      timeout=TIMEOUT).stdout)
        check(f"{what}: live records are those of {name}", decoded(got) == decoded(want), (exporter, len(got),
                                                                                             len(want)))
        family_ok = exporter.startswith("[::1]:") if "[::1]" in what else exporter.startswith("127.0.0.1:")
        check(f"{what}: the exporter is the sender", family_ok, exporter)
    again = subprocess.run([NFPCAP, "flows", "-T", "json", written], capture_output=True, timeout=TIMEOUT)
    check("real exporters: --write decodes to the live output byte for byte", again.stdout == out, again.stderr)
    if shutil.which("tshark"):
        compare = os.path.join(os.path.dirname(os.path.abspath(__file__)), "compare_tshark.py")
        t = subprocess.run([sys.executable, compare, NFPCAP, written], capture_output=True, timeout=TIMEOUT * 4)
        check("real exporters: tshark reads the same records in the --write file", t.returncode == 0,
              (t.stdout[-800:], t.stderr[-800:]))


def test_drops_after_the_last_datagram(tmp):
    """Datagrams the kernel drops after the last one nfpcap read are counted too: SO_RXQ_OVFL
    only comes with a datagram, so a stalled reader stopped after a burst reported 0."""
    v5 = export_datagrams(sample("softflowd-v5.pcap"))[0][1]  # tens of records: KBs of JSON lines
    per_datagram = struct.unpack(">H", v5[2:4])[0]  # the v5 header's count
    p = start("flows", "-T", "json", "--listen", "127.0.0.1:0", "--rcvbuf", "64K")
    port = bound_port(wait_listening(p))
    sender = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sent = 2000  # nobody reads nfpcap's stdout yet: it blocks on the pipe, the socket buffer fills
    for _ in range(sent):
        sender.sendto(v5, ("127.0.0.1", port))
    sender.close()
    p.send_signal(signal.SIGINT)
    rc, out, err = finish(p)
    m = re.search(r"(\d+) messages received, (\d+) dropped by the kernel", err.decode())
    check("a stalled reader: exit 0 and the counts printed", rc == 0 and m is not None, (rc, err))
    if m:
        received, dropped = int(m[1]), int(m[2])
        check("a stalled reader: the drops after the last datagram read are counted",
              dropped > 0 and received + dropped <= sent and len(records(out)) == received * per_datagram,
              (received, dropped, sent))


def test_report_live(tmp):
    r = subprocess.run([NFPCAP, "report", "--listen", "127.0.0.1:0"], capture_output=True, timeout=TIMEOUT)
    check("report --listen without -o: usage error naming live input", r.returncode == 2 and
          b"reading live input" in r.stderr, (r.returncode, r.stderr))
    datagrams = export_datagrams(sample("softflowd-ipfix.pcap"))
    page = os.path.join(tmp, "live.html")
    p = start("report", "-n", "--listen", "127.0.0.1:0", "-o", page, "-c", str(len(datagrams)))
    port = bound_port(wait_listening(p))
    send(datagrams, "127.0.0.1", port)
    rc, _, err = finish(p)
    html = open(page, encoding="utf-8").read() if os.path.exists(page) else ""
    check("report --listen -o: the page, with the live input in its command line", rc == 0 and
          f"nfpcap report --listen 127.0.0.1:0" in html, (rc, err))


def test_commands_with_own_letters(tmp):
    """top's --count is its rows and timeline's -i its interval: the input options keep the other
    name there, and before the command the input option is meant whatever the command."""
    datagrams = export_datagrams(sample("softflowd-v9.pcap"))
    offline = subprocess.run([NFPCAP, "stats", "-T", "json", "-c", "2", sample("softflowd-v9.pcap")],
                             capture_output=True)
    check("stats -c 2 on a file", offline.returncode == 0 and json.loads(offline.stdout)["datagrams"] == 2,
          offline.stderr)
    for args in (["--listen", "127.0.0.1:0", "--count", "2", "top", "-T", "json", "--count", "1"],
                 ["top", "-T", "json", "--listen", "127.0.0.1:0", "-c", "2", "--count", "1"],
                 ["--listen", "127.0.0.1:0", "-c", "2", "timeline", "-T", "json", "-i", "60"],
                 ["--listen", "127.0.0.1:0", "--count=2", "timeline", "-T", "json", "-i", "60"]):
        p = start(*args)
        port = bound_port(wait_listening(p))
        send(datagrams[:2], "127.0.0.1", port)
        rc, out, err = finish(p)
        lines = [json.loads(l) for l in out.decode().splitlines() if l.strip()]
        check(f"{' '.join(args)}: stops after 2 datagrams, exit 0", rc == 0 and lines, (rc, err))
        if args.count("top"):
            ranked = [l for l in lines if "rank" in l]
            check(f"{' '.join(args)}: top's --count is its rows", len(ranked) == 1 and lines[-1]["keys"] == 2, lines)


def test_follow(tmp):
    # A whole capture on a pipe that stays open: the connections that complete (by the records'
    # clock) are printed before the input ends.
    path = sample("softflowd-v9.pcap")
    data = open(path, "rb").read()
    # the sample's traffic lasts 2 s: a window below that lets connections complete before the end
    window = ["--window", "0.2"]
    whole = records(subprocess.run([NFPCAP, "-T", "json", "-n", "-p", "0", *window, path], capture_output=True).stdout)
    p = subprocess.Popen([NFPCAP, "--follow", "-T", "json", "-n", "-p", "0", *window], stdin=subprocess.PIPE,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    p.stdin.write(data)
    p.stdin.flush()
    line, rest = first_line(p)
    check("--follow: a completed connection is out before the input ends", line.startswith(b"{"), line)
    rc, out, err = close_and_finish(p)
    followed = records(line + b"\n" + rest + out)

    def totals(cs):
        return (len(cs) > 0, sum(c["records"] for c in cs), sum(c["packets_to_server"] + c["packets_to_client"] for c in cs),
                sum(c["bytes_to_server"] + c["bytes_to_client"] for c in cs))

    check("--follow: the same records, packets and bytes as the whole table", totals(followed) == totals(whole),
          (totals(followed), totals(whole)))
    r = subprocess.run([NFPCAP, "--follow", "-n", "-p", "0", path], capture_output=True)
    check("--follow text: rows and the footer", b"connections shown" in r.stdout and r.returncode == 0, r.stderr)


def test_interface_lo(tmp):
    path = sample("softflowd-ipfix.pcap")
    datagrams = export_datagrams(path)
    offline = decoded(records(subprocess.run([NFPCAP, "flows", "-T", "json", path], capture_output=True).stdout))
    sink = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)  # a collector, so no ICMP comes back
    sink.bind(("127.0.0.1", 0))
    port = sink.getsockname()[1]
    written = os.path.join(tmp, "lo.pcap")
    p = start("flows", "-T", "json", "-i", "lo", "-f", f"udp dst port {port}", "--datagrams", str(len(datagrams)),
              "--write", written)
    try:
        wait_listening(p)
    except RuntimeError as e:
        skipped.append(f"-i lo: {e}")
        p.kill()
        return
    send(datagrams, "127.0.0.1", port)
    rc, out, err = finish(p)
    sink.close()
    live = records(out)
    check("-i lo -f: decodes what offline decoding gives", decoded(live) == offline, (rc, len(live), len(offline), err))
    again = subprocess.run([NFPCAP, "flows", "-T", "json", written], capture_output=True)
    check("-i lo: the --write file (frames as captured) reads back the same", records(again.stdout) == live,
          again.stderr)
    if shutil.which("tcpreplay"):
        # the sample itself replayed on lo (its frames are loopback Ethernet)
        sample_port = datagrams[0][0][3]
        p = start("flows", "-T", "json", "-i", "lo", "-f", f"udp port {sample_port}", "--datagrams", str(len(datagrams)))
        wait_listening(p)
        t = subprocess.run(["tcpreplay", "-q", "-i", "lo", "--topspeed", path], capture_output=True, timeout=TIMEOUT)
        if t.returncode != 0:
            p.kill()
            skipped.append(f"tcpreplay on lo: {t.stderr.decode().strip()}")
            return
        rc, out, err = finish(p)
        check("-i lo with tcpreplay: the sample's records", decoded(records(out)) == offline, err)


def replay_on_lo(what, path, capture_filter):
    """Replays a capture on lo with tcpreplay while `nfpcap flows -i lo -f FILTER` runs until
    it has read as many export messages as the file holds. Returns (offline records, live
    records, the file's message count, live stderr), or None when skipped."""
    if not shutil.which("tcpreplay"):
        skipped.append(f"-i lo {what} (no tcpreplay)")
        return None
    offline = records(subprocess.run([NFPCAP, "flows", "-T", "json", path], capture_output=True).stdout)
    count = json.loads(subprocess.run([NFPCAP, "stats", "-T", "json", path], capture_output=True).stdout)["datagrams"]
    p = start("flows", "-T", "json", "-i", "lo", "-f", capture_filter, "--datagrams", str(count))
    try:
        wait_listening(p)
    except RuntimeError as e:
        skipped.append(f"-i lo {what}: {e}")
        p.kill()
        return None
    t = subprocess.run(["tcpreplay", "-q", "-i", "lo", "--topspeed", path], capture_output=True, timeout=TIMEOUT)
    if t.returncode != 0:
        p.kill()
        skipped.append(f"tcpreplay on lo: {t.stderr.decode().strip()}")
        return None
    rc, out, err = finish(p)
    return offline, records(out), count, (rc, err.decode())


def test_interface_lo_tcp(tmp):
    """IPFIX over TCP on a live interface: a capture of softflowd -P tcp replayed on lo. The
    frames go through the capture reader as a file's do, so the connection is followed and cut
    into messages: the records are those of the capture read offline."""
    path = os.path.join(os.path.dirname(SAMPLES), "tests", "data", "capture", "tool", "ipfix-over-tcp.pcap")
    # Only the exporter's side: the kernel answers the replayed SYN with a RST from port 4739.
    replayed = replay_on_lo("over TCP", path, "tcp dst port 4739")
    if replayed is None:
        return
    offline, live, count, (rc, err) = replayed
    check("-i lo over TCP: the connection's records, as offline", len(offline) > 0 and
          decoded(live) == decoded(offline), (rc, len(live), len(offline), err))
    check("-i lo over TCP: the end of the run counts the stream's messages",
          f"{count} messages in TCP streams" in err, err)


def test_interface_lo_sctp(tmp):
    """IPFIX over SCTP on a live interface (RFC 7011 10.2): the scapy-made association of
    tests/data/capture replayed on lo. Its DATA chunks are followed into messages as in a file."""
    path = os.path.join(os.path.dirname(SAMPLES), "tests", "data", "capture", "sctp-ipfix.pcap")
    replayed = replay_on_lo("over SCTP", path, "sctp")
    if replayed is None:
        return
    offline, live, count, (rc, err) = replayed
    check("-i lo over SCTP: the association's records, as offline", count == 3 and len(offline) > 0 and
          decoded(live) == decoded(offline), (rc, len(live), len(offline), err))
    check("-i lo over SCTP: the end of the run counts the messages", f"{count} SCTP messages" in err, err)


def main():
    in_netns = enter_namespace()
    if in_netns:
        bring_lo_up()
    try:
        socket.socket(socket.AF_INET, socket.SOCK_DGRAM).bind(("127.0.0.1", 0))
    except OSError as e:
        print(f"SKIP: no loopback sockets here ({e})")
        sys.exit(77)
    tests = [test_listen_matches_offline, test_listen_ipv6, test_listen_records_before_stop,
             test_sigint_prints_the_table, test_second_signal_exits_at_once, test_stalled_pipe, test_listen_tcp,
             test_stops, test_real_exporters, test_drops_after_the_last_datagram, test_report_live,
             test_commands_with_own_letters, test_follow]
    if in_netns:
        tests += [test_interface_lo, test_interface_lo_tcp, test_interface_lo_sctp]
    else:
        skipped.append("-i lo (no private network namespace here)")
    with tempfile.TemporaryDirectory() as tmp:
        for t in tests:
            try:
                t(tmp)
            except Exception as e:  # one broken test should not hide the others
                check(t.__name__, False, repr(e))
    for s in skipped:
        print(f"skipped: {s}")
    sys.exit(outcome("test_live"))


if __name__ == "__main__":
    main()
