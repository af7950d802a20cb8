# shellcheck shell=bash disable=SC2034
# (SC2034: the CASE_* settings and HAD_ERRORS set here are read by run.sh.)
# The issue-8 cases of bench/run.sh (idle_rss, workers, body_size, conn_scaling, litellm; the
# time-to-first-byte part of sse lives in run.sh's measure_ttfb/render_ttfb) and the targets only
# they use (sluice_guard, litellm). Sourced by run.sh, not executed: the functions use run.sh's
# globals (WORK, TARGET_LIST, TARGET_PID/PORT, CASE_*, settings) and helpers (start_targets,
# measure_targets, median_of, summary_add …). Settings are documented at the top of run.sh.

# --- cases --------------------------------------------------------------------------------------
GUARD_PIPELINE='[{name: guard, type: guardrail, detectors: [{type: pii, action: redact}, {type: secrets, action: block}, {type: prompt_injection, action: block}]}, {name: router, type: model_router}]'

# Worker scaling: the JSON case with one and with WORKERS workers, nginx alongside.
case_workers() {
    CASE_TITLE="Workers 1 → $WORKERS — JSON, 1 KB body, max_tokens 16 (nginx1/sluice1: one worker)"
    bench_chat_body "$CASE_BODY" bench-model 16 false 1024
    CASE_EVENTS=0
    CASE_TARGETS="direct nginx1 nginx sluice1 sluice"
    CASE_RATIOS="sluice/sluice1 nginx/nginx1 sluice/nginx sluice/direct"
}
summary_workers() {
    local r
    r="$(bench_calc "$(median_of workers sluice 1) / $(median_of workers sluice1 1)")"
    summary_add "Workers 1 → $WORKERS: sluice req/s ratio" "≥ 1.7×" "$(bench_fmt "$r" '%.2f×')" "$(bench_met "$r" ge 1.7)"
    r="$(bench_calc "$(median_of workers nginx 1) / $(median_of workers nginx1 1)")"
    summary_add "Workers 1 → $WORKERS: nginx req/s ratio (reference)" "–" "$(bench_fmt "$r" '%.2f×')" "reference"
}

# LiteLLM proxy in front of the same mock; both targets at LITELLM_CONNECTIONS connections.
case_litellm() {
    CASE_TITLE="JSON vs LiteLLM $LITELLM_VERSION — 1 KB body, max_tokens 16; wrk -t$WRK_THREADS -c$LITELLM_CONNECTIONS for BOTH targets (LiteLLM proxy app: $LITELLM_WORKERS uvicorn workers; sluice server.workers $WORKERS)"
    bench_chat_body "$CASE_BODY" bench-model 16 false 1024
    CASE_EVENTS=0
    CASE_TARGETS="sluice litellm"
    CASE_CONNECTIONS="$LITELLM_CONNECTIONS"
    CASE_RATIOS="sluice/litellm"
    CASE_SKIP="$LITELLM_SKIP"
    CASE_RUNNER=run_litellm
}
run_litellm() {
    if ! litellm_launch; then
        bench_log "  skipped: $CASE_SKIP"
        render_skip >>"$WORK/report.md"
        summary_litellm
        return 0
    fi
    run_case litellm
}
summary_litellm() {
    local rps p99
    if [ -n "$CASE_SKIP" ]; then
        summary_add "LiteLLM: sluice/litellm req/s" "≥ 20×" "skipped" "n/a"
        summary_add "LiteLLM: sluice p99 vs LiteLLM's" "≤ 1/10" "skipped" "n/a"
        return 0
    fi
    rps="$(bench_calc "$(median_of litellm sluice 1) / $(median_of litellm litellm 1)")"
    p99="$(bench_calc "$(median_of litellm litellm 3) / $(median_of litellm sluice 3)")"
    summary_add "LiteLLM (-c$LITELLM_CONNECTIONS both): sluice/litellm req/s" "≥ 20×" "$(bench_fmt "$rps" '%.1f×')" "$(bench_met "$rps" ge 20)"
    summary_add "LiteLLM (-c$LITELLM_CONNECTIONS both): litellm/sluice p99" "≥ 10× (sluice p99 ≤ 1/10)" "$(bench_fmt "$p99" '%.1f×')" "$(bench_met "$p99" ge 10)"
}

# Idle memory: sluice and nginx each started alone, no load.
case_idle_rss() {
    CASE_TITLE="Idle RSS — sluice (server.workers $WORKERS, router only) and nginx (worker_processes $WORKERS), ${IDLE_WAIT}s after start, then after one 1 KB JSON request"
    bench_chat_body "$CASE_BODY" bench-model 16 false 1024
    CASE_EVENTS=0
    CASE_TARGETS="sluice nginx"
    CASE_RUNNER=run_idle_rss
}
run_idle_rss() {
    local t idle after status
    declare -A IDLE=() AFTER=()
    for t in "${TARGET_LIST[@]}"; do
        bench_check_deadline
        "target_${t}_start"
        sleep "$IDLE_WAIT"
        idle="$(bench_rss_mib "${TARGET_PID[$t]}")"
        read -r status _ < <(bench_smoke "$(target_url "$t")" "$CASE_BODY")
        [ "$status" = 200 ] || { bench_log "  WARNING: $t request: HTTP $status"; HAD_ERRORS=1; }
        sleep 0.5
        after="$(bench_rss_mib "${TARGET_PID[$t]}")"
        IDLE[$t]="$idle"
        AFTER[$t]="$after"
        bench_log "  $t: idle $idle MiB, after one request $after MiB (HTTP $status)"
        "target_${t}_stop"
    done
    {
        printf '### %s\n\n| target | idle VmRSS MiB | after one request MiB |\n|---|---:|---:|\n' "$CASE_TITLE"
        for t in "${TARGET_LIST[@]}"; do
            printf '| %s | %s | %s |\n' "$t" "${IDLE[$t]}" "${AFTER[$t]}"
        done
        printf '\nVmRSS of the process (nginx: master + workers).\n\n'
    } >>"$WORK/report.md"
    summary_add "Idle RSS, sluice ($WORKERS workers)" "≤ 30 MiB" "${IDLE[sluice]} MiB" "$(bench_met "${IDLE[sluice]}" le 30)"
    summary_add "RSS after one request, sluice" "≤ 30 MiB" "${AFTER[sluice]} MiB" "$(bench_met "${AFTER[sluice]}" le 30)"
}

# Body size: forwarding and guardrail cost per KB, from p50 at low concurrency.
case_body_size() {
    CASE_TITLE="Body size — JSON, max_tokens 16, bodies $(printf '%s ' "${BODY_SIZE_LIST[@]}")bytes; wrk -c$BODY_CONNECTIONS; direct, sluice (router only), sluice_guard (guardrail pii+secrets+prompt_injection + router)"
    CASE_EVENTS=0
    CASE_TARGETS="direct sluice sluice_guard"
    CASE_CONNECTIONS="$BODY_CONNECTIONS"
    CASE_RUNNER=run_body_size
}
run_body_size() {
    local size key t
    start_targets
    for size in "${BODY_SIZE_LIST[@]}"; do
        key="body_size.s$size"
        CASE_BODY="$WORK/$key.body.json"
        bench_chat_body "$CASE_BODY" bench-model 16 false "$size"
        bench_log "  body $size bytes"
        smoke_targets "$key"
        measure_targets "$key"
    done
    stop_targets body_size
    render_body_size >>"$WORK/report.md"
}
render_body_size() {
    local size key t kb d s g fwd grd first="" last="" errors
    printf '### %s\n\n' "$CASE_TITLE"
    printf '| body | direct p50 ms | sluice p50 ms | sluice_guard p50 ms | forwarding µs/KB | guardrail µs/KB | req/s direct / sluice / guard | errors |\n'
    printf '|---:|---:|---:|---:|---:|---:|---|---|\n'
    for size in "${BODY_SIZE_LIST[@]}"; do
        key="body_size.s$size"
        kb="$(bench_calc "$size / 1024")"
        d="$(median_of "$key" direct 2)"
        s="$(median_of "$key" sluice 2)"
        g="$(median_of "$key" sluice_guard 2)"
        fwd="$(bench_calc "($s - $d) * 1000 / $kb")"
        grd="$(bench_calc "($g - $s) * 1000 / $kb")"
        errors_of "$key"
        errors="$ERRORS_TEXT"
        printf '| %s | %s | %s | %s | %s | %s | %s / %s / %s | %s |\n' "$(human_bytes "$size")" \
            "$(bench_fmt "$d" '%.3f')" "$(bench_fmt "$s" '%.3f')" "$(bench_fmt "$g" '%.3f')" \
            "$(bench_fmt "$fwd" '%.2f')" "$(bench_fmt "$grd" '%.2f')" \
            "$(bench_fmt "$(median_of "$key" direct 1)" '%.0f')" "$(bench_fmt "$(median_of "$key" sluice 1)" '%.0f')" \
            "$(bench_fmt "$(median_of "$key" sluice_guard 1)" '%.0f')" "$errors"
        [ -n "$first" ] || first="$size"
        last="$size"
    done
    local slope_fwd="n/a" slope_grd="n/a"
    if [ "$first" != "$last" ]; then
        local f="body_size.s$first" l="body_size.s$last" dkb
        dkb="$(bench_calc "($last - $first) / 1024")"
        slope_fwd="$(bench_calc "(($(median_of "$l" sluice 2) - $(median_of "$l" direct 2)) - ($(median_of "$f" sluice 2) - $(median_of "$f" direct 2))) * 1000 / $dkb")"
        slope_grd="$(bench_calc "(($(median_of "$l" sluice_guard 2) - $(median_of "$l" sluice 2)) - ($(median_of "$f" sluice_guard 2) - $(median_of "$f" sluice 2))) * 1000 / $dkb")"
        printf '| marginal %s → %s | | | | %s | %s | | |\n' "$(human_bytes "$first")" "$(human_bytes "$last")" \
            "$(bench_fmt "$slope_fwd" '%.2f')" "$(bench_fmt "$slope_grd" '%.2f')"
    fi
    printf '\nforwarding = (sluice p50 − direct p50) / KB; guardrail = (sluice_guard p50 − sluice p50) / KB;\n'
    printf 'marginal = the same differences between the smallest and the largest body, / KB (fixed per-request costs cancel).\n\n'
    printf 'Rounds (req/s p50 p99 non-2xx socket-errors requests):\n\n```\n'
    for size in "${BODY_SIZE_LIST[@]}"; do
        for t in "${TARGET_LIST[@]}"; do
            awk -v t="$t" -v b="$size" '{ printf "%-8s %-12s %s\n", b, t, $0 }' "$WORK/body_size.s$size.$t.rounds"
        done
    done
    printf '```\n\n'
    local big="body_size.s$last" bkb
    bkb="$(bench_calc "$last / 1024")"
    summary_add "Forwarding cost per KB, $(human_bytes "$last") body (p50 sluice − direct)" "reported" \
        "$(bench_fmt "$(bench_calc "($(median_of "$big" sluice 2) - $(median_of "$big" direct 2)) * 1000 / $bkb")" '%.2f') µs/KB (marginal $(bench_fmt "$slope_fwd" '%.2f'))" "–"
    summary_add "Guardrail scan per KB, $(human_bytes "$last") body (p50 guard − router only)" "reported" \
        "$(bench_fmt "$(bench_calc "($(median_of "$big" sluice_guard 2) - $(median_of "$big" sluice 2)) * 1000 / $bkb")" '%.2f') µs/KB (marginal $(bench_fmt "$slope_grd" '%.2f'))" "–"
}

# Connection scaling: one sluice and one nginx for every level, levels ascending.
case_conn_scaling() {
    bench_chat_body "$CASE_BODY" bench-model 16 false 1024
    CASE_EVENTS=0
    CASE_TARGETS="nginx sluice"
    CASE_SLUICE_SERVER="  max_connections: 20000"
    # nginx opens as many upstream connections as it has requests in flight; sluice keeps at most the
    # backend's max_connections per endpoint (SPEC §11, default 256) and queues the other requests
    # for a slot. With 10,000 clients on 2 cores a request may queue about a second, so the case
    # gives the queue 10 s instead of the default 1 s.
    CONN_UPSTREAM_MAX=256
    CASE_SLUICE_BACKEND="    max_connections: $CONN_UPSTREAM_MAX
    queue_timeout: 10s"
    CASE_TITLE="Connection scaling — JSON, 1 KB body, router only; keep-alive connections $(printf '%s ' "${CONN_LEVEL_LIST[@]}")(wrk -t$WRK_THREADS); sluice server.max_connections 20000, backend max_connections $CONN_UPSTREAM_MAX, queue_timeout 10s; nginx worker_connections $((2 * CONN_MAX + 1024))"
    # Each proxied request holds a client and an upstream connection in one nginx worker.
    CASE_NGINX_WORKER_CONNECTIONS=$((2 * CONN_MAX + 1024))
    CASE_RUNNER=run_conn_scaling
}
run_conn_scaling() {
    local level t
    start_targets
    smoke_targets conn_scaling
    for level in "${CONN_LEVEL_LIST[@]}"; do
        bench_log "  $level connections"
        WRK_CONNECTIONS="$level" BENCH_RSS_PIDS="sluice:${TARGET_PID[sluice]} nginx:${TARGET_PID[nginx]}" \
            measure_targets "conn_scaling.c$level"
    done
    stop_targets conn_scaling
    render_conn_scaling >>"$WORK/report.md"
}
render_conn_scaling() {
    local level key t peak=0 peak_at="" worst="" worst_at="" r rss_top es
    declare -A RPS=()
    printf '### %s\n\n' "$CASE_TITLE"
    printf '| connections | sluice 2xx/s | sluice p99 ms | sluice RSS MiB | nginx 2xx/s | nginx p99 ms | nginx RSS MiB | sluice/nginx 2xx/s | errors sluice | errors nginx |\n'
    printf '|---:|---:|---:|---:|---:|---:|---:|---:|---|---|\n'
    for level in "${CONN_LEVEL_LIST[@]}"; do
        key="conn_scaling.c$level"
        RPS[$level]="$(ok_rps_of "$key" sluice)"
        errors_of "$key" sluice
        es="$ERRORS_TEXT"
        errors_of "$key" nginx
        printf '| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n' "$level" \
            "$(bench_fmt "${RPS[$level]}" '%.0f')" "$(bench_fmt "$(median_of "$key" sluice 3)" '%.2f')" "$(rss_of "$key" sluice)" \
            "$(bench_fmt "$(ok_rps_of "$key" nginx)" '%.0f')" "$(bench_fmt "$(median_of "$key" nginx 3)" '%.2f')" "$(rss_of "$key" nginx)" \
            "$(bench_ratio "${RPS[$level]}" "$(ok_rps_of "$key" nginx)")" "$es" "$ERRORS_TEXT"
        if awk -v a="${RPS[$level]}" -v b="$peak" 'BEGIN { exit !(a + 0 > b + 0) }'; then
            peak="${RPS[$level]}"
            peak_at="$level"
        fi
    done
    for level in "${CONN_LEVEL_LIST[@]}"; do
        ((level >= 100)) || continue
        if [ -z "$worst" ] || awk -v a="${RPS[$level]}" -v b="$worst" 'BEGIN { exit !(a + 0 < b + 0) }'; then
            worst="${RPS[$level]}"
            worst_at="$level"
        fi
    done
    printf '\n2xx/s: answers with a 2xx status per second (wrk req/s × (requests − non-2xx) / requests), median of the rounds.\n'
    printf 'RSS: VmRSS sampled every 0.5 s during the level'"'"'s last measured run, last sample (all connections open; nginx: master + workers).\n'
    r="n/a"
    if [ -n "$worst" ] && [ -n "$peak_at" ]; then
        r="$(bench_calc "$worst / $peak")"
        printf 'sluice: peak %s 2xx/s at %s connections; lowest from 100 up %s 2xx/s at %s (%s%% of peak).\n' \
            "$(bench_fmt "$peak" '%.0f')" "$peak_at" "$(bench_fmt "$worst" '%.0f')" "$worst_at" "$(bench_fmt "$(bench_calc "$r * 100")" '%.0f')"
    fi
    printf '\nRounds (connections target req/s p50 p99 non-2xx socket-errors requests):\n\n```\n'
    for level in "${CONN_LEVEL_LIST[@]}"; do
        for t in "${TARGET_LIST[@]}"; do
            awk -v t="$t" -v c="$level" '{ printf "%-6s %-7s %s\n", c, t, $0 }' "$WORK/conn_scaling.c$level.$t.rounds"
        done
    done
    printf '```\n\n'
    local verdict=no measured="n/a"
    [ "$(bench_met "$r" ge 0.8)" != met ] || verdict=yes
    [ "$r" = n/a ] || measured="lowest $(bench_fmt "$(bench_calc "$r * 100")" '%.0f')% of peak: $verdict"
    summary_add "Connections 100 → $CONN_MAX: sluice 2xx/s within 20% of its peak" "yes (≥ 80% of peak)" \
        "$measured" "$(bench_met "$r" ge 0.8)"
    rss_top="$(rss_of "conn_scaling.c$CONN_MAX" sluice)"
    summary_add "sluice RSS at $CONN_MAX connections" "≤ 150 MiB" "$rss_top MiB" "$(bench_met "$rss_top" le 150)"
}

# --- targets ------------------------------------------------------------------------------------

# sluice with the guardrail in front of the router (body_size case).
target_sluice_guard_start() {
    local CASE_SLUICE_PIPELINE="$GUARD_PIPELINE"
    start_sluice sluice_guard "$WORKERS"
}
target_sluice_guard_stop() { bench_stop_pid "${TARGET_PID[sluice_guard]}"; }

# LiteLLM: started by litellm_launch (its start may fail without failing the run), so _start
# only checks that it is up.
target_litellm_start() { [ -n "${TARGET_PORT[litellm]:-}" ] || bench_die "litellm not launched"; }
target_litellm_stop() {
    local pid="${TARGET_PID[litellm]:-}" kids p
    [ -n "$pid" ] || return 0
    # uvicorn's worker processes are its children: any still there after their parent ended
    # are stopped by PID (SIGTERM, up to 5 s, SIGKILL).
    kids="$(pgrep -P "$pid" 2>/dev/null || true)"
    bench_stop_pid "$pid"
    for p in $kids; do
        kill -TERM "$p" 2>/dev/null || continue
        for _ in 1 2 3 4 5 6 7 8 9 10; do
            kill -0 "$p" 2>/dev/null || break
            sleep 0.5
        done
        kill -KILL "$p" 2>/dev/null || true
    done
    TARGET_PORT[litellm]=""
    TARGET_PID[litellm]=""
}

# litellm_launch: starts the LiteLLM proxy in front of the mock; returns non-zero (CASE_SKIP set,
# log tail printed) when it is not installed or does not answer within LITELLM_START_TIMEOUT.
litellm_launch() {
    local dir="$WORK/litellm" port
    [ -z "$CASE_SKIP" ] || return 1
    mkdir -p "$dir"
    port="$(bench_free_port)"
    cat >"$dir/config.yaml" <<EOF
# Written by bench/run.sh: one OpenAI-compatible model on the same sluice-mock, nothing else.
model_list:
  - model_name: bench-model
    litellm_params:
      model: openai/bench-model
      api_base: http://127.0.0.1:$MOCK_PORT/v1
      api_key: x
litellm_settings:
  telemetry: false
  set_verbose: false
  json_logs: false
  turn_off_message_logging: true
  callbacks: []
  success_callback: []
  failure_callback: []
  service_callback: []
  cache: false
general_settings:
  disable_spend_logs: true
  disable_error_logs: true
  disable_adding_master_key_hash_to_db: true
  disable_reset_budget: true
  background_health_checks: false
EOF
    # The proxy app that `litellm --config F --num_workers N` serves (uvicorn.run of
    # litellm.proxy.proxy_server:app, config from CONFIG_FILE_PATH), started through uvicorn itself
    # for two settings the litellm command does not pass: no access log line per request, and a
    # worker health-check timeout of 120 s instead of 5 s (on a busy 2-core machine the workers'
    # imports outlast 5 s and uvicorn kills and restarts them over and over).
    # No master key and no DATABASE_URL: no auth, no DB. The cost map is the packaged copy.
    bench_start "$dir/litellm.log" env -u DATABASE_URL -u LITELLM_MASTER_KEY -u OPENAI_API_KEY \
        CONFIG_FILE_PATH="$dir/config.yaml" LITELLM_TELEMETRY=False LITELLM_LOCAL_MODEL_COST_MAP=True \
        LITELLM_LOG=ERROR DISABLE_SCHEMA_UPDATE=True NO_DOCS=True PYTHONDONTWRITEBYTECODE=1 \
        "$LITELLM_VENV/bin/uvicorn" litellm.proxy.proxy_server:app --host 127.0.0.1 --port "$port" \
        --workers "$LITELLM_WORKERS" --loop uvloop --no-access-log --log-level warning \
        --timeout-worker-healthcheck 120
    TARGET_PID[litellm]="$BENCH_LAST_PID"
    TARGET_PORT[litellm]=""
    local started="$SECONDS"
    while ((SECONDS - started < LITELLM_START_TIMEOUT)); do
        if ! kill -0 "${TARGET_PID[litellm]}" 2>/dev/null; then
            CASE_SKIP="LiteLLM exited at start (log: $(tail -n 1 "$dir/litellm.log"))"
            break
        fi
        if curl -s -o /dev/null --max-time 2 "http://127.0.0.1:$port/health/liveliness"; then
            TARGET_PORT[litellm]="$port"
            bench_log "  litellm on 127.0.0.1:$port (pid ${TARGET_PID[litellm]}) after $((SECONDS - started)) s"
            return 0
        fi
        sleep 0.1
    done
    [ -n "$CASE_SKIP" ] || CASE_SKIP="LiteLLM did not answer within ${LITELLM_START_TIMEOUT}s"
    tail -n 20 "$dir/litellm.log" >&2 || true
    target_litellm_stop
    return 1
}

# --- setup --------------------------------------------------------------------------------------

# ensure_litellm: the pinned LiteLLM proxy in LITELLM_VENV, installed when missing; on failure
# LITELLM_SKIP says why (the litellm case is then skipped, the run goes on).
ensure_litellm() {
    local have
    have="$("$LITELLM_VENV/bin/python" -c 'import importlib.metadata as m; print(m.version("litellm"))' 2>/dev/null || true)"
    if [ "$have" = "$LITELLM_VERSION" ] && [ -x "$LITELLM_VENV/bin/litellm" ]; then
        bench_log "litellm $have in $LITELLM_VENV"
        return 0
    fi
    bench_log "pip install litellm[proxy]==$LITELLM_VERSION into $LITELLM_VENV (up to ${PIP_TIMEOUT}s)"
    if bench_venv_pip "$LITELLM_VENV" "$PIP_TIMEOUT" "$WORK/pip.log" "litellm[proxy]==$LITELLM_VERSION"; then
        bench_log "litellm installed"
    else
        LITELLM_SKIP="pip install litellm[proxy]==$LITELLM_VERSION failed or took over ${PIP_TIMEOUT}s (no route to PyPI?): $(grep -v '^ *$' "$WORK/pip.log" | tail -n 1)"
        bench_log "litellm case will be skipped: $LITELLM_SKIP"
    fi
}
