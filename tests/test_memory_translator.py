"""The translation memory in use: Translator (translate, translate_batch, iter_segments) and
batch jobs (local and Ray), on the tiny random model."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from translate import Translator
from translate import batch as B
from translate.batch import JobOptions, local, state
from translate.config import TranslatorConfig
from translate.errors import ResumeRefusedError
from translate.memory import MemoryNotFoundError, TranslationMemory

S1 = "قال الوزير إن المحادثات ستستأنف الأسبوع المقبل."
S1_NEAR = "قال الوزير إن المحادثات ستستأنف الشهر المقبل."
S2 = "وأضاف أن الوفد سيصل إلى القاهرة غدا."
EDITED = "The minister said the talks would resume next week."


@pytest.fixture()
def memory(tmp_path: Path) -> TranslationMemory:
    tm = TranslationMemory(tmp_path / "tm.sqlite3")
    tm.add(S1, EDITED, origin="edit", replaced_model="tiny")
    yield tm
    tm.close()


def make(tiny_marian: Path, memory: Any = None, **kwargs: Any) -> Translator:
    return Translator(
        model=str(tiny_marian),
        backend="transformers",
        generation={"num_beams": 1, "max_new_tokens": 16},
        memory=memory,
        **kwargs,
    )


def recording(tr: Translator) -> list[str]:
    """Record every text the model is asked to translate."""
    seen: list[str] = []
    real = tr.backend.generate

    def generate(texts, settings, **kwargs):  # noqa: ANN001, ANN003, ANN202
        seen.extend(texts)
        return real(texts, settings, **kwargs)

    tr.backend.generate = generate  # type: ignore[method-assign]
    return seen


def test_exact_match_needs_no_model_and_is_not_cached(
    tiny_marian: Path, memory: TranslationMemory
) -> None:
    tr = make(tiny_marian, memory)
    seen = recording(tr)
    # Typed differently (tatweel, diacritics): the normalised key still matches.
    result = tr.translate(f"قَالَ الوزيـــر إن المحادثات ستستأنف الأسبوع المقبل. {S2}")
    first, second = result.segments
    assert first.target == EDITED and "memory" in first.flags and first.score is None
    assert second.target != EDITED and "memory" not in second.flags
    # Only the other sentence went to the model (twice when the guard retried it).
    assert seen and all("القاهرة" in text for text in seen)
    assert len(tr.cache) == 1  # the memory's answer is not stored as a model output
    assert result.text.startswith(EDITED)
    described = result.meta["memory"]
    assert described["fingerprint"] == memory.fingerprint() and described["units"] == 1
    assert described["id"] == memory.id and described["path"] == str(memory.path)


def test_near_matches_are_suggested_never_substituted(
    tiny_marian: Path, memory: TranslationMemory
) -> None:
    tr = make(tiny_marian, memory)
    plain = make(tiny_marian).translate(S1_NEAR).segments[0]
    segment = tr.translate(S1_NEAR).segments[0]
    assert segment.target == plain.target != EDITED  # the model's own output
    assert "memory" not in segment.flags
    (suggestion,) = segment.suggestions
    assert suggestion.target == EDITED and suggestion.source == S1
    assert 0.8 <= suggestion.similarity < 1.0
    data = segment.to_dict()["suggestions"]
    assert data == [{"id": 1, "source": S1, "target": EDITED, "similarity": suggestion.similarity}]
    json.dumps(segment.to_dict())
    # Over the threshold: no suggestion.
    strict = make(tiny_marian, memory.path, memory_threshold=0.99)
    assert strict.translate(S1_NEAR).segments[0].suggestions == ()


def test_every_entry_point_uses_the_memory(tiny_marian: Path, memory: TranslationMemory) -> None:
    tr = make(tiny_marian, memory)
    text = f"{S2} {S1}\n{S1_NEAR}"
    whole = tr.translate(text)
    streamed = list(tr.iter_segments(text))
    counted: list[int] = []
    batched = tr.translate_batch([text, S1], progress=counted.append)
    assert [s.to_dict() for s in streamed] == [s.to_dict() for s in whole.segments]
    assert batched[0].to_dict() == whole.to_dict()
    assert batched[1].segments[0].target == EDITED
    assert sum(counted) == 4  # memory hits count as translated sentences
    assert [("memory" in s.flags) for s in whole.segments] == [False, True, False]


def test_a_path_is_opened_read_only_and_travels_in_the_config(
    tiny_marian: Path, memory: TranslationMemory, tmp_path: Path
) -> None:
    tr = make(tiny_marian, str(memory.path))
    assert tr.memory is not None and tr.memory.readonly
    assert tr.config.memory == str(memory.path) and tr.config.memory_threshold == 0.8
    again = Translator.from_config(tr.config)
    assert again.translate(S1).segments[0].target == EDITED
    memory.add(S2, "The delegation arrives tomorrow.")  # seen by the reader at once
    assert again.translate(S2).segments[0].target == "The delegation arrives tomorrow."
    with pytest.raises(MemoryNotFoundError):
        make(tiny_marian, tmp_path / "none.tm")
    cfg = TranslatorConfig(model=str(tiny_marian), memory=str(memory.path))
    assert hash(cfg) and cfg.as_dict()["memory"] == str(memory.path)


# -- batch -----------------------------------------------------------------------------------------
@pytest.fixture()
def _registry(monkeypatch: pytest.MonkeyPatch, fast_registry: Path) -> None:
    monkeypatch.setenv("TARJAMA_MODELS", str(fast_registry))


def write_txt(path: Path, count: int) -> Path:
    lines = [S1 if i % 2 == 0 else f"{S2.rstrip('.')} رقم {i}." for i in range(count)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.mark.usefixtures("_registry")
def test_batch_uses_the_memory_and_refuses_a_resume_after_it_changed(
    tmp_path: Path, memory: TranslationMemory, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = write_txt(tmp_path / "in.txt", 12)
    out = tmp_path / "out.jsonl"
    config = TranslatorConfig(model="tiny", cache_size=0, memory=str(memory.path))
    options = JobOptions(show_progress=False, chunk_rows=3)
    real = local.translate_chunk
    calls: list[int] = []

    def crash_after_two(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        if len(calls) > 2:
            raise RuntimeError("simulated crash")
        return real(*args, **kwargs)

    with monkeypatch.context() as patch:
        patch.setattr(local, "translate_chunk", crash_after_two)
        with pytest.raises(RuntimeError, match="simulated crash"):
            B.run_batch(source, out, config, options)
    memory.add(S2, "Something new.")  # the memory changed since the checkpoint
    with pytest.raises(ResumeRefusedError, match="memory.fingerprint") as info:
        B.run_batch(source, out, config, options)
    assert "--no-resume" in str(info.value)
    report = B.run_batch(source, out, config, JobOptions(show_progress=False, resume=False))
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [r["translation"] for r in rows[::2]] == [EDITED] * 6
    assert all("memory" in r["flags"] for r in rows[::2])
    assert report.sentences_this_run == 12  # the hits count
    meta = json.loads(B.sidecar_path(out).read_text(encoding="utf-8"))
    assert meta["settings"]["memory"]["fingerprint"] == memory.fingerprint()
    # Without a memory the fingerprint has no memory entry (older jobs keep theirs).
    plain = Translator(model="tiny")
    batch_input = B.inputs.read_input(source, "text")
    assert "memory" not in state.job_settings(plain, batch_input, None)


def test_suggestions_can_be_skipped(tiny_marian: Path, memory: TranslationMemory) -> None:
    tr = make(tiny_marian, memory)
    (result,) = tr.translate_batch([f"{S1} {S1_NEAR}"], suggestions=False)
    assert result.segments[0].target == EDITED  # exact matches still apply
    assert result.segments[1].suggestions == ()
