# shellcheck shell=bash
# Helpers for bench/run.sh: tool installation, process lifecycle (every process by PID),
# port discovery, wrk output parsing, statistics and markdown rendering.
# Sourced, not executed. Functions are prefixed `bench_`; globals `BENCH_`.

BENCH_PIDS=()          # every long-running process this run started, stopped by bench_stop_all
BENCH_APT_UPDATED=0
BENCH_DEADLINE=0       # $SECONDS value after which no new measurement starts

bench_log() { printf '[bench %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
bench_die() { bench_log "error: $*"; exit 1; }

# --- time bound -------------------------------------------------------------------------------

bench_deadline_init() { BENCH_DEADLINE=$((SECONDS + $1)); }

bench_check_deadline() {
    if ((SECONDS >= BENCH_DEADLINE)); then
        bench_die "time budget exhausted (MAX_SECONDS); partial results are not written"
    fi
}

# --- tools ------------------------------------------------------------------------------------

# bench_require CMD:PACKAGE ...: apt-installs the packages whose command is missing.
bench_require() {
    local pair cmd pkg missing=()
    for pair in "$@"; do
        cmd="${pair%%:*}"
        pkg="${pair#*:}"
        command -v "$cmd" >/dev/null 2>&1 || missing+=("$pkg")
    done
    [ "${#missing[@]}" -gt 0 ] || return 0
    [ "$(id -u)" -eq 0 ] || bench_die "missing ${missing[*]}; install them (as root: apt-get install ${missing[*]})"
    local made_policy=0
    # Installing nginx must not start the distribution's own nginx on port 80.
    if [ ! -e /usr/sbin/policy-rc.d ]; then
        printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
        chmod +x /usr/sbin/policy-rc.d
        made_policy=1
    fi
    if [ "$BENCH_APT_UPDATED" -eq 0 ]; then
        bench_log "apt-get update"
        DEBIAN_FRONTEND=noninteractive apt-get update -q </dev/null >&2
        BENCH_APT_UPDATED=1
    fi
    bench_log "apt-get install ${missing[*]}"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" </dev/null >&2
    [ "$made_policy" -eq 0 ] || rm -f /usr/sbin/policy-rc.d
}

bench_nginx_version() { nginx -v 2>&1 | sed -n 's/^nginx version: //p'; }
bench_wrk_version() { wrk -v 2>&1 | head -n1 | awk '{print $1, $2}'; }

# --- processes --------------------------------------------------------------------------------

# bench_start LOGFILE CMD...: starts CMD in the background (stdin closed, stdout+stderr to LOGFILE)
# and records its PID; the PID is left in BENCH_LAST_PID.
bench_start() {
    local logfile="$1"
    shift
    # Emptied here, not only by the background redirect: a reader of the log (bench_wait_listen)
    # must never see the previous process's lines when a target is started a second time.
    : >"$logfile"
    "$@" </dev/null >>"$logfile" 2>&1 &
    BENCH_LAST_PID=$!
    BENCH_PIDS+=("$BENCH_LAST_PID")
}

# bench_stop_pid PID: SIGTERM, up to 5 s, then SIGKILL; reaps it.
bench_stop_pid() {
    local pid="$1" i
    [ -n "$pid" ] || return 0
    if kill -TERM "$pid" 2>/dev/null; then
        for ((i = 0; i < 50; i++)); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.1
        done
        kill -KILL "$pid" 2>/dev/null || true
    fi
    wait "$pid" 2>/dev/null || true
    bench_forget_pid "$pid"
}

# bench_forget_pid PID: drops PID from the list stopped at exit (it has ended).
bench_forget_pid() {
    local kept=() p
    for p in "${BENCH_PIDS[@]}"; do
        [ "$p" = "$1" ] || kept+=("$p")
    done
    BENCH_PIDS=("${kept[@]}")
}

bench_stop_all() {
    local pid i
    # Newest first: proxies before the backend they use.
    for ((i = ${#BENCH_PIDS[@]} - 1; i >= 0; i--)); do
        pid="${BENCH_PIDS[i]}"
        bench_stop_pid "$pid"
    done
}

# bench_wait_listen LOGFILE KIND PID [TIMEOUT]: prints the port from the first
# "listening on 127.0.0.1:PORT (KIND)" line of LOGFILE (SPEC §1).
bench_wait_listen() {
    local logfile="$1" kind="$2" pid="$3" timeout="${4:-20}" port i
    for ((i = 0; i < timeout * 10; i++)); do
        port="$(sed -n "s/.*listening on 127\.0\.0\.1:\([0-9][0-9]*\) ($kind).*/\1/p" "$logfile" 2>/dev/null | head -n1)"
        if [ -n "$port" ]; then
            printf '%s\n' "$port"
            return 0
        fi
        kill -0 "$pid" 2>/dev/null || { cat "$logfile" >&2; bench_die "process $pid exited before listening ($kind)"; }
        sleep 0.1
    done
    cat "$logfile" >&2
    bench_die "no 'listening on ... ($kind)' line within ${timeout}s in $logfile"
}

# bench_wait_port PORT PID [TIMEOUT]: waits until 127.0.0.1:PORT accepts connections.
bench_wait_port() {
    local port="$1" pid="$2" timeout="${3:-20}" i
    for ((i = 0; i < timeout * 10; i++)); do
        if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
            return 0
        fi
        kill -0 "$pid" 2>/dev/null || bench_die "process $pid exited before listening on $port"
        sleep 0.1
    done
    bench_die "nothing listening on 127.0.0.1:$port within ${timeout}s"
}

# bench_free_port: a loopback port that was free a moment ago (the kernel's choice for port 0).
bench_free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

# bench_status_mib FIELD PID: the /proc status FIELD (VmHWM, VmRSS) of PID plus its direct
# children (nginx or uvicorn workers), in MiB.
bench_status_mib() {
    local field="$1" pid="$2" total_kb=0 p kb
    for p in "$pid" $(pgrep -P "$pid" 2>/dev/null || true); do
        kb="$(awk -v f="$field:" '$1 == f {print $2}' "/proc/$p/status" 2>/dev/null || true)"
        total_kb=$((total_kb + ${kb:-0}))
    done
    awk -v kb="$total_kb" 'BEGIN { printf "%.1f\n", kb / 1024 }'
}

# bench_peak_rss_mib PID: VmHWM of PID plus its direct children (nginx workers), in MiB.
bench_peak_rss_mib() { bench_status_mib VmHWM "$1"; }

# bench_rss_mib PID: VmRSS (resident now) of PID plus its direct children, in MiB.
bench_rss_mib() { bench_status_mib VmRSS "$1"; }

# bench_raise_nofile NEED: raises this shell's soft open-files limit to the hard limit (every
# process started afterwards inherits it); dies when that stays below NEED.
bench_raise_nofile() {
    local need="$1" hard soft
    hard="$(ulimit -Hn)"
    [ "$hard" != unlimited ] || hard="$(cat /proc/sys/fs/nr_open)"
    soft="$(ulimit -Sn)"
    if [ "$soft" != unlimited ] && ((soft < hard)); then
        ulimit -Sn "$hard" 2>/dev/null || true
    fi
    soft="$(ulimit -Sn)"
    [ "$soft" = unlimited ] && return 0
    ((soft >= need)) || bench_die "open-files limit: soft $soft, hard $(ulimit -Hn); the connection-scaling case needs >= $need (raise the hard limit, e.g. in /etc/security/limits.conf or the container's --ulimit nofile, or lower CONN_LEVELS)"
    bench_log "open-files soft limit $soft (need >= $need)"
}

# bench_venv_pip VENV TIMEOUT LOGFILE SPEC...: creates VENV when missing, then pip-installs SPEC
# (wheels only, so no package's build script runs; one retry, 20 s per connection), bounded by
# TIMEOUT seconds. Returns pip's status; its output goes to LOGFILE.
bench_venv_pip() {
    local venv="$1" limit="$2" logfile="$3"
    shift 3
    if [ ! -x "$venv/bin/python" ]; then
        timeout 120 python3 -m venv "$venv" >"$logfile" 2>&1 || return 1
    fi
    timeout --kill-after=10 "$limit" "$venv/bin/python" -m pip install -q --disable-pip-version-check \
        --retries 1 --timeout 20 --only-binary :all: "$@" </dev/null >>"$logfile" 2>&1
}

# --- load -------------------------------------------------------------------------------------

# bench_chat_body FILE MODEL MAX_TOKENS STREAM(true|false) SIZE: writes a chat request of exactly SIZE bytes.
bench_chat_body() {
    local file="$1" model="$2" max_tokens="$3" stream="$4" size="$5"
    local head tail fill filler
    head="{\"model\":\"$model\",\"max_tokens\":$max_tokens,\"stream\":$stream,\"messages\":[{\"role\":\"system\",\"content\":\"You are a concise assistant.\"},{\"role\":\"user\",\"content\":\""
    tail='"}]}'
    fill=$((size - ${#head} - ${#tail}))
    ((fill > 0)) || bench_die "body size $size too small"
    filler="$(awk -v n="$fill" 'BEGIN { s = ""; w = "Summarise the following paragraph about rivers and sluices. "; while (length(s) < n) s = s w; print substr(s, 1, n) }')"
    printf '%s%s%s' "$head" "$filler" "$tail" >"$file"
}

# bench_smoke URL BODYFILE: one request with curl; prints "STATUS DATA_EVENTS" (events = SSE data lines).
bench_smoke() {
    local url="$1" body="$2" out status events
    out="$(mktemp)"
    status="$(curl -sS --max-time 10 -o "$out" -w '%{http_code}' -H 'content-type: application/json' \
        --data-binary "@$body" "$url")" || true
    [ -n "$status" ] || status=000
    events="$(grep -c '^data: *{' "$out" || true)"
    rm -f "$out"
    printf '%s %s\n' "$status" "$events"
}

# bench_wrk OUTFILE URL LUA DURATION_S BODYFILE: one bounded wrk run; raw output to OUTFILE.
# wrk -t is min(WRK_THREADS, WRK_CONNECTIONS). With BENCH_RSS_PIDS="NAME:PID ..." set, the VmRSS
# of each PID is sampled every 0.5 s while wrk runs; OUTFILE.rss keeps the last sample ("NAME MiB").
bench_wrk() {
    local outfile="$1" url="$2" lua="$3" duration="$4" body="$5" pid status=0 threads pair state
    threads=$((WRK_THREADS < WRK_CONNECTIONS ? WRK_THREADS : WRK_CONNECTIONS))
    # In the background and waited for, so a signal reaches our trap at once and the trap
    # stops wrk by PID (a foreground child would delay the trap until wrk ends).
    BENCH_VARY="${CASE_VARY:-0}" BENCH_BODY_FILE="$body" timeout --kill-after=5 $((duration + 20)) \
        wrk -t"$threads" -c"$WRK_CONNECTIONS" -d"${duration}s" --timeout 5s --latency -s "$lua" "$url" \
        </dev/null >"$outfile" 2>&1 &
    pid=$!
    BENCH_PIDS+=("$pid")
    if [ -n "${BENCH_RSS_PIDS:-}" ]; then
        rm -f "$outfile.rss"
        while :; do
            state="$(awk '{ print $3 }' "/proc/$pid/stat" 2>/dev/null || true)"
            if [ -z "$state" ] || [ "$state" = Z ]; then break; fi
            for pair in $BENCH_RSS_PIDS; do
                printf '%s %s\n' "${pair%%:*}" "$(bench_rss_mib "${pair#*:}")"
            done >"$outfile.rss.tmp"
            mv "$outfile.rss.tmp" "$outfile.rss"
            sleep 0.5
        done
    fi
    wait "$pid" || status=$?
    bench_forget_pid "$pid"
    if [ "$status" -ne 0 ]; then
        cat "$outfile" >&2
        bench_die "wrk failed against $url (exit $status)"
    fi
}

# bench_wrk_parse FILE: prints "RPS P50_MS P99_MS NON2XX SOCKET_ERRORS REQUESTS" from wrk's --latency output.
bench_wrk_parse() {
    awk '
        function ms(v,   n, u) {
            n = v + 0; u = v; sub(/^[0-9.]+/, "", u)
            if (u == "us") return n / 1000
            if (u == "ms") return n
            if (u == "s")  return n * 1000
            if (u == "m")  return n * 60000
            if (u == "h")  return n * 3600000
            return -1
        }
        /^Requests\/sec:/ { rps = $2 }
        / requests in / { requests = $1 }
        /^ +50% / { p50 = ms($2) }
        /^ +99% / { p99 = ms($2) }
        /Non-2xx or 3xx responses:/ { non2xx = $NF }
        /Socket errors:/ {
            # Socket errors: connect 0, read 0, write 0, timeout 0
            for (i = 1; i <= NF; i++) if ($i ~ /^[0-9]+,?$/) { v = $i; sub(/,/, "", v); sock += v }
        }
        END {
            if (rps == "") { print "parse-error"; exit 1 }
            printf "%s %.3f %.3f %d %d %d\n", rps, p50, p99, non2xx + 0, sock + 0, requests + 0
        }
    ' "$1"
}

# --- statistics and rendering -------------------------------------------------------------------

# bench_median N...: the median (mean of the two middle values for an even count).
bench_median() {
    printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END {
        if (NR == 0) { print "nan"; exit }
        if (NR % 2) printf "%.6f\n", v[(NR + 1) / 2]
        else printf "%.6f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2
    }'
}

# bench_ratio A B: A/B as "0.97×", "n/a" when either is missing or B is 0.
bench_ratio() {
    awk -v a="${1:-}" -v b="${2:-}" 'BEGIN {
        if (a == "" || b == "" || b + 0 == 0) { print "n/a"; exit }
        printf "%.2f×\n", a / b
    }'
}

# bench_fmt VALUE FORMAT: VALUE through printf FORMAT; a value that is not a number (n/a) as is.
bench_fmt() {
    awk -v v="$1" -v f="$2" 'BEGIN {
        if (v !~ /^-?[0-9.]+(e[-+]?[0-9]+)?$/) { print (v == "" ? "n/a" : v); exit }
        printf f "\n", v
    }'
}

# bench_met VALUE OP LIMIT: "met" when VALUE OP LIMIT holds (OP: ge, le), "missed" otherwise,
# "n/a" when VALUE is not a number.
bench_met() {
    awk -v v="${1:-}" -v op="$2" -v l="$3" 'BEGIN {
        if (v !~ /^-?[0-9.]+(e[-+]?[0-9]+)?$/) { print "n/a"; exit }
        ok = (op == "ge") ? (v + 0 >= l + 0) : (v + 0 <= l + 0)
        print (ok ? "met" : "missed")
    }'
}

# bench_calc EXPR: evaluates an awk arithmetic expression; "n/a" when an operand is "n/a" or a
# division by zero would happen (pass divisors as the last factor of "a / b").
bench_calc() {
    case "$1" in *n/a* | *nan*) echo n/a; return ;; esac
    awk "BEGIN { x = $1; printf \"%.6f\\n\", x }" 2>/dev/null || echo n/a
}
