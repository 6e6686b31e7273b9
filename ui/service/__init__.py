"""What every surface shares, without gradio, FastAPI or argparse: the server's settings
(``config``), the model catalog and pool, the limits, uploads and links, the operations
(``workbench``), output formatting, and ``errors`` — the one table of what each error means.

The names below are imported on first use, so that the command line, which needs only
``errors`` and ``formatting``, does not load the server's modules.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

_EXPORTS = {
    "PAGE_MAX_CHARS": ".config",
    "AppConfig": ".config",
    "load_api_keys": ".config",
    "AccessDenied": ".errors",
    "InputTooLarge": ".errors",
    "Outcome": ".errors",
    "RateLimited": ".errors",
    "UsageError": ".errors",
    "describe": ".errors",
    "read_text_file": ".uploads",
    "Workbench": ".workbench",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(import_module(_EXPORTS[name], __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
