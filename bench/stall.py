"""Cost of hostile inputs (issue 19): ``python bench/stall.py [--code DIR] [--skip-slow]``.

Prints seconds (and peak memory for the bombs, each run in a fresh process) for each
reproduction of the issue: one long word through the translator (tiny model), a cue of ``<``,
a .docx and a PDF that inflate to hundreds of MB, a server trickling bytes past the fetch
deadline, and hostile plain text through segmentation. ``--code DIR`` runs another checkout's
code (e.g. ``--code /work/main`` for the figures before the fix); sizes that took minutes there
are left out with ``--skip-slow``.
"""

from __future__ import annotations

import argparse
import http.server
import io
import json
import subprocess
import sys
import threading
import time
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
WORK = Path("/tmp/tarjama-bench-stall")


def _timed(run, *args) -> tuple[float, str]:
    start = time.perf_counter()
    try:
        run(*args)
        outcome = "ok"
    except Exception as exc:  # noqa: BLE001 - a refusal is an outcome to print
        outcome = f"{type(exc).__name__}: {str(exc)[:70]}"
    return time.perf_counter() - start, outcome


def bench_long_words(skip_slow: bool) -> None:
    import torch
    import transformers

    from tests.tiny_models import build_tiny_marian
    from translate import Translator

    transformers.logging.set_verbosity_error()
    torch.set_num_threads(1)
    model = WORK / "tiny-marian"
    if not (model / "config.json").exists():
        build_tiny_marian(model)
    translator = Translator(
        model=str(model),
        backend="transformers",
        cache_size=0,
        generation={"num_beams": 1, "max_new_tokens": 48},
    )
    translator.translate("نص قصير.")  # load
    cases = [
        ("ق" * 2000, False),
        ("ق" * 4000, False),
        ("ق" * 20000, True),
        ("ق " + "a@" * 500, False),
        ("ق " + "a@" * 9990, True),
    ]
    for text, slow in cases:
        if slow and skip_slow:
            continue
        seconds, outcome = _timed(translator.translate, text)
        label = f"{text[:6]!r}… ({len(text):,} chars)"
        print(f"translate {label:<32} {seconds:8.2f} s  {outcome}", flush=True)


def bench_subtitles(skip_slow: bool) -> None:
    from translate.documents.subtitles import read_srt, read_vtt

    for n in (10_000, 20_000, 100_000):
        if n > 20_000 and skip_slow:
            continue
        vtt = f"WEBVTT\n\n00:00:01.000 --> 00:00:02.000\n{'<' * n}\n"
        srt = f"1\n00:00:01,000 --> 00:00:02,000\n{'<' * n}\n"
        for name, read, data in (("vtt", read_vtt, vtt), ("srt", read_srt, srt)):
            seconds, outcome = _timed(read, data)
            print(f"{name} cue of {n:>7,} '<'              {seconds:8.3f} s  {outcome}", flush=True)


def bench_text(skip_slow: bool) -> None:
    from translate import text as T
    from translate.sentences import sentence_spans

    patterns = {
        "'. ' runs": lambda n: ". " * (n // 2),
        "'ب.' runs": lambda n: "ب." * (n // 2),
        "'www.a. ' URLs": lambda n: "www.a. " * (n // 7),
        "URL + ')' tail": lambda n: "http://a" + ")" * n,
        "'a@b.co ' e-mails": lambda n: "a@b.co " * (n // 7),
    }
    for name, make in patterns.items():
        for n in (20_000, 80_000):
            if n > 20_000 and skip_slow:
                continue
            text = make(n)

            def run(text: str = text) -> None:
                sentence_spans(text)
                T.protect_untouchables(text)

            seconds, outcome = _timed(run)
            print(f"text {name:<20} {n:>7,} chars   {seconds:8.3f} s  {outcome}", flush=True)


def _docx_bomb() -> Path:
    path = WORK / "bomb.docx"
    if path.exists():
        return path
    sys.path.insert(0, str(REPO))
    from tests.documents_fixtures import make_docx, make_zip

    real = zipfile.ZipFile(io.BytesIO(make_docx()))
    parts = {name: real.read(name) for name in real.namelist()}
    run = "<w:p><w:r><w:t>قال الوزير إن العمل مستمر في المدينة.</w:t></w:r></w:p>".encode()
    xml = parts["word/document.xml"]
    cut = xml.index(b"<w:body>") + len(b"<w:body>")
    # A numbered paragraph every 16 keeps the ratio just under the old cap of 200 (as the
    # issue's file: 194 MB from under 1 MiB, ratio 198).
    body = b"".join(
        run * 16 + b"<w:p><w:r><w:t>%d</w:t></w:r></w:p>" % i
        for i in range(194_000_000 // (len(run) * 16))
    )
    parts["word/document.xml"] = xml[:cut] + body + xml[cut:]
    path.write_bytes(make_zip(parts))
    return path


def _pdf_bomb() -> Path:
    path = WORK / "bomb.pdf"
    if path.exists():
        return path
    sys.path.insert(0, str(REPO))
    from tests.test_cost_documents import _pdf_with_stream

    path.write_bytes(_pdf_with_stream(15_000))
    return path


_MEASURE = """
import sys, time
sys.path.insert(0, sys.argv[1])
from translate.documents import read_document
data = open(sys.argv[2], "rb").read()
def hwm():  # this process's own peak (ru_maxrss would carry the parent's over exec)
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
before = hwm()
start = time.perf_counter()
try:
    read_document(data, filename=sys.argv[2])
    outcome = "read"
except Exception as exc:
    outcome = type(exc).__name__ + ": " + str(exc)[:70]
seconds = time.perf_counter() - start
peak = hwm()
print(f"{seconds:.2f} {peak / 1024:.0f} {(peak - before) / 1024:.0f} {outcome}")
"""


def bench_bombs(code: Path, timeout: float) -> None:
    WORK.mkdir(parents=True, exist_ok=True)
    for name, make in (("docx", _docx_bomb), ("pdf", _pdf_bomb)):
        path = make()
        size = path.stat().st_size / 2**20
        label = f"{name} bomb ({size:.2f} MiB file)"
        try:
            out = subprocess.run(
                [sys.executable, "-c", _MEASURE, str(code), str(path)],
                capture_output=True,
                text=True,
                timeout=timeout,
            ).stdout.strip()
        except subprocess.TimeoutExpired:
            print(f"{label}   over {timeout:g} s (stopped)", flush=True)
            continue
        if not out:
            print(f"{label}   no answer (the process died)", flush=True)
            continue
        seconds, peak, grown, outcome = out.split(" ", 3)
        print(
            f"{label}   {float(seconds):8.2f} s  peak RSS {peak} MB (+{grown} MB)  {outcome}",
            flush=True,
        )


class _Trickle(http.server.BaseHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.end_headers()
        for _ in range(30):  # 15 bytes every 0.5 s: 15 s in all
            try:
                self.wfile.write(b"<p>xxxxxxxx</p>")
                self.wfile.flush()
            except OSError:
                return
            time.sleep(0.5)


def bench_fetch() -> None:
    from translate.documents import FetchOptions, fetch_url

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Trickle)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    options = FetchOptions(block_private=False, read_timeout=2, total_timeout=2)
    url = f"http://127.0.0.1:{server.server_address[1]}/"
    seconds, outcome = _timed(fetch_url, url, options)
    print(f"fetch, 15 B / 0.5 s, total_timeout 2 s  {seconds:8.2f} s  {outcome}", flush=True)
    server.shutdown()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--code", type=Path, default=REPO, help="checkout whose code to run")
    parser.add_argument("--skip-slow", action="store_true", help="leave out the largest sizes")
    parser.add_argument("--bomb-timeout", type=float, default=600, help="seconds per bomb")
    parser.add_argument(
        "--only",
        nargs="*",
        default=["words", "subtitles", "text", "bombs", "fetch"],
        help="benchmarks to run",
    )
    args = parser.parse_args()
    sys.path.insert(0, str(REPO))  # tests/ (fixtures) from this checkout
    sys.path.insert(0, str(args.code.resolve()))  # translate/ from the checkout measured
    WORK.mkdir(parents=True, exist_ok=True)
    print(json.dumps({"code": str(args.code)}))
    runs = {
        "words": lambda: bench_long_words(args.skip_slow),
        "subtitles": lambda: bench_subtitles(args.skip_slow),
        "text": lambda: bench_text(args.skip_slow),
        "bombs": lambda: bench_bombs(args.code.resolve(), args.bomb_timeout),
        "fetch": bench_fetch,
    }
    for name in args.only:
        runs[name]()


if __name__ == "__main__":
    main()
