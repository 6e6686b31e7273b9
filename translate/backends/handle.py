"""ModelHandle: a registry model, its engine choice and decoding settings, loaded on first use.

Translator and Summarizer both build on it, so model resolution, lazy loading and the model
part of their metadata live in one place.
"""

from __future__ import annotations

from typing import Any, TypeVar

from ..registry import ModelSpec, Role, resolve_model
from . import load_backend, resolve_backend_name
from .base import Seq2SeqBackend

H = TypeVar("H", bound="ModelHandle")

# The explicit cache behind translate() and summarize(): one handle per (class, model, backend,
# device), so their sentence caches and settings are shared between calls.
_SHARED: dict[tuple[type, str | None, str | None, str], ModelHandle] = {}


class ModelHandle:
    """``model`` (a models.yaml name, a local directory, or None for the role's default) with
    its engine; ``generation`` overrides the registry's decoding settings."""

    def __init__(
        self,
        model: str | None,
        role: Role,
        backend: str | None = None,
        device: str = "auto",
        quantization: str | None = None,
        generation: dict[str, Any] | None = None,
    ) -> None:
        self.spec: ModelSpec = resolve_model(model, role)
        self.backend_name = resolve_backend_name(self.spec, backend, device)
        self.device = device
        self.quantization = quantization
        self.settings: dict[str, Any] = {**self.spec.generation, **(generation or {})}
        self.strict_settings: dict[str, Any] = {**self.settings, **self.spec.strict_generation}
        self._backend: Seq2SeqBackend | None = None

    @classmethod
    def shared(
        cls: type[H], model: str | None = None, backend: str | None = None, device: str = "auto"
    ) -> H:
        """The process-wide instance for (model, backend, device), made on first use."""
        key = (cls, model, backend, device)
        if key not in _SHARED:
            _SHARED[key] = cls(model=model, backend=backend, device=device)  # type: ignore[call-arg]
        return _SHARED[key]  # type: ignore[return-value]

    @classmethod
    def clear_shared(cls) -> None:
        """Forget this class's shared instances (the loaded models stay in MODEL_CACHE)."""
        for key in [k for k in _SHARED if issubclass(k[0], cls)]:
            del _SHARED[key]

    @property
    def backend(self) -> Seq2SeqBackend:
        """The loaded engine (loaded on first access, then shared through the model cache)."""
        if self._backend is None:
            self._backend = load_backend(
                self.spec, self.backend_name, self.device, self.quantization
            )
        return self._backend

    def model_meta(self) -> dict[str, Any]:
        """Which model and engine produced an output, and with which settings."""
        backend = self.backend
        return {
            "model": self.spec.name,
            "source": self.spec.source,
            "revision": self.spec.revision,
            "backend": backend.name,
            "device": backend.device,
            "quantization": backend.quantization,
            "settings": dict(self.settings),
        }
