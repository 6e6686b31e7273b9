"""One door for keys (issue 19, point 5): with ``--api-keys`` every route that can run a model
needs a key (gradio's queue, its named endpoints and uploads included) and counts against the
key's rate limit; ``X-API-Key`` and ``Authorization: Bearer`` work on every route; the page
opened with a key keeps working through its session cookie."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

pytest.importorskip("gradio")
httpx = pytest.importorskip("httpx")

from tests.ui.fixtures import live_server, tiny_config  # noqa: E402
from tests.ui.http.page_client import fn_index, run_event, upload  # noqa: E402
from ui.http.door import PAGE_COOKIE  # noqa: E402

NO_TERMS = {"headers": ["arabic", "english"], "data": [["", ""]]}  # empty list
SENTENCE = "قال الوزير إن الحكومة ستواصل العمل."
KEY = "key-one"
RUN = [SENTENCE, None, "extractive", "short", False, None, NO_TERMS]  # the page's 7 inputs


@pytest.fixture(scope="module")
def server(tiny_marian: Path):
    config = tiny_config(tiny_marian, api_keys={KEY: None, "key-two": 3}, rate_limit=100)
    with live_server(config) as (url, app):
        yield url, app


@pytest.fixture
def client(server):
    with httpx.Client(base_url=server[0], timeout=60) as c:
        fn_index(c, "run", headers={"X-API-Key": KEY})  # the page's config needs a key too
        yield c


def _post_json(client: httpx.Client, route: str, data: object) -> httpx.Response:
    """JSON as a client sends it, lone surrogates as \\u escapes (httpx would refuse them)."""
    body = json.dumps(data).encode("ascii")
    return client.post(route, content=body, headers={"content-type": "application/json"})


def _documented(reply: httpx.Response, status: int, code: str) -> dict:
    assert reply.status_code == status, reply.text
    body = reply.json()
    assert set(body) == {"error", "hint", "code"} and body["code"] == code, body
    return body


def test_gradio_queue_needs_a_key(client: httpx.Client) -> None:
    # Before: a keyless queue/join ran the translation.
    _documented(client.post("gradio_api/queue/join", json={}), 401, "key_missing")
    refused = run_event(client, "run", RUN)
    assert refused["status"] == 401 and refused["body"]["code"] == "key_missing"
    client.headers["X-API-Key"] = "wrong"
    assert run_event(client, "run", RUN)["status"] == 403
    client.headers["X-API-Key"] = KEY
    done = run_event(client, "run", RUN)
    assert done["msg"] == "process_completed" and done["success"], done
    del client.headers["X-API-Key"]
    client.headers["Authorization"] = f"Bearer {KEY}"
    assert run_event(client, "run", RUN)["msg"] == "process_completed"


def test_named_and_private_endpoints_are_not_open(client: httpx.Client) -> None:
    # Before: POST /gradio_api/call/run streamed a translation without a key, and
    # /gradio_api/call/translate (off with keys) was a plain 500.
    for name in ("run", "translate", "open_file"):
        reply = client.post(f"gradio_api/call/{name}", json={"data": [SENTENCE]})
        _documented(reply, 404, "not_found")
    _documented(upload(client, "a.txt", SENTENCE.encode()), 401, "key_missing")


def test_the_rate_limit_counts_gradio_runs(client: httpx.Client) -> None:
    # Before: 15 keyless queue/join runs in a row all passed a limit of 10.
    client.headers["X-API-Key"] = "key-two"  # 3 a minute
    statuses = [run_event(client, "run", RUN).get("status", 200) for _ in range(5)]
    assert statuses[:3] == [200, 200, 200] and statuses[3:] == [429, 429], statuses
    refused = client.post("gradio_api/queue/join", json={})
    _documented(refused, 429, "rate_limited")
    assert int(refused.headers["retry-after"]) >= 1


def test_the_page_opened_with_a_key_keeps_working(client: httpx.Client) -> None:
    page = client.get("/")
    assert page.status_code == 401 and "API key" in page.text and "<form" in page.text
    assert client.get("/", params={"api_key": "nope"}).status_code == 403
    opened = client.get("/", params={"api_key": KEY}, follow_redirects=False)
    assert opened.status_code == 303 and opened.headers["location"] == "/"
    assert "HttpOnly" in opened.headers["set-cookie"] and PAGE_COOKIE in client.cookies
    assert client.get("/").status_code == 200  # the page itself, through its cookie
    stored = upload(client, "a.txt", SENTENCE.encode())
    assert stored.status_code == 200
    file = {"path": stored.json()[0], "meta": {"_type": "gradio.FileData"}, "orig_name": "a.txt"}
    loaded = run_event(client, "open_file", [file])
    assert loaded["output"]["data"][0] == SENTENCE
    assert run_event(client, "run", RUN)["msg"] == "process_completed"
    client.cookies.clear()
    assert run_event(client, "run", RUN)["status"] == 401


@pytest.mark.parametrize("route", ["/translate", "/detect"])
def test_libretranslate_takes_the_readme_headers(client: httpx.Client, route: str) -> None:
    # Before: 400 "Please contact the operator…" with the key in a header.
    fields = {"q": SENTENCE, "source": "ar", "target": "en"}
    assert client.post(route, json=fields).status_code == 400  # LibreTranslate's missing key
    for headers in ({"X-API-Key": KEY}, {"Authorization": f"Bearer {KEY}"}):
        assert client.post(route, json=fields, headers=headers).status_code == 200
        assert client.post(route, data=fields, headers=headers).status_code == 200
    assert client.post(route, json=fields, headers={"X-API-Key": "bad"}).status_code == 403


@pytest.mark.parametrize("key", [[KEY], 7, True, {"k": KEY}, "a\ud800b"])
def test_keys_that_are_not_text_are_bad_requests(client: httpx.Client, key: object) -> None:
    # Before: 500 in plain text (AttributeError; UnicodeEncodeError for the lone surrogate).
    fields = {"q": SENTENCE, "source": "ar", "target": "en", "api_key": key}
    for route in ("/translate", "/detect"):
        reply = _post_json(client, route, fields)
        assert reply.status_code == 400 and set(reply.json()) == {"error"}, reply.text
        assert "api_key" in reply.json()["error"]
    reply = _post_json(client, "/api/v1/translate", {"text": SENTENCE, "api_key": key})
    _documented(reply, 400, "bad_input" if isinstance(key, str) else "bad_request")


def test_the_api_takes_both_headers(client: httpx.Client) -> None:
    body = {"text": SENTENCE}
    _documented(client.post("/api/v1/translate", json=body), 401, "key_missing")
    for headers in ({"X-API-Key": KEY}, {"Authorization": f"Bearer {KEY}"}):
        assert client.post("/api/v1/translate", json=body, headers=headers).status_code == 200
