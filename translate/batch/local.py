"""The local engine: chunks of rows through one Translator in this process, checkpointed."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

from ..errors import BatchInterrupted, InputError, TarjamaError
from ..pieces import Piece
from ..types import TranslationResult
from ..validation import validate_text
from .inputs import InputRow
from .job import (
    BatchReport,
    Job,
    SentenceSelector,
    StopOnInterrupt,
    Summarizer,
    finish_job,
    finished_report,
    progress_bar,
)
from .outputs import result_record
from .state import Checkpoint, job_fingerprint, job_settings

if TYPE_CHECKING:
    from ..translator import Translator

DEFAULT_CHUNK_CHARS = 200_000  # a checkpoint at least every ~200k characters of Arabic


def chunks(
    rows: Sequence[InputRow], max_rows: int, max_chars: int = DEFAULT_CHUNK_CHARS
) -> Iterator[list[InputRow]]:
    """Consecutive groups of at most ``max_rows`` rows and about ``max_chars`` characters."""
    chunk: list[InputRow] = []
    size = 0
    for row in rows:
        length = len(row.text) if isinstance(row.text, str) else 0
        if chunk and (len(chunk) >= max_rows or size + length > max_chars):
            yield chunk
            chunk, size = [], 0
        chunk.append(row)
        size += length
    if chunk:
        yield chunk


def translate_chunk(
    translator: Translator,
    rows: Sequence[InputRow],
    summarizer: Summarizer | None = None,
    progress: Callable[[int], None] | None = None,
    select: SentenceSelector | None = None,
) -> list[dict[str, Any]]:
    """Translate (and summarise) one chunk; one record per row, in row order.

    Sentences of all the chunk's documents are batched together by the translator's token
    budget. A row that cannot be translated or summarised gets its error; the chunk goes on.
    ``select``: translate only the sentences it picks of each row (:func:`translate_selected`).
    """
    readable = [row for row in rows if not row.error]
    texts = [row.text for row in readable]
    if select is not None:
        outcomes = translate_selected(translator, texts, select, progress=progress)
    else:
        outcomes = translator.translate_batch(
            texts,
            on_error="return",
            progress=progress,
            suggestions=False,  # the output has no place for the memory's near matches
        )
    by_id: dict[int, TranslationResult | TarjamaError | str] = {
        row.row_id: outcome for row, outcome in zip(readable, outcomes, strict=True)
    }
    records = []
    for row in rows:
        outcome = by_id.get(row.row_id, row.error)
        summary, summary_error = None, ""
        if summarizer is not None and isinstance(outcome, TranslationResult):
            try:
                summary = summarizer(outcome)
            except TarjamaError as exc:
                summary_error = f"The summary failed: {exc}"
        records.append(result_record(row.row_id, outcome, summary, summary_error))
    return records


def translate_selected(
    translator: Translator,
    texts: Sequence[str],
    select: SentenceSelector,
    *,
    progress: Callable[[int], None] | None = None,
) -> list[TranslationResult | TarjamaError]:
    """Translate only the sentences ``select`` picks of each text (a summary-only job), through
    the Translator's stages, batched across the texts; an InputError takes its text's place.

    Each result holds the chosen sentences' segments (``Segment.sentence`` is the sentence's
    number in the whole text, ``start``/``end`` its place there) and ``meta["sentences"]``.
    """
    outcomes: list[TranslationResult | TarjamaError] = []
    chosen: dict[int, tuple[int, list[Piece]]] = {}
    for doc, text in enumerate(texts):
        try:
            validate_text(text, translator.max_chars)
        except InputError as exc:
            outcomes.append(exc)
            continue
        pieces = translator.prepare(text, doc)
        keep = frozenset(select(text))
        chosen[doc] = (pieces[-1].sentence + 1, [p for p in pieces if p.sentence in keep])
        outcomes.append(TranslationResult("", []))  # its place; filled in below
    translator.run([p for _, pieces in chosen.values() for p in pieces], progress=progress)
    for doc, (total, pieces) in chosen.items():
        result = translator.assemble(texts[doc], pieces)
        numbers = sorted({p.sentence for p in pieces})
        result.meta["sentences"] = {"translated": numbers, "of": total}
        outcomes[doc] = result
    return outcomes


def run_local(job: Job, translator: Translator) -> BatchReport:
    """Translate the job's pending rows chunk by chunk; Ctrl-C stops at a checkpoint."""
    options = job.options
    settings = job_settings(translator, job.batch_input, options.summary())
    fingerprint = job_fingerprint(settings)
    checkpoint = Checkpoint(job.output)
    if options.resume and not checkpoint.exists():
        finished = finished_report(job, fingerprint)
        if finished is not None:
            return finished
    done = checkpoint.open(fingerprint, settings, resume=options.resume, rows_total=job.total)
    resumed = len(done)
    pending = [row for row in job.batch_input.rows if row.row_id not in done]

    started = time.monotonic()
    sentences = 0
    translated = 0
    bar = progress_bar(job.total, resumed, options.show_progress)
    last_postfix = 0.0

    def on_segments(n: int) -> None:
        nonlocal sentences, last_postfix
        sentences += n
        now = time.monotonic()
        if bar is not None and now - last_postfix > 0.5:
            last_postfix = now
            rate = sentences / max(now - started, 1e-9)
            bar.set_postfix_str(f"{rate:.1f} sentences/s", refresh=False)

    notify = bar.write if bar is not None else (lambda msg: print(msg, file=sys.stderr))
    try:
        with StopOnInterrupt(notify) as stop:
            for chunk in chunks(pending, options.chunk_rows):
                records = translate_chunk(
                    translator, chunk, options.summarizer, on_segments, options.select
                )
                checkpoint.append(records)
                for record in records:
                    done[record["row_id"]] = record
                translated += len(records)
                if bar is not None:
                    bar.update(len(records))
                if stop.requested and translated < len(pending):
                    raise BatchInterrupted(len(done), job.total, checkpoint.directory)
    finally:
        if bar is not None:
            bar.close()
    report = finish_job(
        job,
        done,
        settings=settings,
        engine_meta=translator.meta,
        max_chars=translator.max_chars,
        resumed=resumed,
        translated=translated,
        sentences=sentences,
        seconds=time.monotonic() - started,
        extra={"engine": "local"},
    )
    checkpoint.remove()
    return report
