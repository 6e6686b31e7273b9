"""The ``tarjama`` command: translate, summarize, digest, batch, models, eval, ui.

The library raises typed errors; this module turns them into one message on stderr and an exit
code: 0 success, 1 the work failed (or, for ``batch``, some rows failed), 2 a usage error,
130 interrupted. Heavy modules (torch, transformers, gradio, ray) are imported inside the
commands that need them, so ``tarjama --help`` is fast.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from translate.errors import TarjamaError

from ..service.errors import EXIT_FAILED, EXIT_USAGE, describe
from .args import build_parser as build_grammar
from .commands import (
    cmd_batch,
    cmd_digest,
    cmd_eval_summary,
    cmd_eval_translation,
    cmd_models_convert,
    cmd_models_download,
    cmd_models_list,
    cmd_summarize,
    cmd_translate,
    cmd_ui,
)
from .io import error
from .memory import memory_handlers


def build_parser() -> argparse.ArgumentParser:
    """The whole command line (tests call :func:`main` with a list of arguments)."""
    return build_grammar(
        {
            "translate": cmd_translate,
            "summarize": cmd_summarize,
            "digest": cmd_digest,
            "batch": cmd_batch,
            "models list": cmd_models_list,
            "models download": cmd_models_download,
            "models convert": cmd_models_convert,
            "eval translation": cmd_eval_translation,
            "eval summary": cmd_eval_summary,
            "ui": cmd_ui,
            **memory_handlers(),
        }
    )


# -- entry point ---------------------------------------------------------------------------------
def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code (the console script exits with it)."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help, --version, or argparse's usage error (2)
        return exc.code if isinstance(exc.code, int) else EXIT_USAGE
    handler = getattr(args, "handler", None)
    if handler is None:
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    try:
        return handler(args)
    except BrokenPipeError:  # `tarjama translate x | head`: the reader left
        return EXIT_FAILED
    except (KeyboardInterrupt, Exception) as exc:  # the error table says what each one means
        outcome = describe(exc)
        if outcome.exit_code is None:  # a bug: its traceback is the report
            raise
        message = outcome.message
        if isinstance(exc, OSError) and not isinstance(exc, TarjamaError):
            # writing the output or the checkpoint (disk full, permissions)
            where = f" {exc.filename}" if exc.filename else ""
            message = f"Cannot write{where}: {message}."
        error(message)
        return outcome.exit_code
