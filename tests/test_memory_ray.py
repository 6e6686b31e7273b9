"""A batch job with a translation memory on Ray: the actors open the same file (read-only)."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

import pytest

from translate import batch as B
from translate.batch import JobOptions
from translate.config import TranslatorConfig
from translate.memory import TranslationMemory

ray = pytest.importorskip("ray", reason="the cluster extra (ray[data]) is not installed")
pytest.importorskip("ray.data", reason="the cluster extra (ray[data]) is not installed")

from translate.batch import ray_session as S  # noqa: E402

pytestmark = pytest.mark.slow

S1 = "قال الوزير إن المحادثات ستستأنف الأسبوع المقبل."
EDITED = "The minister said the talks would resume next week."


@pytest.fixture(scope="module")
def ray_session() -> Any:
    if not ray.is_initialized():
        ray.init(
            num_cpus=2,
            object_store_memory=S.LOCAL_OBJECT_STORE_BYTES,
            include_dashboard=False,
            log_to_driver=False,
            logging_level=logging.ERROR,
        )
    yield ray
    ray.shutdown()


def test_ray_job_uses_the_memory_like_the_local_engine(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fast_registry: Path, ray_session: Any
) -> None:
    monkeypatch.setenv("TARJAMA_MODELS", str(fast_registry))
    with TranslationMemory(tmp_path / "tm.sqlite3") as memory:
        memory.add(S1, EDITED, origin="edit")
        fingerprint = memory.fingerprint()
    lines = [S1 if i % 3 == 0 else f"وأضاف أن الوفد سيصل غدا رقم {i}." for i in range(24)]
    source = tmp_path / "in.txt"
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    config = TranslatorConfig(model="tiny", cache_size=0, memory=str(tmp_path / "tm.sqlite3"))
    outputs = {}
    for engine in ("local", "ray"):
        out = tmp_path / f"{engine}.jsonl"
        options = JobOptions(show_progress=False, engine=engine, chunk_rows=6)
        report = B.run_batch(source, out, config, options)
        assert report.sentences_this_run == 24
        outputs[engine] = [json.loads(line) for line in out.read_text().splitlines()]
        meta = json.loads(B.sidecar_path(out).read_text(encoding="utf-8"))
        assert meta["settings"]["memory"]["fingerprint"] == fingerprint
    assert outputs["ray"] == outputs["local"]
    hits = [row["translation"] for row in outputs["ray"] if "memory" in row["flags"]]
    assert hits == [EDITED] * 8


def test_ray_job_applies_a_glossary_file_like_the_local_engine(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fast_registry: Path, ray_session: Any
) -> None:
    """A glossary file travels in the TranslatorConfig: Ray's workers load the same terms."""
    monkeypatch.setenv("TARJAMA_MODELS", str(fast_registry))
    glossary = tmp_path / "terms.csv"
    glossary.write_text("arabic,english\nالوزير,the Minister\n", encoding="utf-8")
    lines = [f"قال الوزير إن الوفد سيصل غدا رقم {i}." for i in range(12)]
    source = tmp_path / "in.txt"
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    config = TranslatorConfig(model="tiny", cache_size=0, glossary=str(glossary))
    outputs = {}
    for engine in ("local", "ray"):
        out = tmp_path / f"g-{engine}.jsonl"
        options = JobOptions(show_progress=False, engine=engine, chunk_rows=6)
        B.run_batch(source, out, config, options)
        outputs[engine] = [json.loads(line) for line in out.read_text().splitlines()]
    assert outputs["ray"] == outputs["local"]
    assert all("the Minister" in row["translation"] for row in outputs["ray"])
