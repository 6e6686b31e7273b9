"""Offline batch jobs: a file or folder of Arabic documents in, a table of translations out.

Nothing is lost: every input row comes out exactly once, in input order, with either a
translation or an ``error`` saying why not. A job is resumable (finished rows are checkpointed
under a fingerprint of the input, the model and the settings), locked (one job per output),
and verifiable (the sidecar ``OUTPUT.meta.json`` records the output's row count and SHA-256).

    from translate.batch import JobOptions, run_batch
    report = run_batch("archive.jsonl", "out.parquet", translator, JobOptions(chunk_rows=32))

The modules: ``inputs`` (formats, readers), ``outputs`` (records, writers, sidecar, atomic
files), ``state`` (fingerprint, checkpoint, shard store, lock), ``job`` (the opening and
closing steps both engines share), ``local`` and ``ray_engine`` (where rows are translated).

Output columns: ``row_id`` (0-based input position), the input's columns unchanged (a folder
input has ``file`` and the text column), ``translation``, ``summary`` (with a summarizer),
``flags`` and ``error``. The added columns are strings, never null: ``translation``/``summary``
are ``""`` for a failed row and ``error`` is ``""`` for a good one. ``flags`` is a list of strings
in JSONL and Parquet, and one ``;``-joined string in CSV (which has no lists).
"""

from __future__ import annotations

import os
from dataclasses import replace
from typing import TYPE_CHECKING

from ..config import TranslatorConfig
from ..errors import (
    BatchInterrupted,
    BatchUsageError,
    ClusterMismatchError,
    CorruptStateError,
    OutputLockedError,
    OutputWriteError,
    ResumeRefusedError,
)
from .job import DEFAULT_CHUNK_ROWS, ENGINES, BatchReport, JobOptions, prepare_job, release_job
from .outputs import sidecar_path

if TYPE_CHECKING:
    from ..translator import Translator

__all__ = [
    "DEFAULT_CHUNK_ROWS",
    "ENGINES",
    "BatchInterrupted",
    "BatchReport",
    "BatchUsageError",
    "ClusterMismatchError",
    "CorruptStateError",
    "JobOptions",
    "OutputLockedError",
    "OutputWriteError",
    "ResumeRefusedError",
    "run_batch",
    "sidecar_path",
]


def run_batch(
    input_path: str | os.PathLike[str],
    output_path: str | os.PathLike[str],
    translator: Translator | TranslatorConfig,
    options: JobOptions | None = None,
) -> BatchReport:
    """Translate every row of ``input_path`` into ``output_path``; resumable, never loses a row.

    ``translator`` is a Translator or the TranslatorConfig to make one (the Ray engine sends the
    config to its actors and loads nothing here). ``options.engine`` picks ``local`` or ``ray``.
    Usage errors (BatchUsageError and its kinds) are raised before any model work; Ctrl-C raises
    BatchInterrupted once the finished work is checkpointed.
    """
    from ..translator import Translator

    options = options or JobOptions()
    # Rows keep only the confidence: weak words, which CTranslate2's beam search pays for with
    # a scoring pass, are not computed (translations are the same either way).
    # Settings first: an unknown model or a bad setting is reported before the input is read.
    if isinstance(translator, TranslatorConfig):
        config = replace(translator, weak_words=False)
        local = Translator.from_config(config) if options.engine == "local" else None
    else:
        local = translator.with_weak_words(False)
        config = local.config
    if local is None:
        from ..registry import resolve_model

        resolve_model(config.model, "translation")
    job = prepare_job(input_path, output_path, options)
    try:
        if local is None:
            from .ray_engine import run_ray

            return run_ray(job, config)
        from .local import run_local

        return run_local(job, local)
    finally:
        release_job(job)
