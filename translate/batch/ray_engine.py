"""The batch job on a Ray cluster, built on Ray Data: same input, output, errors and resume.

Only where the model runs changes. The driver (the machine that runs ``tarjama batch``) reads
the input and writes the output (:func:`~translate.batch.job.prepare_job` and
:func:`~translate.batch.job.finish_job`, as for the local engine); the cluster translates:

    shards of ``chunk_rows`` rows → ray.data.from_items(one item per pending shard)
      → map_batches(_TranslateActor, ActorPoolStrategy(size=N), one model per actor,
                    num_gpus=1 per actor when the cluster has GPUs, else num_cpus=1)
      → each finished shard streams back to the driver → OUTPUT.tarjama-ray/shard-NNNNN.parquet
      → all shards merged in row order → output + sidecar (atomic) → shard folder removed

Each actor runs :func:`~translate.batch.local.translate_chunk` on whole shards; since a
sentence's translation depends only on the sentence, the model and the settings, the rows come
out as the local engine makes them.

Resume: ``OUTPUT.tarjama-ray/state.json`` holds the job fingerprint (asked of one worker before
any shard starts) and the shard layout; a shard file is written atomically as soon as it
reaches the driver, so a killed job leaves every finished shard and the next run skips them.

Without ``--address`` a local Ray instance is started for the job, bound to the loopback
interface only and without its dashboard. ``TARJAMA_*``, ``HF_HUB_OFFLINE`` and
``TRANSFORMERS_OFFLINE`` are passed from the driver to the workers (see ``ray_session.py``).
"""

from __future__ import annotations

import contextlib
import json
import logging
import pickle
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, cast

from ..config import TranslatorConfig
from ..errors import BatchInterrupted, BatchUsageError, ClusterMismatchError, TarjamaError
from .inputs import BatchInput, InputRow
from .job import (
    BatchReport,
    Job,
    SentenceSelector,
    Summarizer,
    finish_job,
    finished_report,
    progress_bar,
)
from .local import chunks, translate_chunk
from .ray_session import ray_session, runtime_env
from .state import ShardStore, job_fingerprint, job_settings

if TYPE_CHECKING:
    from ..translator import Translator


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
    config: TranslatorConfig,
    input_facts: BatchInput,
    summary: Mapping[str, Any] | None,
) -> _EngineFacts:
    """Build (and load) the Translator as a worker would; return its settings (remote probe)."""
    from ..translator import Translator

    _one_torch_thread()
    translator = Translator.from_config(config)
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
        config: TranslatorConfig,
        input_facts: BatchInput,
        summary: Mapping[str, Any] | None,
        summarizer: Summarizer | None,
        select: SentenceSelector | None = None,
    ) -> None:
        from ..translator import Translator

        _one_torch_thread()
        self.translator: Translator = Translator.from_config(config)
        self.summarizer = summarizer
        self.select = select
        # Loads the model now, and tells the driver if this worker differs from the probe.
        self.fingerprint = job_fingerprint(job_settings(self.translator, input_facts, summary))

    def __call__(self, batch: Mapping[str, Any]) -> dict[str, list[Any]]:
        out: dict[str, list[Any]] = {"shard": [], "records": [], "fingerprint": []}
        for shard, payload in zip(batch["shard"], batch["payload"], strict=True):
            rows = [InputRow(row_id, {}, text, error) for row_id, text, error in _loads(payload)]
            records = translate_chunk(self.translator, rows, self.summarizer, None, self.select)
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


def _plan(ray: Any, config: TranslatorConfig, pending_shards: int) -> _Plan:
    """One actor per GPU when the cluster has GPUs (and the job may use them), else per CPU."""
    total = ray.cluster_resources()
    gpus = int(total.get("GPU", 0))
    use_gpus = gpus > 0 and config.device != "cpu"
    slots = gpus if use_gpus else max(1, int(total.get("CPU", 1)))
    resources = {"num_gpus": 1.0} if use_gpus else {"num_cpus": 1.0}
    return _Plan(max(1, min(slots, pending_shards)), resources, runtime_env())


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
def run_ray(job: Job, config: TranslatorConfig) -> BatchReport:
    """Translate the job's rows on Ray, one model per actor; the same rows as the local engine.

    ``config`` builds the Translator in each actor (nothing is loaded on the driver).
    ``job.options.chunk_rows`` is the shard size, the unit of work and of resumption; the
    summarizer is sent to the actors (it must pickle). Ctrl-C raises BatchInterrupted with the
    finished shards kept.
    """
    options = job.options
    _check_summarizer(options.summarizer)
    summary = options.summary()
    store = ShardStore(job.output)
    rows = job.batch_input.rows
    layout = [(shard[0].row_id, len(shard)) for shard in chunks(rows, options.chunk_rows)]

    with ray_session(options.address) as ray:
        facts_input = _input_facts(job.batch_input)
        plan = _plan(ray, config, len(layout))
        facts = _probe(ray, plan, config, facts_input, summary)
        fingerprint = job_fingerprint(facts.settings)
        if options.resume and not store.exists():
            finished = finished_report(job, fingerprint)
            if finished is not None:
                return finished
        layout = store.open(fingerprint, facts.settings, layout, resume=options.resume)
        if sum(count for _, count in layout) != job.total:  # the fingerprint covers the input
            raise BatchUsageError(
                f"The shard layout in {store.directory} does not cover the input; run with "
                "--no-resume to start over."
            )
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
        bar = progress_bar(job.total, resumed, options.show_progress)
        try:
            results = _translate_shards(
                ray,
                plan,
                job.batch_input,
                layout,
                pending,
                config,
                facts_input,
                summary,
                options.summarizer,
                options.select,
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
            raise BatchInterrupted(len(done), job.total, store.directory) from None
        finally:
            if bar is not None:
                bar.close()
        seconds = time.monotonic() - started

    extra = {
        "engine": "ray",
        "address": options.address or "local",
        "actors": plan.actors if pending else 0,
        "actor_resources": plan.resources,
        "shard_rows": max(count for _, count in layout),
        "shards": {
            "total": len(layout),
            "done_this_run": len(pending),
            "skipped": len(layout) - len(pending),
        },
    }
    report = finish_job(
        job,
        done,
        settings=facts.settings,
        engine_meta=facts.meta,
        max_chars=facts.max_chars,
        resumed=resumed,
        translated=job.total - resumed,
        sentences=sentences,
        seconds=seconds,
        extra=extra,
    )
    store.remove()
    return report


def _translate_shards(
    ray: Any,
    plan: _Plan,
    batch_input: BatchInput,
    layout: Sequence[tuple[int, int]],
    pending: Sequence[int],
    config: TranslatorConfig,
    input_facts: BatchInput,
    summary: Mapping[str, Any] | None,
    summarizer: Summarizer | None,
    select: SentenceSelector | None = None,
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
        "config": config,
        "input_facts": input_facts,
        "summary": summary,
        "summarizer": summarizer,
        "select": select,
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
