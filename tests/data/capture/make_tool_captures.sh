#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Captures made by real tools for the capture-stage tests (tests/data/capture/tool/):
#   sudo tests/data/capture/make_tool_captures.sh
# Needs root (unshare -n, capturing on lo) and the Debian 12 packages softflowd, tcpdump,
# wireshark-common (dumpcap, mergecap, editcap), gzip, zstd, python3.
#
# Everything runs in a private network namespace whose only interface is its loopback: the
# exports go to 127.0.0.1 of that namespace and nowhere else. softflowd reads the committed
# samples/traffic-lo.pcap, so what it exports is the flows of that traffic.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../../.." && pwd)
OUT="$HERE/tool"
SELF="$HERE/$(basename "$0")"

if [[ "${NFPCAP_IN_NETNS:-}" != 1 ]]; then
    [[ $(id -u) == 0 ]] || { echo "run as root (needs unshare -n and capturing on lo)" >&2; exit 1; }
    for t in softflowd tcpdump dumpcap mergecap editcap gzip zstd python3 unshare ip ss; do
        command -v "$t" >/dev/null || { echo "missing tool: $t" >&2; exit 1; }
    done
    exec unshare -n env NFPCAP_IN_NETNS=1 bash "$SELF" "$@"
fi

ip link set lo up
mkdir -p "$OUT"
WORK=$(mktemp -d /tmp/nfpcap-tool-captures.XXXXXX)
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

# A collector that takes whatever comes: UDP datagrams, or one TCP connection after another.
collector() { # proto port
    python3 -c '
import socket, sys
proto, port = sys.argv[1], int(sys.argv[2])
if proto == "udp":
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", port))
    while True: s.recvfrom(65535)
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", port)); s.listen(4)
while True:
    c, _ = s.accept()
    while c.recv(65536): pass
    c.close()
' "$1" "$2" &
    PIDS+=($!)
    for _ in $(seq 50); do
        ss -Hln"${1:0:1}" "sport = :$2" | grep -q . && break
        sleep 0.1
    done
}

capture() { # out tool args...
    local out=$1; shift
    "$@" -w "$out" 2>"$out.err" &
    CAP=$!
    PIDS+=($CAP)
    for _ in $(seq 50); do grep -qiE 'listening on|Capturing on' "$out.err" 2>/dev/null && break; sleep 0.1; done
    sleep 0.5
}
stop() {
    sleep 1
    kill -INT "$CAP"
    wait "$CAP" || true
}

softflowd_export() { # dest args...
    local dest=$1; shift
    softflowd -d -r "$TRAFFIC" -n "$dest" -p "$WORK/softflowd.pid" -c none "$@" >/dev/null 2>&1 || true
}

# 1. IPFIX over TCP (RFC 7011 §10.4): softflowd -P tcp, tcpdump on lo.
collector tcp 4739
capture ipfix-over-tcp.pcap tcpdump -Z root -i lo -U 'tcp port 4739'
softflowd_export 127.0.0.1:4739 -v 10 -6 -a -P tcp
stop

# 2. Two interfaces of two link types in one pcapng (libpcap 1.10 refuses such files):
#    dumpcap on lo (Ethernet) and on any (Linux cooked), the same IPFIX export seen on both.
collector udp 4739
capture two-interfaces.pcapng dumpcap -q -i lo -f 'udp port 4739' -i any -f 'udp port 4739'
softflowd_export 127.0.0.1:4739 -v 10 -6 -a
stop

cp ipfix-over-tcp.pcap two-interfaces.pcapng "$OUT/"

# 3. mergecap of two samples of different link types (LINUX_SLL2 and Ethernet): one pcapng
#    section, two interfaces.
mergecap -F pcapng -w "$OUT/merged-sll2-ethernet.pcapng" \
    "$ROOT/samples/softflowd-v9-any-sll2.pcap" "$ROOT/samples/softflowd-ipfix.pcap"

# 4. editcap: a nanosecond pcap, and the same export cut to a snap length of 100 bytes.
editcap -F nsecpcap "$ROOT/samples/softflowd-ipfix.pcap" "$OUT/softflowd-ipfix-nsec.pcap"
editcap -s 100 "$ROOT/samples/softflowd-ipfix.pcap" "$OUT/softflowd-ipfix-snaplen100.pcap"

# 5. The same captures compressed as they are usually kept.
gzip -n -9 -c "$OUT/ipfix-over-tcp.pcap" > "$OUT/ipfix-over-tcp.pcap.gz"
zstd -q -19 -f -c "$OUT/two-interfaces.pcapng" > "$OUT/two-interfaces.pcapng.zst"
gzip -n -9 -c "$ROOT/samples/softflowd-v9.pcap" > "$OUT/softflowd-v9.pcap.gz"
zstd -q -19 -f -c "$ROOT/samples/softflowd-ipfix.pcapng" > "$OUT/softflowd-ipfix.pcapng.zst"

echo "written to $OUT:"
ls -l "$OUT"
