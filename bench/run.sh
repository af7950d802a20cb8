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
#   PIPELINE_ROUNDS=5  rounds of json_pipeline (its pipeline-against-router-only figure is a small
#                      difference of two noisy rates)
#   WARMUP=2           seconds of warm-up per target     WRK_THREADS=2  WRK_CONNECTIONS=64
#   CASES="json sse json_pipeline json_limit"   cases to run (functions case_<name> below);
#                      CASES=all: every case below; CASES=issue8: the issue-8 suite (as SUITE=issue8)
#   SUITE=             issue8: CASES="json_full idle_rss sse workers body_size conn_scaling litellm" (when
#                      CASES is unset): every issue-8 target, ~17 min at the defaults, stopped by the
#                      computed MAX_SECONDS (25 min at the defaults) at the latest; the build and
#                      LiteLLM's first install (a few minutes, up to PIP_TIMEOUT) come before it.
#                      SUITE=all: every case (as CASES=all)
#   TARGETS="direct nginx sluice"   targets (functions target_<name>_start/_stop below);
#                      also available: nginx1 (nginx with 1 worker), sluice1 (sluice with 1 worker);
#                      the issue-8 cases choose their own targets (see each case)
#   BACKEND_PORT=      bench an already-running backend on this loopback port instead of sluice-mock
#   SKIP_BUILD=0       1: use the existing release binaries     MAX_SECONDS=  overall budget (computed)
#   RESULTS_FILE=bench/results/latest.md     ALLOW_ERRORS=0  (1: exit 0 even when a run had errors)
#   KEEP_WORK=0        1: keep the temp dir (configs, logs, raw wrk output) for inspection
#
# Issue-8 cases (each also selectable alone by name in CASES) and their settings:
#   json_full     json_pipeline's processors plus one tenant token bucket and the access log to a file;
#                 sluice_router (router only) in the same PIPELINE_ROUNDS rounds. Targets: sluice/nginx
#                 req/s >= 1.0x, p99 <= 1.2x nginx's.
#   idle_rss      sluice (router only) and nginx started alone: VmRSS IDLE_WAIT=2 s after start, and
#                 again after one request; target sluice <= 30 MiB.
#   sse           (existing case) plus time to first byte: bench/ttfb.py sends TTFB_REQUESTS=600
#                 sequential requests per target on one keep-alive connection, in ROUNDS interleaved
#                 rounds; p50 added over direct; target sluice <= 0.3 ms.
#   workers       json case on direct nginx1 nginx sluice1 sluice: sluice/sluice1 >= 1.7x
#                 (nginx/nginx1 for reference).
#   body_size     bodies BODY_SIZES="1024 65536 1048576" bytes at wrk -c BODY_CONNECTIONS=4 on direct,
#                 sluice (router only), sluice_guard (guardrail pii+secrets+prompt_injection + router):
#                 p50 differences per KB = forwarding (sluice - direct) and guardrail scan
#                 (sluice_guard - sluice) cost.
#   conn_scaling  keep-alive connections CONN_LEVELS="10 100 1000 10000" (ascending, one sluice and one
#                 nginx process for all levels) on sluice (server.max_connections 20000) and nginx
#                 (worker_connections sized for the top level): 2xx answers/s, p99, errors and
#                 VmRSS sampled during the level's last run. Raises the open-files soft limit to the
#                 hard limit, fails at setup below max(CONN_LEVELS) + 5000; sluice's backend
#                 max_connections gets what that limit leaves after the client connections (sluice
#                 answers 503 past it rather than queueing). Targets: 2xx/s from 100 up within 20%
#                 of the peak, sluice RSS <= 150 MiB at 10,000.
#   litellm       json case, sluice vs the LiteLLM proxy (PyPI litellm[proxy]==LITELLM_VERSION=1.82.6,
#                 pinned: 1.82.7/1.82.8 were malicious uploads) in LITELLM_VENV=.venv-bench (created
#                 when missing, pip bounded by PIP_TIMEOUT=600 s, wheels only), offline: no DB, no
#                 telemetry, no callbacks, local cost map; its proxy app under uvicorn with
#                 LITELLM_WORKERS=WORKERS workers, no access log (see litellm_launch), up within
#                 LITELLM_START_TIMEOUT=180 s. Both targets at wrk -c LITELLM_CONNECTIONS=16.
#                 Targets: sluice/litellm req/s >= 20x, sluice p99 <= 1/10 of LiteLLM's. Not
#                 installable (no PyPI) or not starting: the case prints "skipped: ..." and the run
#                 goes on.
# Their code is in bench/issue8.sh. A final "issue-8 targets" table (target, measured, met/missed)
# closes the report whenever a case with a target ran.
#
# Adding a case: write case_<name> (sets CASE_TITLE, the body, CASE_EVENTS and optionally
# CASE_SLUICE_PIPELINE, CASE_TARGETS, CASE_CONNECTIONS, CASE_RATIOS, or CASE_RUNNER for a case
# with its own loop and table) and name it in CASES. Adding a target (haproxy …): write
# target_<name>_start (sets TARGET_PORT[name], TARGET_PID[name]) and target_<name>_stop.
set -euo pipefail

BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$BENCH_DIR/.." && pwd)"
# shellcheck source=bench/lib.sh
source "$BENCH_DIR/lib.sh"

WORKERS="${WORKERS:-2}"
DURATION="${DURATION:-8}"
ROUNDS="${ROUNDS:-3}"
PIPELINE_ROUNDS="${PIPELINE_ROUNDS:-5}"
WARMUP="${WARMUP:-2}"
WRK_THREADS="${WRK_THREADS:-2}"
WRK_CONNECTIONS="${WRK_CONNECTIONS:-64}"
DEFAULT_CASES="json sse json_pipeline json_limit"
ISSUE8_CASES="json_full idle_rss sse workers body_size conn_scaling litellm"
ALL_CASES="json sse json_pipeline json_full json_limit json_log json_global_exact json_global_leased json_tls_upstream idle_rss workers body_size conn_scaling litellm"
SUITE="${SUITE:-}"
if [ -z "${CASES:-}" ]; then
    case "$SUITE" in
        "") CASES="$DEFAULT_CASES" ;;
        issue8) CASES="$ISSUE8_CASES" ;;
        all) CASES="$ALL_CASES" ;;
        *) bench_die "unknown SUITE '$SUITE' (issue8, all)" ;;
    esac
fi
case "$CASES" in
    all) CASES="$ALL_CASES" ;;
    issue8) CASES="$ISSUE8_CASES" ;;
esac
TARGETS="${TARGETS:-direct nginx sluice}"
BACKEND_PORT="${BACKEND_PORT:-}"
SKIP_BUILD="${SKIP_BUILD:-0}"
BUILD_TIMEOUT="${BUILD_TIMEOUT:-1800}"
RESULTS_FILE="${RESULTS_FILE:-$BENCH_DIR/results/latest.md}"
ALLOW_ERRORS="${ALLOW_ERRORS:-0}"
KEEP_WORK="${KEEP_WORK:-0}"
# Issue-8 case settings (see the top of this file).
IDLE_WAIT="${IDLE_WAIT:-2}"
TTFB_REQUESTS="${TTFB_REQUESTS:-600}"
BODY_SIZES="${BODY_SIZES:-1024 65536 1048576}"
BODY_CONNECTIONS="${BODY_CONNECTIONS:-4}"
CONN_LEVELS="${CONN_LEVELS:-10 100 1000 10000}"
LITELLM_VERSION="${LITELLM_VERSION:-1.82.6}"
LITELLM_VENV="${LITELLM_VENV:-$ROOT/.venv-bench}"
LITELLM_CONNECTIONS="${LITELLM_CONNECTIONS:-16}"
LITELLM_WORKERS="${LITELLM_WORKERS:-$WORKERS}"
LITELLM_START_TIMEOUT="${LITELLM_START_TIMEOUT:-180}"
PIP_TIMEOUT="${PIP_TIMEOUT:-600}"
read -r -a CASE_LIST <<<"$CASES"
read -r -a TARGET_LIST <<<"$TARGETS"
read -r -a BODY_SIZE_LIST <<<"$BODY_SIZES"
read -r -a CONN_LEVEL_LIST <<<"$CONN_LEVELS"
CONN_MAX="$(printf '%s\n' "${CONN_LEVEL_LIST[@]}" | sort -n | tail -n1)"

# case_budget NAME: an upper bound in seconds for one case — per measured target: its warm-up and
# rounds plus 3 s of slack per wrk run; 30 s per case for starts, smoke requests and stops.
case_budget() {
    local per=$((WARMUP + 3 + ROUNDS * (DURATION + 3)))
    case "$1" in
        idle_rss) echo $((2 * (IDLE_WAIT + 10))) ;;
        # bench/ttfb.py: a few seconds, bounded at 60 s.
        sse) echo $((${#TARGET_LIST[@]} * per + 30 + 30)) ;;
        workers) echo $((5 * per + 30)) ;;
        body_size) echo $((${#BODY_SIZE_LIST[@]} * 3 * per + 30)) ;;
        # wrk opens every connection at the start of each run: 1 s more per run.
        conn_scaling) echo $((${#CONN_LEVEL_LIST[@]} * 2 * (WARMUP + 4 + ROUNDS * (DURATION + 4)) + 30)) ;;
        litellm) echo $((2 * per + 30 + LITELLM_START_TIMEOUT)) ;;
        # Four targets (sluice_router too), PIPELINE_ROUNDS rounds.
        json_pipeline | json_full) echo $((4 * (WARMUP + 3 + PIPELINE_ROUNDS * (DURATION + 3)) + 30)) ;;
        *) echo $((${#TARGET_LIST[@]} * per + 30)) ;;
    esac
}
budget_total() {
    local c total=60
    for c in "${CASE_LIST[@]}"; do
        total=$((total + $(case_budget "$c")))
    done
    echo "$total"
}
MAX_SECONDS="${MAX_SECONDS:-$(budget_total)}"

WORK="$(mktemp -d /tmp/sluice-bench.XXXXXX)"
chmod 755 "$WORK" # nginx workers drop to an unprivileged user and must reach their temp paths
BIN_DIR=""
MOCK_PORT=""
SLUICE_VERSION="n/a"
HAD_ERRORS=0
declare -A TARGET_PORT=() TARGET_PID=() PEAK_RSS=()
LITELLM_SKIP=""   # why the litellm case cannot run (set by setup), empty when it can

cleanup() {
    local status=$?
    trap - EXIT INT TERM
    # LiteLLM first: its uvicorn workers are children of the PID we hold.
    [ -z "${TARGET_PID[litellm]:-}" ] || target_litellm_stop
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
# sluice_router (router only, the JSON case's sluice) runs in the same interleaved rounds, so the
# pipeline's cost is read against it without the drift between cases.
case_json_pipeline() {
    CASE_TITLE="JSON, full pipeline — guardrail(pii,secrets,prompt_injection) + router + prompt_cache (misses), 1 KB; sluice_router: router only, same rounds; $PIPELINE_ROUNDS rounds"
    bench_chat_body "$CASE_BODY" bench-model 16 false 1024
    CASE_EVENTS=0
    CASE_VARY=1
    CASE_TARGETS="direct nginx sluice_router sluice"
    CASE_ROUNDS="$PIPELINE_ROUNDS"
    CASE_RATIOS="sluice/nginx sluice/sluice_router sluice_router/nginx sluice/direct"
    CASE_SLUICE_PIPELINE='[{name: guard, type: guardrail, detectors: [{type: pii, action: redact}, {type: secrets, action: block}, {type: prompt_injection, action: block}]}, {name: router, type: model_router}, {name: cache, type: prompt_cache, deterministic_only: false, max_bytes: 64MiB}]'
}
summary_json_pipeline() {
    local r
    r="$(bench_calc "(1 - $(median_of json_pipeline sluice 1) / $(median_of json_pipeline sluice_router 1)) * 100")"
    summary_add "Full pipeline: throughput cost against router only (same rounds)" "≤ 15%" \
        "$(bench_fmt "$r" '%.1f')%" "$(bench_met "$r" le 15)"
}
# Issue 8's first row: the whole pipeline as it would run in production — json_pipeline's processors,
# one tenant token bucket (never short) and the access log to a file (metrics are always on).
case_json_full() {
    case_json_pipeline
    CASE_TITLE="JSON, everything on — guardrail(pii,secrets,prompt_injection) + router + prompt_cache (misses) + one tenant token bucket + access log to a file, 1 KB; sluice_router: router only, no bucket, no log; $PIPELINE_ROUNDS rounds"
    CASE_SLUICE_EXTRA='rate_limits: [{name: tenant-tpm, key: [tenant], unit: tokens, limit: 1000000000, window: 1m}]'
    CASE_SLUICE_ACCESS_LOG="$WORK/access.log"
}
summary_json_full() {
    local r p
    r="$(bench_calc "$(median_of json_full sluice 1) / $(median_of json_full nginx 1)")"
    p="$(bench_calc "$(median_of json_full sluice 3) / $(median_of json_full nginx 3)")"
    summary_add "Everything on (pipeline, bucket, access log): sluice/nginx req/s" "≥ 1.0×" \
        "$(bench_fmt "$r" '%.2f×')" "$(bench_met "$r" ge 1.0)"
    summary_add "Everything on: sluice/nginx p99" "≤ 1.2×" "$(bench_fmt "$p" '%.2f×')" "$(bench_met "$p" le 1.2)"
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
    CASE_TTFB=1
}

# The issue-8 cases and their targets (sluice_guard, litellm).
# shellcheck source=bench/issue8.sh
source "$BENCH_DIR/issue8.sh"
# shellcheck source=bench/tls.sh
source "$BENCH_DIR/tls.sh"

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
        -e "s|@BACKEND_PORT@|${CASE_UPSTREAM_PORT:-$MOCK_PORT}|g" -e "s|@WORKER_CONNECTIONS@|${CASE_NGINX_WORKER_CONNECTIONS:-4096}|g" \
        -e "s|@UPSTREAM_SCHEME@|${CASE_NGINX_UPSTREAM_SCHEME:-http}|g" -e "s|@UPSTREAM_TLS@|${CASE_NGINX_UPSTREAM_TLS:-}|g" \
        "$BENCH_DIR/nginx.conf.tmpl" >"$dir/nginx.conf"
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
${CASE_SLUICE_SERVER:-}
logging:
  level: warn
  access_log: ${CASE_SLUICE_ACCESS_LOG:-off}
auth:
  mode: none
backends:
  - name: mock
    endpoints: ["${CASE_SLUICE_ENDPOINT:-http://127.0.0.1:$MOCK_PORT}"]
${CASE_SLUICE_BACKEND:-}
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
# Router only whatever the case's pipeline (the reference of json_pipeline).
target_sluice_router_start() {
    local CASE_SLUICE_PIPELINE="" CASE_SLUICE_EXTRA="" CASE_SLUICE_ACCESS_LOG=off
    start_sluice sluice_router "$WORKERS"
}
target_sluice_router_stop() { bench_stop_pid "${TARGET_PID[sluice_router]}"; }
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

has_case() {
    local c
    for c in "${CASE_LIST[@]}"; do
        [ "$c" = "$1" ] && return 0
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

    # Before anything starts, so every process (mock, proxies, wrk) inherits the raised limit.
    if has_case conn_scaling; then
        bench_raise_nofile $((CONN_MAX + 5000))
    fi

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

    # Like the build, the (first) install is outside the measured budget.
    if has_case litellm; then
        ensure_litellm
    fi

    bench_deadline_init "$MAX_SECONDS"
    bench_log "cases: ${CASE_LIST[*]}; budget ${MAX_SECONDS}s"

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

start_targets() {
    local t
    for t in "${TARGET_LIST[@]}"; do
        "target_${t}_start"
        bench_log "  $t on 127.0.0.1:${TARGET_PORT[$t]}${TARGET_PID[$t]:+ (pid ${TARGET_PID[$t]})}"
    done
}

# stop_targets KEY: records each proxy's peak RSS under KEY, then stops it.
stop_targets() {
    local t
    for t in "${TARGET_LIST[@]}"; do
        if [ -n "${TARGET_PID[$t]}" ]; then
            PEAK_RSS[$1.$t]="$(bench_peak_rss_mib "${TARGET_PID[$t]}")"
        fi
        "target_${t}_stop"
    done
}

# smoke_targets KEY: one checked request per target, so a broken target shows before any number
# is taken; the result goes to $WORK/KEY.TARGET.smoke.
smoke_targets() {
    local t status events
    for t in "${TARGET_LIST[@]}"; do
        read -r status events < <(bench_smoke "$(target_url "$t")" "$CASE_BODY")
        printf '%s %s\n' "$status" "$events" >"$WORK/$1.$t.smoke"
        if [ "$status" != 200 ] || { [ "$CASE_EVENTS" -gt 0 ] && [ "$events" -lt "$CASE_EVENTS" ]; }; then
            bench_log "  WARNING: $t smoke request: HTTP $status, $events data events (want 200, >= $CASE_EVENTS)"
            HAD_ERRORS=1
        fi
    done
}

# measure_targets KEY: a warm-up per target, then ROUNDS interleaved rounds at WRK_CONNECTIONS;
# one parsed line per round in $WORK/KEY.TARGET.rounds (and, with BENCH_RSS_PIDS, the last RSS
# sample of the last round in $WORK/KEY.TARGET.rss).
measure_targets() {
    local key="$1" t r raw parsed
    for t in "${TARGET_LIST[@]}"; do
        bench_check_deadline
        bench_wrk "$WORK/$key.$t.warmup" "$(target_url "$t")" "$BENCH_DIR/chat-1k.lua" "$WARMUP" "$CASE_BODY"
    done
    for ((r = 0; r < ROUNDS; r++)); do
        while IFS= read -r t; do
            bench_check_deadline
            raw="$WORK/$key.$t.round$r"
            bench_wrk "$raw" "$(target_url "$t")" "$BENCH_DIR/chat-1k.lua" "$DURATION" "$CASE_BODY"
            parsed="$(bench_wrk_parse "$raw")" || { cat "$raw" >&2; bench_die "cannot parse wrk output"; }
            printf '%s\n' "$parsed" >>"$WORK/$key.$t.rounds"
            if [ -f "$raw.rss" ]; then
                awk -v t="$t" '$1 == t { print $2 }' "$raw.rss" >"$WORK/$key.$t.rss"
            fi
            bench_log "  round $((r + 1))/$ROUNDS $t: $parsed (req/s p50ms p99ms non2xx sockerr)"
        done < <(rotated_targets "$r")
    done
}

# measure_ttfb KEY: bench/ttfb.py over every target (sequential requests, interleaved rounds).
measure_ttfb() {
    local t args=()
    [ "$TTFB_REQUESTS" -gt 0 ] || return 0
    bench_check_deadline
    for t in "${TARGET_LIST[@]}"; do
        args+=("$t=${TARGET_PORT[$t]}")
    done
    if ! timeout --kill-after=5 60 python3 "$BENCH_DIR/ttfb.py" "$CASE_BODY" "$TTFB_REQUESTS" "$ROUNDS" "${args[@]}" \
        </dev/null >"$WORK/$1.ttfb" 2>"$WORK/$1.ttfb.err"; then
        bench_log "  WARNING: time-to-first-byte client failed: $(tail -n 1 "$WORK/$1.ttfb.err")"
        HAD_ERRORS=1
        : >"$WORK/$1.ttfb"
    fi
}

run_case() {
    local case_name="$1"
    start_targets
    smoke_targets "$case_name"
    measure_targets "$case_name"
    if [ "$CASE_TTFB" = 1 ]; then
        measure_ttfb "$case_name"
    fi
    stop_targets "$case_name"
    render_case "$case_name" >>"$WORK/report.md"
    if declare -F "summary_$case_name" >/dev/null; then
        "summary_$case_name"
    fi
}

# run_one_case NAME: resets the per-case settings, calls case_NAME, then runs it with its own
# targets and connection count (or its own runner), or reports it skipped.
run_one_case() {
    local case_name="$1" saved_targets=("${TARGET_LIST[@]}")
    CASE_BODY="$WORK/$case_name.body.json"
    CASE_SLUICE_PIPELINE=""
    CASE_SLUICE_EXTRA=""
    CASE_SLUICE_SERVER=""
    CASE_SLUICE_BACKEND=""
    CASE_SLUICE_ACCESS_LOG=off
    CASE_NGINX_WORKER_CONNECTIONS=""
    CASE_UPSTREAM_PORT=""
    CASE_NGINX_UPSTREAM_SCHEME=""
    CASE_NGINX_UPSTREAM_TLS=""
    CASE_SLUICE_ENDPOINT=""
    CASE_VARY=0
    CASE_TARGETS=""
    CASE_ROUNDS=""
    CASE_CONNECTIONS=""
    CASE_RATIOS="sluice/nginx sluice/direct"
    CASE_RUNNER=""
    CASE_SKIP=""
    CASE_TTFB=0
    "case_$case_name"
    bench_log "case $case_name: $CASE_TITLE"
    [ -z "$CASE_TARGETS" ] || read -r -a TARGET_LIST <<<"$CASE_TARGETS"
    local WRK_CONNECTIONS="${CASE_CONNECTIONS:-$WRK_CONNECTIONS}"
    local ROUNDS="${CASE_ROUNDS:-$ROUNDS}"
    if [ -n "$CASE_RUNNER" ]; then
        "$CASE_RUNNER"
    elif [ -n "$CASE_SKIP" ]; then
        render_skip >>"$WORK/report.md"
    else
        run_case "$case_name"
    fi
    TARGET_LIST=("${saved_targets[@]}")
}

target_url() { printf 'http://127.0.0.1:%s/v1/chat/completions\n' "${TARGET_PORT[$1]}"; }

# --- report -------------------------------------------------------------------------------------

# column FILE N: the Nth field of every line.
column_of() { awk -v n="$2" '{ print $n }' "$1"; }

# median_of KEY TARGET N: the median of column N (1 req/s, 2 p50 ms, 3 p99 ms) over the rounds;
# "n/a" when there are none.
median_of() {
    local f="$WORK/$1.$2.rounds"
    [ -s "$f" ] || { echo n/a; return; }
    # shellcheck disable=SC2046
    bench_median $(column_of "$f" "$3")
}

# errors_of KEY [TARGET...]: sets ERRORS_TEXT to "0", or to the non-2xx, socket-error and smoke
# counts of the targets (default: every target) under KEY, and then HAD_ERRORS. Not for $(…):
# the flag would stay in the subshell.
errors_of() {
    local key="$1" t f non2xx=0 sock=0 smoke bad="" targets=("${TARGET_LIST[@]}")
    shift
    [ "$#" -eq 0 ] || targets=("$@")
    set -- "$key"
    for t in "${targets[@]}"; do
        f="$WORK/$1.$t.rounds"
        [ -s "$f" ] || continue
        non2xx=$((non2xx + $(awk '{ s += $4 } END { print s + 0 }' "$f")))
        sock=$((sock + $(awk '{ s += $5 } END { print s + 0 }' "$f")))
        if [ -f "$WORK/$1.$t.smoke" ]; then
            read -r smoke _ <"$WORK/$1.$t.smoke"
            [ "$smoke" = 200 ] || bad="$bad $t:$smoke"
        fi
    done
    ERRORS_TEXT=0
    if [ "$non2xx" -gt 0 ] || [ "$sock" -gt 0 ] || [ -n "$bad" ]; then
        HAD_ERRORS=1
        ERRORS_TEXT="**non-2xx $non2xx, socket $sock${bad:+, smoke HTTP$bad}**"
    fi
}

# ok_rps_of KEY TARGET: the median over the rounds of the 2xx answers per second
# (req/s × (requests − non-2xx) / requests); "n/a" when there are none.
ok_rps_of() {
    local f="$WORK/$1.$2.rounds"
    [ -s "$f" ] || { echo n/a; return; }
    # shellcheck disable=SC2046
    bench_median $(awk '{ print ($6 > 0) ? $1 * ($6 - $4) / $6 : $1 }' "$f")
}

# rss_of KEY TARGET: the RSS sample recorded by measure_targets, "–" when none.
rss_of() {
    local f="$WORK/$1.$2.rss"
    if [ -s "$f" ]; then cat "$f"; else echo "–"; fi
}

human_bytes() {
    awk -v b="$1" 'BEGIN {
        if (b >= 1048576 && b % 1048576 == 0) printf "%d MB\n", b / 1048576
        else if (b >= 1024 && b % 1024 == 0) printf "%d KB\n", b / 1024
        else printf "%d B\n", b
    }'
}

# summary_add METRIC TARGET MEASURED STATUS: one row of the final issue-8 targets table.
summary_add() { printf '%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" >>"$WORK/summary.tsv"; }

render_skip() {
    printf '### %s\n\nskipped: %s\n\n' "$CASE_TITLE" "$CASE_SKIP"
}

render_case() {
    local case_name="$1" t f rps p50 p99 non2xx sock errors smoke rss
    declare -A RPS=() P99=()
    printf '### %s\n\n' "$CASE_TITLE"
    printf '| target | req/s | p50 ms | p99 ms | peak RSS MiB | errors |\n'
    printf '|---|---:|---:|---:|---:|---|\n'
    for t in "${TARGET_LIST[@]}"; do
        f="$WORK/$case_name.$t.rounds"
        rps="$(median_of "$case_name" "$t" 1)"
        p50="$(median_of "$case_name" "$t" 2)"
        p99="$(median_of "$case_name" "$t" 3)"
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
    local pair a b
    for pair in $CASE_RATIOS; do
        a="${pair%/*}"
        b="${pair#*/}"
        if [ -z "${RPS[$a]:-}" ] || [ -z "${RPS[$b]:-}" ]; then continue; fi
        printf '| %s | %s | | %s | | |\n' "$pair" \
            "$(bench_ratio "${RPS[$a]}" "${RPS[$b]}")" "$(bench_ratio "${P99[$a]}" "${P99[$b]}")"
    done
    if [ "$CASE_TTFB" = 1 ] && [ -s "$WORK/$case_name.ttfb" ]; then
        render_ttfb "$case_name"
    fi
    printf '\nRounds (req/s p50 p99 non-2xx socket-errors requests):\n\n```\n'
    for t in "${TARGET_LIST[@]}"; do
        awk -v t="$t" '{ printf "%-8s %s\n", t, $0 }' "$WORK/$case_name.$t.rounds"
    done
    printf '```\n\n'
}

# render_ttfb KEY: the time-to-first-byte table of bench/ttfb.py's output, and its summary row.
render_ttfb() {
    local f="$WORK/$1.ttfb" direct name n p50 p90 p99 ev added
    direct="$(awk '$1 == "direct" { print $3 }' "$f")"
    printf '\nTime to first byte — %s sequential requests per target on one keep-alive connection, %s interleaved rounds (bench/ttfb.py), ms:\n\n' \
        "$TTFB_REQUESTS" "$ROUNDS"
    printf '| target | p50 first byte | p90 | p99 | p50 first event | added p50 over direct |\n'
    printf '|---|---:|---:|---:|---:|---:|\n'
    while read -r name n p50 p90 p99 ev; do
        added="n/a"
        [ -z "$direct" ] || added="$(bench_calc "$p50 - $direct")"
        printf '| %s | %s | %s | %s | %s | %s |\n' "$name" "$(bench_fmt "$p50" '%.3f')" "$(bench_fmt "$p90" '%.3f')" \
            "$(bench_fmt "$p99" '%.3f')" "$(bench_fmt "$ev" '%.3f')" "$(bench_fmt "$added" '%+.3f')"
        if [ "$name" = sluice ]; then
            summary_add "SSE: added time to first byte, p50, sluice over direct" "≤ 0.3 ms" \
                "$(bench_fmt "$added" '%.3f') ms" "$(bench_met "$added" le 0.3)"
        fi
    done <"$f"
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
- cases: ${CASE_LIST[*]}
- method: wrk -t$WRK_THREADS -c$WRK_CONNECTIONS -d${DURATION}s --latency; $ROUNDS interleaved rounds, medians; ${WARMUP}s warm-up per target;
  nginx worker_processes $WORKERS (keepalive 64, HTTP/1.1 upstream, proxy_buffering off, access_log off);
  sluice server.workers $WORKERS (access_log off); backend $BACKEND_DESC; all on 127.0.0.1;
  a case with other settings (connections, targets, bodies) names them in its title
- peak RSS: VmHWM of the proxy process (nginx: master + workers) at the end of the case; "–" for direct

EOF
}

render_summary() {
    [ -s "$WORK/summary.tsv" ] || return 0
    printf '## issue-8 targets\n\n| target | goal | measured | status |\n|---|---|---|---|\n'
    awk -F '\t' '{ printf "| %s | %s | %s | %s |\n", $1, $2, $3, $4 }' "$WORK/summary.tsv"
    printf '\n'
}

main() {
    setup
    local c
    for c in "${CASE_LIST[@]}"; do
        run_one_case "$c"
    done
    {
        report_header
        if [ "$HAD_ERRORS" = 1 ]; then
            printf '> **WARNING: some runs had errors (non-2xx, socket errors or a failed smoke request); see the errors column.**\n\n'
        fi
        cat "$WORK/report.md"
        render_summary
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
