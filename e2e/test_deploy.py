"""Deployment artefacts (deploy/): Kubernetes manifests, the container image's config, the static binary.

The manifests are checked against each other and against the config they ship: probe ports and
paths against `admin.address`, container ports against both listeners, the termination grace
period against the drain settings, every `${VAR}` of the config against the Deployment's env and
the example Secret. The shipped configs must pass `sluice --check` (binaries from $SLUICE_BIN_DIR,
else .build/debug). No cluster and no Docker engine are needed.

The static-link check builds a release binary with `--static-swift-stdlib` into .build-static/
and runs `ldd` on it: several minutes, so only with SLUICE_STATIC_CHECK=1 (CI sets it).
The YAML tests need PyYAML; without it they are skipped.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
DEPLOY = REPO / "deploy"
K8S = DEPLOY / "kubernetes"
DOCKERFILE = DEPLOY / "Dockerfile"
CONTAINER_CONFIG = DEPLOY / "sluice.container.yaml"

# Manifests `kubectl apply -k` applies; the example Secret is kept out on purpose.
APPLIED = ["configmap.yaml", "deployment.yaml", "service.yaml", "pdb.yaml"]
EXAMPLES = ["secret.example.yaml"]
# Sub-kustomizations applied with the rest (the reference Redis of SPEC §10).
COMPONENTS = {"redis": ["deployment.yaml", "service.yaml"]}
RUNTIME_UID = 10001

# `${VAR}` without a default: must be in the environment or the config is rejected (SPEC §2).
REQUIRED_VAR_RE = re.compile(r"(?<!\$)\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
DURATION_RE = re.compile(r"(\d+)(ms|s|m|h)")
DURATION_UNITS = {"ms": 0.001, "s": 1, "m": 60, "h": 3600}


def sluice_bin() -> Path:
    configured = os.environ.get("SLUICE_BIN_DIR")
    path = (Path(configured) if configured else REPO / ".build" / "debug") / "sluice"
    if not path.is_file():
        pytest.fail(f"{path} not found: build first (`swift build --build-tests`) or set SLUICE_BIN_DIR")
    return path


@pytest.fixture(scope="module")
def yaml():
    return pytest.importorskip("yaml", reason="PyYAML is not installed in the test venv")


def load_one(yaml, path: Path) -> dict:
    docs = [d for d in yaml.safe_load_all(path.read_text()) if d is not None]
    assert len(docs) == 1, f"{path.name}: expected one YAML document, found {len(docs)}"
    assert isinstance(docs[0], dict), f"{path.name}: top level is not a mapping"
    return docs[0]


@pytest.fixture(scope="module")
def manifests(yaml) -> dict[str, dict]:
    """Every manifest under deploy/kubernetes/ by kind (one object of each kind)."""
    by_kind: dict[str, dict] = {}
    for path in sorted(K8S.glob("*.yaml")):
        if path.name in EXAMPLES or path.name == "kustomization.yaml":
            continue
        doc = load_one(yaml, path)
        assert doc["kind"] not in by_kind, f"two {doc['kind']} manifests"
        by_kind[doc["kind"]] = doc
    return by_kind


@pytest.fixture(scope="module")
def config_text(manifests) -> str:
    return manifests["ConfigMap"]["data"]["sluice.yaml"]


@pytest.fixture(scope="module")
def config(yaml, config_text) -> dict:
    """The ConfigMap's sluice.yaml, parsed (its `${VAR}`s left as text)."""
    return yaml.safe_load(config_text)


@pytest.fixture(scope="module")
def pod(manifests) -> dict:
    return manifests["Deployment"]["spec"]["template"]


@pytest.fixture(scope="module")
def container(pod) -> dict:
    containers = pod["spec"]["containers"]
    assert [c["name"] for c in containers] == ["sluice"]
    return containers[0]


def port_of(address: str) -> int:
    return int(address.rsplit(":", 1)[1])


def seconds(duration: str) -> float:
    text = str(duration)
    parts = DURATION_RE.findall(text)
    assert parts and "".join(n + u for n, u in parts) == text, f"not a duration: {text!r}"
    return sum(int(n) * DURATION_UNITS[u] for n, u in parts)


def resolve_port(container: dict, port) -> int:
    """A probe's or Service's port, by number or by container port name."""
    if isinstance(port, int):
        return port
    named = {p["name"]: p["containerPort"] for p in container["ports"] if "name" in p}
    assert port in named, f"port name {port!r} is not one of the container's ports {sorted(named)}"
    return named[port]


def run_check(config_path: Path, env_overrides: dict[str, str], drop: tuple[str, ...] = ()) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in drop}
    env.update(env_overrides)
    return subprocess.run(
        [str(sluice_bin()), "--config", str(config_path), "--check"],
        env=env, capture_output=True, text=True, timeout=60, cwd=REPO,
    )


# (a) every manifest parses and names itself ------------------------------------------------------


@pytest.mark.parametrize("name", APPLIED + EXAMPLES)
def test_manifest_parses_withApiVersionKindAndName(yaml, name):
    doc = load_one(yaml, K8S / name)
    assert isinstance(doc.get("apiVersion"), str) and doc["apiVersion"]
    assert isinstance(doc.get("kind"), str) and doc["kind"]
    assert isinstance(doc.get("metadata", {}).get("name"), str) and doc["metadata"]["name"]


def test_kustomization_appliesEveryManifest_butNotTheExampleSecret(yaml):
    kust = load_one(yaml, K8S / "kustomization.yaml")
    assert kust["apiVersion"].startswith("kustomize.config.k8s.io/")
    assert kust["kind"] == "Kustomization"
    assert sorted(kust["resources"]) == sorted(APPLIED + list(COMPONENTS))
    on_disk = {p.name for p in K8S.glob("*.yaml")} - {"kustomization.yaml"}
    assert on_disk == set(APPLIED + EXAMPLES), "a manifest is neither applied nor a listed example"
    for component, files in COMPONENTS.items():
        sub = load_one(yaml, K8S / component / "kustomization.yaml")
        assert sorted(sub["resources"]) == sorted(files)
        for f in files:
            doc = load_one(yaml, K8S / component / f)
            assert doc["kind"] and doc["metadata"]["name"]


def test_redisReference_matchesTheClusterAddressAndPassword(yaml):
    config = yaml.safe_load(load_one(yaml, K8S / "configmap.yaml")["data"]["sluice.yaml"])
    service = load_one(yaml, K8S / "redis" / "service.yaml")
    host, port = config["cluster"]["redis"]["address"].split(":")
    assert host == service["metadata"]["name"] and int(port) == service["spec"]["ports"][0]["port"]
    redis = load_one(yaml, K8S / "redis" / "deployment.yaml")["spec"]["template"]["spec"]["containers"][0]
    assert "$(REDIS_PASSWORD)" in redis["args"]
    ref = next(e for e in redis["env"] if e["name"] == "REDIS_PASSWORD")["valueFrom"]["secretKeyRef"]
    secret = load_one(yaml, K8S / "secret.example.yaml")
    assert ref["name"] == secret["metadata"]["name"] and ref["key"] in secret["stringData"]
    assert any(l.get("scope") == "global" for l in config["rate_limits"])


def test_secretExample_isMarkedAsExample(yaml):
    text = (K8S / "secret.example.yaml").read_text()
    assert "EXAMPLE" in text.upper().split("APIVERSION")[0], "the header must say it is an example"
    doc = load_one(yaml, K8S / "secret.example.yaml")
    assert doc["kind"] == "Secret"
    assert all("REPLACE" in str(v).upper() for v in doc["stringData"].values())


# (b) the manifests agree with each other and with the config --------------------------------------


def test_deployment_runsTwoReplicas_withMatchingSelector(manifests, pod):
    dep = manifests["Deployment"]
    assert dep["apiVersion"] == "apps/v1"
    assert dep["spec"]["replicas"] == 2
    selector = dep["spec"]["selector"]["matchLabels"]
    assert selector.items() <= pod["metadata"]["labels"].items()


def test_probes_hitHealthzAndReadyz_onTheAdminPort(config, container):
    admin_port = port_of(config["admin"]["address"])
    assert config["admin"]["address"].startswith("0.0.0.0:"), "the kubelet probes the pod IP"
    live = container["livenessProbe"]["httpGet"]
    ready = container["readinessProbe"]["httpGet"]
    assert live["path"] == "/healthz"
    assert ready["path"] == "/readyz"
    assert resolve_port(container, live["port"]) == admin_port
    assert resolve_port(container, ready["port"]) == admin_port


def test_containerPorts_areTheListenAndAdminPorts(config, container):
    ports = {p["containerPort"] for p in container["ports"]}
    assert ports == {port_of(config["listen"]["address"]), port_of(config["admin"]["address"])}
    assert config["listen"]["address"].startswith("0.0.0.0:")


def test_service_exposesDataPortOnly(manifests, config, container, pod):
    svc = manifests["Service"]
    assert svc["spec"].get("type", "ClusterIP") == "ClusterIP"
    assert svc["spec"]["selector"].items() <= pod["metadata"]["labels"].items()
    (port,) = svc["spec"]["ports"]
    assert port["port"] == 80 and port["name"] == "http"
    assert resolve_port(container, port["targetPort"]) == port_of(config["listen"]["address"])


def test_prometheusAnnotations_pointAtAdminMetrics(config, pod):
    annotations = pod["metadata"].get("annotations", {})
    assert annotations.get("prometheus.io/scrape") == "true"
    assert int(annotations["prometheus.io/port"]) == port_of(config["admin"]["address"])
    assert annotations.get("prometheus.io/path", "/metrics") == "/metrics"


def test_terminationGrace_exceedsDrainDelayPlusTimeout(config, pod):
    server = config["server"]
    drain = seconds(server.get("drain_timeout", "30s")) + seconds(server.get("drain_delay", "0s"))
    assert seconds(server["drain_delay"]) > 0, "drain_delay covers endpoint removal (no preStop hook)"
    assert pod["spec"]["terminationGracePeriodSeconds"] > drain


def test_securityContext_isNonRootReadOnlyWithoutCapabilities(pod, container):
    merged = {**pod["spec"].get("securityContext", {}), **container["securityContext"]}
    assert merged["runAsNonRoot"] is True
    assert merged["runAsUser"] == RUNTIME_UID
    sc = container["securityContext"]
    assert sc["readOnlyRootFilesystem"] is True
    assert sc["allowPrivilegeEscalation"] is False
    assert sc["capabilities"]["drop"] == ["ALL"]
    assert "add" not in sc["capabilities"]


def test_resources_haveRequestsAndLimits_andWorkersFitTheCpuLimit(config, container):
    res = container["resources"]
    for kind in ("requests", "limits"):
        assert {"cpu", "memory"} <= res[kind].keys(), f"resources.{kind} needs cpu and memory"
    cpu_limit = str(res["limits"]["cpu"])
    cores = int(cpu_limit[:-1]) / 1000 if cpu_limit.endswith("m") else float(cpu_limit)
    workers = config["server"].get("workers", 0)
    # workers: 0 counts the node's CPUs, not the container's quota.
    assert 0 < workers <= max(1, cores), f"server.workers {workers} vs limits.cpu {cpu_limit}"


def test_configMount_holdsTheFileTheArgsName(manifests, pod, container):
    args = container.get("args", [])
    config_path = args[args.index("--config") + 1]
    env = {e["name"]: e.get("value") for e in container["env"]}
    assert env.get("SLUICE_CONFIG") == config_path
    mount = next(m for m in container["volumeMounts"] if config_path.startswith(m["mountPath"].rstrip("/") + "/"))
    assert "subPath" not in mount, "a subPath mount never sees ConfigMap updates"
    volume = next(v for v in pod["spec"]["volumes"] if v["name"] == mount["name"])
    assert volume["configMap"]["name"] == manifests["ConfigMap"]["metadata"]["name"]
    key = config_path[len(mount["mountPath"].rstrip("/")) + 1 :]
    assert key in manifests["ConfigMap"]["data"]


def test_everyConfigVariable_comesFromTheEnv_andTheExampleSecret(yaml, config_text, container):
    required = set(REQUIRED_VAR_RE.findall(config_text))
    assert {"OPENAI_API_KEY", "SLUICE_ADMIN_TOKEN", "TEAM_A_KEY"} <= required
    env = {e["name"]: e for e in container["env"]}
    assert required <= env.keys(), f"config variables missing from the Deployment's env: {required - env.keys()}"
    secret = load_one(yaml, K8S / "secret.example.yaml")
    for name in required:
        ref = env[name].get("valueFrom", {}).get("secretKeyRef")
        assert ref, f"{name} must come from a Secret, not a literal value"
        assert ref["name"] == secret["metadata"]["name"]
        assert ref["key"] in secret["stringData"], f"{ref['key']} missing from secret.example.yaml"


def test_configMap_hasTheProductionShape(config):
    backends = {b["name"]: b for b in config["backends"]}
    vllm = next(b for b in backends.values() if "vllm.inference.svc.cluster.local:8000" in b["endpoints"][0])
    assert vllm["endpoints"][0].startswith("http://") and "health_check" in vllm
    openai = next(b for b in backends.values() if b["endpoints"][0].startswith("https://api.openai.com"))
    assert openai["credentials"]["headers"]["Authorization"] == "Bearer ${OPENAI_API_KEY}"
    assert any(f["backend"] == openai["name"] for r in config["routes"] for f in r.get("fallbacks", []))
    types = [p["type"] for p in config["pipeline"]]
    assert types == ["guardrail", "model_router", "prompt_cache"]
    detectors = {d["type"] for d in config["pipeline"][0]["detectors"]}
    assert {"pii", "secrets", "prompt_injection"} <= detectors
    assert config["auth"]["mode"] == "api_key"
    assert all(k["value"].startswith("${") for k in config["auth"]["keys"]), "keys come from the env"
    assert any(r["key"] == ["tenant"] for r in config["rate_limits"])
    assert config["admin"]["token"] == "${SLUICE_ADMIN_TOKEN}"


def test_dockerfile_matchesTheDeployment(config, container):
    text = DOCKERFILE.read_text()
    froms = re.findall(r"^FROM\s+(\S+)", text, re.M)
    args = dict(re.findall(r"^ARG\s+(\w+)=(\S+)", text, re.M))
    images = [args.get(f[2:-1], f) if f.startswith("${") else f for f in froms]
    assert len(images) == 2, f"expected a build and a runtime stage, found {images}"
    assert re.fullmatch(r"swift:6\.\d+(\.\d+)?-bookworm", images[0])
    assert images[1] == "debian:bookworm-slim"
    assert "--static-swift-stdlib" in text
    runtime = text[text.rindex("\nFROM ") :]
    installs = re.search(r"apt-get -q install -y --no-install-recommends ([^\\&\n]+)", runtime).group(1).split()
    assert sorted(installs) == ["ca-certificates", "libssl3"]
    assert re.search(rf"^USER {RUNTIME_UID}(:{RUNTIME_UID})?$", runtime, re.M)
    exposed = {int(p) for line in re.findall(r"^EXPOSE (.+)$", runtime, re.M) for p in line.split()}
    assert exposed == {port_of(config["listen"]["address"]), port_of(config["admin"]["address"])}
    assert re.search(r'^ENTRYPOINT \["/usr/local/bin/sluice"\]$', runtime, re.M)
    assert re.search(r'^CMD \["--config", ?"/etc/sluice/sluice.yaml"\]$', runtime, re.M)
    assert re.search(r"^STOPSIGNAL SIGTERM$", runtime, re.M)
    assert "SLUICE_CONFIG=/etc/sluice/sluice.yaml" in runtime
    assert "COPY deploy/sluice.container.yaml /etc/sluice/sluice.yaml" in runtime
    assert container["args"] == ["--config", "/etc/sluice/sluice.yaml"]


# (c) the shipped configs pass `sluice --check` -----------------------------------------------------


def test_configMap_passesSluiceCheck_withItsSecretsSet(tmp_path, config_text):
    path = tmp_path / "sluice.yaml"
    path.write_text(config_text)
    dummies = {name: f"dummy-{name.lower()}" for name in REQUIRED_VAR_RE.findall(config_text)}
    result = run_check(path, dummies)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "warning" not in output, output
    assert "admin 0.0.0.0:9901 (token)" in result.stdout
    assert "auth api_key (2 keys)" in result.stdout
    assert "input-guard (guardrail) -> router (model_router) -> cache (prompt_cache)" in result.stdout
    for secret in dummies.values():
        assert secret not in output, "--check must not print secrets"


def test_configMap_failsSluiceCheck_whenASecretIsMissing(tmp_path, config_text):
    path = tmp_path / "sluice.yaml"
    path.write_text(config_text)
    names = set(REQUIRED_VAR_RE.findall(config_text))
    dummies = {name: "x" for name in names - {"TEAM_A_KEY"}}
    result = run_check(path, dummies, drop=("TEAM_A_KEY",))
    assert result.returncode == 1
    assert re.search(r"sluice\.yaml:\d+:\d+: .*TEAM_A_KEY", result.stdout + result.stderr)


def test_containerConfig_passesSluiceCheck_withDefaults():
    result = run_check(CONTAINER_CONFIG, {}, drop=("SLUICE_ADMIN_TOKEN", "SLUICE_BACKEND_URL", "SLUICE_ROUTE_MODELS",
                                                   "SLUICE_LOG_LEVEL", "SLUICE_TENANT_HEADER"))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "listeners: data 0.0.0.0:8080, admin 0.0.0.0:9901" in result.stdout
    # No token by default: --check says so (SPEC §6).
    assert "not loopback and no admin.token" in result.stdout + result.stderr


def test_containerConfig_readsBackendRouteAndTokenFromTheEnv():
    result = run_check(CONTAINER_CONFIG, {
        "SLUICE_ADMIN_TOKEN": "t0ken", "SLUICE_BACKEND_URL": "https://llm.example.com:8443",
        "SLUICE_ROUTE_MODELS": "llama-*", "SLUICE_LOG_LEVEL": "debug",
    })
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "admin 0.0.0.0:9901 (token)" in result.stdout
    assert "[llama-*] -> upstream" in result.stdout
    assert "https://llm.example.com:8443" in result.stdout
    assert "warning" not in output


# (d) the release binary carries its Swift runtime --------------------------------------------------

# Shared libraries the runtime image (debian:bookworm-slim + libssl3) provides.
ALLOWED_SHARED = re.compile(
    r"^(linux-vdso|ld-linux[-\w.]*|libc|libm|libdl|libpthread|librt|libstdc\+\+|libgcc_s|libssl|libcrypto|libz)\.so"
)
SWIFT_RUNTIME = re.compile(r"libswift|libFoundation|lib_Foundation|libdispatch|libBlocksRuntime|libicu", re.I)


@pytest.mark.skipif(os.environ.get("SLUICE_STATIC_CHECK") != "1",
                    reason="static release build takes minutes; set SLUICE_STATIC_CHECK=1 (CI does)")
def test_staticRelease_linksNoSwiftRuntimeLibrary():
    swift = os.environ.get("SWIFT", "swift")
    ldd = shutil.which("ldd")
    assert ldd, "ldd not found"
    scratch = REPO / ".build-static"
    build = ["build", "-c", "release", "--static-swift-stdlib", "--product", "sluice", "--scratch-path", str(scratch)]
    result = subprocess.run([swift, *build], cwd=REPO, capture_output=True, text=True, timeout=3600)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    bin_path = subprocess.run([swift, *build, "--show-bin-path"], cwd=REPO, capture_output=True, text=True,
                              timeout=120, check=True).stdout.strip()
    binary = Path(bin_path) / "sluice"

    linked = subprocess.run([ldd, str(binary)], capture_output=True, text=True, timeout=60)
    assert linked.returncode == 0, linked.stderr
    libs = [line.split()[0] for line in linked.stdout.splitlines() if line.strip()]
    assert not [lib for lib in libs if SWIFT_RUNTIME.search(lib)], linked.stdout
    assert not [lib for lib in libs if not ALLOWED_SHARED.match(Path(lib).name)], linked.stdout
    assert any(lib.startswith("libssl.so") for lib in libs), "OpenSSL comes from the system"

    version = subprocess.run([str(binary), "--version"], capture_output=True, text=True, timeout=30)
    assert version.returncode == 0 and version.stdout.startswith("sluice "), version.stdout + version.stderr
