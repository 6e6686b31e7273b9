"""Article extraction quality on the saved test pages (tests/data/pages).

For each page, ``truth.json`` lists the article's text (paragraphs, subheadings, list items,
table cells) and its boilerplate (menus, share buttons, comments, related stories, footer…).
The script extracts each page with tarjama's HTML reader and prints:

- **kept**: the share of article characters found in the extraction (a paragraph counts when
  it appears whole, after whitespace is collapsed);
- **leaked**: the share of boilerplate characters found in what is left of the extraction once
  the article's own text is taken out (so a menu word that also occurs in the article is not
  counted as a leak).

Run: ``.venv/bin/python bench/extraction.py`` (a second or two, no model, no network).
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
PAGES = REPO / "tests" / "data" / "pages"

from translate.documents.html_reader import read_html  # noqa: E402


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def score(
    extracted: str, article: list[str], boilerplate: list[str], title: str
) -> tuple[float, float]:
    """(kept, leaked) shares of characters, as described in the module docstring."""
    text = _norm(extracted)
    total = sum(len(_norm(p)) for p in article)
    kept = sum(len(_norm(p)) for p in article if _norm(p) in text)
    rest = text
    for piece in sorted([*article, title], key=len, reverse=True):
        rest = rest.replace(_norm(piece), " ")
    noise = sum(len(_norm(b)) for b in boilerplate)
    leaked = sum(len(_norm(b)) for b in boilerplate if _norm(b) in rest)
    return kept / total, leaked / noise


def naive_text(html: str) -> str:
    """Every visible text node of the page: the baseline an extractor must beat."""
    import lxml.html

    tree = lxml.html.fromstring(html)
    for bad in tree.xpath("//script|//style"):
        bad.drop_tree()
    return "\n".join(t.strip() for t in tree.itertext() if t.strip())


def main() -> None:
    truth = json.loads((PAGES / "truth.json").read_text(encoding="utf-8"))
    rows = []
    for page in truth:
        html = (PAGES / page["file"]).read_text(encoding="utf-8")
        results = {}
        for label, extract in (
            ("recall (tarjama's default)", lambda h: read_html(h).text),
            ("balanced", lambda h: read_html(h, mode="balanced").text),
            ("precision", lambda h: read_html(h, mode="precision").text),
            ("all visible text", naive_text),
        ):
            results[label] = score(
                extract(html), page["article"], page["boilerplate"], page["title"]
            )
        rows.append((page["file"], results))
    labels = list(rows[0][1])
    print("trafilatura mode / baseline: share of article characters kept / boilerplate leaked")
    print(f"{'page':<14}" + "".join(f"{label:>30}" for label in labels))
    for name, results in rows:
        cells = "".join(f"{results[k][0]:>19.1%} / {results[k][1]:>6.1%}" for k in labels)
        print(f"{name:<14}{cells}")
    mean = {k: [sum(r[k][i] for _, r in rows) / len(rows) for i in (0, 1)] for k in labels}
    print(f"{'mean':<14}" + "".join(f"{mean[k][0]:>19.1%} / {mean[k][1]:>6.1%}" for k in labels))


if __name__ == "__main__":
    main()
