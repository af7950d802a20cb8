"""The admin listener (SPEC §6) and the split between admin and data listeners."""

from __future__ import annotations

from prometheus_client.parser import text_string_to_metric_families


def test_healthz_isOk(gateway, http):
    r = http.get(f"{gateway.admin_url}/healthz")
    assert r.status_code == 200
    assert r.text.strip() == "ok"


def test_readyz_isReadyWhileServing(gateway, http):
    assert http.get(f"{gateway.admin_url}/readyz").status_code == 200


def test_metrics_parseAsPrometheusText_andCountRequests(gateway, http, client):
    client.chat.completions.create(
        model="llama-3.1-8b", messages=[{"role": "user", "content": "count me"}], max_tokens=1
    )
    r = http.get(f"{gateway.admin_url}/metrics")
    assert r.status_code == 200

    families = {f.name: f for f in text_string_to_metric_families(r.text)}
    # prometheus_client strips the _total suffix from counter family names.
    assert "sluice_requests" in families
    samples = [s for s in families["sluice_requests"].samples if s.name == "sluice_requests_total"]
    assert any(s.labels.get("route") == "llama" and s.value >= 1 for s in samples)


def test_config_isJsonWithGenerationAndDigest(gateway, http):
    r = http.get(f"{gateway.admin_url}/config")
    assert r.status_code == 200
    body = r.json()
    assert "generation" in body
    assert len(str(body["sha256"])) == 64


def test_dataListener_doesNotServeAdminPaths(gateway, http):
    assert http.get(f"{gateway.base_url}/healthz").status_code == 404


def test_adminListener_doesNotServeDataPaths(gateway, http):
    assert http.get(f"{gateway.admin_url}/v1/models").status_code == 404
