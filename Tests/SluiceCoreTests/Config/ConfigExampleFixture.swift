/// The text of `sluice.example.yaml`, embedded so the tests need no file access.
/// Regenerate when the example changes (the test `exampleFile_validatesWithItsEnvironment` checks it).
enum ConfigExampleFixture {
    static let text: String? = #"""
# Sluice configuration — annotated example (SPEC §2).
#
# YAML subset: block mappings/lists, flow [a, b] and {k: v}, plain/'single'/"double"-quoted
# scalars, | and > block scalars, comments. Anchors, aliases, tags and multiple documents are
# rejected. Only true/false are booleans (so `on:` is an ordinary key).
# ${VAR} and ${VAR:-default} are replaced from the environment after parsing ($${ writes a
# literal ${); inside { } quote any value that holds ${…}. Values that came from ${…} are shown
# as "<redacted>" by GET /config.
# Durations: 250ms, 2s, 5m, 1h, 1m30s (a unit is required).
# Sizes: 512 (bytes), 64KiB, 2MiB, 1GiB (also Ki/Mi/Gi; KB/MB/GB are powers of 1000).
#
# This file needs OPENAI_API_KEY and TEAM_B_KEY in the environment, and the TLS files below.

version: 1                   # required; the only version is 1

listen:
  address: 0.0.0.0:8080      # host:port or [::]:port; port 0 = any free port
  tls: {cert_file: /etc/sluice/tls.crt, key_file: /etc/sluice/tls.key}   # optional TLS termination

admin:
  address: 127.0.0.1:9901    # in Kubernetes 0.0.0.0:9901 with a token (--check warns otherwise)
  token: ${SLUICE_ADMIN_TOKEN:-}      # when set, POST/DELETE need "Authorization: Bearer <token>"

server:
  workers: 0                 # event-loop threads; 0 = one per CPU (change needs a restart)
  max_connections: 10000     # data-plane client connections, whole process
  max_header_bytes: 32KiB    # larger heads get 431
  max_body_bytes: 2MiB       # larger bodies get 413
  header_timeout: 10s        # whole request head must arrive within this
  idle_timeout: 60s          # keep-alive idle
  drain_timeout: 30s         # SIGTERM: in-flight requests get this long
  drain_delay: 0s            # on SIGTERM, keep accepting this long with /readyz at 503
  trusted_proxies: []        # CIDRs whose x-forwarded-for is believed for client_ip, e.g. [10.0.0.0/8]

logging:
  level: info                # error | warn | info | debug
  access_log: stdout         # stdout | off | /path/to/file ; one JSON object per line

auth:
  mode: api_key              # none | api_key
  tenant_header: x-tenant-id # with mode none: tenant read from this header (trusted networks)
  keys:                      # each needs exactly one of sha256 (64 hex) or value
    - {name: team-a, tenant: team-a, sha256: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"}
    - {name: team-b, tenant: team-b, value: "${TEAM_B_KEY}", models: ["llama-*"]}   # optional allow-list (globs)

backends:
  - name: local-llama
    endpoints: ["http://vllm-0.vllm:8000", "http://vllm-1.vllm:8000"]   # host names re-resolved every 30s
    load_balancing: least_request      # least_request | round_robin | prefix_affinity
    max_connections: 256               # per endpoint (default 256)
    queue_timeout: 1s                  # wait for a free connection, then 503 (default 1s)
    timeouts: {connect: 2s, first_byte: 60s, idle: 30s, total: 600s}   # the defaults
    health_check: {path: /health, interval: 5s, timeout: 1s, unhealthy_after: 3, healthy_after: 2}
    outlier: {consecutive_failures: 5, ejection: 30s}
  - name: openai
    endpoints: ["https://api.openai.com"]             # https: default port 443; a path prefix is allowed
    tls: {verify: true, ca_file: "", sni: "", client_cert_file: "", client_key_file: ""}   # "" = not set
    credentials:
      headers: {Authorization: "Bearer ${OPENAI_API_KEY}"}   # injected upstream; never logged

routes:
  - name: llama
    models: ["llama-3.1-8b", "llama-*"]          # exact names or globs; first matching route wins
    backends:
      - {backend: local-llama, weight: 100, model: "meta-llama/Llama-3.1-8B-Instruct"}
    fallbacks:
      - {backend: openai, model: gpt-4o-mini}    # tried in order when the primaries fail
    retry: {attempts: 2, on: [connect_error, first_byte_timeout, "502", "503", "504", "429"]}
  - name: openai
    models: ["gpt-*"]
    backends: [{backend: openai}]                # no retry: one try, fallbacks on connect errors only

pipeline:                    # ordered; default when omitted: [{name: router, type: model_router}]
  - name: input-guard
    type: guardrail
    on: [request]            # request | response (default [request])
    status: 400              # status of a block (default 400)
    failure_mode: fail_closed   # fail_closed (503 on failure) | fail_open (skip); every processor has it
    detectors:
      - {type: pii, action: redact, kinds: [email, phone, credit_card, ssn, iban, ipv4]}
      - {type: secrets, action: block}
      - {type: regex, action: block, pattern: "(?i)internal-project-[0-9]+", category: project}
      - {type: keywords, action: log, words: [confidential, "do not share"]}
      - {type: prompt_injection, action: block}
  - {name: router, type: model_router}          # exactly one; resolves the route
  - name: stamp
    type: transform
    request:
      set_headers: {x-gateway: sluice}
      remove_headers: [x-debug]
      set_body_fields: {"/metadata/source": "sluice"}
      remove_body_fields: ["/user"]
  - name: cache
    type: prompt_cache       # must come after the model_router
    ttl: 10m
    max_bytes: 256MiB
    max_entry_bytes: 1MiB
    deterministic_only: true # chat/completions only at temperature 0; embeddings always
    coalesce: true           # identical concurrent misses share one upstream call
  - name: audit
    type: webhook
    url: http://audit.platform.svc:8080/sluice   # receives {"phase","request_id","route",...}
    on: [request]
    timeout: 200ms           # default 200ms
    failure_mode: fail_open
  - name: output-guard
    type: guardrail
    on: [response]
    stream_holdback: 64      # characters held back on streams so split matches are caught
    detectors:
      - {type: pii, action: redact, kinds: [email]}

rate_limits:                 # every matching bucket must admit
  - {name: tenant-tpm, key: [tenant], unit: tokens, count: total, limit: 100000, window: 1m}
  - {name: model-rps, key: [model], unit: requests, limit: 50, window: 1s, burst: 100}
  - name: team-header
    key: [tenant, "header:x-team"]
    unit: tokens
    count: output            # input | output | total (tokens only)
    limit: 20000
    window: 1m
    match: {routes: [llama]} # optional: models, routes, tenants
    shadow: true             # decide and count, never reject
    max_keys: 100000         # buckets kept per limit (default 100000)

token_estimation: {bytes_per_token: 4, default_output_tokens: 256, max_output_reservation: 4096}

# Several replicas sharing one budget (SPEC §10). Add `scope: global` to a rate limit to use it.
# cluster:
#   redis:
#     address: redis.platform.svc:6379   # host:port; `tls:` as for backends
#     password: ${REDIS_PASSWORD:-}
#     database: 0
#     key_prefix: "sluice:"
#     timeout: 50ms
#     pool_size: 4                       # connections per event loop
#   failure_mode: local                  # local | fail_open | fail_closed
"""#
}
