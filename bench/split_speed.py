"""Speed of the English sentence splitter: ``python bench/split_speed.py [--repeat N]``.

The splitter judges each full stop on a bounded window around it, so its time grows linearly
with the text. This prints characters, seconds and characters per second for one single-line
text of 10k to 1M characters (the worst case of the old splitter, which copied and searched the
whole line before every full stop: 104k characters took 1.6 s, 257k 8.8 s), and the same for
the extractive summary of that text (split + rank + select). Best of ``--repeat`` runs.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

SIZES = (10_000, 30_000, 100_000, 300_000, 1_000_000)


def _text(size: int) -> str:
    """One line of English news (the seed articles, joined) repeated to ``size`` characters."""
    seed = (REPO / "seeds" / "en-news.txt").read_text(encoding="utf-8")
    line = " ".join(part.strip() for part in seed.splitlines() if part.strip()) + " "
    return (line * (size // len(line) + 1))[:size]


def _best(function: object, text: str, repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        function(text)  # type: ignore[operator]
        best = min(best, time.perf_counter() - started)
    return best


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="runs per size (best is kept)")
    parser.add_argument("--no-summary", action="store_true", help="time the splitter only")
    args = parser.parse_args(argv)

    from summarize.english import split_sentences
    from summarize.extractive import extractive_summary

    def summary(text: str) -> None:
        extractive_summary(text, "short", check_language=False)

    print(f"{'chars':>10} {'sentences':>10} {'split s':>9} {'chars/s':>12}", end="")
    print("" if args.no_summary else f" {'summary s':>10} {'chars/s':>12}")
    for size in SIZES:
        text = _text(size)
        seconds = _best(split_sentences, text, args.repeat)
        count = len(split_sentences(text))
        print(f"{size:>10,} {count:>10,} {seconds:>9.3f} {size / seconds:>12,.0f}", end="")
        if args.no_summary:
            print()
            continue
        seconds = _best(summary, text, max(1, args.repeat - 2))
        print(f" {seconds:>10.3f} {size / seconds:>12,.0f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
