"""Tests on the real registry models, run only where their weights are already downloaded.

They read the user's Hugging Face cache (the one set before the test session replaced it) and
are skipped, with the reason, where the weights are absent — as on CI, which has no hub.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import USER_HF_CACHE
from translate.registry import load_registry

pytestmark = pytest.mark.real_model


def _snapshot(name: str) -> Path | None:
    """The local snapshot directory of a registry model in the user's cache, if complete."""
    from huggingface_hub import try_to_load_from_cache

    spec = load_registry().get(name)
    found = try_to_load_from_cache(
        str(spec.hub_id), "config.json", cache_dir=USER_HF_CACHE, revision=spec.revision
    )
    if not isinstance(found, str):
        return None
    folder = Path(found).parent
    has_weights = any(folder.glob("*.safetensors")) or any(folder.glob("pytorch_model*.bin"))
    return folder if has_weights else None


def _require(name: str) -> Path:
    folder = _snapshot(name)
    if folder is None:
        pytest.skip(
            f"real weights of {name} are not in {USER_HF_CACHE}; "
            f"run `tarjama models download {name}` on a machine with the hub to enable this test"
        )
    return folder


def test_opus_mt_translates_the_seed(seed_article: str) -> None:
    folder = _require("opus-mt-ar-en")
    from translate import Translator

    result = Translator(model=str(folder)).translate(seed_article)
    text = result.text.lower()
    assert "aleppo" in text and "security council" in text
    assert sum("degenerate" in s.flags for s in result.segments) <= 1


def test_distilbart_summarizes_english() -> None:
    folder = _require("distilbart-cnn-12-6")
    from summarize import summarize

    english = (Path(__file__).resolve().parent.parent / "seeds" / "en-news.txt").read_text()
    summary = summarize(english.splitlines()[:12], model=str(folder), length="short")
    assert summary.text and len(summary.text) < len(english)


def test_opus_mt_tc_big_translates_with_its_shared_embeddings(seed_article: str) -> None:
    """On main its checkpoint carries a stray lm_head; loaded as transformers 5 alone loads it,
    the model repeats one word ("Salafist Salafist ..."). Both engines must translate."""
    folder = _require("opus-mt-tc-big-ar-en")
    from translate import Translator

    first = seed_article.splitlines()[0]
    for backend in ("transformers", "ctranslate2"):
        if backend == "ctranslate2":
            pytest.importorskip("ctranslate2")
        result = Translator(model=str(folder), backend=backend).translate(first)
        words = result.text.lower().split()
        assert "aleppo" in words or "security" in words, result.text
        assert len(set(words)) > len(words) / 3, result.text  # not one word over and over


@pytest.mark.parametrize("name", ["bart-large-cnn", "brio-cnndm-cased"])
def test_cnn_summarizers_give_short_summaries_in_both_engines(name: str) -> None:
    """A "short" summary is at most 60 new tokens in both engines (the checkpoints' min_length
    of 56 must not make the CTranslate2 one twice as long)."""
    folder = _require(name)
    from summarize.abstractive import Summarizer

    english = (Path(__file__).resolve().parent.parent / "seeds" / "en-news.txt").read_text()
    lengths = []
    for backend in ("transformers", "ctranslate2"):
        if backend == "ctranslate2":
            pytest.importorskip("ctranslate2")
        summary = Summarizer(str(folder), backend=backend).summarize(
            english.splitlines()[:12], "short"
        )
        lengths.append(len(summary.text.split()))
    assert max(lengths) <= 70 and min(lengths) >= 0.5 * max(lengths), lengths
