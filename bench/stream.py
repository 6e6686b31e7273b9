"""Streaming at batch speed, the first sentence early, and the gist first (issue 24, goals 1, 2, 6).

    python bench/stream.py                      # both engines, greedy and beam 4, 3 runs
    python bench/stream.py --engines ctranslate2 --beams 4 --runs 1

Equal work for every figure: the opus-mt-ar-en-shaped random model of ``bench/run.py`` (built
once, with the real OPUS-MT SentencePiece model), the seed article's sentences, every output
forced to ``--tokens`` tokens (min_new_tokens == max_new_tokens), sentence cache off. Random
weights make the guard retry every segment; by default the guard's check is replaced by a pass
in this process so the figures leave the retry out (``--with-retry`` keeps it).

For each engine and beam size, in one process, median of ``--runs`` runs:
- ``translate()`` of the whole article;
- ``iter_segments()``: first and last segment (goal 1: last within 1.15x of translate, first
  within a quarter of that; goal 2: first within 1.0 s with CTranslate2 at beam 4), and whether
  the streamed segments equal translate()'s;
- the old streaming policy (waves of 2, 4, 8… sentences, emulated with the public stages), to
  show what changed;
- summary-first (goal 6): ``stream_digest`` — the time until the summary is ready, against the
  whole article.
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


def _timed_stream(stream: Any) -> tuple[float, float, list[Any]]:
    """Seconds to the first item and to the last, and the items."""
    start = time.perf_counter()
    items = [next(stream)]
    first = time.perf_counter() - start
    items += list(stream)
    return first, time.perf_counter() - start, items


def _waves(translator: Any, text: str) -> tuple[float, float]:
    """The old policy: waves of 2, 4, 8… sentences, each run before the next starts."""
    start = time.perf_counter()
    pieces = translator.prepare(text)
    first = 0.0
    position, wave = 0, 2
    while position < len(pieces):
        translator.run(pieces[position : position + wave])
        if not position:
            first = time.perf_counter() - start
        position += wave
        wave = min(wave * 2, translator.max_batch_size)
    return first, time.perf_counter() - start


def measure(engine: str, beams: int, args: argparse.Namespace, article: str) -> dict[str, Any]:
    from summarize.digest import stream_digest
    from translate import Translator

    tokens = args.tokens
    translator = Translator(
        backend=engine,
        device="cpu",
        cache_size=0,
        generation={
            "num_beams": beams,
            "max_new_tokens": tokens,
            "min_new_tokens": tokens,
            "max_length_ratio": None,
        },
    )
    whole = translator.translate(article)  # loads the model, warms the engine
    rows: dict[str, list[float]] = {}
    same = True

    def note(key: str, value: float) -> None:
        rows.setdefault(key, []).append(value)

    for _ in range(args.runs):
        start = time.perf_counter()
        whole = translator.translate(article)
        note("translate_s", time.perf_counter() - start)
        first, last, segments = _timed_stream(translator.iter_segments(article))
        note("stream_first_s", first)
        note("stream_last_s", last)
        # Ratios within one run: the load of a shared machine drifts between runs.
        note("last_ratio", last / rows["translate_s"][-1])
        note("first_ratio", first / last)
        same = same and [(s.target, s.flags) for s in segments] == [
            (s.target, s.flags) for s in whole.segments
        ]
        first, last = _waves(translator, article)
        note("waves_first_s", first)
        note("waves_last_s", last)
        note("waves_ratio", last / rows["translate_s"][-1])
        to_summary, last, items = _timed_stream(
            stream_digest(article, translator, method="extractive", length=args.length)
        )
        note("summary_first_s", to_summary)
        note("summary_stream_last_s", last)
        summary_sentences = len(items[0].sentences)
    out: dict[str, Any] = {k: statistics.median(v) for k, v in rows.items()}
    out.update(
        engine=engine,
        beams=beams,
        quantization=translator.meta["quantization"],
        segments=len(whole.segments),
        retried=sum("retried" in s.flags for s in whole.segments),
        identical=same,
        summary_sentences=summary_sentences,
    )
    return out


def _fmt(value: float) -> str:
    return f"{value:.2f}"


def report(results: list[dict[str, Any]], args: argparse.Namespace) -> str:
    lines = [
        f"article {args.article}, every output {args.tokens} tokens, sentence cache off, "
        f"retry {'kept' if args.with_retry else 'left out'}, median of {args.runs} run(s); "
        "ratios: the median of each run's own ratio",
        "",
        "| engine | beams | translate() s | stream first s | stream last s | last / translate "
        "(goal <= 1.15) | first / last (goal <= 0.25) | identical | old waves first / last s "
        "| old last / translate | summary ready s (sentences) | summary / translate |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        t = r["translate_s"]
        lines.append(
            f"| {r['engine']} ({r['quantization']}) | {r['beams']} | {_fmt(t)} "
            f"| {_fmt(r['stream_first_s'])} | {_fmt(r['stream_last_s'])} "
            f"| {r['last_ratio']:.2f} | {r['first_ratio']:.2f} "
            f"| {'yes' if r['identical'] else 'NO'} "
            f"| {_fmt(r['waves_first_s'])} / {_fmt(r['waves_last_s'])} "
            f"| {r['waves_ratio']:.2f} "
            f"| {_fmt(r['summary_first_s'])} ({r['summary_sentences']}) "
            f"| {r['summary_first_s'] / t:.2f} |"
        )
    ct2 = [r for r in results if r["engine"] == "ctranslate2" and r["beams"] == 4]
    if ct2:
        lines += [
            "",
            f"goal 2: first segment, CTranslate2 beam 4: "
            f"{ct2[0]['stream_first_s']:.2f} s (goal <= 1.0 s)",
        ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--engines", nargs="+", default=["transformers", "ctranslate2"])
    parser.add_argument("--beams", nargs="+", type=int, default=[1, 4])
    parser.add_argument("--tokens", type=int, default=40)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--length", default="medium", help="summary-first length")
    parser.add_argument("--article", default="aleppo-security-council.ar.txt")
    parser.add_argument("--with-retry", action="store_true", help="keep the guard's retry")
    parser.add_argument("--threads", type=int, default=None, help="torch threads")
    parser.add_argument("--dir", default=None, help="bench folder (default: as bench/run.py)")
    parser.add_argument("--json", default=None, help="also write the figures here")
    args = parser.parse_args(argv)

    bench_run.in_process(bench_run.bench_dir(args.dir), with_retry=args.with_retry)
    if args.threads:
        import torch

        torch.set_num_threads(args.threads)
    article = (REPO / "seeds" / args.article).read_text(encoding="utf-8")
    results = []
    for engine in args.engines:
        for beams in args.beams:
            results.append(measure(engine, beams, args, article))
            if not args.with_retry and results[-1]["retried"]:
                raise SystemExit("the guard's retry was not left out: fix the patch above")
            print(json.dumps(results[-1]), file=sys.stderr, flush=True)
    print("machine:", json.dumps(bench_run.machine()))
    print(report(results, args))
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
