#!/bin/bash
# Regenerates <sample>.nfdump.tsv: for each filter of filters.txt, the flows nfdump selects from
# the given sample. nfcapd collects the sample's export datagrams (resent on loopback inside a
# private network namespace), then `nfdump -r FILE FILTER` lists the matching flows.
# Needs root (unshare -n), nfdump (nfcapd, nfdump), tshark, python3.
# Usage: tests/data/filter/make-nfdump-oracle.sh softflowd-v9   (from the repository root)
set -euo pipefail
name=$1
here=$(cd "$(dirname "$0")" && pwd)
samples=$(cd "$here/../../../samples" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
tshark -r "$samples/$name.pcap" -T fields -e udp.payload > "$work/payloads.hex"
cat > "$work/collect.sh" <<'INNER'
set -euo pipefail
work=$1
ip link set lo up
mkdir -p "$work/nfcapd"
nfcapd -w "$work/nfcapd" -b 127.0.0.1 -p 9996 -t 3600 > "$work/nfcapd.log" 2>&1 &
pid=$!
sleep 1
python3 - "$work/payloads.hex" <<'PY'
import socket, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for line in open(sys.argv[1]):
    if line.strip():
        s.sendto(bytes.fromhex(line.strip()), ("127.0.0.1", 9996))
        time.sleep(0.05)
PY
sleep 1
kill -TERM "$pid"
wait "$pid" || true
INNER
unshare -n bash "$work/collect.sh" "$work"
file=$(ls "$work"/nfcapd/nfcapd.2* | head -n 1)
out="$here/$name.nfdump.tsv"
{
    echo "# $(nfdump -V | head -n1): flows of samples/$name.pcap each filter of filters.txt selects."
    echo "# filter<TAB>count<TAB>matches: protocol number,src,sport,dst,dport,packets,bytes (ICMP ports 0), sorted. Made by make-nfdump-oracle.sh."
    grep -v '^#' "$here/filters.txt" | while IFS= read -r filter; do
        [ -n "$filter" ] || continue
        keys=$(nfdump -r "$file" -q -N -o 'fmt:%pr,%sa,%sp,%da,%dp,%pkt,%byt' "$filter" | { grep -v '^No matching' || true; } |
            tr -d ' ' | awk -F, 'BEGIN{OFS=","} {if ($1==1||$1==58) {$3=0;$5=0}; print}' | sort)
        count=$(printf '%s' "$keys" | grep -c . || true)
        printf '%s\t%s\t%s\n' "$filter" "$count" "$(printf '%s' "$keys" | paste -sd' ' -)"
    done
} > "$out"
echo "wrote $out"
