#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# Writes the capture-stage fixtures (pcap, pcapng, damaged files) byte by byte; stdlib only.
"""Regenerate with:  python3 tests/data/capture/make_fixtures.py

Output is deterministic: running it again must leave `git status` clean.
See README.md beside this script for what each file shows.
"""
import gzip
import ipaddress
import os
import shutil
import struct
import subprocess

HERE = os.path.dirname(os.path.abspath(__file__))

# Capture times of the frames: 2023-11-14T22:13:20.123456789Z, then one second apart.
T0_SEC = 1_700_000_000
T0_NSEC = 123_456_789

DLT_NULL = 0
DLT_EN10MB = 1
LINKTYPE_RAW = 101
DLT_IEEE802_11 = 105
DLT_LOOP = 108
DLT_LINUX_SLL = 113
DLT_LINUX_SLL2 = 276


# ---------------------------------------------------------------- packets


def checksum(data: bytes) -> int:
    """RFC 1071 one's-complement sum."""
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack(f"!{len(data) // 2}H", data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def udp(src, dst, sport, dport, payload: bytes) -> bytes:
    """UDP header + payload with a correct checksum over the IPv4/IPv6 pseudo header."""
    length = 8 + len(payload)
    s, d = ipaddress.ip_address(src).packed, ipaddress.ip_address(dst).packed
    if len(s) == 4:
        pseudo = s + d + struct.pack("!BBH", 0, 17, length)
    else:
        pseudo = s + d + struct.pack("!IxxxB", length, 17)
    header = struct.pack("!HHHH", sport, dport, length, 0)
    c = checksum(pseudo + header + payload) or 0xFFFF
    return struct.pack("!HHHH", sport, dport, length, c) + payload


def ipv4(src, dst, proto, body: bytes, ident=0x1234, frag_offset=0, more=False) -> bytes:
    flags = (0x2000 if more else 0) | (frag_offset // 8)
    h = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(body), ident, flags, 64, proto, 0,
                    ipaddress.ip_address(src).packed, ipaddress.ip_address(dst).packed)
    h = h[:10] + struct.pack("!H", checksum(h)) + h[12:]
    return h + body


def ipv6(src, dst, next_header, body: bytes) -> bytes:
    return struct.pack("!IHBB16s16s", 6 << 28, len(body), next_header, 64,
                       ipaddress.ip_address(src).packed, ipaddress.ip_address(dst).packed) + body


def ipv6_frag_header(next_header, offset, more, ident) -> bytes:
    return struct.pack("!BBHI", next_header, 0, (offset & 0xFFF8) | (1 if more else 0), ident)


def ethernet(ethertype, body: bytes) -> bytes:
    frame = bytes.fromhex("020000000022" "020000000011") + struct.pack("!H", ethertype) + body
    return frame + b"\0" * max(0, 60 - len(frame))  # pad to the Ethernet minimum


def sll(ethertype, body: bytes) -> bytes:
    return struct.pack("!HHH8sH", 0, 1, 6, bytes.fromhex("0200000000110000"), ethertype) + body


def sll2(ethertype, body: bytes) -> bytes:
    return struct.pack("!HHIHBB8s", ethertype, 0, 3, 1, 0, 6, bytes.fromhex("0200000000110000")) + body


TCP_SYN = struct.pack("!HHIIBBHHH", 40000, 80, 1, 0, 0x50, 0x02, 0xFFFF, 0, 0)
ARP = bytes.fromhex("0001080006040001" "020000000011" "c0000201" "000000000000" "c0000202")

# The IP packets most files carry: what the reader must yield, and what it must skip.
V4_UDP = ipv4("192.0.2.1", "192.0.2.2", 17, udp("192.0.2.1", "192.0.2.2", 4739, 2055, b"first datagram"))
V6_UDP = ipv6("2001:db8::1", "2001:db8::2", 17,
              udp("2001:db8::1", "2001:db8::2", 4739, 4739, b"second datagram"))
V4_TCP = ipv4("192.0.2.1", "192.0.2.2", 6, TCP_SYN)


def ether_ip(packet: bytes) -> bytes:
    return ethernet(0x0800 if packet[0] >> 4 == 4 else 0x86DD, packet)


# Ethernet: UDP/IPv4, ARP, UDP/IPv6, TCP/IPv4.
MIXED = [ether_ip(V4_UDP), ethernet(0x0806, ARP), ether_ip(V6_UDP), ether_ip(V4_TCP)]


# ---------------------------------------------------------------- files


def pcap(linktype, frames, nano=False, big_endian=False, snaplen=262144, caplen=None) -> bytes:
    """Classic libpcap file; frame i is stamped T0 + i seconds."""
    e = ">" if big_endian else "<"
    magic = 0xA1B23C4D if nano else 0xA1B2C3D4
    out = struct.pack(e + "IHHiIII", magic, 2, 4, 0, 0, snaplen, linktype)
    for i, frame in enumerate(frames):
        frac = T0_NSEC if nano else T0_NSEC // 1000
        kept = frame if caplen is None else frame[:caplen]
        out += struct.pack(e + "IIII", T0_SEC + i, frac, len(kept), len(frame)) + kept
    return out


def pcapng_block(block_type, body: bytes) -> bytes:
    body += b"\0" * (-len(body) % 4)
    length = 12 + len(body)
    return struct.pack("<II", block_type, length) + body + struct.pack("<I", length)


def pcapng_option(code, value: bytes) -> bytes:
    return struct.pack("<HH", code, len(value)) + value + b"\0" * (-len(value) % 4)


def block(block_type, body: bytes, e="<") -> bytes:
    """A pcapng block in byte order `e`."""
    body += b"\0" * (-len(body) % 4)
    length = 12 + len(body)
    return struct.pack(e + "II", block_type, length) + body + struct.pack(e + "I", length)


def option(code, value: bytes, e="<") -> bytes:
    return struct.pack(e + "HH", code, len(value)) + value + b"\0" * (-len(value) % 4)


def shb(e="<") -> bytes:
    return block(0x0A0D0D0A, struct.pack(e + "IHHq", 0x1A2B3C4D, 1, 0, -1) + option(0, b"", e), e)


def idb(linktype, e="<", tsresol=None, tsoffset=None, name=None, snaplen=262144) -> bytes:
    options = b""
    if name is not None:
        options += option(2, name.encode(), e)
    if tsresol is not None:
        options += option(9, bytes([tsresol]), e)
    if tsoffset is not None:
        options += option(14, struct.pack(e + "q", tsoffset), e)
    return block(1, struct.pack(e + "HHI", linktype, 0, snaplen) + options + option(0, b"", e), e)


def epb(interface, ts, frame, e="<", caplen=None) -> bytes:
    kept = frame if caplen is None else frame[:caplen]
    return block(6, struct.pack(e + "IIIII", interface, ts >> 32, ts & 0xFFFFFFFF, len(kept), len(frame)) + kept, e)


def pcapng_sections():
    """Two sections: little-endian Ethernet (microseconds), then big-endian raw IP (nanoseconds)."""
    usec = T0_SEC * 10**6 + T0_NSEC // 1000
    nsec = (T0_SEC + 1) * 10**9 + T0_NSEC
    return (shb("<") + idb(DLT_EN10MB, "<") + epb(0, usec, ether_ip(V4_UDP), "<") +
            shb(">") + idb(LINKTYPE_RAW, ">", tsresol=9) + epb(0, nsec, V6_UDP, ">"))


def pcapng_blocks():
    """Two interfaces (Ethernet with binary 2^-20 s resolution and an offset of 100 s, SLL2 in
    nanoseconds), every kind of block between the packets: NRB, ISB, custom, DSB, unknown; a
    simple packet block (interface 0) and an obsolete packet block (interface 1)."""
    frames = []
    frames.append(shb())
    frames.append(idb(DLT_EN10MB, tsresol=0x80 | 20, tsoffset=100, name="eth0"))
    frames.append(idb(DLT_LINUX_SLL2, tsresol=9, name="any"))
    ts20 = (T0_SEC << 20) | (1 << 19)  # T0 + 0.5 s
    frames.append(epb(0, ts20, ether_ip(V4_UDP)))
    frames.append(block(4, struct.pack("<HH", 1, 8) + bytes([192, 0, 2, 1]) + b"a.b\0" + struct.pack("<HH", 0, 0)))
    frames.append(block(0x00000BAD, struct.pack("<I", 32473) + b"custom data"))
    frames.append(block(0x0000000A, struct.pack("<II", 0x544c534b, 4) + b"keys"))
    frames.append(block(0x12345678, b"an unknown block type"))
    nsec = (T0_SEC + 1) * 10**9 + T0_NSEC
    frames.append(epb(1, nsec, sll2(0x86DD, V6_UDP)))
    frames.append(block(5, struct.pack("<III", 1, nsec >> 32, nsec & 0xFFFFFFFF) +
                        option(5, struct.pack("<Q", 3)) + option(0, b"")))
    frames.append(block(3, struct.pack("<I", len(ether_ip(V4_UDP))) + ether_ip(V4_UDP)))
    frames.append(block(2, struct.pack("<HHIIII", 1, 0, nsec >> 32, nsec & 0xFFFFFFFF, len(sll2(0x0806, ARP)),
                                       len(sll2(0x0806, ARP))) + sll2(0x0806, ARP)))
    return b"".join(frames)


def pcapng(linktype, frames, tsresol=None) -> bytes:
    """pcapng: section header, one interface, one enhanced packet block per frame."""
    shb = struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, -1) + pcapng_option(4, b"nfpcap make_fixtures.py") \
        + pcapng_option(0, b"")
    out = pcapng_block(0x0A0D0D0A, shb)
    options = b""
    if tsresol is not None:
        options += pcapng_option(9, bytes([tsresol]))  # if_tsresol
    options += pcapng_option(0, b"")
    out += pcapng_block(1, struct.pack("<HHI", linktype, 0, 262144) + options)
    units = 10 ** (tsresol if tsresol is not None else 6)
    for i, frame in enumerate(frames):
        ts = (T0_SEC + i) * units + T0_NSEC * units // 1_000_000_000
        epb = struct.pack("<IIIII", 0, ts >> 32, ts & 0xFFFFFFFF, len(frame), len(frame)) + frame
        out += pcapng_block(6, epb)
    return out


def fragmented():
    """An IPv4 datagram in 3 fragments and an IPv6 one in 2, interleaved, with a whole datagram."""
    d4 = udp("192.0.2.1", "192.0.2.2", 4739, 2055, bytes(range(64)) * 2)  # 136 bytes
    d6 = udp("2001:db8::1", "2001:db8::2", 4739, 4739, b"v6 reassembled " * 4)  # 68 bytes

    def frag4(a, b):
        return ether_ip(ipv4("192.0.2.1", "192.0.2.2", 17, d4[a:b], ident=0x0BAD,
                             frag_offset=a, more=b < len(d4)))

    def frag6(a, b):
        return ether_ip(ipv6("2001:db8::1", "2001:db8::2", 44,
                             ipv6_frag_header(17, a, b < len(d6), 0xC0FFEE) + d6[a:b]))

    return [frag4(0, 48), frag6(0, 32), frag4(96, 136), ether_ip(V4_UDP), frag6(32, 68), frag4(48, 96)]


def orphan_fragment():
    """A first fragment whose rest never comes, then a whole datagram."""
    d = udp("192.0.2.1", "192.0.2.2", 4739, 2055, b"x" * 40)
    return [ether_ip(ipv4("192.0.2.1", "192.0.2.2", 17, d[:24], ident=7, more=True)), ether_ip(V4_UDP)]


def main():
    files = {
        "ethernet_usec.pcap": pcap(DLT_EN10MB, MIXED),
        "ethernet_nsec.pcap": pcap(DLT_EN10MB, MIXED, nano=True),
        "ethernet_big_endian.pcap": pcap(DLT_EN10MB, MIXED, big_endian=True),
        "ethernet_usec.pcapng": pcapng(DLT_EN10MB, MIXED),
        "ethernet_nsec.pcapng": pcapng(DLT_EN10MB, MIXED, tsresol=9),
        "linux_sll.pcap": pcap(DLT_LINUX_SLL, [sll(0x0800, V4_UDP), sll(0x0806, ARP), sll(0x86DD, V6_UDP)]),
        "linux_sll2.pcap": pcap(DLT_LINUX_SLL2, [sll2(0x0800, V4_UDP), sll2(0x0806, ARP), sll2(0x86DD, V6_UDP)]),
        "linux_sll2.pcapng": pcapng(DLT_LINUX_SLL2, [sll2(0x0800, V4_UDP), sll2(0x86DD, V6_UDP)], tsresol=9),
        "raw_ip.pcap": pcap(LINKTYPE_RAW, [V4_UDP, V4_TCP, V6_UDP]),
        "null_loopback.pcap": pcap(DLT_NULL, [struct.pack("<I", 2) + V4_UDP, struct.pack("<I", 30) + V6_UDP]),
        "loop_loopback.pcap": pcap(DLT_LOOP, [struct.pack(">I", 2) + V4_UDP, struct.pack(">I", 24) + V6_UDP]),
        "fragmented_udp.pcap": pcap(DLT_EN10MB, fragmented()),
        "orphan_fragment.pcap": pcap(DLT_EN10MB, orphan_fragment()),
        # snaplen 50: UDP header complete, payload cut to 8 of its 14 bytes.
        "snaplen_50.pcap": pcap(DLT_EN10MB, [ether_ip(V4_UDP)], snaplen=50, caplen=50),
        "header_only.pcap": pcap(DLT_EN10MB, []),
        "unsupported_ieee802_11.pcap": pcap(DLT_IEEE802_11, [bytes(24) + V4_UDP]),
        "invalid/empty.pcap": b"",
        # Two whole records, then one whose data stops 30 bytes early.
        "invalid/cut_mid_record.pcap": pcap(DLT_EN10MB, MIXED[:3])[:-30],
        # Two whole records, then 7 bytes of the third record's 16-byte header.
        "invalid/cut_mid_record_header.pcap":
            pcap(DLT_EN10MB, MIXED[:2]) + pcap(DLT_EN10MB, MIXED[2:3])[24:24 + 7],
        "invalid/cut_mid_block.pcapng": pcapng(DLT_EN10MB, MIXED[:3])[:-30],
        "invalid/not_a_capture.txt": b"This is a text file, not a packet capture.\n",
        "pcapng_sections.pcapng": pcapng_sections(),
        "pcapng_blocks.pcapng": pcapng_blocks(),
        # A packet on interface 1 of a section that describes only interface 0, then a good one.
        "invalid/pcapng_no_interface.pcapng": shb() + idb(DLT_EN10MB) + epb(1, 0, ether_ip(V4_UDP)) +
        epb(0, 0, ether_ip(V6_UDP)),
        # A block whose trailing length differs from its leading one, after one good packet.
        "invalid/pcapng_length_mismatch.pcapng": shb() + idb(DLT_EN10MB) + epb(0, 0, ether_ip(V4_UDP)) +
        epb(0, 0, ether_ip(V6_UDP))[:-4] + struct.pack("<I", 0x1000),
        # Packets before any section header.
        "invalid/pcapng_no_section.pcapng": shb()[:0] + b"\x0a\x0d\x0d\x0a" + bytes(8),
    }
    # Compressed: a whole gzip stream holding a capture cut mid-record, and a gzip stream that is
    # itself cut (after one whole record).
    cut = pcap(DLT_EN10MB, MIXED[:3])[:-30]
    files["invalid/cut_mid_record.pcap.gz"] = gzip.compress(cut, 9, mtime=0)
    whole = gzip.compress(pcap(DLT_EN10MB, MIXED), 9, mtime=0)
    files["invalid/cut_gzip_stream.pcap.gz"] = whole[:len(whole) * 2 // 3]
    files["ethernet_usec.pcap.gz"] = whole
    # Two gzip members one after the other, as `cat a.gz b.gz` makes: one stream to zcat.
    full = pcap(DLT_EN10MB, MIXED)
    files["two_members.pcap.gz"] = gzip.compress(full[:100], 9, mtime=0) + gzip.compress(full[100:], 9, mtime=0)
    if shutil.which("zstd"):
        def zstd(data):
            return subprocess.run(["zstd", "-q", "-19", "-c"], input=data, capture_output=True, check=True).stdout
        files["ethernet_nsec.pcapng.zst"] = zstd(pcapng(DLT_EN10MB, MIXED, tsresol=9))
        # Two zstd frames: the file header and two records, then the rest, cut short.
        whole = pcap(DLT_EN10MB, MIXED)
        split = 24 + 2 * 16 + len(MIXED[0]) + len(MIXED[1])
        rest = zstd(whole[split:])
        files["invalid/cut_zstd_stream.pcap.zst"] = zstd(whole[:split]) + rest[:len(rest) // 2]
    for name, data in files.items():
        path = os.path.join(HERE, name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            f.write(data)


if __name__ == "__main__":
    main()
