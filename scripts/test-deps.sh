#!/usr/bin/env bash
# Installs what `make test` needs beyond the Swift toolchain, and only what is missing:
#   - Debian packages: openssl (the binary: tests make throwaway TLS certificates), redis-server
#     (the scale-out tests start their own on a loopback port; the system service is not used),
#     wrk (the load of the reload-under-load test and of `make soak`), python3 + python3-venv when
#     no working `python3 -m venv` exists.
#   - A Python venv in .venv-test/ with the openai SDK (3.x), pytest, prometheus_client, httpx.
# Idempotent: a second run changes nothing and prints one line per check.
# Runs unattended (CI=true, no stdin) as root on a fresh Debian 12 machine; as another user it
# uses `sudo -n` for apt and fails clearly when that is not possible.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${SLUICE_TEST_VENV:-$ROOT/.venv-test}"
PYTHON="${PYTHON:-python3}"

# requirement spec -> installed when the distribution is absent or outside the spec's major version.
PIP_REQUIREMENTS=(
    "openai>=3,<4"
    "pytest>=8"
    "prometheus_client>=0.20"
    "httpx>=0.27"
    "pyyaml>=6"
)

export DEBIAN_FRONTEND=noninteractive
export PIP_NO_INPUT=1
export PIP_DISABLE_PIP_VERSION_CHECK=1

APT_UPDATED=0

log() { printf 'test-deps: %s\n' "$*" >&2; }

as_root() {
    if [ "$(id -u)" -eq 0 ]; then
        "$@"
    elif command -v sudo >/dev/null 2>&1; then
        sudo -n "$@"
    else
        log "need root (or passwordless sudo) for: $*"
        return 1
    fi
}

# apt_install PKG...: `apt-get update` once per run, then a non-interactive install.
apt_install() {
    [ "$#" -gt 0 ] || return 0
    if [ "$APT_UPDATED" -eq 0 ]; then
        log "apt-get update"
        as_root apt-get update -q </dev/null
        APT_UPDATED=1
    fi
    log "apt-get install $*"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$@" </dev/null
}

venv_works() {
    local probe
    probe="$(mktemp -d)"
    if "$PYTHON" -m venv "$probe/v" >/dev/null 2>&1 && [ -x "$probe/v/bin/pip" ]; then
        rm -rf "$probe"
        return 0
    fi
    rm -rf "$probe"
    return 1
}

install_system_packages() {
    local wanted=()
    if command -v openssl >/dev/null 2>&1; then
        log "openssl: present"
    else
        wanted+=(openssl)
    fi
    if command -v redis-server >/dev/null 2>&1; then
        log "redis-server: present"
    else
        wanted+=(redis-server)
    fi
    if command -v wrk >/dev/null 2>&1; then
        log "wrk: present"
    else
        wanted+=(wrk)
    fi
    if ! command -v "$PYTHON" >/dev/null 2>&1; then
        wanted+=(python3 python3-venv)
        PYTHON=python3
    elif [ ! -x "$VENV/bin/python" ] && ! venv_works; then
        # Debian's own python3 ships venv/ensurepip in a separate package.
        wanted+=(python3-venv)
    fi
    apt_install "${wanted[@]}"
}

ensure_venv() {
    if [ -x "$VENV/bin/python" ] && "$VENV/bin/python" -c 'import sys' >/dev/null 2>&1; then
        log "venv: present ($VENV)"
        return 0
    fi
    log "creating venv $VENV"
    rm -rf "$VENV"
    "$PYTHON" -m venv "$VENV"
}

# Prints the requirement specs (one a line) that the venv does not satisfy yet.
missing_requirements() {
    "$VENV/bin/python" - "${PIP_REQUIREMENTS[@]}" <<'EOF'
import re, sys
import importlib.metadata as md

for spec in sys.argv[1:]:
    m = re.match(r"([A-Za-z0-9_.-]+)(.*)", spec)
    name, constraint = m.group(1), m.group(2)
    try:
        have = md.version(name)
    except md.PackageNotFoundError:
        print(spec)
        continue
    major = int(re.match(r"\d+", have).group(0))
    lo = re.search(r">=(\d+)", constraint)
    hi = re.search(r"<(\d+)", constraint)
    if (lo and major < int(lo.group(1))) or (hi and major >= int(hi.group(1))):
        print(spec)
EOF
}

install_python_packages() {
    local missing=()
    local line
    while IFS= read -r line; do
        [ -n "$line" ] && missing+=("$line")
    done < <(missing_requirements)
    if [ "${#missing[@]}" -eq 0 ]; then
        log "python packages: present (${PIP_REQUIREMENTS[*]})"
        return 0
    fi
    log "pip install ${missing[*]}"
    "$VENV/bin/python" -m pip install -q "${missing[@]}" </dev/null
}

main() {
    install_system_packages
    ensure_venv
    install_python_packages
    "$VENV/bin/python" -c 'import openai, pytest, prometheus_client, httpx, yaml; print("test-deps: ok (openai " + openai.__version__ + ", pytest " + pytest.__version__ + ")")' >&2
}

main "$@"
