"""Which models a server offers, whether their weights are here, and what remote callers see.

Checked once at start (no model is loaded): a local directory is ready when it holds a
``config.json``; a hub model when it is in the Hugging Face cache, else it downloads on first use
(or is missing when ``HF_HUB_OFFLINE`` is set). Remote callers (the page, the HTTP API) see
model *names*; the local paths the server was started with, and other paths in messages, stay
in the server's log.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from translate.errors import ConfigError
from translate.registry import ModelSpec, Role, load_registry, resolve_model

__all__ = ["Catalog", "ModelChoice", "model_state"]

READY, DOWNLOAD, MISSING = "ready", "download", "missing"
# An absolute path not inside a URL (``https://host/a/b`` starts after ``:`` or a word char).
_PATH = re.compile(r"(?<![\w:/.~-])~?(?:/[\w.@+-]+){2,}/?")


@dataclass(frozen=True)
class ModelChoice:
    """One model the server offers: ``public`` is what callers see and send, ``internal`` what
    the library gets (a registry name or a local directory)."""

    public: str
    internal: str
    role: Role
    state: str
    local: bool = False

    @property
    def ready(self) -> bool:
        return self.state == READY

    def note(self) -> str:
        """A short phrase for the page: ready, downloads on first use, or not available."""
        if self.state == READY:
            return "ready" + (" (local directory)" if self.local else "")
        if self.state == DOWNLOAD:
            return "not downloaded yet: it downloads on first use"
        return "not available on this server"


def model_state(spec: ModelSpec) -> str:
    """``ready`` (weights here), ``download`` (fetched on first use) or ``missing``."""
    from translate.backends.hub import hub_offline, weights_present

    if weights_present(spec):
        return READY
    return MISSING if spec.is_local or hub_offline() else DOWNLOAD


class Catalog:
    """The translation models offered (the registry's, plus the one the server was started
    with) and the summarizer, with their states; maps public names to what the library needs.

    Raises ModelUnavailableError / ConfigError at start for a model argument that cannot work
    (a local directory that does not exist, an unknown name).
    """

    def __init__(self, model: str | None, summary_model: str | None) -> None:
        registry = load_registry()
        default = resolve_model(model, "translation")
        self.summary = self._choice(resolve_model(summary_model, "summarization"), summary_model)
        self.translation: list[ModelChoice] = []
        for spec in registry.by_role("translation"):
            self.translation.append(self._choice(spec, spec.name))
        if default.is_local:
            local = self._choice(default, model)
            self.translation.insert(0, local)
        self.default = next(c for c in self.translation if c.internal in (model, default.name))
        self._paths = self._known_paths([default, *registry.by_role("translation")])
        summary_spec = resolve_model(summary_model, "summarization")
        self._paths.update(self._known_paths([summary_spec], self.summary.public))

    def _choice(self, spec: ModelSpec, given: str | None) -> ModelChoice:
        if not spec.is_local:
            return ModelChoice(spec.name, spec.name, spec.role, model_state(spec))
        name = Path(str(spec.path)).name or "local-model"
        taken = {c.public for c in getattr(self, "translation", [])}
        if name in taken or name in load_registry().models:
            name = f"{name} (local)"
        return ModelChoice(name, given or spec.name, spec.role, model_state(spec), local=True)

    def _known_paths(self, specs: list[ModelSpec], public: str | None = None) -> dict[str, str]:
        paths: dict[str, str] = {}
        for spec in specs:
            if not spec.is_local:
                continue
            label = public or self.public_name(spec.name)
            for form in {spec.name, str(spec.path), os.path.abspath(spec.name)}:
                paths[form.rstrip("/")] = label
        return paths

    # -- names -------------------------------------------------------------------------------
    def resolve(self, public: str | None) -> str:
        """The library's model argument for a public translation model name (None: default)."""
        if not public:
            return self.default.internal
        for choice in self.translation:
            if public in (choice.public, choice.internal):
                return choice.internal
        names = ", ".join(c.public for c in self.translation)
        raise ConfigError(f"Unknown translation model {public!r}. Choose one of: {names}.")

    def public_name(self, internal: str) -> str:
        """The name callers see for a library model name or local path."""
        for choice in [*self.translation, self.summary]:
            if internal in (choice.internal, choice.public):
                return choice.public
        return Path(internal).name if ("/" in internal or os.sep in internal) else internal

    def public_meta(self, meta: dict[str, Any]) -> dict[str, Any]:
        """Result metadata with model names in place of local paths."""
        out = dict(meta)
        for key in ("model", "source"):
            if isinstance(out.get(key), str) and (key == "model" or out[key] in self._paths):
                out[key] = self._paths.get(out[key].rstrip("/"), self.public_name(out[key]))
        return out

    def redact(self, text: str) -> str:
        """A message for a remote caller: known model paths become names, other paths their
        last part (the full message is in the server log)."""
        for path in sorted(self._paths, key=len, reverse=True):
            text = text.replace(path, self._paths[path])
        home = os.path.expanduser("~")
        return _PATH.sub(lambda m: _short(m.group(0), home), text)


def _short(path: str, home: str) -> str:
    if path.startswith("~") or path.startswith(home):
        path = path.replace(home, "~", 1)
    name = path.rstrip("/").rsplit("/", 1)[-1]
    return f"…/{name}" if name else "…"
