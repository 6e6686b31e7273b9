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
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from translate import __version__
from translate.errors import ConfigError, InputError, TarjamaError

from . import formatting

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130
RAY_HINT = "install with pip install 'tarjama[cluster]'"


class UsageError(Exception):
    """A command line that cannot work (bad file, missing module for an option): exit 2."""


# -- parser --------------------------------------------------------------------------------------
def _positive(minimum: int) -> Callable[[str], int]:
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"must be at least {minimum}")
        return value

    return parse


def _length(text: str) -> str | int:
    if text in ("short", "medium", "long"):
        return text
    try:
        return _positive(1)(text)
    except argparse.ArgumentTypeError:
        raise argparse.ArgumentTypeError("use short, medium, long or a number") from None


def _parents() -> dict[str, argparse.ArgumentParser]:
    general = argparse.ArgumentParser(add_help=False)
    general.add_argument(
        "--version", action="version", version=f"tarjama {__version__}", help="print the version"
    )
    general.add_argument(
        "-q", "--quiet", action="store_true", help="no progress bars or status lines"
    )

    model = argparse.ArgumentParser(add_help=False)
    group = model.add_argument_group("models")
    group.add_argument(
        "--model", help="translation model: a models.yaml name or a local model directory"
    )
    group.add_argument(
        "--summary-model", help="summarization model: a models.yaml name or a local directory"
    )
    group.add_argument(
        "--backend",
        choices=("auto", "transformers", "ctranslate2"),
        help="inference engine (default: the registry's choice)",
    )
    group.add_argument("--device", default="auto", help="auto, cpu or cuda[:N] (default: auto)")

    generation = argparse.ArgumentParser(add_help=False)
    gen = generation.add_argument_group("translation")
    gen.add_argument(
        "--num-beams",
        type=_positive(1),
        help="beam size for translation (default: the registry's setting)",
    )
    gen.add_argument(
        "--max-chars",
        type=_positive(1),
        default=None,
        help="longest document accepted, in characters (default: 1,000,000)",
    )

    summary = argparse.ArgumentParser(add_help=False)
    summ = summary.add_argument_group("summary")
    summ.add_argument(
        "--method",
        dest="summary_method",
        choices=("abstractive", "extractive"),
        default="abstractive",
        help="abstractive (a BART model) or extractive (no model needed); default abstractive",
    )
    summ.add_argument(
        "--length",
        dest="summary_length",
        type=_length,
        default="medium",
        help="short, medium, long or a number (default: medium)",
    )

    output = argparse.ArgumentParser(add_help=False)
    output.add_argument(
        "input", nargs="?", default="-", metavar="FILE", help="input file, or - for stdin"
    )
    output.add_argument("-o", "--output", help="write here instead of stdout")
    output.add_argument(
        "-f", "--format", choices=formatting.FORMATS, default="text", help="output format"
    )
    return {
        "general": general,
        "model": model,
        "generation": generation,
        "summary": summary,
        "io": output,
    }


def build_parser() -> argparse.ArgumentParser:
    """The whole command line (tests call :func:`main` with a list of arguments)."""
    p = _parents()
    parser = argparse.ArgumentParser(
        prog="tarjama",
        description="Arabic→English news translation and summarization.",
        epilog="Exit codes: 0 success, 1 the work (or some batch rows) failed, 2 usage error, "
        "130 interrupted. Run `tarjama COMMAND --help` for a command's options.",
        parents=[p["general"]],
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    def command(parent: Any, name: str, help_text: str, *parents: str) -> argparse.ArgumentParser:
        return parent.add_parser(
            name,
            help=help_text,
            description=help_text,
            parents=[p["general"], *(p[k] for k in parents)],
        )

    cmd = command(
        sub,
        "translate",
        "Translate Arabic text (a file or stdin) into English.",
        "io",
        "model",
        "generation",
    )
    cmd.set_defaults(handler=cmd_translate)

    cmd = command(
        sub, "summarize", "Summarise English text (a file or stdin).", "io", "model", "summary"
    )
    cmd.set_defaults(handler=cmd_summarize)

    cmd = command(
        sub,
        "digest",
        "Translate Arabic text, then summarise the English.",
        "io",
        "model",
        "summary",
    )
    cmd.set_defaults(handler=cmd_digest)

    cmd = command(
        sub,
        "batch",
        "Translate a file or folder of Arabic documents into a table (resumable).",
        "model",
        "generation",
    )
    cmd.add_argument(
        "input_path",
        metavar="INPUT",
        help="a .txt file (one document per line), a folder of .txt files, .jsonl, .csv, .parquet",
    )
    cmd.add_argument("output_path", metavar="OUTPUT", help="a .jsonl, .csv or .parquet file")
    cmd.add_argument("--column", default="text", help="the column of Arabic text (default: text)")
    cmd.add_argument("--summarize", action="store_true", help="add a summary column")
    cmd.add_argument(
        "--summary-method", choices=("abstractive", "extractive"), default="abstractive"
    )
    cmd.add_argument("--summary-length", type=_length, default="short", help="default: short")
    cmd.add_argument(
        "--batch-tokens",
        type=_positive(16),
        default=None,
        help="padded source tokens per model batch (default: 4096)",
    )
    cmd.add_argument(
        "--chunk-rows",
        type=_positive(1),
        default=None,
        help="documents per checkpointed chunk (default: 64)",
    )
    cmd.add_argument(
        "--resume",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="continue from the checkpoint of an interrupted run (default: on)",
    )
    cmd.add_argument(
        "--overwrite",
        action="store_true",
        help="replace translation/summary/flags/error columns already in the input",
    )
    cmd.add_argument("--engine", choices=("local", "ray"), default="local", help="default: local")
    cmd.add_argument("--address", help="Ray cluster address (with --engine ray)")
    cmd.set_defaults(handler=cmd_batch)

    models = command(sub, "models", "List, download or convert models.")
    models_sub = models.add_subparsers(dest="models_command", metavar="ACTION")
    cmd = command(models_sub, "list", "Registry entries, whether they are cached, their size.")
    cmd.add_argument("-f", "--format", choices=("text", "json"), default="text")
    cmd.set_defaults(handler=cmd_models_list)
    cmd = command(
        models_sub, "download", "Fetch models into the Hugging Face cache for offline use."
    )
    cmd.add_argument("names", nargs="*", metavar="NAME", help="default: the default models")
    cmd.set_defaults(handler=cmd_models_download)
    cmd = command(models_sub, "convert", "Convert models to CTranslate2 ahead of time.")
    cmd.add_argument(
        "names",
        nargs="*",
        metavar="NAME",
        help="registry names or local directories (default: the default translation and "
        "summarization models)",
    )
    cmd.add_argument("--quantization", default="int8", help="default: int8")
    cmd.add_argument(
        "--force",
        action="store_true",
        help="convert again even if a converted copy exists (e.g. an unpinned model moved)",
    )
    cmd.set_defaults(handler=cmd_models_convert)
    models.set_defaults(handler=lambda args: _missing_action(models))

    ev = command(sub, "eval", "Score translations (BLEU, chrF) or summaries (ROUGE).")
    ev_sub = ev.add_subparsers(dest="eval_command", metavar="KIND")
    cmd = command(
        ev_sub, "translation", "Translate --source and score it against --reference.", "model"
    )
    cmd.add_argument("--source", required=True, help="Arabic, one segment per line")
    cmd.add_argument("--reference", required=True, help="English, line for line")
    cmd.add_argument("-o", "--output", help="write the scores and model metadata as JSON")
    cmd.set_defaults(handler=cmd_eval_translation)
    cmd = command(ev_sub, "summary", "ROUGE of --predictions against --references.")
    cmd.add_argument("--predictions", required=True, help="one summary per line")
    cmd.add_argument("--references", required=True, help="one reference per line")
    cmd.add_argument("-o", "--output", help="write the scores as JSON")
    cmd.set_defaults(handler=cmd_eval_summary)
    ev.set_defaults(handler=lambda args: _missing_action(ev))

    cmd = command(sub, "ui", "Start the web page and the HTTP API (one server).", "model")
    cmd.add_argument("--host", default="127.0.0.1", help="default: 127.0.0.1 (this machine)")
    cmd.add_argument("--port", type=_positive(1), default=7860, help="default: 7860")
    cmd.add_argument("--share", action="store_true", help="also open a public gradio link")
    cmd.add_argument(
        "--max-chars", type=_positive(1), default=None, help="characters per request (20,000)"
    )
    cmd.add_argument(
        "--api-keys",
        metavar="FILE",
        help="require an API key for the HTTP API: one key per line, optionally followed by "
        "its requests per minute",
    )
    cmd.add_argument(
        "--rate-limit",
        type=_positive(0),
        default=0,
        metavar="N",
        help="API requests per minute per key (without keys: per client address); 0: no limit",
    )
    cmd.add_argument(
        "--no-batching",
        action="store_true",
        help="translate one request at a time instead of batching concurrent ones",
    )
    cmd.set_defaults(handler=cmd_ui)
    return parser


def _missing_action(parser: argparse.ArgumentParser) -> int:
    parser.print_usage(sys.stderr)
    print(f"{parser.prog}: error: choose an action (see --help)", file=sys.stderr)
    return EXIT_USAGE


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
    from translate.batch import BatchInterrupted

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
    from translate.batch import atomic_write_text

    target = Path(destination)
    if not target.parent.is_dir():
        raise UsageError(f"Cannot write {destination}: the folder {target.parent} does not exist.")
    try:
        atomic_write_text(target, text)
    except OSError as exc:
        raise TarjamaError(f"Cannot write {destination}: {exc.strerror or exc}.") from None


# -- commands ------------------------------------------------------------------------------------
def _translator(args: argparse.Namespace, *, batch_tokens: int | None = None) -> Any:
    from translate import Translator

    kwargs: dict[str, Any] = {}
    if batch_tokens is not None:
        kwargs["batch_tokens"] = batch_tokens
    if getattr(args, "max_chars", None) is not None:
        kwargs["max_chars"] = args.max_chars
    if getattr(args, "num_beams", None) is not None:
        kwargs["generation"] = {"num_beams": args.num_beams}
    return Translator(model=args.model, backend=args.backend, device=args.device, **kwargs)


def cmd_translate(args: argparse.Namespace) -> int:
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

    text = read_text(args.input)
    _quiet_libraries()
    result = digest(
        text,
        translation_model=args.model,
        summary_model=args.summary_model,
        backend=args.backend,
        summary_method=args.summary_method,
        length=args.summary_length,
        device=args.device,
    )
    write_output(formatting.format_digest(result, args.format), args.output)
    return EXIT_OK


def batch_summarizer(args: argparse.Namespace) -> tuple[Callable[[Any], str], dict[str, Any]]:
    """The summarizer a batch job calls on each translation, and the settings that describe it.

    The summary is made over the segment targets, like ``digest``: they are the model's
    English, so the "is this English?" check meant for user input is skipped.
    """
    from summarize import summarize

    method, length = args.summary_method, args.summary_length
    settings: dict[str, Any] = {"method": method, "length": length, "model": None}
    if method == "abstractive":
        from translate.registry import resolve_model

        spec = resolve_model(args.summary_model, "summarization")
        settings["model"] = {"source": spec.source, "revision": spec.revision}

    def summarize_translation(result: Any) -> str:
        targets = [segment.target for segment in result.segments]
        summary = summarize(
            targets,
            method=method,
            model=args.summary_model,
            backend=args.backend,
            length=length,
            device=args.device,
            check_language=False,
        )
        return summary.text

    return summarize_translation, settings


def cmd_batch(args: argparse.Namespace) -> int:
    from translate.batch import DEFAULT_CHUNK_ROWS, run_batch

    translator = _translator(args, batch_tokens=args.batch_tokens)
    summarizer, summary_settings = batch_summarizer(args) if args.summarize else (None, None)
    options: dict[str, Any] = {
        "column": args.column,
        "summarizer": summarizer,
        "summary_settings": summary_settings,
        "chunk_rows": args.chunk_rows or DEFAULT_CHUNK_ROWS,
        "resume": args.resume,
        "overwrite": args.overwrite,
        "show_progress": not args.quiet,
    }
    if args.engine == "ray":
        report = _run_ray(args, options)
    else:
        if args.address:
            raise UsageError("--address is for --engine ray.")
        _quiet_libraries()
        report = run_batch(
            args.input_path,
            args.output_path,
            translator,
            extra_meta={"engine": "local"},
            **options,
        )
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


def _run_ray(args: argparse.Namespace, options: dict[str, Any]) -> Any:
    try:
        import ray  # noqa: F401

        from translate.cluster import run_batch_ray
    except ImportError as exc:
        raise UsageError(f"--engine ray is not available ({exc}): {RAY_HINT}") from None
    translator_kwargs = {
        "model": args.model,
        "backend": args.backend,
        "device": args.device,
        **({"batch_tokens": args.batch_tokens} if args.batch_tokens else {}),
        **({"max_chars": args.max_chars} if args.max_chars else {}),
        **({"generation": {"num_beams": args.num_beams}} if args.num_beams else {}),
    }
    return run_batch_ray(
        args.input_path,
        args.output_path,
        translator_kwargs=translator_kwargs,
        address=args.address,
        **options,
    )


def model_entries() -> list[dict[str, Any]]:
    """Registry entries with whether each is available offline and its size on disk."""
    from translate.registry import load_registry

    registry = load_registry()
    cached = _hub_cache()
    defaults = set(registry.defaults.values())
    entries = []
    for spec in registry.models.values():
        if spec.is_local:
            path = Path(str(spec.path))
            present, size = path.is_dir(), _dir_size(path) if path.is_dir() else None
        else:
            present, size = _cached(cached, spec.hub_id, spec.revision)
        entries.append(
            {
                "name": spec.name,
                "role": spec.role,
                "source": spec.source,
                "revision": spec.revision,
                "default": spec.name in defaults,
                "cached": present,
                "size": size,
                "description": spec.description,
            }
        )
    return entries


def _hub_cache() -> dict[str, Any]:
    from huggingface_hub import scan_cache_dir
    from huggingface_hub.errors import CacheNotFound

    from translate.backends.base import hf_cache_dir

    try:
        info = scan_cache_dir(hf_cache_dir())
    except (CacheNotFound, OSError):  # no cache yet, or not readable: nothing is cached
        return {}
    return {repo.repo_id: repo for repo in info.repos if repo.repo_type == "model"}


def _cached(cached: dict[str, Any], hub_id: str | None, revision: str | None) -> tuple[bool, Any]:
    repo = cached.get(str(hub_id))
    if repo is None:
        return False, None
    if revision and not any(r.commit_hash == revision for r in repo.revisions):
        return False, None
    return True, repo.size_on_disk


def _dir_size(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def cmd_models_list(args: argparse.Namespace) -> int:
    sys.stdout.write(formatting.format_models(model_entries(), args.format))
    return EXIT_OK


def _named_specs(names: Sequence[str], roles: Sequence[str]) -> list[Any]:
    from translate.registry import load_registry, resolve_model

    registry = load_registry()
    if not names:
        return [registry.default(role) for role in roles]  # type: ignore[arg-type]
    specs = []
    for name in names:
        if name in registry.models:
            specs.append(registry.get(name))
        else:
            specs.append(resolve_model(name, "translation"))
    return specs


def cmd_models_download(args: argparse.Namespace) -> int:
    from huggingface_hub import snapshot_download

    failed = 0
    for spec in _named_specs(args.names, ("translation", "summarization")):
        if spec.is_local:
            _status(args, f"{spec.name}: a local directory ({spec.path}); nothing to download.")
            continue
        revision = spec.revision or "main"
        _status(args, f"{spec.name}: downloading {spec.hub_id} @ {revision} …")
        try:
            path = snapshot_download(repo_id=str(spec.hub_id), revision=spec.revision)
        except (OSError, ValueError) as exc:  # hub errors are OSErrors (HTTP, offline, missing)
            reason = str(exc).strip().splitlines()[0].rstrip(".") if str(exc).strip() else ""
            reason = reason or type(exc).__name__
            from translate.backends.base import hub_offline

            hint = (
                " HF_HUB_OFFLINE is set: unset it on a machine with internet access."
                if hub_offline()
                else " Check the network connection and the model id."
            )
            _error(f"Cannot download {spec.name} ({spec.hub_id} @ {revision}): {reason}.{hint}")
            failed += 1
            continue
        _status(args, f"{spec.name}: ready in {path}")
    return EXIT_FAILED if failed else EXIT_OK


def cmd_models_convert(args: argparse.Namespace) -> int:
    try:
        from translate.backends.convert import convert_model
    except ImportError as exc:
        raise TarjamaError(f"CTranslate2 conversion is not available: {exc}") from None
    _quiet_libraries()
    for spec in _named_specs(args.names, ("translation", "summarization")):
        _status(args, f"{spec.name}: converting to CTranslate2 ({args.quantization}) …")
        path = convert_model(spec, args.quantization, force=args.force)
        print(f"{spec.name}: {path}")
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
    from summarize.evaluate import evaluate_summaries

    predictions, references = _read_lines(args.predictions), _read_lines(args.references)
    scores = evaluate_summaries(predictions, references)
    sys.stdout.write(formatting.format_scores(scores, f"Summaries in {args.predictions}"))
    _write_json(scores, args.output)
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
