#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Delete, duplicate or swap frames of a classic pcap file, keeping every packet byte-exact.

  pcapedit.py IN OUT OP [OP...]

  del:N      drop frame N
  dup:N      write frame N twice; the copy follows the original, stamped 1 microsecond
             (or 1 nanosecond in a nanosecond file) later
  swap:N,M   frames N and M trade places; the timestamps stay where they were, so the
             file's time still only moves forward (what a capture of reordered packets
             looks like)

Frame numbers are 1-based and always refer to IN. The global header is copied unchanged.
"""
import struct
import sys


def main():
    if len(sys.argv) < 4:
        print(__doc__)
        sys.exit(2)
    src, dst, ops = sys.argv[1], sys.argv[2], sys.argv[3:]
    data = open(src, "rb").read()
    magic = data[:4]
    if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1"):
        e = "<"
    elif magic in (b"\xa1\xb2\xc3\xd4", b"\xa1\xb2\x3c\x4d"):
        e = ">"
    else:
        raise SystemExit(f"{src}: not a classic pcap file")
    nano = magic in (b"\x4d\x3c\xb2\xa1", b"\xa1\xb2\x3c\x4d")
    frames = []  # [(sec, frac), record header tail (incl, orig), bytes]
    off = 24
    while off + 16 <= len(data):
        sec, frac, incl, orig = struct.unpack(e + "IIII", data[off:off + 16])
        frames.append([(sec, frac), (incl, orig), data[off + 16:off + 16 + incl]])
        off += 16 + incl
    order = list(range(len(frames)))  # positions -> source frame index
    stamps = [f[0] for f in frames]
    deleted, dups = set(), set()
    for op in ops:
        kind, arg = op.split(":")
        if kind == "del":
            deleted.add(int(arg) - 1)
        elif kind == "dup":
            dups.add(int(arg) - 1)
        elif kind == "swap":
            a, b = (int(x) - 1 for x in arg.split(","))
            order[a], order[b] = order[b], order[a]
        else:
            raise SystemExit(f"unknown operation {op}")
    out = [data[:24]]
    one = 1
    limit = 10**9 if nano else 10**6
    for pos, idx in enumerate(order):
        if idx in deleted:
            continue
        (incl, orig), pkt = frames[idx][1], frames[idx][2]
        sec, frac = stamps[pos]
        out.append(struct.pack(e + "IIII", sec, frac, incl, orig) + pkt)
        if idx in dups:
            frac2, sec2 = frac + one, sec
            if frac2 >= limit:
                frac2, sec2 = frac2 - limit, sec + 1
            out.append(struct.pack(e + "IIII", sec2, frac2, incl, orig) + pkt)
    open(dst, "wb").write(b"".join(out))


if __name__ == "__main__":
    main()
