"""Glossaries: files (CSV, TSV, TBX Basic), validation, fingerprint, and Arabic-aware matching."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from translate.terms import Glossary, GlossaryEntry, GlossaryError, find_terms, load_glossary
from translate.terms.glossary import parse_delimited, parse_tbx
from translate.text import normalize

ENTRIES = [
    {"arabic": "سوريا", "english": "Syria"},
    {"arabic": "حلب", "english": "Aleppo"},
    {"arabic": "الرئيس", "english": "the President"},
    {"arabic": "مجلس الأمن", "english": "the Security Council"},
    {"arabic": "مجلس الأمن الدولي", "english": "the UN Security Council"},
    {"arabic": "الأمم المتحدة", "english": "the United Nations"},
    {"arabic": "ستافان دي ميستورا", "english": "Staffan de Mistura"},
    {"arabic": "تنظيم الدولة الإسلامية", "english": "the Islamic State group"},
    {"arabic": "منظمة", "english": "organisation"},
    {"arabic": "المجلس", "english": "the Council"},
    {"arabic": "وزير", "english": "minister"},
    {"arabic": "أمل"},  # a name that is also a word: kept as written
    {"arabic": "سعيد"},
    {"arabic": "عمر"},
    {"arabic": "مستشفى", "english": "hospital"},
]


@pytest.fixture(scope="module")
def glossary() -> Glossary:
    return Glossary.from_entries(ENTRIES)


# (text, expected [(matched written words, English or "" for keep-as-written)])
CASES: list[tuple[str, list[tuple[str, str]]]] = [
    # plain, at word boundaries
    ("زار سوريا أمس", [("سوريا", "Syria")]),
    ("سوريا", [("سوريا", "Syria")]),
    ("في حلب.", [("حلب", "Aleppo")]),
    ("(حلب)", [("حلب", "Aleppo")]),
    ("«سوريا»", [("سوريا", "Syria")]),
    ("حلب،سوريا", [("حلب", "Aleppo"), ("سوريا", "Syria")]),
    # proclitics: conjunction, preposition, article and their combinations
    ("وسوريا", [("وسوريا", "Syria")]),
    ("فسوريا", [("فسوريا", "Syria")]),
    ("بسوريا", [("بسوريا", "Syria")]),
    ("لسوريا", [("لسوريا", "Syria")]),
    ("كسوريا", [("كسوريا", "Syria")]),
    ("وبسوريا", [("وبسوريا", "Syria")]),
    ("فلحلب", [("فلحلب", "Aleppo")]),
    ("وللرئيس", [("وللرئيس", "the President")]),
    ("للرئيس", [("للرئيس", "the President")]),
    ("والرئيس", [("والرئيس", "the President")]),
    ("بالرئيس", [("بالرئيس", "the President")]),
    ("فالرئيس", [("فالرئيس", "the President")]),
    ("بالمجلس", [("بالمجلس", "the Council")]),
    ("وبالمجلس", [("وبالمجلس", "the Council")]),
    ("للمجلس", [("للمجلس", "the Council")]),
    ("ولمجلس الأمن", [("ولمجلس الأمن", "the Security Council")]),
    ("بمجلس الأمن", [("بمجلس الأمن", "the Security Council")]),
    ("والوزير", [("والوزير", "minister")]),  # the article as a clitic of an entry without one
    ("الوزير", [("الوزير", "minister")]),
    ("وزير", [("وزير", "minister")]),
    ("للوزير", [("للوزير", "minister")]),
    # suffixes of an inflecting (noun) entry
    ("منظمته", [("منظمته", "organisation")]),
    ("منظمتها", [("منظمتها", "organisation")]),
    ("منظمتهم", [("منظمتهم", "organisation")]),
    ("منظمتان", [("منظمتان", "organisation")]),
    ("منظمتين", [("منظمتين", "organisation")]),
    ("منظمات", [("منظمات", "organisation")]),
    ("والمنظمات", [("والمنظمات", "organisation")]),
    ("وزيره", [("وزيره", "minister")]),
    ("وزيرها", [("وزيرها", "minister")]),
    ("وزيران", [("وزيران", "minister")]),
    ("الوزيرين", [("الوزيرين", "minister")]),
    ("المجلسان", [("المجلسان", "the Council")]),
    ("مستشفيات", [("مستشفيات", "hospital")]),  # ى folds to ي
    ("وزيرة", []),  # a final ة is not the pronoun ـه
    ("حلبة", []),  # a name (capitalised English) takes no suffix
    # multi-word terms, longest first, overlaps resolved once
    ("مجلس الأمن", [("مجلس الأمن", "the Security Council")]),
    ("مجلس الأمن الدولي", [("مجلس الأمن الدولي", "the UN Security Council")]),
    ("أعضاء مجلس الأمن الدولي اليوم", [("مجلس الأمن الدولي", "the UN Security Council")]),
    ("المبعوث ستافان دي ميستورا", [("ستافان دي ميستورا", "Staffan de Mistura")]),
    ("تنظيم الدولة الإسلامية", [("تنظيم الدولة الإسلامية", "the Islamic State group")]),
    ("لتنظيم الدولة الاسلامية", [("لتنظيم الدولة الاسلامية", "the Islamic State group")]),
    ("الأمم المتحدة وسوريا", [("الأمم المتحدة", "the United Nations"), ("وسوريا", "Syria")]),
    ("للأمم المتحدة", [("للأمم المتحدة", "the United Nations")]),
    ("والأمم المتحدة", [("والأمم المتحدة", "the United Nations")]),
    ("الامم المتحده", [("الامم المتحده", "the United Nations")]),  # hamza and ة folded
    # keep-as-written names: no suffix, no match inside other names
    ("قالت أمل إن", [("أمل", "")]),
    ("وأمل", [("وأمل", "")]),
    ("قال سعيد", [("سعيد", "")]),
    ("قال عمر", [("عمر", "")]),
    ("قال عمران", []),
    ("سعيدة", []),
    ("آمال", []),
    # must NOT match
    ("السوريالية", []),
    ("سورياتنا الجميلة", []),
    ("سوريالي", []),
    ("حلبة السباق", []),
    ("حلبات", []),
    ("مجلس، الأمن", []),  # punctuation between the words of a term
    ("مجلس\nالأمن", []),
    ("مجلس النواب", []),
    ("الأمن", []),
    ("وزارة", []),
    ("ستافان دي", []),
    ("Syria", []),
    ("", []),
    # harakat and tatweel are gone after normalisation
    ("سُورِيَا", [("سوريا", "Syria")]),
    ("حـلـب", [("حلب", "Aleppo")]),
]


@pytest.mark.parametrize(("text", "expected"), CASES)
def test_matching_table(glossary: Glossary, text: str, expected: list[tuple[str, str]]) -> None:
    normalised = normalize(text)
    matches = find_terms(glossary, normalised)
    found = [(normalised[m.start : m.end], m.entry.english) for m in matches]
    assert found == expected


def test_table_is_large_enough() -> None:
    assert len(CASES) >= 60
    assert sum(not expected for _, expected in CASES) >= 15


def test_match_parts(glossary: Glossary) -> None:
    text = "وللرئيس منظمتهم"
    first, second = find_terms(glossary, text)
    assert (first.prefix, first.clitics) == ("ولل", "ول")
    assert text[first.term_start : first.end] == "رئيس"
    assert (second.prefix, second.suffix) == ("", "هم")


def test_matching_cost_is_linear_with_5000_entries() -> None:
    from tests.cost import assert_linear

    entries = [{"arabic": f"كلمة{i:05d} مصطلح", "english": f"term {i}"} for i in range(5000)]
    big = Glossary.from_entries([*entries, *ENTRIES])
    sentence = normalize("وقال الرئيس السوري إن مجلس الأمن الدولي سيجتمع في حلب وسوريا غدا. ")
    small = find_terms(big, sentence * 50)  # builds the index
    assert len(find_terms(big, sentence * 200)) == 4 * len(small)
    # 4x the text: about 4x the (CPU) time, not 16x; measured again on a noisy machine.
    assert_linear(lambda n: sentence * n, lambda text: find_terms(big, text), 50)


def test_hostile_long_word_is_cheap(glossary: Glossary) -> None:
    for size in (10_000, 40_000):
        start = time.perf_counter()
        assert find_terms(glossary, "ولل" + "ه" * size) == []
        assert time.perf_counter() - start < 1.0


# -- entries and files -------------------------------------------------------------------------
def test_entries_are_normalised_and_validated() -> None:
    g = Glossary.from_entries([{"arabic": " حَلَب ", "english": "  Aleppo ", "note": "city"}])
    assert g.entries == (GlossaryEntry("حلب", "Aleppo", "city", False),)  # a name
    noun = Glossary.from_entries([{"arabic": "وزير", "english": "minister"}]).entries[0]
    assert noun.inflect
    forced = Glossary.from_entries([{"arabic": "حلب", "english": "Aleppo", "inflect": True}])
    assert forced.entries[0].inflect
    keep = Glossary.from_entries([{"arabic": "أمل"}]).entries[0]
    assert keep.keep and not keep.inflect
    for bad, message in [
        ({"english": "x"}, "'arabic' is missing"),
        ({"arabic": "Syria", "english": "x"}, "no Arabic letter"),
        ({"arabic": "", "english": "x"}, "empty"),
        ({"arabic": "حلب", "english": 3}, "must be text"),
        ({"arabic": "حلب", "english": "__U0__"}, "'__'"),
        ({"arabic": "حلب", "colour": "red"}, "unknown field"),
        ({"arabic": " ".join(["كلمة"] * 13), "english": "x"}, "longer than"),
    ]:
        with pytest.raises(GlossaryError, match=message):
            Glossary.from_entries([{"arabic": "سوريا", "english": "Syria"}, bad])
    with pytest.raises(GlossaryError, match="entry 2"):
        Glossary.from_entries([{"arabic": "حلب", "english": "Aleppo"}, {"arabic": "حلب"}])
    with pytest.raises(GlossaryError, match="expected an object"):
        Glossary.from_entries(["حلب"])  # type: ignore[list-item]


def test_fingerprint_is_stable_and_content_based() -> None:
    a = Glossary.from_entries(ENTRIES)
    b = Glossary.from_entries(list(reversed(ENTRIES)), name="other name")
    assert a.fingerprint == b.fingerprint and len(a.fingerprint) == 64
    c = Glossary.from_entries([*ENTRIES[:-1], {"arabic": "مستشفى", "english": "Hospital"}])
    assert c.fingerprint != a.fingerprint


def test_csv_with_header_notes_quotes_and_comments(tmp_path: Path) -> None:
    path = tmp_path / "house.csv"
    path.write_text(
        "\ufeffarabic,english,note\n"
        "# house spellings\n"
        'حلب,Aleppo,"city, north"\n'
        "\n"
        "أمل,,a name\n"
        "ستافان دي ميستورا,Staffan de Mistura\n",
        encoding="utf-8",
    )
    g = load_glossary(path)
    assert [(e.arabic, e.english, e.note) for e in g.entries] == sorted(
        [
            ("حلب", "Aleppo", "city, north"),
            ("أمل", "", "a name"),
            ("ستافان دي ميستورا", "Staffan de Mistura", ""),
        ]
    )
    assert g.name == "house.csv" and g.meta["entries"] == 3


def test_tsv_without_header(tmp_path: Path) -> None:
    path = tmp_path / "g.tsv"
    path.write_text("حلب\tAleppo\nسوريا\tSyria\tcountry\n", encoding="utf-8")
    assert {e.english for e in load_glossary(path).entries} == {"Aleppo", "Syria"}
    assert parse_delimited("حلب\tAleppo, the city\n")[0].english == "Aleppo, the city"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("حلب,Aleppo\nSyria,Syria\n", "line 2: the Arabic term 'Syria' has no Arabic letter"),
        ("حلب,Aleppo\nسوريا,Syria,note,extra\n", "line 2: expected"),
        ("arabic,english\n,Aleppo\n", "line 2: the Arabic term is empty"),
        ('حلب,Aleppo\nسوريا,"Syria\n', "line"),
    ],
)
def test_bad_csv_names_the_line(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(GlossaryError, match=message):
        load_glossary(path)


def test_unreadable_files(tmp_path: Path) -> None:
    with pytest.raises(GlossaryError, match="Cannot read"):
        load_glossary(tmp_path / "missing.csv")
    latin1 = tmp_path / "latin1.csv"
    latin1.write_bytes("حلب,Aleppo\n".encode() + b"caf\xe9,x\n")
    with pytest.raises(GlossaryError, match="line 2 is not UTF-8"):
        load_glossary(latin1)


TBX = """<?xml version="1.0" encoding="UTF-8"?>
<tbx type="TBX-Basic" style="dct" xml:lang="en" xmlns="urn:iso:std:iso:30042:ed-2">
  <text><body>
    <conceptEntry id="c1">
      <descrip type="definition">Largest city of northern Syria</descrip>
      <langSec xml:lang="ar"><termSec><term>حلب</term>
        <termNote type="partOfSpeech">properNoun</termNote></termSec></langSec>
      <langSec xml:lang="en"><termSec><term>Aleppo</term></termSec></langSec>
    </conceptEntry>
  </body></text>
</tbx>"""

TBX_V2 = """<?xml version="1.0" encoding="UTF-8"?>
<martif type="TBX-Basic" xml:lang="en"><text><body>
  <termEntry id="t1">
    <langSet xml:lang="ar"><tig><term>مجلس الأمن</term>
      <termNote type="partOfSpeech">noun</termNote></tig></langSet>
    <langSet xml:lang="en-GB"><tig><term>the Security Council</term></tig></langSet>
  </termEntry>
  <termEntry id="t2">
    <note>a first name; never translate</note>
    <langSet xml:lang="ar"><ntig><termGrp><term>أمل</term></termGrp></ntig></langSet>
  </termEntry>
</body></text></martif>"""


def test_tbx_basic_both_dialects(tmp_path: Path) -> None:
    v2 = {e.arabic: e for e in parse_tbx(TBX_V2.encode())}
    assert v2["مجلس الأمن"].english == "the Security Council" and v2["مجلس الأمن"].inflect
    assert v2["أمل"].keep and v2["أمل"].note == "a first name; never translate"
    path = tmp_path / "g.tbx"
    path.write_text(TBX, encoding="utf-8")
    (entry,) = load_glossary(path).entries
    assert (entry.arabic, entry.english, entry.inflect) == ("حلب", "Aleppo", False)
    assert "northern Syria" in entry.note


@pytest.mark.parametrize(
    ("document", "message"),
    [
        (
            '<?xml version="1.0"?><!DOCTYPE tbx [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
            "<tbx><text><body><termEntry><langSet xml:lang='ar'><tig><term>&x;</term></tig>"
            "</langSet></termEntry></body></text></tbx>",
            "refused",
        ),
        (
            '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;">]>'
            "<tbx>&lol2;</tbx>",
            "refused",
        ),
        ("<tbx><text><body><termEntry>", "not well-formed"),
        ("<tbx><text><body></body></text></tbx>", "no termEntry"),
        (
            "<tbx><termEntry id='z'><langSet xml:lang='en'><tig><term>x</term></tig></langSet>"
            "</termEntry></tbx>",
            "entry 1 .*no Arabic term",
        ),
    ],
)
def test_tbx_refuses_entities_and_names_problems(document: str, message: str) -> None:
    with pytest.raises(GlossaryError, match=message):
        parse_tbx(document.encode())


def test_tbx_size_bound() -> None:
    from translate.terms import glossary as G

    with pytest.raises(GlossaryError, match="larger than"):
        parse_tbx(b" " * (G.MAX_FILE_BYTES + 1))


def test_request_glossary_extends_a_default() -> None:
    default = Glossary.from_entries(ENTRIES[:3], name="house")
    request = Glossary.from_entries([{"arabic": "حلب", "english": "Halab"}, {"arabic": "أمل"}])
    merged = default.extended(request)
    by_term = {e.arabic: e.english for e in merged.entries}
    assert by_term["حلب"] == "Halab" and by_term["سوريا"] == "Syria" and "أمل" in by_term
    assert len(merged) == 4 and merged.name == "house"
    assert merged.fingerprint != default.fingerprint
