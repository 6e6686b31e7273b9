"""Translating documents with their structure, and the writers: bilingual .docx, .srt/.vtt
round trips, TMX 1.4 (validated against the DTD), XLIFF 2.0 (validated against the core
schema's structure), Markdown, JSON, text.

Most tests use a real Translator over a stub engine (deterministic English, so the structure
can be checked exactly); one runs the tiny random MarianMT end to end."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from tests.documents_fixtures import SRT, VTT, make_docx, stub_translator
from translate.documents import (
    Block,
    Document,
    DocumentError,
    DocumentMeta,
    UnsupportedFormatError,
    read_document,
    save_document,
    translate_document,
    write_document,
)
from translate.documents.translation import spread_words

DATA = Path(__file__).parent / "data"
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


@pytest.fixture(scope="module")
def stub(tmp_path_factory: pytest.TempPathFactory):
    return stub_translator(tmp_path_factory.mktemp("stub-model"))


@pytest.fixture(scope="module")
def docx_doc() -> Document:
    return read_document(make_docx(), filename="statement.docx")


@pytest.fixture(scope="module")
def srt_doc() -> Document:
    return read_document(SRT.encode(), filename="report.srt")


def _words(text: str) -> int:
    return len(text.split())


# -- translation keeping structure ---------------------------------------------------------------
def test_blocks_keep_their_kind_and_place(stub, docx_doc: Document) -> None:
    stub.backend.calls.clear()
    translated = translate_document(docx_doc, stub)
    assert [t.block for t in translated.blocks] == list(docx_doc.blocks)
    for item in translated.blocks:
        if item.block.kind == "cell" and item.block.text == "2024":
            assert item.target == "2024" and item.flags == ("passthrough",)
        else:
            assert _words(item.target) == _words(item.block.translation_text)
    # Sentences of every block went to the engine together, in one batch.
    assert len(stub.backend.calls) == 1
    assert len(stub.backend.calls[0]) == sum(len(t.segments) for t in translated.blocks)
    assert translated.meta["backend"] == "transformers"
    assert [p.source for p in translated.pairs][:3] == [
        "الحكومة تعلن خطة جديدة للطاقة",
        "أعلنت الحكومة اليوم خطة جديدة للطاقة المتجددة.",
        "وتشمل الخطة بناء محطات شمسية.",
    ]
    assert translated.pairs[1].blocks == (1,)


def test_a_sentence_over_two_cues_is_translated_once_and_spread(stub, srt_doc: Document) -> None:
    stub.backend.calls.clear()
    translated = translate_document(srt_doc, stub)
    sent = stub.backend.calls[0]
    assert "قال الوزير إن الحكومة ستواصل العمل على الخطة الجديدة." in sent
    first, second = translated.blocks[0], translated.blocks[1]
    # 9 English words for 4 + 5 Arabic words, split in proportion at a word boundary.
    assert f"{first.target} {second.target}".split() == [f"w{n}" for n in range(1, 10)]
    assert _words(first.target) == 4 and _words(second.target) == 5
    pair = translated.pairs[0]
    assert pair.blocks == (0, 1) and pair.source.endswith("الجديدة.")
    # Cue count and timings never change.
    assert [(t.block.start_ms, t.block.end_ms) for t in translated.blocks] == [
        (b.start_ms, b.end_ms) for b in srt_doc.blocks
    ]
    # The last cue holds two display lines but one sentence; its number survives.
    assert translated.blocks[4].target.split()[2] == "15"


def test_cue_runs_stop_at_pauses_and_sentence_ends(stub) -> None:
    cues = (
        Block("cue", "قال الوزير", index=1, start_ms=0, end_ms=1000),
        Block("cue", "إن الحكومة", index=2, start_ms=5000, end_ms=6000),  # after a 4 s pause
        Block("cue", "ستعمل.", index=3, start_ms=6000, end_ms=7000),
        Block("cue", "وأضاف", index=4, start_ms=7000, end_ms=8000),
    )
    stub.backend.calls.clear()
    translated = translate_document(Document(cues, DocumentMeta("srt")), stub)
    assert sorted(stub.backend.calls[0]) == sorted(["قال الوزير", "إن الحكومة ستعمل.", "وأضاف"])
    assert [p.blocks for p in translated.pairs] == [(0,), (1, 2), (3,)]


def test_flagged_sentences_and_errors(tmp_path: Path) -> None:
    translator = stub_translator(tmp_path)
    translator.max_chars = 80
    document = Document(
        (
            Block("paragraph", "قال الوزير إن 15 مشروعا مشكوك فيها."),
            Block("paragraph", "وأضاف " + "كلام " * 30),
            Block("paragraph", "وختم حديثه."),
        ),
        DocumentMeta("text"),
    )
    translated = translate_document(document, translator)
    assert translated.blocks[0].flags == ("numbers",)
    assert translated.blocks[1].error and "limit is 80" in translated.blocks[1].error
    assert translated.blocks[1].target == "" and "error" in translated.blocks[1].flags
    assert translated.blocks[2].target == "w1 w2"
    assert any("Block 2 was not translated" in w for w in translated.warnings)


def test_a_document_without_arabic(stub) -> None:
    document = Document((Block("paragraph", "Only English here."),), DocumentMeta("text"))
    with pytest.raises(DocumentError, match="no Arabic letters"):
        translate_document(document, stub)


@pytest.mark.parametrize(
    ("text", "weights", "expected"),
    [
        ("a b c d e f", [1, 1], ["a b c", "d e f"]),
        ("a b c d e f", [1, 2], ["a b", "c d e f"]),
        ("a b", [5, 1, 1], ["a", "b", ""]),
        ("a b c", [0, 0, 9], ["a", "b", "c"]),  # every cue keeps a word when there are enough
        ("a b c d", [0, 0], ["a b", "c d"]),
        ("", [1, 1], ["", ""]),
        ("a b c", [3], ["a b c"]),
    ],
)
def test_spread_words(text: str, weights: list[int], expected: list[str]) -> None:
    parts = spread_words(text, weights)
    assert parts == expected
    assert " ".join(p for p in parts if p).split() == text.split()


# -- subtitles out -------------------------------------------------------------------------------
def test_srt_round_trip_keeps_cues_and_timings(stub, srt_doc: Document, tmp_path: Path) -> None:
    translated = translate_document(srt_doc, stub)
    out = save_document(translated, tmp_path / "report.en.srt")
    again = read_document(out)
    assert len(again.blocks) == len(srt_doc.blocks)
    assert [(b.start_ms, b.end_ms) for b in again.blocks] == [
        (b.start_ms, b.end_ms) for b in srt_doc.blocks
    ]
    assert [b.translation_text for b in again.blocks] == [t.target for t in translated.blocks]
    assert "01:02:03,004 --> 01:02:05,678" in out.read_text(encoding="utf-8")


def test_vtt_round_trip_keeps_identifiers_settings_and_styles(stub, tmp_path: Path) -> None:
    source = read_document(VTT.encode(), filename="report.vtt")
    translated = translate_document(source, stub)
    text = write_document(translated, "vtt").decode("utf-8")
    assert text.startswith("WEBVTT Kind: captions\n\nSTYLE\n::cue { color: yellow }\n")
    assert "intro\n00:00:01.000 --> 00:00:03.500 align:start position:10%\n" in text
    again = read_document(text.encode(), kind="vtt")
    assert [(b.start_ms, b.end_ms, b.identifier) for b in again.blocks] == [
        (b.start_ms, b.end_ms, b.identifier) for b in source.blocks
    ]
    # SRT from a VTT source and back: the same timings.
    srt = read_document(write_document(translated, "srt"), kind="srt")
    assert [(b.start_ms, b.end_ms) for b in srt.blocks] == [
        (b.start_ms, b.end_ms) for b in source.blocks
    ]


def test_subtitle_formats_need_subtitles(stub, docx_doc: Document) -> None:
    translated = translate_document(docx_doc, stub)
    for fmt in ("srt", "vtt"):
        with pytest.raises(UnsupportedFormatError, match="needs subtitles"):
            write_document(translated, fmt)


# -- the bilingual .docx -------------------------------------------------------------------------
def test_bilingual_docx(stub, docx_doc: Document, tmp_path: Path) -> None:
    import docx

    translated = translate_document(docx_doc, stub)
    path = save_document(translated, tmp_path / "statement.en.docx")
    document = docx.Document(str(path))
    table = document.tables[0]
    assert len(table.columns) == 2
    assert [c.text for c in table.rows[0].cells] == ["العربية", "English"]
    # one row per block, a source table as one row holding a table in each column
    non_cells = [t for t in translated.blocks if t.block.kind != "cell"]
    assert len(table.rows) == 1 + len(non_cells) + 1
    heading_row = table.rows[1].cells
    assert heading_row[0].paragraphs[0].style.name == "Heading 1"
    assert heading_row[1].paragraphs[0].style.name == "Heading 1"
    assert heading_row[0].text == "الحكومة تعلن خطة جديدة للطاقة"
    assert heading_row[1].text == translated.blocks[0].target
    # Arabic paragraphs and runs are right to left
    arabic = heading_row[0].paragraphs[0]
    assert arabic._p.pPr.find(f"{W}bidi") is not None
    assert all(run._r.rPr.find(f"{W}rtl") is not None for run in arabic.runs)
    assert heading_row[1].paragraphs[0]._p.find(f"{W}pPr/{W}bidi") is None
    # the source table survives as tables of the same shape, the Arabic one right to left
    table_row = table.rows[4].cells
    arabic_table, english_table = table_row[0].tables[0], table_row[1].tables[0]
    assert len(arabic_table.rows) == len(english_table.rows) == 3
    assert arabic_table.cell(1, 1).text == "500 ميغاواط"
    assert english_table.cell(2, 1).text == "2024"
    assert arabic_table._tbl.tblPr.find(f"{W}bidiVisual") is not None


def test_docx_marks_flagged_sentences(tmp_path: Path) -> None:
    import docx
    from docx.enum.text import WD_COLOR_INDEX

    document = Document(
        (Block("paragraph", "قال الوزير إن 15 مشروعا مشكوك فيها. وأضاف أن العمل مستمر."),),
        DocumentMeta("text", title="بيان"),
    )
    translated = translate_document(document, stub_translator(tmp_path))
    out = docx.Document(io.BytesIO(write_document(translated, "docx")))
    row = out.tables[0].rows[1].cells
    english = row[1].paragraphs[0].runs
    flagged = [r for r in english if r.font.highlight_color == WD_COLOR_INDEX.YELLOW]
    assert [r.text for r in flagged] == ["w1 w2 w3 w4 w5 w6 w7"]
    assert any(r.text == " [numbers]" for r in english)
    arabic_flagged = [r for r in row[0].paragraphs[0].runs if r.font.highlight_color]
    assert [r.text for r in arabic_flagged] == ["قال الوزير إن 15 مشروعا مشكوك فيها."]


# -- TMX and XLIFF -------------------------------------------------------------------------------
def test_tmx_validates_against_the_dtd(stub, docx_doc: Document) -> None:
    from lxml import etree

    translated = translate_document(docx_doc, stub)
    data = write_document(translated, "tmx")
    tree = etree.fromstring(data)
    dtd = etree.DTD(str(DATA / "tmx14.dtd"))
    assert dtd.validate(tree), dtd.error_log.filter_from_errors()
    units = tree.findall("body/tu")
    assert len(units) == len(translated.pairs)
    lang = "{http://www.w3.org/XML/1998/namespace}lang"
    first = units[0].findall("tuv")
    assert [t.get(lang) for t in first] == ["ar", "en"]
    assert first[0].findtext("seg") == translated.pairs[0].source
    assert first[1].findtext("seg") == translated.pairs[0].target
    assert units[0].findtext("prop[@type='x-context']") == "heading 1"
    assert tree.find("header").get("srclang") == "ar"


def test_tmx_of_subtitles_names_the_cues(stub, srt_doc: Document) -> None:
    from lxml import etree

    tree = etree.fromstring(write_document(translate_document(srt_doc, stub), "tmx"))
    assert etree.DTD(str(DATA / "tmx14.dtd")).validate(tree)
    context = tree.findtext("body/tu/prop[@type='x-context']")
    assert context == ("cue 1 00:00:01,000 --> 00:00:03,500; cue 2 00:00:03,600 --> 00:00:06,000")


def _xliff_schema():
    from lxml import etree

    return etree.XMLSchema(etree.parse(str(DATA / "xliff_core_2.0_subset.xsd")))


@pytest.mark.parametrize("fixture", ["docx_doc", "srt_doc"])
def test_xliff_validates(stub, fixture: str, request: pytest.FixtureRequest) -> None:
    from lxml import etree

    source = request.getfixturevalue(fixture)
    translated = translate_document(source, stub)
    tree = etree.fromstring(write_document(translated, "xliff"))
    schema = _xliff_schema()
    assert schema.validate(tree), schema.error_log.filter_from_errors()
    ns = {"x": "urn:oasis:names:tc:xliff:document:2.0"}
    assert tree.get("srcLang") == "ar" and tree.get("trgLang") == "en"
    segments = tree.findall(".//x:segment", ns)
    assert len(segments) == len(translated.pairs)
    if fixture == "docx_doc":
        # segments and ignorables rebuild each block's text exactly
        units = tree.findall(".//x:unit", ns)
        texts = [b.translation_text for b in source.blocks if b.translation_text]
        rebuilt = [
            "".join(
                s.findtext("x:source", "", ns)
                for s in u
                if s.tag.endswith(("segment", "ignorable"))
            )
            for u in units
        ]
        assert rebuilt == texts


def test_xliff_notes_for_flags_and_errors(tmp_path: Path) -> None:
    from lxml import etree

    translator = stub_translator(tmp_path)
    translator.max_chars = 60
    document = Document(
        (
            Block("paragraph", "قال الوزير إن 15 مشروعا مشكوك فيها."),
            Block("paragraph", "كلام " * 30),
        ),
        DocumentMeta("text"),
    )
    tree = etree.fromstring(write_document(translate_document(document, translator), "xliff"))
    assert _xliff_schema().validate(tree)
    ns = {"x": "urn:oasis:names:tc:xliff:document:2.0"}
    notes = [(n.get("category"), n.text) for n in tree.findall(".//x:note", ns)]
    assert notes[0] == ("tarjama-flags", "s1: numbers")
    assert notes[1][0] == "error" and "limit is 60" in notes[1][1]
    untranslated = tree.findall(".//x:unit", ns)[1].find("x:segment", ns)
    assert untranslated.find("x:target", ns) is None and untranslated.get("state") is None


# -- text, markdown, json, files -----------------------------------------------------------------
def test_text_markdown_json(stub, docx_doc: Document) -> None:
    translated = translate_document(docx_doc, stub)
    text = write_document(translated, "text").decode()
    assert text.startswith(translated.blocks[0].target + "\n\n")
    assert "w1 w2\t\nw1\t500 w2\nw1\t2024\n" in text  # the table as rows of cells
    markdown = write_document(translated, "markdown").decode()
    assert markdown.startswith("# بيان صحفي\n")
    assert f"## {translated.blocks[0].target}" in markdown
    assert "| w1 w2 |  |\n|---|---|\n| w1 | 500 w2 |" in markdown and "## Sentences" in markdown
    data = json.loads(write_document(translated, "json"))
    assert data["meta"]["document"]["source_format"] == "docx"
    assert len(data["blocks"]) == len(docx_doc.blocks) and data["pairs"][0]["blocks"] == [0]
    with pytest.raises(UnsupportedFormatError, match="Unknown output format"):
        write_document(translated, "rtf")


def test_save_document_by_suffix(stub, srt_doc: Document, tmp_path: Path) -> None:
    translated = translate_document(srt_doc, stub)
    for name in ("a.srt", "a.vtt", "a.tmx", "a.xlf", "a.md", "a.json", "a.txt", "a.docx"):
        assert save_document(translated, tmp_path / name).stat().st_size > 0
    with pytest.raises(UnsupportedFormatError, match="Cannot tell the output format"):
        save_document(translated, tmp_path / "a.odt")
    assert not list(tmp_path.glob(".a.*"))  # no temporary file left behind


# -- the tiny real model, end to end -------------------------------------------------------------
def test_tiny_model_translates_a_docx_end_to_end(translator, docx_doc: Document) -> None:
    from lxml import etree

    translated = translate_document(docx_doc, translator)
    assert len(translated.blocks) == len(docx_doc.blocks)
    for item in translated.blocks:
        assert item.error is None
        assert item.target.strip() or not item.block.translation_text
    tree = etree.fromstring(write_document(translated, "tmx"))
    assert etree.DTD(str(DATA / "tmx14.dtd")).validate(tree)
    assert write_document(translated, "docx")[:2] == b"PK"


# -- built from a text already translated (the page's segments) ----------------------------------
def test_a_document_made_of_its_texts_segments_equals_translating_it(
    stub, docx_doc: Document
) -> None:
    from translate.documents import document_from_segments, document_text

    whole = document_text(docx_doc)
    page = stub.translate(whole.text)  # the page translates the document's text at once
    built = document_from_segments(docx_doc, whole.spans, page.segments, {"model": "m"})
    direct = translate_document(docx_doc, stub)
    assert [(b.block, b.target) for b in built.blocks] == [
        (b.block, b.target) for b in direct.blocks
    ]
    assert [(p.source, p.target, p.blocks) for p in built.pairs] == [
        (p.source, p.target, p.blocks) for p in direct.pairs
    ]
    for item in built.blocks:  # offsets index the block's own text
        for seg in item.segments:
            assert item.block.translation_text[seg.start : seg.end] == seg.source
    for fmt in ("docx", "tmx", "xliff"):
        assert write_document(built, fmt)
    with pytest.raises(ValueError):
        document_from_segments(read_document(SRT.encode(), filename="a.srt"), [], [])
