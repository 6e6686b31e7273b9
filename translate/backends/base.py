"""The one small protocol every engine implements, and the helpers they share."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from ..errors import ModelUnavailableError
from ..registry import ModelSpec

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
