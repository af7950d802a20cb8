#!/usr/bin/env bash
# shellcheck disable=SC2317  # cleanup/stop_pid run from traps
# `make run`: sluice-mock on 127.0.0.1:8081 and sluice with the given config (default
# config/sluice.yaml), both in the foreground of this terminal. Ctrl-C, a signal, or either
# process exiting stops the other one too; both are stopped by PID.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
CONFIG="${1:-${SLUICE_CONFIG:-config/sluice.yaml}}"
MOCK_PORT="${MOCK_PORT:-8081}"
BIN_DIR="${SLUICE_BIN_DIR:-$(swift build -c release --show-bin-path)}"

for exe in sluice sluice-mock; do
    if [ ! -x "$BIN_DIR/$exe" ]; then
        echo "run: $BIN_DIR/$exe not found; run 'make build' first" >&2
        exit 1
    fi
done

MOCK_PID=""
SLUICE_PID=""

stop_pid() {  # stop_pid PID: SIGTERM, up to 10 s for the drain, then SIGKILL
    local pid="$1" i
    [ -n "$pid" ] || return 0
    kill -TERM "$pid" 2>/dev/null || return 0
    for ((i = 0; i < 100; i++)); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
}

cleanup() {
    trap - EXIT INT TERM HUP
    stop_pid "$SLUICE_PID"
    stop_pid "$MOCK_PID"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM HUP

"$BIN_DIR/sluice-mock" --port "$MOCK_PORT" &
MOCK_PID=$!
"$BIN_DIR/sluice" --config "$CONFIG" &
SLUICE_PID=$!

echo "run: sluice-mock pid $MOCK_PID on 127.0.0.1:$MOCK_PORT, sluice pid $SLUICE_PID with $CONFIG (Ctrl-C stops both)" >&2

# Return as soon as either exits; the EXIT trap then stops the other.
status=0
wait -n "$MOCK_PID" "$SLUICE_PID" || status=$?
echo "run: a process exited (status $status); stopping the other" >&2
exit "$status"
