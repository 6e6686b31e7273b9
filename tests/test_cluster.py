"""`tarjama batch --engine ray` and translate/cluster.py on a local Ray instance and a tiny model.

The Ray engine must give the local engine's output row for row (translations, flags, errors,
every column), resume an interrupted job by skipping its finished shards, and say how to
install Ray when it is missing. One Ray instance (2 CPUs) serves the file, except for the first
test, which lets ``run_batch_ray`` start and stop its own.
"""

from __future__ import annotations

import json
import logging
import sys
import threading
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from translate import batch as B
from ui.cli import main

ray = pytest.importorskip("ray", reason="the cluster extra (ray[data]) is not installed")
pytest.importorskip("ray.data", reason="the cluster extra (ray[data]) is not installed")

from translate.batch import JobOptions, outputs  # noqa: E402
from translate.batch import ray_engine as C  # noqa: E402
from translate.batch import ray_session as S  # noqa: E402
from translate.batch import state as batch_state  # noqa: E402
from translate.config import TranslatorConfig  # noqa: E402

pytestmark = pytest.mark.slow

ROWS = 300
CONFIG = TranslatorConfig(model="tiny", cache_size=0)  # the registry's tiny entry: greedy


@pytest.fixture(autouse=True)
def _registry(monkeypatch: pytest.MonkeyPatch, fast_registry: Path) -> None:
    # Set in the driver; run_batch_ray passes TARJAMA_* on to the workers.
    monkeypatch.setenv("TARJAMA_MODELS", str(fast_registry))


@pytest.fixture(scope="module")
def ray_session() -> Any:
    """One local Ray instance for the tests that ask for it (start-up takes seconds)."""
    if not ray.is_initialized():
        ray.init(
            num_cpus=2,
            object_store_memory=S.LOCAL_OBJECT_STORE_BYTES,
            include_dashboard=False,
            log_to_driver=False,
            logging_level=logging.ERROR,
            # Keep an idle worker that probed the model for the next job's probe (seconds each).
            _system_config={"num_workers_soft_limit": 6},
        )
    yield ray
    ray.shutdown()


# -- inputs --------------------------------------------------------------------------------------
def documents(count: int = ROWS) -> list[str]:
    """Short Arabic news documents from the seeds, each sentence made unique by a number."""
    from tests.tiny_models import arabic_corpus
    from translate import split_sentences

    sentences = [s for line in arabic_corpus() for s in split_sentences(line)]

    def numbered(i: int) -> str:
        return sentences[i % len(sentences)].rstrip(".،؛ ") + f" رقم {i}."

    return [numbered(i) + (" " + numbered(i + 1000) if i % 7 == 0 else "") for i in range(count)]


def write_jsonl(path: Path) -> Path:
    lines = [
        json.dumps({"id": i, "text": doc, "tags": ["x"] * (i % 3)}, ensure_ascii=False).encode()
        for i, doc in enumerate(documents())
    ]
    lines[3] = b"{not json}"
    lines[10] = b'{"id": 10, "text": "\xff\xfe"}'
    lines[77] = json.dumps({"id": 77, "text": 5}).encode()
    lines[150] = json.dumps({"id": 150, "text": ""}).encode()
    lines[151] = json.dumps({"id": 151, "text": "Only English here."}).encode()
    lines[299] = json.dumps({"id": 299, "body": "no text column"}).encode()
    path.write_bytes(b"\n".join(lines) + b"\n")
    return path


def write_parquet(path: Path) -> Path:
    texts: list[str | None] = list(documents())
    texts[0], texts[64], texts[200] = None, "   ", "No Arabic."
    table = pa.table(
        {
            "id": pa.array(range(ROWS), type=pa.int32()),
            "text": texts,
            "score": [i / 10 if i % 5 else None for i in range(ROWS)],
        }
    )
    pq.write_table(table, path)
    return path


def read_rows(path: Path) -> list[dict[str, Any]]:
    if path.suffix == ".jsonl":
        return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    return pq.read_table(path).to_pylist()


def sidecar(path: Path) -> dict[str, Any]:
    return json.loads(B.sidecar_path(path).read_text(encoding="utf-8"))


def local_rows(source: Path, out: Path, **options: Any) -> list[dict[str, Any]]:
    """What the local engine writes for ``source``, with the same model and settings."""
    B.run_batch(source, out, CONFIG, JobOptions(show_progress=False, **options))
    return read_rows(out)


def ray_batch(source: Path, out: Path, **options: Any) -> B.BatchReport:
    options = JobOptions(show_progress=False, engine="ray", **options)
    return B.run_batch(source, out, CONFIG, options)


def test_a_local_instance_listens_on_loopback_only() -> None:
    """The instance a job starts without --address serves no network: every listening socket
    of its processes (GCS, raylet, workers, agents) is on 127.0.0.1, and no dashboard runs."""
    psutil = pytest.importorskip("psutil")
    if ray.is_initialized():
        pytest.skip("a Ray session is already open (run this test first or alone)")

    @ray.remote
    def ping() -> int:
        return 1

    with S.ray_session(None) as session:
        assert session.get(ping.remote()) == 1
        pids = {p.pid for p in psutil.Process().children(recursive=True)}
        listening = [
            (c.laddr.ip, c.laddr.port)
            for c in psutil.net_connections(kind="inet")
            if c.status == psutil.CONN_LISTEN and c.pid in pids
        ]
    assert listening, "expected Ray's servers among this process's children"
    loopback = ("127.0.0.1", "::1", "::ffff:127.0.0.1")
    assert [addr for addr in listening if addr[0] not in loopback] == []
    assert not ray.is_initialized()


# -- the same output as the local engine ---------------------------------------------------------
def test_parquet_equals_local_with_its_own_ray_instance(tmp_path: Path) -> None:
    """Without a session or --address, run_batch_ray starts a local instance and stops it."""
    if ray.is_initialized():
        pytest.skip("a Ray session is already open (run this test first or alone)")
    source = write_parquet(tmp_path / "in.parquet")
    expected = local_rows(source, tmp_path / "local.parquet")
    out = tmp_path / "ray.parquet"
    report = ray_batch(source, out)
    assert not ray.is_initialized()  # the instance it started is shut down
    assert read_rows(out) == expected
    table = pq.read_table(out)
    assert table.schema.field("id").type == pa.int32()  # the input's types are kept
    assert table.schema.field("flags").type == pa.list_(pa.string())
    assert (report.rows_total, report.rows_failed, report.translated_this_run) == (ROWS, 3, ROWS)
    assert [row_id for row_id, _ in report.failures] == [0, 64, 200]
    assert expected[0]["error"] == "The row has no value in the column 'text'."
    meta = sidecar(out)
    local = sidecar(tmp_path / "local.parquet")
    assert meta["fingerprint"] == local["fingerprint"]  # same job, either engine
    assert meta["counts"] == local["counts"]
    settings = meta["settings"]
    assert settings["engine"] == "ray" and settings["address"] == "local"
    assert settings["actors"] == 2 and settings["actor_resources"] == {"num_cpus": 1.0}
    assert settings["shards"] == {"total": 5, "done_this_run": 5, "skipped": 0}
    assert meta["model"] == local["model"]
    assert not batch_state.ShardStore(out).directory.exists()


def test_cli_jsonl_with_summaries_equals_local(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], ray_session: Any
) -> None:
    source = write_jsonl(tmp_path / "in.jsonl")
    common = ["--model", "tiny", "--quiet", "--summarize", "--summary-method", "extractive"]
    codes = {}
    for engine in ("local", "ray"):
        out = tmp_path / f"{engine}.jsonl"
        codes[engine] = main(["batch", str(source), str(out), "--engine", engine, *common])
    err = capsys.readouterr().err
    assert codes == {"local": 1, "ray": 1}, err  # some rows failed, on both engines
    ray_rows, expected = read_rows(tmp_path / "ray.jsonl"), read_rows(tmp_path / "local.jsonl")
    assert list(ray_rows[0]) == [
        "row_id", "id", "text", "tags", "body", "translation", "summary", "flags", "confidence",
        "error",
    ]  # fmt: skip
    # A confidence is a float of the model's arithmetic: other batch neighbours (other shards)
    # move its last digits, never the text.
    confidences = [
        (r.pop("confidence"), e.pop("confidence")) for r, e in zip(ray_rows, expected, strict=True)
    ]
    assert all(a == pytest.approx(b, abs=1e-4) for a, b in confidences if a is not None)
    assert [a is None for a, _ in confidences] == [b is None for _, b in confidences]
    assert ray_rows == expected
    assert [r["row_id"] for r in ray_rows] == list(range(ROWS))
    errors = {r["row_id"]: r["error"] for r in ray_rows if r["error"]}
    assert sorted(errors) == [3, 10, 77, 150, 151, 299]
    assert errors[3].startswith("Line 4 is not valid JSON")
    assert errors[10].startswith("Line 11 is not valid UTF-8")
    assert errors[77] == "The input must be a string of Arabic text, not int."
    assert all(r["translation"] and r["summary"] for r in ray_rows if not r["error"])
    meta = sidecar(tmp_path / "ray.jsonl")
    assert meta["settings"]["engine"] == "ray"
    summary = {"method": "extractive", "length": "medium", "model": None}
    assert meta["settings"]["summary"] == summary


# -- resume --------------------------------------------------------------------------------------
def _record_writes(monkeypatch: pytest.MonkeyPatch, fail_after: int | None = None) -> list[int]:
    """Record the shards the driver writes; optionally die (like a crash) on one more."""
    real = batch_state.ShardStore.write
    written: list[int] = []

    def write(self: batch_state.ShardStore, index: int, records: Any) -> None:
        if fail_after is not None and len(written) >= fail_after:
            raise RuntimeError("simulated crash")
        real(self, index, records)
        written.append(index)

    monkeypatch.setattr(batch_state.ShardStore, "write", write)
    return written


def test_interrupted_job_resumes_with_the_remaining_shards(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, ray_session: Any
) -> None:
    source = write_jsonl(tmp_path / "in.jsonl")
    out = tmp_path / "out.parquet"
    shards = batch_state.ShardStore(out).directory
    with monkeypatch.context() as patch:
        first = _record_writes(patch, fail_after=2)
        with pytest.raises(RuntimeError, match="simulated crash"):
            ray_batch(source, out, chunk_rows=50)
    assert len(first) == 2 and not out.exists()
    assert sorted(p.name for p in shards.glob("shard-*")) == [
        f"shard-{i:05d}.parquet" for i in sorted(first)
    ]
    state = json.loads((shards / "state.json").read_text(encoding="utf-8"))
    assert state["shards"] == [[i * 50, 50] for i in range(6)]

    # Another setting that changes outputs: refused before any shard is translated.
    with pytest.raises(B.ResumeRefusedError, match=r"generation\.num_beams.*--no-resume"):
        B.run_batch(
            source,
            out,
            TranslatorConfig(model="tiny", cache_size=0, generation={"num_beams": 2}),
            JobOptions(show_progress=False, engine="ray"),
        )

    # The same job again (another shard size is ignored: the layout is the first run's).
    with monkeypatch.context() as patch:
        second = _record_writes(patch)
        report = ray_batch(source, out, chunk_rows=64)
    assert sorted(second) == sorted(set(range(6)) - set(first))  # only the remaining shards
    assert report.resumed_rows == 100 and report.translated_this_run == ROWS - 100
    meta = sidecar(out)
    assert meta["settings"]["shards"] == {"total": 6, "done_this_run": 4, "skipped": 2}
    assert meta["counts"]["resumed_rows"] == 100
    assert not shards.exists()
    rows = read_rows(out)
    assert [r["row_id"] for r in rows] == list(range(ROWS))  # every row once, in order
    assert rows == local_rows(source, tmp_path / "local.parquet", chunk_rows=50)

    # Finished: the same command has nothing to do.
    again = ray_batch(source, out)
    assert again.already_complete and again.translated_this_run == 0


def test_a_torn_or_foreign_shard_file_is_redone(tmp_path: Path) -> None:
    store = batch_state.ShardStore(tmp_path / "s.jsonl")
    layout = store.open("f1", {"a": 1}, [(0, 2), (2, 1)], resume=True)
    store.write(0, [outputs.result_record(0, "bad"), outputs.result_record(1, "bad too")])
    store.shard_file(1).write_bytes(b"PAR1 torn")
    assert store.read(0, range(0, 2)) == [
        outputs.result_record(0, "bad"),
        outputs.result_record(1, "bad too"),
    ]
    assert store.read(1, range(2, 3)) is None  # unreadable
    assert store.read(0, range(0, 3)) is None  # not the rows the layout expects
    again = batch_state.ShardStore(tmp_path / "s.jsonl")
    assert again.open("f1", {"a": 1}, [(0, 3)], resume=True) == layout
    with pytest.raises(B.ResumeRefusedError, match=r"changed: a\b"):
        store.open("f2", {"a": 2}, layout, resume=True)
    assert store.open("f2", {"a": 2}, [(0, 3)], resume=False) == [(0, 3)]
    assert not store.shard_file(0).exists()


# -- sizing and errors ---------------------------------------------------------------------------
class _FakeRay:
    def __init__(self, resources: dict[str, float]) -> None:
        self.resources = resources

    def cluster_resources(self) -> dict[str, float]:
        return self.resources


@pytest.mark.parametrize(
    ("resources", "device", "shards", "actors", "per_actor"),
    [
        ({"CPU": 2.0}, "auto", 10, 2, {"num_cpus": 1.0}),
        ({"CPU": 64.0}, "auto", 5, 5, {"num_cpus": 1.0}),  # never more actors than shards
        ({"CPU": 32.0, "GPU": 4.0}, "auto", 10, 4, {"num_gpus": 1.0}),  # one model per GPU
        ({"CPU": 32.0, "GPU": 4.0}, "cpu", 100, 32, {"num_cpus": 1.0}),
    ],
)
def test_one_actor_per_gpu_or_cpu(
    resources: dict[str, float], device: str, shards: int, actors: int, per_actor: dict[str, float]
) -> None:
    plan = C._plan(_FakeRay(resources), TranslatorConfig(device=device), shards)
    assert (plan.actors, plan.resources) == (actors, per_actor)
    assert plan.runtime_env["env_vars"]["TARJAMA_MODELS"]  # the driver's settings go along


def test_model_errors_come_back_as_tarjama_errors(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], ray_session: Any
) -> None:
    source = tmp_path / "in.txt"
    source.write_text(documents(1)[0] + "\n", encoding="utf-8")
    empty = tmp_path / "empty-model"  # a model directory without weights: fails on a worker
    empty.mkdir()
    code = main(["batch", str(source), str(tmp_path / "o.jsonl"), "--engine", "ray",
                 "--model", str(empty), "--backend", "transformers", "--quiet"])  # fmt: skip
    err = capsys.readouterr().err
    assert code == 1, err
    assert "tarjama: error:" in err and "could not be loaded" in err and "Traceback" not in err
    assert not batch_state.ShardStore(tmp_path / "o.jsonl").directory.exists()


def test_usage_errors_before_ray_starts(tmp_path: Path) -> None:
    source = tmp_path / "in.txt"
    source.write_text(documents(1)[0] + "\n", encoding="utf-8")
    with pytest.raises(B.BatchUsageError, match="must end in"):
        ray_batch(source, tmp_path / "o.txt")
    with pytest.raises(B.BatchUsageError, match="at least 1 row"):
        ray_batch(source, tmp_path / "o.jsonl", chunk_rows=0)
    lock = threading.Lock()  # does not pickle
    with pytest.raises(B.BatchUsageError, match="cannot be sent to the Ray workers"):
        ray_batch(source, tmp_path / "o.jsonl", summarizer=lambda result: str(lock))


def test_missing_ray_is_a_usage_error_with_the_install_hint(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    source = tmp_path / "in.txt"
    source.write_text(documents(1)[0] + "\n", encoding="utf-8")
    monkeypatch.setitem(sys.modules, "ray", None)  # `import ray` now raises ImportError
    code = main(["batch", str(source), str(tmp_path / "o.jsonl"), "--engine", "ray"])
    err = capsys.readouterr().err
    assert code == 2
    assert "--engine ray is not available" in err and "pip install 'tarjama[cluster]'" in err
    assert not (tmp_path / "o.jsonl").exists()
    code = main(["batch", str(source), str(tmp_path / "o.jsonl"), "--address", "ray://x:1"])
    assert code == 2 and "--address is for --engine ray" in capsys.readouterr().err


def test_unreachable_address_fails_fast(tmp_path: Path, tiny_marian: Path) -> None:
    """A head node that does not answer is a usage error in seconds, not Ray's long retries."""
    import socket
    import subprocess
    import sys
    import time

    with socket.socket() as sock:  # a port with nothing listening on it
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with pytest.raises(B.BatchUsageError, match="Cannot reach the Ray cluster"):
        S.check_reachable(f"ray://127.0.0.1:{port}")
    S.check_reachable("auto")  # left to Ray
    source = tmp_path / "in.txt"
    source.write_text(documents(1)[0] + "\n", encoding="utf-8")
    started = time.monotonic()
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "ui",
            "batch",
            str(source),
            str(tmp_path / "o.jsonl"),
            "--model",
            str(tiny_marian),
            "--engine",
            "ray",
            "--address",
            f"127.0.0.1:{port}",
            "-q",
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 2, run.stderr
    assert "Cannot reach the Ray cluster" in run.stderr and "Traceback" not in run.stderr
    assert time.monotonic() - started < 60
