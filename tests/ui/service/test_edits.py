"""A person's edits (``ui.service.edits``): applied to segments, kept beside the machine's
English in JSON, and marked as human translations in TMX, XLIFF and the bilingual .docx.
A stub translator (no model): the writers' marks, not the model, are under test."""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET

import pytest

from translate.documents import read_document
from translate.documents.exchange import write_tmx, write_xliff
from translate.documents.translation import translate_document
from translate.errors import InputError
from translate.sentences import sentence_spans
from translate.types import Segment, TranslationResult
from ui.service.edits import (
    EditedSegment,
    apply_edits,
    apply_edits_to_document,
    check_edits,
    edited_segment,
    machine_segment,
)
from ui.service.errors import InputTooLarge

TEXT = "زار الرئيس حلب يوم الاثنين. قتل 5 أشخاص في بيروت.\n\nافتتح علي مستشفى جديدا في القاهرة."
EDIT = "Five people were killed in Beirut."


def translated(text: str) -> TranslationResult:
    """Each sentence → ``EN(<n> words)``, with a confidence, weak spans and a flag."""
    segments = []
    for i, s in enumerate(sentence_spans(text)):
        source = text[s.start : s.end]
        target = f"EN {i} of {len(source.split())}"
        segments.append(
            Segment(i, source, s.start, s.end, target, s.paragraph, i, ("numbers",), -0.2, 0.8,
                    ((0, 2),))
        )  # fmt: skip
    return TranslationResult(" ".join(s.target for s in segments), segments, {"model": "m"})


class StubTranslator:
    meta = {"model": "stub"}

    def translate_batch(self, texts, *, on_error="raise", progress=None):  # noqa: ANN001
        return [translated(t) for t in texts]


def test_an_edit_keeps_the_machine_version_and_drops_the_models_marks() -> None:
    result = apply_edits(translated(TEXT), {"1": f"  {EDIT} "}, TEXT)
    edited = result.segments[1]
    assert isinstance(edited, EditedSegment)
    assert (edited.target, edited.machine, edited.flags) == (EDIT, "EN 1 of 5", ("edited",))
    assert edited.confidence is None and edited.weak == () and edited.score is None
    assert result.segments[0].target == "EN 0 of 5" and result.meta["edited"] == [1]
    assert result.text == f"EN 0 of 5 {EDIT}\n\nEN 2 of 6"
    data = result.to_dict()["segments"]
    assert data[1]["edited"] is True and data[1]["machine"] == "EN 1 of 5"
    assert "edited" not in data[0] and data[0]["confidence"] == 0.8
    # Undo: the machine's English again is the plain segment; no edits: the same result.
    assert type(edited_segment(edited, "EN 1 of 5")) is Segment
    assert machine_segment(edited).target == "EN 1 of 5"
    assert apply_edits(result, {}, TEXT) is result


@pytest.mark.parametrize(
    "edits,error",
    [({"3": "x"}, InputError), ({-1: "x"}, InputError), ({"a": "x"}, InputError),
     ({0: 5}, InputError), ({0: "x" * 201}, InputTooLarge)],
)  # fmt: skip
def test_bad_edits(edits: dict, error: type) -> None:
    with pytest.raises(error):
        check_edits(translated(TEXT).segments, edits)


def test_checking_many_edits_costs_one_pass() -> None:
    text = "قتل 5 أشخاص في بيروت. " * 4000
    segments = translated(text).segments
    edits = {i: "x" * 200 for i in range(len(segments))}
    assert len(check_edits(segments, edits)) == len(segments) == 4000


def document_with_edits() -> object:
    document = read_document(TEXT.encode(), kind="text", filename="a.txt")
    machine = translate_document(document, StubTranslator())
    page = apply_edits(translated(TEXT), {1: EDIT}, TEXT)
    return apply_edits_to_document(machine, page.segments)


def test_tmx_marks_the_edit_as_human_with_the_machine_beside_it() -> None:
    root = ET.fromstring(write_tmx(document_with_edits()).split("\n", 2)[2])
    units = root.findall("body/tu")
    assert len(units) == 3
    props = {p.get("type"): p.text for p in units[1].findall("prop")}
    assert props["x-tarjama-origin"] == "human" and props["x-tarjama-machine"] == "EN 1 of 5"
    assert units[1].findall("tuv/seg")[1].text == EDIT
    assert "x-tarjama-origin" not in {p.get("type") for p in units[0].findall("prop")}


def test_xliff_marks_the_edit_reviewed_with_a_machine_note() -> None:
    ns = {"x": "urn:oasis:names:tc:xliff:document:2.0"}
    root = ET.fromstring(write_xliff(document_with_edits()).split("\n", 1)[1])
    segments = root.findall(".//x:segment", ns)
    states = [s.get("state") for s in segments]
    assert states == ["translated", "reviewed", "translated"]
    assert segments[1].find("x:target", ns).text == EDIT
    notes = [n.text for n in root.findall(".//x:note[@category='machine-translation']", ns)]
    assert notes == ["s2: EN 1 of 5"]


def test_docx_marks_the_edit() -> None:
    docx = pytest.importorskip("docx")
    from translate.documents.docx_writer import write_docx

    data = write_docx(document_with_edits())
    tables = docx.Document(io.BytesIO(data)).tables
    cells = [c for t in tables for r in t.rows for c in r.cells]
    text = "\n".join(p.text for c in cells for p in c.paragraphs)
    assert f"{EDIT} [edited, machine: EN 1 of 5]" in text
    assert "EN 0 of 5" in text


def test_an_edited_cue_carries_into_the_subtitles_without_doubling_its_run() -> None:
    from tests.documents_fixtures import SRT
    from translate.documents import write_document

    document = read_document(SRT.encode(), filename="a.srt")
    machine = translate_document(document, StubTranslator())
    # Cues 1 and 2 continue one sentence: the document translated them as one, its words
    # spread over both cues. The page shows each cue as its own paragraph.
    assert machine.blocks[0].segments == machine.blocks[1].segments
    page = translated(document.text)
    assert [s.source for s in page.segments[:2]] == ["قال الوزير إن الحكومة",
                                                    "ستواصل العمل على الخطة الجديدة."]  # fmt: skip
    edited = apply_edits_to_document(machine, apply_edits(page, {0: EDIT}, document.text).segments)
    cues = [b.target for b in edited.blocks]
    # the edited cue says the person's words; its run-mate the page's English of that cue
    assert cues[0] == EDIT and cues[1] == page.segments[1].target
    assert edited.blocks[0].flags == ("edited",) and "edited" not in edited.blocks[1].flags
    assert cues[2:] == [b.target for b in machine.blocks[2:]]  # other runs untouched
    srt = write_document(edited, "srt").decode("utf-8")
    assert EDIT in srt and srt.count("-->") == SRT.count("-->")
    assert "00:00:01,000 --> 00:00:03,500" in srt


def test_cue_edits_cost_grows_linearly() -> None:
    from tests.cost import assert_linear

    def make(n: int):  # n cues, in runs of two that continue one sentence
        cues = "".join(
            f"{i + 1}\n{i // 3600:02d}:{i // 60 % 60:02d}:{i % 60:02d},000 --> "
            f"{i // 3600:02d}:{i // 60 % 60:02d}:{i % 60:02d},900\n"
            + ("قال الوزير إن الحكومة\n\n" if i % 2 == 0 else "ستواصل العمل.\n\n")
            for i in range(n)
        )
        document = read_document(cues.encode(), filename="a.srt")
        assert document.is_subtitles
        machine = translate_document(document, StubTranslator())
        page = translated(document.text)
        edits = {i: EDIT for i in range(0, len(page.segments), 2)}
        return machine, apply_edits(page, edits, document.text).segments

    assert_linear(make, lambda work: apply_edits_to_document(*work), 200)
