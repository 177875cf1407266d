#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Runs fuzz targets for a bounded time each on their committed seed corpus (in a scratch copy,
# so the committed corpus stays small). Any crash, leak, sanitizer report, timeout or
# out-of-memory fails: the input is kept under $FUZZ_ARTIFACTS (default /tmp/nfpcap-fuzz-artifacts).
#   fuzz/run.sh BUILD_DIR SECONDS [TARGET...]     (default: every target below)
# A soak run is the same with a longer time: fuzz/run.sh build-sanitize 600 (10 minutes each).
# One line per target: "fuzz TARGET: ok|FAIL (...)"; exit status 1 when any target failed.
set -uo pipefail
cd "$(dirname "$0")/.."
build=$1 seconds=$2
shift 2
targets=("$@")
((${#targets[@]})) || targets=(decoder capture hex connections statistics report anonymize templates fixture)
artifacts=${FUZZ_ARTIFACTS:-/tmp/nfpcap-fuzz-artifacts}
mkdir -p "$artifacts"
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
# Targets without a seed corpus of their own start from another's (datagrams).
declare -A seed_of=([anonymize]=decoder [templates]=decoder)
status=0
for t in "${targets[@]}"; do
    work=$(mktemp -d)
    log=$artifacts/$t.log
    corpus=fuzz/corpus/$t
    [[ -d $corpus ]] || corpus=fuzz/corpus/${seed_of[$t]:-decoder}
    "$build/fuzz/fuzz_$t" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=65535 \
        -print_final_stats=1 -artifact_prefix="$artifacts/$t-" "$work" "$corpus" >"$log" 2>&1
    rc=$?
    runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$')
    if ((rc == 0)); then
        echo "fuzz $t: ok (${runs:-?} runs in ${seconds} s)"
    else
        echo "fuzz $t: FAIL (exit $rc; log $log)"
        grep -E 'ERROR|SUMMARY|runtime error|Test unit written' "$log" | head -5
        status=1
    fi
    rm -rf "$work"
done
exit $status
