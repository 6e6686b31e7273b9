"""Glossaries over HTTP: the server's default (``--glossary FILE``), a request's own entries
over it (the request wins on the same Arabic term), 400s that name the entry, and concurrent
requests with different glossaries through the shared batcher never mixing their terms."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

pytest.importorskip("gradio")
httpx = pytest.importorskip("httpx")

from tests.ui.fixtures import live_server, tiny_config  # noqa: E402

TEXT = "وصل سعيد إلى دمشق اليوم. وقال الوزير إن المحادثات ستستأنف."


@pytest.fixture(scope="module")
def server(tiny_marian: Path, tmp_path_factory: pytest.TempPathFactory):
    folder = tmp_path_factory.mktemp("glossary")
    glossary = folder / "house.csv"
    glossary.write_text("arabic,english\nدمشق,Damascus\n", encoding="utf-8")
    with live_server(tiny_config(tiny_marian, glossary=glossary)) as (url, app):
        yield url, app


def translate(url: str, **body) -> httpx.Response:
    return httpx.post(url + "api/v1/translate", json={"text": TEXT, **body}, timeout=120)


def terms(data: dict) -> list[tuple[str, str, str]]:
    return [
        (TEXT[t["start"] : t["end"]], t["english"], t["applied"])
        for s in data["segments"]
        for t in s["terms"]
    ]


def test_the_server_default_applies(url: str) -> None:
    data = translate(url).json()
    [(arabic, english, _)] = terms(data)
    assert (arabic, english) == ("دمشق", "Damascus")
    first = data["segments"][0]
    assert "Damascus" in first["target"] or "term-missing" in first["flags"]
    assert data["meta"]["glossary"]["entries"] == 1


def test_a_request_adds_terms_and_wins_on_the_same_term(url: str) -> None:
    entries = [{"arabic": "سعيد", "english": ""}, {"arabic": "دمشق", "english": "Dimashq"}]
    data = translate(url, glossary=entries).json()
    assert sorted((a, e) for a, e, _ in terms(data)) == [("دمشق", "Dimashq"), ("سعيد", "")]
    target = data["segments"][0]["target"]
    assert "Damascus" not in target
    assert "Dimashq" in target or "term-missing" in data["segments"][0]["flags"]
    assert data["meta"]["glossary"]["entries"] == 2
    # the digest takes the same field
    digest = httpx.post(
        url + "api/v1/digest", json={"text": TEXT, "glossary": entries}, timeout=120
    ).json()
    assert terms(digest["translation"]) == terms(data)


@pytest.mark.parametrize(
    ("glossary", "reason"),
    [
        ([{"arabic": "دمشق", "english": "Damascus"}, {"english": "x"}], "entry 2: 'arabic'"),
        ([{"arabic": "Paris", "english": "Paris"}], "entry 1: the Arabic term 'Paris'"),
        ([{"arabic": "دمشق", "english": "a__b"}], "entry 1"),
        ([{"arabic": "دمشق", "engish": "x"}], "entry 1: unknown field"),
        ([{"arabic": "دمشق"}] * 1001, "at most 1000"),
        ("دمشق", "glossary"),
    ],
    ids=["no-arabic", "not-arabic", "placeholder", "unknown-field", "too-many", "not-a-list"],
)
def test_bad_entries_are_400_naming_the_entry(url: str, glossary, reason: str) -> None:
    reply = translate(url, glossary=glossary)
    assert reply.status_code == 400 and reason in reply.json()["error"], reply.text


def test_concurrent_glossaries_never_mix(url: str) -> None:
    """Requests with the default and with their own glossary share the batcher at once; each
    answer holds its own term, and the sentence cache keeps them apart afterwards too."""
    own = [{"arabic": "دمشق", "english": "Dimashq"}]
    answers: dict[int, dict] = {}

    def ask(i: int) -> None:
        answers[i] = translate(url, **({"glossary": own} if i % 2 else {})).json()

    threads = [threading.Thread(target=ask, args=(i,)) for i in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for i, data in answers.items():
        wanted, other = ("Dimashq", "Damascus") if i % 2 else ("Damascus", "Dimashq")
        assert [e for _, e, _ in terms(data)] == [wanted]
        assert other not in data["text"]
    again = translate(url).json()
    assert "Dimashq" not in again["text"] and [e for _, e, _ in terms(again)] == ["Damascus"]
