"""The command line's input and output: files, stdin, URLs and documents in; stdout or an
atomically written file out; messages on stderr."""

from __future__ import annotations

import argparse
import os
import sys
import warnings
from pathlib import Path
from typing import Any

from translate.errors import InputError, TarjamaError

from ..service.errors import UsageError


def error(message: str) -> None:
    """``tarjama: error: …`` on stderr."""
    print(f"tarjama: error: {message}", file=sys.stderr)


def warn(message: str) -> None:
    """``tarjama: warning: …`` on stderr (shown with --quiet too)."""
    print(f"tarjama: warning: {message}", file=sys.stderr)


def status(args: argparse.Namespace, message: str) -> None:
    """A progress line on stderr, unless --quiet."""
    if not args.quiet:
        print(message, file=sys.stderr)


def quiet_libraries() -> None:
    """Keep transformers' advisory warnings and loading bars out of the command's output."""
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    warnings.filterwarnings("ignore", message=".*sacremoses.*")
    try:
        from transformers.utils import logging as hf_logging
    except ImportError:  # the ctranslate2 path can run without transformers
        return
    hf_logging.set_verbosity_error()
    hf_logging.disable_progress_bar()


def read_text(source: str) -> str:
    """The text of FILE, or of stdin for ``-``; UTF-8 (a BOM is dropped)."""
    if source == "-":
        if sys.stdin is None or sys.stdin.isatty():
            raise UsageError("No input: give a FILE, or pipe text in (… | tarjama COMMAND -).")
        data = sys.stdin.buffer.read()
        where = "stdin"
    else:
        data = read_bytes(source)
        where = source
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(
            f"{where} is not valid UTF-8 (byte 0x{data[exc.start]:02x} at position {exc.start}); "
            "re-save it as UTF-8."
        ) from None


def read_bytes(path: str) -> bytes:
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise UsageError(f"Cannot read {path}: {exc.strerror or exc}.") from None


def read_lines(path: str) -> list[str]:
    """The lines of a UTF-8 text file (for the eval commands: one segment per line)."""
    data = read_bytes(path)
    try:
        return data.decode("utf-8-sig").splitlines()
    except UnicodeDecodeError as exc:
        raise InputError(f"{path} is not valid UTF-8 (position {exc.start}).") from None


def write_output(text: str, destination: str | None) -> None:
    """Write to ``destination`` atomically, or to stdout."""
    if destination is None:
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    from translate.batch.outputs import atomic_write_bytes

    target = Path(destination)
    if not target.parent.is_dir():
        raise UsageError(f"Cannot write {destination}: the folder {target.parent} does not exist.")
    try:
        atomic_write_bytes(target, text.encode("utf-8"))
    except OSError as exc:
        raise TarjamaError(f"Cannot write {destination}: {exc.strerror or exc}.") from None


def is_document_input(source: str) -> bool:
    """A URL or a file whose extension names a document (not plain text or stdin)."""
    from translate.documents import DOCUMENT_SUFFIXES, is_url

    return is_url(source) or Path(source).suffix.lower() in DOCUMENT_SUFFIXES


def read_input_document(source: str) -> Any:
    """The Document behind FILE, URL or stdin (plain text: one paragraph per line).

    Links are fetched without SSRF protection: on one's own machine, a link to a server on the
    local network is the user's choice.
    """
    from translate.documents import Document, FetchOptions, is_url, read_document

    if is_url(source):
        return read_document(source, fetch_options=FetchOptions(block_private=False))
    if is_document_input(source):
        return read_document(read_bytes(source), filename=Path(source).name)
    name = None if source == "-" else Path(source).name
    return Document.from_text(read_text(source), filename=name)
