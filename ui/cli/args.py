"""The grammar of the ``tarjama`` command: its commands, each one's options, and their defaults.

Every default and choice list comes from the library that owns it (``translate.config``,
``translate.registry``, ``translate.batch``, ``summarize.api``), and help texts show them with
``%(default)s``, so nothing here can drift from what the library does. A command accepts only
the options it uses: ``translate`` has no summary model, ``summarize`` only a summary model.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from typing import Any

from summarize.config import DEFAULT_LENGTH, DEFAULT_METHOD, LENGTHS, METHODS
from translate import __version__
from translate.batch.job import DEFAULT_CHUNK_ROWS, ENGINES
from translate.config import DEFAULT_BATCH_TOKENS, DEFAULT_MAX_CHARS
from translate.registry import BACKENDS

from ..service import formatting
from ..service.formatting import DOCUMENT_FORMATS
from .memory import add_library_options, add_memory_grammar

DOCUMENT_INPUT_HELP = (
    "input file (.txt, or a document: .html, .docx, .pdf, .srt, .vtt), an http(s) URL, "
    "or - for stdin"
)


def positive(minimum: int) -> Callable[[str], int]:
    """An argparse type: a whole number of at least ``minimum``."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"must be at least {minimum}")
        return value

    return parse


def summary_length(text: str) -> str | int:
    """An argparse type: short, medium, long or a positive number."""
    if text in LENGTHS:
        return text
    try:
        return positive(1)(text)
    except argparse.ArgumentTypeError:
        raise argparse.ArgumentTypeError(f"use {', '.join(LENGTHS)} or a number") from None


# -- option groups -------------------------------------------------------------------------------
def _general(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--version", action="version", version=f"tarjama {__version__}", help="print the version"
    )
    parser.add_argument(
        "-q", "--quiet", action="store_true", help="no progress bars or status lines"
    )


def _models(
    parser: argparse.ArgumentParser,
    *,
    translation: bool,
    summary: bool,
    summary_is_main: bool = False,
) -> None:
    """--model / --summary-model (only those the command uses), --backend, --device."""
    group = parser.add_argument_group("models")
    if translation:
        group.add_argument(
            "--model", help="translation model: a models.yaml name or a local model directory"
        )
    if summary and summary_is_main:  # the command's only model: --model names it
        group.add_argument(
            "--model",
            "--summary-model",
            dest="summary_model",
            help="summarization model: a models.yaml name or a local model directory",
        )
    elif summary:
        group.add_argument(
            "--summary-model", help="summarization model: a models.yaml name or a local directory"
        )
    group.add_argument(
        "--backend", choices=BACKENDS, help="inference engine (default: the registry's choice)"
    )
    group.add_argument(
        "--device", default="auto", help="auto, cpu or cuda[:N] (default: %(default)s)"
    )


def _translation(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("translation")
    group.add_argument(
        "--num-beams",
        type=positive(1),
        help="beam size for translation (default: the registry's setting)",
    )
    group.add_argument(
        "--max-chars",
        type=positive(1),
        default=DEFAULT_MAX_CHARS,
        help="longest document accepted, in characters (default: %(default)s)",
    )


def _summary(parser: argparse.ArgumentParser, prefix: str = "") -> None:
    """--method/--length (summarize, digest) or --summary-method/--summary-length (batch)."""
    group = parser.add_argument_group("summary")
    group.add_argument(
        f"--{prefix}method",
        dest="summary_method",
        choices=METHODS,
        default=DEFAULT_METHOD,
        help="abstractive (a BART model) or extractive (no model needed); default: %(default)s",
    )
    group.add_argument(
        f"--{prefix}length",
        dest="summary_length",
        type=summary_length,
        default=DEFAULT_LENGTH,
        help=f"{', '.join(LENGTHS)} or a number (default: %(default)s)",
    )


def _io(
    parser: argparse.ArgumentParser,
    formats: Sequence[str],
    *,
    documents: bool,
    default: str | None = "text",
) -> None:
    parser.add_argument(
        "input",
        nargs="?",
        default="-",
        metavar="FILE",
        help=DOCUMENT_INPUT_HELP if documents else "input file, or - for stdin",
    )
    parser.add_argument("-o", "--output", help="write here instead of stdout")
    parser.add_argument(
        "-f",
        "--format",
        choices=formats,
        default=default,
        help="output format (default: text"
        + (", or the document format the --output name ends with)" if default is None else ")"),
    )


# -- the commands --------------------------------------------------------------------------------
Handler = Callable[[argparse.Namespace], int]


class _Commands:
    """Adds subcommands, each with the general flags and its handler (by command path)."""

    def __init__(self, handlers: dict[str, Handler]) -> None:
        self.handlers = handlers

    def add(
        self,
        parent: Any,
        name: str,
        help_text: str,
        path: str | None = None,
        aliases: tuple[str, ...] = (),
    ) -> Any:
        cmd = parent.add_parser(name, help=help_text, description=help_text, aliases=aliases)
        _general(cmd)
        if (path or name) in self.handlers:
            cmd.set_defaults(handler=self.handlers[path or name])
        return cmd


def build_parser(handlers: dict[str, Handler]) -> argparse.ArgumentParser:
    """The whole command line; ``handlers`` maps a command path ("models list") to its function."""
    parser = argparse.ArgumentParser(
        prog="tarjama",
        description="Arabic→English news translation and summarization.",
        epilog="Exit codes: 0 success, 1 the work (or some batch rows) failed, 2 usage error, "
        "130 interrupted. Run `tarjama COMMAND --help` for a command's options.",
    )
    _general(parser)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    commands = _Commands(handlers)
    _documents(commands, sub)
    _batch(commands, sub)
    _models_commands(commands, sub)
    _eval(commands, sub)
    _server(commands, sub)
    memory = add_memory_grammar(commands.add, sub)
    memory.set_defaults(handler=_choose_action(memory))
    return parser


def _documents(commands: _Commands, sub: Any) -> None:
    """translate, summarize, digest: one document in, its result out."""
    command = commands.add
    cmd = command(sub, "translate", "Translate Arabic text (a file, a document, a URL or stdin).")
    # no default format, so that `-o report.docx` alone picks docx
    _io(cmd, (*formatting.FORMATS, *DOCUMENT_FORMATS), documents=True, default=None)
    _models(cmd, translation=True, summary=False)
    _translation(cmd)
    add_library_options(cmd)

    cmd = command(sub, "summarize", "Summarise English text (a file or stdin).")
    _io(cmd, formatting.FORMATS, documents=False)
    _models(cmd, translation=False, summary=True, summary_is_main=True)
    _summary(cmd)

    cmd = command(sub, "digest", "Translate Arabic text, then summarise the English.")
    _io(cmd, formatting.FORMATS, documents=True)
    _models(cmd, translation=True, summary=True)
    _translation(cmd)
    _summary(cmd)
    cmd.add_argument(
        "--summary-first",
        action="store_true",
        help="choose the summary's sentences on the Arabic side and summarise their "
        "translations (the page's summary-first mode)",
    )
    add_library_options(cmd)


def _batch(commands: _Commands, sub: Any) -> None:
    """batch: a file, folder or dataset into a table, checkpointed."""
    command = commands.add
    cmd = command(
        sub, "batch", "Translate a file, folder or dataset of Arabic documents into a table."
    )
    cmd.add_argument(
        "input_path",
        metavar="INPUT",
        help="a .txt file (one document per line), a folder of documents (.txt, .docx, .pdf, "
        ".html, .srt, .vtt), .jsonl, .csv, .parquet, or hf://OWNER/NAME[:CONFIG][@SPLIT]",
    )
    cmd.add_argument("output_path", metavar="OUTPUT", help="a .jsonl, .csv or .parquet file")
    _models(cmd, translation=True, summary=True)
    _translation(cmd)
    job = cmd.add_argument_group("job")
    job.add_argument(
        "--column", default="text", help="the column of Arabic text (default: %(default)s)"
    )
    job.add_argument(
        "--batch-tokens",
        type=positive(16),
        default=DEFAULT_BATCH_TOKENS,
        help="padded source tokens per model batch (default: %(default)s)",
    )
    job.add_argument(
        "--chunk-rows",
        type=positive(1),
        default=DEFAULT_CHUNK_ROWS,
        help="documents per checkpoint (local) or shard (ray) (default: %(default)s)",
    )
    job.add_argument(
        "--resume",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="continue from the checkpoint of an interrupted run (default: on)",
    )
    job.add_argument(
        "--overwrite",
        action="store_true",
        help="replace translation/summary/flags/error columns already in the input",
    )
    job.add_argument("--engine", choices=ENGINES, default=ENGINES[0], help="default: %(default)s")
    job.add_argument("--address", help="Ray cluster address (with --engine ray)")
    cmd.add_argument("--summarize", action="store_true", help="add a summary column")
    cmd.add_argument(
        "--summary-only",
        action="store_true",
        help="translate only each row's summary sentences, chosen on the Arabic side "
        "(--summary-length sets how many); resumes like any job",
    )
    _summary(cmd, prefix="summary-")
    add_library_options(cmd)


def _models_commands(commands: _Commands, sub: Any) -> None:
    """models list | download | convert."""
    command = commands.add
    models = command(sub, "models", "List, download or convert models.")
    models.set_defaults(handler=_choose_action(models))
    models_sub = models.add_subparsers(dest="models_command", metavar="ACTION")
    cmd = command(
        models_sub, "list", "Registry entries, whether they are cached, their size.", "models list"
    )
    cmd.add_argument("-f", "--format", choices=("text", "json"), default="text")
    cmd = command(
        models_sub,
        "download",
        "Fetch models into the Hugging Face cache for offline use.",
        "models download",
    )
    cmd.add_argument("names", nargs="*", metavar="NAME", help="default: the default models")
    cmd = command(
        models_sub, "convert", "Convert models to CTranslate2 ahead of time.", "models convert"
    )
    cmd.add_argument(
        "names",
        nargs="*",
        metavar="NAME",
        help="registry names or local directories (default: the default translation and "
        "summarization models)",
    )
    cmd.add_argument("--quantization", default="int8", help="default: %(default)s")
    cmd.add_argument(
        "--force",
        action="store_true",
        help="convert again even if a converted copy exists (e.g. an unpinned model moved)",
    )


def _eval(commands: _Commands, sub: Any) -> None:
    """eval translation | summary."""
    command = commands.add
    ev = command(sub, "eval", "Score translations (BLEU, chrF) or summaries (ROUGE).")
    ev.set_defaults(handler=_choose_action(ev))
    ev_sub = ev.add_subparsers(dest="eval_command", metavar="KIND")
    cmd = command(
        ev_sub,
        "translation",
        "Translate --source and score it against --reference.",
        "eval translation",
    )
    _models(cmd, translation=True, summary=False)
    cmd.add_argument("--source", required=True, help="Arabic, one segment per line")
    cmd.add_argument("--reference", required=True, help="English, line for line")
    cmd.add_argument("-o", "--output", help="write the scores and model metadata as JSON")
    cmd = command(
        ev_sub,
        "summary",
        "ROUGE of --predictions against --references, or of Lead-3, the extractive method at "
        "each length and the summarization model on a --data file of news articles.",
        "eval summary",
    )
    _models(cmd, translation=False, summary=True, summary_is_main=True)
    cmd.add_argument("--predictions", help="one summary per line")
    cmd.add_argument("--references", help="one reference per line")
    cmd.add_argument(
        "--data",
        metavar="FILE.jsonl",
        help='news to summarise: one {"article": ..., "highlights": ...} object a line',
    )
    cmd.add_argument("--limit", type=positive(1), help="--data: only the first N articles")
    cmd.add_argument(
        "--no-abstractive",
        action="store_true",
        help="--data: leave the summarization model out (it is skipped anyway without weights)",
    )
    cmd.add_argument(
        "--samples",
        type=positive(1),
        default=1000,
        help="--data: bootstrap resamples (default: %(default)s)",
    )
    cmd.add_argument("-o", "--output", help="write the scores as JSON")


def _server(commands: _Commands, sub: Any) -> None:
    """ui (also called serve): the page and the HTTP API."""
    command = commands.add
    # `serve` is the name API users look for; it is the same server as `ui`.
    cmd = command(
        sub, "ui", "Start the web page and the HTTP API (one server).", aliases=("serve",)
    )
    _models(cmd, translation=True, summary=True)
    cmd.add_argument("--host", default="127.0.0.1", help="default: %(default)s (this machine)")
    cmd.add_argument("--port", type=positive(1), default=7860, help="default: %(default)s")
    cmd.add_argument("--share", action="store_true", help="also open a public gradio link")
    cmd.add_argument(
        "--max-chars",
        type=positive(1),
        default=None,
        help="characters per request (default: the page's limit)",
    )
    cmd.add_argument(
        "--api-keys",
        metavar="FILE",
        help="require an API key for the HTTP API: one key per line, optionally followed by "
        "its requests per minute",
    )
    cmd.add_argument(
        "--rate-limit",
        type=positive(0),
        default=0,
        metavar="N",
        help="API requests per minute per key (without keys: per client address); 0: no limit",
    )
    cmd.add_argument(
        "--no-batching",
        action="store_true",
        help="translate one request at a time instead of batching concurrent ones",
    )
    cmd.add_argument(
        "--allow-private-fetch",
        action="store_true",
        help="let the page's link field fetch loopback/private addresses (off: SSRF protection "
        "for remote visitors; turn on only on your own machine)",
    )
    add_library_options(cmd, server=True)


def _choose_action(parser: argparse.ArgumentParser) -> Handler:
    """The handler of a command group named without its action: usage, exit 2."""

    def missing(args: argparse.Namespace) -> int:
        parser.print_usage(sys.stderr)
        print(f"{parser.prog}: error: choose an action (see --help)", file=sys.stderr)
        return 2

    return missing
