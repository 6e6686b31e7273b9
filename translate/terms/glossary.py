"""Glossary entries and the files they come from: CSV/TSV and TBX Basic (ISO 30042).

An entry pairs an Arabic term with the English the newsroom wants, or with nothing: an empty
English means "keep as written" (do-not-translate; the Arabic comes back unchanged). Files:

* CSV or TSV, UTF-8 (a BOM is allowed): ``arabic,english[,note]``, one entry a line; a first
  line whose first cell is ``arabic`` (any case) is a header. The delimiter is a tab when the
  first line holds one, else a comma. Blank lines and lines starting with ``#`` are skipped.
* TBX Basic (2008 ``martif`` or v3 ``tbx``): each ``termEntry``/``conceptEntry`` holds a
  ``langSet``/``langSec`` ``ar`` and one ``en`` (or none: keep as written), each with
  ``tig``/``termSec``/``ntig`` ``term`` elements;
  the first term of each side is used, a ``note``/``descrip`` becomes the note, and a
  ``termNote type="partOfSpeech"`` of ``properNoun`` turns suffix matching off. Parsed with
  ``defusedxml``: no DTD, no entities, no external references, and a size limit.

Mistakes raise :class:`GlossaryError` with the line (or entry) number.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import ConfigError
from ..text import has_arabic, normalize

__all__ = [
    "MAX_ENTRIES",
    "MAX_FILE_BYTES",
    "Glossary",
    "GlossaryEntry",
    "GlossaryError",
    "load_glossary",
    "parse_delimited",
    "parse_tbx",
]

MAX_FILE_BYTES = 20_000_000
MAX_ENTRIES = 100_000
MAX_TERM_CHARS = 200
MAX_TERM_WORDS = 12
_XML_NS = "{http://www.w3.org/XML/1998/namespace}"


class GlossaryError(ConfigError):
    """A glossary file or entry list is malformed; the message names the line or entry."""


@dataclass(frozen=True)
class GlossaryEntry:
    """One term: its Arabic (normalised), its English ("" keeps the Arabic as written), a note.

    ``inflect`` lets the term match with a suffix (ـه ـها ـهم, dual/plural endings). Unless
    given, it is on for common nouns and off for names, whose suffixed forms are other words
    (عمر / عمران, حلب / حلبة): keep-as-written entries and English terms that are capitalised
    without a leading "the" ("Aleppo", but not "the Security Council" or "minister").
    """

    arabic: str
    english: str = ""
    note: str = ""
    inflect: bool = True

    @property
    def keep(self) -> bool:
        """True when the Arabic is kept as written (do-not-translate)."""
        return not self.english

    def as_dict(self) -> dict[str, Any]:
        return {
            "arabic": self.arabic,
            "english": self.english,
            "note": self.note,
            "inflect": self.inflect,
        }


def make_entry(
    arabic: object, english: object = "", note: object = "", *, inflect: object = None, where: str
) -> GlossaryEntry:
    """A validated entry; ``where`` ("line 3", "entry 2") goes into the error message."""
    if not isinstance(arabic, str) or not isinstance(english, str) or not isinstance(note, str):
        raise GlossaryError(f"Glossary {where}: arabic, english and note must be text.")
    term = " ".join(normalize(arabic).split())
    english = " ".join(english.split())
    if not term:
        raise GlossaryError(f"Glossary {where}: the Arabic term is empty.")
    if not has_arabic(term):
        raise GlossaryError(f"Glossary {where}: the Arabic term {term!r} has no Arabic letter.")
    if len(term) > MAX_TERM_CHARS or len(term.split()) > MAX_TERM_WORDS:
        raise GlossaryError(
            f"Glossary {where}: the Arabic term is longer than {MAX_TERM_WORDS} words "
            f"or {MAX_TERM_CHARS} characters."
        )
    if len(english) > 4 * MAX_TERM_CHARS:
        raise GlossaryError(f"Glossary {where}: the English term is too long.")
    if "__" in english or any(ord(ch) < 32 for ch in english):
        # "__" would read as a placeholder of protected text after decoding.
        raise GlossaryError(f"Glossary {where}: the English term has '__' or control characters.")
    if inflect is not None and not isinstance(inflect, bool):
        raise GlossaryError(f"Glossary {where}: inflect must be true or false.")
    allow = _inflects_by_default(english) if inflect is None else inflect
    return GlossaryEntry(term, english, " ".join(note.split()), allow)


def _inflects_by_default(english: str) -> bool:
    """Common nouns inflect; names do not. A capitalised English term that does not start
    with "the" is taken for a name (Aleppo, Staffan de Mistura): حلبة is not حلب + ـه."""
    if not english:
        return False
    return english[0].islower() or english.lower().startswith("the ")


class Glossary:
    """An immutable set of entries; one entry per Arabic term (a later duplicate is an error).

    ``fingerprint`` is a SHA-256 of the entries in a canonical order: the same terms give the
    same fingerprint whatever the file's order or format, so it can key caches and batch jobs.
    """

    def __init__(self, entries: Iterable[GlossaryEntry], name: str = "") -> None:
        by_term: dict[str, GlossaryEntry] = {}
        for number, entry in enumerate(entries, start=1):
            previous = by_term.get(entry.arabic)
            if previous is not None and previous != entry:
                raise GlossaryError(
                    f"Glossary entry {number}: {entry.arabic!r} is already given as "
                    f"{previous.english or '(keep as written)'!r}."
                )
            by_term[entry.arabic] = entry
        if len(by_term) > MAX_ENTRIES:
            raise GlossaryError(f"A glossary holds at most {MAX_ENTRIES:,} entries.")
        self.entries: tuple[GlossaryEntry, ...] = tuple(by_term[k] for k in sorted(by_term))
        self.name = name
        payload = json.dumps([e.as_dict() for e in self.entries], ensure_ascii=False)
        self.fingerprint = hashlib.sha256(payload.encode("utf-8")).hexdigest()
        self._matcher: Any = None

    @classmethod
    def from_entries(cls, items: Iterable[Mapping[str, Any]], name: str = "") -> Glossary:
        """A glossary from dicts ``{"arabic", "english"?, "note"?, "inflect"?}`` (HTTP, page)."""
        entries = []
        for number, item in enumerate(items, start=1):
            if not isinstance(item, Mapping):
                raise GlossaryError(f"Glossary entry {number}: expected an object.")
            unknown = set(item) - {"arabic", "english", "note", "inflect"}
            if unknown:
                raise GlossaryError(f"Glossary entry {number}: unknown field(s) {sorted(unknown)}.")
            if "arabic" not in item:
                raise GlossaryError(f"Glossary entry {number}: 'arabic' is missing.")
            entries.append(
                make_entry(
                    item["arabic"],
                    item.get("english") or "",
                    item.get("note") or "",
                    inflect=item.get("inflect"),
                    where=f"entry {number}",
                )
            )
        return cls(entries, name)

    def extended(self, other: Glossary, name: str = "") -> Glossary:
        """This glossary with ``other``'s entries added; ``other`` wins on the same Arabic term
        (a request's glossary over a server default)."""
        merged = {e.arabic: e for e in self.entries}
        merged.update({e.arabic: e for e in other.entries})
        return Glossary(merged.values(), name or "+".join(n for n in (self.name, other.name) if n))

    @property
    def matcher(self) -> Any:
        """The term index (built on first use and kept)."""
        if self._matcher is None:
            from .matching import TermMatcher

            self._matcher = TermMatcher(self.entries)
        return self._matcher

    @property
    def meta(self) -> dict[str, Any]:
        """What results record about the glossary."""
        return {"name": self.name, "entries": len(self.entries), "fingerprint": self.fingerprint}

    def __len__(self) -> int:
        return len(self.entries)

    def __repr__(self) -> str:
        return f"Glossary({len(self.entries)} entries, {self.fingerprint[:12]})"


# -- files -----------------------------------------------------------------------------------
def _decode(data: bytes, source: str) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise GlossaryError(f"{source}: line {line} is not UTF-8 text.") from exc


def parse_delimited(text: str, delimiter: str | None = None) -> list[GlossaryEntry]:
    """Entries of a CSV (``,``) or TSV (tab) text; ``None`` guesses from the first line."""
    text = text.lstrip("\ufeff")
    if delimiter is None:
        delimiter = "\t" if "\t" in text.split("\n", 1)[0] else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter, strict=True)
    entries: list[GlossaryEntry] = []
    try:
        for row in reader:
            line = reader.line_num
            cells = [cell.strip() for cell in row]
            if not any(cells) or cells[0].startswith("#"):
                continue
            if not entries and line == 1 and cells[0].lower() == "arabic":
                continue
            if len(cells) > 3 and any(cells[3:]):
                raise GlossaryError(
                    f"Glossary line {line}: expected arabic{delimiter!r}english[{delimiter!r}"
                    f"note], found {len(cells)} columns."
                )
            cells += [""] * (3 - len(cells))
            entries.append(make_entry(*cells[:3], where=f"line {line}"))
    except csv.Error as exc:
        raise GlossaryError(f"Glossary line {reader.line_num}: {exc}.") from exc
    return entries


def _text(element: Any) -> str:
    return "".join(element.itertext()).strip() if element is not None else ""


def _local(tag: object) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _lang_terms(entry: Any) -> dict[str, tuple[str, str]]:
    """``{language: (first term, part of speech)}`` of one TBX entry."""
    found: dict[str, tuple[str, str]] = {}
    for lang_set in entry:
        if _local(lang_set.tag) not in ("langSet", "langSec"):  # TBX 2008 / TBX v3
            continue
        lang = (lang_set.get(_XML_NS + "lang") or lang_set.get("lang") or "").lower()
        lang = lang.split("-")[0]
        for element in lang_set.iter():
            if _local(element.tag) == "term" and lang not in found:
                found[lang] = (_text(element), "")
            if (
                _local(element.tag) == "termNote"
                and element.get("type") == "partOfSpeech"
                and lang in found
            ):
                found[lang] = (found[lang][0], _text(element).lower())
    return found


def parse_tbx(data: bytes) -> list[GlossaryEntry]:
    """Entries of a TBX Basic document (see the module docstring); bytes, at most 20 MB."""
    from xml.etree.ElementTree import ParseError

    from defusedxml import DefusedXmlException
    from defusedxml.ElementTree import fromstring

    if len(data) > MAX_FILE_BYTES:
        raise GlossaryError(f"The TBX file is larger than {MAX_FILE_BYTES:,} bytes.")
    try:
        root = fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as exc:
        raise GlossaryError(f"The TBX file is refused: {exc} (no DTD or entities).") from exc
    except ParseError as exc:
        raise GlossaryError(f"The TBX file is not well-formed XML: {exc}.") from exc
    entries: list[GlossaryEntry] = []
    number = 0
    for element in root.iter():
        if _local(element.tag) not in ("termEntry", "conceptEntry"):
            continue
        number += 1
        terms = _lang_terms(element)
        if "ar" not in terms:
            raise GlossaryError(
                f"TBX entry {number} (id {element.get('id')!r}) has no Arabic term."
            )
        arabic, pos = terms["ar"]
        english = terms.get("en", ("", ""))[0]
        notes = [
            _text(e) for e in element.iter() if _local(e.tag) in ("note", "descrip") and _text(e)
        ]
        inflect = False if "proper" in pos else None
        entries.append(
            make_entry(arabic, english, "; ".join(notes), inflect=inflect, where=f"entry {number}")
        )
    if number == 0:
        raise GlossaryError("The TBX file has no termEntry or conceptEntry.")
    return entries


def load_glossary(path: str | Path) -> Glossary:
    """Read a glossary file: ``.tbx``/``.xml`` as TBX, ``.tsv``/``.tab`` as TSV, else CSV."""
    path = Path(path)
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise GlossaryError(f"{path} is larger than {MAX_FILE_BYTES:,} bytes.")
        data = path.read_bytes()
    except OSError as exc:
        raise GlossaryError(f"Cannot read the glossary {path}: {exc.strerror or exc}.") from exc
    suffix = path.suffix.lower()
    try:
        if suffix in (".tbx", ".xml"):
            entries = parse_tbx(data)
        else:
            delimiter = "\t" if suffix in (".tsv", ".tab") else None
            entries = parse_delimited(_decode(data, str(path)), delimiter)
    except GlossaryError as exc:
        raise GlossaryError(f"{path.name}: {exc}") from exc
    return Glossary(entries, name=path.name)
