#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""nfpcap decode benchmark: nfpcap vs the bare libpcap loop vs tshark -T ek.

usage: bench/run.py --nfpcap build/src/cli/nfpcap --pcap-loop build/bench/pcap_loop
                    [--sample samples/X.pcap] [--size-mb 120] [--tshark-datagrams 3000]

Builds a large capture (>= --size-mb MB, >= --min-records data records,
>= --min-datagrams datagrams) by repeating the export datagrams of a real
sample export capture, then measures side by side (best of --runs, wall clock,
output to /dev/null; the runs of the commands compared are interleaved):

  pcap_loop FILE                      bare libpcap read loop (the physical limit)
  nfpcap stats FILE                   every record decoded, every field checked
  nfpcap flows --format json FILE     every record decoded and printed as JSON
  tshark -r SLICE -d udp.port==P,cflow -T ek
                                      on the first --tshark-datagrams datagrams

and reports the ratios against the targets of the issue:
  stats time / bare loop time                  <= 3
  flows json records/s / tshark records/s      >= 50
  nfpcap peak RSS                              <  50 MB

It is a report: it exits 0 whether the targets are met or missed, and
non-zero only when something failed to run. Python 3 standard library only.
"""

import argparse
import array
import hashlib
import json
import os
import shutil
import struct
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

GENERATOR_VERSION = 1          # bump when the generated capture changes
TEMPLATE_REFRESH = 1000        # re-send templates every this many datagrams
DEFAULT_INTERVAL_US = 200      # time between generated datagrams (5000 datagrams/s)

TARGET_STATS_VS_LOOP = 3.0
TARGET_JSON_VS_TSHARK = 50.0
TARGET_PEAK_RSS_MB = 50.0
TARGET_CSV_VS_JSON = 1.0          # flows -T csv time / -T json time
TARGET_THREADS_SPEEDUP = 1.6      # flows -T json --threads 1 time / default (one per core) time
TARGET_CONNECTIONS_VS_JSON = 2.0  # connections time / flows -T json time, 5 M distinct connections
TARGET_CONNECTIONS_RSS_MB = 600.0

REPO = Path(__file__).resolve().parent.parent


class BenchError(Exception):
    pass


def log(msg):
    print(msg, flush=True)


# --------------------------------------------------------------------- pcap I/O

@dataclass
class Frame:
    ts_ns: int
    data: bytes
    orig_len: int


def read_pcap(path):
    """Classic pcap (either byte order, µs or ns) -> (linktype, [Frame])."""
    with open(path, 'rb') as f:
        raw = f.read()
    if len(raw) < 24:
        raise BenchError(f'{path}: too short for a pcap file')
    magic_le = struct.unpack_from('<I', raw, 0)[0]
    table = {0xa1b2c3d4: ('<', 1000), 0xa1b23c4d: ('<', 1),
             0xd4c3b2a1: ('>', 1000), 0x4d3cb2a1: ('>', 1)}
    if magic_le not in table:
        raise BenchError(f'{path}: not a classic pcap file (pcapng must be converted first)')
    endian, scale = table[magic_le]
    linktype = struct.unpack_from(endian + 'I', raw, 20)[0] & 0x0fffffff
    rec = struct.Struct(endian + 'IIII')
    frames = []
    off = 24
    while off + 16 <= len(raw):
        sec, frac, caplen, origlen = rec.unpack_from(raw, off)
        off += 16
        if off + caplen > len(raw):
            break
        frames.append(Frame(sec * 1_000_000_000 + frac * scale, raw[off:off + caplen], origlen))
        off += caplen
    return linktype, frames


class PcapWriter:
    """Classic little-endian microsecond pcap."""

    def __init__(self, path, linktype, snaplen=262144):
        self.f = open(path, 'wb', buffering=1 << 20)
        self.f.write(struct.pack('<IHHiIII', 0xa1b2c3d4, 2, 4, 0, 0, snaplen, linktype))
        self.rec = struct.Struct('<IIII')

    def write(self, ts_ns, data, orig_len):
        us = ts_ns // 1000
        self.f.write(self.rec.pack(us // 1_000_000, us % 1_000_000, len(data), orig_len))
        self.f.write(data)

    def close(self):
        self.f.close()


def ip_offset(linktype, data):
    """Offset of the IP header in a frame, or None."""
    if linktype == 1:                       # Ethernet (+ VLAN tags)
        off, etype = 12, None
        while off + 2 <= len(data):
            etype = struct.unpack_from('!H', data, off)[0]
            if etype in (0x8100, 0x88a8, 0x9100):
                off += 4
                continue
            break
        return off + 2 if etype in (0x0800, 0x86dd) else None
    if linktype == 113:                     # Linux cooked v1
        return 16
    if linktype == 276:                     # Linux cooked v2
        return 20
    if linktype in (0, 108):                # BSD null / OpenBSD loop
        return 4
    if linktype in (12, 14, 101, 228, 229):  # raw IP
        return 0
    return None


@dataclass
class Datagram:
    """One export datagram of the sample: where its UDP payload starts in the frame."""
    frame_no: int          # 1-based frame number in the sample
    frame: Frame
    ip_off: int
    ipv6: bool
    udp_off: int
    payload_off: int
    version: int
    session: tuple
    dst_port: int
    has_template: bool = False
    redefines: bool = False     # a template id defined twice, differently, in this datagram
    templates: dict = field(default_factory=dict)   # (kind, template id) -> definition bytes
    data_records: int = 0
    options_records: int = 0


def locate_udp(linktype, data):
    ip = ip_offset(linktype, data)
    if ip is None or ip >= len(data):
        return None
    v = data[ip] >> 4
    if v == 4:
        ihl = (data[ip] & 0x0f) * 4
        if len(data) < ip + ihl + 8 or data[ip + 9] != 17:
            return None
        if struct.unpack_from('!H', data, ip + 6)[0] & 0x3fff:   # fragment
            return None
        return ip, False, ip + ihl
    if v == 6:
        if len(data) < ip + 48 or data[ip + 6] != 17:   # no extension headers expected
            return None
        return ip, True, ip + 40
    return None


def parse_sets(dg, payload):
    """Find template sets; record each template's definition (to detect redefinitions)."""
    if dg.version == 9:
        off, tmpl_ids, opt_ids = 20, (0,), (1,)
    elif dg.version == 10:
        off, tmpl_ids, opt_ids = 16, (2,), (3,)
    else:
        return
    end = len(payload)
    if dg.version == 10:
        end = min(end, struct.unpack_from('!H', payload, 2)[0])
    while off + 4 <= end:
        set_id, set_len = struct.unpack_from('!HH', payload, off)
        if set_len < 4 or off + set_len > end:
            break
        if set_id in tmpl_ids or set_id in opt_ids:
            dg.has_template = True
            body = payload[off + 4:off + set_len]
            p = 0
            while p + 4 <= len(body):
                tid, a = struct.unpack_from('!HH', body, p)
                if set_id in tmpl_ids:
                    if dg.version == 9:
                        size = 4 + 4 * a
                    else:                              # IPFIX: enterprise bit doubles a spec
                        size, q = 4, p + 4
                        for _ in range(a):
                            if q + 4 > len(body):
                                break
                            etype = struct.unpack_from('!H', body, q)[0]
                            step = 8 if etype & 0x8000 else 4
                            size += step
                            q += step
                else:
                    if dg.version == 9:            # tid, scope bytes, option bytes
                        b = struct.unpack_from('!H', body, p + 4)[0] if p + 6 <= len(body) else 0
                        size = 6 + a + b
                    else:                          # tid, field count, scope count, specs
                        size, q = 6, p + 6
                        for _ in range(a):
                            if q + 4 > len(body):
                                break
                            etype = struct.unpack_from('!H', body, q)[0]
                            step = 8 if etype & 0x8000 else 4
                            size += step
                            q += step
                if tid < 256 or p + size > len(body):
                    break                          # padding or withdrawal
                definition = bytes(body[p:p + size])
                if dg.templates.setdefault((set_id, tid), definition) != definition:
                    dg.redefines = True
                p += size
        off += set_len


def load_sample(path):
    linktype, frames = read_pcap(path)
    dgrams = []
    for i, fr in enumerate(frames, 1):
        loc = locate_udp(linktype, fr.data)
        if loc is None:
            continue
        ip, v6, udp = loc
        pay = udp + 8
        if len(fr.data) < pay + 4:
            continue
        version = struct.unpack_from('!H', fr.data, pay)[0]
        if version not in (1, 5, 9, 10):
            continue
        payload = fr.data[pay:]
        domain = 0
        if version == 9 and len(payload) >= 20:
            domain = struct.unpack_from('!I', payload, 16)[0]
        elif version == 10 and len(payload) >= 16:
            domain = struct.unpack_from('!I', payload, 12)[0]
        if v6:
            addrs = fr.data[ip + 8:ip + 40]
        else:
            addrs = fr.data[ip + 12:ip + 20]
        ports = fr.data[udp:udp + 4]
        dg = Datagram(i, fr, ip, v6, udp, pay, version, (addrs, ports, version, domain),
                      struct.unpack_from('!H', fr.data, udp + 2)[0])
        parse_sets(dg, payload)
        dgrams.append(dg)
    return linktype, dgrams


# --------------------------------------------------------------------- nfpcap helpers

def nfpcap_stats_json(nfpcap, path):
    out = subprocess.run([nfpcap, 'stats', '--format', 'json', str(path)],
                         capture_output=True, text=True)
    if out.returncode != 0:
        raise BenchError(f'nfpcap stats {path} failed ({out.returncode}): {out.stderr.strip()}')
    return json.loads(out.stdout)


def count_records_per_frame(nfpcap, path, dgrams):
    """Data and options records of each sample datagram, as nfpcap decodes them."""
    by_frame = {d.frame_no: d for d in dgrams}
    proc = subprocess.Popen([nfpcap, 'flows', '--options', '--format', 'json', str(path)],
                            stdout=subprocess.PIPE, text=True)
    for line in proc.stdout:
        rec = json.loads(line)
        d = by_frame.get(rec.get('frame'))
        if d is None:
            continue
        if rec.get('kind') == 'options':
            d.options_records += 1
        else:
            d.data_records += 1
    if proc.wait() != 0:
        raise BenchError(f'nfpcap flows --options {path} failed ({proc.returncode})')


# --------------------------------------------------------------------- capture generator

def ones_complement_sum(b):
    if len(b) % 2:
        b += b'\0'
    s = sum(array.array('H', b))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return s


def udp6_checksum(frame, dg):
    ip, udp = dg.ip_off, dg.udp_off
    length = struct.unpack_from('!H', frame, udp + 4)[0]
    seg = bytes(frame[udp:udp + 6]) + b'\0\0' + bytes(frame[udp + 8:udp + length])
    pseudo = bytes(frame[ip + 8:ip + 40]) + struct.pack('!IxxxB', length, 17)
    s = ones_complement_sum(pseudo + seg)      # in host order
    if sys.byteorder == 'little':
        s = ((s & 0xff) << 8) | (s >> 8)
    c = ~s & 0xffff
    return c or 0xffff


def generate(dgrams, linktype, out_path, size_bytes, min_records, min_datagrams,
             interval_us=DEFAULT_INTERVAL_US):
    """Write the large capture; return (datagrams, data records expected)."""
    tmpl = [d for d in dgrams if d.has_template]
    data = [d for d in dgrams if not d.has_template]
    definitions = {}
    consistent = not any(d.redefines for d in tmpl)
    for d in tmpl:
        for key, body in d.templates.items():
            k = (d.session, key)
            if definitions.setdefault(k, body) != body:
                consistent = False
    if consistent and data:
        # Templates at the front, then the data-only datagrams over and over, with one
        # template datagram re-sent every TEMPLATE_REFRESH datagrams (like an exporter's refresh).
        front, cycle, refresh = tmpl, data, tmpl
        mode = (f'{len(tmpl)} template datagrams first, then {len(data)} data datagrams repeated, '
                f'templates re-sent every {TEMPLATE_REFRESH} datagrams')
    else:
        front, cycle, refresh = [], dgrams, []
        why = 'templates redefined in the sample' if not consistent else 'every datagram carries templates'
        mode = f'all {len(dgrams)} datagrams repeated in order ({why})'
    log(f'  layout: {mode}')

    w = PcapWriter(out_path, linktype)
    base_ts = dgrams[0].frame.ts_ns
    step_ns = interval_us * 1000
    seq = {}               # session -> next sequence number
    uptime_base = {}       # session -> (uptime at first datagram, its new timestamp)
    n = records = 0
    written = 24
    ci = ri = 0

    def emit(dg):
        nonlocal n, records, written
        ts = base_ts + n * step_ns
        fr = bytearray(dg.frame.data)
        p = dg.payload_off
        sess = dg.session
        secs = ts // 1_000_000_000
        if dg.version in (1, 5, 9):
            if sess not in uptime_base:
                uptime_base[sess] = (struct.unpack_from('!I', fr, p + 4)[0], ts)
            up0, ts0 = uptime_base[sess]
            struct.pack_into('!II', fr, p + 4, (up0 + (ts - ts0) // 1_000_000) & 0xffffffff, secs & 0xffffffff)
            if dg.version in (1, 5):
                struct.pack_into('!I', fr, p + 12, ts % 1_000_000_000)
        else:
            struct.pack_into('!I', fr, p + 4, secs & 0xffffffff)
        # Sequence numbers continue across repetitions, so the capture has no gaps:
        # v5 counts flows, v9 packets, IPFIX data records (options records included).
        if dg.version in (5, 9, 10):
            s = seq.get(sess)
            if s is None:
                s = struct.unpack_from('!I', fr, p + (16 if dg.version == 5 else 12 if dg.version == 9 else 8))[0]
            if dg.version == 5:
                struct.pack_into('!I', fr, p + 16, s)
                s += struct.unpack_from('!H', fr, p + 2)[0]
            elif dg.version == 9:
                struct.pack_into('!I', fr, p + 12, s)
                s += 1
            else:
                struct.pack_into('!I', fr, p + 8, s)
                s += dg.data_records + dg.options_records
            seq[sess] = s & 0xffffffff
        if dg.ipv6:
            struct.pack_into('!H', fr, dg.udp_off + 6, 0)
            struct.pack_into('!H', fr, dg.udp_off + 6, udp6_checksum(fr, dg))
        else:
            struct.pack_into('!H', fr, dg.udp_off + 6, 0)     # IPv4: no UDP checksum
        w.write(ts, fr, dg.frame.orig_len)
        n += 1
        records += dg.data_records
        written += 16 + len(fr)

    for d in front:
        emit(d)
    while written < size_bytes or records < min_records or n < min_datagrams:
        if refresh and n % TEMPLATE_REFRESH == 0:
            emit(refresh[ri % len(refresh)])
            ri += 1
            continue
        emit(cycle[ci % len(cycle)])
        ci += 1
    w.close()
    return n, records


# --------------------------------------------------------------------- sample choice

def pick_default_sample(nfpcap):
    """The softflowd v9/IPFIX sample with the most data records per datagram."""
    cands = sorted(p for p in (REPO / 'samples').glob('softflowd*')
                   if p.suffix in ('.pcap', '.pcapng') and ('v9' in p.name or 'ipfix' in p.name))
    best = None
    for p in cands:
        try:
            st = nfpcap_stats_json(nfpcap, p)
        except BenchError:
            continue
        if not st.get('datagrams') or not st.get('data_records'):
            continue
        rpd = st['data_records'] / max(st.get('export_datagrams') or st['datagrams'], 1)
        log(f'  candidate {p.relative_to(REPO)}: {st["data_records"]} records / '
            f'{st["datagrams"]} datagrams = {rpd:.1f} per datagram')
        # ties (the softflowd samples export the same flows): more datagrams, then the plainest name
        key = (round(rpd, 1), st['datagrams'], -len(p.name), p.name)
        if best is None or key > best[0]:
            best = (key, p)
    if best is None:
        raise BenchError('no softflowd v9/IPFIX sample under samples/ (run samples/make-samples.sh, '
                         'or pass --sample)')
    return best[1]


def file_digest(path):
    h = hashlib.sha256()
    with open(path, 'rb') as f:
        for chunk in iter(lambda: f.read(1 << 20), b''):
            h.update(chunk)
    return h.hexdigest()


# --------------------------------------------------------------------- measurement

@dataclass
class Measure:
    name: str
    wall: float          # best wall clock, seconds
    cpu: float           # user+sys of the best run
    rss_mb: float        # max ru_maxrss over the runs
    records: int = 0
    size: int = 0        # bytes of the capture it read

    @property
    def rate(self):
        return self.records / self.wall if self.wall > 0 else 0.0


RUSAGE_RUN = None      # bench/rusage_run.cpp, set in main()


def run_once(cmd):
    """(wall s, user+sys s, peak RSS MB) of one run, output to /dev/null."""
    with tempfile.NamedTemporaryFile(prefix='nfpcap-bench-rusage-', delete=False) as res:
        res_path = res.name
    try:
        full = [RUSAGE_RUN, res_path, *cmd] if RUSAGE_RUN else list(cmd)
        with open(os.devnull, 'wb') as null:
            t0 = time.perf_counter()
            p = subprocess.Popen(full, stdout=null, stderr=subprocess.PIPE)
            err = p.stderr.read()
            # wait4: the rusage of this one child (RUSAGE_CHILDREN's ru_maxrss is a max over
            # every child so far, useless per run).
            _, status, ru = os.wait4(p.pid, 0)
            wall = time.perf_counter() - t0
        p.returncode = os.waitstatus_to_exitcode(status)
        p.stderr.close()
        if p.returncode != 0:
            raise BenchError(f'{" ".join(map(str, cmd))} failed ({p.returncode}): '
                             f'{err.decode(errors="replace").strip()}')
        if RUSAGE_RUN:
            # The command's own figures, measured by rusage_run (see rusage_run.cpp: a direct
            # child of Python inherits Python's RSS as its ru_maxrss floor).
            with open(res_path) as f:
                r = dict(kv.split('=') for kv in f.read().split())
            return float(r['wall_s']), float(r['user_s']) + float(r['sys_s']), int(r['maxrss_kb']) / 1024.0
        return wall, ru.ru_utime + ru.ru_stime, ru.ru_maxrss / 1024.0
    finally:
        os.unlink(res_path)


def measure(name, cmd, runs, records=0, size=0):
    return measure_together([(name, cmd)], runs, records, size)[0]


def measure_together(commands, runs, records=0, size=0):
    """Measure of each (name, cmd), their runs interleaved: round after round, each command
    once. A ratio of two of them then compares runs taken seconds apart, not a whole series
    apart: this VM's speed drifts by 20-50% over minutes, and with the series one after the
    other the drift moved the ratios (csv/json read 1.3x in two runs, 1.0x interleaved)."""
    best = [None] * len(commands)
    rss = [0.0] * len(commands)
    for _ in range(runs):
        for i, (_, cmd) in enumerate(commands):
            wall, cpu, r = run_once(cmd)
            rss[i] = max(rss[i], r)
            if best[i] is None or wall < best[i][0]:
                best[i] = (wall, cpu)
    ms = []
    for (name, _), b, r in zip(commands, best, rss):
        m = Measure(name, b[0], b[1], r, records, size)
        log(f'  {name:<34} {m.wall:8.3f} s  (cpu {m.cpu:.3f} s, peak RSS {m.rss_mb:.1f} MB)')
        ms.append(m)
    return ms


def warm(path):
    with open(path, 'rb') as f:
        while f.read(1 << 22):
            pass


# --------------------------------------------------------------------- main

def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--nfpcap', required=True, help='nfpcap executable (release build)')
    ap.add_argument('--pcap-loop', required=True, help='pcap_loop executable (build/bench/pcap_loop)')
    ap.add_argument('--rusage-run', help='rusage_run executable (default: next to --pcap-loop); '
                    'without it peak RSS figures include Python\'s own RSS')
    ap.add_argument('--sample', help='export capture to repeat (default: the softflowd v9/IPFIX '
                    'sample under samples/ with the most records per datagram)')
    ap.add_argument('--size-mb', type=float, default=120, help='minimum capture size in MB (default 120)')
    ap.add_argument('--min-records', type=int, default=2_000_000, help='minimum data records (default 2000000)')
    ap.add_argument('--min-datagrams', type=int, default=70_000, help='minimum datagrams (default 70000)')
    ap.add_argument('--tshark-datagrams', type=int, default=3000,
                    help='datagrams in the slice given to tshark (default 3000)')
    ap.add_argument('--runs', type=int, default=5, help='runs per command, best is kept (default 5)')
    ap.add_argument('--work-dir', help='where the generated capture is cached '
                    '(default: $TMPDIR/nfpcap-bench)')
    ap.add_argument('--no-tshark', action='store_true', help='skip the tshark comparison')
    ap.add_argument('--connections', type=int, default=5_000_000,
                    help='distinct connections of the high-cardinality capture (default 5000000; 0 skips it)')
    ap.add_argument('--no-nfacctd', action='store_true', help='skip the pmacct nfacctd comparison')
    args = ap.parse_args()

    nfpcap = str(Path(args.nfpcap).resolve())
    pcap_loop = str(Path(args.pcap_loop).resolve())
    for exe in (nfpcap, pcap_loop):
        if not os.access(exe, os.X_OK):
            raise BenchError(f'{exe}: not an executable (build first: ninja -C build)')
    global RUSAGE_RUN
    rr = Path(args.rusage_run) if args.rusage_run else Path(pcap_loop).parent / 'rusage_run'
    if os.access(rr, os.X_OK):
        RUSAGE_RUN = str(rr.resolve())
    else:
        log(f'warning: {rr} not found: peak RSS figures are upper bounds (they include the RSS '
            'of this Python process, inherited at fork)')
    tshark = shutil.which('tshark')
    editcap = shutil.which('editcap')

    work = Path(args.work_dir or Path(tempfile.gettempdir()) / 'nfpcap-bench')
    work.mkdir(parents=True, exist_ok=True)

    log('== sample')
    sample = Path(args.sample).resolve() if args.sample else pick_default_sample(nfpcap)
    if not sample.is_file():
        raise BenchError(f'{sample}: no such file')
    log(f'  sample: {sample}')
    digest = file_digest(sample)
    key = hashlib.sha256(f'{digest} {args.size_mb} {args.min_records} {args.min_datagrams} '
                         f'{GENERATOR_VERSION}'.encode()).hexdigest()[:16]
    big = work / f'big-{key}.pcap'

    with tempfile.TemporaryDirectory(prefix='nfpcap-bench-') as tmp:
        sample_pcap = sample
        with open(sample, 'rb') as f:
            is_pcapng = f.read(4) == b'\x0a\x0d\x0d\x0a'
        if is_pcapng:
            if not editcap:
                raise BenchError(f'{sample} is pcapng: editcap (wireshark-common) is needed to convert it')
            sample_pcap = Path(tmp) / 'sample.pcap'
            subprocess.run([editcap, '-F', 'pcap', str(sample), str(sample_pcap)], check=True)
        linktype, dgrams = load_sample(sample_pcap)
        if not dgrams:
            raise BenchError(f'{sample}: no NetFlow/IPFIX datagram found')
        port = dgrams[0].dst_port

        log('== large capture')
        if big.is_file():
            log(f'  reusing cached {big}')
        else:
            count_records_per_frame(nfpcap, sample_pcap, dgrams)
            part = big.with_suffix('.part')
            t0 = time.perf_counter()
            generate(dgrams, linktype, part, int(args.size_mb * 1e6), args.min_records,
                     args.min_datagrams)
            part.rename(big)
            log(f'  generated {big} in {time.perf_counter() - t0:.1f} s')

    st = nfpcap_stats_json(nfpcap, big)
    size = big.stat().st_size
    datagrams, records = st['datagrams'], st['data_records']
    log(f'  {big.name}: {size / 1e6:.1f} MB, {datagrams} datagrams, {records} data records '
        f'({records / max(datagrams, 1):.1f} per datagram), collector port {port}')
    problems = {k: st[k] for k in ('partial_datagrams', 'malformed_datagrams', 'missing_template_sets',
                                   'sequence_gaps', 'not_export_datagrams') if st.get(k)}
    if problems:
        log(f'  warning: nfpcap reports {problems} in the generated capture')
    if size < 100e6 or records < 2_000_000:
        log('  warning: capture below the issue minimum (100 MB, 2 million records)')

    slice_path = None
    slice_records = 0
    if args.no_tshark:
        log('  tshark comparison skipped (--no-tshark)')
    elif not tshark or not editcap:
        log('  tshark/editcap not installed (apt-get install tshark): tshark comparison skipped')
    else:
        slice_path = work / f'slice-{key}-{args.tshark_datagrams}.pcap'
        if not slice_path.is_file():
            subprocess.run([editcap, '-r', str(big), str(slice_path), f'1-{args.tshark_datagrams}'],
                           check=True)
        sst = nfpcap_stats_json(nfpcap, slice_path)
        slice_records = sst['data_records']
        log(f'  tshark slice: {slice_path.stat().st_size / 1e6:.1f} MB, {sst["datagrams"]} datagrams, '
            f'{slice_records} data records')

    log(f'== measurements (best of {args.runs}, interleaved, wall clock, output to /dev/null)')
    warm(big)
    ms = measure_together([
        ('pcap_loop', [pcap_loop, str(big)]),
        ('nfpcap stats', [nfpcap, 'stats', str(big)]),
        ('nfpcap flows --format json', [nfpcap, 'flows', '--format', 'json', str(big)]),
        ('nfpcap flows -T json --threads 1', [nfpcap, 'flows', '--format', 'json', '--threads', '1', str(big)]),
        ('nfpcap flows --format csv', [nfpcap, 'flows', '--format', 'csv', str(big)]),
        ('nfpcap flows -T csv --threads 1', [nfpcap, 'flows', '--format', 'csv', '--threads', '1', str(big)]),
        ('nfpcap connections', [nfpcap, 'connections', '-n', str(big)]),
    ], args.runs, records, size)
    loop, stats, flows, flows1, csv, csv1, conns = ms
    nfacctd = shutil.which('nfacctd') if not args.no_nfacctd else None
    nf = None
    if nfacctd:
        nf = measure('nfacctd (print, 5-tuple)', nfacctd_cmd(nfacctd, big, work), args.runs, records, size)
        ms.append(nf)
    elif not args.no_nfacctd:
        log('  nfacctd not installed (apt-get install pmacct): nfacctd comparison skipped')
    ts = small = ts0 = None
    if slice_path:
        slice_size = slice_path.stat().st_size
        small = measure('nfpcap flows --format json (slice)',
                        [nfpcap, 'flows', '--format', 'json', str(slice_path)], args.runs, slice_records,
                        slice_size)
        tshark_cmd = [tshark, '-r', str(slice_path), '-d', f'udp.port=={port},cflow', '-T', 'ek']
        ts = measure('tshark -T ek (slice)', tshark_cmd, args.runs, slice_records, slice_size)
        # tshark's fixed start-up cost (dissector registration...): the same command on one datagram
        one = work / f'slice-{key}-1.pcap'
        if not one.is_file():
            subprocess.run([editcap, '-r', str(big), str(one), '1-1'], check=True)
        tshark_cmd[2] = str(one)
        ts0 = measure('tshark -T ek (1 datagram: start-up)', tshark_cmd, args.runs, 0, one.stat().st_size)
        ms += [small, ts, ts0]

    log('')
    log(f'capture: {size / 1e6:.1f} MB, {datagrams} datagrams, {records} data records; '
        f'tshark slice: {slice_records} records')
    log(f'{"command":<36} {"wall s":>9} {"cpu s":>9} {"MB/s":>8} {"records/s":>12} {"peak RSS MB":>12}')
    for m in ms:
        rate = f'{m.rate:12,.0f}' if m.records else f'{"-":>12}'
        log(f'{m.name:<36} {m.wall:9.3f} {m.cpu:9.3f} {m.size / 1e6 / m.wall:8.1f} {rate} {m.rss_mb:12.1f}')

    log('')
    verdict = lambda ok: 'PASS' if ok else 'MISS'
    r1 = stats.wall / loop.wall
    log(f'nfpcap stats / bare loop time:           {r1:6.2f}x   (target <= {TARGET_STATS_VS_LOOP:g})   '
        f'{verdict(r1 <= TARGET_STATS_VS_LOOP)}')
    if loop.cpu > 0:
        log(f'  same in CPU time (less sensitive to other load): {stats.cpu / loop.cpu:.2f}x')
    if ts:
        r2 = flows.rate / ts.rate
        log(f'flows json records/s / tshark records/s: {r2:6.1f}x   (target >= {TARGET_JSON_VS_TSHARK:g})  '
            f'{verdict(r2 >= TARGET_JSON_VS_TSHARK)}')
        steady = ts.wall - ts0.wall
        if steady > 0:
            r3 = flows.rate / (slice_records / steady)
            log(f'  same, tshark start-up ({ts0.wall:.2f} s) excluded: {r3:6.1f}x   '
                f'(tshark {slice_records / steady:,.0f} records/s)  {verdict(r3 >= TARGET_JSON_VS_TSHARK)}')
        steady_cpu = ts.cpu - ts0.cpu
        if steady_cpu > 0 and flows.cpu > 0:
            r4 = (records / flows.cpu) / (slice_records / steady_cpu)
            log(f'  same in CPU time, start-up excluded: {r4:.1f}x')
    else:
        log('flows json records/s / tshark records/s:    n/a   (target >= 50)  SKIP')
    r5 = csv.wall / flows.wall
    log(f'flows csv / flows json time:             {r5:6.2f}x   (target <= {TARGET_CSV_VS_JSON:g})   '
        f'{verdict(r5 <= TARGET_CSV_VS_JSON)}')
    log(f'  same in CPU time: {csv.cpu / flows.cpu:.2f}x; with --threads 1: {csv1.wall / flows1.wall:.2f}x')
    r6 = flows1.wall / flows.wall
    log(f'flows json --threads 1 / default ({os.cpu_count()} cores): {r6:5.2f}x   '
        f'(target >= {TARGET_THREADS_SPEEDUP:g})  {verdict(r6 >= TARGET_THREADS_SPEEDUP)}')
    log(f'  csv: {csv1.wall / csv.wall:.2f}x; CPU time spent, default / --threads 1: {flows.cpu / flows1.cpu:.2f}x '
        f'(wall-clock speed-up needs idle cores: other load takes them)')
    if nf:
        # As nfacctd's time over nfpcap's (nfpcap is a few hundred times faster: a ratio the other
        # way round prints as 0.00x); in CPU time too, since nfacctd's wall time is mostly waiting.
        log(f'nfacctd time / nfpcap connections time: {nf.wall / conns.wall:7.1f}x   (CPU time: '
            f'{nf.cpu / conns.cpu:.1f}x; nfacctd print plugin, aggregate by 5-tuple; higher: nfpcap faster)')
    peak = max(stats.rss_mb, flows.rss_mb, flows1.rss_mb, csv.rss_mb)
    log(f'nfpcap peak RSS:                         {peak:6.1f} MB (target < {TARGET_PEAK_RSS_MB:g})   '
        f'{verdict(peak < TARGET_PEAK_RSS_MB)}')
    if small:
        log(f'  (peak RSS on the {slice_records}-record slice: {small.rss_mb:.1f} MB; on the full capture: '
            f'{flows.rss_mb:.1f} MB)')
    if args.connections > 0:
        high_cardinality(nfpcap, work, args, nfacctd, verdict)
    return 0


def nfacctd_cmd(nfacctd, capture, work):
    """pmacct's collector reading a savefile, its print plugin aggregating by 5-tuple (the
    nearest to a connection table), written to a file at the end."""
    conf = work / f'nfacctd-{capture.stem}.conf'
    conf.write_text(f'daemonize: false\npcap_savefile: {capture}\nplugins: print\n'
                    f'aggregate: src_host, dst_host, src_port, dst_port, proto\nprint_output: csv\n'
                    f'print_output_file: {work / "nfacctd-out.csv"}\nprint_refresh_time: 86400\n')
    return [nfacctd, '-f', str(conf)]


def high_cardinality(nfpcap, work, args, nfacctd, verdict):
    """The connection table on N distinct connections (bench/gen_connections.py, v5)."""
    log('')
    log(f'== high cardinality: {args.connections} distinct connections')
    path = work / f'connections-{args.connections}.pcap'
    if path.is_file():
        log(f'  reusing cached {path}')
    else:
        part = path.with_suffix('.part')
        t0 = time.perf_counter()
        subprocess.run([sys.executable, str(REPO / 'bench' / 'gen_connections.py'), str(part),
                        '--connections', str(args.connections)], check=True)
        part.rename(path)
        log(f'  generated {path} in {time.perf_counter() - t0:.1f} s')
    size = path.stat().st_size
    records = args.connections
    warm(path)
    ms = measure_together([
        ('nfpcap flows --format json', [nfpcap, 'flows', '--format', 'json', str(path)]),
        ('nfpcap connections', [nfpcap, 'connections', '-n', str(path)]),
        ('nfpcap connections --threads 1', [nfpcap, 'connections', '-n', '--threads', '1', str(path)]),
    ], args.runs, records, size)
    flows, conns, conns1 = ms
    nf = None
    if nfacctd:
        nf = measure('nfacctd (print, 5-tuple)', nfacctd_cmd(nfacctd, path, work), args.runs, records, size)
        ms.append(nf)
    log(f'{"command":<36} {"wall s":>9} {"cpu s":>9} {"records/s":>12} {"peak RSS MB":>12}')
    for m in ms:
        log(f'{m.name:<36} {m.wall:9.3f} {m.cpu:9.3f} {m.rate:12,.0f} {m.rss_mb:12.1f}')
    r = conns.wall / flows.wall
    log(f'connections / flows json time:           {r:6.2f}x   (target <= {TARGET_CONNECTIONS_VS_JSON:g})   '
        f'{verdict(r <= TARGET_CONNECTIONS_VS_JSON)}')
    log(f'  same in CPU time: {conns.cpu / flows.cpu:.2f}x; --threads 1: {conns1.wall / flows.wall:.2f}x')
    peak = max(conns.rss_mb, conns1.rss_mb)
    log(f'connections peak RSS:                    {peak:6.1f} MB (target <= {TARGET_CONNECTIONS_RSS_MB:g}; '
        f'{peak * 1048576 / records:.0f} bytes per connection)  {verdict(peak <= TARGET_CONNECTIONS_RSS_MB)}')
    if nf:
        log(f'nfacctd time / nfpcap connections time: {nf.wall / conns.wall:7.1f}x   (CPU time: '
            f'{nf.cpu / conns.cpu:.1f}x; peak RSS {peak:.0f} MB vs {nf.rss_mb:.0f} MB)')


if __name__ == '__main__':
    try:
        sys.exit(main())
    except BenchError as e:
        print(f'run.py: {e}', file=sys.stderr)
        sys.exit(1)
    except subprocess.CalledProcessError as e:
        print(f'run.py: {e}', file=sys.stderr)
        sys.exit(1)
