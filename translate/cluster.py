"""The batch job of :mod:`translate.batch` on a Ray cluster, built on Ray Data.

Same input, output, columns, per-row errors, sidecar and resume guarantees as the local engine;
only where the model runs changes. The driver (the machine that runs ``tarjama batch``) reads the
input with :func:`~translate.batch.read_input` and writes the output; the cluster translates:

    read_input → shards of ``chunk_rows`` rows (:func:`~translate.batch.chunks`)
      → ray.data.from_items(one item per pending shard)
      → map_batches(_TranslateActor, ActorPoolStrategy(size=N), one model per actor,
                    num_gpus=1 per actor when the cluster has GPUs, else num_cpus=1)
      → each finished shard streams back to the driver → OUTPUT.tarjama-ray/shard-NNNNN.parquet
      → all shards merged in row order → write_output + sidecar (atomic) → shard folder removed

Each actor runs :func:`~translate.batch.translate_chunk` on whole shards, so a shard is batched
exactly like a chunk of the local engine and the translations are the same.

Resume: ``OUTPUT.tarjama-ray/state.json`` holds the job fingerprint (:func:`job_settings` as the
cluster's workers see them, asked of one worker before any shard starts) and the shard layout.
A shard file is written atomically as soon as its results reach the driver, so a killed job
leaves every finished shard on disk and the next run skips them. A different fingerprint is
refused (:class:`ResumeRefusedError`, pointing to ``--no-resume``).

The output is local to the driver, so no shared file system is needed; the workers need
tarjama (with its model registry and weights, or hub access) installed. ``TARJAMA_*``,
``HF_HUB_OFFLINE`` and ``TRANSFORMERS_OFFLINE`` are passed from the driver to the workers.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import pickle
import shutil
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from .batch import (
    DEFAULT_CHUNK_ROWS,
    FORMAT_VERSION,
    STATE_FILE,
    BatchInput,
    BatchInterrupted,
    BatchReport,
    BatchUsageError,
    InputRow,
    Summarizer,
    atomic_path,
    atomic_write_text,
    chunks,
    earlier_state,
    finished_report,
    job_fingerprint,
    job_settings,
    output_columns,
    output_format,
    output_rows,
    progress_bar,
    read_input,
    rows_to_table,
    sidecar_meta,
    sidecar_path,
    timestamp,
    translate_chunk,
    write_output,
    write_sidecar,
)
from .errors import TarjamaError

if TYPE_CHECKING:
    from .translator import Translator

SHARD_DIR_SUFFIX = ".tarjama-ray"
RECORD_COLUMNS = ("row_id", "translation", "summary", "flags", "error", "sentences")
LOCAL_OBJECT_STORE_BYTES = 256 * 1024**2  # the shards' Arabic text: small next to the models
FORWARDED_ENV_PREFIXES = ("TARJAMA_",)
FORWARDED_ENV = ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE")


class ClusterMismatchError(TarjamaError):
    """A worker resolved another model, engine or settings than the job's (mixed cluster)."""


# -- the shard folder ----------------------------------------------------------------------------
def shard_dir(output: Path) -> Path:
    return output.with_name(output.name + SHARD_DIR_SUFFIX)


class ShardStore:
    """Finished shards of one job, one Parquet file each, under the job's fingerprint.

    ``state.json`` holds the fingerprint, the settings behind it and the shard layout (first
    row and row count of each shard), so a resumed job cuts the input the same way whatever
    ``chunk_rows`` it is given. A shard file is complete or absent: it is written to a temporary
    file and renamed.
    """

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.state_file = directory / STATE_FILE

    def exists(self) -> bool:
        return self.state_file.is_file()

    def shard_file(self, index: int) -> Path:
        return self.directory / f"shard-{index:05d}.parquet"

    def open(
        self,
        fingerprint: str,
        settings: Mapping[str, Any],
        layout: list[tuple[int, int]],
        *,
        resume: bool,
    ) -> list[tuple[int, int]]:
        """Start or continue the job; returns the shard layout to use ``(first row, rows)``.

        Raises ResumeRefusedError when a state with another fingerprint exists and ``resume`` is
        on; with ``resume`` off any old shards are discarded.
        """
        state = earlier_state(
            self.directory, self.state_file, fingerprint, settings, resume=resume
        )
        if state is not None:
            for stray in self.directory.glob(".*.tmp"):  # a write cut short by a kill
                stray.unlink(missing_ok=True)
            return [(int(first), int(count)) for first, count in state["shards"]]
        self.directory.mkdir(parents=True, exist_ok=True)
        state = {
            "format_version": FORMAT_VERSION,
            "fingerprint": fingerprint,
            "settings": dict(settings),
            "shards": [list(shard) for shard in layout],
            "created": timestamp(),
        }
        atomic_write_text(self.state_file, json.dumps(state, indent=2, ensure_ascii=False))
        return layout

    def read(self, index: int, row_ids: Sequence[int]) -> list[dict[str, Any]] | None:
        """The records of a finished shard, or None if it is missing or not whole."""
        import pyarrow as pa
        import pyarrow.parquet as pq

        path = self.shard_file(index)
        if not path.is_file():
            return None
        try:
            records = pq.read_table(path).to_pylist()
        except (OSError, pa.ArrowException):
            return None
        if [r.get("row_id") for r in records] != list(row_ids):
            return None
        return records

    def write(self, index: int, records: Sequence[Mapping[str, Any]]) -> None:
        """Write one shard's records atomically (durable when this returns)."""
        import pyarrow.parquet as pq

        table = rows_to_table(records, RECORD_COLUMNS)
        with atomic_path(self.shard_file(index)) as tmp:
            pq.write_table(table, tmp)

    def remove(self) -> None:
        shutil.rmtree(self.directory, ignore_errors=True)


# -- work on the cluster -------------------------------------------------------------------------
@dataclass
class _EngineFacts:
    """What one worker's Translator reports: enough for the fingerprint and the sidecar."""

    settings: dict[str, Any]
    meta: dict[str, Any]
    max_chars: int


def _input_facts(batch_input: BatchInput) -> BatchInput:
    """The input without its rows: what :func:`job_settings` needs, cheap to send."""
    return replace(batch_input, rows=[], column_types={})


def _engine_facts(
    translator_kwargs: Mapping[str, Any],
    input_facts: BatchInput,
    summary: Mapping[str, Any] | None,
) -> _EngineFacts:
    """Build (and load) the Translator as a worker would; return its settings (remote probe)."""
    from .translator import Translator

    _one_torch_thread()
    translator = Translator(**translator_kwargs)
    settings = job_settings(translator, input_facts, summary)
    return _EngineFacts(settings, dict(translator.meta), translator.max_chars)


def _one_torch_thread() -> None:
    """One intra-op thread per actor: the actors are the parallelism (and CPUs are reserved)."""
    with contextlib.suppress(ImportError):  # the ctranslate2 backend runs without torch
        import torch

        torch.set_num_threads(1)


class _TranslateActor:
    """One model per actor; translates whole shards with the local engine's translate_chunk."""

    def __init__(
        self,
        translator_kwargs: Mapping[str, Any],
        input_facts: BatchInput,
        summary: Mapping[str, Any] | None,
        summarizer: Summarizer | None,
    ) -> None:
        from .translator import Translator

        _one_torch_thread()
        self.translator: Translator = Translator(**translator_kwargs)
        self.summarizer = summarizer
        # Loads the model now, and tells the driver if this worker differs from the probe.
        self.fingerprint = job_fingerprint(job_settings(self.translator, input_facts, summary))

    def __call__(self, batch: Mapping[str, Any]) -> dict[str, list[Any]]:
        out: dict[str, list[Any]] = {"shard": [], "records": [], "fingerprint": []}
        for shard, payload in zip(batch["shard"], batch["payload"], strict=True):
            rows = [InputRow(row_id, {}, text, error) for row_id, text, error in _loads(payload)]
            records = translate_chunk(self.translator, rows, self.summarizer)
            out["shard"].append(int(shard))
            out["records"].append(json.dumps(records, ensure_ascii=False))
            out["fingerprint"].append(self.fingerprint)
        return out


def _dumps(rows: Sequence[InputRow]) -> bytes:
    # Pickled, not Arrow: a text column may hold any value (a number in JSONL, bytes in
    # Parquet) and the translator must see it as read to give the local engine's error.
    return pickle.dumps([(row.row_id, row.text, row.error) for row in rows])


def _loads(payload: bytes) -> list[tuple[int, Any, str]]:
    return cast(list[tuple[int, Any, str]], pickle.loads(payload))  # noqa: S301 - our own bytes


@dataclass
class _Plan:
    """How the job uses the cluster: actors and the resources of each."""

    actors: int
    resources: dict[str, float]
    runtime_env: dict[str, Any]


def _plan(ray: Any, translator_kwargs: Mapping[str, Any], pending_shards: int) -> _Plan:
    """One actor per GPU when the cluster has GPUs (and the job may use them), else per CPU."""
    total = ray.cluster_resources()
    gpus = int(total.get("GPU", 0))
    use_gpus = gpus > 0 and str(translator_kwargs.get("device") or "auto") != "cpu"
    slots = gpus if use_gpus else max(1, int(total.get("CPU", 1)))
    resources = {"num_gpus": 1.0} if use_gpus else {"num_cpus": 1.0}
    return _Plan(max(1, min(slots, pending_shards)), resources, _runtime_env())


def _runtime_env() -> dict[str, Any]:
    """The driver's tarjama and offline settings, for every worker of the job."""
    env = {
        name: value
        for name, value in os.environ.items()
        if name.startswith(FORWARDED_ENV_PREFIXES) or name in FORWARDED_ENV
    }
    return {"env_vars": env} if env else {}


@contextlib.contextmanager
def _ray_session(address: str | None) -> Iterator[Any]:
    """Ray, connected: to ``address``, to the session already open, or to a local instance.

    A local instance is sized for this machine (all its CPUs, a small object store, no
    dashboard) and shut down at the end; so is a connection this function made.
    """
    import ray

    if ray.is_initialized():  # the caller's session (a notebook, tests): leave it open
        yield ray
        return
    options: dict[str, Any] = {"log_to_driver": False, "ignore_reinit_error": True}
    if address:
        _check_reachable(address)
        try:
            ray.init(address=address, logging_level=logging.WARNING, **options)
        except (ConnectionError, RuntimeError, ValueError) as exc:
            raise BatchUsageError(f"Cannot connect to the Ray cluster at {address}: {exc}") from exc
    else:
        ray.init(
            num_cpus=os.cpu_count() or 2,
            object_store_memory=LOCAL_OBJECT_STORE_BYTES,
            include_dashboard=False,
            logging_level=logging.ERROR,  # a throw-away instance: its start-up notes are noise
            **options,
        )
    try:
        yield ray
    finally:
        ray.shutdown()


def _check_reachable(address: str, timeout: float = 5.0) -> None:
    """Fail in seconds, not after Ray's minutes of connection retries, when the head node of
    ``host:port`` or ``ray://host:port`` does not answer. ``auto`` and others are Ray's."""
    import socket
    from urllib.parse import urlsplit

    target = address if "://" in address else f"tcp://{address}"
    try:
        parts = urlsplit(target)
        host, port = parts.hostname, parts.port
    except ValueError as exc:
        raise BatchUsageError(
            f"--address {address!r} is not host:port or ray://host:port."
        ) from exc
    if not host or port is None:
        return  # e.g. "auto": Ray finds the running cluster itself
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return
    except OSError as exc:
        raise BatchUsageError(
            f"Cannot reach the Ray cluster at {address} ({exc}). Is `ray start --head` running "
            "there, and is the port open? Without --address, tarjama starts a local Ray instance."
        ) from None


def _probe(ray: Any, plan: _Plan, *args: Any) -> _EngineFacts:
    """Run :func:`_engine_facts` on a worker shaped like an actor; its errors are ours."""
    # On a GPU the probe's worker exits afterwards, so its copy of the model frees the memory.
    once = {"max_calls": 1} if "num_gpus" in plan.resources else {}
    task = ray.remote(_engine_facts).options(
        **plan.resources, **once, runtime_env=plan.runtime_env or None, max_retries=0
    )
    try:
        return cast(_EngineFacts, ray.get(task.remote(*args)))
    except ray.exceptions.RayTaskError as exc:
        if isinstance(exc.cause, TarjamaError):
            raise exc.cause from None
        raise


def _check_summarizer(summarizer: Summarizer | None) -> None:
    if summarizer is None:
        return
    from ray import cloudpickle

    try:
        cloudpickle.dumps(summarizer)
    except Exception as exc:  # noqa: BLE001 - any pickling failure means the same thing
        raise BatchUsageError(
            f"The summarizer cannot be sent to the Ray workers ({type(exc).__name__}: {exc}); "
            "pass a function that pickles (no open files, locks or loaded models in it)."
        ) from exc


# -- the job -------------------------------------------------------------------------------------
def run_batch_ray(
    input_path: str | os.PathLike[str],
    output_path: str | os.PathLike[str],
    *,
    translator_kwargs: Mapping[str, Any] | None = None,
    address: str | None = None,
    column: str = "text",
    summarizer: Summarizer | None = None,
    summary_settings: Mapping[str, Any] | None = None,
    chunk_rows: int = DEFAULT_CHUNK_ROWS,
    resume: bool = True,
    overwrite: bool = False,
    show_progress: bool = True,
    extra_meta: Mapping[str, Any] | None = None,
) -> BatchReport:
    """:func:`~translate.batch.run_batch` on Ray: the same output, one model per actor.

    ``translator_kwargs`` build the :class:`~translate.Translator` in each actor. ``address``
    is a Ray cluster (``auto``, ``ray://host:10001``, ``host:6379``); without it a local Ray
    instance is started for the job (or the already open session is used). ``chunk_rows`` is
    the shard size: the unit of work and of resumption. ``summarizer`` is sent to the actors
    (it must pickle); ``summary_settings`` describe it. Usage errors are raised before any
    model work; Ctrl-C raises BatchInterrupted with the finished shards kept.
    """
    if chunk_rows < 1:
        raise BatchUsageError("The shard size (--chunk-rows) must be at least 1 row.")
    output = Path(output_path)
    out_kind = output_format(output)
    batch_input = read_input(input_path, column, overwrite=overwrite)
    if output.resolve() == batch_input.path.resolve():
        raise BatchUsageError("The output must not be the input file.")
    _check_summarizer(summarizer)
    kwargs = dict(translator_kwargs or {})
    summary = dict(summary_settings or {}) if summarizer is not None else None
    total = len(batch_input.rows)
    sidecar = sidecar_path(output)
    store = ShardStore(shard_dir(output))
    layout = [(shard[0].row_id, len(shard)) for shard in chunks(batch_input.rows, chunk_rows)]

    with _ray_session(address) as ray:
        facts_input = _input_facts(batch_input)
        plan = _plan(ray, kwargs, len(layout))
        facts = _probe(ray, plan, kwargs, facts_input, summary)
        fingerprint = job_fingerprint(facts.settings)
        if resume and not store.exists():
            finished = finished_report(output, sidecar, fingerprint, total)
            if finished is not None:
                return finished
        layout = store.open(fingerprint, facts.settings, layout, resume=resume)
        if sum(count for _, count in layout) != total:  # the fingerprint covers the input
            raise RuntimeError(f"The shard layout in {store.directory} does not cover the input.")
        done: dict[int, dict[str, Any]] = {}
        pending: list[int] = []
        for index, (first, count) in enumerate(layout):
            records = store.read(index, range(first, first + count))
            if records is None:
                pending.append(index)
            else:
                done.update((r["row_id"], r) for r in records)
        resumed = len(done)
        plan = replace(plan, actors=max(1, min(plan.actors, len(pending))))

        started = time.monotonic()
        sentences = 0
        bar = progress_bar(total, resumed, show_progress)
        try:
            results = _translate_shards(
                ray, plan, batch_input, layout, pending, kwargs, facts_input, summary, summarizer
            )
            with contextlib.closing(results):
                for shard, worker_fingerprint, records in results:
                    if worker_fingerprint != fingerprint:
                        raise ClusterMismatchError(_mismatch_message(shard))
                    store.write(shard, records)
                    done.update((r["row_id"], r) for r in records)
                    sentences += sum(int(r["sentences"]) for r in records)
                    if bar is not None:
                        bar.update(len(records))
        except KeyboardInterrupt:
            raise BatchInterrupted(len(done), total, store.directory) from None
        finally:
            if bar is not None:
                bar.close()
        seconds = time.monotonic() - started

    summarize = summarizer is not None
    rows = output_rows(batch_input, done, summarize)
    columns = output_columns(batch_input, summarize)
    write_output(rows, columns, output, batch_input.column_types)
    failures = [(row_id, done[row_id]["error"]) for row_id in sorted(done) if done[row_id]["error"]]
    report = BatchReport(
        output=output,
        sidecar=sidecar,
        rows_total=total,
        rows_ok=total - len(failures),
        rows_failed=len(failures),
        resumed_rows=resumed,
        translated_this_run=total - resumed,
        sentences_this_run=sentences,
        seconds=seconds,
        failures=failures,
    )
    extra = {
        "engine": "ray",
        "address": address or "local",
        "actors": plan.actors if pending else 0,
        "actor_resources": plan.resources,
        "shard_rows": max(count for _, count in layout),
        "shards": {
            "total": len(layout),
            "done_this_run": len(pending),
            "skipped": len(layout) - len(pending),
        },
        **dict(extra_meta or {}),
    }
    translator_view = cast("Translator", facts)  # sidecar_meta reads .meta and .max_chars
    meta = sidecar_meta(
        batch_input, out_kind, columns, translator_view, facts.settings, fingerprint, report, extra
    )
    write_sidecar(sidecar, meta)
    store.remove()
    return report


def _translate_shards(
    ray: Any,
    plan: _Plan,
    batch_input: BatchInput,
    layout: Sequence[tuple[int, int]],
    pending: Sequence[int],
    translator_kwargs: Mapping[str, Any],
    input_facts: BatchInput,
    summary: Mapping[str, Any] | None,
    summarizer: Summarizer | None,
) -> Iterator[tuple[int, str, list[dict[str, Any]]]]:
    """Yield ``(shard, worker fingerprint, records)`` as actors finish shards (in any order)."""
    if not pending:
        return
    import ray.data

    items = []
    for index in pending:
        first, count = layout[index]
        items.append({"shard": index, "payload": _dumps(batch_input.rows[first : first + count])})
    actor_kwargs = {
        "translator_kwargs": dict(translator_kwargs),
        "input_facts": input_facts,
        "summary": summary,
        "summarizer": summarizer,
    }
    with _quiet_ray_data():
        for row in _shard_dataset(ray.data, plan, items, actor_kwargs).iter_rows():
            yield int(row["shard"]), str(row["fingerprint"]), json.loads(row["records"])


def _shard_dataset(
    data: Any, plan: _Plan, items: list[dict[str, Any]], actor_kwargs: dict[str, Any]
) -> Any:
    """One item per shard → the actor pool → one result row per shard."""
    return data.from_items(items, override_num_blocks=len(items)).map_batches(
        _TranslateActor,
        batch_size=1,  # one shard per call: batched inside like a local chunk
        compute=data.ActorPoolStrategy(size=plan.actors),
        fn_constructor_kwargs=actor_kwargs,
        runtime_env=plan.runtime_env or None,
        **plan.resources,
    )


@contextlib.contextmanager
def _quiet_ray_data() -> Iterator[None]:
    """No Ray Data progress bars or plan logs: the job has its own progress bar."""
    import ray.data

    context = ray.data.DataContext.get_current()
    bars = context.enable_progress_bars
    context.enable_progress_bars = False
    loggers = {"ray.data": logging.WARNING, "ray.data._internal.progress": logging.ERROR}
    levels = {name: logging.getLogger(name).level for name in loggers}
    for name, level in loggers.items():
        logging.getLogger(name).setLevel(level)
    try:
        yield
    finally:
        context.enable_progress_bars = bars
        for name, level in levels.items():
            logging.getLogger(name).setLevel(level)


def _mismatch_message(shard: int) -> str:
    return (
        f"The worker that translated shard {shard} resolved a different model, engine or "
        "settings than the job's first worker (a mixed cluster: other packages, devices or "
        "model files on some nodes). Pass --backend and --device explicitly, or make the "
        "nodes alike."
    )
