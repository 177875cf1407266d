#!/usr/bin/env bash
# Regenerate the second set of sample captures, samples/cases/ (see cases/README.md): exporters
# caught mid-stream, sampling, restarts, edited copies with sequence gaps, duplicates and
# reordering, several exporters in one capture, ICMP, active timeouts, IPFIX and v9 over TCP,
# timestamp precisions and file formats, and a few minutes of "realistic" traffic.
#
#   usage: sudo samples/make-samples-2.sh [SCENARIO...]
#
#   SCENARIO is any of: late sampling restart edits exporters netns icmp long tcp formats
#   realistic count (default: all of them, in that order; "count" only recounts what is in
#   samples/cases/ and rewrites cases/manifest.tsv and cases/groundtruth.json).
#
# Needs root (network namespaces, tcpdump) and the Debian 12 packages:
#   apt-get install -y softflowd pmacct fprobe tcpdump tshark iputils-ping \
#                      netcat-openbsd python3 iproute2 util-linux gzip zstd
#
# As in make-samples.sh, everything runs inside a private network namespace (unshare -n)
# whose only interface is its own loopback (plus, for "netns", a veth pair to a second
# private namespace), so no packet leaves the script. The traffic the exporters read or see
# is made here; the exports go to 127.0.0.1 / ::1 (10.99.0.1 in "netns") and are recorded by
# tcpdump/dumpcap with a filter on the export port. Intermediate files live in a mktemp
# directory removed at the end (KEEP_WORK=1 keeps it). Every process started here is stopped
# by its own PID.
set -euo pipefail

# Debian's own tools first (python3 is /usr/bin/python3, 3.11 from Debian 12)
export PATH=/usr/sbin:/usr/bin:/sbin:/bin
SAMPLES=$(cd "$(dirname "$0")" && pwd)
SELF="$SAMPLES/$(basename "$0")"
TOOLS=$SAMPLES/tools
# The second set lives in samples/cases/, apart from the first set that the integration
# tests pick up by listing samples/ (these are wired into tests one by one).
CASES=$SAMPLES/cases

if [[ "${NFPCAP_SAMPLES_IN_NETNS:-}" != 1 ]]; then
    [[ $(id -u) == 0 ]] || { echo "run as root (needs unshare -n and tcpdump)" >&2; exit 1; }
    for t in softflowd softflowctl pmacctd fprobe tcpdump tshark dumpcap editcap mergecap capinfos \
             ping nc python3 ip unshare nsenter gzip zstd; do
        command -v "$t" >/dev/null || { echo "missing tool: $t" >&2; exit 1; }
    done
    exec unshare -n env NFPCAP_SAMPLES_IN_NETNS=1 bash "$SELF" "$@"
fi

ALL=(late sampling restart edits exporters netns icmp long tcp formats realistic count)
SCENARIOS=("$@")
((${#SCENARIOS[@]})) || SCENARIOS=("${ALL[@]}")

ip link set lo up
mkdir -p "$CASES"
WORK=$(mktemp -d /tmp/nfpcap-samples.XXXXXX)
chmod 755 "$WORK"
cd "$WORK"
cp "$SAMPLES/traffic-lo.pcap" traffic.pcap
TRAFFIC=$WORK/traffic.pcap
BGPIDS=()
cleanup() {
    local p
    for p in "${BGPIDS[@]}"; do kill "$p" 2>/dev/null || true; done
    wait 2>/dev/null || true
    echo "32768 60999" > /proc/sys/net/ipv4/ip_local_port_range
    cd /
    if [[ "${KEEP_WORK:-0}" == 1 ]]; then echo "work dir kept: $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
trap 'exit 1' INT TERM

log() { printf '\n=== %s\n' "$*"; }
die() { echo "make-samples-2: $*" >&2; exit 1; }

# ---------------------------------------------------------------- helpers
# Collector stand-in (tools/sink.py): UDP or TCP, counts what it receives into $SINK_COUNT.
start_sink() { # udp|tcp addr port
    SINK_COUNT=$WORK/sink-$3.count
    python3 "$TOOLS/sink.py" "$1" "$2" "$3" "$SINK_COUNT" &
    SINK_PID=$!
    BGPIDS+=("$SINK_PID")
    for _ in $(seq 50); do [[ -s $SINK_COUNT ]] && break; sleep 0.1; done
}
stop_sink() { kill "$SINK_PID" 2>/dev/null || true; wait "$SINK_PID" 2>/dev/null || true; }
sink_count() { cat "$SINK_COUNT"; }
# wait until the sink has received at least N datagrams (bytes for tcp); at most 30 s
wait_sink() {
    local i
    for i in $(seq 300); do (($(sink_count) >= $1)) && return 0; sleep 0.1; done
    die "sink on $SINK_COUNT: waited for $1, have $(sink_count)"
}

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

# softflowd on a live interface (see tools/flush.py for why flush is needed)
sf_start() { # name iface port softflowd-args...   -> SF_PID, SF_CTL
    local name=$1 iface=$2 port=$3; shift 3
    SF_CTL=$WORK/$name.ctl
    softflowd -d -i "$iface" -n "127.0.0.1:$port" -p "$WORK/$name.pid" -c "$SF_CTL" "$@" "not udp port $port" \
        >"$WORK/$name.log" 2>&1 &
    SF_PID=$!
    BGPIDS+=("$SF_PID")
    for _ in $(seq 50); do [[ -S $SF_CTL ]] && break; sleep 0.1; done
    sleep 0.3
}
flush() { python3 "$TOOLS/flush.py" "${1:-lo}" 1500; sleep 0.2; }
# make softflowd export now: flush its capture ring, expire all flows, wait for the export
sf_export() { # ctl expected-sink-count
    flush lo
    softflowctl -c "$1" expire-all >/dev/null
    wait_sink "$2"
}
stop_pid() { kill -TERM "$1" 2>/dev/null || true; wait "$1" 2>/dev/null || true; }

# Pin the next UDP socket's ephemeral source port, so that a restarted exporter sends from
# the same address and port as before (as a router would); the range (a setting of this
# network namespace only) is restored at once.
pin_port() { echo "$1 $1" > /proc/sys/net/ipv4/ip_local_port_range; }
unpin_port() { echo "32768 60999" > /proc/sys/net/ipv4/ip_local_port_range; }

udp_flows() { python3 "$TOOLS/udpflows.py" "$@"; }

# UDP discard servers so that test flows get no ICMP unreachable back (no extra ICMP flows)
DISCARD=0
start_discard() {
    ((DISCARD)) && return 0
    python3 "$TOOLS/sink.py" udp 127.0.0.1 9 & BGPIDS+=($!)
    python3 "$TOOLS/sink.py" udp ::1 9 & BGPIDS+=($!)
    DISCARD=1
    sleep 0.3
}

pmacct_conf() { # file port version [extra lines...]
    local f=$1 port=$2 ver=$3; shift 3
    {
        echo "daemonize: false"
        echo "plugins: nfprobe[np]"
        echo "nfprobe_receiver[np]: 127.0.0.1:$port"
        echo "nfprobe_version[np]: $ver"
        printf '%s\n' "$@"
    } > "$f"
}

# ================================================================ 1. data before its template
# Exporter runs live on lo; its first message (with the templates) goes out before tcpdump
# starts; then rounds of new flows make data-only messages until the exporter's periodic
# template refresh (softflowd: every 16 messages, pmacct: every 18) brings the templates.
late_softflowd() { # name port version-args
    local name=$1 port=$2; shift 2
    log "softflowd $* live on lo, capture starts after the first message ($name)"
    start_sink udp 127.0.0.1 "$port"
    # flows expire by the UDP timeout (1 s), not by softflowctl expire-all, which would also
    # make softflowd re-send its templates with every message
    sf_start "$name" lo "$port" "$@" -t udp=1 -t expint=1
    udp_flows 127.0.0.1 9 2
    udp_flows ::1 9 1
    flush lo
    wait_sink 1                                # message 1: templates + 3 records, not captured
    start_capture "$name" tcpdump -Z root -i lo -U udp port "$port"
    local r
    for r in $(seq 2 20); do                   # messages 2..20; the refresh comes with 17
        udp_flows 127.0.0.1 9 $((r % 3 + 1))
        ((r % 4)) || udp_flows ::1 9 1
        flush lo
        wait_sink "$r"
    done
    stop_capture
    flush lo
    stop_pid "$SF_PID"
    stop_sink
}
late_pmacct() { # name port version
    local name=$1 port=$2 ver=$3
    log "pmacctd nfprobe v$ver live on lo, capture starts after the first message ($name)"
    pmacct_conf "$name.conf" "$port" "$ver" "pcap_interface: lo" "pcap_filter: not udp port $port" \
        "nfprobe_timeouts[np]: tcp=1:tcp.rst=1:tcp.fin=1:udp=1:icmp=1:general=1:expint=1"
    start_sink udp 127.0.0.1 "$port"
    pmacctd -f "$name.conf" >"$name.log" 2>&1 &
    local pm=$!
    BGPIDS+=("$pm")
    sleep 3
    udp_flows 127.0.0.1 9 2
    wait_sink 1                                # message 1 (templates), not captured
    sleep 0.5
    start_capture "$name" tcpdump -Z root -i lo -U udp port "$port"
    local r=0
    while (($(sink_count) < 22)); do           # the refresh comes with message 19
        r=$((r + 1))
        udp_flows 127.0.0.1 9 $((r % 4 + 2))
        ((r % 3)) || udp_flows ::1 9 1
        sleep 2.2
        ((r < 40)) || die "pmacct did not export"
    done
    stop_capture
    stop_pid "$pm"
    stop_sink
}
scenario_late() {
    start_discard
    late_softflowd softflowd-v9-late-start.pcap 2055 -v 9 -6
    late_softflowd softflowd-ipfix-late-start.pcap 4739 -v 10 -6
    late_pmacct pmacct-nfprobe-v9-late-start.pcap 2100 9
    late_pmacct pmacct-nfprobe-ipfix-late-start.pcap 4739 10
    cp softflowd-v9-late-start.pcap softflowd-ipfix-late-start.pcap \
       pmacct-nfprobe-v9-late-start.pcap pmacct-nfprobe-ipfix-late-start.pcap "$CASES/"
}

# ================================================================ 2. sampling
softflowd_file() { # name port dest args...   (file mode, as in make-samples.sh)
    local name=$1 port=$2 dest=$3; shift 3
    softflowd -d -r "$TRAFFIC" -n "$dest" -p "$WORK/softflowd.pid" -c none "$@" >"$name.log" 2>&1
}
softflowd_file_capture() { # name port args...
    local name=$1 port=$2; shift 2
    log "softflowd -r traffic-lo.pcap $* -> 127.0.0.1:$port ($name)"
    start_sink udp 127.0.0.1 "$port"
    start_capture "$name" tcpdump -Z root -i lo -U udp port "$port"
    softflowd_file "$name" "$port" "127.0.0.1:$port" "$@"
    stop_capture
    stop_sink
}
pmacct_file_capture() { # name port version extra-conf-lines...
    local name=$1 port=$2 ver=$3; shift 3
    log "pmacctd nfprobe v$ver, pcap_savefile traffic-lo.pcap, $* ($name)"
    pmacct_conf "$name.conf" "$port" "$ver" "pcap_savefile: $TRAFFIC" \
        "nfprobe_timeouts[np]: tcp=5:tcp.rst=5:tcp.fin=5:udp=5:icmp=5:general=5:expint=1" "$@"
    start_sink udp 127.0.0.1 "$port"
    start_capture "$name" tcpdump -Z root -i lo -U udp port "$port"
    timeout -s INT 120 pmacctd -f "$name.conf" >"$name.log" 2>&1 || true
    stop_capture
    stop_sink
}
scenario_sampling() {
    softflowd_file_capture softflowd-v5-sampling.pcap 2055 -v 5 -a -s 4
    softflowd_file_capture softflowd-v9-sampling.pcap 2055 -v 9 -6 -a -s 4
    softflowd_file_capture softflowd-ipfix-sampling.pcap 4739 -v 10 -6 -a -s 4
    pmacct_file_capture pmacct-nfprobe-v9-sampling.pcap 2100 9 "sampling_rate: 4"
    pmacct_file_capture pmacct-nfprobe-ipfix-sampling.pcap 4739 10 "sampling_rate: 4"
    cp softflowd-v5-sampling.pcap softflowd-v9-sampling.pcap softflowd-ipfix-sampling.pcap \
       pmacct-nfprobe-v9-sampling.pcap pmacct-nfprobe-ipfix-sampling.pcap "$CASES/"
}

# ================================================================ 3. exporter restart
# softflowd live on lo, stopped by its PID (SIGTERM) and started again from the same source
# port (pinned); 3 export rounds before, 3 after.
restart_softflowd() { # name port version-args
    local name=$1 port=$2; shift 2
    log "softflowd $* live on lo, restarted mid-capture ($name)"
    start_sink udp 127.0.0.1 "$port"
    start_capture "$name" tcpdump -Z root -i lo -U udp port "$port"
    local run n=0 r
    for run in 1 2; do
        pin_port 47000
        sf_start "$name-$run" lo "$port" "$@" -t udp=1 -t expint=1
        unpin_port
        for r in 1 2 3; do
            udp_flows 127.0.0.1 9 $((r + run))
            [[ " $* " == *" -6 "* ]] && udp_flows ::1 9 1
            flush lo
            n=$((n + 1))
            wait_sink "$n"
            sleep 1
        done
        # SIGTERM: softflowd 1.1.0 exits at once, without exporting what its flow table
        # still holds (nothing, here: every round's flows have been exported)
        stop_pid "$SF_PID"
        sleep 2
    done
    stop_capture
    stop_sink
}
scenario_restart() {
    start_discard
    restart_softflowd softflowd-v5-restart.pcap 2055 -v 5
    restart_softflowd softflowd-v9-restart.pcap 2055 -v 9 -6
    restart_softflowd softflowd-ipfix-restart.pcap 4739 -v 10 -6
    cp softflowd-v5-restart.pcap softflowd-v9-restart.pcap softflowd-ipfix-restart.pcap "$CASES/"
}

# ================================================================ 4. gaps, duplicates, reordering
# A v5 base with several datagrams of different sizes (softflowd live, 8 export rounds),
# then edited copies of it and of pmacct's v9 and IPFIX captures (whose sequence numbers
# follow their RFCs): tools/pcapedit.py deletes, duplicates and swaps whole frames, bytes kept.
scenario_edits() {
    start_discard
    log "softflowd -v 5 live on lo, 8 export rounds (softflowd-v5-live.pcap)"
    start_sink udp 127.0.0.1 2055
    start_capture softflowd-v5-live.pcap tcpdump -Z root -i lo -U udp port 2055
    sf_start softflowd-v5-live lo 2055 -v 5
    local r
    for r in 1 2 3 4 5 6 7 8; do
        udp_flows 127.0.0.1 9 $(((r * 5) % 9 + 2))
        sf_export "$SF_CTL" "$r"
    done
    stop_capture
    flush lo
    stop_pid "$SF_PID"
    stop_sink
    cp softflowd-v5-live.pcap "$CASES/"
    local base src
    for src in "$CASES/softflowd-v5-live.pcap" "$SAMPLES/pmacct-nfprobe-v9.pcap" "$SAMPLES/pmacct-nfprobe-ipfix.pcap"; do
        base=$(basename "$src" .pcap)
        python3 "$TOOLS/pcapedit.py" "$src" "$CASES/$base-gap.pcap" del:3 del:6
        python3 "$TOOLS/pcapedit.py" "$src" "$CASES/$base-dup.pcap" dup:4
        python3 "$TOOLS/pcapedit.py" "$src" "$CASES/$base-reorder.pcap" swap:5,6
    done
}

# ================================================================ 5. several exporters, same traffic
# softflowd and pmacct read the same traffic-lo.pcap at the same time and export to the
# same collector port; one tcpdump records both.
exporters_capture() { # name port sf-args -- pmacct-version pmacct-extra...
    local name=$1 port=$2; shift 2
    local sfargs=()
    while [[ $1 != -- ]]; do sfargs+=("$1"); shift; done
    shift
    local ver=$1; shift
    log "softflowd ${sfargs[*]} and pmacctd nfprobe v$ver, same traffic, same collector ($name)"
    pmacct_conf "$name.conf" "$port" "$ver" "pcap_savefile: $TRAFFIC" \
        "nfprobe_timeouts[np]: tcp=5:tcp.rst=5:tcp.fin=5:udp=5:icmp=5:general=5:expint=1" "$@"
    start_sink udp 127.0.0.1 "$port"
    start_capture "$name" tcpdump -Z root -i lo -U udp port "$port"
    timeout -s INT 120 pmacctd -f "$name.conf" >"$name.pmacct.log" 2>&1 &
    local pm=$!
    BGPIDS+=("$pm")
    sleep 2                                    # pmacctd waits 2 s before it reads
    softflowd_file "$name" "$port" "127.0.0.1:$port" "${sfargs[@]}"
    wait "$pm" || true
    stop_capture
    stop_sink
}
scenario_exporters() {
    exporters_capture exporters-v5.pcap 2055 -v 5 -a -- 5 "nfprobe_engine[np]: 1:5"
    exporters_capture exporters-v9.pcap 2055 -v 9 -6 -a -- 9
    exporters_capture exporters-ipfix.pcap 4739 -v 10 -6 -a -- 10 "nfprobe_engine[np]: 7"
    cp exporters-v5.pcap exporters-v9.pcap exporters-ipfix.pcap "$CASES/"
}

# Two softflowd on the two ends of a veth pair (two network namespaces: this one, "A",
# 10.99.0.1, and a child one, "B", 10.99.0.2); traffic between A and B; both export v9 to
# the collector in A; tcpdump -i any in A sees A's export on lo and B's on veth0 (SLL2).
scenario_netns() {
    log "two softflowd on two namespaces, one veth link (exporters-netns-v9.pcap)"
    unshare -n sleep 600 &
    local bpid=$!
    BGPIDS+=("$bpid")
    sleep 0.3
    ip link add veth0 type veth peer name veth1
    ip link set veth1 netns "$bpid"
    # no IPv6 router solicitations: their timing would put flows before the traffic capture
    echo 0 > /proc/sys/net/ipv6/conf/veth0/router_solicitations
    nsenter -t "$bpid" -n sh -c 'echo 0 > /proc/sys/net/ipv6/conf/veth1/router_solicitations'
    ip addr add 10.99.0.1/24 dev veth0
    ip -6 addr add fd99::1/64 dev veth0 nodad
    ip link set veth0 up
    local B=(nsenter -t "$bpid" -n)
    "${B[@]}" ip link set lo up
    "${B[@]}" ip addr add 10.99.0.2/24 dev veth1
    "${B[@]}" ip -6 addr add fd99::2/64 dev veth1 nodad
    "${B[@]}" ip link set veth1 up
    sleep 4                                    # let link-up MLD reports pass before anyone listens
    start_sink udp 10.99.0.1 2055
    start_capture exporters-netns-v9.pcap tcpdump -Z root -i any -U udp port 2055
    softflowd -d -i veth0 -n 10.99.0.1:2055 -p "$WORK/sfa.pid" -c "$WORK/sfa.ctl" -v 9 -6 'not udp port 2055' \
        >sfa.log 2>&1 &
    local sfa=$!
    BGPIDS+=("$sfa")
    "${B[@]}" softflowd -d -i veth1 -n 10.99.0.1:2055 -p "$WORK/sfb.pid" -c "$WORK/sfb.ctl" -v 9 -6 \
        'not udp port 2055' >sfb.log 2>&1 &
    local sfb=$!
    BGPIDS+=("$sfb")
    sleep 1
    tcpdump -Z root -i veth0 -U -w traffic-netns.pcap 'not udp port 2055 and not ether proto 0x88b5' 2>trn.err &
    local trn=$!
    BGPIDS+=("$trn")
    sleep 1
    # traffic: HTTP over TCP and one-way UDP from A to B, ping and ping -6 from A to B
    mkdir -p www && head -c 30000 /dev/urandom > www/obj.bin
    "${B[@]}" python3 -m http.server 8000 --bind 10.99.0.2 --directory www >http-b.log 2>&1 &
    local hb=$!
    BGPIDS+=("$hb")
    "${B[@]}" python3 "$TOOLS/sink.py" udp 10.99.0.2 9 &
    local ub=$!
    BGPIDS+=("$ub")
    sleep 1
    local round
    for round in 1 2; do
        python3 - "$round" <<'PY'
import sys, urllib.request
for _ in range(4 - int(sys.argv[1])):
    urllib.request.urlopen("http://10.99.0.2:8000/obj.bin", timeout=5).read()
PY
        udp_flows 10.99.0.2 9 $((6 - 2 * round))
        if ((round == 1)); then ping -c 4 -i 0.2 10.99.0.2 >/dev/null; else ping -6 -c 4 -i 0.2 fd99::2 >/dev/null; fi
        sleep 0.5
        flush veth0
        softflowctl -c "$WORK/sfa.ctl" expire-all >/dev/null
        "${B[@]}" softflowctl -c "$WORK/sfb.ctl" expire-all >/dev/null
        wait_sink $((2 * round))
        sleep 1
    done
    kill -INT "$trn"
    wait "$trn" || true
    stop_capture
    stop_pid "$sfa"
    kill "$sfb" "$hb" "$ub" 2>/dev/null || true
    wait "$sfb" "$hb" "$ub" 2>/dev/null || true
    stop_sink
    stop_pid "$bpid"
    cp exporters-netns-v9.pcap traffic-netns.pcap "$CASES/"
}

# ================================================================ 6. ICMP
# traffic-icmp.pcap: ping -c 4 (IPv4 127.0.0.1 -> 127.0.0.2, IPv6 2001:db8::1 -> ::2, both on
# lo), and one UDP datagram to a closed port for each family (ICMP 3/3, ICMPv6 1/4). fprobe
# (live only) exports it as v5 and v7 while it is recorded; softflowd then reads the file.
scenario_icmp() {
    log "ICMP traffic (traffic-icmp.pcap) with fprobe v5 and v7 live"
    ip -6 addr add 2001:db8::1/128 dev lo nodad 2>/dev/null || true
    ip -6 addr add 2001:db8::2/128 dev lo nodad 2>/dev/null || true
    sleep 0.5
    start_sink udp 127.0.0.1 9996
    local s5=$SINK_PID
    python3 "$TOOLS/sink.py" udp 127.0.0.1 9997 & local s7=$!
    BGPIDS+=("$s7")
    tcpdump -Z root -i lo -U -w fprobe-v5-icmp.pcap udp port 9996 2>fp5.err & local c5=$!
    tcpdump -Z root -i lo -U -w fprobe-v7-icmp.pcap udp port 9997 2>fp7.err & local c7=$!
    BGPIDS+=("$c5" "$c7")
    local filt='icmp or icmp6 or (udp and port 9999)'
    fprobe -i lo -f "$filt" -n 5 -s 1 -d 2 -e 60 -l 2:v5 127.0.0.1:9996 >fprobe-v5.log 2>&1 & local f5=$!
    fprobe -i lo -f "$filt" -n 7 -s 1 -d 2 -e 60 -l 2:v7 127.0.0.1:9997 >fprobe-v7.log 2>&1 & local f7=$!
    BGPIDS+=("$f5" "$f7")
    sleep 1
    start_capture traffic-icmp.pcap tcpdump -Z root -i lo -U "$filt"
    ping -c 4 -i 0.2 127.0.0.2 >/dev/null
    ping -6 -c 4 -i 0.2 -I 2001:db8::1 2001:db8::2 >/dev/null
    echo "closed v4" | nc -u -w1 -p 40010 127.0.0.3 9999 || true
    echo "closed v6" | nc -6 -u -w1 -p 40011 -s 2001:db8::1 2001:db8::2 9999 || true
    sleep 0.5
    stop_capture
    sleep 4                                    # idle timeout 2 s + scan every 1 s
    stop_pid "$f5"
    stop_pid "$f7"
    sleep 1
    kill -INT "$c5" "$c7"
    wait "$c5" "$c7" || true
    kill "$s7"
    stop_sink
    local t=$TRAFFIC
    TRAFFIC=$WORK/traffic-icmp.pcap
    softflowd_file_capture softflowd-v9-icmp.pcap 2055 -v 9 -6 -a
    softflowd_file_capture softflowd-ipfix-biflow-icmp.pcap 4739 -v 10 -6 -a -b
    TRAFFIC=$t
    cp traffic-icmp.pcap fprobe-v5-icmp.pcap fprobe-v7-icmp.pcap softflowd-v9-icmp.pcap \
       softflowd-ipfix-biflow-icmp.pcap "$CASES/"
}

# ================================================================ 7. active timeout
# One 45 s TCP connection (100 bytes up, 40 down, every second) seen live by softflowd
# (maxlife 10 s, v9), pmacct (maxlife 10 s, IPFIX) and fprobe (active timer 10 s, v5).
scenario_long() {
    log "45 s TCP connection, active timeout 10 s: softflowd v9, pmacct IPFIX, fprobe v5"
    pmacct_conf long-pmacct.conf 4739 10 "pcap_interface: lo" "pcap_filter: tcp port 7000" \
        "nfprobe_timeouts[np]: tcp=60:tcp.rst=5:tcp.fin=5:udp=5:icmp=5:general=60:maxlife=10:expint=1"
    local sinks=() caps=() p
    for p in 2055 4739 9996; do
        python3 "$TOOLS/sink.py" udp 127.0.0.1 "$p" & sinks+=($!)
    done
    tcpdump -Z root -i lo -U -w softflowd-v9-active-timeout.pcap udp port 2055 2>c1.err & caps+=($!)
    tcpdump -Z root -i lo -U -w pmacct-nfprobe-ipfix-active-timeout.pcap udp port 4739 2>c2.err & caps+=($!)
    tcpdump -Z root -i lo -U -w fprobe-v5-active-timeout.pcap udp port 9996 2>c3.err & caps+=($!)
    BGPIDS+=("${sinks[@]}" "${caps[@]}")
    softflowd -d -i lo -n 127.0.0.1:2055 -p "$WORK/sfl.pid" -c "$WORK/sfl.ctl" -v 9 \
        -t maxlife=10 -t expint=1 -t tcp=60 'tcp port 7000 or not (ip or ip6)' >sfl.log 2>&1 & local sf=$!
    pmacctd -f long-pmacct.conf >long-pmacct.log 2>&1 & local pm=$!
    fprobe -i lo -f 'tcp port 7000' -n 5 -s 1 -d 60 -e 10 -l 2:long 127.0.0.1:9996 >fprobe-long.log 2>&1 & local fp=$!
    python3 "$TOOLS/flush.py" lo 1500 1 & local fl=$!
    BGPIDS+=("$sf" "$pm" "$fp" "$fl")
    sleep 3
    start_capture traffic-long.pcap tcpdump -Z root -i lo -U tcp port 7000
    python3 "$TOOLS/longconn.py" 127.0.0.1 7000 45
    sleep 1
    stop_capture
    sleep 8                                    # the FIN flows expire (tcp.fin=5, fprobe at exit)
    stop_pid "$fl"
    flush lo
    stop_pid "$sf"
    stop_pid "$pm"
    stop_pid "$fp"
    sleep 1
    kill -INT "${caps[@]}"
    wait "${caps[@]}" || true
    kill "${sinks[@]}"
    wait "${sinks[@]}" 2>/dev/null || true
    cp traffic-long.pcap softflowd-v9-active-timeout.pcap pmacct-nfprobe-ipfix-active-timeout.pcap \
       fprobe-v5-active-timeout.pcap "$CASES/"
}

# ================================================================ 9. over TCP
scenario_tcp() {
    local v
    for v in ipfix v9; do
        local port=4739 ver=10
        [[ $v == v9 ]] && { port=2055; ver=9; }
        log "softflowd -v $ver -P tcp -> 127.0.0.1:$port (softflowd-$v-tcp.pcap)"
        start_sink tcp 127.0.0.1 "$port"
        start_capture "softflowd-$v-tcp.pcap" tcpdump -Z root -i lo -U tcp port "$port"
        softflowd_file "softflowd-$v-tcp.pcap" "$port" "127.0.0.1:$port" -v "$ver" -6 -a -P tcp
        stop_capture
        stop_sink
    done
    log "pmacct's IPFIX messages re-sent over TCP, split across segments (ipfix-tcp-split.pcap)"
    start_sink tcp 127.0.0.1 4739
    start_capture ipfix-tcp-split.pcap tcpdump -Z root -i lo -U tcp port 4739
    python3 "$TOOLS/tcp-send.py" "$SAMPLES/pmacct-nfprobe-ipfix.pcap" 4739 127.0.0.1 4739 ipfix-tcp-split.json
    stop_capture
    stop_sink
    cp softflowd-ipfix-tcp.pcap softflowd-v9-tcp.pcap ipfix-tcp-split.pcap ipfix-tcp-split.json "$CASES/"
    # data segments are the frames with a payload from the sender; pick them by number
    local segs
    mapfile -t segs < <(tshark -r ipfix-tcp-split.pcap -Y 'tcp.dstport==4739 && tcp.len>0' -T fields -e frame.number)
    ((${#segs[@]} >= 8)) || die "ipfix-tcp-split.pcap: only ${#segs[@]} data segments"
    python3 "$TOOLS/pcapedit.py" ipfix-tcp-split.pcap "$CASES/ipfix-tcp-split-gap.pcap" "del:${segs[3]}"
    python3 "$TOOLS/pcapedit.py" ipfix-tcp-split.pcap "$CASES/ipfix-tcp-split-retrans.pcap" "dup:${segs[4]}"
    python3 "$TOOLS/pcapedit.py" ipfix-tcp-split.pcap "$CASES/ipfix-tcp-split-reorder.pcap" \
        "swap:${segs[5]},${segs[6]}"
    printf '%s\n' "${segs[@]}" > "$CASES/ipfix-tcp-split.segments"
}

# ================================================================ 10. formats users have
scenario_formats() {
    log "nanosecond pcap, pcapng if_tsresol 9, multi-interface pcapng, compressed copies"
    start_sink udp 127.0.0.1 4739
    start_capture softflowd-ipfix-nsec.pcap tcpdump -Z root -i lo -U -j host --time-stamp-precision=nano udp port 4739
    softflowd_file softflowd-ipfix-nsec.pcap 4739 127.0.0.1:4739 -v 10 -6 -a
    stop_capture
    stop_sink
    editcap -F pcapng softflowd-ipfix-nsec.pcap softflowd-ipfix-nsec.pcapng
    # dumpcap on two interfaces at once: lo (Ethernet) and any (LINUX_SLL2); each datagram is
    # seen on both
    start_sink udp 127.0.0.1 2055
    start_capture softflowd-v9-lo-and-any.pcapng dumpcap -q -i lo -f 'udp port 2055' -i any -y LINUX_SLL2 -f 'udp port 2055'
    softflowd_file softflowd-v9-lo-and-any.pcapng 2055 127.0.0.1:2055 -v 9 -6 -a
    stop_capture
    stop_sink
    # two different exporters' captures of two link types merged into one pcapng
    mergecap -F pcapng -w mixed-linktypes-v9.pcapng "$SAMPLES/pmacct-nfprobe-v9.pcap" "$SAMPLES/softflowd-v9-any-sll2.pcap"
    gzip -n -k -c "$SAMPLES/softflowd-v9.pcap" > softflowd-v9.pcap.gz
    zstd -q -19 -k -c "$SAMPLES/softflowd-v9.pcap" > softflowd-v9.pcap.zst
    cp softflowd-ipfix-nsec.pcap softflowd-ipfix-nsec.pcapng softflowd-v9-lo-and-any.pcapng mixed-linktypes-v9.pcapng \
       softflowd-v9.pcap.gz softflowd-v9.pcap.zst "$CASES/"
}

# ================================================================ 11. realistic
# A few minutes of varied traffic (tools/realistic.py) seen live by softflowd (IPFIX) with
# short timeouts; the traffic itself is kept, cut to 96 bytes a packet, as traffic-realistic.pcap.
scenario_realistic() {
    local secs=${REALISTIC_SECONDS:-180}
    log "realistic traffic for $secs s, softflowd IPFIX live (softflowd-ipfix-realistic.pcap)"
    start_sink udp 127.0.0.1 4739
    start_capture softflowd-ipfix-realistic.pcap tcpdump -Z root -i lo -U udp port 4739
    tcpdump -Z root -i lo -U -s 96 -w traffic-realistic.pcap 'not udp port 4739 and (ip or ip6)' 2>tr.err &
    local cap_tr=$!
    BGPIDS+=("$cap_tr")
    softflowd -d -i lo -n 127.0.0.1:4739 -p "$WORK/sfr.pid" -c "$WORK/sfr.ctl" -v 10 -6 \
        -t expint=5 -t udp=15 -t icmp=15 -t tcp=60 -t tcp.rst=5 -t tcp.fin=5 -t general=30 -t maxlife=120 \
        'not udp port 4739' >sfr.log 2>&1 &
    local sf=$!
    python3 "$TOOLS/flush.py" lo 1500 1 & local fl=$!
    BGPIDS+=("$sf" "$fl")
    sleep 2
    python3 "$TOOLS/realistic.py" "$secs" realistic.log
    sleep 2
    stop_pid "$fl"
    flush lo
    # graceful stop through its control socket: expires and exports every flow still held
    # (SIGTERM would drop them, see "restart")
    softflowctl -c "$WORK/sfr.ctl" shutdown >/dev/null
    wait "$sf" || true
    sleep 1
    kill -INT "$cap_tr"; wait "$cap_tr" || true
    stop_capture
    stop_sink
    cp softflowd-ipfix-realistic.pcap traffic-realistic.pcap "$CASES/"
    cp realistic.log "$CASES/traffic-realistic.log"
}

# ================================================================ counts
# cases/manifest.tsv and cases/groundtruth.json (tools/groundtruth.py): tshark's counts
# (tools/tshark-count.py) and tools/flowtruth.py's for every file of the second set.
scenario_count() {
    log "counting with tshark and tools/flowtruth.py (cases/manifest.tsv, cases/groundtruth.json)"
    python3 "$TOOLS/groundtruth.py" "$CASES"
    cut -f 1-17 "$CASES/manifest.tsv" | column -t -s $'\t'
    chmod 644 "$CASES"/*
}

for s in "${SCENARIOS[@]}"; do
    [[ " ${ALL[*]} " == *" $s "* ]] || die "unknown scenario $s (one of: ${ALL[*]})"
    "scenario_$s"
done
