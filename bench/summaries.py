"""Summary quality on news: ``python bench/summaries.py DATA.jsonl [--limit N] [--json out.json]``.

DATA.jsonl holds one ``{"article": ..., "highlights": ...}`` object a line (the development set
is ``../shared/eval/cnndm_val1000.jsonl``, 1,000 CNN/DailyMail validation articles; it is not
part of the repository, pass its path). Prints the table of BENCHMARKS.md "Summaries": Lead-3,
the extractive method at short/medium/long and, where its weights are on this machine, the
summarization model, with ROUGE-1/2/Lsum F1 x 100 and paired-bootstrap 95% intervals of the
difference with Lead-3. The same run as ``tarjama eval summary --data DATA.jsonl``.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data", help='JSON Lines: {"article": ..., "highlights": ...}')
    parser.add_argument("--limit", type=int, help="only the first N articles")
    parser.add_argument("--model", help="summarization model (default: the registry's)")
    parser.add_argument("--no-abstractive", action="store_true", help="leave the model out")
    parser.add_argument("--samples", type=int, default=1000, help="bootstrap resamples")
    parser.add_argument("--json", help="also write the figures here as JSON")
    args = parser.parse_args(argv)

    from summarize.news_eval import evaluate_news, format_report, read_pairs
    from translate.errors import TarjamaError

    started = time.perf_counter()
    try:
        pairs = read_pairs(args.data, args.limit)
        report = evaluate_news(
            pairs,
            abstractive=not args.no_abstractive,
            model=args.model,
            samples=args.samples,
            progress=lambda line: print(line, file=sys.stderr),
        )
    except TarjamaError as exc:
        print(f"bench/summaries.py: {exc}", file=sys.stderr)
        return 1
    sys.stdout.write(format_report(report))
    print(f"\n{time.perf_counter() - started:.0f} s")
    if args.json:
        Path(args.json).write_text(json.dumps(report.to_dict(), indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
