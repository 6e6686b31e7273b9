"""Batch jobs over what a newsroom has: a folder of mixed documents, and hub datasets."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.documents_fixtures import make_docx
from tests.test_documents_datasets import cached_hub_dataset  # noqa: F401 - a fixture
from ui.cli import main

SRT = """1
00:00:01,000 --> 00:00:03,000
قال الوزير إن المحادثات

2
00:00:03,500 --> 00:00:05,000
ستستأنف الأسبوع المقبل.
"""


@pytest.fixture(autouse=True)
def _registry(monkeypatch: pytest.MonkeyPatch, fast_registry: Path) -> None:
    monkeypatch.setenv("TARJAMA_MODELS", str(fast_registry))


def batch(capsys: pytest.CaptureFixture[str], *args: Any) -> tuple[int, str]:
    code = main(["batch", *(str(a) for a in args), "--model", "tiny", "--quiet"])
    return code, capsys.readouterr().err


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_folder_of_mixed_documents(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "inbox"
    (folder / "sub").mkdir(parents=True)
    (folder / "a.txt").write_text("قال الوزير إن الحكومة ستواصل العمل.", encoding="utf-8")
    make_docx(folder / "b.docx")
    (folder / "sub" / "c.srt").write_text(SRT, encoding="utf-8")
    (folder / "d.pdf").write_bytes(b"%PDF-1.4 not really")
    (folder / "e.doc").write_bytes(b"\xd0\xcf\x11\xe0 old word")
    (folder / "notes.json").write_text("{}", encoding="utf-8")  # not a document: not a row
    out = tmp_path / "out.jsonl"
    code, err = batch(capsys, folder, out)
    assert code == 1, err  # the broken files failed; the rest translated
    rows = read_jsonl(out)
    assert [r["file"] for r in rows] == ["a.txt", "b.docx", "d.pdf", "e.doc", "sub/c.srt"]
    by_file = {r["file"]: r for r in rows}
    assert by_file["b.docx"]["text"].startswith("الحكومة تعلن خطة جديدة للطاقة")
    assert "ملخص المشروع" in by_file["b.docx"]["text"]  # table cells are read
    assert "ستستأنف الأسبوع المقبل" in by_file["sub/c.srt"]["text"]
    for name in ("a.txt", "b.docx", "sub/c.srt"):
        assert by_file[name]["translation"] and by_file[name]["error"] == ""
    assert by_file["d.pdf"]["error"].startswith("The file d.pdf:")
    assert by_file["e.doc"]["error"].startswith("The file e.doc:")
    assert "Traceback" not in err


def test_hub_dataset_input(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    cached_hub_dataset: str,  # noqa: F811 - the fixture
) -> None:
    out = tmp_path / "out.jsonl"
    code, err = batch(capsys, f"{cached_hub_dataset}@train", out)
    assert code == 0, err
    rows = read_jsonl(out)
    assert [r["id"] for r in rows] == [1, 2] and all(r["translation"] for r in rows)
    meta = json.loads((tmp_path / "out.jsonl.meta.json").read_text(encoding="utf-8"))
    assert meta["input"]["path"] == f"{cached_hub_dataset}@train"
    assert meta["input"]["format"] == "hf"
    # The same job again is complete; a missing column or dataset stops before any work.
    assert batch(capsys, f"{cached_hub_dataset}@train", out)[0] == 0
    code, err = batch(capsys, cached_hub_dataset, tmp_path / "o2.jsonl", "--column", "body")
    assert code == 2 and "body" in err
    code, err = batch(capsys, "hf://nobody/nothing-here", tmp_path / "o3.jsonl")
    assert code == 2 and "nothing-here" in err and "Traceback" not in err
