"""The page editor's alternatives for a sentence the model translated in windows (issue 21)."""

from __future__ import annotations

from typing import Any

import pytest

pytest.importorskip("gradio")

from translate import Segment  # noqa: E402
from translate.alternatives import Alternative  # noqa: E402
from ui.web.editing import EditState, PageEdits  # noqa: E402

SOURCE = "الجزء الأول، والجزء الثاني، والجزء الثالث."


def windows() -> list[Segment]:
    cuts = [(0, 12), (13, 27), (28, len(SOURCE))]
    english = ["The first part,", "and the second part,", "and the third part."]
    confidence = [0.9, 0.4, 0.7]
    return [
        Segment(i, SOURCE[s:e], s, e, english[i], 0, 0, ("windowed",), None, confidence[i])
        for i, (s, e) in enumerate(cuts)
    ]


def test_a_windowed_sentence_gets_whole_sentence_alternatives(
    bench: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked: list[list[str]] = []

    def fake(translator: Any, result: Any, n: int) -> list[list[Alternative]]:
        asked.append([s.source for s in result.segments])
        return [[Alternative("The 1st part,", 0.5)], [Alternative("and part two,", 0.3)], []]

    monkeypatch.setattr("translate.alternatives.segment_alternatives", fake)
    edits = PageEdits(bench)
    state = EditState(source=SOURCE, model=None, method="extractive", length=None,
                      machine=windows(), meta={}, key="w1")  # fmt: skip
    edits.begin("w1", state)
    english, choices, _ = edits.open("w1", 1)
    assert english == "The first part, and the second part, and the third part."
    assert len(asked) == 1 and len(asked[0]) == 3  # one search, every window
    # least confident window first; the others keep their English; a window with none: none
    assert [value for _, value in choices] == [
        "The first part, and part two, and the third part.",
        "The 1st part, and the second part, and the third part.",
    ]
    edits.open("w1", 1)
    assert len(asked) == 1  # fetched once
