"""Shared fixtures. No test touches the network or the user's model cache.

HF_HUB_OFFLINE and a throw-away HF_HOME are set before anything imports huggingface_hub,
which reads them at import time.
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from pathlib import Path

# Where real weights would be, for the tests marked real_model (read before we override it).
USER_HF_CACHE = os.environ.get("HF_HUB_CACHE") or os.path.join(
    os.environ.get("HF_HOME", os.path.expanduser("~/.cache/huggingface")), "hub"
)
_HF_HOME = tempfile.mkdtemp(prefix="tarjama-test-hf-")
atexit.register(shutil.rmtree, _HF_HOME, ignore_errors=True)  # each run left one behind
os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["HF_HOME"] = _HF_HOME
os.environ["HF_HUB_CACHE"] = os.path.join(_HF_HOME, "hub")
os.environ["TRANSFORMERS_OFFLINE"] = "1"
os.environ["HF_HUB_DISABLE_TELEMETRY"] = "1"
os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"
os.environ["TARJAMA_CACHE_DIR"] = os.path.join(_HF_HOME, "tarjama")
os.environ.pop("TARJAMA_MODELS", None)
# Tiny models gain nothing from threads, and on a busy machine idle OpenMP threads that spin
# (CTranslate2's pool, left alive by one test) slowed every later test, subprocesses included.
os.environ.setdefault("TARJAMA_CT2_THREADS", "1")
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import sys  # noqa: E402

import pytest  # noqa: E402

from tests.tiny_models import REPO, build_tiny_marian  # noqa: E402

SEEDS = REPO / "seeds"

# Test tiers. A test that builds or loads a model (it asks, directly or through another
# fixture, for one of these) is marked ``slow`` here, so that
# ``pytest -m "not slow and not browser"`` runs the pure tests (text, guard, extractive
# summaries, rendering, batch state...) in seconds, without importing torch.
MODEL_FIXTURES = frozenset(
    {
        "tiny_marian",
        "trained_marian",
        "tiny_bart",
        "tiny_bart_dir",
        "tiny_bart_forced_bos",
        "hub_checkpoints_root",
        "marian_pair",
        "ray_session",
    }
)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if MODEL_FIXTURES.intersection(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.slow)


def pytest_runtest_setup(item: pytest.Item) -> None:
    if item.get_closest_marker("slow") is not None:
        _one_torch_thread()


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    # The pure tier's promise, checked where it is asked for (tests/test_tiers.py).
    if os.environ.get("TARJAMA_TEST_NO_TORCH") == "1" and "torch" in sys.modules:
        print("\ntarjama: torch was imported in the pure tier", file=sys.stderr)
        session.exitstatus = 3


_THREADS_SET = False


def _one_torch_thread() -> None:
    """Tiny models gain nothing from threads, and on a busy 2-core machine the spinning pool
    made some tests 10-20x slower. Set once, before the first test that uses a model."""
    global _THREADS_SET
    if not _THREADS_SET:
        import torch

        torch.set_num_threads(1)
        _THREADS_SET = True


@pytest.fixture(scope="session")
def tiny_marian(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny random MarianMT model directory (Arabic/English sentencepiece), built once."""
    import transformers

    transformers.logging.set_verbosity_error()
    return build_tiny_marian(tmp_path_factory.mktemp("tiny-marian"))


@pytest.fixture(scope="session")
def trained_marian(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Path:
    """A tiny MarianMT TRAINED on templated Arabic→English news sentences
    (``tests/trained_marian.py``): its outputs end with EOS and it is more confident on a
    sentence like its training data than on a scrambled one. A model directory for
    ``Translator(model=...)`` (both engines). Built once (a few minutes on two cores) and kept
    in pytest's cache directory under a hash of its recipe, so later runs reuse it."""
    import transformers

    from tests.trained_marian import trained_marian_dir

    transformers.logging.set_verbosity_error()
    cache = getattr(request.config, "cache", None)  # absent under -p no:cacheprovider
    if cache is not None:
        return trained_marian_dir(cache.mkdir("trained-marian"))
    # pytest's temporary root outlives its numbered runs: the model is still reused there
    root = tmp_path_factory.getbasetemp().parent / "trained-marian"
    root.mkdir(exist_ok=True)
    return trained_marian_dir(root)


@pytest.fixture(scope="session")
def seed_article() -> str:
    return (SEEDS / "aleppo-security-council.ar.txt").read_text(encoding="utf-8")


@pytest.fixture()
def translator(tiny_marian: Path):
    """A Translator on the tiny model with greedy decoding and the sentence cache off."""
    from translate import Translator

    return Translator(
        model=str(tiny_marian),
        backend="transformers",
        cache_size=0,
        generation={"num_beams": 1, "max_new_tokens": 48},
    )


@pytest.fixture(scope="session")
def fast_registry(tmp_path_factory: pytest.TempPathFactory, tiny_marian: Path) -> Path:
    """A models.yaml whose default ``tiny`` entry is the tiny model with short greedy decoding,
    plus ``broken`` (a local path that does not exist) and ``hub-model`` (never downloaded)."""
    path = tmp_path_factory.mktemp("registry") / "models.yaml"
    path.write_text(
        f"""
default_translation: tiny
models:
  tiny:
    path: {tiny_marian}
    role: translation
    backend: transformers
    max_input_tokens: 512
    window_tokens: 64
    generation: {{num_beams: 1, max_new_tokens: 8, max_length_ratio: 2.0}}
    strict_generation: {{num_beams: 1, max_new_tokens: 8, repetition_penalty: 1.3}}
  broken:
    path: {tiny_marian.parent / "no-such-model"}
    role: translation
    backend: transformers
  hub-model:
    hub_id: example-org/not-downloaded
    role: translation
""",
        encoding="utf-8",
    )
    return path


def _forget_loaded_models() -> None:
    from translate.backends import clear_model_cache
    from translate.backends.handle import ModelHandle

    clear_model_cache()
    ModelHandle.clear_shared()


@pytest.fixture(scope="session")
def hub_checkpoints_root(tmp_path_factory: pytest.TempPathFactory):
    """Tiny stand-ins of every registry model, shaped like the real repositories, in a Hugging
    Face hub-cache layout (``ROOT/hub``); built once. Returns (ROOT, {name: Shape})."""
    import transformers

    from tests.checkpoints import build_registry_checkpoints

    transformers.logging.set_verbosity_error()
    root = tmp_path_factory.mktemp("hub-checkpoints")
    return root, build_registry_checkpoints(root / "hub", root / "work")


@pytest.fixture()
def hub_models(hub_checkpoints_root, monkeypatch: pytest.MonkeyPatch):
    """The packaged registry's models resolve to the hub-shaped stand-ins: HF_HUB_CACHE points at
    their cache, HF_HUB_OFFLINE is on, CTranslate2 conversions go to a cache of their own, and
    models loaded before and during the test are forgotten. Yields {name: Shape}."""
    root, shapes = hub_checkpoints_root
    monkeypatch.setenv("HF_HUB_CACHE", str(root / "hub"))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("TARJAMA_CACHE_DIR", str(root / "tarjama"))
    monkeypatch.delenv("TARJAMA_MODELS", raising=False)
    _forget_loaded_models()
    yield shapes
    _forget_loaded_models()


@pytest.fixture()
def registry(monkeypatch: pytest.MonkeyPatch, fast_registry: Path) -> Path:
    """:func:`fast_registry` as the registry of this test (``TARJAMA_MODELS``)."""
    monkeypatch.setenv("TARJAMA_MODELS", str(fast_registry))
    return fast_registry


def run_cli(capsys: pytest.CaptureFixture[str], *args: str | Path) -> tuple[int, str, str]:
    """``tarjama ARGS`` in this process: the exit code, stdout and stderr."""
    from ui.cli import main

    code = main([str(a) for a in args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err
