"""`tarjama translate|digest FILE|URL` with documents, and `--format docx|srt|vtt|tmx|xliff`
(the tiny model from the test registry; plain .txt and stdin are covered by test_cli.py)."""

from __future__ import annotations

import io
import sys
from pathlib import Path

import pytest

from tests.conftest import run_cli as run
from tests.documents_fixtures import (
    PAGES,
    SRT,
    make_docx,
    make_legacy_arabic_pdf,
    serve,
)
from ui.cli import main

DATA = Path(__file__).resolve().parents[2] / "data"


def test_translate_docx_to_bilingual_docx(registry, tmp_path: Path, capsys) -> None:
    import docx

    source = tmp_path / "statement.docx"
    make_docx(source)
    target = tmp_path / "statement.en.docx"
    code, out, err = run(capsys, "translate", source, "-o", target, "--model", "tiny")
    assert (code, out) == (0, ""), err
    document = docx.Document(str(target))  # the format came from the output's name
    assert [c.text for c in document.tables[0].rows[0].cells] == ["العربية", "English"]
    assert document.tables[0].rows[1].cells[0].text == "الحكومة تعلن خطة جديدة للطاقة"


def test_translate_srt_keeps_timings(registry, tmp_path: Path, capsys) -> None:
    from translate.documents import read_document

    source = tmp_path / "report.srt"
    source.write_text(SRT, encoding="utf-8")
    code, out, err = run(capsys, "translate", source, "--format", "srt", "--model", "tiny")
    assert code == 0, err
    again = read_document(out.encode(), kind="srt")
    original = read_document(source)
    assert [(b.start_ms, b.end_ms) for b in again.blocks] == [
        (b.start_ms, b.end_ms) for b in original.blocks
    ]


def test_translate_a_saved_page_as_markdown(registry, capsys) -> None:
    code, out, err = run(
        capsys, "translate", PAGES / "economy.html", "-f", "markdown", "--model", "tiny"
    )
    assert code == 0, err
    assert out.startswith("# البنك المركزي يتوقع نمو الاقتصاد")
    assert "## Sentences" in out and out.count("\n|") > 10


def test_translate_a_url(registry, capsys) -> None:
    with serve() as (base, _):
        code, out, err = run(
            capsys, "translate", f"{base}/aleppo.html", "-f", "json", "--model", "tiny"
        )
        assert code == 0, err
        assert '"url": "' + base + '/aleppo.html"' in out
        code, _, err = run(capsys, "translate", f"{base}/missing", "--model", "tiny")
        assert code == 1 and "HTTP 404" in err and "Traceback" not in err


def test_translate_text_into_tmx_and_xliff(registry, tmp_path: Path, capsys, monkeypatch) -> None:
    from lxml import etree

    source = tmp_path / "brief.ar.txt"
    source.write_text("قال الوزير إن العمل سيستمر.\nوأضاف أن الوفد سيصل غدا.\n", encoding="utf-8")
    code, out, err = run(capsys, "translate", source, "-f", "tmx", "--model", "tiny")
    assert code == 0, err
    tree = etree.fromstring(out.encode())
    assert etree.DTD(str(DATA / "tmx14.dtd")).validate(tree)
    assert len(tree.findall("body/tu")) == 2
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(source.read_bytes())))
    code, out, err = run(capsys, "translate", "-", "-f", "xliff", "--model", "tiny")
    assert code == 0 and out.startswith('<?xml version="1.0" encoding="UTF-8"?>\n<xliff'), err


def test_docx_is_not_written_to_a_terminal(registry, tmp_path: Path, capsys, monkeypatch) -> None:
    source = tmp_path / "statement.docx"
    make_docx(source)
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)
    code, out, err = run(capsys, "translate", source, "-f", "docx", "--model", "tiny")
    assert code == 2 and "--output FILE.docx" in err and out == ""


def test_docx_to_a_pipe(registry, tmp_path: Path, capsysbinary) -> None:
    source = tmp_path / "statement.docx"
    make_docx(source)
    code = main(["translate", str(source), "-f", "docx", "--model", "tiny"])
    assert code == 0 and capsysbinary.readouterr().out[:2] == b"PK"


@pytest.mark.parametrize(
    ("name", "data", "code", "message"),
    [
        ("bad.docx", b"not a zip", 1, "not a Word .docx file"),
        ("locked.pdf", None, 1, "needs a password"),
        ("bad.srt", b"1\n00:00:01 --> 00:00:02\n", 1, "bad.srt, line 2"),
        ("missing.pdf", "absent", 2, "Cannot read"),
    ],
)
def test_bad_documents_give_messages(
    registry, tmp_path: Path, capsys, name, data, code, message
) -> None:
    path = tmp_path / name
    if data is None:
        data = make_legacy_arabic_pdf(["قال الوزير."], owner_password="o", user_password="u")
    if data != "absent":
        path.write_bytes(data)
    got, _, err = run(capsys, "translate", path, "--model", "tiny")
    assert got == code and message in err and "Traceback" not in err


def test_subtitle_format_needs_subtitles(registry, tmp_path: Path, capsys) -> None:
    source = tmp_path / "statement.docx"
    make_docx(source)
    code, _, err = run(capsys, "translate", source, "-f", "srt", "--model", "tiny")
    assert code == 1 and "needs subtitles" in err


def test_digest_a_document(registry, tmp_path: Path, capsys) -> None:
    source = tmp_path / "statement.docx"
    make_docx(source)
    code, out, err = run(
        capsys, "digest", source, "--model", "tiny", "--method", "extractive", "--length", "1"
    )
    assert code == 0, err
    assert out.startswith("SUMMARY\n") and "TRANSLATION\n" in out


def test_document_json_is_a_superset_of_text_json(
    registry, tmp_path: Path, article: Path, capsys
) -> None:
    """One JSON shape for scripts: text, segments (with spans into the source) and meta for
    plain text and for documents alike; documents add their blocks."""
    import json

    from translate.documents import document_text, read_document

    code, out, err = run(capsys, "translate", article, "-f", "json", "--model", "tiny")
    assert code == 0, err
    plain = json.loads(out)
    source = article.read_text(encoding="utf-8")
    assert {"text", "segments", "meta"} <= set(plain)
    assert all(source[s["start"] : s["end"]] == s["source"] for s in plain["segments"])

    page = PAGES / "economy.html"
    code, out, err = run(capsys, "translate", page, "-f", "json", "--model", "tiny")
    assert code == 0, err
    doc = json.loads(out)
    assert set(plain) <= set(doc) and "blocks" in doc
    text = document_text(read_document(page)).text
    assert doc["segments"] and all(
        text[s["start"] : s["end"]] == s["source"] for s in doc["segments"]
    )
    assert [s["index"] for s in doc["segments"]] == list(range(len(doc["segments"])))

    subtitles = tmp_path / "report.srt"
    subtitles.write_text(SRT, encoding="utf-8")
    target = tmp_path / "report.json"
    code, out, err = run(
        capsys, "translate", subtitles, "-f", "json", "-o", target, "--model", "tiny"
    )
    assert (code, out) == (0, ""), err
    cues = json.loads(target.read_text(encoding="utf-8"))
    text = document_text(read_document(subtitles)).text
    for s in cues["segments"]:  # a sentence over several cues spans those cues
        assert 0 <= s["start"] < s["end"] <= len(text) and s["blocks"]
