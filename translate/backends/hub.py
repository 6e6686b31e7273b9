"""The Hugging Face hub: where a model's files are, fetching only what tarjama uses, what is cached.

Every path to model files goes through :func:`model_files`: a local directory as given, or the
snapshot of the pinned revision (``refs/main`` when unpinned) in the Hugging Face cache. Loading
never asks the hub about a model that is cached; when it is not, :func:`download` fetches the
config, generation config, tokenizer files and **one** weight format (safetensors where the
revision has it, else ``pytorch_model.bin``) — never TensorFlow, Flax, Rust or ONNX copies.
Offline (``HF_HUB_OFFLINE``) or with no route to the hub it fails at once, with the command
that fixes it. ``tarjama models list/download`` are thin calls into this module (``convert`` into
:mod:`.convert`, which uses this one: no circle).
"""

from __future__ import annotations

import json
import os
import re
import socket
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from ..errors import ModelUnavailableError
from ..registry import ModelSpec, Role, load_registry, resolve_model

# Files tarjama reads besides the weights (whichever of them a repository has).
CONFIG_FILES = ("config.json", "generation_config.json")
TOKENIZER_FILES = (
    "tokenizer.json",
    "tokenizer_config.json",
    "special_tokens_map.json",
    "added_tokens.json",
    "vocab.json",
    "merges.txt",
    "source.spm",
    "target.spm",
    "target_vocab.json",
    "sentencepiece.bpe.model",
    "spiece.model",
)
# One weight format per model, in order of preference: (single file, shard index, shard pattern).
WEIGHT_FORMATS = (
    ("model.safetensors", "model.safetensors.index.json", r"model-\d{5}-of-\d{5}\.safetensors"),
    ("pytorch_model.bin", "pytorch_model.bin.index.json", r"pytorch_model-\d{5}-of-\d{5}\.bin"),
)
ROLE_FLAGS = {"translation": "--model", "summarization": "--summary-model"}
PROBE_TIMEOUT = 3.0  # seconds for the TCP probe that spares users minutes of HTTP retries


# -- where things are ----------------------------------------------------------------------------
def hf_cache_dir() -> str:
    """The Hugging Face hub cache, read from the environment when asked (``HF_HUB_CACHE``, else
    ``$HF_HOME/hub``, else ``~/.cache/huggingface/hub``), as huggingface_hub resolves it."""
    explicit = os.environ.get("HF_HUB_CACHE") or os.environ.get("HUGGINGFACE_HUB_CACHE")
    if explicit:
        return os.path.expanduser(explicit)
    home = os.environ.get("HF_HOME") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "huggingface"
    )
    return os.path.join(os.path.expanduser(home), "hub")


def hub_endpoint() -> str:
    return os.environ.get("HF_ENDPOINT", "https://huggingface.co")


OFFLINE_VARIABLES = ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE")


def offline_variable() -> str | None:
    """The variable (``HF_HUB_OFFLINE`` or ``TRANSFORMERS_OFFLINE``) that forbids network access,
    if one does."""
    for name in OFFLINE_VARIABLES:
        if os.environ.get(name, "").strip().lower() in {"1", "true", "yes", "on"}:
            return name
    return None


def hub_offline() -> bool:
    """Whether ``HF_HUB_OFFLINE`` (or ``TRANSFORMERS_OFFLINE``) forbids any network access."""
    return offline_variable() is not None


def hub_reachable(timeout: float = PROBE_TIMEOUT) -> bool:
    """Can a TCP connection to the hub endpoint be opened? (Avoids minutes of HTTP retries.)"""
    endpoint = urlparse(hub_endpoint())
    host = endpoint.hostname or "huggingface.co"
    port = endpoint.port or (443 if endpoint.scheme == "https" else 80)
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def has_weights(folder: Path) -> bool:
    """Whether ``folder`` holds model weights in a format transformers loads."""
    return any((folder / single).is_file() or (folder / index).is_file()
               for single, index, _ in WEIGHT_FORMATS)  # fmt: skip


def snapshot_dir(spec: ModelSpec) -> Path | None:
    """The cached snapshot of ``spec`` (its pinned revision, or ``refs/main``) if it holds a
    config and weights; None when it is not (completely) cached. Never touches the network."""
    if spec.is_local or not spec.hub_id:
        return None
    from huggingface_hub import try_to_load_from_cache

    found = try_to_load_from_cache(
        spec.hub_id, "config.json", cache_dir=hf_cache_dir(), revision=spec.revision
    )
    if not isinstance(found, str):
        return None
    folder = Path(found).parent
    return folder if has_weights(folder) else None


def weights_present(spec: ModelSpec) -> bool:
    """Whether ``spec`` can load without the network: a local directory with its config, or a
    complete cached snapshot (config and weights). The one answer to "are the weights here?"
    (``tarjama models list`` and the server's model states both ask it)."""
    if spec.is_local:
        return (Path(str(spec.path)) / "config.json").is_file()
    return snapshot_dir(spec) is not None


def model_files(spec: ModelSpec) -> Path:
    """The directory holding ``spec``'s files, downloading them first when they are not cached
    and the hub may be used. Raises ModelUnavailableError naming the model, where it looked and
    the fix."""
    if spec.is_local:
        folder = Path(str(spec.path))
        if not (folder / "config.json").is_file():
            raise unavailable(spec, "no config.json there")
        return folder
    found = snapshot_dir(spec)
    if found is not None:
        return found
    if hub_offline():
        raise unavailable(spec, f"not cached, and {offline_variable()} is set")
    if not hub_reachable():
        raise unavailable(spec, f"not cached, and cannot connect to {hub_endpoint()}")
    try:
        return download(spec)
    except ModelUnavailableError as exc:
        raise unavailable(spec, exc) from exc


# -- fetching ------------------------------------------------------------------------------------
def select_files(repo_files: Iterable[str]) -> list[str]:
    """The files of a repository (its file listing at one revision) that tarjama loads: config,
    generation config, tokenizer files and one weight format (safetensors where present, else
    ``pytorch_model.bin``, sharded or not). Files in sub-folders (onnx/, coreml/...) are never
    needed."""
    names = {name for name in repo_files if "/" not in name}
    chosen = [name for name in (*CONFIG_FILES, *TOKENIZER_FILES) if name in names]
    for single, index, shard in WEIGHT_FORMATS:
        if single in names:
            return [*chosen, single]
        if index in names:
            shards = sorted(n for n in names if re.fullmatch(shard, n))
            return [*chosen, index, *shards]
    return chosen


def download(spec: ModelSpec) -> Path:
    """Fetch what :func:`select_files` picks of ``spec`` at its revision into the HF cache.

    Returns the snapshot directory. Offline or with no route to the hub it fails at once (no HTTP
    retries); every failure is a ModelUnavailableError that says why and how to fix it.
    """
    if spec.is_local:
        return Path(str(spec.path))
    revision = spec.revision or "main"
    where = f"Cannot download {spec.name} ({spec.hub_id} @ {revision})"
    if hub_offline():
        raise ModelUnavailableError(
            f"{where}: {offline_variable()} is set. Unset it on a machine with internet access, "
            f"or fetch it there with {fetch_command(spec)} and copy the cache here."
        )
    if not hub_reachable():
        raise ModelUnavailableError(
            f"{where}: cannot connect to {hub_endpoint()}. Check the network connection (or "
            "HF_ENDPOINT), or copy a cache that has it here (HF_HOME)."
        )
    from huggingface_hub import HfApi, snapshot_download

    try:
        listing = HfApi(endpoint=hub_endpoint()).list_repo_files(
            str(spec.hub_id), revision=spec.revision
        )
        wanted = select_files(listing)
        if "config.json" not in wanted or not any(w for w in wanted if _is_weight(w)):
            raise ModelUnavailableError(
                f"{where}: the repository has no config.json or no safetensors/pytorch_model.bin "
                "weights at that revision; it is not a model tarjama can load."
            )
        path = snapshot_download(
            str(spec.hub_id),
            revision=spec.revision,
            allow_patterns=wanted,
            cache_dir=hf_cache_dir(),
        )
    except ModelUnavailableError:
        raise
    except (OSError, ValueError) as exc:  # hub errors are OSErrors (HTTP, missing repo/revision)
        raise ModelUnavailableError(f"{where}: {_first_line(exc)}.") from exc
    except Exception as exc:
        if type(exc).__module__.split(".")[0] in {"huggingface_hub", "httpx", "httpx2", "requests"}:
            raise ModelUnavailableError(f"{where}: {_first_line(exc)}.") from exc
        raise
    return Path(path)


def _is_weight(name: str) -> bool:
    return name.endswith((".safetensors", ".bin")) or name.endswith(".index.json")


def _first_line(exc: BaseException | str) -> str:
    text = str(exc).strip()
    return text.splitlines()[0].rstrip(".") if text else type(exc).__name__


def fetch_command(spec: ModelSpec) -> str:
    """The ``hf download`` command that fetches ``spec`` at its pinned revision."""
    revision = f" --revision {spec.revision}" if spec.revision else ""
    return f"`hf download {spec.hub_id}{revision}`"


def unavailable(spec: ModelSpec, cause: BaseException | str) -> ModelUnavailableError:
    """A ModelUnavailableError that names the model, where it looked, and how to fix it: the
    pinned revision to fetch, and the command-line flag of the model's role."""
    reason = _first_line(cause)
    flag = ROLE_FLAGS.get(spec.role, "--model")
    if spec.is_local:
        where = Path(str(spec.path))
        missing = "does not exist" if not where.exists() else "is not a loadable model directory"
        return ModelUnavailableError(
            f"Model {spec.name!r} could not be loaded: the local directory {where} {missing} "
            f"({reason}). Fix: point {flag} (or `path:` in models.yaml) at a directory made by "
            "`save_pretrained` (config.json, weights and tokenizer files), or use a registry name "
            "(see `tarjama models list`)."
        )
    revision = spec.revision or "main"
    offline = f" ({offline_variable()} is set)" if hub_offline() else ""
    return ModelUnavailableError(
        f"Model {spec.name!r} ({spec.hub_id} @ {revision}) could not be loaded: it is not in the "
        f"Hugging Face cache at {hf_cache_dir()} and the model hub cannot be reached{offline}. "
        f"Fix: on a machine with internet access run `tarjama models download {spec.name}` "
        f"(or {fetch_command(spec)}), then copy the cache here or set HF_HOME to it; or "
        f"pass {flag} /path/to/a/local/model. Cause: {reason}"
    )


# -- listing -------------------------------------------------------------------------------------
def model_entries() -> list[dict[str, Any]]:
    """Registry entries with whether each is available offline and its size on disk (bytes of
    the cached snapshot: the files of that revision, each blob counted once)."""
    registry = load_registry()
    defaults = set(registry.defaults.values())
    entries = []
    for spec in registry.models.values():
        present = weights_present(spec)
        folder = Path(str(spec.path)) if spec.is_local else snapshot_dir(spec)
        size = dir_size(folder) if folder is not None and folder.is_dir() else None
        entries.append(
            {
                "name": spec.name,
                "role": spec.role,
                "source": spec.source,
                "revision": spec.revision,
                "default": spec.name in defaults,
                "cached": present,
                "size": size,
                "description": spec.description,
            }
        )
    return entries


def dir_size(path: Path) -> int:
    """Bytes of the files under ``path``, following the hub cache's symlinks to their blobs and
    counting each blob once."""
    seen: set[Path] = set()
    total = 0
    for item in path.rglob("*"):
        if not item.is_file():
            continue
        real = item.resolve()
        if real not in seen:
            seen.add(real)
            total += real.stat().st_size
    return total


# -- names from the command line -----------------------------------------------------------------
def named_specs(
    names: Sequence[str], roles: Sequence[Role] = ("translation", "summarization")
) -> list[ModelSpec]:
    """Registry names or local model directories → ModelSpecs; none given: each role's default.

    A local directory's role is read from its config.json (BART-family models summarise).
    """
    registry = load_registry()
    if not names:
        return [registry.default(role) for role in roles]
    specs = []
    for name in names:
        if name in registry.models:
            specs.append(registry.get(name))
        else:
            specs.append(resolve_model(name, _role_of_directory(Path(name))))
    return specs


def _role_of_directory(folder: Path) -> Role:
    try:
        config = json.loads((folder / "config.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return "translation"
    summarizers = {"bart", "pegasus", "t5", "led", "mbart"}
    return "summarization" if config.get("model_type") in summarizers else "translation"
