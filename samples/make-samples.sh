#!/usr/bin/env bash
# Regenerate the sample captures in this folder from real NetFlow/IPFIX exporters.
#
#   usage: sudo samples/make-samples.sh [--reuse-traffic]
#
#   --reuse-traffic  do not record a new traffic-lo.pcap, feed the committed one
#                    to the exporters (keeps the exports consistent with the
#                    committed ground truth).
#
# Needs root (network namespace, tcpdump) and the Debian 12 packages:
#   apt-get install -y softflowd pmacct nfdump tcpdump tshark curl wget \
#                      iputils-ping netcat-openbsd python3 iproute2
#
# Everything runs inside a private network namespace (unshare -n) whose only
# interface is its own loopback, so no packet ever leaves this script: all
# traffic and all exports go to 127.0.0.1 / ::1 of that namespace.
# Intermediate files live in a mktemp directory that is removed at the end
# (set KEEP_WORK=1 to keep it). Only the final files are copied to samples/.
set -euo pipefail

SAMPLES=$(cd "$(dirname "$0")" && pwd)
SELF="$SAMPLES/$(basename "$0")"

if [[ "${NFPCAP_SAMPLES_IN_NETNS:-}" != 1 ]]; then
    [[ $(id -u) == 0 ]] || { echo "run as root (needs unshare -n and tcpdump)" >&2; exit 1; }
    for t in softflowd pmacctd nfcapd nfreplay nfdump tcpdump tshark dumpcap curl wget ping nc python3 ip unshare; do
        command -v "$t" >/dev/null || { echo "missing tool: $t" >&2; exit 1; }
    done
    exec unshare -n env NFPCAP_SAMPLES_IN_NETNS=1 bash "$SELF" "$@"
fi

REUSE_TRAFFIC=0
[[ "${1:-}" == --reuse-traffic ]] && REUSE_TRAFFIC=1

ip link set lo up
WORK=$(mktemp -d /tmp/nfpcap-samples.XXXXXX)
chmod 755 "$WORK"
cd "$WORK"
BGPIDS=()
cleanup() {
    local p
    for p in "${BGPIDS[@]}"; do kill "$p" 2>/dev/null || true; done
    wait 2>/dev/null || true
    cd /
    if [[ "${KEEP_WORK:-0}" == 1 ]]; then echo "work dir kept: $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
trap 'exit 1' INT TERM

log() { printf '\n=== %s\n' "$*"; }

# ---------------------------------------------------------------- helpers
# UDP sink so that exports to PORT are received (no ICMP port unreachable,
# no ECONNREFUSED in the exporter's connected socket).
start_sink() { # addr port
    python3 -c '
import socket, sys
a, p = sys.argv[1], int(sys.argv[2])
s = socket.socket(socket.AF_INET6 if ":" in a else socket.AF_INET, socket.SOCK_DGRAM)
s.bind((a, p))
while True:
    s.recvfrom(65535)
' "$1" "$2" &
    SINK_PID=$!
    BGPIDS+=("$SINK_PID")
    sleep 0.3
}
stop_sink() { kill "$SINK_PID" 2>/dev/null || true; wait "$SINK_PID" 2>/dev/null || true; }

# start_capture OUTFILE tool-args... : tcpdump (or dumpcap) recording in background
start_capture() {
    local out=$1; shift
    "$1" -w "$out" "${@:2}" 2>"$out.err" &
    CAP_PID=$!
    CAP_OUT=$out
    BGPIDS+=("$CAP_PID")
    for _ in $(seq 50); do grep -qiE 'listening on|Capturing on' "$out.err" 2>/dev/null && break; sleep 0.1; done
    sleep 0.5
}
stop_capture() {
    sleep 1                       # let the last datagrams reach the capture
    kill -INT "$CAP_PID"
    wait "$CAP_PID" || true
    grep -E 'captured|Packets' "$CAP_OUT.err" || true
}


# ---------------------------------------------------------------- 1. traffic
make_traffic() {
    log "recording traffic-lo.pcap"
    mkdir -p www
    head -c 1500   /dev/urandom > www/small.bin
    head -c 20000  /dev/urandom > www/medium.bin
    head -c 120000 /dev/urandom > www/large.bin
    echo '<html><body>nfpcap sample</body></html>' > www/index.html
    cat > dns-server.py <<'PY'
# minimal DNS-like responder: answers every query with one A record 192.0.2.1
import socket, sys, struct
fam = socket.AF_INET6 if ':' in sys.argv[1] else socket.AF_INET
s = socket.socket(fam, socket.SOCK_DGRAM)
s.bind((sys.argv[1], int(sys.argv[2])))
while True:
    data, peer = s.recvfrom(2048)
    if data.startswith(b'quit'):
        break
    hdr = data[:2] + struct.pack('!HHHHH', 0x8180, 1, 1, 0, 0)
    ans = b'\xc0\x0c' + struct.pack('!HHIH', 1, 1, 60, 4) + bytes([192, 0, 2, 1])
    s.sendto(hdr + data[12:] + ans, peer)
PY
    cat > dns-client.py <<'PY'
# one real DNS query (new socket = new source port = new flow) per name
import socket, sys, struct
fam = socket.AF_INET6 if ':' in sys.argv[1] else socket.AF_INET
for i, name in enumerate(sys.argv[3:]):
    s = socket.socket(fam, socket.SOCK_DGRAM); s.settimeout(2)
    q = struct.pack('!HHHHHH', 0x1000 + i, 0x0100, 1, 0, 0, 0)
    q += b''.join(bytes([len(l)]) + l.encode() for l in name.split('.')) + b'\0'
    q += struct.pack('!HH', 1, 1)
    s.sendto(q, (sys.argv[1], int(sys.argv[2])))
    s.recvfrom(2048)
    s.close()
PY
    python3 -m http.server 8000 --bind 127.0.0.1 --directory www >http4.log 2>&1 & BGPIDS+=($!)
    python3 -m http.server 8080 --bind ::1 --directory www >http6.log 2>&1 & BGPIDS+=($!)
    python3 dns-server.py 127.0.0.1 53 & local D4=$!; BGPIDS+=($D4)
    python3 dns-server.py ::1 5353 & local D6=$!; BGPIDS+=($D6)
    # wait until both HTTP servers answer (not recorded: capture starts after)
    local i
    for i in $(seq 50); do
        curl -s -o /dev/null http://127.0.0.1:8000/ && curl -s -o /dev/null 'http://[::1]:8080/' && break
        sleep 0.2
    done
    sleep 0.5

    start_capture traffic.pcap tcpdump -Z root -i lo -U
    # TCP over IPv4: 5 HTTP transfers (0.04 KB .. 120 KB, one 404)
    curl -s -o /dev/null http://127.0.0.1:8000/index.html
    curl -s -o /dev/null http://127.0.0.1:8000/small.bin
    curl -s -o /dev/null http://127.0.0.1:8000/medium.bin
    wget -q -O /dev/null http://127.0.0.1:8000/large.bin
    curl -s -o /dev/null http://127.0.0.1:8000/missing.txt || true
    # TCP to a closed port: SYN answered by RST/ACK
    curl -s -o /dev/null --max-time 2 http://127.0.0.1:8001/ || true
    # TCP over IPv6
    curl -s -o /dev/null 'http://[::1]:8080/index.html'
    curl -s -o /dev/null 'http://[::1]:8080/small.bin'
    wget -q -O /dev/null 'http://[::1]:8080/medium.bin'
    curl -s -o /dev/null --max-time 2 'http://[::1]:8081/' || true
    # UDP: DNS-like query/answer pairs
    python3 dns-client.py 127.0.0.1 53 example.com www.example.org example.net a.example b.example c.example d.example e.example
    python3 dns-client.py ::1 5353 example.net www.example.com f.example g.example
    # UDP: one-way datagrams to a closed port (-> ICMP / ICMPv6 port unreachable)
    echo "hello udp v4" | nc -u -w1 -p 40000 127.0.0.1 9999 || true
    echo "hello udp v6" | nc -6 -u -w1 -p 40001 ::1 9999 || true
    # ICMP echo (IPv4 one with ToS 0x28 = DSCP AF11), ICMPv6 echo
    ping -c 3 -i 0.2 -Q 0x28 127.0.0.1 >/dev/null
    ping -6 -c 3 -i 0.2 ::1 >/dev/null
    stop_capture

    printf quit | nc -u -w1 127.0.0.1 53 || true
    printf quit | nc -6 -u -w1 ::1 5353 || true
    local p
    for p in "${BGPIDS[@]}"; do kill "$p" 2>/dev/null || true; done
    wait 2>/dev/null || true
    BGPIDS=()
    cp traffic.pcap "$SAMPLES/traffic-lo.pcap"
}

if [[ $REUSE_TRAFFIC == 1 ]]; then
    cp "$SAMPLES/traffic-lo.pcap" traffic.pcap
else
    make_traffic
fi
TRAFFIC=$WORK/traffic.pcap

# ---------------------------------------------------------------- 2. softflowd
# softflowd 1.1.0 reading a file: -c none is required, otherwise it blocks in
# accept() on its control socket and never reads the pcap. It exits by itself
# at pcap EOF after expiring (exporting) all flows. -a takes the clock from
# the pcap (sysUptime = time since first packet, unix_secs = last packet time);
# without -a the flow start/end times come out relative to the wall clock and
# wrap below zero.
softflowd_run() { # out-name port dest version-args...
    local name=$1 port=$2 dest=$3; shift 3
    log "softflowd $* -> $dest ($name)"
    softflowd -d -r "$TRAFFIC" -n "$dest" -p "$WORK/softflowd.pid" -c none "$@" 2>&1 | tee "$name.log" | grep -E 'Flows exported' || true
}
softflowd_capture() { # name port version-args...
    local name=$1 port=$2; shift 2
    start_sink 127.0.0.1 "$port"
    start_capture "$name" tcpdump -Z root -i lo -U udp port "$port"
    softflowd_run "$name" "$port" "127.0.0.1:$port" "$@"
    stop_capture
    stop_sink
}
softflowd_capture softflowd-v1.pcap    2055 -v 1 -a
softflowd_capture softflowd-v5.pcap    2055 -v 5 -a
softflowd_capture softflowd-v9.pcap    2055 -v 9 -6 -a
softflowd_capture softflowd-ipfix.pcap 4739 -v 10 -6 -a
# IPFIX bidirectional flows (reverse elements, PEN 29305) with absolute
# millisecond timestamps (flowStartMilliseconds/flowEndMilliseconds)
softflowd_capture softflowd-ipfix-biflow.pcap 4739 -v 10 -6 -a -b -A milli

# NetFlow v9 carried over IPv6 (exporter -> [::1]:2055)
start_sink ::1 2055
start_capture softflowd-v9-over-ipv6.pcap tcpdump -Z root -i lo -U udp port 2055
softflowd_run softflowd-v9-over-ipv6.pcap 2055 '[::1]:2055' -v 9 -6 -a
stop_capture
stop_sink

# other link types / file formats of the same kind of export
# Linux cooked capture v2 (tcpdump -i any -> LINUX_SLL2, pcap)
start_sink 127.0.0.1 2055
start_capture softflowd-v9-any-sll2.pcap tcpdump -Z root -i any -U udp port 2055
softflowd_run softflowd-v9-any-sll2.pcap 2055 127.0.0.1:2055 -v 9 -6 -a
stop_capture
stop_sink
# Linux cooked capture v1 (tcpdump -i any -y LINUX_SLL, pcap)
start_sink 127.0.0.1 2055
start_capture softflowd-v5-any-sll.pcap tcpdump -Z root -i any -y LINUX_SLL -U udp port 2055
softflowd_run softflowd-v5-any-sll.pcap 2055 127.0.0.1:2055 -v 5 -a
stop_capture
stop_sink
# pcapng written natively by dumpcap (Ethernet link type, loopback)
start_sink 127.0.0.1 4739
start_capture softflowd-ipfix.pcapng dumpcap -q -i lo -f 'udp port 4739'
softflowd_run softflowd-ipfix.pcapng 4739 127.0.0.1:4739 -v 10 -6 -a
stop_capture
stop_sink

# ---------------------------------------------------------------- 3. pmacct nfprobe
# pmacctd reads the pcap (pcap_savefile), exits at EOF and the nfprobe plugin
# flushes every flow still in its table on the way out.
pmacct_capture() { # name port version
    local name=$1 port=$2 ver=$3
    log "pmacctd nfprobe v$ver -> 127.0.0.1:$port ($name)"
    cat > "$name.conf" <<EOF
daemonize: false
pcap_savefile: $TRAFFIC
plugins: nfprobe[np]
nfprobe_receiver[np]: 127.0.0.1:$port
nfprobe_version[np]: $ver
nfprobe_timeouts[np]: tcp=5:tcp.rst=5:tcp.fin=5:udp=5:icmp=5:general=5:expint=1
EOF
    start_sink 127.0.0.1 "$port"
    start_capture "$name" tcpdump -Z root -i lo -U udp port "$port"
    timeout -s INT 120 pmacctd -f "$name.conf" >"$name.log" 2>&1 || true
    stop_capture
    stop_sink
}
pmacct_capture pmacct-nfprobe-v5.pcap    2100 5
pmacct_capture pmacct-nfprobe-v9.pcap    2100 9
pmacct_capture pmacct-nfprobe-ipfix.pcap 4739 10

# ---------------------------------------------------------------- 4. nfcapd + nfreplay
log "nfcapd collects softflowd v9 (IPv4+IPv6 flows) on 127.0.0.1:9996"
mkdir -p nfcapd
nfcapd -w "$WORK/nfcapd" -b 127.0.0.1 -p 9996 -t 3600 -P "$WORK/nfcapd.pid" >nfcapd.log 2>&1 &
NFCAPD_PID=$!
BGPIDS+=("$NFCAPD_PID")
sleep 1.5
softflowd_run nfcapd-input 9996 127.0.0.1:9996 -v 9 -6 -a
sleep 1
kill -TERM "$NFCAPD_PID"
wait "$NFCAPD_PID" || true
NFFILE=$(ls "$WORK"/nfcapd/nfcapd.2* | head -n 1)
cp "$NFFILE" nfcapd.file
# nfdump's view of these flows: a cross-check for decoders (same records as
# softflowd-v9.pcap carries, since -a makes softflowd's output depend on the
# pcap only)
{
  echo "# nfdump $(nfdump -V | awk '{print $NF}' | head -n1) -r <nfcapd file of softflowd -v 9 -6 -a export> -q -O tstart -o 'fmt:...' (TZ=UTC)"
  echo "# start end proto src_addr src_port dst_addr dst_port tcp_flags tos packets bytes"
  TZ=UTC nfdump -r nfcapd.file -q -O tstart -o 'fmt:%ts %te %pr %sa %sp %da %dp %flg %tos %pkt %byt'
} > softflowd-v9.nfdump.txt
echo "flows stored by nfcapd: $(grep -vc '^#' softflowd-v9.nfdump.txt)"
cp softflowd-v9.nfdump.txt "$SAMPLES/"

nfreplay_capture() { # name port version
    local name=$1 port=$2 ver=$3
    log "nfreplay -v $ver -> 127.0.0.1:$port ($name)"
    start_sink 127.0.0.1 "$port"
    start_capture "$name" tcpdump -Z root -i lo -U udp port "$port"
    nfreplay -r "$WORK/nfcapd.file" -H 127.0.0.1 -p "$port" -v "$ver" >"$name.log" 2>&1
    stop_capture
    stop_sink
}
nfreplay_capture nfreplay-v5.pcap 9995 5
nfreplay_capture nfreplay-v9.pcap 9995 9

# ---------------------------------------------------------------- verify + count
cat > count.py <<'PY'
# Count NetFlow/IPFIX datagrams and records as decoded by tshark -V.
# records = data records in non-options data (flow)sets (v9/IPFIX) or
# "pdu i/n" entries (v1/v5); option records are counted apart.
import re, subprocess, sys
path, port = sys.argv[1], sys.argv[2]
out = subprocess.run(['tshark', '-r', path, '-d', f'udp.port=={port},cflow', '-V'],
                     capture_output=True, text=True, check=True).stdout
frames = datagrams = data = opts = v6 = templates = opt_templates = 0
versions = set(); opt_ids = set()
in_cflow = False; cur_opt = False; in_rec = False; rec_v6 = False
def end_rec():
    global v6, in_rec, rec_v6
    if in_rec and rec_v6: v6 += 1
    in_rec = False; rec_v6 = False
for line in out.splitlines():
    if line.startswith('Frame '):
        end_rec(); frames += 1; in_cflow = False; continue
    if line.startswith('Cisco NetFlow/IPFIX'):
        end_rec(); in_cflow = True; datagrams += 1; continue
    if not in_cflow: continue
    m = re.match(r'    Version: (\d+)$', line)
    if m: versions.add(int(m.group(1))); continue
    m = re.match(r'    (?:Flow)?Set \d+ \[id=\d+\] \((Options )?(?:Data )?Template\): (\d+)', line)
    if m:
        end_rec()
        if m.group(1): opt_templates += 1; opt_ids.add(m.group(2))
        else: templates += 1
        continue
    m = re.match(r'    (?:Flow)?Set \d+ \[id=(\d+)\] \(\d+ flows\)', line)
    if m: end_rec(); cur_opt = m.group(1) in opt_ids; continue
    if re.match(r'        Flow \d+$', line):
        end_rec()
        if cur_opt: opts += 1
        else: data += 1; in_rec = True
        continue
    if re.match(r'    pdu \d+/\d+$', line):
        end_rec(); data += 1; in_rec = True; continue
    m = re.match(r'\s+SrcAddr: (\S+)', line)
    if m and in_rec and ':' in m.group(1): rec_v6 = True
end_rec()
bad = subprocess.run(['tshark', '-r', path, '-d', f'udp.port=={port},cflow', '-Y', '_ws.malformed or _ws.expert'],
                     capture_output=True, text=True).stdout.strip()
nbad = len(bad.splitlines()) if bad else 0
enc = subprocess.run(['capinfos', '-T', '-t', '-E', path], capture_output=True, text=True).stdout.strip().splitlines()[-1].split('\t')
print('\t'.join(str(x) for x in [path.split('/')[-1], port, ','.join(map(str, sorted(versions))), frames, datagrams,
      data, v6, opts, templates, opt_templates, nbad, enc[1], enc[2]]))
PY

log "copying results to $SAMPLES and counting with tshark"
declare -A PORT=(
  [softflowd-v1.pcap]=2055 [softflowd-v5.pcap]=2055 [softflowd-v9.pcap]=2055
  [softflowd-ipfix.pcap]=4739 [softflowd-ipfix-biflow.pcap]=4739
  [softflowd-v9-over-ipv6.pcap]=2055 [softflowd-v9-any-sll2.pcap]=2055
  [softflowd-v5-any-sll.pcap]=2055 [softflowd-ipfix.pcapng]=4739
  [pmacct-nfprobe-v5.pcap]=2100 [pmacct-nfprobe-v9.pcap]=2100 [pmacct-nfprobe-ipfix.pcap]=4739
  [nfreplay-v5.pcap]=9995 [nfreplay-v9.pcap]=9995
)
ORDER=(softflowd-v1.pcap softflowd-v5.pcap softflowd-v9.pcap softflowd-ipfix.pcap
       softflowd-ipfix-biflow.pcap softflowd-v9-over-ipv6.pcap softflowd-v9-any-sll2.pcap
       softflowd-v5-any-sll.pcap softflowd-ipfix.pcapng
       pmacct-nfprobe-v5.pcap pmacct-nfprobe-v9.pcap pmacct-nfprobe-ipfix.pcap
       nfreplay-v5.pcap nfreplay-v9.pcap)
{
  printf 'file\tport\tversion\tframes\tdatagrams\tdata_records\tipv6_records\toption_records\ttemplates\toption_templates\ttshark_malformed_or_expert\tfile_format\tlink_type\n'
  for f in "${ORDER[@]}"; do
      cp "$f" "$SAMPLES/$f"
      python3 count.py "$SAMPLES/$f" "${PORT[$f]}"
  done
  printf 'traffic-lo.pcap\t-\t-\t%s\t-\t-\t-\t-\t-\t-\t-\tpcap\tether\n' "$(capinfos -c -M "$SAMPLES/traffic-lo.pcap" | awk '/Number of packets/ {print $NF}')"
} > "$SAMPLES/manifest.tsv"
column -t -s $'\t' "$SAMPLES/manifest.tsv"
chmod 644 "$SAMPLES"/*.pcap "$SAMPLES"/*.pcapng "$SAMPLES"/*.txt "$SAMPLES/manifest.tsv"
du -ch "$SAMPLES"/*.pcap* | tail -n 1
