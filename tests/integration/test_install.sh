#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# `meson install` gives embedders what the README says: the build tree is installed into a
# staging directory, examples/decode_hex.cpp is compiled out of tree against it with nothing but
# `c++ -std=c++20 decode_hex.cpp $(pkg-config --cflags --libs nfpcap)`, and the program decodes
# `nfpcap hex` of a capture into as many data records as `nfpcap flows` prints.
#
#   tests/integration/test_install.sh MESON BUILD_DIR SOURCE_DIR
#
# Exits 77 (meson: skipped) without pkg-config or a C++ compiler.
set -euo pipefail

if [[ $# -ne 3 ]]; then
    echo "usage: $0 MESON BUILD_DIR SOURCE_DIR" >&2
    exit 2
fi
MESON=$1
BUILD=$(realpath "$2")
SOURCE=$(realpath "$3")
CXX=${CXX:-c++}

skip() {
    echo "SKIP: $*"
    exit 77
}
fail() {
    echo "FAIL: $*"
    exit 1
}
command -v pkg-config >/dev/null || skip "pkg-config not found"
command -v "$CXX" >/dev/null || skip "$CXX not found"

work=$(mktemp -d "${TMPDIR:-/tmp}/nfpcap-install.XXXXXX")
trap 'rm -rf "$work"' EXIT
stage=$work/stage

# --no-rebuild: `meson test` has built everything; ninja must not run under the test runner.
"$MESON" install -C "$BUILD" --no-rebuild --quiet --destdir "$stage" >"$work/install.log" 2>&1 ||
    fail "meson install: $(tail -20 "$work/install.log")"

pc=$(find "$stage" -name nfpcap.pc -path '*/pkgconfig/*' | head -1)
[[ -n $pc ]] || fail "no nfpcap.pc installed"
prefix=$(sed -n 's/^prefix=//p' "$pc")
# Relocate the staged tree as if installed with --prefix=$stage$prefix: every other path in
# nfpcap.pc is relative to ${prefix}.
sed -i "s|^prefix=.*|prefix=$stage$prefix|" "$pc"
for f in bin/nfpcap share/man/man1/nfpcap.1 include/nfpcap/pipeline/run.hpp include/nfpcap/fixture/text_format.hpp; do
    [[ -f $stage$prefix/$f ]] || fail "$prefix/$f not installed"
done
[[ -n $(find "$stage$prefix" -name libnfpcap.a) ]] || fail "libnfpcap.a not installed"
"$stage$prefix/bin/nfpcap" --version >/dev/null || fail "the installed nfpcap does not run"

# Every installed header is there and compiles with the staged tree alone (none reaches into src/).
find "$stage$prefix/include/nfpcap" -name '*.hpp' | sort | sed "s|^$stage$prefix/include/|#include <|; s|$|>|" \
    >"$work/all_headers.cpp"
[[ -n $(find "$stage$prefix/include/nfpcap" -name meson.build) ]] && fail "meson.build installed with the headers"
grep -q 'nfpcap/ie/ids.hpp' "$work/all_headers.cpp" || fail "the generated nfpcap/ie/ids.hpp is not installed"

# Out of tree: a copy of the example, the staged headers and library only.
cp "$SOURCE/examples/decode_hex.cpp" "$work/"
export PKG_CONFIG_PATH=${pc%/*}
flags=$(pkg-config --cflags --libs nfpcap) || fail "pkg-config --cflags --libs nfpcap failed"
[[ $flags == *"-I$stage$prefix/include"* ]] || fail "pkg-config flags do not name the staged headers: $flags"
(cd "$work" && "$CXX" -std=c++20 -fsyntax-only all_headers.cpp $(pkg-config --cflags nfpcap)) >"$work/headers.log" 2>&1 ||
    fail "the installed headers do not compile together: $(tail -30 "$work/headers.log")"
(cd "$work" && "$CXX" -std=c++20 decode_hex.cpp $flags -o decode_hex) >"$work/compile.log" 2>&1 ||
    fail "c++ -std=c++20 decode_hex.cpp $flags: $(tail -30 "$work/compile.log")"

nfpcap=$BUILD/src/cli/nfpcap
for sample in softflowd-ipfix.pcap softflowd-v9.pcap softflowd-v5.pcap; do
    capture=$SOURCE/samples/$sample
    out=$("$nfpcap" hex "$capture" | "$work/decode_hex") || fail "$sample: decode_hex exited $?"
    last=$(tail -1 <<<"$out")
    want=$("$nfpcap" flows --format json "$capture" | wc -l)
    [[ $want -gt 0 ]] || fail "$sample: nfpcap flows printed no records"
    [[ $last == "records $want" ]] || fail "$sample: decode_hex said '$last', nfpcap flows has $want records"
    echo "ok $sample: $last"
done
echo "test_install: installed tree, out-of-tree decode_hex, record counts equal"
