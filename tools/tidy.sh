#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# clang-tidy 14 with the checks of .clang-tidy over every C++ file the build compiles (from
# BUILD/compile_commands.json, which meson writes), the generated tables left out. Prints the
# findings; exits non-zero when there are any.
#   tools/tidy.sh                 the whole tree, build/
#   tools/tidy.sh BUILD [REGEX]   another build directory; only files whose path matches REGEX
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
files=${2:-}
runner=$(command -v run-clang-tidy-14 || command -v run-clang-tidy || true)
if [[ -z $runner ]] || ! command -v clang-tidy-14 >/dev/null; then
    echo "tidy: clang-tidy 14 not found (Debian: apt-get install clang-tidy-14)" >&2
    exit 2
fi
if [[ ! -f $build/compile_commands.json ]]; then
    echo "tidy: no $build/compile_commands.json (meson setup $build first)" >&2
    exit 2
fi
# The generated tables (tools/gen_*.py) are data; everything else under the project's folders.
regex='^(?!.*_table\.cpp$).*/(src|tests|examples|fuzz|bench)/'
[[ -n $files ]] && regex="(?=.*($files))$regex"
"$runner" -clang-tidy-binary "$(command -v clang-tidy-14)" -p "$build" -quiet -j "$(nproc)" "$regex"
