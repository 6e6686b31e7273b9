"""Fault injection against the server: oversized and endless bodies, inputs over the limits, a
heavy request beside a light one, uploads of the wrong type or past the quota, paths in
answers, engine failures, and SIGTERM to a real server process (its temporary folder goes)."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

pytest.importorskip("gradio")
httpx = pytest.importorskip("httpx")

from tests.conftest import SEEDS  # noqa: E402
from tests.tiny_models import REPO  # noqa: E402
from tests.ui.fixtures import SHORT, live_server, tiny_config  # noqa: E402
from translate import Translator  # noqa: E402
from ui.http.paths import ALIAS  # noqa: E402

SENTENCE = "قال الوزير إن الحكومة ستواصل العمل."


@pytest.fixture(scope="module")
def server(tiny_marian: Path):
    with live_server(tiny_config(tiny_marian, max_upload_total_bytes=64 * 1024)) as (url, app):
        yield url, app


def _raw_request(url: str, head: str, body_parts, read_after_each: bool = True) -> tuple[str, int]:
    """Send a request by hand; returns (response head, body bytes sent before the answer)."""
    host, port = url.split("//")[1].rstrip("/").split(":")
    sent = 0
    with socket.create_connection((host, int(port)), timeout=30) as sock:
        sock.sendall(head.encode("latin-1"))
        sock.settimeout(0.05)
        for part in body_parts:
            try:
                sock.sendall(part)
            except OSError:  # the server closed the connection: it stopped reading
                break
            sent += len(part)
            if read_after_each:
                try:
                    answer = sock.recv(65536)
                except (TimeoutError, BlockingIOError):
                    continue
                if answer:
                    return answer.decode("utf-8", "replace"), sent
        sock.settimeout(30)
        return sock.recv(65536).decode("utf-8", "replace"), sent


# -- limits ------------------------------------------------------------------------------------
def test_a_253_mb_body_is_refused_from_its_length(server) -> None:
    url, _ = server
    size = 253 * 1024 * 1024
    head = (
        "POST /api/v1/summarize HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        f"Content-Length: {size}\r\n\r\n"
    )
    parts = (b"x" * 65536 for _ in range(size // 65536))
    answer, sent = _raw_request(url, head, parts)
    assert answer.startswith("HTTP/1.1 413")
    assert sent < 8 * 1024 * 1024  # answered long before the body could be read


def test_a_streamed_body_is_counted_and_cut(server) -> None:
    url, _ = server
    head = (
        "POST /translate HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        "Transfer-Encoding: chunked\r\n\r\n"
    )
    chunk = b"a" * 65536
    parts = (b"%x\r\n%s\r\n" % (len(chunk), chunk) for _ in range(2000))  # 128 MiB offered
    answer, sent = _raw_request(url, head, parts)
    assert answer.startswith("HTTP/1.1 413")
    assert sent < 48 * 1024 * 1024  # read (and thrown away) at most 32 MiB past the cap


def test_summarize_lists_count_against_the_limit(server, monkeypatch) -> None:
    """The hardening report: 4,000 sentences (569k characters) took 37 s and 2.7 GB."""
    url, _ = server
    import summarize

    called = []
    monkeypatch.setattr(summarize, "summarize", lambda *a, **k: called.append(a))
    sentences = ["The council met again on Tuesday to discuss the crisis in the north."] * 4000
    started = time.monotonic()
    reply = httpx.post(url + "api/v1/summarize", json={"text": sentences}, timeout=60)
    assert reply.status_code == 413 and reply.json()["code"] == "too_large"
    assert called == [] and time.monotonic() - started < 10
    few_long = ["word " * 1000] * 2  # few items, too many characters
    assert httpx.post(url + "api/v1/summarize", json={"text": few_long}).status_code == 413


def test_a_heavy_request_does_not_starve_a_light_one(tiny_marian: Path, seed_article: str) -> None:
    config = tiny_config(tiny_marian, max_chars=60_000)
    heavy = "\n".join([seed_article] * 6)
    with live_server(config) as (url, app):
        batcher = app.state.workbench.pool.translator(None)
        batcher.cycle_tokens = 256  # many cycles for the heavy one
        original = Translator.run

        def slow(self, pieces, progress=None):  # noqa: ANN001 - the Translator's signature
            time.sleep(0.05 * len(pieces))  # an engine slow enough to see the order
            return original(self, pieces, progress)

        Translator.run = slow  # type: ignore[method-assign]
        done: dict[str, float] = {}
        try:

            def send(name: str, text: str) -> None:
                reply = httpx.post(url + "api/v1/translate", json={"text": text}, timeout=600)
                assert reply.status_code == 200
                done[name] = time.monotonic()

            worker = threading.Thread(target=send, args=("heavy", heavy))
            worker.start()
            while batcher.cycles < 1:
                time.sleep(0.01)
            send("light", SENTENCE)
            worker.join(timeout=600)
        finally:
            Translator.run = original  # type: ignore[method-assign]
    assert done["light"] < done["heavy"]


# -- uploads -----------------------------------------------------------------------------------
def _upload(url: str, name: str, data: bytes) -> httpx.Response:
    return httpx.post(url + "gradio_api/upload", files={"files": (name, data)}, timeout=60)


def test_uploads_only_of_the_page_types_and_within_a_total(server) -> None:
    url, app = server
    folder = app.state.workbench.files.uploads_dir
    refused = _upload(url, "photo.png", b"\x89PNG\r\n\x1a\n...")  # not a type the page reads
    assert refused.status_code == 415 and ".txt" in refused.json()["error"]
    assert not any(p.is_file() for p in folder.rglob("*"))
    accepted = _upload(url, "article.txt", SHORT.encode("utf-8"))
    assert accepted.status_code == 200
    (stored,) = accepted.json()
    # Named by the alias of the server's folder (its real path is never shown), inside it.
    assert stored.startswith(ALIAS + "/") and str(app.state.workbench.files.tmp_root) not in stored
    assert (folder.parent / Path(stored).relative_to(ALIAS)).is_file()
    too_big_in_all = [_upload(url, f"a{i}.txt", b"x" * 20_000).status_code for i in range(5)]
    assert 413 in too_big_in_all
    assert sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) <= 64 * 1024
    for path in folder.iterdir():
        shutil.rmtree(path, ignore_errors=True)


# -- what remote callers see -------------------------------------------------------------------
def test_no_local_paths_in_config_or_answers(tiny_marian: Path, tmp_path: Path) -> None:
    model = tmp_path / "newsroom-marian"
    shutil.copytree(tiny_marian, model)
    with live_server(tiny_config(model)) as (url, _):
        for path in ("config", "gradio_api/info", "api/v1/models"):
            text = httpx.get(url + path).text
            assert str(tmp_path) not in text and str(REPO) not in text, path
        assert "newsroom-marian" in httpx.get(url + "api/v1/models").text
        shutil.rmtree(model)  # the weights vanish under a running server
        reply = httpx.post(url + "api/v1/translate", json={"text": SENTENCE}, timeout=60)
        assert reply.status_code == 503
        assert "newsroom-marian" in reply.json()["error"] and str(tmp_path) not in reply.text


def test_an_engine_crash_is_a_500_and_the_server_goes_on(server) -> None:
    url, _ = server
    original = Translator.run

    def crash(self, pieces, progress=None):  # noqa: ANN001
        raise RuntimeError("CUDA error: device-side assert at /opt/secret/kernel.cu")

    Translator.run = crash  # type: ignore[method-assign]
    try:
        reply = httpx.post(url + "api/v1/translate", json={"text": SENTENCE}, timeout=60)
    finally:
        Translator.run = original  # type: ignore[method-assign]
    assert reply.status_code == 500 and reply.json()["code"] == "internal"
    assert "secret" not in reply.text and "Traceback" not in reply.text
    again = httpx.post(url + "api/v1/translate", json={"text": SENTENCE}, timeout=60)
    assert again.status_code == 200


# -- a real server process and SIGTERM ---------------------------------------------------------
def test_sigterm_removes_the_temporary_folder(tiny_marian: Path, tmp_path: Path) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    env = {**os.environ, "TMPDIR": str(tmp), "PYTHONPATH": str(REPO)}
    command = [
        sys.executable, "-m", "ui", "ui", "--model", str(tiny_marian), "--backend",
        "transformers", "--device", "cpu", "--port", str(port),
    ]  # fmt: skip
    process = subprocess.Popen(
        command, cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                if httpx.get(url + "api/v1/models", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert process.poll() is None, process.stdout.read() if process.stdout else ""
            assert time.monotonic() < deadline, "the server did not start"
            time.sleep(0.3)
        # Leave an article and a translation behind: an upload and a page run's downloads.
        article = (SEEDS / "short-headline.ar.txt").read_bytes()
        assert _upload(url, "article.txt", article).status_code == 200
        reply = httpx.post(url + "api/v1/translate", json={"text": SENTENCE}, timeout=120)
        assert reply.status_code == 200
        (folder,) = list(tmp.glob("tarjama-ui-*"))
        assert any(p.is_file() for p in folder.rglob("*"))
        process.send_signal(signal.SIGTERM)
        code = process.wait(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    output = process.stdout.read() if process.stdout else ""
    assert code in (0, 143, -signal.SIGTERM), output
    assert "Traceback" not in output, output
    assert not list(tmp.glob("tarjama-ui-*")), output
    leftovers = [p for p in tmp.rglob("*") if p.is_file() and p.suffix == ".txt"]
    assert not leftovers, leftovers
