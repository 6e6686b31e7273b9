"""The HTTP API on a live 127.0.0.1 server: plain JSON, LibreTranslate's protocol (with the real
``libretranslatepy`` client), errors and their statuses, API keys and rate limits."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path
from urllib.error import HTTPError

import pytest

pytest.importorskip("gradio")
httpx = pytest.importorskip("httpx")

from tests.ui.fixtures import ENGLISH, SHORT, live_server, tiny_config  # noqa: E402
from translate import Translator  # noqa: E402

SENTENCE = "قال الوزير إن الحكومة ستواصل العمل."
KEY, SLOW_KEY = "k3y-newsroom-desk", "k3y-limited-desk"


@pytest.fixture(scope="module")
def keyed(tiny_marian: Path):
    config = tiny_config(tiny_marian, api_keys={KEY: None, SLOW_KEY: 2}, rate_limit=100)
    with live_server(config) as (url, _):
        yield url


def post(url: str, path: str, **kwargs) -> httpx.Response:
    return httpx.post(url + path.lstrip("/"), timeout=120, **kwargs)


# -- plain JSON ------------------------------------------------------------------------------
def test_translate_returns_the_cli_json(url: str, tiny_marian: Path) -> None:
    reply = post(url, "/api/v1/translate", json={"text": SHORT})
    assert reply.status_code == 200
    data = reply.json()
    assert set(data) == {"text", "segments", "meta", "warnings", "flags"}
    assert all("confidence" in s and "weak" in s for s in data["segments"])
    assert data["text"].strip() and len(data["segments"]) >= 2
    first = data["segments"][0]
    assert SHORT[first["start"] : first["end"]] == first["source"]
    assert data["meta"]["model"] == tiny_marian.name and data["meta"]["backend"] == "transformers"
    assert str(tiny_marian) not in reply.text


def test_summarize_takes_text_or_a_list(url: str) -> None:
    as_text = post(url, "/api/v1/summarize", json={"text": ENGLISH, "method": "extractive"})
    sentences = ENGLISH.splitlines()
    as_list = post(url, "/api/v1/summarize", json={"text": sentences, "length": 2})
    assert as_text.status_code == as_list.status_code == 200
    assert set(as_text.json()) == {"text", "sentences", "meta", "flags"}
    picked = as_list.json()["sentences"]
    assert len(picked) == 2 and all(sentences[s["sources"][0]] == s["text"] for s in picked)


def test_digest(url: str) -> None:
    data = post(url, "/api/v1/digest", json={"text": SHORT, "length": "short"}).json()
    assert set(data) == {"source", "translation", "summary"} and data["source"] == SHORT
    count = len(data["translation"]["segments"])
    assert all(0 <= i < count for s in data["summary"]["sentences"] for i in s["sources"])


def test_models_and_openapi(url: str, tiny_marian: Path) -> None:
    models = httpx.get(url + "api/v1/models").json()
    assert models["translation"][0] == {"name": tiny_marian.name, "state": "ready", "default": True}
    assert (
        models["summarization"]["state"] == "missing" and models["summary_method"] == "extractive"
    )
    spec = httpx.get(url + "openapi.json").json()
    assert {"/api/v1/translate", "/api/v1/summarize", "/api/v1/digest", "/translate"} <= set(
        spec["paths"]
    )
    page = httpx.get(url + "docs")  # Swagger UI from the server's own files, no CDN
    assert page.status_code == 200 and "cdn." not in page.text
    scripts = [s for s in page.text.split('"') if s.startswith("/api-docs-static/")]
    assert scripts and all(httpx.get(url + s[1:]).status_code == 200 for s in scripts)


@pytest.mark.parametrize(
    ("path", "body", "status", "code", "message"),
    [
        ("/api/v1/translate", {"text": ""}, 400, "bad_input", "The input is empty."),
        ("/api/v1/translate", {"text": "Hello there."}, 400, "bad_input", "no Arabic letters"),
        ("/api/v1/translate", {"text": SHORT, "model": "nope"}, 400, "bad_option", "Unknown"),
        ("/api/v1/translate", {"txt": SHORT}, 400, "bad_request", "text: Field required"),
        # a misspelt option is refused by name, never silently lost
        ("/api/v1/translate", {"text": SHORT, "glosary": {}}, 400, "bad_request", "field glosary"),
        ("/api/v1/digest", {"text": SHORT, "lenght": 3}, 400, "bad_request", "field lenght"),
        ("/api/v1/summarize", {"text": "A.", "a": 1, "b": 2}, 400, "bad_request", "fields a, b"),
        ("/api/v1/translate", {"text": "كلمة " * 1000}, 413, "too_large", "up to 4,000"),
        ("/api/v1/summarize", {"text": ["A short sentence."] * 300}, 413, "too_large", "4,000"),
        ("/api/v1/summarize", {"text": [1, 2]}, 400, "bad_request", "text"),
        ("/api/v1/summarize", {"text": ENGLISH, "length": 0}, 400, "bad_request", "length"),
        ("/api/v1/digest", {"text": SHORT, "method": "poetic"}, 400, "bad_request", "method"),
        (
            "/api/v1/translate",
            {"text": SHORT, "model": "opus-mt-ar-en"},
            503,
            "model_unavailable",
            "opus-mt-ar-en is not available",
        ),
    ],
)
def test_errors_are_json_with_the_right_status(url, path, body, status, code, message) -> None:
    reply = post(url, path, json=body)
    assert reply.status_code == status, reply.text
    data = reply.json()
    assert data["code"] == code and message in data["error"]
    assert "Traceback" not in reply.text and "/tmp/" not in reply.text


def test_a_body_over_the_cap_is_refused_before_it_is_read(url: str) -> None:
    # 18 MiB as sent (JSON escapes): read and thrown away, so the 413 reaches the client
    # instead of a reset connection.
    big = json.dumps({"text": "ا" * (3 * 1024 * 1024)})
    reply = post(
        url, "/api/v1/translate", content=big, headers={"content-type": "application/json"}
    )
    assert reply.status_code == 413 and "larger than this server accepts" in reply.json()["error"]

    def chunks():  # no Content-Length: counted as it streams
        yield b'{"text": "'
        for _ in range(40):
            yield "ا".encode() * 50_000
        yield b'"}'

    reply = post(
        url, "/api/v1/translate", content=chunks(), headers={"content-type": "application/json"}
    )
    assert reply.status_code == 413


def test_queue_full_is_429(tiny_marian: Path) -> None:
    config = tiny_config(tiny_marian, max_queue=1)
    gate = threading.Event()
    original = Translator.run

    def held(self, pieces, progress=None):  # noqa: ANN001 - the Translator's own signature
        gate.wait(60)
        return original(self, pieces, progress)

    with live_server(config) as (url, _):
        Translator.run = held  # type: ignore[method-assign]
        try:
            first = threading.Thread(
                target=post, args=(url, "/api/v1/translate"), kwargs={"json": {"text": SENTENCE}}
            )
            first.start()
            time.sleep(1.0)
            reply = post(url, "/api/v1/translate", json={"text": SENTENCE})
            assert reply.status_code == 429 and reply.json()["code"] == "busy"
        finally:
            gate.set()
            Translator.run = original  # type: ignore[method-assign]
            first.join(timeout=60)


def test_cors_for_the_api_only(url: str) -> None:
    preflight = httpx.options(url + "translate", headers={"Origin": "https://cms.example"})
    assert preflight.status_code == 204
    assert preflight.headers["access-control-allow-origin"] == "*"
    reply = post(url, "/api/v1/translate", json={"text": SENTENCE})
    assert reply.headers["access-control-allow-origin"] == "*"
    page = httpx.get(url + "config", headers={"Origin": "https://evil.example"})
    assert page.headers.get("access-control-allow-origin") != "*"


# -- LibreTranslate ----------------------------------------------------------------------------
def test_the_libretranslate_client_works_unchanged(url: str) -> None:
    from libretranslatepy import LibreTranslateAPI

    client = LibreTranslateAPI(url)
    english = client.translate(SENTENCE, "ar", "en")
    assert isinstance(english, str) and english.strip()
    assert client.translate(SENTENCE, "auto", "en") == english
    assert client.detect(SENTENCE)[0]["language"] == "ar"
    assert client.detect("The minister said so.")[0]["language"] == "en"
    codes = {lang["code"]: lang["targets"] for lang in client.languages()}
    assert codes["ar"] == ["en"]
    with pytest.raises(HTTPError) as info:
        client.translate(SENTENCE, "ar", "fr")
    assert info.value.code == 400
    assert json.loads(info.value.read())["error"] == "fr is not supported"


def test_many_unknown_fields_give_a_short_answer(url: str) -> None:
    body = {"text": SHORT, **{f"field{i}": i for i in range(5000)}}
    reply = post(url, "/api/v1/translate", json=body)
    assert reply.status_code == 400 and "field0, field1" in reply.json()["error"]
    assert "and 4990 more" in reply.json()["error"] and len(reply.text) < 1000


def test_libretranslate_stays_lenient_about_unknown_fields(url: str) -> None:
    reply = post(url, "/translate", json={"q": SENTENCE, "source": "ar", "target": "en", "x": 1})
    assert reply.status_code == 200 and reply.json()["translatedText"]


def test_libretranslate_json_lists_html_and_auto(url: str) -> None:
    items = [SENTENCE, "2024", "", SHORT]
    data = post(url, "/translate", json={"q": items, "source": "auto", "target": "en"}).json()
    assert len(data["translatedText"]) == 4
    assert data["translatedText"][1:3] == ["2024", ""]  # nothing Arabic: as written
    assert data["translatedText"][0].strip() and data["translatedText"][3].strip()
    assert [d["language"] for d in data["detectedLanguage"]] == ["ar", "en", "en", "ar"]
    html = (
        '<p class="lead">قال الوزير <b>إن الحكومة</b> ستواصل.</p><script>var a = "عربي";</script>'
    )
    out = post(
        url, "/translate", data={"q": html, "source": "ar", "target": "en", "format": "html"}
    ).json()["translatedText"]
    assert out.startswith('<p class="lead">') and "<b>" in out and "</b>" in out
    assert '<script>var a = "عربي";</script>' in out
    assert "قال" not in out.split("<script>")[0]


@pytest.mark.parametrize(
    ("fields", "status", "error"),
    [
        ({"source": "ar", "target": "en"}, 400, "Invalid request: missing q parameter"),
        ({"q": SENTENCE, "target": "en"}, 400, "Invalid request: missing source parameter"),
        ({"q": SENTENCE, "source": "fr", "target": "en"}, 400, "fr is not supported"),
        ({"q": SENTENCE, "source": "en", "target": "en"}, 400, "en is not supported as a source"),
        (
            {"q": SENTENCE, "source": "ar", "target": "en", "format": "xml"},
            400,
            "xml format is not supported",
        ),
        ({"q": "Hello", "source": "ar", "target": "en"}, 400, "no Arabic letters"),
        ({"q": "كلمة " * 1000, "source": "ar", "target": "en"}, 413, "up to 4,000"),
    ],
)
def test_libretranslate_errors(url: str, fields: dict, status: int, error: str) -> None:
    reply = post(url, "/translate", data=fields)
    assert reply.status_code == status
    assert set(reply.json()) == {"error"} and error in reply.json()["error"]


def test_libretranslate_settings_and_bad_json(url: str) -> None:
    settings = httpx.get(url + "frontend/settings").json()
    assert settings["charLimit"] == 4000 and settings["keyRequired"] is False
    reply = post(url, "/translate", content=b"[1, 2", headers={"content-type": "application/json"})
    assert reply.status_code == 400 and reply.json() == {"error": "Invalid JSON format"}


# -- keys and rate limits ----------------------------------------------------------------------
def test_keys_are_required_when_configured(keyed: str) -> None:
    from libretranslatepy import LibreTranslateAPI

    missing = post(keyed, "/api/v1/translate", json={"text": SENTENCE})
    assert missing.status_code == 401 and missing.json()["code"] == "key_missing"
    wrong = post(
        keyed,
        "/api/v1/translate",
        json={"text": SENTENCE},
        headers={"Authorization": "Bearer k3y-not-known"},
    )
    assert wrong.status_code == 403 and wrong.json()["error"] == "Invalid API key"
    for headers in ({"Authorization": f"Bearer {KEY}"}, {"X-API-Key": KEY}):
        assert (
            post(keyed, "/api/v1/translate", json={"text": SENTENCE}, headers=headers).status_code
            == 200
        )
    assert post(keyed, "/api/v1/translate", json={"text": SENTENCE, "api_key": KEY}).is_success
    lt_missing = post(keyed, "/translate", data={"q": SENTENCE, "source": "ar", "target": "en"})
    assert lt_missing.status_code == 400  # as LibreTranslate answers a missing key
    with pytest.raises(HTTPError) as info:
        LibreTranslateAPI(keyed, api_key="k3y-not-known").translate(SENTENCE, "ar", "en")
    assert info.value.code == 403
    assert LibreTranslateAPI(keyed, api_key=KEY).translate(SENTENCE, "ar", "en").strip()
    assert httpx.get(keyed + "languages").status_code == 200  # no key needed, as in LT
    # With keys, gradio's own (unkeyed) named endpoints are off.
    info_api = httpx.get(keyed + "gradio_api/info").json()
    assert not info_api.get("named_endpoints")


def test_each_key_has_its_rate_limit(keyed: str) -> None:
    body = {"q": SENTENCE, "source": "ar", "target": "en", "api_key": SLOW_KEY}
    assert [post(keyed, "/translate", data=body).status_code for _ in range(2)] == [200, 200]
    limited = post(keyed, "/translate", data=body)
    assert limited.status_code == 429
    assert limited.json() == {"error": "Slowdown: 2 per 1 minute"}
    assert int(limited.headers["retry-after"]) >= 1
    v1 = post(keyed, "/api/v1/translate", json={"text": SENTENCE}, headers={"X-API-Key": SLOW_KEY})
    assert v1.status_code == 429 and v1.json()["code"] == "rate_limited"
    assert post(keyed, "/translate", data={**body, "api_key": KEY}).status_code == 200


def test_libretranslate_answers_compute_no_weak_words(
    url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """LibreTranslate's answer holds only the English: its sentences run without weak words
    (no scoring pass on CTranslate2's beam search); /api/v1 answers keep them."""
    seen: list[bool] = []
    real = Translator.run

    def run(self, pieces, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003, ANN202
        seen.append(self.weak_words)
        return real(self, pieces, *args, **kwargs)

    monkeypatch.setattr(Translator, "run", run)
    text = "قال الوزير إن الحكومة ستواصل العمل في حلب."
    reply = post(url, "/translate", json={"q": text, "source": "ar", "target": "en"})
    assert reply.status_code == 200 and reply.json()["translatedText"]
    assert seen == [False]
    seen.clear()
    data = post(url, "/api/v1/translate", json={"text": text}).json()
    assert seen == [True] and all(isinstance(s["weak"], list) for s in data["segments"])
