"""A meaning guard for negation: the Arabic denies something and the English does not (pure).

A dropped لم or لن turns a denial into a confirmation, and no length or number check sees it.
:func:`dropped_negation` is True when the Arabic segment holds a negation and the English
none. It is a warning (flag ``negation``), never a retry trigger: a translation may carry the
negation in a way the lists do not know ("unprecedented" for غير مسبوق).

Arabic negations (whole words, after an optional و or ف, on normalised text):

* لا, لم, لن, ليس and its forms (ليست ليسوا ليسا ليستا لست لسنا لستم لستن لسن), ألا (أن + لا),
  لئلا, غير, بغير, عدم (بعدم لعدم), دون/بدون (من دون);
* not counted: لا سيما ("especially"), لا بد ("must"), لا يزال / لا تزال / لم يزل ("still"),
  غير أن ("however"), دون before a
  number or سن ("under 18"), كلا (also "both"), and ما: its negating use before a perfect verb
  (ما قال) is written exactly like the relative "what" (ما قاله, ما حدث) and cannot be told
  apart without a parser, so only ما لم (counted through لم) is seen.

English negations (whole words, any case): not, n't, cannot, no, never, neither, nor, none,
nothing, nobody, nowhere, without, unless, non-..., the verbs and nouns fail, refuse, deny,
reject, lack, with their inflections, and a short list of prefixed negatives common in news
(unable, unknown, illegal, ...).
"""

from __future__ import annotations

import re

__all__ = [
    "ARABIC_NEGATIONS",
    "ENGLISH_NEGATIONS",
    "arabic_negations",
    "dropped_negation",
    "english_negations",
]

_LAYSA = "ليس ليست ليسوا ليسا ليستا لست لسنا لستم لستن لسن"
ARABIC_NEGATIONS = frozenset(f"لا لم لن {_LAYSA} ألا لئلا غير بغير عدم بعدم لعدم دون بدون".split())
# A negation word followed by one of these is an idiom without negation.
_STILL = {"يزال", "تزال", "يزالون", "تزالان", "يزالان", "نزال", "أزال", "يزل", "تزل", "يزالوا"}
_ARABIC_IDIOMS = {
    "لا": frozenset({"سيما", "سيّما", "بد", "بدّ", *_STILL}),
    "لم": frozenset(_STILL),
    "غير": frozenset({"أن", "ان", "أنه", "أنها", "انه"}),
}
_DOON = frozenset({"دون", "بدون"})
_DOON_NOT_NEGATION = frozenset({"سن", "مستوى", "المستوى", "الحد", "حد"})
_ARABIC_WORD = re.compile(r"[\u0621-\u064a\u0671-\u06d3]+|[0-9]+")

_VERBS = {
    "fail": "fail fails failed failing failure failures",
    "refuse": "refuse refuses refused refusing refusal",
    "deny": "deny denies denied denying denial denials",
    "reject": "reject rejects rejected rejecting rejection",
    "lack": "lack lacks lacked lacking",
}
_PREFIXED = (
    "unable unknown unidentified unprecedented unclear unlikely unacceptable unconfirmed "
    "unofficial unarmed unlawful illegal illegitimate impossible invalid insufficient "
    "inadequate unnamed unspecified undisclosed unresolved unsuccessful"
)
ENGLISH_NEGATIONS = frozenset(
    "not cannot no never neither nor none nothing nobody nowhere without unless".split()
    + " ".join(_VERBS.values()).split()
    + _PREFIXED.split()
)
_ENGLISH_TOKEN = re.compile(r"[A-Za-z]+(?:n't|n’t)|\bnon-[A-Za-z]+|[A-Za-z]+")


def arabic_negations(text: str) -> list[str]:
    """The negation words of a (normalised) Arabic text, in order, clitic و/ف removed."""
    words = _ARABIC_WORD.findall(text)
    found: list[str] = []
    for i, word in enumerate(words):
        bare = word
        if bare not in ARABIC_NEGATIONS and bare[:1] in ("و", "ف") and len(bare) > 2:
            bare = bare[1:]
        if bare not in ARABIC_NEGATIONS:
            continue
        following = words[i + 1] if i + 1 < len(words) else ""
        if following in _ARABIC_IDIOMS.get(bare, ()):
            continue
        if bare in _DOON and (following.isdigit() or following in _DOON_NOT_NEGATION):
            continue
        found.append(bare)
    return found


def english_negations(text: str) -> list[str]:
    """The negation words of an English text, lower-cased, in order."""
    found: list[str] = []
    for token in _ENGLISH_TOKEN.findall(text.replace("’", "'")):
        lowered = token.lower()
        if lowered.endswith("n't") or lowered.startswith("non-") or lowered in ENGLISH_NEGATIONS:
            found.append(lowered)
    return found


def dropped_negation(arabic: str, english: str) -> bool:
    """True when ``arabic`` holds a negation and ``english`` none (flag ``negation``)."""
    return bool(arabic_negations(arabic)) and not english_negations(english)
