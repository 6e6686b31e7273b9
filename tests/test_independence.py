"""A sentence's translation depends only on the sentence, the model and the settings.

Never on its neighbours in a batch, on how a job is chunked, on a kill and resume, on the
sentence cache's history, on streaming, or on the engine (local or Ray). The model is the
opus-mt-ar-en stand-in (real 32k Arabic SentencePiece) from the hub cache, with a registry
entry of quicker settings (greedy, beam 2 for the guard's retry, output cap 1.5 x the
sentence's tokens + 10), through transformers in float32, where batching changes nothing but
padding; its random weights run some outputs to their cap and end others early, the case where
a per-batch cap used to change a row's output. The batch tests drive the public
command line, so they hold whatever the batch package looks like inside.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from tests.tiny_models import REPO
from translate import Translator
from translate.batching import length_bucket, output_cap, plan_batches
from translate.sentences import split_sentences
from ui.cli import main

SEEDS = REPO / "seeds"
MODEL = "opus-mt-ar-en"


def _sentences() -> list[str]:
    out: list[str] = []
    for name in ("aleppo-security-council.ar.txt", "economy-numbers.ar.txt"):
        out += split_sentences((SEEDS / name).read_text(encoding="utf-8"))
    return out


def _translator(**kwargs: Any) -> Translator:
    return Translator(MODEL, backend="transformers", device="cpu", cache_size=0, **kwargs)


def _view(result: Any) -> list[tuple[str, tuple[str, ...]]]:
    return [(s.target, s.flags) for s in result.segments]


# -- the policy ------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("tokens", "bucket"),
    [(1, 8), (8, 8), (9, 16), (64, 64), (65, 80), (128, 128), (129, 160), (257, 320)],
)
def test_length_buckets(tokens: int, bucket: int) -> None:
    assert length_bucket(tokens) == bucket
    assert bucket < 1.25 * tokens + 8


def test_the_cap_is_a_function_of_the_sentence_alone() -> None:
    settings = {"max_length_ratio": 2.0, "max_new_tokens": 512}
    assert output_cap(12, settings, 512) == 2 * 16 + 10
    assert output_cap(300, settings, 512) == 512  # never above max_new_tokens
    assert output_cap(12, {"max_new_tokens": 30}, 512) == 30  # no ratio: max_new_tokens
    assert output_cap(12, {}, 200) == 200  # nothing set: the model's limit


def test_batches_stay_within_the_budget_and_keep_groups_apart() -> None:
    lengths = [3, 5, 9, 12, 16, 17, 33, 40, 64, 65, 70, 100, 150, 151, 9, 12, 16, 70]
    items = list(enumerate(lengths))
    batches = plan_batches(items, tokens=lambda i: i[1], group=lambda i: i[1] > 60,
                           batch_tokens=256, max_batch_size=4)  # fmt: skip
    assert sorted(i for batch in batches for i in batch) == sorted(items)
    for batch in batches:
        assert len({i[1] > 60 for i in batch}) == 1
        assert len(batch) <= 4
        assert len(batch) == 1 or len(batch) * max(i[1] for i in batch) <= 256
    widths = [max(i[1] for i in b) for b in plan_batches(items, tokens=lambda i: i[1])]
    assert widths == sorted(widths, reverse=True) and len(widths) == 1


# -- the Translator ------------------------------------------------------------------------------
QUICK_REGISTRY = """\
default_translation: opus-mt-ar-en
models:
  opus-mt-ar-en:
    hub_id: Helsinki-NLP/opus-mt-ar-en
    role: translation
    max_input_tokens: 512
    window_tokens: 160
    generation: {num_beams: 1, max_length_ratio: 1.5, max_new_tokens: 64}
    strict_generation: {num_beams: 2, repetition_penalty: 1.3, no_repeat_ngram_size: 3}
"""


@pytest.fixture()
def sentences(hub_models, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> list[str]:  # noqa: ANN001
    """The shorter seed sentences; TARJAMA_MODELS names the quick registry."""
    registry = tmp_path / "models.yaml"
    registry.write_text(QUICK_REGISTRY, encoding="utf-8")
    monkeypatch.setenv("TARJAMA_MODELS", str(registry))
    sentences = _sentences()
    counts = _translator().backend.count_tokens(sentences)
    return [s for s, n in zip(sentences, counts, strict=True) if n <= 48]


def test_outputs_reach_their_cap_and_end_early(sentences: list[str]) -> None:
    """The fixture model makes the case that matters: some outputs run to their cap."""
    tr = _translator()
    backend = tr.backend
    seen: list[tuple[int, int]] = []
    original = backend.generate

    def recording(texts, settings, caps=None):  # noqa: ANN001, ANN202
        outs = original(texts, settings, caps=caps)
        limits = caps or [settings["max_new_tokens"]] * len(texts)
        seen.extend((cap, o.tokens) for cap, o in zip(limits, outs, strict=True))
        return outs

    backend.generate = recording  # type: ignore[method-assign]
    try:
        tr.translate("\n".join(sentences[:12]))
    finally:
        backend.generate = original  # type: ignore[method-assign]
    assert any(tokens == cap - 1 for cap, tokens in seen)
    assert any(tokens < cap - 1 for cap, tokens in seen)


def test_a_sentence_alone_and_among_short_or_long_neighbours(sentences: list[str]) -> None:
    counts = _translator().backend.count_tokens(sentences)
    by_length = sorted(range(len(sentences)), key=counts.__getitem__)
    short = [sentences[i] for i in by_length[:4]]
    long = [sentences[i] for i in by_length[-3:]]
    probes = [sentences[i] for i in by_length[2 : len(by_length) - 1 : 4]]
    alone = {text: _view(_translator().translate(text)) for text in probes}
    for budget in (4096, 96):
        tr = _translator(batch_tokens=budget)
        for neighbours in (short, long):
            results = tr.translate_batch([*neighbours, *probes])
            for text, result in zip(probes, results[len(neighbours) :], strict=True):
                assert _view(result) == alone[text], (budget, text)


def test_cache_history_and_streaming_change_nothing(sentences: list[str]) -> None:
    text = "\n".join(sentences[:10])
    cold = _view(_translator().translate(text))
    warm = Translator(MODEL, backend="transformers", device="cpu")
    warm.translate("\n".join(sentences[5:14]))  # half of them now come from the cache
    assert _view(warm.translate(text)) == cold
    streamed = [(s.target, s.flags) for s in _translator().iter_segments(text)]
    assert streamed == cold


# -- batch jobs through the command line ---------------------------------------------------------
def _documents(sentences: list[str], count: int) -> list[str]:
    """``count`` documents of one or two sentences, of different lengths, so chunks mix caps."""
    docs = []
    for i in range(count):
        k = 1 + i % 2
        start = (i * 3) % max(1, len(sentences) - k)
        docs.append(" ".join(sentences[start : start + k]))
    return docs


def _write_jsonl(path: Path, docs: list[str]) -> None:
    path.write_text(
        "".join(json.dumps({"text": d}, ensure_ascii=False) + "\n" for d in docs), encoding="utf-8"
    )


def _read_jsonl(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def _expected(docs: list[str]) -> list[tuple[str, list[str]]]:
    tr = _translator()
    return [(r.text, list(r.flags)) for r in (tr.translate(d) for d in docs)]


def _rows(path: Path) -> list[tuple[str, list[str]]]:
    rows = sorted(_read_jsonl(path), key=lambda r: r["row_id"])
    assert [r["row_id"] for r in rows] == list(range(len(rows)))  # every row exactly once
    return [(r["translation"], list(r["flags"])) for r in rows]


BATCH = ["--model", MODEL, "--backend", "transformers", "--device", "cpu", "-q"]


def test_batch_job_rows_equal_rows_alone_across_chunks_and_budgets(
    sentences: list[str], tmp_path: Path
) -> None:
    docs = _documents(sentences, 14)
    source = tmp_path / "in.jsonl"
    _write_jsonl(source, docs)
    expected = _expected(docs)
    for chunk, budget in (("4", "4096"), ("3", "48")):
        out = tmp_path / f"out-{chunk}.jsonl"
        code = main(["batch", str(source), str(out), *BATCH, "--chunk-rows", chunk,
                     "--batch-tokens", budget])  # fmt: skip
        assert code == 0
        assert _rows(out) == expected


def test_batch_job_killed_and_resumed_gives_the_same_rows(
    sentences: list[str], tmp_path: Path
) -> None:
    docs = _documents(sentences, 20)
    source = tmp_path / "in.jsonl"
    _write_jsonl(source, docs)
    out = tmp_path / "out.jsonl"
    command = [sys.executable, "-m", "ui", "batch", str(source), str(out), *BATCH,
               "--chunk-rows", "2"]  # fmt: skip
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    checkpoint = out.with_name(out.name + ".tarjama-checkpoint")
    job = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 120
    # Kill it (SIGKILL: no clean-up at all) once some chunks are checkpointed.
    while time.monotonic() < deadline and job.poll() is None:
        done = [p for p in checkpoint.rglob("*") if p.is_file() and p.suffix == ".jsonl"]
        if done and sum(len(p.read_text(encoding="utf-8").splitlines()) for p in done) >= 2:
            break
        time.sleep(0.05)
    job.send_signal(signal.SIGKILL)
    _, err = job.communicate(timeout=60)
    assert job.returncode == -signal.SIGKILL, err.decode()[-2000:]
    assert not out.exists()
    resumed = subprocess.run(command, env=env, capture_output=True, text=True, timeout=600)
    assert resumed.returncode == 0, resumed.stderr[-2000:]
    assert _rows(out) == _expected(docs)


@pytest.mark.slow
def test_ray_engine_gives_the_rows_alone(sentences: list[str], tmp_path: Path) -> None:
    pytest.importorskip("ray.data", reason="the cluster extra (ray[data]) is not installed")
    docs = _documents(sentences, 12)
    source = tmp_path / "in.jsonl"
    _write_jsonl(source, docs)
    out = tmp_path / "ray.jsonl"
    code = main(["batch", str(source), str(out), *BATCH, "--engine", "ray",
                 "--chunk-rows", "3"])  # fmt: skip
    assert code == 0
    assert _rows(out) == _expected(docs)


# -- the engines ---------------------------------------------------------------------------------
@pytest.mark.parametrize("engine", ["transformers", "ctranslate2"])
@pytest.mark.parametrize("beams", [1, 3])
def test_each_row_ends_at_its_own_cap_as_alone(hub_models, engine: str, beams: int) -> None:
    """generate(..., caps=...) gives each row what it gives alone with its own cap: greedy and
    beam search, in transformers (a per-row forced EOS) and CTranslate2 float32 (a per-row stop;
    for beam search, rows that ran into their own cap decoded again)."""
    if engine == "ctranslate2":
        pytest.importorskip("ctranslate2")
    quantization = "float32" if engine == "ctranslate2" else None
    backend = Translator(MODEL, backend=engine, device="cpu", quantization=quantization).backend
    texts = _sentences()[:10]
    caps = [8, 30, 14, 8, 22, 40, 9, 30, 12, 17]
    settings = {"num_beams": beams, "max_new_tokens": max(caps)}
    together = backend.generate(texts, settings, caps=caps)
    for text, cap, got in zip(texts, caps, together, strict=True):
        (alone,) = backend.generate([text], {**settings, "max_new_tokens": cap})
        assert (got.text, got.tokens) == (alone.text, alone.tokens), (text, cap)
        assert got.score == pytest.approx(alone.score, abs=1e-4)
    lengths = [g.tokens for g in together]
    assert any(n == cap - 1 for n, cap in zip(lengths, caps, strict=True))  # at its own cap
    assert any(n < cap - 1 for n, cap in zip(lengths, caps, strict=True))  # ended on its own
