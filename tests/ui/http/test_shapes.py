"""Errors in the documented shape (issue 19, point 6): bodies the server cannot parse, text
that is not valid Unicode, busy answers, HTML markup kept as written."""

from __future__ import annotations

import json

import pytest

pytest.importorskip("gradio")
httpx = pytest.importorskip("httpx")

from translate.errors import ServerBusyError  # noqa: E402

SENTENCE = "قال الوزير إن الحكومة ستواصل العمل."
LT = {"source": "ar", "target": "en"}


def _post_json(url: str, route: str, data: object = None, raw: bytes | None = None):
    body = raw if raw is not None else json.dumps(data).encode("ascii")  # \ud800 as an escape
    return httpx.post(
        url + route.lstrip("/"), content=body, headers={"content-type": "application/json"},
        timeout=60,
    )  # fmt: skip


def _documented(reply: httpx.Response, status: int, code: str) -> None:
    assert reply.status_code == status, reply.text
    assert reply.headers["content-type"].startswith("application/json")
    body = reply.json()
    assert set(body) == {"error", "hint", "code"} and body["code"] == code, body


def _lt(reply: httpx.Response, status: int = 400) -> str:
    assert reply.status_code == status, reply.text
    assert set(reply.json()) == {"error"}, reply.text
    return reply.json()["error"]


def test_a_lone_surrogate_is_a_bad_request(url: str) -> None:
    # Before: 500 in plain text (the item came back as written and could not be encoded).
    assert "Unicode" in _lt(_post_json(url, "/translate", {"q": [SENTENCE, "\ud800"], **LT}))
    assert "Unicode" in _lt(_post_json(url, "/detect", {"q": ["\ud800"]}))
    reply = _post_json(url, "/api/v1/translate", {"text": SENTENCE + "\ud800"})
    _documented(reply, 400, "bad_input")


def test_json_nested_100k_deep_is_a_bad_request(url: str) -> None:
    # Before: 500 in plain text on /translate, {"detail": …} on /api/v1.
    deep = b"[" * 100_000 + b"]" * 100_000
    assert _lt(_post_json(url, "/translate", raw=b'{"q": ' + deep + b"}")) == "Invalid JSON format"
    _lt(_post_json(url, "/detect", raw=b'{"q": ' + deep + b"}"))
    _documented(_post_json(url, "/api/v1/translate", raw=b'{"text": ' + deep + b"}"), 400,
                "bad_request")  # fmt: skip


def test_multipart_over_1000_fields_is_a_bad_request(url: str) -> None:
    # Before: {"detail": …} instead of the documented shape.
    fields = "&".join(f"f{i}=x" for i in range(1_001))
    parts = b"".join(
        b'--b\r\nContent-Disposition: form-data; name="f%d"\r\n\r\nx\r\n' % i for i in range(1_001)
    )
    body = parts + b"--b--\r\n"
    form = {"content-type": "multipart/form-data; boundary=b"}
    reply = httpx.post(url + "translate", content=body, headers=form)
    assert "Invalid request" in _lt(reply)
    reply = httpx.post(url + "api/v1/translate", content=body, headers=form)
    assert reply.status_code in (400, 422) and set(reply.json()) == {"error", "hint", "code"}
    reply = httpx.post(
        url + "translate", content=fields.encode(),
        headers={"content-type": "application/x-www-form-urlencoded"},
    )  # fmt: skip
    assert "Invalid request" in _lt(reply)


def test_busy_answers_say_when_to_come_back(server, monkeypatch: pytest.MonkeyPatch) -> None:
    # Before: 18-19 of 50 concurrent short requests got 429 without Retry-After.
    url, app = server

    def busy(*args: object, **kwargs: object) -> None:
        raise ServerBusyError("The queue is full.")

    monkeypatch.setattr(app.state.workbench, "translate", busy)
    monkeypatch.setattr(app.state.workbench, "translate_many", busy)
    reply = httpx.post(url + "api/v1/translate", json={"text": SENTENCE})
    _documented(reply, 429, "busy")
    assert int(reply.headers["retry-after"]) >= 1
    reply = httpx.post(url + "translate", json={"q": SENTENCE, **LT})
    assert reply.status_code == 429 and int(reply.headers["retry-after"]) >= 1


def test_html_keeps_cdata_as_written(url: str) -> None:
    # Before: "]]>" came back as "]>".
    page = f"<p>{SENTENCE}</p><![CDATA[x < y]]><![if !IE]><b>z</b><![endif]>"
    out = httpx.post(url + "translate", json={"q": page, "format": "html", **LT}).json()
    assert out["translatedText"].endswith("<![CDATA[x < y]]><![if !IE]><b>z</b><![endif]>")
