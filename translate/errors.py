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


class InternalError(TarjamaError, RuntimeError):
    """An invariant of tarjama itself broke (a bug): never the user's input or settings."""


class ServerBusyError(TarjamaError):
    """Too many requests are already waiting for the model; try again shortly."""


class BatchUsageError(ConfigError):
    """A batch job cannot start: bad input or output path, missing column, refused resume."""


class ResumeRefusedError(BatchUsageError):
    """Earlier work on this output was made with a different input, model or settings."""


class CorruptStateError(BatchUsageError):
    """A checkpoint or shard folder of an earlier run cannot be read; nothing was deleted."""


class OutputLockedError(BatchUsageError):
    """Another running job holds the lock on this output."""


class OutputWriteError(TarjamaError, OSError):
    """An output file could not be written (disk full, permissions); the finished work is kept."""


class ClusterMismatchError(TarjamaError):
    """A Ray worker resolved another model, engine or settings than the job's (mixed cluster)."""


class BatchInterrupted(KeyboardInterrupt):
    """Ctrl-C: the job stopped after checkpointing its last finished work."""

    def __init__(self, rows_done: int, rows_total: int, checkpoint: object) -> None:
        super().__init__(f"{rows_done} of {rows_total} rows are checkpointed in {checkpoint}")
        self.rows_done = rows_done
        self.rows_total = rows_total
        self.checkpoint = checkpoint
