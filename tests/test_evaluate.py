"""Translation evaluation mechanics on the tiny model (the scores themselves mean nothing here)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from tests.tiny_models import REPO
from translate import InputError, MissingDependencyError
from translate.evaluate import evaluate_translation

SEEDS = REPO / "seeds"


def _pairs() -> tuple[list[str], list[str]]:
    sources = (SEEDS / "short-headline.ar.txt").read_text(encoding="utf-8").splitlines()
    references = (SEEDS / "en-news-reference.txt").read_text(encoding="utf-8").splitlines()
    return sources, references


def test_scores_keys_and_ranges(tiny_marian: Path) -> None:
    sources, references = _pairs()
    assert len(sources) == len(references)
    result = evaluate_translation(sources, references, model=str(tiny_marian), device="cpu")
    assert {"bleu", "chrf", "n", "meta", "hypotheses"} <= set(result)
    assert result["n"] == len(sources) == len(result["hypotheses"])
    assert 0.0 <= result["bleu"] <= 100.0
    assert 0.0 <= result["chrf"] <= 100.0
    meta = result["meta"]
    assert meta["model"] == str(tiny_marian)
    assert {"backend", "device", "quantization", "revision", "settings"} <= set(meta)
    assert "tok:13a" in meta["bleu_signature"]
    assert "nc:6" in meta["chrf_signature"]

    # Scored against its own output, a translation is perfect: the metrics are wired right.
    again = evaluate_translation(
        sources, result["hypotheses"], model=str(tiny_marian), device="cpu"
    )
    assert again["hypotheses"] == result["hypotheses"]
    assert again["bleu"] == pytest.approx(100.0)
    assert again["chrf"] == pytest.approx(100.0)


def test_transformers_backend_is_recorded(tiny_marian: Path) -> None:
    sources, references = _pairs()
    result = evaluate_translation(
        sources[:1], references[:1], model=str(tiny_marian), backend="transformers", device="cpu"
    )
    assert result["meta"]["backend"] == "transformers"
    assert result["n"] == 1


@pytest.mark.parametrize(
    ("sources", "references", "message"),
    [
        ([], [], "empty"),
        (["قال الوزير."], [], "empty"),
        (["قال الوزير.", "وأضاف."], ["The minister said."], "2 source segments but 1"),
    ],
)
def test_bad_inputs(sources: list[str], references: list[str], message: str) -> None:
    with pytest.raises(InputError, match=message):
        evaluate_translation(sources, references)


def test_untranslatable_line_is_named(tiny_marian: Path) -> None:
    with pytest.raises(InputError, match="line 2"):
        evaluate_translation(
            ["قال الوزير.", "no Arabic here"], ["The minister said.", "x"], model=str(tiny_marian)
        )


def test_missing_sacrebleu_gives_install_hint(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "sacrebleu", None)  # makes `import sacrebleu` fail
    with pytest.raises(MissingDependencyError, match=r"tarjama\[eval\]"):
        evaluate_translation(["قال الوزير."], ["The minister said."])
