"""``tarjama memory …``, ``--memory`` / ``--glossary`` on translate and batch, ``digest
--summary-first`` and ``batch --summary-only`` (in-process through ``main``)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import SEEDS
from tests.conftest import run_cli as run

SENTENCE = "قال الوزير إن المحادثات ستستأنف الأسبوع المقبل."
ENGLISH = "The minister said the talks would resume next week."
ARABIC = f"{SENTENCE} وأضاف أن الوفد سيصل غدا."


@pytest.fixture()
def units(tmp_path: Path) -> Path:
    path = tmp_path / "units.csv"
    path.write_text(f"arabic,english\n{SENTENCE},{ENGLISH}\nوصل الوفد,The delegation arrived\n")
    return path


def test_import_stats_search_export_delete(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], units: Path
) -> None:
    memory = tmp_path / "m.sqlite3"
    code, _, err = run(capsys, "memory", "import", units, "--memory", memory)
    assert code == 0 and "2 units added" in err
    code, out, _ = run(capsys, "memory", "stats", "--memory", memory, "-f", "json")
    assert code == 0 and json.loads(out)["units"] == 2
    code, out, _ = run(capsys, "memory", "search", SENTENCE, "--memory", memory, "-f", "json")
    [match] = [m for m in json.loads(out) if m["similarity"] == 1.0]
    assert code == 0 and match["target"] == ENGLISH
    tmx = tmp_path / "out.tmx"
    assert run(capsys, "memory", "export", tmx, "--memory", memory)[0] == 0
    assert ENGLISH in tmx.read_text(encoding="utf-8") and "<tmx" in tmx.read_text("utf-8")
    again = tmp_path / "again.sqlite3"  # the TMX imports back
    assert run(capsys, "memory", "import", tmx, "--memory", again)[0] == 0
    assert run(capsys, "memory", "delete", str(match["id"]), "--memory", memory)[0] == 0
    code, _, err = run(capsys, "memory", "delete", str(match["id"]), "--memory", memory)
    assert code == 1 and "no unit" in err


def test_a_bad_unit_names_its_line_unless_skipped(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "bad.tsv"
    source.write_text(f"{SENTENCE}\t{ENGLISH}\nقال\t\n", encoding="utf-8")
    memory = tmp_path / "m.sqlite3"
    code, _, err = run(capsys, "memory", "import", source, "--memory", memory)
    assert code == 1 and "line 2" in err and "--skip-bad" in err
    code, _, err = run(capsys, "memory", "import", source, "--memory", memory, "--skip-bad")
    assert code == 0 and "1 units added" in err and "line 2" in err


def test_a_file_that_is_not_a_memory(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    other = tmp_path / "notes.txt"
    other.write_text("hello", encoding="utf-8")
    code, _, err = run(capsys, "memory", "stats", "--memory", other)
    assert code == 1 and "notes.txt" in err and "Traceback" not in err
    code, _, err = run(capsys, "memory", "stats", "--memory", tmp_path / "none.sqlite3")
    assert code == 1 and "none.sqlite3" in err


def test_translate_with_memory_and_glossary(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], registry: Path, units: Path
) -> None:
    memory = tmp_path / "m.sqlite3"
    assert run(capsys, "memory", "import", units, "--memory", memory)[0] == 0
    glossary = tmp_path / "g.csv"
    glossary.write_text("arabic,english\nالوفد,the delegation\n", encoding="utf-8")
    source = tmp_path / "in.txt"
    source.write_text(ARABIC, encoding="utf-8")
    args = ["translate", source, "--model", "tiny", "-f", "json", "--memory", memory]
    code, out, _ = run(capsys, *args, "--glossary", glossary)
    assert code == 0
    first, second = json.loads(out)["segments"]
    assert first["target"] == ENGLISH and "memory" in first["flags"]
    assert [t["english"] for t in second["terms"]] == ["the delegation"]
    code, out, _ = run(capsys, "translate", source, "--model", "tiny", "-f", "json")
    assert "memory" not in json.loads(out)["segments"][0]["flags"]  # only when given


def test_digest_summary_first(capsys: pytest.CaptureFixture[str], registry: Path) -> None:
    article = SEEDS / "short-headline.ar.txt"
    args = ["digest", article, "--model", "tiny", "--method", "extractive", "--length", "1"]
    code, out, _ = run(capsys, *args, "-f", "json", "--summary-first")
    assert code == 0
    data = json.loads(out)
    targets = [s["target"] for s in data["translation"]["segments"]]
    [sentence] = data["summary"]["sentences"]
    # the summary is made of the chosen sentences' translations (random weights merge lines)
    assert sentence["text"] in " ".join(targets) and sentence["sources"]


def test_batch_summary_only_resumes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], registry: Path
) -> None:
    text = (SEEDS / "short-headline.ar.txt").read_text(encoding="utf-8")
    source = tmp_path / "in.jsonl"
    source.write_text(json.dumps({"text": text}, ensure_ascii=False) + "\n", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    args = ["batch", source, out, "--model", "tiny", "--summary-only", "--summary-length", "1"]
    assert run(capsys, *args, "-q")[0] == 0
    code, _, err = run(capsys, *args)
    assert code == 0 and "already complete" in err
    row = json.loads(out.read_text(encoding="utf-8"))
    assert row["translation"] and not row["error"]


def test_batch_glossary_is_checked_before_the_job_on_any_engine(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # A glossary file travels to Ray's workers in the config, so --engine ray accepts it;
    # a broken one is refused before the job reads a row, whichever engine runs it.
    pytest.importorskip("ray")
    broken = tmp_path / "bad.csv"
    broken.write_text("arabic,english\nhello,world\n", encoding="utf-8")
    source = tmp_path / "in.txt"
    source.write_text("مرحبا\n", encoding="utf-8")
    for engine in ("local", "ray"):
        args = ["batch", source, tmp_path / f"{engine}.jsonl", "--engine", engine]
        code, _, err = run(capsys, *args, "--glossary", broken)
        assert code == 2 and "no Arabic letter" in err, (engine, err)
        assert not (tmp_path / f"{engine}.jsonl").exists()


@pytest.mark.parametrize(
    "command",
    [["memory"], ["memory", "import"], ["memory", "export"], ["memory", "stats"]],
    ids=" ".join,
)
def test_memory_help(capsys: pytest.CaptureFixture[str], command: list[str]) -> None:
    code, out, _ = run(capsys, *command, "--help")
    assert code == 0 and "--memory" in out or "ACTION" in out


def test_memory_without_an_action_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "memory")[0] == 2


def test_a_server_refuses_to_start_on_a_file_that_is_not_a_memory(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], tiny_marian: Path
) -> None:
    pytest.importorskip("gradio")
    other = tmp_path / "notes.txt"
    other.write_text("hello", encoding="utf-8")
    code, _, err = run(capsys, "ui", "--model", tiny_marian, "--memory", other, "--port", "1")
    assert code == 1 and "notes.txt" in err and "Traceback" not in err, err
    glossary = tmp_path / "bad.csv"
    glossary.write_text("arabic,english\nParis,Paris\n", encoding="utf-8")
    code, _, err = run(capsys, "ui", "--model", tiny_marian, "--no-memory", "--glossary", glossary)
    assert code == 2 and "line 2" in err
