"""Nothing a client sends may stall the server (issue 19): each reproduction of the issue gets
a fast answer or a clear 4xx, while a short translation beside it answers within 5 s; and the
cost of each input path grows linearly with a hostile input (4x input, at most ~5x time)."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("gradio")
httpx = pytest.importorskip("httpx")

from tests.cost import assert_linear  # noqa: E402
from tests.documents_fixtures import serve  # noqa: E402
from tests.test_cost_documents import _inflating_docx  # noqa: E402
from tests.ui.fixtures import live_server, tiny_config  # noqa: E402
from tests.ui.http.page_client import run_event, upload  # noqa: E402

SENTENCE = "قال الوزير إن الحكومة ستواصل العمل."
SHORT_ANSWER_S = 5.0


@pytest.fixture(scope="module")
def server(tiny_marian: Path):
    config = tiny_config(tiny_marian, max_chars=20_000, allow_private_fetch=True)
    with live_server(config) as (url, app):
        app.state.workbench.files.fetch_timeout = 3.0  # the trickling link ends sooner
        yield url, app


def _trickle(handler: Any) -> None:
    """15 bytes every second, for a minute: each read is in time, the whole never is."""
    handler.send_response(200)
    handler.send_header("Content-Type", "text/html; charset=utf-8")
    handler.end_headers()
    for _ in range(60):
        try:
            handler.wfile.write(b"<p>" + "قال".encode() + b"......</p>"[:6])
            handler.wfile.flush()
        except OSError:
            return
        time.sleep(1.0)


def _open(client: httpx.Client, name: str, data: bytes) -> dict[str, Any]:
    stored = upload(client, name, data)
    if stored.status_code != 200:
        return {"status": stored.status_code}
    file = {"path": stored.json()[0], "meta": {"_type": "gradio.FileData"}, "orig_name": name}
    return run_event(client, "open_file", [file], timeout=120)


def _page_text(event: dict[str, Any]) -> str:
    """The error (or status) the page shows after an open_file or fetch_link event."""
    data = event["output"]["data"]
    return f"{data[5]} {data[6]}"  # error box, status box


def _beside(url: str, heavy: Callable[[], Any]) -> tuple[Any, float, float]:
    """Run ``heavy`` in a thread; meanwhile translate a short text again and again. Returns
    heavy's result, its seconds, and the slowest short answer's seconds."""
    box: dict[str, Any] = {}

    def work() -> None:
        start = time.monotonic()
        box["result"] = heavy()
        box["seconds"] = time.monotonic() - start

    thread = threading.Thread(target=work)
    thread.start()
    slowest = 0.0
    with httpx.Client(base_url=url, timeout=60) as client:
        while thread.is_alive() or slowest == 0.0:
            start = time.monotonic()
            reply = client.post("api/v1/translate", json={"text": SENTENCE})
            assert reply.status_code == 200, reply.text
            slowest = max(slowest, time.monotonic() - start)
            time.sleep(0.2)
    thread.join()
    return box["result"], box["seconds"], slowest


def test_a_20000_character_word(server) -> None:
    # Before: every other translation waited over 170 s; RSS up to 4.5 GB.
    url, _ = server

    def heavy() -> httpx.Response:
        return httpx.post(url + "api/v1/translate", json={"text": "ق" * 20_000}, timeout=300)

    reply, seconds, slowest = _beside(url, heavy)
    assert reply.status_code == 200 and reply.json()["text"], reply.text
    assert slowest < SHORT_ANSWER_S, (seconds, slowest)


def test_a_vtt_of_100000_angle_brackets(server) -> None:
    # Before: froze every request for 43 s (a quadratic cue-tag regex under the GIL).
    url, _ = server
    vtt = b"WEBVTT\n\n00:00.000 --> 00:01.000\n" + b"<" * 100_000 + b"\n"
    with httpx.Client(base_url=url, timeout=120) as client:
        event, seconds, slowest = _beside(url, lambda: _open(client, "cue.vtt", vtt))
    assert "characters" in _page_text(event) and "raise the limit" not in _page_text(event)
    assert seconds < 30 and slowest < SHORT_ANSWER_S, (seconds, slowest)


def test_a_docx_bomb(server) -> None:
    # Before: 14 s, 98.5 M characters sent to the browser, ~700 MB kept per upload.
    url, _ = server
    bomb = _inflating_docx(194_000_000)
    with httpx.Client(base_url=url, timeout=120) as client:
        event, seconds, slowest = _beside(url, lambda: _open(client, "bomb.docx", bomb))
    shown = _page_text(event)
    assert "Could not read bomb.docx" in shown and "Nothing loaded" in shown
    assert len(json.dumps(event)) < 20_000  # a message, not the document
    assert seconds < 30 and slowest < SHORT_ANSWER_S, (seconds, slowest)


def test_a_document_longer_than_the_page_takes_never_reaches_the_browser(server) -> None:
    url, _ = server
    long_text = ("\n\n".join([SENTENCE] * 1_000)).encode()  # 36,000 characters > 20,000
    with httpx.Client(base_url=url, timeout=120) as client:
        for name in ("long.txt", "long.html"):
            paragraphs = b"".join(b"<p>%s</p>" % SENTENCE.encode() for _ in range(1_000))
            page = b"<html><body><article>" + paragraphs + b"</article></body></html>"
            data = long_text if name.endswith(".txt") else page
            event = _open(client, name, data)
            assert "20,000" in _page_text(event), _page_text(event)
            assert event["output"]["data"][0] == {"__type__": "update"}  # the box is untouched


def test_a_trickling_link_ends_at_the_total_deadline(server) -> None:
    # Before: 500 s in the CLI; two such links held both page slots, a normal link got no
    # answer for over 110 s.
    url, _ = server
    with serve({"/trickle": _trickle}) as (base, _handler):
        with httpx.Client(base_url=url, timeout=120) as client:

            def two_slow_then_one_normal() -> list[tuple[dict[str, Any], float]]:
                results: list[Any] = [None, None]

                def slow(i: int) -> None:
                    start = time.monotonic()
                    results[i] = (run_event(client, "fetch_link", [f"{base}/trickle"]),
                                  time.monotonic() - start)  # fmt: skip

                threads = [threading.Thread(target=slow, args=(i,)) for i in range(2)]
                for thread in threads:
                    thread.start()
                time.sleep(0.5)
                start = time.monotonic()
                normal = run_event(client, "fetch_link", [f"{base}/aleppo.html"])
                results.append((normal, time.monotonic() - start))
                for thread in threads:
                    thread.join()
                return results

            results, _, slowest = _beside(url, two_slow_then_one_normal)
    for event, seconds in results[:2]:
        assert "3 s" in _page_text(event) and seconds < 10, (seconds, _page_text(event))
    normal, seconds = results[2]
    assert "Loaded" in _page_text(normal) and seconds < SHORT_ANSWER_S, seconds
    assert slowest < SHORT_ANSWER_S


# -- growth: 4x the hostile input, at most ~5x the time ----------------------------------------
def test_text_cost_is_linear(server) -> None:
    url, _ = server
    with httpx.Client(base_url=url, timeout=120) as client:
        assert_linear(
            lambda n: {"text": "ق" * n},
            lambda body: client.post("api/v1/translate", json=body),
            1_000,
            max_size=4_000,
            repeats=2,
            clock=time.perf_counter,
        )


def test_libretranslate_q_list_cost_is_linear(server) -> None:
    url, _ = server
    with httpx.Client(base_url=url, timeout=120) as client:
        assert_linear(
            lambda n: {"q": ["<" * 50] * n, "source": "ar", "target": "en"},
            lambda body: client.post("translate", json=body),
            50,
            max_size=250,
            clock=time.perf_counter,
        )


def test_deep_json_cost_is_linear(server) -> None:
    url, _ = server
    headers = {"content-type": "application/json"}
    with httpx.Client(base_url=url, timeout=120) as client:
        for route, key in (("translate", b"q"), ("api/v1/translate", b"text")):
            assert_linear(
                lambda n, key=key: b'{"%s": ' % key + b"[" * n + b"]" * n + b"}",
                lambda body, route=route: client.post(route, content=body, headers=headers),
                25_000,
                max_size=100_000,
                clock=time.perf_counter,
            )


def test_upload_cost_is_linear(server) -> None:
    url, _ = server
    with httpx.Client(base_url=url, timeout=120) as client:
        assert_linear(
            lambda n: b"WEBVTT\n\n00:00.000 --> 00:01.000\n" + b"<" * n + b"\n",
            lambda vtt: _open(client, "cue.vtt", vtt),
            50_000,
            max_size=200_000,
            repeats=2,
            clock=time.perf_counter,
        )
