"""ModelHandle: a registry model, its engine choice and decoding settings, loaded on first use.

Translator and Summarizer both build on it, so model resolution, lazy loading and the model
part of their metadata live in one place.
"""

from __future__ import annotations

import threading
from typing import Any, TypeVar

from ..registry import ModelSpec, Registry, Role, load_registry, resolve_model
from . import engine_facts, load_backend, resolve_backend_name
from .base import Seq2SeqBackend

H = TypeVar("H", bound="ModelHandle")

# The one cache of shared instances behind translate(), summarize() and the front ends: one
# handle per key of everything that makes a different instance (class, model, engine, device,
# quantisation, and the registry's file and content), so their sentence caches are shared.
_SHARED: dict[tuple[Any, ...], ModelHandle] = {}
_SHARED_LOCK = threading.Lock()


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
        registry: Registry | None = None,
    ) -> None:
        self.registry = registry if registry is not None else load_registry()
        self.spec: ModelSpec = resolve_model(model, role, self.registry)
        self.backend_name = resolve_backend_name(self.spec, backend, device)
        self.device = device
        self.quantization = quantization
        self.settings: dict[str, Any] = {**self.spec.generation, **(generation or {})}
        self.strict_settings: dict[str, Any] = {**self.settings, **self.spec.strict_generation}
        self._backend: Seq2SeqBackend | None = None

    @classmethod
    def shared(
        cls: type[H],
        model: str | None = None,
        backend: str | None = None,
        device: str = "auto",
        *,
        quantization: str | None = None,
        registry: Registry | None = None,
    ) -> H:
        """The process-wide instance for these settings, made on first use (thread-safe)."""
        registry = registry if registry is not None else load_registry()
        key = (cls, model, backend, device, quantization, registry.key)
        with _SHARED_LOCK:
            handle = _SHARED.get(key)
            if handle is None:
                handle = _SHARED[key] = cls(  # type: ignore[call-arg]
                    model=model,
                    backend=backend,
                    device=device,
                    quantization=quantization,
                    registry=registry,
                )
        return handle  # type: ignore[return-value]

    @classmethod
    def clear_shared(cls) -> None:
        """Forget this class's shared instances (the loaded models stay in MODEL_CACHE)."""
        with _SHARED_LOCK:
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
        """Which model and engine produce the outputs, and with which settings.

        Known without loading the model: the engine's device and quantisation are resolved
        the way loading resolves them.
        """
        if self._backend is not None:
            name = self._backend.name
            device, quantization = self._backend.device, self._backend.quantization
        else:
            name = self.backend_name
            device, quantization = engine_facts(name, self.device, self.quantization)
        return {
            "model": self.spec.name,
            "source": self.spec.source,
            "revision": self.spec.revision,
            "backend": name,
            "device": device,
            "quantization": quantization,
            "settings": dict(self.settings),
        }
