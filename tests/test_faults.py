"""Fault injection for batch jobs and the library's doors: each fault of the hardening issue,
injected, with the outcome we want (a clear error or a per-row record, never a crash after the
work is done, never data loss).
"""

from __future__ import annotations

import errno
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from translate import InputError, Translator
from translate.batch import outputs, state
from ui.cli import main

REPO = Path(__file__).resolve().parent.parent
DOC = "قال الوزير إن المحادثات ستستأنف الأسبوع المقبل."
BROKEN_EMOJI = "\ud83d"  # JSON's "\ud83d": half of a surrogate pair


@pytest.fixture(autouse=True)
def _registry(monkeypatch: pytest.MonkeyPatch, fast_registry: Path) -> None:
    monkeypatch.setenv("TARJAMA_MODELS", str(fast_registry))


def batch(capsys: pytest.CaptureFixture[str], *args: Any, quiet: bool = True) -> tuple[int, str]:
    quiet_flag = ["--quiet"] if quiet else []
    code = main(["batch", *(str(a) for a in args), "--model", "tiny", *quiet_flag])
    return code, capsys.readouterr().err


def write_jsonl(path: Path, rows: list[dict[str, Any]]) -> Path:
    # ensure_ascii keeps a lone surrogate as the escape "\ud83d", as scraped data has it
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def sidecar(path: Path) -> dict[str, Any]:
    return json.loads(outputs.sidecar_path(path).read_text(encoding="utf-8"))


def docs(n: int) -> list[dict[str, Any]]:
    return [{"id": i, "text": f"{DOC} رقم {i}"} for i in range(n)]


# -- 1. a lone surrogate -------------------------------------------------------------------------
def test_lone_surrogate_is_an_input_error_naming_its_position(translator: Translator) -> None:
    text = DOC + BROKEN_EMOJI + " " + DOC
    with pytest.raises(InputError, match=rf"position {len(DOC)}.*surrogate"):
        translator.translate(text)
    results = translator.translate_batch([DOC, text], on_error="return")
    assert isinstance(results[1], InputError) and results[0].text


def test_lone_surrogate_in_a_batch_row_and_column(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = docs(4)
    rows[1]["text"] = DOC + BROKEN_EMOJI
    rows[2]["title"] = "breaking " + BROKEN_EMOJI  # not the text column
    source = write_jsonl(tmp_path / "in.jsonl", rows)
    out = tmp_path / "out.jsonl"
    code, err = batch(capsys, source, out)
    assert code == 1, err  # one row failed; the job finished
    assert "Traceback" not in err
    written = read_jsonl(out)
    assert [r["row_id"] for r in written] == [0, 1, 2, 3]
    assert f"position {len(DOC)}" in written[1]["error"] and written[1]["translation"] == ""
    assert written[2]["error"] == "" and written[2]["translation"]
    assert written[2]["title"] == "breaking \ufffd"
    assert any("row 2, column 'title'" in w for w in sidecar(out)["warnings"])
    assert "repaired" in err
    # The rerun is a finished job, not a traceback.
    code, err = batch(capsys, source, out, quiet=False)
    assert code == 1 and "already complete" in err


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_lone_surrogate_in_a_column_never_fails_the_final_write(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], fmt: str
) -> None:
    rows = docs(2)
    rows[0]["note"] = {"k": BROKEN_EMOJI}
    source = write_jsonl(tmp_path / "in.jsonl", rows)
    out = tmp_path / f"out.{fmt}"
    code, err = batch(capsys, source, out)
    assert code == 0, err
    assert out.is_file() and sidecar(out)["warnings"]


# -- 2. a changed output is not trusted ----------------------------------------------------------
def test_truncated_output_is_detected_and_redone(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = write_jsonl(tmp_path / "in.jsonl", docs(30))
    out = tmp_path / "out.jsonl"
    assert batch(capsys, source, out)[0] == 0
    meta = sidecar(out)
    assert meta["output"]["rows"] == 30 and len(meta["output"]["sha256"]) == 64
    lines = out.read_text(encoding="utf-8").splitlines(keepends=True)
    out.write_text("".join(lines[:10]), encoding="utf-8")
    code, err = batch(capsys, source, out)
    assert code == 0
    assert "does not match its record" in err and "already complete" not in err
    assert len(read_jsonl(out)) == 30
    code, err = batch(capsys, source, out, quiet=False)  # now it verifies
    assert code == 0 and "already complete" in err


# -- 3. one job per output -----------------------------------------------------------------------
def test_a_second_job_on_the_same_output_is_refused_naming_the_first(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = write_jsonl(tmp_path / "in.jsonl", docs(3))
    out = tmp_path / "out.jsonl"
    holder = subprocess.Popen(
        [sys.executable, "-c", _HOLD_LOCK, str(out)],
        cwd=REPO,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        code, err = batch(capsys, source, out)
        assert code == 2
        assert "Another tarjama job is writing out.jsonl" in err and f"pid {holder.pid}" in err
        assert not out.exists()
    finally:
        holder.kill()
        holder.wait(timeout=10)
    # The holder died without unlocking: its lock file is stale and is taken over.
    assert state.OutputLock(out).path.exists()
    code, err = batch(capsys, source, out)
    assert code == 0, err
    assert not state.OutputLock(out).path.exists()  # released at the end


_HOLD_LOCK = """
import sys, time
from pathlib import Path
from translate.batch.state import OutputLock
OutputLock(Path(sys.argv[1])).acquire()
print("locked", flush=True)
time.sleep(60)
"""


def test_two_jobs_started_together_one_runs_one_is_refused(
    tmp_path: Path, fast_registry: Path
) -> None:
    source = write_jsonl(tmp_path / "in.jsonl", docs(40))
    out = tmp_path / "out.jsonl"
    command = [sys.executable, "-m", "ui", "batch", str(source), str(out), "--model", "tiny",
               "--quiet", "--chunk-rows", "4"]  # fmt: skip
    env = {**os.environ, "TARJAMA_MODELS": str(fast_registry), "OMP_NUM_THREADS": "1"}
    jobs = [
        subprocess.Popen(command, cwd=REPO, env=env, stderr=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    results = sorted((job.wait(timeout=300), job.stderr.read()) for job in jobs if job.stderr)
    for job in jobs:
        if job.stderr:
            job.stderr.close()
    assert [code for code, _ in results] == [0, 2], results
    assert "Another tarjama job" in results[1][1]
    assert [r["row_id"] for r in read_jsonl(out)] == list(range(40))
    assert sidecar(out)["counts"]["translated_this_run"] == 40


# -- 4. a write cut short ------------------------------------------------------------------------
def test_stale_temporaries_of_the_output_are_removed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = write_jsonl(tmp_path / "in.jsonl", docs(3))
    out = tmp_path / "out.jsonl"
    stale = tmp_path / ".out.jsonl.k3j2l1.tmp"  # what a kill during the final rename leaves
    stale.write_bytes(b"x" * 10_000)
    other = tmp_path / ".other.jsonl.abc.tmp"  # another output's: not ours to remove
    other.write_bytes(b"y")
    code, err = batch(capsys, source, out)
    assert code == 0, err
    assert not stale.exists() and other.exists()
    assert "Removed .out.jsonl.k3j2l1.tmp" in err
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        [".other.jsonl.abc.tmp", "in.jsonl", "out.jsonl", "out.jsonl.meta.json"]
    )


# -- 5. a damaged checkpoint ---------------------------------------------------------------------
def _interrupted_job(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: Any,
    rows: list[dict[str, Any]] | None = None,
) -> Any:
    """A job of 9 rows in chunks of 3, stopped (Ctrl-C) after its first chunk."""
    from translate.batch import local

    source = write_jsonl(tmp_path / "in.jsonl", rows or docs(9))
    out = tmp_path / "out.jsonl"
    real = local.translate_chunk
    calls: list[int] = []

    def crash_on_second(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        if len(calls) > 1:
            raise KeyboardInterrupt
        return real(*args, **kwargs)

    with monkeypatch.context() as patch:
        patch.setattr(local, "translate_chunk", crash_on_second)
        assert batch(capsys, source, out, "--chunk-rows", "3")[0] == 130
    return source, out, state.Checkpoint(out)


def test_empty_checkpoint_state_is_reported_not_deleted(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    source, out, checkpoint = _interrupted_job(tmp_path, capsys, monkeypatch)
    checkpoint.state_file.write_bytes(b"")
    code, err = batch(capsys, source, out)
    assert code == 2
    assert "cannot be read (it is empty)" in err and "--no-resume" in err
    assert "Traceback" not in err
    assert checkpoint.rows_file.read_bytes().count(b"\n") == 3  # nothing deleted
    assert batch(capsys, source, out, "--no-resume")[0] == 0  # the way out works


def test_checkpoint_line_without_row_id_is_reported(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    source, out, checkpoint = _interrupted_job(tmp_path, capsys, monkeypatch)
    before = checkpoint.rows_file.read_bytes()
    with open(checkpoint.rows_file, "ab") as fh:
        fh.write(b'{"translation": "x"}\n')
    code, err = batch(capsys, source, out)
    assert code == 2
    assert "Line 4 of the checkpoint" in err and "has no row_id" in err and "--no-resume" in err
    assert checkpoint.rows_file.read_bytes() == before + b'{"translation": "x"}\n'


def test_damaged_line_before_good_ones_is_not_silently_dropped(tmp_path: Path) -> None:
    from translate.errors import CorruptStateError

    checkpoint = state.Checkpoint(tmp_path / "out.jsonl")
    checkpoint.open("f", {}, resume=True, rows_total=3)
    checkpoint.append([outputs.result_record(0, "a")])
    with open(checkpoint.rows_file, "ab") as fh:
        fh.write(b"garbage\n")
    checkpoint.append([outputs.result_record(1, "b")])
    with pytest.raises(CorruptStateError, match="Line 2"):
        state.Checkpoint(tmp_path / "out.jsonl").open("f", {}, resume=True, rows_total=3)


# -- 6. the chunk size never changes a translation -----------------------------------------------
def test_resume_with_another_chunk_size_gives_identical_output(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    lengths = [DOC * (1 + i % 4) for i in range(9)]  # short and long neighbours
    rows = [{"text": text} for text in lengths]
    source, out, _ = _interrupted_job(tmp_path, capsys, monkeypatch, rows)
    assert batch(capsys, source, out, "--chunk-rows", "5", "--batch-tokens", "64")[0] == 0
    fresh = tmp_path / "fresh.jsonl"
    assert batch(capsys, source, fresh, "--chunk-rows", "64")[0] == 0
    resumed = [(r["translation"], r["flags"]) for r in read_jsonl(out)]
    assert resumed == [(r["translation"], r["flags"]) for r in read_jsonl(fresh)]
    assert sidecar(out)["counts"]["resumed_rows"] == 3


# -- 10. file modes ------------------------------------------------------------------------------
@pytest.mark.parametrize(("umask", "mode"), [(0o022, 0o644), (0o077, 0o600), (0o002, 0o664)])
def test_output_gets_the_mode_open_would_give(tmp_path: Path, umask: int, mode: int) -> None:
    previous = os.umask(umask)
    try:
        target = tmp_path / "x.jsonl"
        outputs.atomic_write_bytes(target, b"{}\n")
    finally:
        os.umask(previous)
    assert target.stat().st_mode & 0o777 == mode


# -- 11. smaller ones ----------------------------------------------------------------------------
def test_folder_input_reads_upper_case_txt(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.txt").write_text(DOC, encoding="utf-8")
    (folder / "B.TXT").write_text(DOC, encoding="utf-8")
    (folder / "c.Txt").write_text(DOC, encoding="utf-8")
    out = tmp_path / "out.jsonl"
    assert batch(capsys, folder, out)[0] == 0
    assert [r["file"] for r in read_jsonl(out)] == ["B.TXT", "a.txt", "c.Txt"]


def test_disk_full_names_the_file_and_keeps_the_work(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    source = write_jsonl(tmp_path / "in.jsonl", docs(3))
    out = tmp_path / "out.jsonl"

    def full(path: Path, data: bytes) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    with monkeypatch.context() as patch:
        patch.setattr(outputs, "atomic_write_bytes", full)
        code, err = batch(capsys, source, out)
    assert code == 1
    assert f"Cannot write the output {out}: No space left on device" in err
    assert "Traceback" not in err
    assert state.Checkpoint(out).rows_file.read_bytes().count(b"\n") == 3  # the work is kept
    code, err = batch(capsys, source, out)
    assert code == 0 and sidecar(out)["counts"]["resumed_rows"] == 3


def test_impossible_output_path_is_refused_before_any_work(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = write_jsonl(tmp_path / "in.jsonl", docs(1))
    if not Path("/proc/version").exists():
        pytest.skip("no /proc here")
    started = time.monotonic()
    code, err = batch(capsys, source, "/proc/version.jsonl")
    assert code == 2
    assert "files cannot be created in /proc" in err
    assert time.monotonic() - started < 30


def test_summarize_refuses_a_lone_surrogate_with_its_place() -> None:
    from summarize import summarize

    with pytest.raises(InputError, match="position 4"):
        summarize("Oil " + BROKEN_EMOJI + " rose.", method="extractive")
    with pytest.raises(InputError, match=r"Sentence 1: .*position 0"):
        summarize(["Oil rose.", BROKEN_EMOJI + "Gold fell."], method="extractive")


def test_a_translations_summary_is_not_refused_for_its_english_length() -> None:
    from summarize import summarize_translation
    from translate import Segment, TranslationResult

    long = "The minister said the talks would resume next week in the capital. " * 40
    segments = [
        Segment(index=k, source="قال.", start=k, end=k + 1, target=long, paragraph=0, sentence=k)
        for k in range(400)
    ]  # 400 × 2,720 characters: over the 1,000,000 a user's text may have
    result = TranslationResult(text="", segments=segments)
    summary = summarize_translation(result, method="extractive", length="short")
    assert summary.sentences
