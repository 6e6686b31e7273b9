"""Issue 19 against a live server (tiny model): ``python bench/stall_server.py``.

For each reproduction of the issue, prints how long the hostile request took, what it got,
and the slowest answer to a short translation sent again and again beside it (the issue's
"before" figures: every other request waited 170 s behind a 20,000-character word and 43 s
behind a 100,000-'<' cue; a docx bomb took 14 s and sent 98.5 M characters to the browser;
two trickling links held the page's fetch slots for over 110 s; keyless gradio runs passed the
rate limit). The library-side figures are ``bench/stall.py``'s.
"""

from __future__ import annotations

import json
import sys
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
WORK = Path("/tmp/tarjama-bench-stall-server")


def main() -> None:
    import httpx

    from tests.documents_fixtures import serve
    from tests.test_cost_documents import _inflating_docx
    from tests.tiny_models import build_tiny_marian
    from tests.ui.fixtures import live_server, tiny_config
    from tests.ui.http.page_client import run_event
    from tests.ui.http.test_stall import _beside, _open, _page_text, _trickle

    model = WORK / "tiny-marian"
    if not (model / "config.json").exists():
        WORK.mkdir(parents=True, exist_ok=True)
        build_tiny_marian(model)
    config = tiny_config(model, max_chars=20_000, allow_private_fetch=True)
    with live_server(config) as (url, app):
        client = httpx.Client(base_url=url, timeout=300)

        def word() -> str:
            reply = client.post("api/v1/translate", json={"text": "ق" * 20_000})
            return f"HTTP {reply.status_code}"

        def upload(name: str, data: bytes):
            return lambda: _short(_page_text(_open(client, name, data)))

        def links() -> str:
            with serve({"/trickle": _trickle}) as (base, _):
                out: list[str] = []
                threads = [
                    threading.Thread(
                        target=lambda: out.append(
                            _short(_page_text(run_event(client, "fetch_link", [f"{base}/trickle"])))
                        )
                    )
                    for _ in range(2)
                ]
                for thread in threads:
                    thread.start()
                time.sleep(0.5)
                start = time.monotonic()
                normal = run_event(client, "fetch_link", [f"{base}/aleppo.html"])
                took = time.monotonic() - start
                for thread in threads:
                    thread.join()
            return (
                f"{out[0]} | a normal link beside them: {took:.1f} s, {_short(_page_text(normal))}"
            )

        vtt = b"WEBVTT\n\n00:00.000 --> 00:01.000\n" + b"<" * 100_000 + b"\n"
        bomb = _inflating_docx(194_000_000)
        cases = [
            ("20,000-character word (/api/v1)", word),
            ("100,000-'<' .vtt upload", upload("cue.vtt", vtt)),
            ("docx bomb (document.xml 194 MB)", upload("bomb.docx", bomb)),
            ("two trickling links, then a normal one", links),
        ]
        print(f"{'reproduction':42} {'seconds':>8} {'slowest short':>14}  outcome")
        for name, heavy in cases:
            outcome, seconds, slowest = _beside(url, heavy)
            print(f"{name:42} {seconds:8.2f} {slowest:13.2f}s  {outcome}")
        deep = b'{"q": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
        start = time.monotonic()
        reply = client.post("translate", content=deep, headers={"content-type": "application/json"})
        print(f"{'JSON nested 100k deep (/translate)':42} {time.monotonic() - start:8.2f} "
              f"{'':>14}  HTTP {reply.status_code} {json.dumps(reply.json())[:60]}")  # fmt: skip


def _short(html: str) -> str:
    import re

    return " ".join(re.sub(r"<[^>]*>", " ", html).split())[:110]


if __name__ == "__main__":
    main()
