#!/usr/bin/env bash
# `make bench`: Sluice side by side with nginx and with no proxy at all (SPEC §11 method).
#
# The same backend (sluice-mock, port 0) behind each target; wrk -t2 -c64 --latency; ROUNDS
# interleaved rounds per case after a short warm-up; medians reported. Results: a markdown table
# per case on stdout and in bench/results/latest.md. Everything listens on 127.0.0.1 only; every
# process started here is stopped by PID on exit; each step is bounded in time.
#
# Settings (environment):
#   WORKERS=2          nginx worker_processes and sluice server.workers
#   DURATION=8         seconds per measured wrk run      ROUNDS=3     interleaved rounds
#   WARMUP=2           seconds of warm-up per target     WRK_THREADS=2  WRK_CONNECTIONS=64
#   CASES="json sse json_pipeline json_limit"   cases to run (functions case_<name> below)
#   TARGETS="direct nginx sluice"   targets (functions target_<name>_start/_stop below);
#                      also available: nginx1 (nginx with 1 worker), sluice1 (sluice with 1 worker)
#   BACKEND_PORT=      bench an already-running backend on this loopback port instead of sluice-mock
#   SKIP_BUILD=0       1: use the existing release binaries     MAX_SECONDS=  overall budget (computed)
#   RESULTS_FILE=bench/results/latest.md     ALLOW_ERRORS=0  (1: exit 0 even when a run had errors)
#   KEEP_WORK=0        1: keep the temp dir (configs, logs, raw wrk output) for inspection
#
# Adding a case: write case_<name> (sets CASE_TITLE, the body, CASE_EVENTS and optionally
# CASE_SLUICE_PIPELINE) and name it in CASES. Adding a target (haproxy, litellm …): write
# target_<name>_start (sets TARGET_PORT[name], TARGET_PID[name]) and target_<name>_stop.
set -euo pipefail

BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$BENCH_DIR/.." && pwd)"
# shellcheck source=bench/lib.sh
source "$BENCH_DIR/lib.sh"

WORKERS="${WORKERS:-2}"
DURATION="${DURATION:-8}"
ROUNDS="${ROUNDS:-3}"
WARMUP="${WARMUP:-2}"
WRK_THREADS="${WRK_THREADS:-2}"
WRK_CONNECTIONS="${WRK_CONNECTIONS:-64}"
CASES="${CASES:-json sse json_pipeline json_limit}"
TARGETS="${TARGETS:-direct nginx sluice}"
BACKEND_PORT="${BACKEND_PORT:-}"
SKIP_BUILD="${SKIP_BUILD:-0}"
BUILD_TIMEOUT="${BUILD_TIMEOUT:-1800}"
RESULTS_FILE="${RESULTS_FILE:-$BENCH_DIR/results/latest.md}"
ALLOW_ERRORS="${ALLOW_ERRORS:-0}"
KEEP_WORK="${KEEP_WORK:-0}"
read -r -a CASE_LIST <<<"$CASES"
read -r -a TARGET_LIST <<<"$TARGETS"
# Budget: warm-ups + measured runs (+5 s start/stop slack each) + 60 s per case + 60 s setup.
MAX_SECONDS="${MAX_SECONDS:-$((${#CASE_LIST[@]} * (${#TARGET_LIST[@]} * (WARMUP + 5 + ROUNDS * (DURATION + 5)) + 60) + 60))}"

WORK="$(mktemp -d /tmp/sluice-bench.XXXXXX)"
chmod 755 "$WORK" # nginx workers drop to an unprivileged user and must reach their temp paths
BIN_DIR=""
MOCK_PORT=""
SLUICE_VERSION="n/a"
HAD_ERRORS=0
declare -A TARGET_PORT=() TARGET_PID=() PEAK_RSS=()

cleanup() {
    local status=$?
    trap - EXIT INT TERM
    bench_stop_all
    if [ "$KEEP_WORK" = 1 ]; then
        bench_log "kept $WORK"
    else
        rm -rf "$WORK"
    fi
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# --- cases --------------------------------------------------------------------------------------
# A case sets CASE_TITLE, writes CASE_BODY, sets CASE_EVENTS (SSE data events expected per
# response; 0 for JSON) and may set CASE_SLUICE_PIPELINE (the sluice `pipeline:` YAML flow list).

case_json() {
    CASE_TITLE="JSON — POST /v1/chat/completions, 1 KB body, max_tokens 16"
    bench_chat_body "$CASE_BODY" bench-model 16 false 1024
    CASE_EVENTS=0
}

# The whole AI pipeline on the JSON case: guardrail (pii, secrets, prompt_injection), router,
# prompt_cache on its miss path (every body differs, so every lookup misses and is stored).
case_json_pipeline() {
    CASE_TITLE="JSON, full pipeline — guardrail(pii,secrets,prompt_injection) + router + prompt_cache (misses), 1 KB"
    bench_chat_body "$CASE_BODY" bench-model 16 false 1024
    CASE_EVENTS=0
    CASE_VARY=1
    CASE_SLUICE_PIPELINE='[{name: guard, type: guardrail, detectors: [{type: pii, action: redact}, {type: secrets, action: block}, {type: prompt_injection, action: block}]}, {name: router, type: model_router}, {name: cache, type: prompt_cache, deterministic_only: false, max_bytes: 64MiB}]'
}
# One tenant token bucket (never short, so every request is admitted and reconciled).
case_json_limit() {
    CASE_TITLE="JSON, one tenant token bucket — 1 KB body, max_tokens 16"
    bench_chat_body "$CASE_BODY" bench-model 16 false 1024
    CASE_EVENTS=0
    CASE_SLUICE_EXTRA='rate_limits: [{name: tenant-tpm, key: [tenant], unit: tokens, limit: 1000000000, window: 1m}]'
}
# The same bucket kept in Redis for every replica (SPEC §10): one admit script and one reconcile
# script per request (exact), or leases of 5% of the bucket (leased). The Redis is started by
# this script on a loopback port (ensure_redis).
case_json_global_exact() {
    CASE_TITLE="JSON, one global token bucket in Redis, mode exact — 1 KB body, max_tokens 16"
    bench_chat_body "$CASE_BODY" bench-model 16 false 1024
    CASE_EVENTS=0
    ensure_redis
    CASE_SLUICE_EXTRA="cluster: {redis: {address: \"127.0.0.1:$REDIS_PORT\", timeout: 50ms}, failure_mode: fail_closed}
rate_limits: [{name: tenant-tpm, key: [tenant], unit: tokens, limit: 1000000000, window: 1m, scope: global}]"
}
case_json_global_leased() {
    CASE_TITLE="JSON, one global token bucket in Redis, mode leased — 1 KB body, max_tokens 16"
    bench_chat_body "$CASE_BODY" bench-model 16 false 1024
    CASE_EVENTS=0
    ensure_redis
    CASE_SLUICE_EXTRA="cluster: {redis: {address: \"127.0.0.1:$REDIS_PORT\", timeout: 50ms}, failure_mode: fail_closed}
rate_limits: [{name: tenant-tpm, key: [tenant], unit: tokens, limit: 1000000000, window: 1m, scope: global, mode: leased}]"
}
REDIS_PORT=""
# ensure_redis: one redis-server for the run (no persistence, loopback), stopped with the rest.
ensure_redis() {
    [ -n "$REDIS_PORT" ] && return 0
    bench_require redis-server:redis-server
    REDIS_PORT="$(bench_free_port)"
    bench_start "$WORK/redis.log" redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save "" --appendonly no
    bench_wait_port "$REDIS_PORT" "$BENCH_LAST_PID"
    bench_log "redis-server on 127.0.0.1:$REDIS_PORT (pid $BENCH_LAST_PID)"
}
# The JSON case with the access log written to a file (one JSON line per request).
case_json_log() {
    CASE_TITLE="JSON, access log on (file) — 1 KB body, max_tokens 16"
    bench_chat_body "$CASE_BODY" bench-model 16 false 1024
    CASE_EVENTS=0
    CASE_SLUICE_ACCESS_LOG="$WORK/access.log"
}
case_sse() {
    CASE_TITLE="SSE — POST /v1/chat/completions, 1 KB body, stream, max_tokens 64 (64 events)"
    bench_chat_body "$CASE_BODY" bench-model 64 true 1024
    CASE_EVENTS=64
}

# --- targets ------------------------------------------------------------------------------------

target_direct_start() {
    TARGET_PORT[direct]="$MOCK_PORT"
    TARGET_PID[direct]=""
}
target_direct_stop() { :; }

# start_nginx NAME WORKERS
start_nginx() {
    local name="$1" workers="$2" dir="$WORK/$1" port
    mkdir -p "$dir"
    chmod 755 "$dir"
    port="$(bench_free_port)"
    sed -e "s|@WORKERS@|$workers|g" -e "s|@DIR@|$dir|g" -e "s|@PORT@|$port|g" \
        -e "s|@BACKEND_PORT@|$MOCK_PORT|g" "$BENCH_DIR/nginx.conf.tmpl" >"$dir/nginx.conf"
    bench_start "$dir/stderr.log" nginx -p "$dir" -c "$dir/nginx.conf" -e "$dir/error.log"
    TARGET_PID[$name]="$BENCH_LAST_PID"
    bench_wait_port "$port" "$BENCH_LAST_PID"
    TARGET_PORT[$name]="$port"
}

target_nginx_start() { start_nginx nginx "$WORKERS"; }
target_nginx_stop() { bench_stop_pid "${TARGET_PID[nginx]}"; }
target_nginx1_start() { start_nginx nginx1 1; }
target_nginx1_stop() { bench_stop_pid "${TARGET_PID[nginx1]}"; }

# write_sluice_config FILE WORKERS
write_sluice_config() {
    # (A default inside ${VAR:-...} would end at the first '}' of the YAML flow mapping.)
    local pipeline='[{name: router, type: model_router}]'
    [ -n "${CASE_SLUICE_PIPELINE:-}" ] && pipeline="$CASE_SLUICE_PIPELINE"
    cat >"$1" <<EOF
# Written by bench/run.sh for one case; see SPEC §2.
version: 1
listen:
  address: 127.0.0.1:0
admin:
  address: 127.0.0.1:0
server:
  workers: $2
logging:
  level: warn
  access_log: ${CASE_SLUICE_ACCESS_LOG:-off}
auth:
  mode: none
backends:
  - name: mock
    endpoints: ["http://127.0.0.1:$MOCK_PORT"]
routes:
  - name: all
    models: ["*"]
    backends:
      - {backend: mock}
pipeline: $pipeline
${CASE_SLUICE_EXTRA:-}
EOF
}

# start_sluice NAME WORKERS
start_sluice() {
    local name="$1" workers="$2" dir="$WORK/$1"
    mkdir -p "$dir"
    write_sluice_config "$dir/sluice.yaml" "$workers"
    bench_start "$dir/sluice.log" "$BIN_DIR/sluice" --config "$dir/sluice.yaml"
    TARGET_PID[$name]="$BENCH_LAST_PID"
    TARGET_PORT[$name]="$(bench_wait_listen "$dir/sluice.log" data "$BENCH_LAST_PID")"
}

target_sluice_start() { start_sluice sluice "$WORKERS"; }
target_sluice_stop() { bench_stop_pid "${TARGET_PID[sluice]}"; }
target_sluice1_start() { start_sluice sluice1 1; }
target_sluice1_stop() { bench_stop_pid "${TARGET_PID[sluice1]}"; }

# --- setup --------------------------------------------------------------------------------------

uses_sluice_binaries() {
    local t
    [ -z "$BACKEND_PORT" ] && return 0
    for t in "${TARGET_LIST[@]}"; do
        case "$t" in sluice*) return 0 ;; esac
    done
    return 1
}

setup() {
    local t
    for t in "${TARGET_LIST[@]}"; do
        declare -F "target_${t}_start" >/dev/null || bench_die "unknown target '$t'"
    done
    local c
    for c in "${CASE_LIST[@]}"; do
        declare -F "case_${c}" >/dev/null || bench_die "unknown case '$c'"
    done

    bench_require wrk:wrk nginx:nginx curl:curl python3:python3

    if uses_sluice_binaries; then
        if [ "$SKIP_BUILD" != 1 ]; then
            bench_log "swift build -c release"
            (cd "$ROOT" && timeout "$BUILD_TIMEOUT" swift build -c release) >&2
        fi
        BIN_DIR="$(cd "$ROOT" && swift build -c release --show-bin-path)"
        [ -x "$BIN_DIR/sluice-mock" ] || bench_die "$BIN_DIR/sluice-mock not found"
        if [ -x "$BIN_DIR/sluice" ]; then
            SLUICE_VERSION="$(timeout 5 "$BIN_DIR/sluice" --version 2>/dev/null | head -n1)" || SLUICE_VERSION=""
            SLUICE_VERSION="${SLUICE_VERSION:-unknown}"
        fi
    fi

    bench_deadline_init "$MAX_SECONDS"

    if [ -n "$BACKEND_PORT" ]; then
        MOCK_PORT="$BACKEND_PORT"
        bench_log "backend: existing server on 127.0.0.1:$MOCK_PORT"
    else
        bench_start "$WORK/mock.log" "$BIN_DIR/sluice-mock" --port 0
        MOCK_PORT="$(bench_wait_listen "$WORK/mock.log" mock "$BENCH_LAST_PID")"
        bench_log "backend: sluice-mock on 127.0.0.1:$MOCK_PORT (pid $BENCH_LAST_PID)"
    fi
}

# --- one case -----------------------------------------------------------------------------------

# rotated_targets ROUND: the target list rotated by ROUND, so no target always runs first.
rotated_targets() {
    local n=${#TARGET_LIST[@]} i
    for ((i = 0; i < n; i++)); do
        printf '%s\n' "${TARGET_LIST[(i + $1) % n]}"
    done
}

run_case() {
    local case_name="$1" t r raw parsed status events
    CASE_BODY="$WORK/$case_name.body.json"
    CASE_SLUICE_PIPELINE=""
    CASE_SLUICE_EXTRA=""
    CASE_SLUICE_ACCESS_LOG=off
    CASE_VARY=0
    "case_$case_name"
    bench_log "case $case_name: $CASE_TITLE"

    for t in "${TARGET_LIST[@]}"; do
        "target_${t}_start"
        bench_log "  $t on 127.0.0.1:${TARGET_PORT[$t]}${TARGET_PID[$t]:+ (pid ${TARGET_PID[$t]})}"
    done

    # One checked request per target, so a broken target shows before any number is taken.
    for t in "${TARGET_LIST[@]}"; do
        read -r status events < <(bench_smoke "$(target_url "$t")" "$CASE_BODY")
        printf '%s %s\n' "$status" "$events" >"$WORK/$case_name.$t.smoke"
        if [ "$status" != 200 ] || { [ "$CASE_EVENTS" -gt 0 ] && [ "$events" -lt "$CASE_EVENTS" ]; }; then
            bench_log "  WARNING: $t smoke request: HTTP $status, $events data events (want 200, >= $CASE_EVENTS)"
            HAD_ERRORS=1
        fi
    done

    for t in "${TARGET_LIST[@]}"; do
        bench_check_deadline
        bench_wrk "$WORK/$case_name.$t.warmup" "$(target_url "$t")" "$BENCH_DIR/chat-1k.lua" "$WARMUP" "$CASE_BODY"
    done

    for ((r = 0; r < ROUNDS; r++)); do
        while IFS= read -r t; do
            bench_check_deadline
            raw="$WORK/$case_name.$t.round$r"
            bench_wrk "$raw" "$(target_url "$t")" "$BENCH_DIR/chat-1k.lua" "$DURATION" "$CASE_BODY"
            parsed="$(bench_wrk_parse "$raw")" || { cat "$raw" >&2; bench_die "cannot parse wrk output"; }
            printf '%s\n' "$parsed" >>"$WORK/$case_name.$t.rounds"
            bench_log "  round $((r + 1))/$ROUNDS $t: $parsed (req/s p50ms p99ms non2xx sockerr)"
        done < <(rotated_targets "$r")
    done

    for t in "${TARGET_LIST[@]}"; do
        if [ -n "${TARGET_PID[$t]}" ]; then
            PEAK_RSS[$case_name.$t]="$(bench_peak_rss_mib "${TARGET_PID[$t]}")"
        fi
        "target_${t}_stop"
    done

    render_case "$case_name" >>"$WORK/report.md"
}

target_url() { printf 'http://127.0.0.1:%s/v1/chat/completions\n' "${TARGET_PORT[$1]}"; }

# --- report -------------------------------------------------------------------------------------

# column FILE N: the Nth field of every line.
column_of() { awk -v n="$2" '{ print $n }' "$1"; }

render_case() {
    local case_name="$1" t f rps p50 p99 non2xx sock errors smoke rss
    declare -A RPS=() P99=()
    printf '### %s\n\n' "$CASE_TITLE"
    printf '| target | req/s | p50 ms | p99 ms | peak RSS MiB | errors |\n'
    printf '|---|---:|---:|---:|---:|---|\n'
    for t in "${TARGET_LIST[@]}"; do
        f="$WORK/$case_name.$t.rounds"
        # shellcheck disable=SC2046
        rps="$(bench_median $(column_of "$f" 1))"
        # shellcheck disable=SC2046
        p50="$(bench_median $(column_of "$f" 2))"
        # shellcheck disable=SC2046
        p99="$(bench_median $(column_of "$f" 3))"
        non2xx="$(awk '{ s += $4 } END { print s + 0 }' "$f")"
        sock="$(awk '{ s += $5 } END { print s + 0 }' "$f")"
        read -r smoke _ <"$WORK/$case_name.$t.smoke"
        errors=0
        if [ "$non2xx" -gt 0 ] || [ "$sock" -gt 0 ] || [ "$smoke" != 200 ]; then
            errors="**non-2xx $non2xx, socket $sock, smoke HTTP $smoke**"
            HAD_ERRORS=1
        fi
        rss="${PEAK_RSS[$case_name.$t]:-–}"
        RPS[$t]="$rps"
        P99[$t]="$p99"
        printf '| %s | %s | %s | %s | %s | %s |\n' "$t" "$(bench_fmt "$rps" '%.0f')" \
            "$(bench_fmt "$p50" '%.2f')" "$(bench_fmt "$p99" '%.2f')" "$rss" "$errors"
    done
    local ref
    for ref in nginx direct; do
        printf '| sluice/%s | %s | | %s | | |\n' "$ref" \
            "$(bench_ratio "${RPS[sluice]:-}" "${RPS[$ref]:-}")" "$(bench_ratio "${P99[sluice]:-}" "${P99[$ref]:-}")"
    done
    printf '\nRounds (req/s p50 p99 non-2xx socket-errors):\n\n```\n'
    for t in "${TARGET_LIST[@]}"; do
        awk -v t="$t" '{ printf "%-8s %s\n", t, $0 }' "$WORK/$case_name.$t.rounds"
    done
    printf '```\n\n'
}

report_header() {
    local commit BACKEND_DESC="sluice-mock"
    [ -z "$BACKEND_PORT" ] || BACKEND_DESC="external server on port $BACKEND_PORT"
    commit="$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)"
    if [ "$commit" != unknown ] && [ -n "$(git -C "$ROOT" status --porcelain 2>/dev/null)" ]; then
        commit="$commit (dirty)"
    fi
    cat <<EOF
# Sluice benchmark — latest run

- date: $(date -u +%Y-%m-%dT%H:%M:%SZ)
- machine: nproc $(nproc), $(uname -sr)
- versions: sluice ${SLUICE_VERSION}, nginx $(bench_nginx_version), $(bench_wrk_version)
- git commit: $commit
- method: wrk -t$WRK_THREADS -c$WRK_CONNECTIONS -d${DURATION}s --latency; $ROUNDS interleaved rounds, medians; ${WARMUP}s warm-up per target;
  nginx worker_processes $WORKERS (keepalive 64, HTTP/1.1 upstream, proxy_buffering off, access_log off);
  sluice server.workers $WORKERS (access_log off); backend $BACKEND_DESC; all on 127.0.0.1
- peak RSS: VmHWM of the proxy process (nginx: master + workers) at the end of the case; "–" for direct

EOF
}

main() {
    setup
    local c
    for c in "${CASE_LIST[@]}"; do
        run_case "$c"
    done
    {
        report_header
        if [ "$HAD_ERRORS" = 1 ]; then
            printf '> **WARNING: some runs had errors (non-2xx, socket errors or a failed smoke request); see the errors column.**\n\n'
        fi
        cat "$WORK/report.md"
    } >"$WORK/final.md"
    mkdir -p "$(dirname "$RESULTS_FILE")"
    cp "$WORK/final.md" "$RESULTS_FILE.tmp"
    mv "$RESULTS_FILE.tmp" "$RESULTS_FILE"
    cat "$WORK/final.md"
    bench_log "results written to $RESULTS_FILE (${SECONDS}s)"
    if [ "$HAD_ERRORS" = 1 ] && [ "$ALLOW_ERRORS" != 1 ]; then
        bench_log "runs had errors; failing (ALLOW_ERRORS=1 to accept)"
        exit 3
    fi
}

main "$@"
