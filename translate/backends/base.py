"""The one small protocol every engine implements, and the helpers they share."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, TypeVar, runtime_checkable

from ..errors import ModelUnavailableError
from ..registry import ModelSpec

T = TypeVar("T")

# Engine-level generation keys (the translator turns max_length_ratio into max_new_tokens).
ENGINE_KEYS = (
    "num_beams",
    "max_new_tokens",
    "min_new_tokens",
    "length_penalty",
    "repetition_penalty",
    "no_repeat_ngram_size",
)


@dataclass(frozen=True)
class Generation:
    """One decoded output: its text, its length in model tokens and its mean log-probability."""

    text: str
    tokens: int
    score: float | None = None


@runtime_checkable
class Seq2SeqBackend(Protocol):
    """A loaded sequence-to-sequence model with its tokenizer (Marian or BART)."""

    name: str  # "transformers" | "ctranslate2"
    spec: ModelSpec
    device: str  # "cpu" | "cuda"
    quantization: str  # "float32" | "float16" | "int8" ...

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        """Source-side token counts, special tokens included."""
        ...

    def generate(self, texts: Sequence[str], settings: Mapping[str, Any]) -> list[Generation]:
        """Decode a batch. ``settings`` uses the keys of ``ENGINE_KEYS``. Never truncates."""
        ...


def engine_settings(settings: Mapping[str, Any]) -> dict[str, Any]:
    """Keep only the keys an engine understands, dropping neutral values."""
    out = {k: settings[k] for k in ENGINE_KEYS if settings.get(k) is not None}
    if out.get("no_repeat_ngram_size") == 0:
        del out["no_repeat_ngram_size"]
    if out.get("min_new_tokens") == 0:
        del out["min_new_tokens"]
    return out


def hf_cache_dir() -> str:
    """The Hugging Face hub cache the loaders look in (honours HF_HUB_CACHE / HF_HOME)."""
    try:
        from huggingface_hub import constants

        return str(constants.HF_HUB_CACHE)
    except ImportError:  # pragma: no cover - huggingface_hub comes with transformers
        home = os.environ.get("HF_HOME", os.path.expanduser("~/.cache/huggingface"))
        return os.environ.get("HF_HUB_CACHE", os.path.join(home, "hub"))


def hub_offline() -> bool:
    return os.environ.get("HF_HUB_OFFLINE", "").strip().lower() in {"1", "true", "yes", "on"}


def hub_reachable(timeout: float = 3.0) -> bool:
    """Can a TCP connection to the hub endpoint be opened? (Avoids minutes of HTTP retries.)"""
    import socket
    from urllib.parse import urlparse

    endpoint = urlparse(os.environ.get("HF_ENDPOINT", "https://huggingface.co"))
    host = endpoint.hostname or "huggingface.co"
    port = endpoint.port or (443 if endpoint.scheme == "https" else 80)
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


_LOAD_ERRORS = (OSError, ValueError, KeyError)


def _is_hub_error(exc: BaseException) -> bool:
    return type(exc).__module__.split(".")[0] in {"huggingface_hub", "httpx", "requests"}


def load_pretrained(spec: ModelSpec, load: Callable[..., T]) -> T:
    """Run ``load(source, **kwargs)`` (a ``from_pretrained``) the way tarjama loads weights.

    The local cache is tried first (no network); only when the files are not cached, the hub is
    not disabled (``HF_HUB_OFFLINE``) and reachable, they are downloaded. Any failure becomes a
    ModelUnavailableError naming the model, where it looked and the fix.
    """
    if spec.is_local:
        try:
            return load(spec.path)
        except _LOAD_ERRORS as exc:
            raise unavailable(spec, exc) from exc
    kwargs: dict[str, Any] = {"revision": spec.revision}
    try:
        return load(spec.hub_id, local_files_only=True, **kwargs)
    except _LOAD_ERRORS as exc:
        cached_error: BaseException = exc
    except Exception as exc:
        if not _is_hub_error(exc):
            raise
        cached_error = exc
    if hub_offline():
        raise unavailable(spec, cached_error) from cached_error
    if not hub_reachable():
        endpoint = os.environ.get("HF_ENDPOINT", "https://huggingface.co")
        raise unavailable(spec, f"cannot connect to {endpoint}") from cached_error
    try:
        return load(spec.hub_id, **kwargs)
    except _LOAD_ERRORS as exc:
        raise unavailable(spec, exc) from exc
    except Exception as exc:  # network errors from huggingface_hub/httpx vary by version
        if _is_hub_error(exc):
            raise unavailable(spec, exc) from exc
        raise


def unavailable(spec: ModelSpec, cause: BaseException | str) -> ModelUnavailableError:
    """A ModelUnavailableError that names the model, where it looked, and how to fix it."""
    reason = str(cause).strip().splitlines()[0] if str(cause).strip() else type(cause).__name__
    if spec.is_local:
        where = Path(str(spec.path))
        missing = "does not exist" if not where.exists() else "is not a loadable model directory"
        return ModelUnavailableError(
            f"Model {spec.name!r} could not be loaded: the local directory {where} {missing} "
            f"({reason}). Fix: point --model (or `path:` in models.yaml) at a directory made by "
            "`save_pretrained` (config.json, weights and tokenizer files), or use a registry name "
            "such as 'opus-mt-ar-en'."
        )
    revision = spec.revision or "main"
    offline = " (HF_HUB_OFFLINE is set)" if hub_offline() else ""
    return ModelUnavailableError(
        f"Model {spec.name!r} ({spec.hub_id} @ {revision}) could not be loaded: it is not in the "
        f"Hugging Face cache at {hf_cache_dir()} and the model hub cannot be reached{offline}. "
        f"Fix: on a machine with internet access run `tarjama models download {spec.name}` "
        f"(or `hf download {spec.hub_id}`), then copy the cache here or set HF_HOME to it; or "
        f"pass --model /path/to/a/local/model. Cause: {reason}"
    )
