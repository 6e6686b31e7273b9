"""Files: Word .docx (reading order, tables, zip bombs, not-a-docx), PDF (Arabic stored in
visual order and presentation forms, encrypted, scanned), .srt/.vtt (timings, malformed
files), plain text, and how read_document picks a reader."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from tests.documents_fixtures import (
    SRT,
    VTT,
    make_docx,
    make_image_pdf,
    make_legacy_arabic_pdf,
    make_shaped_arabic_pdf,
    make_zip,
    shape_presentation_forms,
    to_visual,
)
from translate.documents import (
    Document,
    DocumentError,
    DocxError,
    EncryptedPdfError,
    NoTextLayerError,
    PdfError,
    SubtitleError,
    UnsupportedFormatError,
    document_text,
    read_document,
    sniff_kind,
)
from translate.documents.visual_order import (
    fold_presentation_forms,
    looks_visual,
    visual_to_logical,
)
from translate.errors import InputError

PARAGRAPHS = [
    "قال الوزير إن الحكومة ستواصل العمل في عام 2024.",
    "وأكد السلام أن نسبة النمو بلغت 3.5 هذا العام.",
    "الإعلان لا يشمل القطاع الخاص ولا المصارف.",
]


# -- .docx ---------------------------------------------------------------------------------------
def test_docx_reading_order_headings_and_tables(tmp_path: Path) -> None:
    path = tmp_path / "statement.docx"
    make_docx(path)
    document = read_document(path)
    kinds = [(b.kind, b.text) for b in document.blocks]
    assert kinds[:3] == [
        ("heading", "الحكومة تعلن خطة جديدة للطاقة"),
        (
            "paragraph",
            "أعلنت الحكومة اليوم خطة جديدة للطاقة المتجددة. وتشمل الخطة بناء محطات شمسية.",
        ),
        ("heading", "أبرز الأرقام"),
    ]
    assert document.blocks[0].level == 1 and document.blocks[2].level == 2
    cells = [(b.row, b.col, b.text) for b in document.blocks if b.kind == "cell"]
    assert cells == [  # the merged header cell appears once
        (0, 0, "ملخص المشروع"),
        (1, 0, "القدرة"),
        (1, 1, "500 ميغاواط"),
        (2, 0, "التكلفة"),
        (2, 1, "2024"),
    ]
    assert kinds[-1] == ("paragraph", "وقال الوزير إن العمل سيبدأ الشهر المقبل.")
    assert document.meta.title == "بيان صحفي" and document.meta.author == "وزارة الاقتصاد"
    assert document.meta.filename == "statement.docx" and document.meta.date


def test_docx_zip_bomb_is_refused() -> None:
    real = zipfile.ZipFile(__import__("io").BytesIO(make_docx()))
    parts = {name: real.read(name) for name in real.namelist()}
    parts["word/media/filler.bin"] = b"\x00" * 3_000_000  # deflates ~1000x
    with pytest.raises(DocxError, match="zip bomb") as caught:
        read_document(make_zip(parts), filename="bomb.docx")
    assert isinstance(caught.value, InputError)


def test_docx_total_unpacked_size_is_capped(monkeypatch: pytest.MonkeyPatch) -> None:
    import translate.documents.docx_reader as reader

    monkeypatch.setattr(reader, "MAX_UNCOMPRESSED_BYTES", 10_000)
    with pytest.raises(DocxError, match="would unpack to"):
        read_document(make_docx(), filename="big.docx")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"just some text pretending", "not a ZIP package"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "old binary Word .doc"),
        (make_zip({"xl/workbook.xml": b"<x/>", "[Content_Types].xml": b"<x/>"}), "Excel workbook"),
        (make_zip({"content.xml": b"<x/>", "mimetype": b"x"}), "OpenDocument"),
        (make_zip({"readme.txt": b"hello"}), "a ZIP archive"),
        (make_zip({"word/document.xml": b"<broken", "[Content_Types].xml": b"<x/>"}), "damaged"),
    ],
    ids=["text", "doc", "xlsx", "odt", "zip", "damaged"],
)
def test_not_a_docx(data: bytes, message: str) -> None:
    with pytest.raises(DocxError, match=message):
        read_document(data, kind="docx", filename="file.docx")


def test_docx_with_empty_body() -> None:
    import io

    import docx

    buffer = io.BytesIO()
    docx.Document().save(buffer)
    with pytest.raises(DocxError, match="no text"):
        read_document(buffer.getvalue(), filename="empty.docx")


# -- PDF -----------------------------------------------------------------------------------------
def test_fixture_really_stores_visual_presentation_forms() -> None:
    """The legacy fixture holds what old writers hold: reversed presentation-form glyphs."""
    import io

    from pdfminer.high_level import extract_text

    raw = extract_text(io.BytesIO(make_legacy_arabic_pdf(PARAGRAPHS[:1])))
    assert any("\ufe70" <= ch <= "\ufeff" for ch in raw)
    assert raw.strip().startswith(".2024")  # the sentence's end comes first


@pytest.mark.parametrize(
    "maker", [make_legacy_arabic_pdf, make_shaped_arabic_pdf], ids=["legacy", "harfbuzz"]
)
def test_pdf_arabic_comes_out_logical_with_base_letters(maker) -> None:
    if maker is make_shaped_arabic_pdf:
        pytest.importorskip("uharfbuzz")
    document = read_document(maker(PARAGRAPHS), filename="statement.pdf")
    assert [b.text for b in document.blocks] == PARAGRAPHS
    assert all(b.kind == "paragraph" and b.page == 1 for b in document.blocks)
    assert not any("\ufb50" <= ch <= "\ufeff" for b in document.blocks for ch in b.text)
    assert document.meta.source_format == "pdf" and document.meta.extra["pages"] == 1


def test_encrypted_pdf_needs_a_password() -> None:
    data = make_legacy_arabic_pdf(PARAGRAPHS[:1], owner_password="owner", user_password="secret")
    with pytest.raises(EncryptedPdfError, match="needs a password") as caught:
        read_document(data, filename="locked.pdf")
    assert isinstance(caught.value, InputError)


def test_pdf_with_only_an_owner_password_opens() -> None:
    data = make_legacy_arabic_pdf(PARAGRAPHS[:1], owner_password="owner")
    assert read_document(data, kind="pdf").blocks[0].text == PARAGRAPHS[0]


def test_scanned_pdf_has_no_text_layer(tmp_path: Path) -> None:
    with pytest.raises(NoTextLayerError, match="no text layer.*OCR"):
        read_document(make_image_pdf(tmp_path), filename="scan.pdf")


@pytest.mark.parametrize(
    "data",
    [b"%PDF-1.7\n garbage that is not a pdf", b"not a pdf at all"],
    ids=["damaged", "not-pdf"],
)
def test_damaged_pdf(data: bytes) -> None:
    with pytest.raises(PdfError):
        read_document(data, kind="pdf", filename="bad.pdf")


# -- visual order, pure ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    "logical",
    [
        "قال الوزير إن الحكومة ستواصل العمل.",
        "بلغت النسبة 3.5 في عام 2024.",
        "زار الوفد New York أمس (للمرة الأولى).",
        "الأرقام: ١٢٣ و٤٥٦ مليون دولار.",
    ],
)
def test_visual_to_logical_round_trip(logical: str) -> None:
    visual = "".join({"(": ")", ")": "("}.get(ch, ch) for ch in _bidi_visual(logical))
    assert visual_to_logical(visual) == logical


def _bidi_visual(line: str) -> str:
    """Visual order of a right-to-left line with left-to-right runs (Latin, numbers)."""
    import re

    digit = "A-Za-z0-9\u0660-\u0669"
    runs = re.compile(f"[{digit}][{digit} .,%]*[{digit}]|[{digit}]")
    return runs.sub(lambda m: m.group()[::-1], line[::-1])


def test_order_detection_on_letters_and_forms() -> None:
    text = "قال الوزير إن الحكومة ستواصل العمل على الخطة الجديدة في المدينة"
    assert not looks_visual(text)
    assert looks_visual(text[::-1])
    shaped = shape_presentation_forms(text)
    assert not looks_visual(shaped) and looks_visual(to_visual(shaped))
    assert fold_presentation_forms(shaped) == text
    assert fold_presentation_forms("\ufefb") == "لا"  # lam-alef ligature → two letters
    assert visual_to_logical("English only, 2024.") == "English only, 2024."


# -- subtitles -----------------------------------------------------------------------------------
def test_srt_cues_and_timings() -> None:
    document = read_document(SRT.encode("utf-8"), filename="report.srt")
    cues = document.blocks
    assert [c.kind for c in cues] == ["cue"] * 5 and [c.index for c in cues] == [1, 2, 3, 4, 5]
    assert (cues[0].start_ms, cues[0].end_ms) == (1000, 3500)
    assert (cues[4].start_ms, cues[4].end_ms) == (3_723_004, 3_725_678)
    assert cues[2].text == "وأضاف أن الوفد سيصل غدا."  # <i> dropped
    assert cues[4].text == "وأكد أن 15 مشروعا\nستنجز هذا العام."
    assert cues[4].translation_text == "وأكد أن 15 مشروعا ستنجز هذا العام."
    assert document.meta.source_format == "srt"


def test_srt_tolerates_crlf_bom_and_missing_numbers() -> None:
    text = (
        "\ufeff00:00:01,000 --> 00:00:02,000\r\nمرحبا\r\n\r\n\r\n"
        "2\r\n00:00:02.500 --> 00:00:03,000\r\nأهلا\r\n"
    )
    document = read_document(text.encode("utf-8"), kind="srt")
    assert [(b.text, b.start_ms) for b in document.blocks] == [("مرحبا", 1000), ("أهلا", 2500)]


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("1\n00:00:01,000 -> 00:00:02,000\nنص\n", 2, "expected a timing line"),
        ("1\n00:00:01,000 --> 00:00:02,000\nنص\n\nكلام بلا توقيت\n", 5, "expected a cue number"),
        ("1\n00:00:05,000 --> 00:00:02,000\nنص\n", 2, "ends before it starts"),
        ("1\n00:00:01,000 --> 00:00:02,000\nنص\n\n2\n", 6, "expected a timing line"),
        ("\n\n", 1, "no subtitle cues"),
    ],
)
def test_malformed_srt_names_the_line(text: str, line: int, message: str) -> None:
    with pytest.raises(SubtitleError, match=message) as caught:
        read_document(text.encode("utf-8"), kind="srt", filename="bad.srt")
    assert caught.value.line == line
    assert f"line {line}" in str(caught.value) or line == 1


def test_srt_not_utf8_names_the_line() -> None:
    data = b"1\n00:00:01,000 --> 00:00:02,000\n" + "نص".encode("cp1256")
    with pytest.raises(SubtitleError, match="not valid UTF-8 \\(line 3\\)"):
        read_document(data, kind="srt")


def test_vtt_cues_settings_identifiers_and_preamble() -> None:
    document = read_document(VTT.encode("utf-8"), filename="report.vtt")
    cues = document.blocks
    assert len(cues) == 3
    assert cues[0].identifier == "intro" and cues[0].settings == "align:start position:10%"
    assert cues[0].text == "قال الوزير إن الحكومة"  # the voice tag is dropped
    assert (cues[2].start_ms, cues[2].end_ms) == (3_607_000, 3_609_250)
    assert cues[2].text == "وأضاف أن الوفد سيصل & غدا."
    assert document.meta.extra["vtt_header"] == "WEBVTT Kind: captions"
    assert document.meta.extra["vtt_preamble"] == ["STYLE\n::cue { color: yellow }"]


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("00:01.000 --> 00:02.000\nنص\n", 1, "must start with 'WEBVTT'"),
        ("WEBVTT\n\n00:01.000 --> 00:02\nنص\n", 3, "expected a timing line"),
        ("WEBVTT\n\nid\nنص\n", 4, "expected a timing line"),
        ("WEBVTT\n\n00:01.000 --> 00:02.000\nنص\n\nSTYLE\n::cue {}\n", 6, "before the cues"),
    ],
)
def test_malformed_vtt_names_the_line(text: str, line: int, message: str) -> None:
    with pytest.raises(SubtitleError, match=message) as caught:
        read_document(text.encode("utf-8"), kind="vtt")
    assert caught.value.line == line


# -- dispatch ------------------------------------------------------------------------------------
def test_read_document_picks_the_reader(tmp_path: Path) -> None:
    samples = {
        "a.docx": make_docx(),
        "a.pdf": make_legacy_arabic_pdf(PARAGRAPHS[:1]),
        "a.srt": SRT.encode(),
        "a.vtt": VTT.encode(),
        "a.txt": "قال الوزير.\n\nوأضاف أن الوفد سيصل.\n".encode(),
        "a.html": (Path(__file__).parent / "data" / "pages" / "aleppo.html").read_bytes(),
    }
    for name, data in samples.items():
        kind = name.split(".")[1]
        kind = "text" if kind == "txt" else kind
        (tmp_path / name).write_bytes(data)
        assert read_document(tmp_path / name).meta.source_format == kind, name
        assert read_document(str(tmp_path / name)).meta.source_format == kind, name
        # without a name, the content decides
        assert read_document(data).meta.source_format == kind, name
        assert sniff_kind(data) == kind, name


def test_plain_text_blocks_and_document_text() -> None:
    document = read_document("قال الوزير.\n\n  وأضاف أن الوفد سيصل.  \n".encode(), kind="text")
    assert [b.text for b in document.blocks] == ["قال الوزير.", "وأضاف أن الوفد سيصل."]
    joined = document_text(document)
    assert joined.text == "قال الوزير.\n\nوأضاف أن الوفد سيصل."
    span = joined.spans[1]
    assert joined.text[span.start : span.end] == "وأضاف أن الوفد سيصل."
    assert joined.block_at(span.start) == 1 and joined.block_at(span.start - 1) is None
    assert Document.from_text("a\n\nb").blocks[1].text == "b"


@pytest.mark.parametrize(
    ("source", "error", "message"),
    [
        (b"\x00\x01\x02\xff\xfe binary", UnsupportedFormatError, "not a kind of document"),
        (b"", DocumentError, "empty"),
        ("hf://owner/news", UnsupportedFormatError, "dataset, not a document"),
        (12345, UnsupportedFormatError, "not int"),
    ],
)
def test_bad_sources(source, error, message) -> None:
    with pytest.raises(error, match=message):
        read_document(source)


def test_missing_file_and_folder(tmp_path: Path) -> None:
    with pytest.raises(DocumentError, match="Cannot read"):
        read_document(tmp_path / "nope.pdf")
    with pytest.raises(DocumentError, match="is a folder"):
        read_document(tmp_path)


def test_size_cap_and_unknown_kind(tmp_path: Path) -> None:
    path = tmp_path / "big.txt"
    path.write_text("قال " * 1000, encoding="utf-8")
    with pytest.raises(DocumentError, match="the limit is 100"):
        read_document(path, max_bytes=100)
    with pytest.raises(UnsupportedFormatError, match="Unknown document kind"):
        read_document(path, kind="rtf")
