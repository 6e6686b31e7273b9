"""The ``tarjama`` command: translate, summarize, digest, batch, models, eval, ui.

The library raises typed errors; this module turns them into one message on stderr and an exit
code: 0 success, 1 the work failed (or, for ``batch``, some rows failed), 2 a usage error,
130 interrupted. Heavy modules (torch, transformers, gradio, ray) are imported inside the
commands that need them, so ``tarjama --help`` is fast.
"""

from __future__ import annotations

import argparse
import os
import sys
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from translate.errors import BatchInterrupted, ConfigError, InputError, TarjamaError

from . import cli_args, formatting
from .cli_args import DOCUMENT_FORMATS

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130
RAY_HINT = "install with pip install 'tarjama[cluster]'"


class UsageError(Exception):
    """A command line that cannot work (bad file, missing module for an option): exit 2."""


def build_parser() -> argparse.ArgumentParser:
    """The whole command line (tests call :func:`main` with a list of arguments)."""
    return cli_args.build_parser(
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
    except BatchInterrupted as exc:
        _error(f"Interrupted: {exc}. Run the same command again to continue.")
        return EXIT_INTERRUPTED
    except KeyboardInterrupt:
        _error("Interrupted.")
        return EXIT_INTERRUPTED
    except UsageError as exc:
        _error(str(exc))
        return EXIT_USAGE
    except ConfigError as exc:  # unknown model name, bad setting, batch usage errors
        _error(str(exc))
        return EXIT_USAGE
    except TarjamaError as exc:
        _error(str(exc))
        return EXIT_FAILED
    except BrokenPipeError:  # `tarjama translate x | head`: the reader left
        return EXIT_FAILED
    except OSError as exc:  # writing the output or the checkpoint (disk full, permissions)
        where = f" {exc.filename}" if exc.filename else ""
        _error(f"Cannot write{where}: {exc.strerror or exc}.")
        return EXIT_FAILED


def _error(message: str) -> None:
    print(f"tarjama: error: {message}", file=sys.stderr)


def _warn(message: str) -> None:
    print(f"tarjama: warning: {message}", file=sys.stderr)


def _status(args: argparse.Namespace, message: str) -> None:
    if not args.quiet:
        print(message, file=sys.stderr)


def _quiet_libraries() -> None:
    """Keep transformers' advisory warnings and loading bars out of the command's output."""
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    warnings.filterwarnings("ignore", message=".*sacremoses.*")
    try:
        from transformers.utils import logging as hf_logging
    except ImportError:  # the ctranslate2 path can run without transformers
        return
    hf_logging.set_verbosity_error()
    hf_logging.disable_progress_bar()


# -- input and output ----------------------------------------------------------------------------
def read_text(source: str) -> str:
    """The text of FILE, or of stdin for ``-``; UTF-8 (a BOM is dropped)."""
    if source == "-":
        if sys.stdin is None or sys.stdin.isatty():
            raise UsageError("No input: give a FILE, or pipe text in (… | tarjama COMMAND -).")
        data = sys.stdin.buffer.read()
        where = "stdin"
    else:
        data = _read_bytes(source)
        where = source
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(
            f"{where} is not valid UTF-8 (byte 0x{data[exc.start]:02x} at position {exc.start}); "
            "re-save it as UTF-8."
        ) from None


def _read_bytes(path: str) -> bytes:
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise UsageError(f"Cannot read {path}: {exc.strerror or exc}.") from None


def _read_lines(path: str) -> list[str]:
    """The lines of a UTF-8 text file (for the eval commands: one segment per line)."""
    data = _read_bytes(path)
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


# -- commands ------------------------------------------------------------------------------------
def _translator_config(args: argparse.Namespace) -> Any:
    """The one TranslatorConfig of this command's flags (made once, passed everywhere)."""
    from translate.config import TranslatorConfig

    kwargs: dict[str, Any] = {}
    if getattr(args, "batch_tokens", None) is not None:
        kwargs["batch_tokens"] = args.batch_tokens
    if getattr(args, "max_chars", None) is not None:
        kwargs["max_chars"] = args.max_chars
    if getattr(args, "num_beams", None) is not None:
        kwargs["generation"] = {"num_beams": args.num_beams}
    return TranslatorConfig(model=args.model, backend=args.backend, device=args.device, **kwargs)


def _translator(args: argparse.Namespace) -> Any:
    from translate import Translator

    return Translator.from_config(_translator_config(args))


# -- documents: web pages, Word, PDF, subtitles ---------------------------------------------------
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
        return read_document(_read_bytes(source), filename=Path(source).name)
    name = None if source == "-" else Path(source).name
    return Document.from_text(read_text(source), filename=name)


def _translate_document(args: argparse.Namespace) -> int:
    from translate.documents import save_document, translate_document, write_document

    document = read_input_document(args.input)
    _quiet_libraries()
    translated = translate_document(document, _translator(args))
    if args.output:
        target = Path(args.output)
        if not target.parent.is_dir():
            raise UsageError(
                f"Cannot write {args.output}: the folder {target.parent} does not exist."
            )
        save_document(translated, target, args.format)
        return EXIT_OK
    data = write_document(translated, args.format)
    if args.format == "docx":
        if sys.stdout.isatty():
            raise UsageError("docx is a binary format: write it to a file with --output FILE.docx.")
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
    else:
        sys.stdout.write(data.decode("utf-8"))
        sys.stdout.flush()
    return EXIT_OK


def cmd_translate(args: argparse.Namespace) -> int:
    if args.format is None:  # -o x.docx/.srt/.vtt/.tmx/.xlf asks for that format; else text
        from translate.documents import format_for_path

        named = format_for_path(args.output) if args.output else None
        args.format = named if named in DOCUMENT_FORMATS else "text"
    if args.format in DOCUMENT_FORMATS or is_document_input(args.input):
        return _translate_document(args)
    text = read_text(args.input)
    _quiet_libraries()
    result = _translator(args).translate(text)
    write_output(formatting.format_translation(result, args.format), args.output)
    return EXIT_OK


def cmd_summarize(args: argparse.Namespace) -> int:
    from summarize import summarize

    text = read_text(args.input)
    _quiet_libraries()
    result = summarize(
        text,
        method=args.summary_method,
        model=args.summary_model,
        backend=args.backend,
        length=args.summary_length,
        device=args.device,
    )
    write_output(formatting.format_summary(result, args.format), args.output)
    return EXIT_OK


def cmd_digest(args: argparse.Namespace) -> int:
    from summarize import digest

    if is_document_input(args.input):
        from translate.documents import document_text

        text = document_text(read_input_document(args.input)).text
    else:
        text = read_text(args.input)
    _quiet_libraries()
    result = digest(
        text,
        summary_model=args.summary_model,
        backend=args.backend,
        summary_method=args.summary_method,
        length=args.summary_length,
        device=args.device,
        translator=_translator(args),
    )
    write_output(formatting.format_digest(result, args.format), args.output)
    return EXIT_OK


def cmd_batch(args: argparse.Namespace) -> int:
    from translate.batch import JobOptions, run_batch

    if args.engine == "ray":
        try:
            import ray  # noqa: F401
        except ImportError as exc:
            raise UsageError(f"--engine ray is not available ({exc}): {RAY_HINT}") from None
    config = _translator_config(args)
    summarizer = None
    if args.summarize:
        from summarize import TranslationSummarizer

        summarizer = TranslationSummarizer(
            method=args.summary_method,
            length=args.summary_length,
            model=args.summary_model,
            backend=args.backend,
            device=args.device,
        )
    options = JobOptions(
        column=args.column,
        summarizer=summarizer,
        summary_settings=summarizer.settings() if summarizer else None,
        chunk_rows=args.chunk_rows,
        resume=args.resume,
        overwrite=args.overwrite,
        show_progress=not args.quiet,
        engine=args.engine,
        address=args.address,
    )
    if args.engine == "local":
        _quiet_libraries()
    report = run_batch(args.input_path, args.output_path, config, options)
    for note in report.notes:
        _warn(note)  # shown with --quiet too: the user must know
    if report.already_complete:
        _status(
            args,
            f"{report.output} is already complete for this input and these settings "
            "(run with --no-resume to redo it).",
        )
    for row_id, error in report.failures[:5]:
        _status(args, f"row {row_id}: {error}")
    if len(report.failures) > 5:
        _status(args, f"… and {len(report.failures) - 5} more failed rows (see the error column).")
    _status(
        args,
        f"{report.rows_ok} rows ok, {report.rows_failed} rows failed, "
        f"{report.sentences_per_second:.1f} sentences/s ({report.rows_per_second:.2f} rows/s, "
        f"{report.translated_this_run} translated this run, {report.resumed_rows} resumed) "
        f"→ {report.output}",
    )
    return EXIT_OK if report.rows_failed == 0 else EXIT_FAILED


def model_entries() -> list[dict[str, Any]]:
    """Registry entries with whether each is cached and its size (``translate.backends.hub``)."""
    from translate.backends.hub import model_entries as entries

    return entries()


def cmd_models_list(args: argparse.Namespace) -> int:
    sys.stdout.write(formatting.format_models(model_entries(), args.format))
    return EXIT_OK


def cmd_models_download(args: argparse.Namespace) -> int:
    from translate.backends.hub import download, named_specs
    from translate.errors import ModelUnavailableError

    failed = 0
    for spec in named_specs(args.names):
        if spec.is_local:
            _status(args, f"{spec.name}: a local directory ({spec.path}); nothing to download.")
            continue
        _status(args, f"{spec.name}: downloading {spec.hub_id} @ {spec.revision or 'main'} …")
        try:
            path = download(spec)
        except ModelUnavailableError as exc:
            _error(str(exc))
            failed += 1
            continue
        _status(args, f"{spec.name}: ready in {path}")
    return EXIT_FAILED if failed else EXIT_OK


def cmd_models_convert(args: argparse.Namespace) -> int:
    try:
        from translate.backends.hub import convert, named_specs
    except ImportError as exc:
        raise TarjamaError(f"CTranslate2 conversion is not available: {exc}") from None
    _quiet_libraries()
    for spec in named_specs(args.names):
        _status(args, f"{spec.name}: converting to CTranslate2 ({args.quantization}) …")
        print(f"{spec.name}: {convert(spec, args.quantization, force=args.force)}")
    return EXIT_OK


def _write_json(data: Any, destination: str | None) -> None:
    if destination:
        write_output(formatting.to_json(data), destination)


def cmd_eval_translation(args: argparse.Namespace) -> int:
    try:
        from translate.evaluate import evaluate_translation
    except ImportError as exc:
        raise TarjamaError(f"Translation evaluation is not available: {exc}") from None
    sources, references = _read_lines(args.source), _read_lines(args.reference)
    _quiet_libraries()
    scores = evaluate_translation(
        sources, references, model=args.model, backend=args.backend, device=args.device
    )
    sys.stdout.write(formatting.format_scores(scores, f"Translation of {args.source}"))
    _write_json(scores, args.output)
    return EXIT_OK


def cmd_eval_summary(args: argparse.Namespace) -> int:
    if args.data:
        if args.predictions or args.references:
            raise UsageError("Give --data, or --predictions with --references, not both.")
        return _eval_news(args)
    if not (args.predictions and args.references):
        raise UsageError("Give --predictions and --references (or --data FILE.jsonl).")
    from summarize.evaluate import evaluate_summaries

    predictions, references = _read_lines(args.predictions), _read_lines(args.references)
    scores = evaluate_summaries(predictions, references)
    sys.stdout.write(formatting.format_scores(scores, f"Summaries in {args.predictions}"))
    _write_json(scores, args.output)
    return EXIT_OK


def _eval_news(args: argparse.Namespace) -> int:
    from summarize.news_eval import evaluate_news, format_report, read_pairs

    pairs = read_pairs(args.data, args.limit)
    _quiet_libraries()
    report = evaluate_news(
        pairs,
        abstractive=not args.no_abstractive,
        model=args.summary_model,
        backend=args.backend,
        device=args.device,
        samples=args.samples,
        progress=None if args.quiet else lambda line: print(line, file=sys.stderr),
    )
    sys.stdout.write(format_report(report))
    _write_json(report.to_dict(), args.output)
    return EXIT_OK


def cmd_ui(args: argparse.Namespace) -> int:
    try:
        from ui.app import AppConfig, serve
        from ui.config import load_api_keys
    except ImportError as exc:
        raise TarjamaError(f"The web UI is not available: {exc}") from None
    from translate.errors import ModelUnavailableError

    fields: dict[str, Any] = {
        "model": args.model,
        "summary_model": args.summary_model,
        "backend": args.backend,
        "device": args.device,
        "rate_limit": args.rate_limit,
        "batching": not args.no_batching,
        "allow_private_fetch": args.allow_private_fetch,
    }
    if args.max_chars is not None:
        fields["max_chars"] = args.max_chars
    if args.api_keys:
        fields["api_keys"] = load_api_keys(args.api_keys)
    try:
        serve(AppConfig(**fields), host=args.host, port=args.port, share=args.share)
    except ModelUnavailableError as exc:  # a --model that cannot work: say so at start
        raise UsageError(str(exc)) from None
    return EXIT_OK


if __name__ == "__main__":  # pragma: no cover - `python -m ui` is the usual way
    sys.exit(main())
