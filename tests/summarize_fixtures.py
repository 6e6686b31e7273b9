"""Fixtures of the summarize tests: a tiny BART, and a registry naming the tiny models.

Import the fixtures into a test module (``from tests.summarize_fixtures import ...``). The
registry gives the tiny models fast greedy settings, so the one-call functions
(``summarize``/``digest``), which take their settings from the registry, run in seconds.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.tiny_bart import build_tiny_bart
from tests.tiny_models import REPO

EN_NEWS = (REPO / "seeds" / "en-news.txt").read_text(encoding="utf-8")

_REGISTRY = """\
default_translation: tiny-marian
default_summarization: tiny-bart
models:
  tiny-marian:
    path: {marian}
    role: translation
    backend: transformers  # float32: no test may depend on a CPU's int8 kernels
    max_input_tokens: 512
    window_tokens: 160
    generation: {{num_beams: 1, max_new_tokens: 48, max_length_ratio: 2.0}}
    strict_generation: {{num_beams: 1, repetition_penalty: 1.3, no_repeat_ngram_size: 3}}
  tiny-bart:
    path: {bart}
    role: summarization
    backend: transformers
    max_input_tokens: 1024
    generation: {{num_beams: 1, max_new_tokens: 142, min_new_tokens: 56, no_repeat_ngram_size: 3}}
    strict_generation: {{num_beams: 1, no_repeat_ngram_size: 3, repetition_penalty: 1.5}}
  # Strict settings that are no stricter: a looping output loops again and must be replaced.
  tiny-bart-loose:
    path: {bart}
    role: summarization
    max_input_tokens: 1024
    generation: {{num_beams: 1, no_repeat_ngram_size: 0}}
    strict_generation: {{num_beams: 1, no_repeat_ngram_size: 0}}
"""


@pytest.fixture(scope="session")
def tiny_bart(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny random BART model directory (byte-level BPE on the English seeds), built once."""
    import transformers

    transformers.logging.set_verbosity_error()
    return build_tiny_bart(tmp_path_factory.mktemp("tiny-bart"))


@pytest.fixture(scope="session")
def tiny_registry_file(
    tmp_path_factory: pytest.TempPathFactory, tiny_marian: Path, tiny_bart: Path
) -> Path:
    path = tmp_path_factory.mktemp("registry") / "models.yaml"
    path.write_text(_REGISTRY.format(marian=tiny_marian, bart=tiny_bart), encoding="utf-8")
    return path


@pytest.fixture()
def tiny_registry(tiny_registry_file: Path, monkeypatch: pytest.MonkeyPatch):
    """TARJAMA_MODELS → the tiny registry; the shared translators/summarizers are reset."""
    from summarize.abstractive import clear_summarizer_cache
    from translate.translator import clear_translator_cache

    monkeypatch.setenv("TARJAMA_MODELS", str(tiny_registry_file))
    clear_summarizer_cache()
    clear_translator_cache()
    yield tiny_registry_file
    clear_summarizer_cache()
    clear_translator_cache()
