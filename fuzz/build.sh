#!/usr/bin/env bash
# Builds the libFuzzer targets into .build-fuzz/ (or $FUZZ_BUILD_DIR) with swiftc directly, one
# invocation per target, in parallel ($FUZZ_JOBS, default 2). Each target compiles only the pure
# source folders it exercises, plus fuzz/support/, with -sanitize=fuzzer,address.
#   fuzz/build.sh              every target
#   fuzz/build.sh json sse     just these
# A target is rebuilt only when one of its inputs is newer than its binary or the flags changed.
# FUZZ_STRICT=1 also fails on the known issues that fuzz/README.md lists (to check their fixes).
set -euo pipefail
cd "$(dirname "$0")/.."

OUT=${FUZZ_BUILD_DIR:-.build-fuzz}
JOBS=${FUZZ_JOBS:-2}
SWIFTC=${SWIFTC:-swiftc}
FLAGS=(-O -wmo -g -sanitize=fuzzer,address -parse-as-library -use-ld=lld -module-name SluiceFuzz)
[ "${FUZZ_STRICT:-1}" = 1 ] && FLAGS+=(-D FUZZ_STRICT)
# Longest build first, so the parallel builds finish together.
ALL=(config json http_request chunked sse)
TARGETS=("$@")
[ ${#TARGETS[@]} -eq 0 ] && TARGETS=("${ALL[@]}")
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)

sources() {
    local core=Sources/SluiceCore
    case "$1" in
        http_request|chunked|sse) ls "$core"/HTTP/*.swift "$core"/Support/Byte*.swift ;;
        json) ls "$core"/JSON/*.swift ;;
        config) ls "$core"/Config/*.swift "$core"/Config/YAML/*.swift "$core"/JSON/*.swift ;;
        *) echo "unknown fuzz target: $1 (known: ${ALL[*]})" >&2; return 1 ;;
    esac
    ls fuzz/support/*.swift
    echo "fuzz/targets/$1.swift"
}

build_one() {
    local t=$1 bin="$OUT/$1" files
    files=$(sources "$t") || return 1
    # shellcheck disable=SC2086
    if [ -x "$bin" ] && [ "$(cat "$bin.flags" 2>/dev/null)" = "${FLAGS[*]}" ] \
        && [ -z "$(find $files -newer "$bin" 2>/dev/null)" ]; then
        echo "fuzz: $t up to date"
        return 0
    fi
    local start=$SECONDS
    # shellcheck disable=SC2086
    # swiftc drops module files (SluiceFuzz-N.swiftmodule) into its working directory: run it in $OUT.
    local root=$PWD abs=()
    for f in $files; do abs+=("$root/$f"); done
    if (cd "$OUT" && "$SWIFTC" "${FLAGS[@]}" "${abs[@]}" -o "$bin") >"$OUT/$t.log" 2>&1; then
        echo "${FLAGS[*]}" >"$bin.flags"
        echo "fuzz: built $t in $((SECONDS - start))s"
    else
        echo "fuzz: building $t FAILED:" >&2
        cat "$OUT/$t.log" >&2
        return 1
    fi
}

failed=0
running=0
for t in "${TARGETS[@]}"; do
    sources "$t" >/dev/null || exit 2
    build_one "$t" &
    running=$((running + 1))
    if [ "$running" -ge "$JOBS" ]; then
        wait -n || failed=1
        running=$((running - 1))
    fi
done
while [ "$running" -gt 0 ]; do
    wait -n || failed=1
    running=$((running - 1))
done
exit $failed
