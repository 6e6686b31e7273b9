"""``tarjama memory import|export|stats|search|delete``: the translation memory from the shell,
and the ``--memory`` / ``--glossary`` flags of translate, digest, batch and ui.

Without ``--memory PATH`` (or ``$TARJAMA_MEMORY``) the memory commands work on the server's
default file (``translate.memory.default_memory_path``), the one ``tarjama ui`` keeps.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import Any

from ..service import formatting
from ..service.errors import EXIT_FAILED, EXIT_OK
from .io import error, status, warn

__all__ = ["add_library_options", "add_memory_grammar", "memory_handlers"]


def add_library_options(parser: argparse.ArgumentParser, *, server: bool = False) -> None:
    """--memory PATH and --glossary FILE (and, for a server, --no-memory)."""
    group = parser.add_argument_group("memory and glossary")
    group.add_argument(
        "--memory",
        metavar="PATH",
        help="a translation memory: exact matches are used (flag 'memory'), near ones offered "
        + (
            "(default: the user's data folder, or $TARJAMA_MEMORY)"
            if server
            else "(default: none, or $TARJAMA_MEMORY)"
        ),
    )
    if server:
        group.add_argument(
            "--no-memory", action="store_true", help="run without a translation memory"
        )
    group.add_argument(
        "--glossary",
        metavar="FILE",
        help="house terms: CSV/TSV (arabic,english[,note]) or TBX; empty english keeps the "
        "Arabic as written"
        + (" (the server's default; requests may add their own)" if server else ""),
    )


def add_memory_grammar(add: Callable[..., Any], sub: Any) -> None:
    """The ``memory`` command group; ``add`` is the grammar's command adder."""
    memory = add(sub, "memory", "Import, export, search and edit the translation memory.")
    memory_sub = memory.add_subparsers(dest="memory_command", metavar="ACTION")

    def command(name: str, text: str) -> argparse.ArgumentParser:
        cmd = add(memory_sub, name, text, f"memory {name}")
        cmd.add_argument(
            "--memory",
            metavar="PATH",
            help="the memory file (default: $TARJAMA_MEMORY, else the server's default file)",
        )
        return cmd

    cmd = command("import", "Add the units of a TMX, CSV or TSV (arabic,english) file.")
    cmd.add_argument("file", metavar="FILE")
    cmd.add_argument(
        "--skip-bad", action="store_true", help="import the good units when some are bad"
    )
    cmd = command("export", "Write every unit to a file (TMX 1.4, or .csv/.tsv).")
    cmd.add_argument("file", metavar="FILE.tmx")
    cmd = command("stats", "How many units, from where, the file and its fingerprint.")
    cmd.add_argument("-f", "--format", choices=("text", "json"), default="text")
    cmd = command("search", "Exact and near matches of an Arabic sentence.")
    cmd.add_argument("text", metavar="TEXT")
    cmd.add_argument("--limit", type=int, default=10, help="default: %(default)s")
    cmd.add_argument("-f", "--format", choices=("text", "json"), default="text")
    cmd = command("delete", "Remove a unit by its id.")
    cmd.add_argument("id", type=int, metavar="ID")
    return memory


def _open(args: argparse.Namespace, *, write: bool) -> Any:
    from translate.memory import TranslationMemory, memory_path

    path = memory_path(args.memory, server=True)
    assert path is not None
    if write:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    return TranslationMemory(path, readonly=not write)


def cmd_memory_import(args: argparse.Namespace) -> int:
    from translate.memory import UnitError, import_file

    with _open(args, write=True) as memory:
        try:
            report = import_file(memory, args.file, skip_bad=args.skip_bad)
        except UnitError as exc:
            for line, reason in exc.bad[1:6]:
                warn(f"line {line}: {reason}")
            raise
    for line, reason in report.skipped[:5]:
        warn(f"skipped line {line}: {reason}")
    if len(report.skipped) > 5:
        warn(f"… and {len(report.skipped) - 5} more bad units skipped.")
    status(
        args,
        f"{report.added} units added, {report.updated} updated, {len(report.skipped)} skipped "
        f"→ {memory.path}",
    )
    return EXIT_OK


def cmd_memory_export(args: argparse.Namespace) -> int:
    from translate.memory import export_file

    with _open(args, write=False) as memory:
        count = export_file(memory, args.file)
    status(args, f"{count} units → {args.file}")
    return EXIT_OK


def cmd_memory_stats(args: argparse.Namespace) -> int:
    from translate.memory import stats

    with _open(args, write=False) as memory:
        data = stats(memory)
    if args.format == "json":
        sys.stdout.write(formatting.to_json(data))
    else:
        for name, value in data.items():
            if isinstance(value, dict):
                value = ", ".join(f"{k} {v}" for k, v in value.items()) or "-"
            print(f"{name}: {value}")
    return EXIT_OK


def cmd_memory_search(args: argparse.Namespace) -> int:
    from translate.memory import search

    with _open(args, write=False) as memory:
        matches = search(memory, args.text, limit=args.limit)
    if args.format == "json":
        sys.stdout.write(formatting.to_json(matches))
    else:
        for match in matches:
            print(f"{match['id']}\t{match['similarity']:.2f}\t{match['source']}\t{match['target']}")
    return EXIT_OK if matches else EXIT_FAILED


def cmd_memory_delete(args: argparse.Namespace) -> int:
    from translate.memory import delete

    with _open(args, write=True) as memory:
        if not delete(memory, args.id):
            error(f"There is no unit {args.id} in {memory.path}.")
            return EXIT_FAILED
    return EXIT_OK


def memory_handlers() -> dict[str, Callable[[argparse.Namespace], int]]:
    """The handlers of the ``memory`` commands, by command path."""
    return {
        "memory import": cmd_memory_import,
        "memory export": cmd_memory_export,
        "memory stats": cmd_memory_stats,
        "memory search": cmd_memory_search,
        "memory delete": cmd_memory_delete,
    }
