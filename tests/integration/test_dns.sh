#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Reverse DNS end to end against real DNS servers on loopback: dnsmasq serving PTR records, and a
# server that never answers. Each scenario runs in private network + mount namespaces in which
# /etc/resolv.conf sends the system resolver to 127.0.0.1 and /etc/hosts names no loopback
# address, so names can only come from the server.
#
#   tests/integration/test_dns.sh NFPCAP_BINARY SAMPLES_DIR RESOLVE_PROBE
#
# RESOLVE_PROBE is tests/analyze/resolve_probe (analyze::Resolver on addresses from argv).
# Needs root, unshare(1), python3 and dnsmasq (Debian dnsmasq-base: `tools/bootstrap.sh --test`
# installs it; a test never installs packages); exits 77 (meson: skipped) without them.
set -uo pipefail

if [[ $# -lt 3 ]]; then
    echo "usage: $0 NFPCAP_BINARY SAMPLES_DIR RESOLVE_PROBE" >&2
    exit 2
fi
NFPCAP=$1
SAMPLES=$2
PROBE=$3

skip() {
    echo "SKIP: $*"
    exit 77
}

[[ $(id -u) -eq 0 ]] || skip "needs root (mount and network namespaces)"
command -v unshare >/dev/null || skip "unshare(1) not found"
command -v ip >/dev/null || skip "ip(8) not found"
command -v python3 >/dev/null || skip "python3 not found"
command -v dnsmasq >/dev/null || skip "dnsmasq not found (Debian dnsmasq-base; tools/bootstrap.sh --test installs it)"
unshare --net --mount -- true 2>/dev/null || skip "cannot create network and mount namespaces here"

DNS_WORK=$(mktemp -d "${TMPDIR:-/tmp}/nfpcap-dns.XXXXXX")
trap 'rm -rf "$DNS_WORK"' EXIT
export DNS_WORK

# The system resolver's view inside the namespaces.
printf 'nameserver 127.0.0.1\noptions timeout:1 attempts:1\n' >"$DNS_WORK/resolv.conf"
printf '# test_dns.sh: no loopback names here, so they must come from DNS\n' >"$DNS_WORK/hosts"
# Files, then DNS: no mdns or systemd-resolved module answering on the server's behalf.
if [[ -f /etc/nsswitch.conf ]]; then
    sed 's/^hosts:.*/hosts: files dns/' /etc/nsswitch.conf >"$DNS_WORK/nsswitch.conf"
else
    printf 'hosts: files dns\n' >"$DNS_WORK/nsswitch.conf"
fi

# PTR records dnsmasq serves (dnsmasq --ptr-record=NAME,TARGET words).
export DNS_PTR_RECORDS="\
--ptr-record=1.0.0.127.in-addr.arpa,flow-host.test \
--ptr-record=1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.ip6.arpa,flow6-host.test"

# --- inside the namespaces (run by in_dns_namespace through bash -c) ---

dns_stop_server() {
    local pidfile=$DNS_WORK/server.pid pid
    [[ -s $pidfile ]] || return 0
    pid=$(<"$pidfile")
    rm -f "$pidfile"
    kill "$pid" 2>/dev/null || return 0
    for _ in $(seq 50); do
        kill -0 "$pid" 2>/dev/null || return 0
        sleep 0.1
    done
    kill -KILL "$pid" 2>/dev/null
}

dns_ns_main() {
    local server=$1
    shift
    mount --make-rprivate / && ip link set lo up || return 90
    mount --bind "$DNS_WORK/resolv.conf" /etc/resolv.conf &&
        mount --bind "$DNS_WORK/hosts" /etc/hosts &&
        mount --bind "$DNS_WORK/nsswitch.conf" /etc/nsswitch.conf || return 90
    # nscd would answer from the host's cache over its socket, bypassing resolv.conf.
    local d
    for d in /run/nscd /var/run/nscd; do
        if [[ -d $d && ! -L $d ]]; then mount -t tmpfs tmpfs "$d" || return 90; fi
    done

    local pidfile=$DNS_WORK/server.pid
    rm -f "$pidfile" "$DNS_WORK/dnsmasq.log"
    trap dns_stop_server EXIT
    case $server in
    dnsmasq)
        # shellcheck disable=SC2086  # DNS_PTR_RECORDS holds whole words
        dnsmasq --conf-file=/dev/null --no-resolv --no-hosts --bind-interfaces \
            --listen-address=127.0.0.1 --port=53 --pid-file="$pidfile" \
            --log-queries --log-facility="$DNS_WORK/dnsmasq.log" $DNS_PTR_RECORDS || return 91
        ;;
    silent)
        # Binds 127.0.0.1:53 and never reads: queries vanish without even an ICMP error.
        python3 -c '
import os, socket, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", 53))
with open(sys.argv[1] + ".tmp", "w") as f:
    f.write(str(os.getpid()))
os.rename(sys.argv[1] + ".tmp", sys.argv[1])
time.sleep(600)
' "$pidfile" </dev/null >/dev/null 2>&1 &
        ;;
    *)
        echo "dns_ns_main: unknown server $server" >&2
        return 2
        ;;
    esac
    for _ in $(seq 50); do
        [[ -s $pidfile ]] && break
        sleep 0.1
    done
    [[ -s $pidfile ]] || return 91
    "$@"
}

# Runs COMMAND, then prints "wall_ms=N", its wall-clock time including process exit.
dns_timed() {
    local start end rc
    start=$(date +%s%N)
    "$@"
    rc=$?
    end=$(date +%s%N)
    echo "wall_ms=$(((end - start) / 1000000))"
    return $rc
}

export -f dns_stop_server dns_ns_main dns_timed

# in_dns_namespace SERVER COMMAND [ARGS...]
#   Runs COMMAND in fresh network + mount namespaces (lo up; private resolv.conf, hosts and
#   nsswitch.conf) with SERVER on 127.0.0.1:53: "dnsmasq" (DNS_PTR_RECORDS; queries logged to
#   $DNS_WORK/dnsmasq.log) or "silent" (never answers). The server is stopped by its PID afterwards.
#   Returns COMMAND's status; 90/91 when the namespace or the server could not be set up.
in_dns_namespace() {
    unshare --net --mount -- bash -c 'dns_ns_main "$@"' dns_ns_main "$@"
}

# --- checks ---

failures=0
passed=0
check() {  # NAME CONDITION-STATUS [DETAIL]
    if [[ $2 -eq 0 ]]; then
        passed=$((passed + 1))
    else
        failures=$((failures + 1))
        echo "FAIL $1${3:+: $3}"
    fi
}
has_line() { grep -qxF -- "$2" <<<"$1"; }
stat_of() { sed -n "s/^stats .*\\b$2=\\([0-9]*\\).*/\\1/p" <<<"$1"; }

echo "== dnsmasq: PTR records for 127.0.0.1 and ::1, nothing for 192.0.2.1"
out=$(in_dns_namespace dnsmasq dns_timed "$PROBE" --timeout 3000 --budget 10000 \
    127.0.0.1 ::1 127.0.0.1 192.0.2.1)
rc=$?
echo "$out"
check "probe exit status" $rc "$rc"
has_line "$out" "127.0.0.1 flow-host.test"
check "127.0.0.1 named by dnsmasq" $?
has_line "$out" "::1 flow6-host.test"
check "::1 named by dnsmasq" $?
has_line "$out" "192.0.2.1 192.0.2.1"
check "192.0.2.1 stays numeric" $?
[[ $(stat_of "$out" asked) == 3 && $(stat_of "$out" named) == 2 && $(stat_of "$out" unnamed) == 1 ]]
check "stats: 3 distinct asked, 2 named, 1 unnamed" $? "$(grep '^stats' <<<"$out")"
queries=$(grep -c 'query\[PTR\] 1\.0\.0\.127\.in-addr\.arpa' "$DNS_WORK/dnsmasq.log" 2>/dev/null)
[[ $queries == 1 ]]
check "127.0.0.1, given twice, asked of the server once" $? "${queries:-no log} queries"

echo "== dnsmasq with a hosts file: its names come first"
printf '127.0.0.1 from-hosts-file.test\n' >"$DNS_WORK/names.hosts"
out=$(in_dns_namespace dnsmasq "$PROBE" --hosts "$DNS_WORK/names.hosts" 127.0.0.1 ::1)
rc=$?
echo "$out"
check "probe exit status" $rc "$rc"
has_line "$out" "127.0.0.1 from-hosts-file.test"
check "127.0.0.1 named by the hosts file" $?
has_line "$out" "::1 flow6-host.test"
check "::1 still named by dnsmasq" $?
! grep -q 'query\[PTR\] 1\.0\.0\.127\.in-addr\.arpa' "$DNS_WORK/dnsmasq.log" 2>/dev/null
check "127.0.0.1 not asked of the server" $?

addresses=()
for i in $(seq 1 50); do addresses+=("192.0.2.$i"); done

silent_case() {  # TIMEOUT_MS: 50 addresses, budget 1500 ms, 16 in flight
    local timeout=$1 out rc wall
    echo "== silent server: 50 addresses, lookup timeout ${timeout} ms, budget 1500 ms"
    out=$(in_dns_namespace silent dns_timed "$PROBE" --timeout "$timeout" --budget 1500 --parallel 16 \
        "${addresses[@]}")
    rc=$?
    grep -v '^192\.0\.2\.' <<<"$out"
    check "probe exit status" $rc "$rc"
    [[ $(grep -c '^192\.0\.2\.\([0-9]*\) 192\.0\.2\.\1$' <<<"$out") == 50 ]]
    check "all 50 numeric" $?
    [[ $(stat_of "$out" asked) == 50 && $(stat_of "$out" named) == 0 && $(stat_of "$out" unnamed) == 0 &&
        $(($(stat_of "$out" timed_out) + $(stat_of "$out" skipped))) == 50 ]]
    check "stats: all timed out or skipped" $? "$(grep '^stats' <<<"$out")"
    if [[ $timeout -lt 1500 ]]; then
        [[ $(stat_of "$out" timed_out) -gt 16 ]]
        check "timed-out lookups replaced by new ones before the budget ends" $? "$(grep '^stats' <<<"$out")"
    else
        [[ $(stat_of "$out" timed_out) == 16 && $(stat_of "$out" skipped) == 34 ]]
        check "16 in flight when the budget ends, the rest skipped" $? "$(grep '^stats' <<<"$out")"
    fi
    wall=$(sed -n 's/^wall_ms=//p' <<<"$out")
    [[ -n $wall && $wall -lt 3000 ]]
    check "finished, exit included, in under 3 s" $? "${wall:-?} ms"
}
silent_case 1000 # lookups time out and are replaced before the budget ends
silent_case 5000 # the budget ends first

echo "== nfpcap connections: client and server names from dnsmasq"
out=$(in_dns_namespace dnsmasq "$NFPCAP" -p 0 --format json "$SAMPLES/softflowd-v9.pcap")
rc=$?
check "connections exit status" $rc "$rc"
v4=$(grep -c '"client":"127.0.0.1".*"client_name":"flow-host.test","server_name":"flow-host.test"' <<<"$out")
v6=$(grep -c '"client":"::1".*"client_name":"flow6-host.test","server_name":"flow6-host.test"' <<<"$out")
[[ $v4 -gt 0 && $v6 -gt 0 ]]
check "IPv4 and IPv6 connections named" $? "$v4 IPv4, $v6 IPv6 named"
queries=$(grep -c 'query\[PTR\]' "$DNS_WORK/dnsmasq.log" 2>/dev/null)
[[ $queries == 2 ]]
check "each distinct address asked once" $? "${queries:-no log} PTR queries"
out=$(in_dns_namespace dnsmasq "$NFPCAP" -p 0 "$SAMPLES/softflowd-v9.pcap")
grep -q 'flow-host.test (127.0.0.1):8000' <<<"$out"
check "text table shows name (addr):port" $? "$(sed -n 2p <<<"$out")"
out=$(in_dns_namespace dnsmasq "$NFPCAP" -n -p 0 --format json "$SAMPLES/softflowd-v9.pcap")
! grep -q 'flow-host.test' <<<"$out" && ! grep -q 'query\[PTR\]' "$DNS_WORK/dnsmasq.log" 2>/dev/null
check "-n: no names, no queries" $?

echo "== nfpcap top: host rows named by dnsmasq, only the rows shown asked"
out=$(in_dns_namespace dnsmasq "$NFPCAP" top -s srcip "$SAMPLES/softflowd-v9.pcap")
rc=$?
check "top exit status" $rc "$rc"
grep -q '^flow-host.test (127.0.0.1)  ' <<<"$out" && grep -q '^flow6-host.test (::1)  ' <<<"$out"
check "top text: name (address) rows" $? "$(sed -n 3,4p <<<"$out")"
grep -qxF 'Names: 2 of 2 addresses named by reverse DNS.' <<<"$out"
check "top footer: what DNS did" $? "$(grep '^Names' <<<"$out")"
out=$(in_dns_namespace dnsmasq "$NFPCAP" top --count 1 -T json -s srcip "$SAMPLES/softflowd-v9.pcap")
queries=$(grep -c 'query\[PTR\]' "$DNS_WORK/dnsmasq.log" 2>/dev/null)
[[ $queries == 1 ]] && grep -q '"name":"flow' <<<"$out"
check "top --count 1: one row, one query, named in JSON" $? "${queries:-no log} queries; $(head -1 <<<"$out")"
out=$(in_dns_namespace dnsmasq "$NFPCAP" top -s dstport "$SAMPLES/softflowd-v9.pcap")
! grep -q 'query\[PTR\]' "$DNS_WORK/dnsmasq.log" 2>/dev/null
check "top by port: no queries" $?

echo "== nfpcap connections: a silent server cannot hold the table back"
out=$(in_dns_namespace silent dns_timed "$NFPCAP" -p 0 --dns-timeout 1000 --dns-budget 1500 --format json \
    "$SAMPLES/softflowd-v9.pcap")
wall=$(sed -n 's/^wall_ms=//p' <<<"$out")
[[ -n $wall && $wall -lt 3500 ]]
check "finished within the budget" $? "${wall:-?} ms"
[[ $(grep -c '"client_name":null' <<<"$out") -gt 0 ]]
check "addresses printed numerically" $?

echo "$passed passed, $failures failed"
[[ $failures -eq 0 ]]
