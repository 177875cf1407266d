#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Installs the Debian packages nfpcap needs (only those missing; quiet when all are there),
# then configures and builds it in ./build. With --test, also the test dependencies.
#   tools/bootstrap.sh          build dependencies, build
#   tools/bootstrap.sh --test   build and test dependencies (tshark; clang for sanitizers and fuzzing), build with
#                               tests and -Dwerror=true (CI: a warning of either compiler fails the build)
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(g++ meson ninja-build pkg-config libpcap-dev zlib1g-dev libzstd-dev libssl-dev libfmt-dev libcli11-dev libboost-dev doctest-dev)
if [[ ${1:-} == --test ]]; then
    packages+=(tshark python3 dnsmasq-base iproute2 util-linux)
    # Real exporters for the live test (test_live.py: softflowd and pmacctd export to --listen;
    # tcpreplay replays a sample on lo for -i).
    packages+=(softflowd pmacct tcpreplay)
    # The sanitizer build and the libFuzzer targets of CI (.ci/run).
    packages+=(clang libclang-rt-14-dev)
    # The HTML report in a real browser (tests/integration/test_report_browser.py).
    packages+=(chromium)
fi

missing=()
for p in "${packages[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed"; then
        missing+=("$p")
    fi
done
if ((${#missing[@]})); then
    echo "bootstrap: installing ${missing[*]}"
    sudo=()
    ((EUID == 0)) || sudo=(sudo)
    export DEBIAN_FRONTEND=noninteractive
    "${sudo[@]}" apt-get update -qq
    "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

werror=()
[[ ${1:-} == --test ]] && werror=(-Dwerror=true)
if [[ ! -f build/build.ninja ]]; then
    meson setup build --buildtype=release "${werror[@]}" >/dev/null
elif ((${#werror[@]})); then
    meson configure build "${werror[@]}" >/dev/null
fi
# Quiet when it builds; the compiler's messages when it does not.
ninja -C build >build/bootstrap-build.log 2>&1 || { tail -50 build/bootstrap-build.log >&2; exit 1; }
