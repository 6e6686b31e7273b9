"""``POST /api/v1/digest`` with a person's ``edits`` and ``/api/v1/translate`` with
``alternatives``, on a live 127.0.0.1 server over the TRAINED tiny Marian (its alternatives are
distinct, meaningful sentences; random weights would give noise)."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest.importorskip("gradio")
httpx = pytest.importorskip("httpx")

from tests.ui.fixtures import live_server, tiny_config  # noqa: E402
from translate import Translator  # noqa: E402

pytestmark = pytest.mark.slow

ARTICLE = (
    "قال الوزير إن سارة سيزور دمشق يوم الجمعة. زار الرئيس حلب يوم الاثنين.\n"
    "قتل 5 أشخاص في بيروت. افتتح علي مستشفى جديدا في القاهرة."
)
EDIT = "The minister said Sara will travel to Damascus on Friday."


@pytest.fixture(scope="module")
def url(trained_marian: Path):
    config = tiny_config(
        trained_marian, translation_settings={"num_beams": 4, "max_new_tokens": 40}
    )
    with live_server(config) as (url, _):
        yield url


def post(url: str, path: str, body: dict) -> httpx.Response:
    return httpx.post(url + path.lstrip("/"), json=body, timeout=120)


def test_translate_gives_each_segment_its_alternatives(url: str) -> None:
    data = post(url, "/api/v1/translate", {"text": ARTICLE, "alternatives": 3}).json()
    assert len(data["segments"]) == 4
    for segment in data["segments"]:
        assert 0 < segment["confidence"] <= 1 and isinstance(segment["weak"], list)
        others = [a["target"] for a in segment["alternatives"]]
        assert 1 <= len(others) <= 3
        keys = {" ".join(t.casefold().split()) for t in others}
        assert len(keys) == len(others)
        assert " ".join(segment["target"].casefold().split()) not in keys
        assert all(0 < a["confidence"] <= 1 for a in segment["alternatives"])
    plain = post(url, "/api/v1/translate", {"text": ARTICLE}).json()
    assert all("alternatives" not in s for s in plain["segments"])


@pytest.mark.parametrize("bad", [6, -1, "three", 2.5])
def test_more_than_five_alternatives_is_a_400(url: str, bad: object) -> None:
    reply = post(url, "/api/v1/translate", {"text": ARTICLE, "alternatives": bad})
    assert reply.status_code == 400 and reply.json()["code"] == "bad_request"
    assert "alternatives" in reply.json()["error"]


def test_digest_of_edits_keeps_the_machine_version_and_translates_nothing_again(
    url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = post(url, "/api/v1/digest", {"text": ARTICLE, "method": "extractive"}).json()
    machine = first["translation"]["segments"][0]["target"]
    calls = {"n": 0}
    original = Translator.run

    def counting(self, pieces, *args, **kwargs):  # noqa: ANN001 - the Translator's signature
        generate = self.backend.generate

        def count(*a, **k):  # noqa: ANN002, ANN003
            calls["n"] += 1
            return generate(*a, **k)

        self.backend.generate = count  # the model's own calls, not the cache's answers
        try:
            return original(self, pieces, *args, **kwargs)
        finally:
            del self.backend.generate

    monkeypatch.setattr(Translator, "run", counting)
    body = {"text": ARTICLE, "method": "extractive", "length": 4, "edits": {"0": EDIT}}
    data = post(url, "/api/v1/digest", body).json()
    assert calls["n"] == 0  # every sentence came from the cache
    segments = data["translation"]["segments"]
    assert segments[0]["target"] == EDIT and segments[0]["edited"] is True
    assert segments[0]["machine"] == machine and segments[0]["flags"] == ["edited"]
    assert segments[0]["confidence"] is None and segments[0]["weak"] == []
    assert all("edited" not in s for s in segments[1:])
    assert data["translation"]["text"].startswith(EDIT)
    assert "\n" in data["translation"]["text"]  # the paragraph break kept
    assert data["translation"]["meta"]["edited"] == [0]
    summary = data["summary"]["sentences"]
    assert any(s["text"] == EDIT and s["sources"] == [0] for s in summary)
    assert machine not in data["summary"]["text"]


@pytest.mark.parametrize(
    "edits,status",
    [({"9": "x"}, 400), ({"-1": "x"}, 400), ({"zero": "x"}, 400), ({"0": "x" * 5000}, 413)],
)
def test_bad_edits_are_refused(url: str, edits: dict, status: int) -> None:
    reply = post(url, "/api/v1/digest", {"text": ARTICLE, "edits": edits})
    assert reply.status_code == status, reply.text
    assert reply.json()["error"]
