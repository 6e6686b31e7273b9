"""`tarjama batch` and translate/batch.py on a tiny local model: formats, per-row errors, resume.

Most jobs use a registry entry ``tiny`` (the tiny MarianMT, greedy, 8 new tokens at most) through
``TARJAMA_MODELS``, so that a few hundred rows take seconds; some use the model directory path
as ``--model`` directly, as a user would.
"""

from __future__ import annotations

import csv
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import translate
from tests.conftest import run_cli as run
from translate import batch as B
from translate.batch import inputs, local, outputs, state
from translate.errors import InternalError

REPO = Path(__file__).resolve().parent.parent
DOCS = [
    "قال الوزير إن المحادثات ستستأنف الأسبوع المقبل.",
    "وأضاف أن الوفد سيصل إلى القاهرة غدا. وسيلتقي الرئيس.",
    "ارتفعت أسعار النفط بنسبة ٣٪ يوم الإثنين.",
    "أعلنت الحكومة خطة جديدة لدعم المزارعين.",
]


@pytest.fixture(autouse=True)
def _registry(monkeypatch: pytest.MonkeyPatch, fast_registry: Path) -> None:
    monkeypatch.setenv("TARJAMA_MODELS", str(fast_registry))


def batch(capsys: pytest.CaptureFixture[str], *args: str | Path) -> tuple[int, str, str]:
    return run(capsys, "batch", *args, "--model", "tiny", "--quiet")


def read_rows(path: Path) -> list[dict[str, Any]]:
    if path.suffix == ".jsonl":
        return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    if path.suffix == ".csv":
        with open(path, encoding="utf-8", newline="") as fh:
            return list(csv.DictReader(fh))
    return pq.read_table(path).to_pylist()


def sidecar(path: Path) -> dict[str, Any]:
    return json.loads(B.sidecar_path(path).read_text(encoding="utf-8"))


def write_txt(path: Path, lines: list[str]) -> Path:
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return path


# -- formats -------------------------------------------------------------------------------------
@pytest.mark.parametrize("fmt", ["jsonl", "csv", "parquet"])
def test_txt_to_each_output_format(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], fmt: str
) -> None:
    source = write_txt(tmp_path / "in.txt", DOCS)
    out = tmp_path / f"out.{fmt}"
    code, _, err = batch(capsys, source, out)
    assert code == 0, err
    rows = read_rows(out)
    assert [int(r["row_id"]) for r in rows] == list(range(len(DOCS)))
    assert [r["text"] for r in rows] == DOCS
    assert list(rows[0]) == ["row_id", "text", "translation", "flags", "confidence", "error"]
    assert all(r["translation"] and r["error"] == "" for r in rows)
    flags = rows[0]["flags"]
    assert isinstance(flags, str) if fmt == "csv" else isinstance(flags, list)
    assert not state.Checkpoint(out).directory.exists()
    assert not list(tmp_path.glob(".out*"))  # no temporary files left behind
    meta = sidecar(out)
    assert meta["output"]["format"] == fmt and meta["counts"]["rows_ok"] == len(DOCS)


def test_model_directory_path_and_stderr_summary(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], tiny_marian: Path
) -> None:
    source = write_txt(tmp_path / "in.txt", DOCS[:2])
    out = tmp_path / "out.jsonl"
    code, _, err = run(
        capsys, "batch", source, out, "--model", tiny_marian, "--backend", "transformers"
    )
    assert code == 0
    assert "2 rows ok, 0 rows failed" in err and "sentences/s" in err
    assert "translating" in err  # the progress bar (stderr; off with --quiet)
    meta = sidecar(out)
    assert meta["model"]["source"] == str(tiny_marian.resolve())
    assert meta["model"]["backend"] == "transformers"
    # A directory gets the settings of the registry's default model (here: greedy, "tiny").
    assert meta["settings"]["generation"]["num_beams"] == 1


def test_folder_input(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "articles"
    (folder / "sub").mkdir(parents=True)
    (folder / "b.txt").write_text(DOCS[1] + "\n" + DOCS[2] + "\n", encoding="utf-8")
    (folder / "a.txt").write_text(DOCS[0], encoding="utf-8")
    (folder / "sub" / "c.txt").write_bytes(b"\xd9\x82\xff\xfe broken")
    (folder / ".hidden.txt").write_text(DOCS[3], encoding="utf-8")
    (folder / "notes.md").write_text("not a document", encoding="utf-8")
    out = tmp_path / "out.parquet"
    code, _, _ = batch(capsys, folder, out)
    assert code == 1  # one file is not UTF-8
    rows = read_rows(out)
    assert [r["file"] for r in rows] == ["a.txt", "b.txt", "sub/c.txt"]
    assert list(rows[0]) == [
        "row_id", "file", "text", "translation", "flags", "confidence", "error",
    ]  # fmt: skip
    assert rows[1]["text"] == DOCS[1] + "\n" + DOCS[2] + "\n"
    assert "\n" in rows[1]["translation"]  # one document per file, paragraphs kept
    assert rows[2]["error"].startswith("The file sub/c.txt is not valid UTF-8")
    assert rows[2]["translation"] == ""
    assert sidecar(out)["input"]["format"] == "folder"


def test_jsonl_per_row_errors_keep_every_row(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lines = [
        json.dumps({"id": 1, "text": DOCS[0], "tags": ["a", "b"]}, ensure_ascii=False).encode(),
        b'{"id": 2, "text": "\xff\xfe"}',
        b"{not json}",
        b"[1, 2]",
        json.dumps({"id": 5, "text": ""}).encode(),
        json.dumps({"id": 6, "text": "The minister said talks resume."}).encode(),
        json.dumps({"id": 7, "body": "x"}).encode(),
        json.dumps({"id": "eight", "text": DOCS[1]}, ensure_ascii=False).encode(),
        b"",
        json.dumps({"id": 10, "text": None}).encode(),
    ]
    source = tmp_path / "in.jsonl"
    source.write_bytes(b"\n".join(lines) + b"\n")
    out = tmp_path / "out.jsonl"
    code, _, _ = batch(capsys, source, out)
    assert code == 1
    rows = read_rows(out)
    assert [r["row_id"] for r in rows] == list(range(len(lines)))
    errors = [r["error"] for r in rows]
    assert errors[0] == "" and errors[7] == ""
    assert errors[1].startswith("Line 2 is not valid UTF-8")
    assert errors[2].startswith("Line 3 is not valid JSON")
    assert errors[3] == "Line 4 is a JSON list, not an object."
    assert "empty" in errors[4]
    assert "no Arabic letters" in errors[5]
    assert errors[6] == "The row has no value in the column 'text'."
    assert errors[8] == "Line 9 is empty: expected a JSON object."
    assert errors[9] == "The row has no value in the column 'text'."
    # Input values come back unchanged, columns in order of first appearance.
    assert rows[0]["tags"] == ["a", "b"] and rows[7]["id"] == "eight" and rows[6]["body"] == "x"
    assert list(rows[0]) == [
        "row_id",
        "id",
        "text",
        "tags",
        "body",
        "translation",
        "flags",
        "confidence",
        "error",
    ]
    assert sidecar(out)["counts"] == {
        "rows_total": 10,
        "rows_ok": 2,
        "rows_failed": 8,
        "resumed_rows": 0,
        "translated_this_run": 10,
        "sentences_this_run": 3,
    }


def test_txt_per_row_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = tmp_path / "in.txt"
    source.write_bytes(
        "\n".join([DOCS[0], "", "Only English here.", DOCS[2] * 3]).encode() + b"\n\xff oops\r\n"
    )
    out = tmp_path / "out.csv"
    code, _, err = run(capsys, "batch", source, out, "--model", "tiny", "--max-chars", "100")
    assert code == 1
    rows = read_rows(out)
    assert len(rows) == 5
    assert rows[0]["error"] == "" and rows[0]["translation"]
    assert rows[1]["error"] == "The input is empty."
    assert "no Arabic letters" in rows[2]["error"]
    assert "the limit is 100" in rows[3]["error"]  # over-long
    assert rows[4]["error"].startswith("Line 5 is not valid UTF-8 (byte 0xff")
    assert rows[4]["text"] == "\ufffd oops"  # shown as read, with a replacement character
    assert "1 rows ok, 4 rows failed" in err and "row 1: The input is empty." in err


def test_csv_input_keeps_columns_as_text(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "in.csv"
    with open(source, "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["id", "body", "date"])
        writer.writerow(["007", DOCS[0] + "\n" + DOCS[3], "2024-01-02"])
        writer.writerow(["008", "", "2024-01-03"])
        writer.writerow(["009", DOCS[2], ""])
    out = tmp_path / "out.parquet"
    code, _, _ = batch(capsys, source, out, "--column", "body")
    assert code == 1
    table = pq.read_table(out)
    assert table.column_names == [
        "row_id", "id", "body", "date", "translation", "flags", "confidence", "error",
    ]  # fmt: skip
    assert table.schema.field("id").type == pa.string()
    rows = table.to_pylist()
    assert [r["id"] for r in rows] == ["007", "008", "009"]
    assert rows[0]["body"] == DOCS[0] + "\n" + DOCS[3]  # a quoted multi-line value
    assert rows[1]["error"] == "The input is empty." and rows[2]["date"] == ""


def test_parquet_input_keeps_types(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = tmp_path / "in.parquet"
    table = pa.table(
        {
            "id": pa.array([10, 11, 12], type=pa.int32()),
            "text": [DOCS[0], None, DOCS[1]],
            "score": [0.5, 1.5, None],
        }
    )
    pq.write_table(table, source)
    out = tmp_path / "out.parquet"
    code, _, _ = batch(capsys, source, out)
    assert code == 1
    result = pq.read_table(out)
    assert result.schema.field("id").type == pa.int32()
    assert result.column("score").to_pylist() == [0.5, 1.5, None]
    assert result.column("error").to_pylist()[1] == "The row has no value in the column 'text'."
    assert result.schema.field("flags").type == pa.list_(pa.string())
    # And to CSV: flags become one ';'-joined string.
    out_csv = tmp_path / "out.csv"
    assert batch(capsys, source, out_csv)[0] == 1
    rows = read_rows(out_csv)
    assert [r["id"] for r in rows] == ["10", "11", "12"]
    assert all(isinstance(r["flags"], str) for r in rows)
    assert rows[0]["flags"].split(";") == result.column("flags").to_pylist()[0]


# -- usage errors --------------------------------------------------------------------------------
def test_existing_translation_column_needs_overwrite(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "in.jsonl"
    source.write_text(
        json.dumps({"text": DOCS[0], "translation": "old"}, ensure_ascii=False) + "\n",
        encoding="utf-8",
    )
    out = tmp_path / "out.jsonl"
    code, _, err = batch(capsys, source, out)
    assert code == 2
    assert "'translation'" in err and "--overwrite" in err and not out.exists()
    code, _, _ = batch(capsys, source, out, "--overwrite")
    assert code == 0
    (row,) = read_rows(out)
    assert row["translation"] not in ("", "old")
    assert list(row) == ["row_id", "text", "translation", "flags", "confidence", "error"]


def test_missing_column_is_a_usage_error_before_any_work(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "in.csv"
    source.write_text("id,body\n1,قال الوزير\n", encoding="utf-8")
    # The "broken" model has no weights: reaching the model would fail with exit 1.
    code, _, err = run(capsys, "batch", source, tmp_path / "o.jsonl", "--model", "broken")
    assert code == 2
    assert "no column 'text'" in err and "'body'" in err and "--column" in err
    code, _, err = run(
        capsys, "batch", source, tmp_path / "o.jsonl", "--model", "broken", "--column", "body"
    )
    assert code == 1 and "could not be loaded" in err  # the model error, once the input is fine
    assert "Traceback" not in err


@pytest.mark.parametrize(
    ("make_input", "output", "message"),
    [
        (lambda d: d / "missing.txt", "o.jsonl", "does not exist"),
        (lambda d: write_txt(d / "in.xlsx", ["x"]), "o.jsonl", "use a .txt file"),
        (lambda d: write_txt(d / "in.txt", ["x"]), "o.txt", "must end in .jsonl, .csv or .parquet"),
        (lambda d: write_txt(d / "in.txt", ["x"]), "nope/o.jsonl", "does not exist"),
        (lambda d: write_txt(d / "in.txt", []), "o.jsonl", "has no documents"),
        (lambda d: _garbage(d / "in.parquet"), "o.jsonl", "Cannot read the Parquet file"),
        (lambda d: _garbage(d / "in.csv", b"text,b\n1,2,3,4\n"), "o.jsonl", "Cannot parse the CSV"),
        (lambda d: _garbage(d / "in.jsonl", b'{"body": "x"}\n'), "o.jsonl", "no column 'text'"),
        (lambda d: (d / "empty").mkdir() or d / "empty", "o.jsonl", "has no documents"),
    ],
)
def test_unusable_input_or_output(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], make_input: Any, output: str, message: str
) -> None:
    source = make_input(tmp_path)
    code, _, err = run(capsys, "batch", source, tmp_path / output, "--model", "broken")
    assert code == 2, err
    assert message in err and "Traceback" not in err


def _garbage(path: Path, data: bytes = b"PAR1 this is not parquet") -> Path:
    path.write_bytes(data)
    return path


# -- sidecar and summaries -----------------------------------------------------------------------
def test_sidecar_and_rerun(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = write_txt(tmp_path / "in.txt", DOCS)
    out = tmp_path / "out.jsonl"
    assert batch(capsys, source, out, "--batch-tokens", "64")[0] == 0
    meta = sidecar(out)
    assert meta["tarjama_version"] == translate.__version__
    assert meta["model"]["name"] == "tiny" and meta["model"]["backend"] == "transformers"
    assert {"revision", "device", "quantization", "source"} <= set(meta["model"])
    assert meta["settings"]["batch_tokens"] == 64 and meta["settings"]["engine"] == "local"
    assert meta["settings"]["generation"]["max_new_tokens"] == 8
    assert meta["input"]["sha256"] and meta["input"]["rows"] == 4 and meta["fingerprint"]
    assert meta["counts"]["translated_this_run"] == 4 and meta["timing"]["sentences_per_second"] > 0
    # The same command again: nothing to do. --no-resume redoes it.
    code, _, err = run(capsys, "batch", source, out, "--model", "tiny")
    assert code == 0 and "already complete" in err
    assert batch(capsys, source, out, "--no-resume")[0] == 0
    assert sidecar(out)["counts"]["translated_this_run"] == 4


def test_summarize_column(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = write_txt(tmp_path / "in.txt", [DOCS[1], ""])
    out = tmp_path / "out.jsonl"
    code, _, _ = batch(capsys, source, out, "--summarize", "--summary-method", "extractive")
    assert code == 1
    rows = read_rows(out)
    assert list(rows[0]) == [
        "row_id", "text", "translation", "summary", "flags", "confidence", "error",
    ]  # fmt: skip
    assert rows[0]["summary"] and rows[0]["error"] == ""
    assert rows[1]["summary"] == "" and rows[1]["error"] == "The input is empty."
    assert sidecar(out)["settings"]["summary"] == {
        "method": "extractive",
        "length": "medium",
        "model": None,
    }


# -- checkpoint and resume -----------------------------------------------------------------------
def _crash_after(monkeypatch: pytest.MonkeyPatch, chunks: int) -> None:
    """Make the job die (like a crash) when it starts chunk number ``chunks + 1``."""
    real = local.translate_chunk
    calls = []

    def flaky(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        if len(calls) > chunks:
            raise RuntimeError("simulated crash")
        return real(*args, **kwargs)

    monkeypatch.setattr(local, "translate_chunk", flaky)


def test_resume_refused_after_settings_change(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    source = write_txt(tmp_path / "in.txt", [f"{DOCS[i % 4]} رقم {i}" for i in range(12)])
    out = tmp_path / "out.jsonl"
    with monkeypatch.context() as patch:
        _crash_after(patch, 2)
        with pytest.raises(RuntimeError, match="simulated crash"):
            batch(capsys, source, out, "--chunk-rows", "3")
    assert not out.exists()
    assert len(state.Checkpoint(out).directory.joinpath("rows.jsonl").read_text().splitlines()) == 6
    # A setting that changes outputs: refused, naming what changed and --no-resume.
    code, _, err = batch(capsys, source, out, "--num-beams", "2")
    assert code == 2
    assert "--no-resume" in err and "generation.num_beams" in err and not out.exists()
    code, _, err = batch(capsys, source, out, "--max-chars", "5000")
    assert code == 2 and "segmentation.max_chars" in err
    # A changed input is refused too.
    changed = write_txt(tmp_path / "in2.txt", [DOCS[0]] * 12)
    changed.replace(source)
    code, _, err = batch(capsys, source, out)
    assert code == 2 and "input.sha256" in err
    write_txt(source, [f"{DOCS[i % 4]} رقم {i}" for i in range(12)])  # same bytes back
    # Batch size and chunk size only group the work: the resume goes on.
    code, _, _ = batch(capsys, source, out, "--batch-tokens", "128", "--chunk-rows", "5")
    assert code == 0
    counts = sidecar(out)["counts"]
    assert counts["resumed_rows"] == 6 and counts["translated_this_run"] == 6
    assert [r["row_id"] for r in read_rows(out)] == list(range(12))


def test_no_resume_discards_the_checkpoint(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    source = write_txt(tmp_path / "in.txt", DOCS)
    out = tmp_path / "out.csv"
    with monkeypatch.context() as patch:
        _crash_after(patch, 1)
        with pytest.raises(RuntimeError):
            batch(capsys, source, out, "--chunk-rows", "2")
    code, _, _ = batch(capsys, source, out, "--num-beams", "2", "--no-resume")
    assert code == 0
    counts = sidecar(out)["counts"]
    assert counts["resumed_rows"] == 0 and counts["translated_this_run"] == 4
    assert sidecar(out)["settings"]["generation"]["num_beams"] == 2


def test_ctrl_c_stops_at_a_checkpoint(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    source = write_txt(tmp_path / "in.txt", [f"{DOCS[i % 4]} رقم {i}" for i in range(9)])
    out = tmp_path / "out.jsonl"
    real = local.translate_chunk

    def interrupted(*args: Any, **kwargs: Any) -> Any:
        os.kill(os.getpid(), signal.SIGINT)  # Ctrl-C in the middle of the first chunk
        return real(*args, **kwargs)

    handler = signal.getsignal(signal.SIGINT)
    with monkeypatch.context() as patch:
        patch.setattr(local, "translate_chunk", interrupted)
        code, _, err = batch(capsys, source, out, "--chunk-rows", "4")
    assert code == 130
    assert "4 of 9 rows are checkpointed" in err
    assert "same command again" in err and not out.exists()
    assert signal.getsignal(signal.SIGINT) is handler  # the previous handler is back
    assert batch(capsys, source, out, "--chunk-rows", "4")[0] == 0
    assert sidecar(out)["counts"]["resumed_rows"] == 4
    assert [r["row_id"] for r in read_rows(out)] == list(range(9))


def test_torn_checkpoint_line_is_redone(tmp_path: Path) -> None:
    checkpoint = state.Checkpoint(tmp_path / "out.jsonl")
    assert checkpoint.open("f1", {"a": 1}, resume=True, rows_total=3) == {}
    checkpoint.append([outputs.result_record(0, "bad row"), outputs.result_record(1, "bad too")])
    with open(checkpoint.rows_file, "ab") as fh:
        fh.write(b'{"row_id": 2, "transl')  # killed mid-write
    done = state.Checkpoint(tmp_path / "out.jsonl").open("f1", {"a": 1}, resume=True, rows_total=3)
    assert sorted(done) == [0, 1]
    assert checkpoint.rows_file.read_bytes().endswith(b"}\n")
    with pytest.raises(B.ResumeRefusedError, match=r"changed: a\b"):
        checkpoint.open("f2", {"a": 2}, resume=True, rows_total=3)


def test_rows_to_table_mixed_types_become_json_text() -> None:
    rows = [{"x": 1, "flags": ["a"]}, {"x": "one", "flags": []}, {"x": {"k": 1}, "flags": []}]
    table = outputs.rows_to_table(rows, ["x", "flags"])
    assert table.column("x").to_pylist() == ["1", "one", '{"k": 1}']
    flat = outputs.rows_to_table(rows, ["x", "flags"], flat=True)
    assert flat.column("flags").to_pylist() == ["a", "", ""]


def test_output_rows_refuses_a_missing_row(tmp_path: Path) -> None:
    source = write_txt(tmp_path / "in.txt", DOCS[:2])
    batch_input = inputs.read_input(source)
    with pytest.raises(InternalError, match="row 1"):
        outputs.output_rows(batch_input, {0: outputs.result_record(0, "x")}, summarize=False)


def test_sigkill_then_resume(tmp_path: Path, fast_registry: Path) -> None:
    """A job killed with SIGKILL resumes from its checkpoint: every row once, none redone."""
    total = 200
    lines = [f"قال المتحدث إن الاجتماع رقم {i} سيعقد في المدينة." for i in range(total)]
    source = write_txt(tmp_path / "in.txt", lines)
    out = tmp_path / "out.jsonl"
    rows_file = state.Checkpoint(out).directory / state.ROWS_FILE
    command = [sys.executable, "-m", "ui", "batch", str(source), str(out), "--model", "tiny",
               "--chunk-rows", "2", "--quiet"]  # fmt: skip
    env = {**os.environ, "TARJAMA_MODELS": str(fast_registry), "OMP_NUM_THREADS": "1"}
    first = subprocess.Popen(command, cwd=REPO, env=env, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 120
    try:
        while time.monotonic() < deadline and first.poll() is None:
            if rows_file.exists() and rows_file.read_bytes().count(b"\n") >= 10:
                break
            time.sleep(0.02)
        assert first.poll() is None, first.stderr.read().decode() if first.stderr else ""
        first.send_signal(signal.SIGKILL)
    finally:
        first.wait(timeout=30)
        if first.stderr:
            first.stderr.close()
    assert first.returncode == -signal.SIGKILL
    assert not out.exists()  # the output is written only when the job is complete
    complete = rows_file.read_bytes().split(b"\n")[:-1]  # what follows the last newline is torn
    done_before = {json.loads(line)["row_id"] for line in complete}
    assert 10 <= len(done_before) < total

    second = subprocess.run(command, cwd=REPO, env=env, capture_output=True, timeout=300)
    assert second.returncode == 0, second.stderr.decode()
    rows = read_rows(out)
    assert [r["row_id"] for r in rows] == list(range(total))
    assert [r["text"] for r in rows] == lines
    assert all(r["translation"] and r["error"] == "" for r in rows)
    counts = sidecar(out)["counts"]
    assert counts["resumed_rows"] == len(done_before)
    assert counts["translated_this_run"] == total - len(done_before)
    assert not state.Checkpoint(out).directory.exists()
