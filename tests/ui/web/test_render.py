"""ui.web.render: pure HTML/text rendering (no gradio, no model)."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import pytest

from summarize.types import SummarySentence
from tests.tiny_models import REPO
from translate.types import Segment
from ui.web import downloads, render


def seg(index: int, sentence: int, source: str, target: str, *, paragraph: int = 0, flags=()):
    return Segment(
        index=index,
        source=source,
        start=0,
        end=len(source),
        target=target,
        paragraph=paragraph,
        sentence=sentence,
        flags=tuple(flags),
    )


SEGMENTS = [
    seg(0, 0, "قال الوزير.", "The minister said."),
    seg(1, 1, "الجزء الأول،", "The first part,", flags=("windowed",)),
    seg(2, 1, "والجزء الثاني.", "and the second part.", flags=("windowed", "numbers")),
    seg(
        3,
        2,
        "خبر <b>جديد</b>.",
        "New <script>alert(1)</script> news.",
        paragraph=1,
        flags=("repetition", "degenerate", "retried"),
    ),
]


def test_import_needs_neither_gradio_nor_torch() -> None:
    code = "import sys, ui.web.render; assert not {'gradio', 'torch'} & set(sys.modules)"
    subprocess.run([sys.executable, "-c", code], check=True, cwd=REPO)


def test_aligned_rows_join_windows_of_one_sentence() -> None:
    rows = render.aligned_rows(SEGMENTS)
    assert [r.sentence for r in rows] == [0, 1, 2]
    assert rows[1].source == "الجزء الأول، والجزء الثاني."
    assert rows[1].target == "The first part, and the second part."
    assert rows[1].segments == [1, 2]
    assert rows[1].flags == ("windowed", "numbers")
    assert rows[0].severity is None
    assert rows[1].severity == "warn"
    assert rows[2].severity == "bad"


def test_aligned_rows_record_which_summary_sentences_cite_them() -> None:
    summary = [SummarySentence("a", [2, 0]), SummarySentence("b", [1]), SummarySentence("c", [])]
    rows = render.aligned_rows(SEGMENTS, summary)
    assert rows[0].cited_by == [1]
    assert rows[1].cited_by == [1, 2]  # segments 1 and 2 are one row; no duplicate
    assert rows[2].cited_by == []


def test_aligned_view_escapes_text_and_marks_flags() -> None:
    html = render.aligned_view(SEGMENTS, [SummarySentence("x", [0])])
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "<b>" not in html and "&lt;b&gt;" in html
    assert html.count('<tr id="tj-sent-') == 3
    assert 'dir="rtl"' in html and 'lang="ar"' in html
    assert "tj-flagged-bad" in html and "tj-flagged-warn" in html
    assert 'class="tj-badge tj-bad"' in html and ">repetition<" in html
    assert "tj-new-paragraph" in html  # the third row starts paragraph 1
    assert "Σ1" in html
    assert "2 flagged" in html


def test_aligned_view_empty_and_pending() -> None:
    assert "appears here" in render.aligned_view([])
    assert "Translating the next sentences" in render.aligned_view(SEGMENTS[:1], pending=True)


def test_flag_badges_worst_first_and_unknown_flags_escaped() -> None:
    html = render.flag_badges(["windowed", "numbers", "degenerate", "<odd>"])
    labels = re.findall(r">([^<>]+)</span>", html)
    assert labels[0] == "degenerate"
    assert labels[-1] == "split"
    assert "&lt;odd&gt;" in html and "<odd>" not in html


def test_provenance_links_point_to_aligned_rows() -> None:
    summary = [
        SummarySentence("New <i>news</i>.", [3], ("estimated-sources",)),
        SummarySentence("Both parts.", [2, 1]),
        SummarySentence("Nothing.", []),
    ]
    html = render.provenance_view(summary, SEGMENTS)
    assert 'href="#tj-sent-3"' in html  # segment 3 is the third row
    assert html.count('href="#tj-sent-2"') == 1  # two segments of one row: one link
    assert "&lt;i&gt;news&lt;/i&gt;" in html
    assert "no matching source sentence" in html
    assert "estimated by word overlap" in html
    assert render.provenance_view([], SEGMENTS) == ""


@pytest.mark.parametrize(
    ("message", "hint", "expected"),
    [
        (None, None, ""),
        ("", None, ""),
        ("The input is empty.", None, "The input is empty."),
        ("Bad <tag> & more", "Fix: <do> this", "Bad &lt;tag&gt; &amp; more"),
    ],
)
def test_error_box(message, hint, expected) -> None:
    html = render.error_box(message, hint=hint)
    if not expected:
        assert html == ""
        return
    assert expected in html and 'role="alert"' in html
    if hint:
        assert "Fix: &lt;do&gt; this" in html


def test_error_box_shows_code_as_code_and_the_hint_apart() -> None:
    html = render.error_box("Model <x> missing.", hint="Restart with `tarjama ui --model <DIR>`.")
    assert '<p class="tj-error-message">Model &lt;x&gt; missing.</p>' in html
    code = "<code>tarjama ui --model &lt;DIR&gt;</code>"
    assert f'<p class="tj-error-hint">Restart with {code}.</p>' in html
    assert "<code>" not in render.error_box("An odd ` backtick")


def test_model_status_lists_each_model_and_the_note() -> None:
    html = render.model_status(
        [("Translation", "opus-mt-ar-en", "ready", True), ("Summary", "<b>", "missing", False)],
        "Summaries are `extractive`.",
    )
    assert "tj-model-ready" in html and "tj-model-missing" in html
    assert "&lt;b&gt;" in html and "<code>extractive</code>" in html


def test_status_box_states() -> None:
    assert "tj-spinner" in render.status_box("Working", "working")
    assert "tj-spinner" not in render.status_box("Done <now>", "done")
    assert "Done &lt;now&gt;" in render.status_box("Done <now>", "done")


def test_downloads_hold_source_translation_summary_and_models() -> None:
    # One rendering: the downloads are `tarjama digest -f text|markdown|json` with the models
    # used, the Arabic source and a partial run's note added (ui.service.formatting.format_digest).
    from summarize.types import SummaryResult, SummarySentence
    from translate.types import TranslationResult

    meta = {"model": "opus-mt-ar-en", "backend": "transformers", "device": "cpu"}
    summary_meta = {"method": "extractive", "model": None, "length": "short"}
    translation = TranslationResult("English text.", [], meta)
    summary = SummaryResult("Summary.", [SummarySentence("Summary.", [0])], summary_meta)
    digest = downloads.RunDigest("نص عربي", translation, summary)
    text = downloads.digest_download(digest, "text")
    md = downloads.digest_download(digest, "markdown")
    for out in (text, md):
        assert "opus-mt-ar-en (transformers, cpu)" in out
        assert "extractive" in out
        assert out.index("Summary.") < out.index("English text.") < out.index("نص عربي")
    assert "\nSUMMARY\nSummary.\n\nTRANSLATION\nEnglish text.\n" in text  # as the CLI's
    assert "## Translation" in md and "## Source (Arabic)" in md and "(segments 0)" in md
    partial = downloads.RunDigest("نص", TranslationResult("T.", [], meta), None)
    assert "(no summary)" in downloads.digest_download(partial, "text")
    stopped = downloads.digest_download(partial, "markdown", note="Stopped after 1 of 3.")
    assert "> Stopped after 1 of 3." in stopped
    data = json.loads(downloads.digest_download(partial, "json", note="Stopped."))
    assert data["complete"] is False and data["summary"] is None and data["source"] == "نص"


@pytest.mark.parametrize(
    ("source", "translation", "stem"),
    [
        (
            "عنوان\nنص",
            "Security Council meets on Aleppo today, envoy says\nMore.",
            "tarjama-security-council-meets-on-aleppo-today",
        ),
        ("مجلس الأمن يجتمع\nنص", "", "tarjama-مجلس-الأمن-يجتمع"),
        ("", "", "tarjama-article"),
        ("!!!", "...", "tarjama-article"),
    ],
)
def test_download_names_come_from_the_article(source: str, translation: str, stem: str) -> None:
    assert downloads.download_stem(source, translation) == stem


def test_aligned_csv_has_flags_and_provenance_and_no_formulas() -> None:
    import csv
    import io

    segments = [*SEGMENTS, seg(4, 3, "=1+1", "=HYPERLINK()", paragraph=1)]
    text = downloads.aligned_csv(segments, [SummarySentence("x", [1, 3])])
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text[1:])))
    assert rows[0] == ["sentence", "paragraph", "arabic", "english", "flags", "summary_sentences"]
    assert rows[2][2] == "الجزء الأول، والجزء الثاني." and rows[2][4] == "windowed;numbers"
    assert rows[2][5] == "1" and rows[3][5] == "1"
    assert rows[4][2] == "'=1+1" and rows[4][3] == "'=HYPERLINK()"
