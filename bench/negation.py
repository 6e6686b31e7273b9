"""Precision and recall of the negation guard: ``python bench/negation.py [--show-errors]``.

The table ``bench/data/negation.tsv`` holds 163 Arabic news sentences written for it, each with
an English translation: 51 negated sentences with a correct translation and with the negation
dropped (as a model drops it), 57 sentences without negation, among them the idioms the guard
must not read as negation (لا سيما, لا بد, لا تزال, غير أن, دون سن, ما زال, كلا), and hard cases
it is known to miss: ما negating a verb, a negation carried by an antonym ("readily",
"unstable"). The lists were written next to this table: it checks them, it is not a held-out
measure of real model output.
A row is positive when the guard should flag it (``expected_flag``: a negated Arabic sentence
with the negation dropped). Also printed: the Arabic detector alone (``arabic_negated``).
"""

from __future__ import annotations

import argparse
import csv
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from translate.negation import arabic_negations, dropped_negation  # noqa: E402
from translate.text import normalize  # noqa: E402

TABLE = REPO / "bench" / "data" / "negation.tsv"


def scores(pairs: list[tuple[bool, bool]]) -> tuple[float, float, int, int, int]:
    """Precision, recall, true positives, false positives, false negatives of (want, got)."""
    tp = sum(want and got for want, got in pairs)
    fp = sum(got and not want for want, got in pairs)
    fn = sum(want and not got for want, got in pairs)
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    return precision, recall, tp, fp, fn


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--table", type=Path, default=TABLE)
    parser.add_argument("--show-errors", action="store_true")
    args = parser.parse_args(argv)
    with args.table.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    guard: list[tuple[bool, bool]] = []
    detector: list[tuple[bool, bool]] = []
    errors: list[str] = []
    for row in rows:
        arabic = normalize(row["arabic"])
        flagged = dropped_negation(arabic, row["english"])
        want = row["expected_flag"] == "1"
        guard.append((want, flagged))
        detector.append((row["arabic_negated"] == "1", bool(arabic_negations(arabic))))
        if want != flagged:
            errors.append(f"  row {row['id']} ({row['kind']}): flagged={flagged}  {row['english']}")
    kinds = sorted({row["kind"] for row in rows})
    print(f"negation guard on {args.table.name}: {len(rows)} rows ({', '.join(kinds)})")
    for name, pairs in (("guard 'negation' flag", guard), ("Arabic negation detector", detector)):
        precision, recall, tp, fp, fn = scores(pairs)
        print(
            f"  {name:26s} precision {precision:.3f}  recall {recall:.3f}  "
            f"(tp {tp}, fp {fp}, fn {fn})"
        )
    if args.show_errors and errors:
        print("errors:")
        print("\n".join(errors))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
