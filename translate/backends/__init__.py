"""Engines behind one protocol, and the explicit cache of loaded models.

All model loading lives in this package. A loaded backend is kept in ``MODEL_CACHE`` (keyed by
model, revision, engine, device and quantisation) so each model loads once per process.
"""

from __future__ import annotations

import importlib.util
import threading

from ..errors import ConfigError, MissingDependencyError
from ..registry import BACKENDS, ModelSpec
from .base import ENGINE_KEYS, Generation, Seq2SeqBackend, engine_settings

__all__ = [
    "ENGINE_KEYS",
    "Generation",
    "MODEL_CACHE",
    "Seq2SeqBackend",
    "clear_model_cache",
    "engine_settings",
    "load_backend",
    "resolve_backend_name",
]


class _ModelCache:
    """The one explicit, process-wide cache of loaded models (thread-safe)."""

    def __init__(self) -> None:
        self._items: dict[tuple, Seq2SeqBackend] = {}
        self._lock = threading.Lock()

    def get_or_load(self, key: tuple, load) -> Seq2SeqBackend:  # noqa: ANN001 - a factory
        with self._lock:
            if key not in self._items:
                self._items[key] = load()
            return self._items[key]

    def clear(self) -> None:
        with self._lock:
            self._items.clear()

    def __len__(self) -> int:
        return len(self._items)

    def keys(self) -> list[tuple]:
        return list(self._items)


MODEL_CACHE = _ModelCache()


def clear_model_cache() -> None:
    """Forget every loaded model (tests; freeing memory)."""
    MODEL_CACHE.clear()


def ctranslate2_installed() -> bool:
    """Whether the optional ctranslate2 package is importable (checked without importing it)."""
    return importlib.util.find_spec("ctranslate2") is not None


def resolve_backend_name(spec: ModelSpec, backend: str | None, device: str = "auto") -> str:
    """``auto`` picks ctranslate2 when it is installed and the model runs on the CPU, else
    transformers; an explicit name is checked.

    On the tiny test models ctranslate2 in float32 with greedy search gives the same tokens as
    transformers (tests/test_ct2.py), and int8 is several times faster on a CPU (BENCHMARKS.md).
    """
    name = backend or spec.backend or "auto"
    if name not in BACKENDS:
        raise ConfigError(f"Unknown backend {name!r}: use one of {', '.join(BACKENDS)}.")
    if name == "auto":
        return "ctranslate2" if ctranslate2_installed() and _runs_on_cpu(device) else "transformers"
    return name


def _runs_on_cpu(device: str) -> bool:
    """Whether ``device`` resolves to the CPU, asked without importing torch."""
    if device == "cpu":
        return True
    if device != "auto":
        return False
    import ctranslate2  # light: no torch

    return ctranslate2.get_cuda_device_count() == 0


def engine_facts(backend: str, device: str, quantization: str | None) -> tuple[str, str]:
    """The (device, quantisation) an engine will run with, resolved without loading a model.

    Mirrors the engines' own choices: transformers runs float16 on CUDA and float32 on the CPU;
    CTranslate2 defaults to float16 on CUDA and int8 on the CPU.
    """
    if backend == "transformers":
        from .hf import resolve_torch_device

        resolved = resolve_torch_device(device)
        return resolved, "float16" if resolved.startswith("cuda") else "float32"
    from .convert import check_quantization
    from .ct2 import resolve_ct2_device

    kind, _ = resolve_ct2_device(device)
    default = "float16" if kind == "cuda" else "int8"
    return kind, check_quantization(quantization or default)


def load_backend(
    spec: ModelSpec,
    backend: str | None = None,
    device: str = "auto",
    quantization: str | None = None,
) -> Seq2SeqBackend:
    """Load (once) and return the engine for ``spec``."""
    name = resolve_backend_name(spec, backend, device)
    key = (spec.name, spec.source, spec.revision, name, device, quantization)
    if name == "transformers":
        if importlib.util.find_spec("torch") is None:
            raise MissingDependencyError(
                "The transformers backend needs PyTorch: pip install torch (CPU: "
                "pip install torch --index-url https://download.pytorch.org/whl/cpu)."
            )

        def load() -> Seq2SeqBackend:
            from .hf import TransformersBackend

            return TransformersBackend(spec, device=device)

        return MODEL_CACHE.get_or_load(key, load)
    if not ctranslate2_installed():
        raise MissingDependencyError(
            "The ctranslate2 backend needs the optional package ctranslate2: "
            "pip install 'tarjama[fast]'."
        )

    def load_ct2() -> Seq2SeqBackend:
        from .ct2 import CTranslate2Backend

        return CTranslate2Backend(spec, device=device, quantization=quantization)

    return MODEL_CACHE.get_or_load(key, load_ct2)
