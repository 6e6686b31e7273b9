"""How often the Arabic-side choice of summary-first agrees with the English-side choice.

    python bench/summary_agreement.py

For each seed with an English translation in ``bench/data/seed_translations.en.json`` (written
by hand, one English sentence per Arabic sentence), and each length: the sentences that
summary-first chooses on the Arabic side (``summarize.arabic.summary_sentences``) against the
ones the extractive method chooses over the English (``summarize.extractive_summary``, what a
digest without summary-first does with a translation). No model: pure text, deterministic.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

LENGTHS = ("short", "medium", "long")


def main() -> int:
    from summarize.arabic import summary_sentences
    from summarize.extractive import extractive_summary

    data = json.loads((REPO / "bench" / "data" / "seed_translations.en.json").read_text("utf-8"))
    print("| article | length | Arabic side | English side | shared | Jaccard |")
    print("|---|---|---|---|---|---|")
    jaccards: list[float] = []
    exact = shared = chosen = 0
    for name, english in data.items():
        if name.startswith("_"):
            continue
        arabic = (REPO / "seeds" / name).read_text(encoding="utf-8")
        for length in LENGTHS:
            a = set(summary_sentences(arabic, length))
            summary = extractive_summary(english, length, check_language=False)
            e = {i for s in summary.sentences for i in s.sources}
            both = len(a & e)
            jaccard = both / len(a | e)
            jaccards.append(jaccard)
            exact += a == e
            shared += both
            chosen += len(a)
            print(
                f"| {name} | {length} | {sorted(a)} | {sorted(e)} | {both}/{len(a)} "
                f"| {jaccard:.2f} |"
            )
    print()
    print(
        f"{len(jaccards)} choices: same set in {exact} ({exact / len(jaccards):.0%}); "
        f"mean Jaccard {sum(jaccards) / len(jaccards):.2f}; {shared} of the {chosen} "
        f"Arabic-side sentences ({shared / chosen:.0%}) are also chosen on the English side"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
