"""Summary-first: rank the *Arabic* sentences, so the gist is translated before the rest.

The extractive method ranks English sentences (``summarize.extractive``); to show a summary
before the whole article is translated, the same three parts score the Arabic sentences:

1. **Position prior** ``1 / (1 + rank / POSITION_SCALE)`` over the non-blank sentences, as in
   English (the lead of the article is the lead of its translation).
2. **Centrality** ``CENTRALITY_FLOOR + cos(sentence, rest of the document)`` over TF-IDF
   vectors of *normalised Arabic words* (:func:`arabic_words`): harakat and tatweel removed
   (``translate.text.normalize``), alef forms folded to ``ا``, ``ة`` to ``ه``, ``ى`` to
   ``ي``, the article ``ال`` (with ``ب``/``ك``/``ل`` before it, and ``و``/``ف`` before
   those) stripped, function words (also after ``و``/``ف``) dropped.
3. **Form**: fewer than ``MIN_WORDS`` words scales by ``words / MIN_WORDS``, more than
   ``LONG_WORDS`` by ``LONG_WORDS / words``; ``FORM_PENALTY`` each for a question (``؟``), a
   line without final punctuation (a headline, a caption) and an opening quotation mark.

Selection walks by salience (ties: the earlier sentence), skips a sentence whose cosine with a
chosen one reaches ``REDUNDANT_SIMILARITY``, and stops at the length's sentence cap or at the
first sentence that would pass its word budget (the English budget × ``ARABIC_WORDS_PER_ENGLISH``:
Arabic writes articles, prepositions and pronouns into its words). Linear in the text, like
the English ranking.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from translate import text as T
from translate.sentences import sentence_spans

from .extractive import (
    CENTRALITY_FLOOR,
    FORM_PENALTY,
    POSITION_SCALE,
    REDUNDANT_SIMILARITY,
    centroid_cosines,
    cosine,
    length_budget,
    tfidf_vectors,
)

__all__ = [
    "ARABIC_STOPWORDS",
    "ARABIC_WORDS_PER_ENGLISH",
    "SummaryFirst",
    "arabic_salience",
    "arabic_words",
    "select_arabic",
    "summary_sentences",
]

MIN_WORDS = 6
LONG_WORDS = 32
ARABIC_WORDS_PER_ENGLISH = 0.75  # an estimate: "قال الوزير إن" → "the minister said that"

_WORD = re.compile(r"[\u0621-\u064a0-9]+")
_FOLD = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ة": "ه", "ى": "ي", "ؤ": "و"})
_ARTICLE = re.compile(r"^(?:[بكل]?ال|لل)(?=..)")
_ENDS = ".!\u061f?\u2026"
_CLOSERS = "\u201d\u00bb\"')] "
_QUOTES = "\u00ab\u201c\"'"

# Function words, in their folded form (prepositions, pronouns, particles, reporting verbs
# that begin most news sentences).
ARABIC_STOPWORDS = frozenset(
    """في من الي علي عن ان انه انها هذا هذه ذلك تلك هناك هنا التي الذي الذين اللذين اللتين
    اللاتي كان كانت يكون تكون كانوا قد لقد ما لا لم لن او ام ثم كما مع بين عند حتي بعد قبل كل
    غير هو هي هم هما نحن انا انت منذ خلال حيث اي الا اذا لكن بل عليه عليها عليهم فيه فيها
    منه منها له لها لهم به بها ذات قال قالت اضاف اضافت وقال وقالت واضاف يوم اليوم ايضا وهو
    وهي وذلك الا ان سوف ليس ليست""".split()
)


def _fold(word: str) -> str:
    return word.translate(_FOLD)


def arabic_words(sentence: str) -> list[str]:
    """The normalised content words of an Arabic sentence (see the module docstring)."""
    words = []
    for raw in _WORD.findall(T.normalize(sentence)):
        word = _fold(raw)
        if word in ARABIC_STOPWORDS:
            continue
        if word[:1] in "وف":
            # Only where the rest is clearly a word of its own: "والحكومة", "وقال" (not the
            # root letter of "وزارة", "فيلم").
            if word[1:] in ARABIC_STOPWORDS:
                continue
            if _ARTICLE.match(word[1:]):
                word = word[1:]
        word = _ARTICLE.sub("", word)
        if len(word) >= 2 and word not in ARABIC_STOPWORDS:
            words.append(word)
    return words


def _form(sentence: str) -> float:
    text = sentence.strip()
    words = len(text.split())
    factor = 1.0
    if words < MIN_WORDS:
        factor *= words / MIN_WORDS
    elif words > LONG_WORDS:
        factor *= LONG_WORDS / words
    end = text.rstrip(_CLOSERS)[-1:]
    if end in "\u061f?":
        factor *= FORM_PENALTY
    elif end not in _ENDS:
        factor *= FORM_PENALTY  # a headline, a caption, a dateline
    if text[:1] in _QUOTES:
        factor *= FORM_PENALTY
    return factor


def _scored(sentences: Sequence[str]) -> tuple[list[float], list[dict[str, float]]]:
    live = [i for i, s in enumerate(sentences) if s.strip()]
    salience = [0.0] * len(sentences)
    vectors: list[dict[str, float]] = [{} for _ in sentences]
    raw = tfidf_vectors([Counter(arabic_words(sentences[i])) for i in live])
    for rank, (i, cos) in enumerate(zip(live, centroid_cosines(raw), strict=True)):
        norm = sum(v * v for v in raw[rank].values()) ** 0.5
        vectors[i] = {w: v / norm for w, v in raw[rank].items()} if norm else {}
        prior = 1.0 / (1.0 + rank / POSITION_SCALE)
        salience[i] = prior * (CENTRALITY_FLOOR + cos) * _form(sentences[i])
    return salience, vectors


def arabic_salience(sentences: Sequence[str]) -> list[float]:
    """Salience of each Arabic sentence: position × centrality × form (blank ones: 0)."""
    return _scored(sentences)[0]


def select_arabic(sentences: Sequence[str], length: str | int = "medium") -> list[int]:
    """Indices of the Arabic sentences a summary of ``length`` is made of, in source order.

    ``length`` as in :func:`summarize.extractive.length_budget` (ConfigError if bad). Never
    empty for a text with a non-blank sentence: the best one is kept even alone over budget.
    """
    count, english_words = length_budget(length)
    budget = None if english_words is None else round(english_words * ARABIC_WORDS_PER_ENGLISH)
    salience, vectors = _scored(sentences)
    order = sorted((i for i, s in enumerate(sentences) if s.strip()), key=lambda i: -salience[i])
    chosen: list[int] = []
    used = 0
    for i in order:
        if len(chosen) >= count:
            break
        folded = " ".join(sentences[i].split())
        if any(folded == " ".join(sentences[j].split()) for j in chosen) or any(
            vectors[i] and cosine(vectors[i], vectors[j]) >= REDUNDANT_SIMILARITY for j in chosen
        ):
            continue
        words = len(sentences[i].split())
        if budget is not None and chosen and used + words > budget:
            break
        chosen.append(i)
        used += words
    return sorted(chosen)


def summary_sentences(arabic_text: str, length: str | int = "medium") -> list[int]:
    """The sentence numbers (``Segment.sentence``: the Translator's sentences of
    ``arabic_text``) that a summary-first digest translates first."""
    spans = sentence_spans(arabic_text)
    return select_arabic([arabic_text[s.start : s.end] for s in spans], length)


@dataclass(frozen=True)
class SummaryFirst:
    """The sentence choice of a summary-first run, as a value: ``text → sentence numbers``.

    A batch job's ``select`` (``JobOptions(select=SummaryFirst("medium"),
    select_settings=SummaryFirst("medium").settings())``: ``tarjama batch --summary-only``)
    translates only these sentences of each row; it pickles for Ray.
    """

    length: str | int = "medium"

    def __post_init__(self) -> None:
        length_budget(self.length)  # a bad length is a ConfigError now, not on the first row

    def __call__(self, arabic_text: str) -> list[int]:
        return summary_sentences(arabic_text, self.length)

    def settings(self) -> dict[str, Any]:
        """What changes the choice (for a batch job's fingerprint)."""
        return {
            "ranked_on": "arabic",
            "length": self.length,
            "algorithm": "position x centrality (normalised Arabic words) x form",
            "words_per_english_word": ARABIC_WORDS_PER_ENGLISH,
        }
