"""One batch job, from its opening steps to its closing ones, whichever engine runs the rows.

:func:`prepare_job` (check the paths, read the input, take the output's lock, clear stale
temporaries, fingerprint) and :func:`finish_job` (merge, write the output and its sidecar
atomically, verify-able, drop the checkpoint) are shared by the local and the Ray engine; the
engines only decide where the rows are translated.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import BatchUsageError
from ..types import TranslationResult
from .inputs import BatchInput, read_input
from .outputs import (
    MAX_LISTED,
    file_sha256,
    output_columns,
    output_format,
    output_rows,
    sidecar_path,
    timestamp,
    write_output,
    write_sidecar,
)
from .state import OutputLock, job_fingerprint, remove_stale_temporaries

DEFAULT_CHUNK_ROWS = 64
ENGINES = ("local", "ray")

Summarizer = Callable[[TranslationResult], str]
SentenceSelector = Callable[[str], Collection[int]]  # a text → the sentence numbers to translate


@dataclass(frozen=True)
class JobOptions:
    """How to run a batch job; the same object for both engines.

    ``summarizer`` turns each translation into a summary (it must pickle for Ray) and
    ``summary_settings`` describe it for the fingerprint. ``select`` (summary-only jobs, e.g.
    ``summarize.arabic.SummaryFirst("medium")``) picks the sentences of each row to translate,
    the others are not translated; ``select_settings`` describe it for the fingerprint.
    ``chunk_rows`` is the unit of checkpointing (local) or the shard (Ray); it never changes a
    row's translation.
    """

    column: str = "text"
    summarizer: Summarizer | None = None
    summary_settings: Mapping[str, Any] | None = None
    select: SentenceSelector | None = None
    select_settings: Mapping[str, Any] | None = None
    chunk_rows: int = DEFAULT_CHUNK_ROWS
    resume: bool = True
    overwrite: bool = False
    show_progress: bool = True
    engine: str = "local"
    address: str | None = None  # a Ray cluster (engine "ray")
    extra_meta: Mapping[str, Any] | None = None

    def summary(self) -> dict[str, Any] | None:
        """The summary settings that enter the fingerprint (None without a summarizer or a
        sentence selection)."""
        settings = dict(self.summary_settings or {}) if self.summarizer is not None else None
        if self.select is not None:
            settings = {**(settings or {}), "summary_only": dict(self.select_settings or {})}
        return settings


@dataclass
class BatchReport:
    """What a finished job did (also in the sidecar)."""

    output: Path
    sidecar: Path
    rows_total: int
    rows_ok: int
    rows_failed: int
    resumed_rows: int
    translated_this_run: int
    sentences_this_run: int
    seconds: float
    failures: list[tuple[int, str]]  # (row_id, error) of every failed row
    already_complete: bool = False
    notes: list[str] = field(default_factory=list)  # what the user should know (e.g. a redo)

    @property
    def sentences_per_second(self) -> float:
        return self.sentences_this_run / self.seconds if self.seconds > 0 else 0.0

    @property
    def rows_per_second(self) -> float:
        return self.translated_this_run / self.seconds if self.seconds > 0 else 0.0


@dataclass
class Job:
    """A prepared job: its input read, its output checked and locked."""

    batch_input: BatchInput
    output: Path
    out_kind: str
    options: JobOptions
    lock: OutputLock
    notes: list[str] = field(default_factory=list)

    @property
    def sidecar(self) -> Path:
        return sidecar_path(self.output)

    @property
    def total(self) -> int:
        return len(self.batch_input.rows)

    @property
    def summarize(self) -> bool:
        return self.options.summarizer is not None


def prepare_job(
    input_path: str | os.PathLike[str], output_path: str | os.PathLike[str], options: JobOptions
) -> Job:
    """Check the paths, read the input and lock the output; raises BatchUsageError before any
    model work. The caller must :meth:`OutputLock.release` (:func:`release_job`)."""
    if options.chunk_rows < 1:
        raise BatchUsageError("The chunk size (--chunk-rows) must be at least 1 row.")
    if options.engine not in ENGINES:
        names = ", ".join(ENGINES)
        raise BatchUsageError(f"Unknown engine {options.engine!r}: use one of {names}.")
    if options.address and options.engine != "ray":
        raise BatchUsageError("--address is for --engine ray.")
    output = Path(output_path)
    out_kind = output_format(output)
    batch_input = read_input(input_path, options.column, overwrite=options.overwrite)
    if batch_input.kind != "hf" and output.resolve() == batch_input.path.resolve():
        raise BatchUsageError("The output must not be the input file.")
    lock = OutputLock(output)
    lock.acquire()
    job = Job(batch_input, output, out_kind, options, lock)
    for stray in remove_stale_temporaries(output.parent, output):
        job.notes.append(f"Removed {stray.name}, left by an earlier run that was stopped.")
    return job


def release_job(job: Job) -> None:
    """Release the job's lock, finished or not (after an error or Ctrl-C the checkpoint stays)."""
    job.lock.release()


def finished_report(job: Job, fingerprint: str) -> BatchReport | None:
    """The report of an identical job that already finished, if its output verifies.

    The sidecar records the output's row count and SHA-256: an output changed since (cut,
    edited) is not trusted: a note says so and the job runs again.
    """
    import json

    output, sidecar = job.output, job.sidecar
    if not (output.is_file() and sidecar.is_file()):
        return None
    try:
        meta = json.loads(sidecar.read_text(encoding="utf-8"))
        counts = meta["counts"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if meta.get("fingerprint") != fingerprint or counts.get("rows_total") != job.total:
        return None
    expected = (meta.get("output") or {}).get("sha256")
    if expected != file_sha256(output):
        job.notes.append(
            f"{output} does not match its record in {sidecar.name} (it was changed or cut "
            f"after the job finished; {job.total} rows expected): translating it again."
        )
        return None
    return BatchReport(
        output=output,
        sidecar=sidecar,
        rows_total=job.total,
        rows_ok=int(counts.get("rows_ok", 0)),
        rows_failed=int(counts.get("rows_failed", 0)),
        resumed_rows=job.total,
        translated_this_run=0,
        sentences_this_run=0,
        seconds=0.0,
        failures=[(int(f[0]), str(f[1])) for f in meta.get("failed_rows", [])],
        already_complete=True,
        notes=list(job.notes),
    )


def finish_job(
    job: Job,
    done: Mapping[int, Mapping[str, Any]],
    *,
    settings: Mapping[str, Any],
    engine_meta: Mapping[str, Any],
    max_chars: int,
    resumed: int,
    translated: int,
    sentences: int,
    seconds: float,
    extra: Mapping[str, Any] | None = None,
) -> BatchReport:
    """Write the output and its sidecar (atomically), then release the job.

    ``engine_meta`` is the translator's ``meta`` (model, engine, settings) as the engine saw it.
    The caller removes its checkpoint afterwards: until the sidecar is written it is the record.
    """
    rows, warnings = output_rows(job.batch_input, done, job.summarize)
    columns = output_columns(job.batch_input, job.summarize)
    sha256 = write_output(rows, columns, job.output, job.batch_input.column_types)
    failures = [
        (row_id, str(done[row_id]["error"])) for row_id in sorted(done) if done[row_id]["error"]
    ]
    report = BatchReport(
        output=job.output,
        sidecar=job.sidecar,
        rows_total=job.total,
        rows_ok=job.total - len(failures),
        rows_failed=len(failures),
        resumed_rows=resumed,
        translated_this_run=translated,
        sentences_this_run=sentences,
        seconds=seconds,
        failures=failures,
        notes=list(job.notes),
    )
    if warnings:
        report.notes.append(
            f"{len(warnings)} value(s) of the input could not be written as UTF-8 and were "
            f"repaired (listed in {job.sidecar.name})."
        )
    meta = sidecar_meta(job, columns, engine_meta, max_chars, settings, report, sha256, extra)
    meta["warnings"] = warnings[:MAX_LISTED]
    write_sidecar(job.sidecar, meta)
    return report


def sidecar_meta(
    job: Job,
    columns: Sequence[str],
    engine_meta: Mapping[str, Any],
    max_chars: int,
    settings: Mapping[str, Any],
    report: BatchReport,
    sha256: str,
    extra: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The sidecar's content: what ran, on what, with which settings, and how it went."""
    from .. import __version__

    return {
        "tarjama_version": __version__,
        "finished": timestamp(),
        "fingerprint": job_fingerprint(settings),
        "input": job.batch_input.describe(),
        "output": {
            "path": str(report.output),
            "format": job.out_kind,
            "columns": list(columns),
            "flags": "';'-joined string" if job.out_kind == "csv" else "list of strings",
            "rows": report.rows_total,
            "sha256": sha256,
        },
        "model": {
            "name": engine_meta["model"],
            "source": engine_meta["source"],
            "revision": engine_meta["revision"],
            "backend": engine_meta["backend"],
            "device": engine_meta["device"],
            "quantization": engine_meta["quantization"],
        },
        "settings": {
            "generation": engine_meta["settings"],
            "window_tokens": engine_meta["window_tokens"],
            "batch_tokens": engine_meta["batch_tokens"],
            "max_chars": max_chars,
            "column": job.batch_input.column,
            "summary": settings.get("summary"),
            **({"memory": engine_meta["memory"]} if engine_meta.get("memory") else {}),
            **dict(job.options.extra_meta or {}),
            **dict(extra or {}),
        },
        "counts": {
            "rows_total": report.rows_total,
            "rows_ok": report.rows_ok,
            "rows_failed": report.rows_failed,
            "resumed_rows": report.resumed_rows,
            "translated_this_run": report.translated_this_run,
            "sentences_this_run": report.sentences_this_run,
        },
        "timing": {
            "seconds_this_run": round(report.seconds, 3),
            "rows_per_second": round(report.rows_per_second, 3),
            "sentences_per_second": round(report.sentences_per_second, 3),
        },
        "failed_rows": [[row_id, error] for row_id, error in report.failures[:MAX_LISTED]],
    }


def progress_bar(total: int, initial: int, show: bool) -> Any:
    """A tqdm bar on stderr counting documents (None when progress is off)."""
    if not show:
        return None
    from tqdm import tqdm

    return tqdm(
        total=total,
        initial=initial,
        unit="doc",
        desc="translating",
        file=sys.stderr,
        dynamic_ncols=True,
        smoothing=0.1,
    )


class StopOnInterrupt:
    """The first Ctrl-C asks the job to stop after the current chunk; a second one stops now."""

    def __init__(self, notify: Callable[[str], None]) -> None:
        self.requested = False
        self._notify = notify
        self._previous: Any = None
        self._installed = False

    def __enter__(self) -> StopOnInterrupt:
        if threading.current_thread() is threading.main_thread():
            self._previous = signal.signal(signal.SIGINT, self._handle)
            self._installed = True
        return self

    def __exit__(self, *exc: object) -> None:
        if self._installed:
            signal.signal(signal.SIGINT, self._previous)

    def _handle(self, signum: int, frame: object) -> None:
        if self.requested:
            raise KeyboardInterrupt
        self.requested = True
        self._notify("Stopping after the current chunk is checkpointed (Ctrl-C again: now).")
