"""How long after the click the page shows the first sentence (issue 24, goal 2).

    python bench/page_first.py [--runs 5] [--tokens 40] [--beams 4]

The real server (``ui.http.server``: page and API) on 127.0.0.1, in this process, on the
random opus-mt-ar-en-shaped model of ``bench/run.py`` through CTranslate2 int8, every output
forced to ``--tokens`` tokens, sentence cache off, the guard's retry left out (random weights
would retry every segment). Debian's chromium (Playwright) pastes the seed article, clicks
Translate, and the page itself times, from the click to the first frame that shows a sentence
row of the sentence-by-sentence view (checked on every animation frame, ~16 ms). Beside it, in
the same process on the same engine settings, the library's stream of the same text: the time
to its first segment. The page's own delay is the difference (goal: at most 0.3 s). Both modes
of the page's "Summary first" switch, each against its library call: off, against
``Translator.iter_segments``; on (the page's default), against the first segment of
``summarize.digest.stream_digest`` (the summary's sentences are translated together first, so
its first sentence comes later than a lone first sentence would). Median of ``--runs``
alternating runs.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(REPO), str(REPO / "bench")]

import run as bench_run  # noqa: E402  (bench/run.py: the model, its registry, the machine)

CHROMIUM = "/usr/bin/chromium"
ARTICLE = "aleppo-security-council.ar.txt"
GOAL_S = 0.3

# Runs in the page: click Translate and resolve with the ms until a sentence row of this run
# is shown.
CLICK_AND_WAIT = """
() => new Promise((resolve) => {
  const rows = () => document.querySelectorAll('#aligned-view tr[id^="tj-sent-"]').length;
  const start = performance.now();
  document.querySelector('#translate-btn').click();
  // The run's first frame clears the previous result (no rows); the first sentence follows.
  let cleared = rows() === 0;
  const tick = () => {
    if (!cleared) { cleared = rows() === 0; }
    else if (rows() > 0) { resolve(performance.now() - start); return; }
    if (performance.now() - start > 120000) { resolve(-1); return; }
    requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
})
"""


def forced_registry(registry: Path, beams: int, tokens: int) -> None:
    """Every output ``tokens`` long at ``beams`` beams, for decoding and for the retry."""
    import yaml

    raw = yaml.safe_load(registry.read_text(encoding="utf-8"))
    entry = raw["models"][raw["default_translation"]]
    forced = {"num_beams": beams, "max_new_tokens": tokens, "min_new_tokens": tokens,
              "max_length_ratio": None}  # fmt: skip
    for key in ("generation", "strict_generation"):
        entry[key] = {**entry.get(key, {}), **forced}
    registry.write_text(yaml.safe_dump(raw, sort_keys=False, allow_unicode=True), encoding="utf-8")


def library_first(article: str, summary_first: bool) -> float:
    """Seconds to the first segment of ``iter_segments`` (or, summary first, of
    ``stream_digest``, as the page calls it) on a warm Translator."""
    from summarize.config import DEFAULT_LENGTH  # the page's default length
    from summarize.digest import stream_digest
    from translate import Translator
    from translate.types import Segment

    translator = _library_translator(Translator)
    start = time.perf_counter()
    if not summary_first:
        next(translator.iter_segments(article))
    else:
        stream = stream_digest(article, translator, method="extractive", length=DEFAULT_LENGTH)
        next(item for item in stream if isinstance(item, Segment))
        stream.close()
    return time.perf_counter() - start


_TRANSLATOR: Any = None


def _library_translator(cls: Any) -> Any:
    global _TRANSLATOR
    if _TRANSLATOR is None:
        _TRANSLATOR = cls(backend="ctranslate2", device="cpu", cache_size=0)
        _TRANSLATOR.translate("قال الوزير إن الحكومة ستواصل العمل.")  # load and warm
    return _TRANSLATOR


def page_first(page: Any, summary_first: bool) -> float:
    """Seconds from the click to the first sentence row; waits for the run to end after."""
    page.set_checked("#summary-first input", summary_first)
    ms = page.evaluate(CLICK_AND_WAIT)
    if ms < 0:
        raise SystemExit("the page showed no sentence within 120 s")
    page.wait_for_function(
        "() => !document.querySelector('#translate-btn').disabled", timeout=300_000
    )
    return ms / 1000


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--tokens", type=int, default=40)
    parser.add_argument("--beams", type=int, default=4)
    parser.add_argument("--dir", default=None, help="bench folder (default: as bench/run.py)")
    parser.add_argument("--modes", default="off,on", help="the Summary first switch: off,on")
    args = parser.parse_args(argv)
    modes = [m == "on" for m in args.modes.split(",")]

    registry = bench_run.in_process(bench_run.bench_dir(args.dir))  # retry left out
    forced_registry(registry, args.beams, args.tokens)

    from playwright.sync_api import sync_playwright

    from ui.http.server import BackgroundServer, create_app
    from ui.service.config import AppConfig

    article = (REPO / "seeds" / ARTICLE).read_text(encoding="utf-8")
    config = AppConfig(backend="ctranslate2", device="cpu", cache_size=0,
                       summary_method="extractive")  # fmt: skip
    app = create_app(config)
    pages: dict[bool, list[float]] = {mode: [] for mode in modes}
    library: dict[bool, list[float]] = {mode: [] for mode in modes}
    try:
        with BackgroundServer(app) as url, sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM, headless=True, args=["--no-sandbox", "--disable-gpu"]
            )
            page = browser.new_page(viewport={"width": 1400, "height": 1100})
            page.goto(url)
            page.wait_for_selector("#source-box textarea")
            page.fill("#source-box textarea", article)
            page.get_by_text("Options").click()  # where the Summary first switch is
            for mode in modes:  # loads the model in the server, warms the page and the library
                page_first(page, mode)
                library_first(article, mode)
            for _ in range(args.runs):
                for mode in modes:
                    pages[mode].append(page_first(page, mode))
                    library[mode].append(library_first(article, mode))
            browser.close()
    finally:
        app.state.workbench.cleanup()
    print("machine:", json.dumps(bench_run.machine()))
    print(
        f"{ARTICLE}, CTranslate2 int8, beam {args.beams}, every output {args.tokens} tokens, "
        f"retry left out, median of {args.runs} runs"
    )
    for mode in modes:
        page_s, library_s = statistics.median(pages[mode]), statistics.median(library[mode])
        delays = [p - lib for p, lib in zip(pages[mode], library[mode], strict=True)]
        delay = statistics.median(delays)
        name = "stream_digest" if mode else "iter_segments"
        print(f"\nSummary first {'on' if mode else 'off'}:")
        print(f"  library: first segment of {name}  {library_s:.2f} s  {sorted(library[mode])}")
        print(f"  page: click to first sentence shown  {page_s:.2f} s  {sorted(pages[mode])}")
        print(
            f"  page's own delay: {delay:.2f} s (goal <= {GOAL_S} s) -> "
            f"{'met' if delay <= GOAL_S else 'not met'}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
