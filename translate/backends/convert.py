"""Transformers checkpoint → CTranslate2 model directory, converted once and cached.

A converted copy lives under ``${TARJAMA_CACHE_DIR:-~/.cache/tarjama}/ct2/`` in a directory named
after the model, its revision (``main`` when unpinned; a hash of path and modification times for a
local directory) and the quantisation. Next to CTranslate2's own files it holds the tokenizer
files and ``tarjama.json`` (what the fast path needs to know about the model), so running a
converted model needs neither torch nor transformers. Conversion itself loads the model with
transformers (and so imports torch) once.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import re
import shutil
import tempfile
from pathlib import Path
from typing import Any

from ..errors import ConfigError, MissingDependencyError
from ..registry import ModelSpec

# Quantisations CTranslate2's converter writes (and its compute types of the same name).
QUANTIZATIONS = (
    "int8",
    "int8_float32",
    "int8_float16",
    "int8_bfloat16",
    "int16",
    "float16",
    "bfloat16",
    "float32",
)
METADATA_FILE = "tarjama.json"
# 2: the conversion starts from load_seq2seq's model (a Marian output layer tied to its shared
# embeddings) and records the checkpoint's decoding defaults; copies in format 1 are redone.
FORMAT_VERSION = 2
INSTALL_HINT = (
    "The ctranslate2 backend needs the optional package ctranslate2: pip install 'tarjama[fast]'."
)
# Tokenizer files the fast path reads (whichever the model has).
_TOKENIZER_FILES = (
    "source.spm",
    "target.spm",
    "vocab.json",
    "target_vocab.json",
    "tokenizer.json",
    "tokenizer_config.json",
    "special_tokens_map.json",
    "merges.txt",
    "generation_config.json",
)


def require_ctranslate2() -> None:
    """Raise MissingDependencyError with the install hint when ctranslate2 is absent."""
    if importlib.util.find_spec("ctranslate2") is None:
        raise MissingDependencyError(INSTALL_HINT)


def cache_root() -> Path:
    """``$TARJAMA_CACHE_DIR`` (default ``~/.cache/tarjama``)."""
    return Path(os.environ.get("TARJAMA_CACHE_DIR") or "~/.cache/tarjama").expanduser()


def check_quantization(quantization: str) -> str:
    if quantization not in QUANTIZATIONS:
        raise ConfigError(
            f"Unknown quantization {quantization!r}: use one of {', '.join(QUANTIZATIONS)}."
        )
    return quantization


def _local_fingerprint(path: Path) -> str:
    """A short hash of a local model directory's path and its files' sizes and mtimes."""
    digest = hashlib.sha256(str(path.resolve()).encode("utf-8"))
    if path.is_dir():
        for item in sorted(path.iterdir()):
            if item.is_file():
                stat = item.stat()
                digest.update(f"\0{item.name}\0{stat.st_size}\0{stat.st_mtime_ns}".encode())
    return digest.hexdigest()[:16]


def converted_dir(spec: ModelSpec, quantization: str) -> Path:
    """Where the converted copy of ``spec`` in ``quantization`` lives (whether or not it exists)."""
    check_quantization(quantization)
    if spec.is_local:
        local = Path(str(spec.path))
        name, version = local.name or "model", _local_fingerprint(local)
    else:
        name, version = str(spec.hub_id).replace("/", "--"), spec.revision or "main"
    safe = re.sub(r"[^A-Za-z0-9._-]+", "_", name).strip("._") or "model"
    return cache_root() / "ct2" / f"{safe}-{version}-{quantization}"


def is_converted(directory: Path) -> bool:
    """A complete converted copy in the current format (conversion writes the metadata file
    last, then renames; a copy made by an older tarjama is converted again)."""
    if not (directory / "model.bin").is_file():
        return False
    try:
        meta = json.loads((directory / METADATA_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(meta, dict) and meta.get("format") == FORMAT_VERSION


def convert_model(spec: ModelSpec, quantization: str = "int8", *, force: bool = False) -> Path:
    """Convert ``spec`` to CTranslate2 in ``quantization`` (once) and return the directory.

    Reuses an existing converted copy unless ``force``. The conversion writes into a temporary
    directory beside the target and renames it, so a crash never leaves a half-written model.
    Raises ModelUnavailableError when the model cannot be loaded, MissingDependencyError when
    ctranslate2 is not installed.
    """
    require_ctranslate2()
    target = converted_dir(spec, quantization)
    if is_converted(target) and not force:
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".{target.name}-", dir=target.parent))
    try:
        _convert_into(spec, quantization, work / "model")
        if target.exists() and (force or not is_converted(target)):
            shutil.rmtree(target)
        try:
            os.rename(work / "model", target)
        except OSError:
            # Another process finished the same conversion first: keep its copy.
            if not is_converted(target):
                raise
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return target


def patch_config_for_ctranslate2(config: Any) -> None:
    """Give a transformers 5 config the attributes ctranslate2's loaders read from 4.x configs.

    ctranslate2 4.8.5's ``BartLoader`` reads ``config.normalize_before``, an attribute BartConfig
    no longer has in transformers 5 ('BartConfig' object has no attribute 'normalize_before').
    BART is a post-norm Transformer (layer norm after each residual block) with a layer norm on
    the embeddings, so the values are ``normalize_before=False`` and ``normalize_embedding=True``.
    The Marian and M2M100 loaders set their own values and are left alone.
    """
    if getattr(config, "model_type", None) != "bart":
        return
    for attribute, value in (("normalize_before", False), ("normalize_embedding", True)):
        try:
            getattr(config, attribute)
        except AttributeError:
            setattr(config, attribute, value)


def _convert_into(spec: ModelSpec, quantization: str, output: Path) -> None:
    from ctranslate2.converters import TransformersConverter

    from .hf import load_seq2seq

    tokenizer, model, files = load_seq2seq(spec)  # float32, Marian output layer tied
    patch_config_for_ctranslate2(model.config)

    class _Preloaded(TransformersConverter):
        """Convert the model and tokenizer already loaded above (pinned revision, one load)."""

        def load_model(self, model_class, model_name_or_path, **kwargs):  # noqa: ANN001
            return model

        def load_tokenizer(self, tokenizer_class, model_name_or_path, **kwargs):  # noqa: ANN001
            return tokenizer

    _Preloaded(str(files)).convert(str(output), quantization=quantization, force=True)
    for name in _TOKENIZER_FILES:
        if (files / name).is_file():
            shutil.copyfile(files / name, output / name)
    backend_tokenizer = getattr(tokenizer, "backend_tokenizer", None)
    model_type = str(model.config.model_type)
    if model_type != "marian" and backend_tokenizer is not None:
        # The `tokenizers` form of the tokenizer runs without transformers on the fast path.
        backend_tokenizer.save(str(output / "tokenizer.json"))
    (output / METADATA_FILE).write_text(
        json.dumps(_metadata(spec, quantization, tokenizer, model), indent=2, ensure_ascii=False),
        encoding="utf-8",
    )


def _metadata(spec: ModelSpec, quantization: str, tokenizer: Any, model: Any) -> dict[str, Any]:
    import ctranslate2
    import transformers

    generation = model.generation_config
    config = model.config

    def token(token_id: Any) -> str | None:
        return None if token_id is None else str(tokenizer.convert_ids_to_tokens(int(token_id)))

    forced_bos = getattr(generation, "forced_bos_token_id", None)
    if forced_bos is None:
        forced_bos = getattr(config, "forced_bos_token_id", None)
    forced_eos = getattr(generation, "forced_eos_token_id", None)
    if forced_eos is None:
        forced_eos = getattr(config, "forced_eos_token_id", None)
    if isinstance(forced_eos, list):
        forced_eos = forced_eos[0] if forced_eos else None
    return {
        "format": FORMAT_VERSION,
        "model": spec.name,
        "source": spec.source,
        "revision": spec.revision,
        "quantization": quantization,
        "model_type": str(config.model_type),
        "eos_token": token(tokenizer.eos_token_id),
        "unk_token": token(tokenizer.unk_token_id),
        "forced_bos_token": token(forced_bos),
        "forced_eos_token": token(forced_eos),
        "special_tokens": sorted(set(tokenizer.all_special_tokens)),
        "clean_up_tokenization_spaces": bool(
            getattr(tokenizer, "clean_up_tokenization_spaces", False)
        ),
        "generation": generation_defaults(generation, tokenizer),
        "ctranslate2_version": ctranslate2.__version__,
        "transformers_version": transformers.__version__,
    }


# The decoding settings transformers takes from a checkpoint when a call leaves them out, wherever
# the checkpoint keeps them (generation_config.json, or config.json as distilbart-cnn does:
# transformers reads those into model.generation_config). The CTranslate2 backend applies the
# same defaults from the converted copy's metadata.
GENERATION_DEFAULT_KEYS = (
    "num_beams",
    "length_penalty",
    "repetition_penalty",
    "no_repeat_ngram_size",
    "min_length",
    "max_length",
    "early_stopping",
    "renormalize_logits",
)


def generation_defaults(generation: Any, tokenizer: Any) -> dict[str, Any]:
    """The checkpoint's decoding defaults (``model.generation_config``) as plain JSON values;
    ``bad_words`` lists the forbidden token sequences as tokens."""
    out: dict[str, Any] = {}
    for key in GENERATION_DEFAULT_KEYS:
        value = getattr(generation, key, None)
        if value is not None:
            out[key] = value if isinstance(value, (bool, int, float, str)) else str(value)
    bad = getattr(generation, "bad_words_ids", None) or []
    out["bad_words"] = [
        [str(t) for t in tokenizer.convert_ids_to_tokens([int(i) for i in words])] for words in bad
    ]
    return out
