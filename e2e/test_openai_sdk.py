"""The official `openai` Python SDK (3.x) against sluice in front of sluice-mock.

What is asserted comes from SPEC §3 (data plane) and §9 (the mock's deterministic answers):
prompt_tokens = ceil(UTF-8 bytes of the prompt text / 4), completion_tokens = max_tokens, and the
reply text is that many words.
"""

from __future__ import annotations

import base64
import math
import struct

import httpx
import openai
import pytest

# One message only, so "the prompt text" is unambiguous; non-ASCII so bytes != characters,
# and a byte length that is not a multiple of 4 so the rounding is exercised.
PROMPT = "Grüß dich, Sluice! Wie geht's?"
PROMPT_TOKENS = math.ceil(len(PROMPT.encode("utf-8")) / 4)
MESSAGES = [{"role": "user", "content": PROMPT}]


def words(text: str | None) -> list[str]:
    assert text is not None
    return text.split()


# --- chat completions -------------------------------------------------------------------------


def test_chat_nonStream_returnsMaxTokensWordsAndUsage(client):
    completion = client.chat.completions.create(model="llama-3.1-8b", messages=MESSAGES, max_tokens=7)

    assert completion.object == "chat.completion"
    assert len(completion.choices) == 1
    assert completion.choices[0].message.role == "assistant"
    assert len(words(completion.choices[0].message.content)) == 7
    assert completion.usage is not None
    assert completion.usage.prompt_tokens == PROMPT_TOKENS
    assert completion.usage.completion_tokens == 7
    assert completion.usage.total_tokens == PROMPT_TOKENS + 7


def test_chat_globRoute_isServed(client):
    completion = client.chat.completions.create(model="llama-3-70b-anything", messages=MESSAGES, max_tokens=2)
    assert len(words(completion.choices[0].message.content)) == 2


def test_chat_stream_chunksConcatenateToTheReply_withoutUsageChunk(client):
    reference = client.chat.completions.create(model="llama-3.1-8b", messages=MESSAGES, max_tokens=9)

    stream = client.chat.completions.create(model="llama-3.1-8b", messages=MESSAGES, max_tokens=9, stream=True)
    chunks = list(stream)

    assert len(chunks) >= 9, "expected at least one chunk per word"
    for chunk in chunks:
        assert chunk.object == "chat.completion.chunk"
        # The gateway asked upstream for usage itself; the usage-only chunk must not leak.
        assert chunk.usage is None
        assert chunk.choices, "a chunk with empty choices (usage-only) reached the client"
    text = "".join(c.choices[0].delta.content or "" for c in chunks)
    assert len(words(text)) == 9
    assert words(text) == words(reference.choices[0].message.content)
    assert chunks[-1].choices[0].finish_reason is not None


def test_chat_stream_withIncludeUsage_endsWithUsage(client):
    stream = client.chat.completions.create(
        model="llama-3.1-8b",
        messages=MESSAGES,
        max_tokens=5,
        stream=True,
        stream_options={"include_usage": True},
    )
    chunks = list(stream)

    usage_chunks = [c for c in chunks if c.usage is not None]
    assert len(usage_chunks) == 1
    assert usage_chunks[0] is chunks[-1]
    assert chunks[-1].choices == []
    assert chunks[-1].usage.prompt_tokens == PROMPT_TOKENS
    assert chunks[-1].usage.completion_tokens == 5
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert len(words(text)) == 5


def test_chat_stream_cutMidStream_raisesInTheSdk(client):
    received: list[str] = []
    with pytest.raises(openai.APIError) as excinfo:
        stream = client.chat.completions.create(
            model="llama-3.1-8b",
            messages=MESSAGES,
            max_tokens=32,
            stream=True,
            extra_headers={"x-mock-drop-after-chunks": "3"},
        )
        for chunk in stream:
            if chunk.choices:
                received.append(chunk.choices[0].delta.content or "")
    # The gateway's in-band error event (SPEC §3) arrives before the close.
    assert excinfo.value.code == "stream_interrupted"
    assert len(words("".join(received))) < 32


def test_chat_stream_cutMidStream_closesWithoutTerminatingChunk(gateway, http):
    body = {"model": "llama-3.1-8b", "messages": MESSAGES, "max_tokens": 32, "stream": True}
    lines: list[str] = []
    with pytest.raises(httpx.RemoteProtocolError):
        with http.stream(
            "POST",
            f"{gateway.base_url}/v1/chat/completions",
            json=body,
            headers={"x-mock-drop-after-chunks": "3"},
        ) as response:
            assert response.status_code == 200
            for line in response.iter_lines():
                lines.append(line)
    data = [line for line in lines if line.startswith("data:")]
    assert data, "no event arrived before the cut"
    assert "stream_interrupted" in data[-1]
    assert "[DONE]" not in "\n".join(lines)


# --- other endpoints ----------------------------------------------------------------------------


def test_completions_returnsMaxTokensWords(client):
    completion = client.completions.create(model="gpt-4o-mini", prompt=PROMPT, max_tokens=4)

    assert len(completion.choices) == 1
    assert len(words(completion.choices[0].text)) == 4
    assert completion.usage is not None
    assert completion.usage.prompt_tokens == PROMPT_TOKENS
    assert completion.usage.completion_tokens == 4


def test_embeddings_sdkDefaultBase64_decodesToFloats(client):
    result = client.embeddings.create(model="text-embedding-3-small", input=PROMPT)

    assert len(result.data) == 1
    vector = result.data[0].embedding
    assert len(vector) > 0
    assert all(isinstance(x, float) and math.isfinite(x) for x in vector)


def test_embeddings_base64AndFloat_carryTheSameVector(gateway, http):
    # The SDK asks for base64 by default: the gateway must pass the body through untouched.
    url = f"{gateway.base_url}/v1/embeddings"
    as_b64 = http.post(url, json={"model": "text-embedding-3-small", "input": PROMPT, "encoding_format": "base64"})
    as_float = http.post(url, json={"model": "text-embedding-3-small", "input": PROMPT, "encoding_format": "float"})
    assert as_b64.status_code == 200 and as_float.status_code == 200

    raw = base64.b64decode(as_b64.json()["data"][0]["embedding"])
    assert len(raw) % 4 == 0
    decoded = list(struct.unpack(f"<{len(raw) // 4}f", raw))
    floats = as_float.json()["data"][0]["embedding"]
    assert len(decoded) == len(floats)
    assert decoded == pytest.approx(floats, rel=1e-6, abs=1e-6)


def test_models_list_returnsExactRouteModelNames(client, route_models):
    ids = [m.id for m in client.models.list()]

    assert sorted(ids) == sorted(route_models)
    assert not any("*" in i for i in ids), "globs are not model names"


# --- errors and headers -------------------------------------------------------------------------


def test_unknownModel_raisesNotFoundWithModelNotFound(client):
    with pytest.raises(openai.NotFoundError) as excinfo:
        client.chat.completions.create(model="no-such-model", messages=MESSAGES, max_tokens=3)

    err = excinfo.value
    assert err.status_code == 404
    assert err.code == "model_not_found"
    assert err.type == "invalid_request_error"


def test_rawResponse_exposesGatewayHeaders(client):
    raw = client.chat.completions.with_raw_response.create(model="llama-3.1-8b", messages=MESSAGES, max_tokens=3)

    assert raw.status_code == 200
    request_id = raw.headers.get("x-request-id")
    assert request_id
    assert raw.headers.get("x-sluice-route") == "llama"
    assert raw.headers.get("x-sluice-backend") == "mock"
    completion = raw.parse()
    assert completion._request_id == request_id
    assert len(words(completion.choices[0].message.content)) == 3


def test_rawResponse_routeHeaderNamesTheMatchedRoute(client):
    raw = client.embeddings.with_raw_response.create(model="text-embedding-3-small", input="hi")
    assert raw.headers.get("x-sluice-route") == "embeddings"
    raw = client.completions.with_raw_response.create(model="gpt-4o", prompt="hi", max_tokens=1)
    assert raw.headers.get("x-sluice-route") == "gpt"


def test_clientRequestId_isKept(client):
    raw = client.chat.completions.with_raw_response.create(
        model="llama-3.1-8b",
        messages=MESSAGES,
        max_tokens=1,
        extra_headers={"x-request-id": "e2e-req.42_A"},
    )
    assert raw.headers.get("x-request-id") == "e2e-req.42_A"


def test_invalidClientRequestId_isReplaced(client):
    raw = client.chat.completions.with_raw_response.create(
        model="llama-3.1-8b",
        messages=MESSAGES,
        max_tokens=1,
        extra_headers={"x-request-id": "bad id with spaces"},
    )
    request_id = raw.headers.get("x-request-id")
    assert request_id and request_id != "bad id with spaces"


def test_serverTiming_isReported(client):
    raw = client.chat.completions.with_raw_response.create(model="gpt-4o-mini", messages=MESSAGES, max_tokens=1)
    timing = raw.headers.get("server-timing", "")
    assert "gateway;dur=" in timing
    assert "upstream;dur=" in timing
