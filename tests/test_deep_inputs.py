"""Inputs nested deeper than a parser goes (issue 19): a batch's .jsonl row of 100,000 '['
is one row's error, not a stopped job; a web page nested past the HTML parser's depth is
refused with a message instead of losing the text below the cut."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from translate.batch.inputs import read_input

SENTENCE = "قال الوزير إن الحكومة ستواصل العمل."


def test_a_jsonl_row_nested_too_deep_is_a_row_error(tmp_path: Path) -> None:
    rows = [
        json.dumps({"text": SENTENCE}, ensure_ascii=False),
        "[" * 100_000,
        json.dumps({"text": "خبر ثان."}, ensure_ascii=False),
    ]
    path = tmp_path / "in.jsonl"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    batch = read_input(path)
    assert [r.text for r in batch.rows] == [SENTENCE, None, "خبر ثان."]
    assert "nested too deeply" in batch.rows[1].error and not batch.rows[0].error


def _nested(depth: int) -> bytes:
    first = "<p>قبل هذا نص عربي أول طويل بما يكفي للاستخراج من الصفحة.</p>"
    deep = "<div>" * depth + "<p>نص عربي في العمق.</p>" + "</div>" * depth
    last = "<p>بعد ذلك نص أطول قليلا من الأول في الصفحة نفسها.</p>"
    return f"<html><body>{first}{deep}{last}</body></html>".encode()


def test_html_nested_past_the_parser_depth_is_refused() -> None:
    pytest.importorskip("trafilatura")
    from translate.documents import ExtractionLimitError, document_text, read_document

    text = document_text(read_document(_nested(200), kind="html")).text
    assert "في العمق" in text and "بعد ذلك" in text  # all of it, below the limit
    for depth in (300, 100_000):  # before: only the first paragraph came back, silently
        with pytest.raises(ExtractionLimitError, match="deeper than 255 levels"):
            read_document(_nested(depth), kind="html")
