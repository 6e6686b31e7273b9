"""The ``tarjama`` subcommands: each reads its flags, calls the library, writes its output.

Heavy modules (torch, transformers, gradio, ray) are imported inside the commands that need
them, so ``tarjama --help`` is fast. Errors are raised; ``main`` turns them into messages.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

from translate.errors import TarjamaError

from ..service import formatting
from ..service.errors import EXIT_FAILED, EXIT_OK, UsageError
from ..service.formatting import DOCUMENT_FORMATS
from .io import (
    error,
    is_document_input,
    quiet_libraries,
    read_input_document,
    read_lines,
    read_text,
    status,
    warn,
    write_output,
)

RAY_HINT = "install with pip install 'tarjama[cluster]'"


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
    if hasattr(args, "memory"):  # --memory PATH, else $TARJAMA_MEMORY, else none
        from translate.memory import memory_path

        path = memory_path(args.memory)
        kwargs["memory"] = str(path) if path is not None else None
    return TranslatorConfig(model=args.model, backend=args.backend, device=args.device, **kwargs)


def _translator(args: argparse.Namespace) -> Any:
    from translate import Translator

    translator = Translator.from_config(_translator_config(args))
    glossary = getattr(args, "glossary", None)
    return translator.with_glossary(glossary) if glossary else translator


def _translate_document(args: argparse.Namespace) -> int:
    from translate.documents import save_document, translate_document, write_document

    document = read_input_document(args.input)
    quiet_libraries()
    translated = translate_document(document, _translator(args))
    if args.format == "json":  # the text JSON's shape, plus the document's blocks
        write_output(formatting.to_json(formatting.document_json(translated)), args.output)
        return EXIT_OK
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
    quiet_libraries()
    result = _translator(args).translate(text)
    write_output(formatting.format_translation(result, args.format), args.output)
    return EXIT_OK


def _summarizer_config(args: argparse.Namespace) -> Any:
    """The one SummarizerConfig of this command's flags."""
    from summarize import SummarizerConfig

    return SummarizerConfig(
        model=args.summary_model,
        backend=args.backend,
        device=args.device,
        method=args.summary_method,
        length=args.summary_length,
    )


def cmd_summarize(args: argparse.Namespace) -> int:
    from summarize import summarize_with

    text = read_text(args.input)
    quiet_libraries()
    result = summarize_with(text, _summarizer_config(args))
    write_output(formatting.format_summary(result, args.format), args.output)
    return EXIT_OK


def cmd_digest(args: argparse.Namespace) -> int:
    from summarize import digest

    if is_document_input(args.input):
        from translate.documents import document_text

        text = document_text(read_input_document(args.input)).text
    else:
        text = read_text(args.input)
    quiet_libraries()
    result = digest(
        text,
        translator=_translator(args),
        summary_config=_summarizer_config(args),
        summary_first=args.summary_first,
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
    if args.glossary:  # a file: it travels in the config, to Ray's workers too
        from translate.terms import load_glossary

        load_glossary(args.glossary)  # a broken file is refused here, before any row is read
        config = replace(config, glossary=str(args.glossary))
    translator: Any = config
    select: dict[str, Any] = {}
    if args.summary_only:
        from summarize.arabic import SummaryFirst

        chooser = SummaryFirst(args.summary_length)
        select = {"select": chooser, "select_settings": chooser.settings()}
    summarizer = None
    if args.summarize:
        from summarize import TranslationSummarizer

        summarizer = TranslationSummarizer.from_config(_summarizer_config(args))
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
        **select,
    )
    if args.engine == "local":
        quiet_libraries()
    report = run_batch(args.input_path, args.output_path, translator, options)
    for note in report.notes:
        warn(note)  # shown with --quiet too: the user must know
    if report.already_complete:
        status(
            args,
            f"{report.output} is already complete for this input and these settings "
            "(run with --no-resume to redo it).",
        )
    for row_id, failure in report.failures[:5]:
        status(args, f"row {row_id}: {failure}")
    if len(report.failures) > 5:
        status(args, f"… and {len(report.failures) - 5} more failed rows (see the error column).")
    status(
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
            status(args, f"{spec.name}: a local directory ({spec.path}); nothing to download.")
            continue
        status(args, f"{spec.name}: downloading {spec.hub_id} @ {spec.revision or 'main'} …")
        try:
            path = download(spec)
        except ModelUnavailableError as exc:
            error(str(exc))
            failed += 1
            continue
        status(args, f"{spec.name}: ready in {path}")
    return EXIT_FAILED if failed else EXIT_OK


def cmd_models_convert(args: argparse.Namespace) -> int:
    try:
        from translate.backends.convert import convert_model
        from translate.backends.hub import named_specs
    except ImportError as exc:
        raise TarjamaError(f"CTranslate2 conversion is not available: {exc}") from None
    quiet_libraries()
    for spec in named_specs(args.names):
        status(args, f"{spec.name}: converting to CTranslate2 ({args.quantization}) …")
        print(f"{spec.name}: {convert_model(spec, args.quantization, force=args.force)}")
    return EXIT_OK


def _write_json(data: Any, destination: str | None) -> None:
    if destination:
        write_output(formatting.to_json(data), destination)


def cmd_eval_translation(args: argparse.Namespace) -> int:
    try:
        from translate.evaluate import evaluate_translation
    except ImportError as exc:
        raise TarjamaError(f"Translation evaluation is not available: {exc}") from None
    sources, references = read_lines(args.source), read_lines(args.reference)
    quiet_libraries()
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

    predictions, references = read_lines(args.predictions), read_lines(args.references)
    scores = evaluate_summaries(predictions, references)
    sys.stdout.write(formatting.format_scores(scores, f"Summaries in {args.predictions}"))
    _write_json(scores, args.output)
    return EXIT_OK


def _eval_news(args: argparse.Namespace) -> int:
    from summarize.news_eval import evaluate_news, format_report, read_pairs

    pairs = read_pairs(args.data, args.limit)
    quiet_libraries()
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
        from ..http.server import serve
        from ..service.config import AppConfig, load_api_keys
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
    from translate.memory import memory_path

    fields["memory"] = memory_path(args.memory, server=True, disabled=args.no_memory)
    if args.glossary:
        fields["glossary"] = Path(args.glossary)
    try:
        serve(AppConfig(**fields), host=args.host, port=args.port, share=args.share)
    except ModelUnavailableError as exc:  # a --model that cannot work: say so at start
        raise UsageError(str(exc)) from None
    return EXIT_OK
