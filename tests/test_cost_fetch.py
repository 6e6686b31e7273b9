"""The fetch's total timeout is total (issue 19 point 4): a server trickling a few bytes at a
time, within every per-read timeout, is cut at the deadline, in the body, in the headers and
after a redirect. A local server on 127.0.0.1."""

from __future__ import annotations

import http.server
import threading
import time
from collections.abc import Iterator

import pytest

from translate.documents import FetchError, FetchOptions, fetch_url

TOTAL = 1.5
OPTIONS = FetchOptions(block_private=False, connect_timeout=2, read_timeout=2, total_timeout=TOTAL)


class _Trickle(http.server.BaseHTTPRequestHandler):
    stop = threading.Event()

    def log_message(self, *args: object) -> None:
        pass

    def _drip(self, data: bytes) -> None:
        # 15 bytes every 0.3 s: every read answers well within the 2 s read timeout.
        for i in range(0, len(data), 15):
            if self.stop.is_set():
                return
            try:
                self.wfile.write(data[i : i + 15])
                self.wfile.flush()
            except OSError:
                return
            time.sleep(0.3)

    def do_GET(self) -> None:
        if self.path == "/body":
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.end_headers()
            self._drip(b"<p>" + b"x" * 2000 + b"</p>")
        elif self.path == "/headers":
            self.wfile.write(b"HTTP/1.1 200 OK\r\n")
            self._drip(b"".join(b"X-Pad-%d: %s\r\n" % (i, b"y" * 10) for i in range(100)))
        elif self.path == "/redirect":
            time.sleep(0.5)
            self.send_response(302)
            self.send_header("Location", "/body")
            self.send_header("Content-Length", "0")
            self.end_headers()
        elif self.path == "/quick":
            body = b"<p>done</p>"
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)


@pytest.fixture(scope="module")
def base() -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Trickle)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        _Trickle.stop.set()
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize("path", ["/body", "/headers", "/redirect"])
def test_trickling_server_is_cut_at_the_total_deadline(base: str, path: str) -> None:
    started = time.monotonic()
    with pytest.raises(FetchError, match="timeout") as caught:
        fetch_url(base + path, OPTIONS)
    elapsed = time.monotonic() - started
    assert caught.value.reason == "timeout"
    # The deadline is the behaviour under test; before, /body ran for its whole 40 s trickle.
    assert elapsed < TOTAL + 1.0, elapsed


def test_a_quick_answer_is_untouched_by_the_deadline(base: str) -> None:
    fetched = fetch_url(base + "/quick", OPTIONS)
    assert fetched.body == b"<p>done</p>"
    time.sleep(TOTAL + 0.2)  # the deadline's timer, cancelled, must not fire on anything later
    assert fetch_url(base + "/quick", OPTIONS).body == b"<p>done</p>"
