"""The ``tarjama`` command: grammar (``args``), commands, input/output (``io``), and ``main``,
which turns every error into one message on stderr and an exit code read from the error table
(0 success, 1 the work failed, 2 a usage error, 130 interrupted)."""

from .main import build_parser, main

__all__ = ["build_parser", "main"]
