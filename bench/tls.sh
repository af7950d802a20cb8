# shellcheck shell=bash
# Egress over TLS (issue 5): Sluice with an `https://` backend against nginx `proxy_pass https://`
# with upstream keep-alive and session reuse, both verifying the same throwaway CA. The TLS upstream
# is an nginx that terminates TLS in front of the same sluice-mock (it is the same for both
# proxies, so the ratio compares what each proxy spends on TLS and proxying). Sourced by run.sh.

TLS_UPSTREAM_PORT=""
TLS_DIR=""

# ensure_tls_upstream: a CA, a certificate for localhost/127.0.0.1 and the TLS-terminating nginx,
# once per run (stopped with the rest by bench_stop_all).
ensure_tls_upstream() {
    [ -n "$TLS_UPSTREAM_PORT" ] && return 0
    bench_require openssl:openssl
    TLS_DIR="$WORK/tls"
    mkdir -p "$TLS_DIR"
    chmod 755 "$TLS_DIR"
    (
        cd "$TLS_DIR"
        timeout 60 openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.crt -days 2 -subj "/CN=sluice bench CA" 2>/dev/null
        timeout 60 openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout server.key -out server.csr -subj "/CN=localhost" 2>/dev/null
        printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature\nextendedKeyUsage=serverAuth\n' >server.ext
        timeout 60 openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial -out server.crt -days 2 -extfile server.ext 2>/dev/null
        chmod 644 ./*.crt ./*.key
    ) || bench_die "cannot make the bench certificates"
    TLS_UPSTREAM_PORT="$(bench_free_port)"
    local dir="$WORK/tls-upstream"
    mkdir -p "$dir"
    chmod 755 "$dir"
    cat >"$dir/nginx.conf" <<CONF
worker_processes $WORKERS;
daemon off;
pid $dir/nginx.pid;
error_log $dir/error.log warn;
events { worker_connections 4096; }
http {
    access_log off;
    client_body_temp_path $dir/client_body;
    proxy_temp_path $dir/proxy;
    fastcgi_temp_path $dir/fastcgi;
    uwsgi_temp_path $dir/uwsgi;
    scgi_temp_path $dir/scgi;
    keepalive_requests 1000000;
    upstream mock { server 127.0.0.1:$MOCK_PORT; keepalive 64; keepalive_requests 1000000; }
    server {
        listen 127.0.0.1:$TLS_UPSTREAM_PORT ssl;
        ssl_certificate $TLS_DIR/server.crt;
        ssl_certificate_key $TLS_DIR/server.key;
        ssl_protocols TLSv1.2 TLSv1.3;
        ssl_session_tickets on;
        location / {
            proxy_pass http://mock;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_buffering off;
        }
    }
}
CONF
    bench_start "$dir/stderr.log" nginx -p "$dir" -c "$dir/nginx.conf" -e "$dir/error.log"
    bench_wait_port "$TLS_UPSTREAM_PORT" "$BENCH_LAST_PID"
    bench_log "TLS upstream (nginx terminating TLS before sluice-mock) on 127.0.0.1:$TLS_UPSTREAM_PORT (pid $BENCH_LAST_PID)"
}

case_json_tls_upstream() {
    CASE_TITLE="JSON to a TLS upstream — sluice https:// backend vs nginx proxy_pass https:// (keep-alive, session reuse, verified), 1 KB body"
    bench_chat_body "$CASE_BODY" bench-model 16 false 1024
    CASE_EVENTS=0
    ensure_tls_upstream
    CASE_TARGETS="nginx sluice"
    CASE_RATIOS="sluice/nginx"
    CASE_UPSTREAM_PORT="$TLS_UPSTREAM_PORT"
    CASE_NGINX_UPSTREAM_SCHEME=https
    CASE_NGINX_UPSTREAM_TLS=" proxy_ssl_server_name on; proxy_ssl_name localhost; proxy_ssl_verify on; proxy_ssl_trusted_certificate $TLS_DIR/ca.crt; proxy_ssl_session_reuse on;"
    CASE_SLUICE_ENDPOINT="https://localhost:$TLS_UPSTREAM_PORT"
    CASE_SLUICE_BACKEND="    tls: {verify: true, ca_file: \"$TLS_DIR/ca.crt\"}"
}
