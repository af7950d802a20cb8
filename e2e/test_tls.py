"""The official `openai` SDK over https: sluice with `listen.tls` (SPEC §2) in front of sluice-mock.

The certificates are made here with the `openssl` binary (a CA and a server certificate for
localhost and 127.0.0.1); the SDK trusts the CA through its httpx client.
"""

from __future__ import annotations

import ssl
import subprocess
from pathlib import Path

import httpx
import openai
import pytest

from conftest import ManagedProcess, bin_dir, write_config

MESSAGES = [{"role": "user", "content": "Hello over TLS"}]


def make_certificates(directory: Path) -> tuple[Path, Path, Path]:
    """Returns (ca.crt, server.crt, server.key)."""
    (directory / "server.ext").write_text("subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n")
    ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
    steps = [
        ["req", "-x509", *ec, "-days", "2", "-subj", "/CN=Sluice e2e CA", "-keyout", "ca.key", "-out", "ca.crt"],
        ["req", *ec, "-subj", "/CN=localhost", "-keyout", "server.key", "-out", "server.csr"],
        ["x509", "-req", "-in", "server.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial", "-days", "2",
         "-extfile", "server.ext", "-out", "server.crt"],
    ]
    for args in steps:
        subprocess.run(["openssl", *args], cwd=directory, check=True, capture_output=True, timeout=60)
    return directory / "ca.crt", directory / "server.crt", directory / "server.key"


@pytest.fixture(scope="module")
def tls_gateway(mock_server, tmp_path_factory):
    """sluice with listen.tls; yields (https base URL, CA file)."""
    _, mock_port = mock_server
    directory = tmp_path_factory.mktemp("sluice-tls")
    ca, cert, key = make_certificates(directory)
    config = write_config(directory, mock_port)
    text = config.read_text().replace(
        "listen:\n  address: 127.0.0.1:0\n",
        f'listen:\n  address: 127.0.0.1:0\n  tls: {{cert_file: "{cert}", key_file: "{key}"}}\n',
    )
    assert "tls:" in text
    config.write_text(text)
    proc = ManagedProcess("sluice-tls", [str(bin_dir() / "sluice"), "--config", str(config)])
    try:
        port = proc.wait_for_ports(["data"])["data"]
        yield f"https://localhost:{port}", ca
    finally:
        proc.stop()


@pytest.fixture()
def tls_client(tls_gateway):
    base_url, ca = tls_gateway
    http_client = httpx.Client(verify=ssl.create_default_context(cafile=str(ca)), timeout=20.0)
    c = openai.OpenAI(base_url=f"{base_url}/v1", api_key="sk-test", max_retries=0, http_client=http_client)
    try:
        yield c
    finally:
        c.close()


def test_chat_overHTTPS_returnsTheCompletion(tls_client):
    completion = tls_client.chat.completions.create(model="gpt-4o-mini", messages=MESSAGES, max_tokens=5)
    assert completion.object == "chat.completion"
    assert len(completion.choices[0].message.content.split()) == 5
    assert completion.usage is not None and completion.usage.completion_tokens == 5


def test_chatStream_overHTTPS_deliversEveryWord(tls_client):
    stream = tls_client.chat.completions.create(model="gpt-4o-mini", messages=MESSAGES, max_tokens=12, stream=True)
    text = "".join(chunk.choices[0].delta.content or "" for chunk in stream if chunk.choices)
    assert len(text.split()) == 12


def test_models_overHTTPS_listsTheRoutes(tls_client):
    ids = {m.id for m in tls_client.models.list()}
    assert "gpt-4o-mini" in ids


def test_clientWithoutTheCA_refusesTheGateway(tls_gateway):
    base_url, _ = tls_gateway
    with openai.OpenAI(base_url=f"{base_url}/v1", api_key="sk-test", max_retries=0, timeout=10.0) as c:
        with pytest.raises(openai.APIConnectionError):
            c.chat.completions.create(model="gpt-4o-mini", messages=MESSAGES, max_tokens=1)
