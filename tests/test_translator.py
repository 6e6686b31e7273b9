"""The translation flow on a tiny local MarianMT model: completeness, windows, errors, cache."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from translate import (
    InputError,
    ModelUnavailableError,
    Segment,
    TranslationResult,
    Translator,
    split_sentences,
    translate,
)
from translate.backends import MODEL_CACHE, load_backend
from translate.registry import resolve_model


def _assert_complete(text: str, result: TranslationResult) -> None:
    """Every non-space character of the input lies in exactly one segment, in order."""
    covered = []
    last_end = 0
    for seg in result.segments:
        assert seg.source == text[seg.start : seg.end]
        assert seg.start >= last_end and seg.end > seg.start
        assert seg.source == seg.source.strip()
        covered.append(seg.source)
        last_end = seg.end
    squeeze = re.compile(r"\s+")
    assert squeeze.sub("", "".join(covered)) == squeeze.sub("", text)
    assert [s.index for s in result.segments] == list(range(len(result.segments)))


def test_seed_article(translator: Translator, seed_article: str) -> None:
    result = translator.translate(seed_article)
    _assert_complete(seed_article, result)
    assert len(result.segments) >= len(split_sentences(seed_article))
    assert all(seg.target for seg in result.segments)
    # Paragraph breaks of the source are kept: one output line per source line.
    source_lines = [ln for ln in seed_article.splitlines() if ln.strip()]
    assert len(result.text.split("\n")) == len(source_lines)
    assert max(s.paragraph for s in result.segments) == len(source_lines) - 1
    assert result.meta["backend"] == "transformers"
    assert result.meta["model"] == translator.spec.name
    assert {"revision", "settings", "device", "quantization"} <= set(result.meta)


def test_long_article_is_complete(translator: Translator, seed_article: str) -> None:
    text = "\n\n".join([seed_article] * 5)
    result = translator.translate(text)
    _assert_complete(text, result)
    sentences = split_sentences(text)
    assert len({seg.sentence for seg in result.segments}) == len(sentences)
    # Blank lines between copies survive as blank lines in the English.
    assert result.text.count("\n\n") == 4
    for seg in result.segments:
        assert 0 <= seg.start < seg.end <= len(text)


def test_over_long_sentence_is_windowed_not_truncated(tiny_marian: Path) -> None:
    clause = "وقال المسؤول إن الحكومة ستواصل دعم المزارعين في المناطق المتضررة من الجفاف"
    sentence = "، ".join([clause] * 30) + "."
    tr = Translator(
        model=str(tiny_marian),
        backend="transformers",
        cache_size=0,
        window_tokens=40,
        generation={"num_beams": 1, "max_new_tokens": 24},
    )
    assert tr.backend.count_tokens([sentence])[0] > 40 * 5
    result = tr.translate(sentence)
    _assert_complete(sentence, result)
    assert len(result.segments) > 5
    assert all("windowed" in seg.flags for seg in result.segments)
    assert {seg.sentence for seg in result.segments} == {0}
    counts = tr.backend.count_tokens([seg.source for seg in result.segments])
    assert max(counts) <= 40


def test_sentence_over_model_limit_is_split(tiny_marian: Path) -> None:
    """A sentence above the model's hard 512-token limit is still translated completely."""
    words = "والمدينة التي شهدت معارك عنيفة خلال الأشهر الماضية".split()
    sentence = " ".join(words * 120)  # no clause marks at all: split by words
    tr = Translator(
        model=str(tiny_marian),
        backend="transformers",
        cache_size=0,
        generation={"num_beams": 1, "max_new_tokens": 8},
    )
    assert tr.backend.count_tokens([sentence])[0] > 512
    result = tr.translate(sentence)
    _assert_complete(sentence, result)
    assert max(tr.backend.count_tokens([s.source for s in result.segments])) <= tr.window_tokens


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "empty"),
        ("   \n\t ", "only whitespace"),
        ("The minister said the talks would resume.", "no Arabic letters"),
        ("12345 !!! ...", "no Arabic letters"),
        (b"\xd9\x82\xd8\xa7\xd9\x84", "bytes, not text"),
        ("قال\x00\x01\x02 الوزير", "binary"),
        (None, "must be a string"),
    ],
)
def test_bad_input(translator: Translator, text: object, message: str) -> None:
    with pytest.raises(InputError, match=message):
        translator.translate(text)  # type: ignore[arg-type]


def test_size_limit(tiny_marian: Path) -> None:
    tr = Translator(model=str(tiny_marian), backend="transformers", max_chars=100)
    with pytest.raises(InputError, match=r"limit is 100\b.*max_chars"):
        tr.translate("قال الوزير. " * 20)
    assert isinstance(InputError("x"), ValueError)


def test_persian_translates_with_warning(translator: Translator) -> None:
    text = "این یک متن فارسی است که چند کلمه دارد. گفت و گو ادامه دارد."
    result = translator.translate(text)
    assert result.segments and all("persian-urdu" in s.flags for s in result.segments)
    assert any("Persian or Urdu" in w for w in result.warnings)


def test_untouchables_pass_through(translator: Translator) -> None:
    text = (
        "وقال المتحدث إن التقرير منشور على https://www.example.org/news/2024 "
        "ويمكن التواصل عبر press@example.org مع منظمة UNESCO."
    )
    result = translator.translate(text)
    joined = " ".join(seg.target for seg in result.segments)
    for kept in ("https://www.example.org/news/2024", "press@example.org", "UNESCO"):
        assert kept in joined
    assert "__U" not in joined


def test_latin_and_number_only_lines_pass_through(translator: Translator) -> None:
    text = "قال الوزير إن المحادثات ستستأنف.\nReuters\n2016/10/7"
    result = translator.translate(text)
    assert [s.target for s in result.segments[-2:]] == ["Reuters", "2016/10/7"]
    assert all("passthrough" in s.flags for s in result.segments[-2:])


@pytest.mark.slow  # loads a model engine (imports torch)
def test_missing_model_offline() -> None:
    tr = Translator(model="opus-mt-ar-en", backend="transformers")
    with pytest.raises(ModelUnavailableError) as info:
        tr.translate("قال الوزير إن المحادثات ستستأنف.")
    message = str(info.value)
    assert "opus-mt-ar-en" in message and "Helsinki-NLP/opus-mt-ar-en" in message
    assert "HF_HUB_OFFLINE" in message
    assert "tarjama models download opus-mt-ar-en" in message
    assert str(Path(message.split("cache at ")[1].split(" and ")[0])).endswith("hub")


@pytest.mark.slow  # loads a model engine (imports torch)
def test_bad_local_path_and_empty_dir(tmp_path: Path) -> None:
    with pytest.raises(ModelUnavailableError, match="does not exist"):
        Translator(model=str(tmp_path / "missing"))
    tr = Translator(model=str(tmp_path), backend="transformers")
    with pytest.raises(ModelUnavailableError, match="not a loadable model directory"):
        tr.translate("قال الوزير.")


def test_cache_hits_and_keys(tiny_marian: Path) -> None:
    tr = Translator(
        model=str(tiny_marian),
        backend="transformers",
        generation={"num_beams": 1, "max_new_tokens": 16},
    )
    text = "قال الوزير إن المحادثات ستستأنف. وأضاف أن الوفد سيصل غدا."
    first = tr.translate(text)
    assert tr.cache.hits == 0 and len(tr.cache) == 2
    second = tr.translate(text)
    assert tr.cache.hits == 2
    assert [s.target for s in first.segments] == [s.target for s in second.segments]
    # Normalisation happens before the key: diacritics and tatweel do not miss the cache.
    tr.translate("قَالَ الوزيـــر إن المحادثات ستستأنف.")
    assert tr.cache.hits == 3
    # Different settings are a different key.
    other = Translator(
        model=str(tiny_marian),
        backend="transformers",
        generation={"num_beams": 2, "max_new_tokens": 16},
    )
    other.cache = tr.cache
    other.translate(text)
    assert tr.cache.hits == 3 and len(tr.cache) == 4


def test_cache_is_bounded(tiny_marian: Path) -> None:
    tr = Translator(
        model=str(tiny_marian),
        backend="transformers",
        cache_size=3,
        generation={"num_beams": 1, "max_new_tokens": 8},
    )
    tr.translate("الجملة الأولى. الجملة الثانية. الجملة الثالثة. الجملة الرابعة. الجملة الخامسة.")
    assert len(tr.cache) == 3


def test_iter_segments_streams_in_order(translator: Translator, seed_article: str) -> None:
    streamed = list(translator.iter_segments(seed_article))
    assert all(isinstance(s, Segment) for s in streamed)
    assert [s.index for s in streamed] == list(range(len(streamed)))
    assert [s.start for s in streamed] == sorted(s.start for s in streamed)
    whole = translator.translate(seed_article)
    assert [(s.start, s.end) for s in streamed] == [(s.start, s.end) for s in whole.segments]


def test_iter_segments_is_lazy(translator: Translator, seed_article: str) -> None:
    calls = []
    backend = translator.backend
    original = backend.generate

    def counting(texts, settings, **kwargs):  # noqa: ANN001, ANN003, ANN202
        calls.append(len(texts))
        return original(texts, settings, **kwargs)

    backend.generate = counting  # type: ignore[method-assign]
    try:
        stream = translator.iter_segments(seed_article)
        first = next(stream)
        assert first.index == 0
        first_wave = len(calls)
        assert sum(calls) <= 4  # only the first small wave (and maybe its retry) ran
        list(stream)
        assert len(calls) > first_wave
    finally:
        backend.generate = original  # type: ignore[method-assign]


def test_translate_batch(translator: Translator, seed_article: str) -> None:
    texts = [seed_article, "قال الوزير إن المحادثات ستستأنف.", "   ", "Hello", "وأضاف."]
    with pytest.raises(InputError):
        translator.translate_batch(texts)
    seen = []
    results = translator.translate_batch(texts, on_error="return", progress=seen.append)
    assert len(results) == len(texts)
    assert isinstance(results[0], TranslationResult)
    _assert_complete(seed_article, results[0])
    assert isinstance(results[2], InputError) and "whitespace" in str(results[2])
    assert isinstance(results[3], InputError) and "no Arabic" in str(results[3])
    assert isinstance(results[4], TranslationResult)
    total = sum(len(r.segments) for r in results if isinstance(r, TranslationResult))
    assert sum(seen) == total


@pytest.mark.parametrize("ratio", [None, 1.0])
def test_batch_equals_one_by_one(tiny_marian: Path, seed_article: str, ratio) -> None:  # noqa: ANN001
    """Batching does not change outputs, whether caps are fixed or each sentence's own."""
    tr = Translator(
        model=str(tiny_marian),
        backend="transformers",
        cache_size=0,
        generation={"num_beams": 1, "max_new_tokens": 24, "max_length_ratio": ratio},
    )
    texts = [seed_article, "قال الوزير إن المحادثات ستستأنف."]
    together = tr.translate_batch(texts)
    for text, result in zip(texts, together, strict=True):
        alone = tr.translate(text)
        assert [s.target for s in alone.segments] == [s.target for s in result.segments]


def test_batches_respect_token_budget(tiny_marian: Path, seed_article: str) -> None:
    tr = Translator(
        model=str(tiny_marian),
        backend="transformers",
        cache_size=0,
        batch_tokens=256,
        generation={"num_beams": 1, "max_new_tokens": 8},
    )
    widths = []
    backend = tr.backend
    original = backend.generate

    def recording(texts, settings, **kwargs):  # noqa: ANN001, ANN003, ANN202
        counts = backend.count_tokens(texts)
        widths.append((len(texts), max(counts)))
        return original(texts, settings, **kwargs)

    backend.generate = recording  # type: ignore[method-assign]
    try:
        tr.translate(seed_article)
    finally:
        backend.generate = original  # type: ignore[method-assign]
    assert len(widths) > 1
    assert all(n == 1 or n * width <= 256 for n, width in widths)
    firsts = [w for _, w in widths[: len(widths) // 2]]
    assert firsts == sorted(firsts, reverse=True)  # longest first: sorted by length


def test_model_loaded_once(tiny_marian: Path) -> None:
    spec = resolve_model(str(tiny_marian), "translation")
    a = load_backend(spec, "transformers")
    b = load_backend(spec, "transformers")
    assert a is b
    before = len(MODEL_CACHE)
    Translator(model=str(tiny_marian), backend="transformers").translate("قال الوزير.")
    assert len(MODEL_CACHE) == before


def test_module_level_translate(tiny_marian: Path) -> None:
    result = translate("قال الوزير إن المحادثات ستستأنف.", model=str(tiny_marian))
    assert isinstance(result, TranslationResult) and result.segments
    assert result.to_dict()["segments"][0]["source"] == result.segments[0].source


@pytest.mark.slow  # loads a model engine (imports torch)
def test_unreachable_hub_fails_fast(monkeypatch: pytest.MonkeyPatch) -> None:
    """Not offline, but no route to the hub: a clear error without HTTP retries."""
    import translate.backends.hub as hub

    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    monkeypatch.delenv("TRANSFORMERS_OFFLINE", raising=False)
    monkeypatch.setattr(hub, "hub_reachable", lambda timeout=3.0: False)
    tr = Translator(model="opus-mt-tc-big-ar-en", backend="transformers")
    with pytest.raises(ModelUnavailableError, match="cannot connect to https://huggingface.co"):
        tr.translate("قال الوزير.")


def test_public_stages_make_what_translate_makes(translator: Translator, seed_article: str) -> None:
    """prepare → run → assemble is translate(), and run fills every piece."""
    pieces = translator.prepare(seed_article)
    assert all(p.result is None for p in pieces)
    translator.run(pieces)
    assert all(p.result is not None for p in pieces)
    staged = translator.assemble(seed_article, pieces)
    assert staged.to_dict() == translator.translate(seed_article).to_dict()
    assert translator.segment(seed_article, pieces[0], 0) == staged.segments[0]


def test_config_is_the_one_home_of_the_settings(tiny_marian: Path) -> None:
    from translate.config import TranslatorConfig

    config = TranslatorConfig(model=str(tiny_marian), backend="transformers", max_chars=500)
    made = Translator.from_config(config)
    assert made.config == config and made.max_chars == 500
    assert made.batch_tokens == config.batch_tokens
    with pytest.raises(TypeError):
        Translator(model=str(tiny_marian), batch_tokenz=100)  # type: ignore[call-arg]
    made.max_chars = 50  # a changed limit is changed in the config too
    assert made.config.max_chars == 50
    with pytest.raises(InputError, match="limit is 50"):
        made.translate("قال الوزير " * 10)


def test_iter_segments_validates_at_the_call(translator: Translator) -> None:
    with pytest.raises(InputError):
        translator.iter_segments("Hello there.")  # no next() needed
