"""The model registry: ``models.yaml`` → :class:`ModelSpec`.

Configuration is read here and nowhere else; everything downstream receives values.
The packaged ``models.yaml`` is used unless the env var ``TARJAMA_MODELS`` names another file.
A model argument may be a registry name or a local model directory.
"""

from __future__ import annotations

import os
import re
import threading
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal

from .errors import ConfigError, ModelUnavailableError

Role = Literal["translation", "summarization"]
ENV_VAR = "TARJAMA_MODELS"
BACKENDS = ("auto", "transformers", "ctranslate2")
_REVISION_RE = re.compile(r"^[0-9a-f]{40}$")
_PACKAGED = Path(__file__).resolve().parent / "models.yaml"

# Generation keys every backend understands (mapped to each engine's own names)...
ENGINE_KEYS = (
    "num_beams",
    "max_new_tokens",
    "min_new_tokens",
    "length_penalty",
    "repetition_penalty",
    "no_repeat_ngram_size",
)
# ...and the keys models.yaml may set: those, and max_length_ratio, which the translator turns
# into max_new_tokens for each batch.
GENERATION_KEYS = frozenset({*ENGINE_KEYS, "max_length_ratio"})


@dataclass(frozen=True)
class ModelSpec:
    """One registry entry (or an ad-hoc entry for a local directory)."""

    name: str
    role: Role
    hub_id: str | None = None
    path: str | None = None
    revision: str | None = None
    backend: str = "auto"
    max_input_tokens: int = 512
    window_tokens: int = 160
    generation: dict[str, Any] = field(default_factory=dict)
    strict_generation: dict[str, Any] = field(default_factory=dict)
    description: str = ""

    @property
    def source(self) -> str:
        """Where the weights come from: the local path or the hub id."""
        return self.path if self.path else str(self.hub_id)

    @property
    def is_local(self) -> bool:
        return self.path is not None

    def with_backend(self, backend: str | None) -> ModelSpec:
        if backend is None:
            return self
        return replace(self, backend=_check_backend(backend, self.name))


@dataclass(frozen=True)
class Registry:
    """All entries of one registry file."""

    models: dict[str, ModelSpec]
    defaults: dict[str, str]
    file: Path
    stamp: tuple[int, int] = (0, 0)  # the file's (mtime_ns, size) when read

    @property
    def key(self) -> tuple[str, int, int]:
        """What identifies this registry's content (for caches keyed on it)."""
        return (str(self.file), *self.stamp)

    def get(self, name: str) -> ModelSpec:
        try:
            return self.models[name]
        except KeyError:
            known = ", ".join(sorted(self.models))
            raise ConfigError(
                f"Unknown model {name!r}: not in the registry {self.file} (known: {known}) "
                "and not an existing local model directory."
            ) from None

    def default(self, role: Role) -> ModelSpec:
        key = f"default_{role}"
        if key in self.defaults:
            return self.get(self.defaults[key])
        for spec in self.models.values():
            if spec.role == role:
                return spec
        raise ConfigError(f"The registry {self.file} has no {role} model.")

    def by_role(self, role: Role) -> list[ModelSpec]:
        return [s for s in self.models.values() if s.role == role]


def registry_path() -> Path:
    """The registry file in use: ``$TARJAMA_MODELS`` if set, else the packaged ``models.yaml``."""
    override = os.environ.get(ENV_VAR)
    if override:
        path = Path(override).expanduser()
        if not path.is_file():
            raise ConfigError(f"{ENV_VAR}={override!r} does not name a readable registry file.")
        return path
    return _PACKAGED


_LOADED: dict[Path, Registry] = {}
_LOADED_LOCK = threading.Lock()


def load_registry(path: str | os.PathLike[str] | None = None) -> Registry:
    """Read and validate a registry file (default: :func:`registry_path`).

    A file is parsed once and again only when it changes (its mtime or size), so handles made
    one after another share one Registry instead of re-reading the YAML each time.
    """
    file = Path(path) if path is not None else registry_path()
    try:
        stat = file.stat()
    except OSError as exc:
        raise ConfigError(f"Cannot read the model registry {file}: {exc}") from exc
    stamp = (stat.st_mtime_ns, stat.st_size)
    with _LOADED_LOCK:
        cached = _LOADED.get(file)
        if cached is None or cached.stamp != stamp:
            cached = _LOADED[file] = _parse_registry(file, stamp)
        return cached


def _parse_registry(file: Path, stamp: tuple[int, int]) -> Registry:
    import yaml  # light, but only needed here

    try:
        raw = yaml.safe_load(file.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"Cannot read the model registry {file}: {exc}") from exc
    except yaml.YAMLError as exc:
        raise ConfigError(f"The model registry {file} is not valid YAML: {exc}") from exc
    if not isinstance(raw, dict) or not isinstance(raw.get("models"), dict):
        raise ConfigError(f"The model registry {file} needs a top-level 'models:' mapping.")
    models = {name: _parse_entry(name, entry, file) for name, entry in raw["models"].items()}
    defaults = {k: str(v) for k, v in raw.items() if k.startswith("default_") and v}
    for key, name in defaults.items():
        if name not in models:
            raise ConfigError(f"{file}: {key} names {name!r}, which has no entry.")
    return Registry(models=models, defaults=defaults, file=file, stamp=stamp)


def resolve_model(
    name_or_path: str | os.PathLike[str] | None, role: Role, registry: Registry | None = None
) -> ModelSpec:
    """A registry name, a local model directory, or None (the role's default) → ModelSpec.

    ``registry`` is the one to use (default: :func:`load_registry`, the file the environment
    names or the packaged one).
    """
    registry = registry if registry is not None else load_registry()
    if name_or_path is None:
        return registry.default(role)
    text = os.fspath(name_or_path)
    if text in registry.models:
        spec = registry.get(text)
        if spec.role != role:
            raise ConfigError(f"Model {text!r} is a {spec.role} model, not a {role} model.")
        return spec
    local = Path(text).expanduser()
    if local.is_dir():
        return _local_spec(local, role, registry)
    if "/" in text or "\\" in text or text.startswith((".", "~")):
        raise ModelUnavailableError(
            f"Model {text!r} could not be loaded: the local directory {local.resolve()} does not "
            "exist and it is not a registry name. Fix: pass an existing directory made by "
            "`save_pretrained`, or a registry name (see `tarjama models list`)."
        )
    return registry.get(text)  # raises a ConfigError listing the known names


def _local_spec(directory: Path, role: Role, registry: Registry) -> ModelSpec:
    """Settings for a local directory: the role's default settings with the weights swapped."""
    base = registry.default(role)
    return replace(
        base,
        name=str(directory),
        hub_id=None,
        path=str(directory.resolve()),
        revision=None,
        description=f"local model directory {directory}",
    )


def _check_backend(backend: str, name: str) -> str:
    if backend not in BACKENDS:
        raise ConfigError(
            f"Model {name!r}: backend {backend!r} is not one of {', '.join(BACKENDS)}."
        )
    return backend


def _parse_entry(name: str, entry: Any, file: Path) -> ModelSpec:
    where = f"{file}: model {name!r}"
    if not isinstance(entry, dict):
        raise ConfigError(f"{where} must be a mapping.")
    hub_id, path = entry.get("hub_id"), entry.get("path")
    if not hub_id and not path:
        raise ConfigError(f"{where} needs a hub_id or a local path.")
    role = entry.get("role")
    if role not in ("translation", "summarization"):
        raise ConfigError(f"{where}: role must be 'translation' or 'summarization', not {role!r}.")
    revision = entry.get("revision")
    if revision is not None and not _REVISION_RE.match(str(revision)):
        raise ConfigError(
            f"{where}: revision must be a 40-hex commit id or null, not {revision!r}."
        )
    generation = dict(entry.get("generation") or {})
    strict = dict(entry.get("strict_generation") or {})
    for label, settings in (("generation", generation), ("strict_generation", strict)):
        unknown = set(settings) - GENERATION_KEYS
        if unknown:
            raise ConfigError(f"{where}: unknown {label} keys {sorted(unknown)}.")
    try:
        max_input = int(entry.get("max_input_tokens", 512))
        window = int(entry.get("window_tokens", min(160, max_input)))
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"{where}: token limits must be integers ({exc}).") from exc
    if not 8 <= window <= max_input:
        raise ConfigError(f"{where}: window_tokens must be between 8 and max_input_tokens.")
    if path is not None:
        path = str((file.parent / Path(path).expanduser()).resolve())
    return ModelSpec(
        name=name,
        role=role,
        hub_id=str(hub_id) if hub_id else None,
        path=path,
        revision=str(revision) if revision else None,
        backend=_check_backend(str(entry.get("backend", "auto")), name),
        max_input_tokens=max_input,
        window_tokens=window,
        generation=generation,
        strict_generation=strict,
        description=str(entry.get("description", "")),
    )
