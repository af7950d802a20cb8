#!/usr/bin/env bash
# Runs one fuzz target for SECONDS (default 60) on a scratch copy of its seed corpus, so the
# corpus in the repo stays small; prints the executions reached. A crash leaves its reproducer in
# $FUZZ_WORK_DIR/<target>/ (default .build-fuzz/work/<target>/) and makes this script fail.
#   fuzz/run.sh TARGET [SECONDS] [extra libFuzzer flags…]
# Replay a reproducer:  SWIFT_BACKTRACE=enable=no .build-fuzz/TARGET CRASH-FILE
set -euo pipefail
cd "$(dirname "$0")/.."

[ $# -ge 1 ] || { sed -n '2,6p' "$0" | sed 's/^# \{0,1\}//'; exit 2; }
TARGET=$1
SECONDS_TO_RUN=${2:-60}
shift $(( $# >= 2 ? 2 : 1 ))
OUT=${FUZZ_BUILD_DIR:-.build-fuzz}
BIN="$OUT/$TARGET"
WORK=${FUZZ_WORK_DIR:-$OUT/work}/$TARGET
SEEDS=fuzz/corpus/$TARGET

if ! built=$(fuzz/build.sh "$TARGET" 2>&1); then echo "$built" >&2; exit 1; fi
grep -v "up to date" <<<"$built" || true
rm -rf "$WORK"
mkdir -p "$WORK/corpus"
[ -d "$SEEDS" ] && cp "$SEEDS"/* "$WORK/corpus/" 2>/dev/null || true

LOG="$WORK/fuzz.log"
status=0
# Swift's own backtracer would race libFuzzer's crash handler: turn it off.
SWIFT_BACKTRACE=enable=no ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1} \
    "$BIN" -max_total_time="$SECONDS_TO_RUN" -max_len="${FUZZ_MAX_LEN:-4096}" -timeout=10 -rss_limit_mb=2048 \
    -artifact_prefix="$WORK/" -print_final_stats=1 "$@" "$WORK/corpus" >"$LOG" 2>&1 || status=$?

execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$LOG" | tail -1)
cov=$(grep -Eo 'cov: [0-9]+' "$LOG" | tail -1 || true)
corpus=$(find "$WORK/corpus" -type f | wc -l)
if [ "$status" -ne 0 ]; then
    echo "fuzz $TARGET: FAILED after ${execs:-?} executions (exit $status); log $LOG"
    grep -E 'invariant violated|ERROR: |Fatal error|deadly signal|==ERROR' "$LOG" | head -5 || true
    ls "$WORK"/crash-* "$WORK"/leak-* "$WORK"/timeout-* "$WORK"/oom-* 2>/dev/null || true
    exit 1
fi
echo "fuzz $TARGET: ${execs:-?} executions in ${SECONDS_TO_RUN}s, ${cov:-cov: ?}, corpus $corpus files"
