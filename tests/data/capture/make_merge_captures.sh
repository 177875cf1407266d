#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Captures for --merge (tests/data/capture/merge/, see README.md there):
#   sudo tests/data/capture/make_merge_captures.sh
# Needs root (unshare -n, capturing on lo) and the Debian 12 packages softflowd,
# wireshark-common (dumpcap, editcap, capinfos), python3.
#
# In a private network namespace whose only interface is its loopback (MTU 1000, so the
# exporters' datagrams are fragmented), two softflowd exporters read samples/traffic-lo.pcap at
# the same time, NetFlow v9 to 127.0.0.2:2055 and IPFIX to 127.0.0.3:4739, while two captures
# run at once: dumpcap on lo (Ethernet, pcap) for the v9 collector and dumpcap on any (Linux cooked,
# pcapng) for the IPFIX one. Then editcap cuts captures into pieces whose frames interleave: a TCP
# connection and fragmented datagrams whose parts are in two files.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../../.." && pwd)
OUT="$HERE/merge"
SELF="$HERE/$(basename "$0")"

if [[ "${NFPCAP_IN_NETNS:-}" != 1 ]]; then
    [[ $(id -u) == 0 ]] || { echo "run as root (needs unshare -n and capturing on lo)" >&2; exit 1; }
    for t in softflowd dumpcap editcap capinfos python3 unshare ip ss; do
        command -v "$t" >/dev/null || { echo "missing tool: $t" >&2; exit 1; }
    done
    exec unshare -n env NFPCAP_IN_NETNS=1 bash "$SELF" "$@"
fi

ip link set lo mtu 1000
ip link set lo up
mkdir -p "$OUT"
WORK=$(mktemp -d /tmp/nfpcap-merge-captures.XXXXXX)
chmod 755 "$WORK"
cd "$WORK"
PIDS=()
cleanup() {
    local p
    for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
    wait 2>/dev/null || true
    cd /
    rm -rf "$WORK"
}
trap cleanup EXIT

TRAFFIC="$ROOT/samples/traffic-lo.pcap"

udp_sink() { # address port
    python3 -c '
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind((sys.argv[1], int(sys.argv[2])))
while True: s.recvfrom(65535)
' "$1" "$2" &
    PIDS+=($!)
    for _ in $(seq 50); do ss -Hlnu "sport = :$2" | grep -q . && break; sleep 0.1; done
}

capture() { # out tool args...
    local out=$1; shift
    "$@" -w "$out" 2>"$out.err" &
    CAPS+=($!)
    PIDS+=($!)
    for _ in $(seq 50); do grep -qiE 'listening on|Capturing on' "$out.err" 2>/dev/null && break; sleep 0.1; done
}

# 1. Two exporters at once, captured on two interfaces into two files.
CAPS=()
udp_sink 127.0.0.2 2055
udp_sink 127.0.0.3 4739
# Fragments have no ports: the collectors' addresses tell the exports apart.
capture v9-lo.pcap dumpcap -q -P -i lo -f 'dst host 127.0.0.2'
capture ipfix-any.pcapng dumpcap -q -i any -f 'dst host 127.0.0.3'
sleep 0.5
softflowd -d -r "$TRAFFIC" -n 127.0.0.2:2055 -p "$WORK/a.pid" -c none -v 9 >/dev/null 2>&1 &
A=$!
softflowd -d -r "$TRAFFIC" -n 127.0.0.3:4739 -p "$WORK/b.pid" -c none -v 10 >/dev/null 2>&1 &
B=$!
wait "$A" "$B" || true
sleep 1
for c in "${CAPS[@]}"; do kill -INT "$c"; wait "$c" || true; done
cp v9-lo.pcap ipfix-any.pcapng "$OUT/"
chmod 644 "$OUT/v9-lo.pcap" "$OUT/ipfix-any.pcapng"

# 2. IPFIX over TCP cut in two: frames 1-4 and 8-12 of tool/ipfix-over-tcp.pcap in one file,
#    5-7 (the second data segment) in the other.
editcap -r "$HERE/tool/ipfix-over-tcp.pcap" "$OUT/tcp-part1.pcap" 1-4 8-12
editcap -r "$HERE/tool/ipfix-over-tcp.pcap" "$OUT/tcp-part2.pcap" 5-7

# 3. The v9 capture's frames alternately in two files: fragments of one datagram in both.
n=$(capinfos -c -M -T v9-lo.pcap | awk 'NR == 2 { print $2 }')
editcap -r v9-lo.pcap "$OUT/v9-odd.pcap" $(seq 1 2 "$n")
editcap -r v9-lo.pcap "$OUT/v9-even.pcap" $(seq 2 2 "$n")

echo "written to $OUT:"
ls -l "$OUT"
