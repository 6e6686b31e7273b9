"""The translation memory's store, validation and exchange formats (no model, no torch)."""

from __future__ import annotations

import os
import sqlite3
import stat
import threading
import time
from pathlib import Path

import pytest

from translate.errors import InputError
from translate.memory import (
    ImportFormatError,
    MemoryLockedError,
    MemoryNotFoundError,
    MemoryReadOnlyError,
    MemorySchemaError,
    MemoryStoreError,
    NotAMemoryError,
    TranslationMemory,
    UnitError,
    export_file,
    import_file,
    memory_path,
)
from translate.memory import add as api_add
from translate.memory import search as api_search
from translate.memory import stats as api_stats
from translate.memory.match import MAX_UNIT_CHARS, length_band, memory_key
from translate.memory.sqlite_file import SCHEMA_VERSION

AR = "قال الوزير إن الحكومة ستواصل العمل."
EN = "The minister said the government would keep working."
AR2 = "قال الرئيس إن الحكومة ستواصل العمل."


@pytest.fixture()
def memory(tmp_path: Path) -> TranslationMemory:
    with TranslationMemory(tmp_path / "tm.sqlite3") as tm:
        yield tm


def test_add_get_update_delete_and_reopen(tmp_path: Path) -> None:
    path = tmp_path / "tm.sqlite3"
    tm = TranslationMemory(path)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600  # unpublished text
    unit = tm.add(AR, EN, origin="edit", replaced_model="opus-mt-ar-en", key_name="desk")
    assert (unit.source, unit.target, unit.origin) == (AR, EN, "edit")
    assert (unit.replaced_model, unit.key_name) == ("opus-mt-ar-en", "desk")
    # The key is normalised: tatweel, diacritics and spacing find the same unit.
    assert tm.get("قَالَ الوزيـــر  إن الحكومة ستواصل العمل.") == unit
    again = tm.add(AR, "The minister said work would go on.")
    assert again.id == unit.id and again.target == "The minister said work would go on."
    assert again.created == unit.created
    assert tm.stats().units == 1
    other = tm.add(AR2, "The president said the government would keep working.")
    fingerprint = tm.fingerprint()
    tm.close()
    with pytest.raises(MemoryStoreError, match="closed"):
        tm.get(AR)

    reopened = TranslationMemory(path)
    assert reopened.get(AR).target == "The minister said work would go on."  # persisted
    assert reopened.fingerprint() == fingerprint == reopened.recompute_fingerprint()
    assert reopened.delete(other.id) is True
    assert reopened.delete(other.id) is False
    assert reopened.get(AR2) is None and reopened.get_id(other.id) is None
    assert reopened.fingerprint() == reopened.recompute_fingerprint() != fingerprint
    reopened.close()


def test_fingerprint_follows_content_not_history(tmp_path: Path) -> None:
    a = TranslationMemory(tmp_path / "a.tm")
    b = TranslationMemory(tmp_path / "b.tm")
    empty = a.fingerprint()
    assert empty == b.fingerprint()
    a.add(AR, EN)
    a.add(AR2, "x y")
    b.add(AR2, "x y")
    b.add(AR, "something else")
    assert a.fingerprint() != b.fingerprint()
    b.add(AR, EN)  # the same content, written in another order
    assert a.fingerprint() == b.fingerprint()
    b.delete(b.get(AR).id)
    b.delete(b.get(AR2).id)
    assert b.fingerprint() == empty
    described = a.describe()
    assert described["units"] == 2 and described["id"] == a.id and described["threshold"] == 0.8


def test_search_exact_and_near(memory: TranslationMemory) -> None:
    memory.add(AR, EN)
    near = memory.add(AR2, "The president said the government would keep working.")
    memory.add("ارتفعت أسعار النفط بنسبة ثلاثة في المئة يوم الإثنين.", "Oil rose 3% on Monday.")
    matches = memory.search(AR)
    assert [m.unit.source for m in matches] == [AR, AR2]
    assert matches[0].similarity == 1.0 and matches[0].exact
    assert 0.8 <= matches[1].similarity < 1.0 and not matches[1].exact
    assert memory.near([memory_key(AR)]) == {memory_key(AR): [matches[1]]}
    assert memory.search("قال الوزير", limit=5) == []  # too short to be 0.8 alike
    assert memory.search(AR, threshold=0.99) == matches[:1]
    found = api_search(memory, AR2, limit=1)
    assert found == [{**near.to_dict(), "similarity": 1.0}]
    assert memory.search("") == [] and memory.search("   ") == []


def test_length_band_keeps_every_reachable_length() -> None:
    from rapidfuzz import fuzz

    for length in (5, 40, 300):
        low, high = length_band(length, 0.8)
        for other in range(1, 3 * length):
            best = fuzz.ratio("a" * length, "a" * other) / 100  # equal letters: the upper bound
            assert (low <= other <= high) or best < 0.8


@pytest.mark.parametrize(
    ("source", "target", "reason"),
    [
        ("", EN, "source is empty"),
        ("   ", EN, "source is empty"),
        (AR, "", "target is empty"),
        (AR, " \n", "target is empty"),
        ("ق" * (MAX_UNIT_CHARS + 1), EN, "at most"),
        (AR, "x" * (MAX_UNIT_CHARS + 1), "at most"),
        ("قال\x00الوزير", EN, "NUL"),
        (AR, "The\x00minister", "NUL"),
        ("قال \ud800 الوزير", EN, "surrogate"),
        (AR, "The \udc00 minister", "surrogate"),
        ("نعم", "Yes " * 10, "more than 10 times"),
        (None, EN, "must be text"),
        (AR, 5, "must be text"),
    ],
)
def test_bad_units_are_input_errors(
    memory: TranslationMemory, source: object, target: object, reason: str
) -> None:
    with pytest.raises(UnitError, match=reason) as info:
        memory.add(source, target)  # type: ignore[arg-type]
    assert isinstance(info.value, InputError)  # the HTTP layer's 400
    assert memory.stats().units == 0


def test_unknown_origin(memory: TranslationMemory) -> None:
    with pytest.raises(UnitError, match="Unknown origin"):
        memory.add(AR, EN, origin="robot")


# -- files that are not usable -------------------------------------------------------------------
def test_not_a_memory(tmp_path: Path) -> None:
    text = tmp_path / "notes.txt"
    text.write_text("hello " * 100)
    with pytest.raises(NotAMemoryError, match="not an SQLite database"):
        TranslationMemory(text)
    assert text.read_text() == "hello " * 100  # left unchanged
    other = tmp_path / "other.db"
    with sqlite3.connect(other) as conn:
        conn.execute("CREATE TABLE t (x)")
    with pytest.raises(NotAMemoryError, match="not a tarjama translation memory"):
        TranslationMemory(other)
    with pytest.raises(NotAMemoryError, match="folder"):
        TranslationMemory(tmp_path)


def test_newer_schema_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "tm.sqlite3"
    TranslationMemory(path).close()
    with sqlite3.connect(path) as conn:
        conn.execute(f"PRAGMA user_version={SCHEMA_VERSION + 1}")
    with pytest.raises(MemorySchemaError, match="newer tarjama"):
        TranslationMemory(path)


def test_read_only_opening(tmp_path: Path) -> None:
    with pytest.raises(MemoryNotFoundError):
        TranslationMemory(tmp_path / "missing.tm", readonly=True)
    path = tmp_path / "tm.sqlite3"
    with TranslationMemory(path) as tm:
        tm.add(AR, EN)
    for extra in ("-wal", "-shm"):  # a clean close leaves no journal: reading must still work
        assert not Path(f"{path}{extra}").exists() or extra == "-shm"
    with TranslationMemory(path, readonly=True) as ro:
        assert ro.get(AR).target == EN
        with pytest.raises(MemoryReadOnlyError, match="read-only"):
            ro.add(AR2, EN)


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes read-only files anyway")
def test_read_only_file_and_folder(tmp_path: Path) -> None:
    path = tmp_path / "tm.sqlite3"
    TranslationMemory(path).close()
    path.chmod(0o400)
    with pytest.raises(MemoryReadOnlyError, match="file is read-only"):
        TranslationMemory(path)
    path.chmod(0o600)
    tmp_path.chmod(0o500)
    try:
        with pytest.raises(MemoryReadOnlyError, match="folder"):
            TranslationMemory(path)
        with pytest.raises(MemoryReadOnlyError, match="Cannot create"):
            TranslationMemory(tmp_path / "new.tm")
    finally:
        tmp_path.chmod(0o700)


def test_read_only_checks_use_access(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The same refusals as above, where the tests run as root (os.access says no)."""
    path = tmp_path / "tm.sqlite3"
    TranslationMemory(path).close()
    real = os.access
    monkeypatch.setattr(os, "access", lambda p, mode: False if Path(p) == path else real(p, mode))
    with pytest.raises(MemoryReadOnlyError, match="file is read-only"):
        TranslationMemory(path)
    monkeypatch.setattr(os, "access", lambda p, m: False if Path(p) == tmp_path else real(p, m))
    with pytest.raises(MemoryReadOnlyError, match="folder"):
        TranslationMemory(path)


def test_a_long_lock_is_a_typed_error_and_a_short_one_waits(tmp_path: Path) -> None:
    path = tmp_path / "tm.sqlite3"
    tm = TranslationMemory(path, busy_timeout=0.5)
    tm.add(AR, EN)
    other = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    other.execute("BEGIN IMMEDIATE")  # another program holds the write lock
    started = time.monotonic()
    with pytest.raises(MemoryLockedError, match="locked by another program"):
        tm.add(AR2, EN)
    assert time.monotonic() - started >= 0.4
    assert tm.get(AR).target == EN  # readers are not blocked (WAL)
    # A lock released within the busy timeout only delays the write.
    threading.Timer(0.2, lambda: other.execute("COMMIT")).start()
    tm2 = TranslationMemory(path, busy_timeout=5)
    assert tm2.add(AR2, EN).target == EN
    other.close()


# -- paths -----------------------------------------------------------------------------------------
def test_memory_path_flag_env_default(tmp_path: Path) -> None:
    assert memory_path("x.tm", environ={"TARJAMA_MEMORY": "y.tm"}) == Path("x.tm")
    assert memory_path(None, environ={"TARJAMA_MEMORY": "y.tm"}) == Path("y.tm")
    assert memory_path(None, environ={}) is None  # the CLI and batch: only when given
    default = memory_path(None, server=True, environ={})
    assert default is not None and default.name == "memory.sqlite3" and "tarjama" in str(default)
    assert memory_path("x.tm", server=True, disabled=True, environ={}) is None


def test_library_functions(memory: TranslationMemory) -> None:
    unit = api_add(memory, AR, EN, origin="suggest", key_name="newsroom")
    assert unit["origin"] == "suggest" and unit["key_name"] == "newsroom" and unit["id"] == 1
    info = api_stats(memory)
    assert info["units"] == 1 and info["by_origin"] == {"suggest": 1} and info["bytes"] > 0


# -- import and export -----------------------------------------------------------------------------
TMX = """<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE tmx SYSTEM "tmx14.dtd">
<tmx version="1.4">
 <header creationtool="x" srclang="ar" adminlang="en" datatype="plaintext" segtype="sentence"
   o-tmf="x" creationtoolversion="1"/>
 <body>
  <tu>
   <tuv xml:lang="ar"><seg>{a1}</seg></tuv>
   <tuv xml:lang="en-GB"><seg>The <bpt i="1">&lt;b&gt;</bpt>minister<ept
     i="1">&lt;/b&gt;</ept> said.</seg></tuv>
  </tu>
  <tu>
   <tuv xml:lang="AR"><seg>{a2}</seg></tuv>
   <tuv xml:lang="en"><seg></seg></tuv>
  </tu>
  <tu>
   <tuv lang="ar"><seg>وصل الوفد.</seg></tuv>
  </tu>
  <tu>
   <tuv xml:lang="ar"><seg>أعلنت الحكومة خطة.</seg></tuv>
   <tuv xml:lang="en"><seg>The government announced a plan.</seg></tuv>
  </tu>
 </body>
</tmx>
"""


def write_tmx(path: Path) -> Path:
    path.write_text(TMX.format(a1=AR, a2=AR2), encoding="utf-8")
    return path


def test_tmx_import_refuses_bad_units_naming_their_lines(
    tmp_path: Path, memory: TranslationMemory
) -> None:
    source = write_tmx(tmp_path / "in.tmx")
    expected = r"^line 12: The target is empty\. 2 bad units in all; nothing"
    with pytest.raises(UnitError, match=expected) as info:
        import_file(memory, source)
    assert info.value.bad == [(12, "The target is empty."), (16, "The unit has no English text.")]
    assert memory.stats().units == 0  # nothing imported
    report = import_file(memory, source, skip_bad=True)
    assert (report.added, report.updated, len(report.skipped)) == (2, 0, 2)
    assert memory.get(AR).target == "The minister said."  # inline codes are not text
    assert memory.get(AR).origin == "import"
    again = import_file(memory, source, skip_bad=True)
    assert (again.added, again.updated) == (0, 2)


def test_tmx_roundtrip_and_csv_tsv(tmp_path: Path, memory: TranslationMemory) -> None:
    memory.add(AR, 'He said "yes" & <left>', key_name="desk & co")
    memory.add(AR2, "The president said.", replaced_model="opus")
    out = tmp_path / "out.tmx"
    assert export_file(memory, out) == 2
    text = out.read_text(encoding="utf-8")
    assert '<tmx version="1.4">' in text and "&lt;left&gt;" in text and "x-replaced-model" in text
    for suffix in ("tmx", "csv", "tsv"):
        path = tmp_path / f"copy.{suffix}"
        export_file(memory, path)
        with TranslationMemory(tmp_path / f"{suffix}.tm") as copy:
            report = import_file(copy, path)
            assert report.added == 2
            assert copy.fingerprint() == memory.fingerprint()  # same content, same fingerprint


def test_csv_import_with_and_without_header(tmp_path: Path, memory: TranslationMemory) -> None:
    path = tmp_path / "in.csv"
    path.write_text(f"arabic,english\n{AR},{EN}\n\n{AR2}\n", encoding="utf-8")
    with pytest.raises(UnitError, match="line 4: The unit has no English"):
        import_file(memory, path)
    path.write_text(f'{AR},"{EN}, really"\n', encoding="utf-8")
    assert import_file(memory, path).added == 1
    assert memory.get(AR).target == f"{EN}, really"
    with pytest.raises(ImportFormatError, match="unknown memory file format"):
        import_file(memory, tmp_path / "x.xlsx")
    bad = tmp_path / "bad.csv"
    bad.write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(ImportFormatError, match="not UTF-8"):
        import_file(memory, bad)


def test_hostile_tmx_is_bounded(tmp_path: Path, memory: TranslationMemory) -> None:
    bomb = tmp_path / "bomb.tmx"
    bomb.write_text(
        '<?xml version="1.0"?><!DOCTYPE tmx [<!ENTITY a "aaaaaaaaaa">'
        '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><tmx><body><tu><tuv xml:lang="ar">'
        "<seg>&b;</seg></tuv></tu></body></tmx>"
    )
    with pytest.raises(ImportFormatError, match="entities"):
        import_file(memory, bomb)
    broken = tmp_path / "broken.tmx"
    broken.write_text("<tmx><body><tu>\n<tuv xml:lang='ar'><seg>x</tuv></body></tmx>")
    with pytest.raises(ImportFormatError, match="line 2") as info:
        import_file(memory, broken)
    assert info.value.line == 2
    # One huge segment: collected only up to the limit, reported as too long, in linear time.
    for size in (200_000, 800_000):
        huge = tmp_path / f"huge{size}.tmx"
        huge.write_text(
            f'<tmx><body><tu><tuv xml:lang="ar"><seg>{"ق " * size}</seg></tuv>'
            f'<tuv xml:lang="en"><seg>x</seg></tuv></tu></body></tmx>',
            encoding="utf-8",
        )
        started = time.monotonic()
        with pytest.raises(UnitError, match="at most"):
            import_file(memory, huge)
        assert time.monotonic() - started < 5


def test_bulk_import_keeps_ids_digest_and_index_consistent(
    tmp_path: Path, memory: TranslationMemory
) -> None:
    first = memory.add(AR, EN)
    memory.delete(memory.add(AR2, "gone").id)  # ids are never reused, even after a delete
    path = tmp_path / "in.tsv"
    rows = [f"{AR}\tThe minister said.", f"{AR2}\tThe president said.", f"{AR2}\tLater wins."]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    report = import_file(memory, path)
    assert (report.added, report.updated) == (1, 2)
    assert memory.get(AR).id == first.id and memory.get(AR).target == "The minister said."
    assert memory.get(AR2).id == 3 and memory.get(AR2).target == "Later wins."
    assert memory.fingerprint() == memory.recompute_fingerprint()
    assert [m.unit.id for m in memory.search(AR)] == [1, 3]  # the imported unit is indexed
    assert memory.add("وصل الوفد إلى القاهرة.", "The delegation arrived.").id == 4


def test_near_search_cost_is_bounded(memory: TranslationMemory) -> None:
    """Every unit shares every word with the query (the index's worst case), and long queries:
    the candidates are capped, so a search costs milliseconds whatever the memory holds."""
    from translate.memory import NewUnit
    from translate.memory.match import MAX_CANDIDATES

    words = ["الحكومة", "الوزير", "المحادثات", "الأسبوع", "المقبل", "القاهرة", "الوفد", "غدا"]
    units = [
        NewUnit(" ".join(words[(i + k) % 8] for k in range(8)) + f" {i:05d}.", f"Unit {i}.")
        for i in range(4000)
    ]
    memory.add_many(units)
    query = " ".join(words) + " 00001."
    started = time.monotonic()
    matches = memory.search(query, limit=100)
    assert time.monotonic() - started < 1.0
    assert 0 < len(matches) <= min(100, MAX_CANDIDATES)
    for size in (5_000, 20_000):  # 4x longer: exact matches only, in linear time
        started = time.monotonic()
        assert memory.search("ق" * size) == []
        assert time.monotonic() - started < 1.0


def test_labels_are_checked(memory: TranslationMemory) -> None:
    with pytest.raises(UnitError, match="key name"):
        memory.add(AR, EN, key_name="x" * 201)
    with pytest.raises(UnitError, match="key name"):
        memory.add(AR, EN, replaced_model="opus\x00")
