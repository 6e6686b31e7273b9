"""Shared helpers of the document tests: a stub-engine Translator, a local web server serving
saved Arabic news pages (and redirects, errors, slow and oversized answers), and builders of
.docx / .pdf / .srt fixtures."""

from __future__ import annotations

import gzip
import io
import json
import re
import threading
import time
import unicodedata
import zipfile
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
PAGES = REPO / "tests" / "data" / "pages"
FONT = REPO / "ui" / "web" / "static" / "fonts" / "NotoNaskhArabic-Regular.ttf"
TRUTH = json.loads((PAGES / "truth.json").read_text(encoding="utf-8"))


# -- a Translator whose engine is a deterministic stub ---------------------------------------------
class StubBackend:
    """An engine that "translates" each Arabic word to ``w<n>`` (digits kept), so outputs are
    predictable, have as many words as the source, and pass the guard. A sentence containing
    مشكوك loses its numbers, which the guard flags ``numbers``."""

    name = "transformers"
    device = "cpu"
    quantization = "float32"

    def __init__(self, spec: Any) -> None:
        self.spec = spec
        self.calls: list[list[str]] = []

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        return [len(t.split()) + 1 for t in texts]

    def generate(
        self,
        texts: Sequence[str],
        settings: Mapping[str, Any],
        *,
        caps: Sequence[int] | None = None,
        weak: bool = True,
    ) -> list[Any]:
        from translate.backends.base import Generation

        self.calls.append(list(texts))
        out = []
        for text in texts:
            drop_numbers = "مشكوك" in text
            words = []
            for n, word in enumerate(text.split(), start=1):
                digits = re.sub(r"[^0-9.]", "", word).strip(".")
                words.append(digits if digits and not drop_numbers else f"w{n}")
            out.append(Generation(" ".join(words), len(words) + 1, -0.5))
        return out


def stub_translator(model_dir: Path) -> Any:
    """A real Translator (segmentation, batching, guard, assembly) over :class:`StubBackend`."""
    from translate import Translator

    translator = Translator(model=str(model_dir), backend="transformers", cache_size=0)
    translator._backend = StubBackend(translator.spec)  # type: ignore[assignment]
    return translator


# -- the local web server ------------------------------------------------------------------------
class _Handler(BaseHTTPRequestHandler):
    routes: dict[str, Any] = {}
    seen_hosts: list[str] = []

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base's name
        pass

    def do_GET(self) -> None:  # noqa: N802 - the base's name
        path = self.path.split("?", 1)[0]
        self.seen_hosts.append(self.headers.get("Host", ""))
        route = self.routes.get(path)
        try:
            if route is None and path.endswith(".html") and (PAGES / path.lstrip("/")).is_file():
                self._send(200, "text/html; charset=utf-8", (PAGES / path.lstrip("/")).read_bytes())
            elif route is None:
                self._send(404, "text/html", b"<h1>Not found</h1>")
            else:
                route(self)
        except (BrokenPipeError, ConnectionResetError):  # the client gave up (timeouts)
            pass

    def _send(self, status: int, content_type: str, body: bytes, **headers: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for key, value in headers.items():
            self.send_header(key.replace("_", "-"), value)
        self.end_headers()
        self.wfile.write(body)

    def redirect(self, location: str, status: int = 302) -> None:
        self.send_response(status)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # a client that hung up on purpose (timeout tests) is not an error here


def _slow(handler: _Handler) -> None:
    time.sleep(2.0)  # the tests' read timeout is far shorter
    handler._send(200, "text/html; charset=utf-8", (PAGES / "aleppo.html").read_bytes())


def _drip(handler: _Handler) -> None:
    handler.send_response(200)
    handler.send_header("Content-Type", "text/html; charset=utf-8")
    handler.end_headers()
    for _ in range(40):  # at most 8 s; the test's total timeout is 1 s
        handler.wfile.write(b"<p>.</p>")
        handler.wfile.flush()
        time.sleep(0.2)


def _big_unsized(handler: _Handler) -> None:
    handler.send_response(200)
    handler.send_header("Content-Type", "text/html; charset=utf-8")
    handler.end_headers()  # HTTP/1.0 without Content-Length: the body runs until the close
    for _ in range(50):
        handler.wfile.write(b"<p>" + b"x" * 4096 + b"</p>")


def _gzip_bomb(handler: _Handler) -> None:
    body = gzip.compress(b"<p>" + b"a" * 5_000_000 + b"</p>")
    handler._send(200, "text/html; charset=utf-8", body, Content_Encoding="gzip")


def _redirect_to(location: str) -> Any:
    return lambda handler: handler.redirect(location)


def default_routes(port_holder: dict[str, int]) -> dict[str, Any]:
    def here(path: str) -> str:
        return f"http://127.0.0.1:{port_holder['port']}{path}"

    return {
        "/moved": lambda h: h.redirect("/aleppo.html", 301),
        "/chain": lambda h: h.redirect("/moved"),
        "/absolute": lambda h: h.redirect(here("/economy.html"), 307),
        "/loop-a": lambda h: h.redirect("/loop-b"),
        "/loop-b": lambda h: h.redirect("/loop-a"),
        **{f"/hop{n}": _redirect_to(f"/hop{n + 1}") for n in range(10)},
        "/to-private": lambda h: h.redirect("http://10.20.30.40/secret"),
        "/to-ftp": lambda h: h.redirect("ftp://example.org/file"),
        "/image.png": lambda h: h._send(200, "image/png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64),
        "/data.json": lambda h: h._send(200, "application/json", b'{"a": 1}'),
        "/server-error": lambda h: h._send(500, "text/html", b"oops"),
        "/slow": _slow,
        "/drip": _drip,
        "/big": lambda h: h._send(200, "text/html", b"<p>" + b"x" * 200_000 + b"</p>"),
        "/big-unsized": _big_unsized,
        "/gzip-bomb": _gzip_bomb,
        "/empty.html": lambda h: h._send(
            200, "text/html", b"<html><body><nav>menu</nav></body></html>"
        ),
        "/windows-1256.html": lambda h: h._send(
            200,
            "text/html; charset=windows-1256",
            (PAGES / "aleppo.html")
            .read_text(encoding="utf-8")
            .replace("utf-8", "windows-1256")
            .encode("cp1256", errors="replace"),
        ),
    }


@contextmanager
def serve(extra_routes: dict[str, Any] | None = None) -> Iterator[tuple[str, type[_Handler]]]:
    """A threaded HTTP server on 127.0.0.1 (random port); yields its base URL and handler."""
    port: dict[str, int] = {}
    handler = type("Handler", (_Handler,), {"routes": {}, "seen_hosts": []})
    server = _Server(("127.0.0.1", 0), handler)
    port["port"] = server.server_address[1]
    handler.routes.update(default_routes(port))
    handler.routes.update(extra_routes or {})
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.daemon = True
    thread.start()
    try:
        yield f"http://127.0.0.1:{port['port']}", handler
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


# -- .docx ---------------------------------------------------------------------------------------
def make_docx(path: Path | None = None) -> bytes:
    """A Word file: title, heading, two paragraphs, a 3x2 table with a merged header row, a
    paragraph after it, and core properties."""
    import docx

    document = docx.Document()
    document.core_properties.title = "بيان صحفي"
    document.core_properties.author = "وزارة الاقتصاد"
    document.add_heading("الحكومة تعلن خطة جديدة للطاقة", level=1)
    document.add_paragraph(
        "أعلنت الحكومة اليوم خطة جديدة للطاقة المتجددة. وتشمل الخطة بناء محطات شمسية."
    )
    document.add_heading("أبرز الأرقام", level=2)
    table = document.add_table(rows=3, cols=2)
    merged = table.cell(0, 0).merge(table.cell(0, 1))
    merged.text = "ملخص المشروع"
    table.cell(1, 0).text = "القدرة"
    table.cell(1, 1).text = "500 ميغاواط"
    table.cell(2, 0).text = "التكلفة"
    table.cell(2, 1).text = "2024"
    document.add_paragraph("وقال الوزير إن العمل سيبدأ الشهر المقبل.")
    document.add_paragraph("   ")  # an empty paragraph is skipped
    buffer = io.BytesIO()
    document.save(buffer)
    data = buffer.getvalue()
    if path is not None:
        path.write_bytes(data)
    return data


def make_zip(parts: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return buffer.getvalue()


# -- .pdf ----------------------------------------------------------------------------------------
_RIGHT_JOINING = set("اأإآدذرزوؤةى")
_LAM_ALEF = {
    "ا": "ALEF",
    "أ": "ALEF WITH HAMZA ABOVE",
    "إ": "ALEF WITH HAMZA BELOW",
    "آ": "ALEF WITH MADDA ABOVE",
}


def _joins(ch: str) -> bool:
    return "\u0620" <= ch <= "\u064a" and ch != "\u0621"


def shape_presentation_forms(text: str) -> str:
    """Arabic letters → their contextual presentation forms (with lam-alef ligatures), the way
    legacy PDF writers encode Arabic. Logical order is kept."""
    out: list[str] = []
    i = 0
    while i < len(text):
        ch = text[i]
        if not _joins(ch):
            out.append(ch)
            i += 1
            continue
        prev = text[i - 1] if i > 0 else ""
        joins_before = bool(prev) and _joins(prev) and prev not in _RIGHT_JOINING
        nxt = text[i + 1] if i + 1 < len(text) else ""
        if ch == "ل" and nxt in _LAM_ALEF:
            form = "FINAL FORM" if joins_before else "ISOLATED FORM"
            out.append(unicodedata.lookup(f"ARABIC LIGATURE LAM WITH {_LAM_ALEF[nxt]} {form}"))
            i += 2
            continue
        joins_after = bool(nxt) and _joins(nxt) and ch not in _RIGHT_JOINING
        form = {
            (False, False): "ISOLATED",
            (True, False): "FINAL",
            (False, True): "INITIAL",
            (True, True): "MEDIAL",
        }[(joins_before, joins_after)]
        name = unicodedata.name(ch)
        try:
            out.append(unicodedata.lookup(f"{name} {form} FORM"))
        except KeyError:
            out.append(unicodedata.lookup(f"{name} ISOLATED FORM") if form != "ISOLATED" else ch)
        i += 1
    return "".join(out)


def to_visual(line: str) -> str:
    """A right-to-left line in visual order (what a writer draws left to right): reversed,
    with runs of digits kept left to right."""
    return re.sub(r"[0-9][0-9.,%]*[0-9%]|[0-9]", lambda m: m.group()[::-1], line[::-1])


def _pdf() -> Any:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_font("naskh", fname=str(FONT))
    pdf.set_font("naskh", size=14)
    return pdf


def make_legacy_arabic_pdf(paragraphs: Sequence[str], **encryption: Any) -> bytes:
    """A PDF whose Arabic is stored like older writers store it: presentation-form glyphs,
    drawn in visual order (one line per paragraph, a gap between paragraphs)."""
    pdf = _pdf()
    if encryption:
        pdf.set_encryption(**encryption)
    pdf.add_page()
    for paragraph in paragraphs:
        pdf.cell(
            0,
            10,
            to_visual(shape_presentation_forms(paragraph)),
            align="R",
            new_x="LMARGIN",
            new_y="NEXT",
        )
        pdf.ln(8)
    return bytes(pdf.output())


def make_shaped_arabic_pdf(paragraphs: Sequence[str]) -> bytes:
    """A PDF shaped by HarfBuzz (fpdf2's text shaping): glyphs in visual order mapped back to
    base letters, as modern writers do."""
    pdf = _pdf()
    pdf.set_text_shaping(True, direction="rtl", script="arab", language="ar")
    pdf.add_page()
    for paragraph in paragraphs:
        pdf.multi_cell(0, 10, paragraph, align="R", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(8)
    return bytes(pdf.output())


def make_image_pdf(tmp_path: Path) -> bytes:
    """A one-page PDF holding only an image (a "scan")."""
    from fpdf import FPDF
    from PIL import Image

    image = tmp_path / "scan.png"
    Image.new("L", (200, 100), color=200).save(image)
    pdf = FPDF()
    pdf.add_page()
    pdf.image(str(image), x=10, y=10, w=100)
    return bytes(pdf.output())


# -- subtitles -----------------------------------------------------------------------------------
SRT = """1
00:00:01,000 --> 00:00:03,500
قال الوزير إن الحكومة

2
00:00:03,600 --> 00:00:06,000
ستواصل العمل على الخطة الجديدة.

3
00:00:07,000 --> 00:00:09,250
<i>وأضاف</i> أن الوفد سيصل غدا.

4
00:00:10,000 --> 00:00:12,000
[موسيقى] ♪

5
01:02:03,004 --> 01:02:05,678
وأكد أن 15 مشروعا
ستنجز هذا العام.
"""

VTT = """WEBVTT Kind: captions

STYLE
::cue { color: yellow }

NOTE a comment that is skipped

intro
00:01.000 --> 00:03.500 align:start position:10%
<v المذيع>قال الوزير إن الحكومة

00:03.600 --> 00:06.000
ستواصل العمل على الخطة الجديدة.

01:00:07.000 --> 01:00:09.250
وأضاف أن الوفد سيصل &amp; غدا.
"""
