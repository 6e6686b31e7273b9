"""Typed errors raised by tarjama's library code.

The library raises; the command line and the web UI turn these into messages.
"""

from __future__ import annotations


class TarjamaError(Exception):
    """Base class of every error tarjama raises on purpose."""


class InputError(TarjamaError, ValueError):
    """The input text cannot be processed (empty, wrong language, too large, not text)."""


class ModelUnavailableError(TarjamaError, RuntimeError):
    """Model weights or tokenizer files cannot be loaded (offline and not cached, bad path)."""


class ConfigError(TarjamaError, ValueError):
    """The model registry or a setting is malformed or names something unknown."""


class MissingDependencyError(TarjamaError, ImportError):
    """An optional package is needed for the requested feature; the message says how to get it."""
