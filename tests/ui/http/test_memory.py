"""The translation memory over HTTP on a live 127.0.0.1 server: the /api/v1/memory routes,
LibreTranslate's /suggest (then the real ``libretranslatepy`` client's translate uses it),
translations that use the memory, persistence across a restart, keys, bad input, concurrent
writers, and memory files that cannot be used."""

from __future__ import annotations

import sqlite3
import threading
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib import parse, request

import pytest

pytest.importorskip("gradio")
httpx = pytest.importorskip("httpx")

from tests.ui.fixtures import live_server, tiny_config  # noqa: E402
from translate.memory import MAX_UNIT_CHARS, MemoryStoreError  # noqa: E402
from ui.service.memory import key_name  # noqa: E402

SENTENCE = "قال الوزير إن المحادثات ستستأنف الأسبوع المقبل."
NEAR = "قال الوزير إن المحادثات ستستأنف الأسبوع القادم."
ENGLISH = "The minister said the talks would resume next week."
OTHER = "وأضاف أن الوفد سيصل غدا."
KEY = "k3y-newsroom-desk"


@pytest.fixture(scope="module")
def memory_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("memory") / "memory.sqlite3"


@pytest.fixture(scope="module")
def server(tiny_marian: Path, memory_file: Path):
    with live_server(tiny_config(tiny_marian, memory=memory_file)) as (url, app):
        yield url, app


def post(url: str, path: str, **kwargs) -> httpx.Response:
    return httpx.post(url + path.lstrip("/"), timeout=120, **kwargs)


def get(url: str, path: str, **kwargs) -> httpx.Response:
    return httpx.get(url + path.lstrip("/"), timeout=120, **kwargs)


# -- the routes --------------------------------------------------------------------------------
def test_add_update_search_delete(url: str) -> None:
    first = post(url, "/api/v1/memory", json={"source": OTHER, "target": "He added."})
    assert first.status_code == 201
    unit = first.json()
    assert unit["source"] == OTHER and unit["target"] == "He added." and unit["origin"] == "api"
    again = post(url, "/api/v1/memory", json={"source": OTHER, "target": "He also said."})
    assert again.status_code == 201 and again.json()["id"] == unit["id"]
    assert again.json()["target"] == "He also said."
    found = get(url, "/api/v1/memory", params={"q": OTHER, "limit": 5}).json()["matches"]
    assert found[0]["id"] == unit["id"] and found[0]["similarity"] == 1.0
    assert httpx.delete(f"{url}api/v1/memory/{unit['id']}").status_code == 204
    gone = httpx.delete(f"{url}api/v1/memory/{unit['id']}")
    assert gone.status_code == 404 and gone.json()["code"] == "not_found"
    assert get(url, "/api/v1/memory", params={"q": OTHER}).json()["matches"] == []


def test_translation_uses_the_memory_and_offers_near_matches(url: str) -> None:
    assert post(url, "/api/v1/memory", json={"source": SENTENCE, "target": ENGLISH}).is_success
    data = post(url, "/api/v1/translate", json={"text": f"{SENTENCE} {OTHER}"}).json()
    exact = data["segments"][0]
    assert exact["target"] == ENGLISH and "memory" in exact["flags"]
    near = post(url, "/api/v1/translate", json={"text": NEAR}).json()["segments"][0]
    assert "memory" not in near["flags"] and near["target"] != ENGLISH
    [suggestion] = near["suggestions"]
    assert suggestion["target"] == ENGLISH and 0.8 <= suggestion["similarity"] < 1.0
    matches = get(url, "/api/v1/memory", params={"q": NEAR}).json()["matches"]
    assert matches[0]["target"] == ENGLISH and matches[0]["similarity"] < 1.0


def test_export_is_tmx(url: str) -> None:
    post(url, "/api/v1/memory", json={"source": SENTENCE, "target": ENGLISH})
    reply = get(url, "/api/v1/memory/export")
    assert reply.status_code == 200 and "tmx" in reply.headers["content-type"]
    root = ET.fromstring(reply.content)
    assert root.tag == "tmx" and root.get("version") == "1.4"
    segs = [[s.text for s in tu.iter("seg")] for tu in root.iter("tu")]
    assert [SENTENCE, ENGLISH] in segs


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ({"source": " ", "target": "x"}, "source is empty"),
        ({"source": SENTENCE, "target": ""}, "target is empty"),
        ({"source": "ا" * (MAX_UNIT_CHARS + 1), "target": "x"}, "at most"),
        ({"source": "قال\x00", "target": "x"}, "NUL"),
        ({"source": "قال", "target": "x" * 40}, "more than 10 times"),
        ({"source": "قال", "target": "x", "glossary": []}, "unknown field glossary"),
    ],
    ids=["empty-source", "empty-target", "too-long", "nul", "runaway-target", "unknown-field"],
)
def test_bad_units_are_400_with_the_reason(url: str, body: dict, reason: str) -> None:
    reply = post(url, "/api/v1/memory", json=body)
    assert reply.status_code == 400 and reason in reply.json()["error"], reply.text


def test_a_lone_surrogate_is_400(url: str) -> None:
    raw = b'{"source": "\\u0642\\u0627\\u0644 \\ud800", "target": "said"}'
    reply = post(url, "/api/v1/memory", content=raw, headers={"content-type": "application/json"})
    assert reply.status_code == 400 and "surrogate" in reply.json()["error"].lower(), reply.text


# -- LibreTranslate ----------------------------------------------------------------------------
def test_libretranslate_suggest_then_the_client_translates_with_it(url: str) -> None:
    from libretranslatepy import LibreTranslateAPI

    assert get(url, "/frontend/settings").json()["suggestions"] is True
    sentence = "أعلنت الحكومة عن خطة جديدة للنقل العام."
    client = LibreTranslateAPI(url)
    before = client.translate(sentence, "ar", "en")
    better = "The government announced a new public transport plan."
    assert before != better
    # libretranslatepy 2.1.4 has no suggest(): post as it (and LibreTranslate's page) posts.
    form = parse.urlencode({"q": sentence, "s": better, "source": "ar", "target": "en"})
    with request.urlopen(request.Request(url + "suggest", data=form.encode()), timeout=60) as r:
        assert r.status == 200 and r.read() == b'{"success":true}'
    assert client.translate(sentence, "ar", "en") == better
    unit = get(url, "/api/v1/memory", params={"q": sentence}).json()["matches"][0]
    assert unit["origin"] == "suggest"


def test_suggest_refuses_missing_fields_and_other_languages(url: str) -> None:
    missing = post(url, "/suggest", data={"q": SENTENCE, "source": "ar", "target": "en"})
    assert missing.status_code == 400 and "missing s" in missing.json()["error"]
    wrong = post(url, "/suggest", data={"q": "x", "s": "y", "source": "en", "target": "ar"})
    assert wrong.status_code == 400


# -- persistence, keys, no memory --------------------------------------------------------------
def test_units_survive_a_restart(tiny_marian: Path, tmp_path: Path) -> None:
    file = tmp_path / "tm" / "memory.sqlite3"
    config = tiny_config(tiny_marian, memory=file)
    with live_server(config) as (url, _):
        assert post(url, "/api/v1/memory", json={"source": SENTENCE, "target": ENGLISH}).is_success
    assert oct(file.stat().st_mode & 0o777) == "0o600"
    with live_server(config) as (url, _):
        segment = post(url, "/api/v1/translate", json={"text": SENTENCE}).json()["segments"][0]
        assert segment["target"] == ENGLISH and "memory" in segment["flags"]


def test_keys_guard_the_memory_and_units_record_the_key_name(
    tiny_marian: Path, tmp_path: Path
) -> None:
    config = tiny_config(tiny_marian, memory=tmp_path / "m.sqlite3", api_keys={KEY: None})
    with live_server(config) as (url, _):
        body = {"source": SENTENCE, "target": ENGLISH}
        assert post(url, "/api/v1/memory", json=body).status_code == 401
        assert (
            post(url, "/api/v1/memory", json={**body, "api_key": "wrong-key-x"}).status_code == 403
        )
        assert httpx.delete(f"{url}api/v1/memory/1").status_code == 401
        lt = post(
            url, "/suggest", data={"q": SENTENCE, "s": ENGLISH, "source": "ar", "target": "en"}
        )
        assert lt.status_code == 400 and "api key" in lt.json()["error"].lower()
        unit = post(url, "/api/v1/memory", json=body, headers={"X-API-Key": KEY}).json()
        assert unit["key_name"] == key_name(KEY) and KEY not in unit["key_name"]
        export = get(url, "/api/v1/memory/export", params={"api_key": KEY})
        assert export.status_code == 200 and key_name(KEY).encode() in export.content
        assert KEY.encode() not in export.content
        gone = httpx.delete(f"{url}api/v1/memory/{unit['id']}", headers={"X-API-Key": KEY})
        assert gone.status_code == 204


def test_a_server_without_memory(tiny_marian: Path) -> None:
    with live_server(tiny_config(tiny_marian)) as (url, _):
        assert get(url, "/frontend/settings").json()["suggestions"] is False
        reply = post(url, "/api/v1/memory", json={"source": SENTENCE, "target": ENGLISH})
        assert reply.status_code == 503 and reply.json()["code"] == "memory_off"
        lt = post(
            url, "/suggest", data={"q": SENTENCE, "s": ENGLISH, "source": "ar", "target": "en"}
        )
        assert lt.status_code == 403


# -- files that cannot be used, concurrent writers ---------------------------------------------
def test_a_file_that_is_not_a_memory_stops_the_start(tiny_marian: Path, tmp_path: Path) -> None:
    from ui.http.server import create_app

    file = tmp_path / "notes.txt"
    file.write_text("not a database", encoding="utf-8")
    with pytest.raises(MemoryStoreError, match="notes.txt"):
        create_app(tiny_config(tiny_marian, memory=file))


def test_a_locked_memory_is_503_with_the_reason(tiny_marian: Path, tmp_path: Path) -> None:
    file = tmp_path / "locked.sqlite3"
    with live_server(tiny_config(tiny_marian, memory=file)) as (url, app):
        app.state.workbench.pool.memory.busy_timeout = 0.2  # connections made from now on
        other = sqlite3.connect(file, timeout=0.1)
        other.execute("BEGIN IMMEDIATE")  # another program holds the write lock
        try:
            reply = post(url, "/api/v1/memory", json={"source": SENTENCE, "target": ENGLISH})
        finally:
            other.rollback()
            other.close()
        assert reply.status_code == 503, reply.text
        data = reply.json()
        assert data["code"] == "memory_unavailable" and "lock" in data["error"]
        assert str(tmp_path) not in reply.text
        assert post(url, "/api/v1/memory", json={"source": SENTENCE, "target": ENGLISH}).is_success


def test_translations_are_answered_while_twenty_writers_post(url: str, server) -> None:
    memory = server[1].state.workbench.pool.memory
    before = memory.stats().units
    failures: list[str] = []
    per_writer = 25

    def writer(w: int) -> None:
        with httpx.Client(base_url=url, timeout=120) as client:
            for i in range(per_writer):
                body = {
                    "source": f"كتب المحرر رقم {w} الجملة رقم {i} اليوم.",
                    "target": f"w{w} s{i}",
                }
                reply = client.post("api/v1/memory", json=body)
                if reply.status_code != 201:
                    failures.append(reply.text)

    threads = [threading.Thread(target=writer, args=(w,)) for w in range(20)]
    for thread in threads:
        thread.start()
    answered = 0
    while any(t.is_alive() for t in threads):
        reply = post(url, "/api/v1/translate", json={"text": "وصل الوفد إلى العاصمة صباح اليوم."})
        assert reply.status_code == 200
        answered += 1
    for thread in threads:
        thread.join()
    assert not failures and answered >= 1
    assert memory.stats().units == before + 20 * per_writer


def test_a_correction_confirmed_in_the_page_is_kept_and_used(
    tiny_marian: Path, tmp_path: Path
) -> None:
    """The editor's save hook writes the memory; the next translation takes the edit."""
    from ui.service.edits import ConfirmedEdit
    from ui.service.workbench import Workbench

    bench = Workbench(tiny_config(tiny_marian, memory=tmp_path / "edits.sqlite3"))
    try:
        source = "عقد مجلس الأمن جلسة طارئة."
        machine = bench.translate(source).segments[0].target
        bench.save_edit(ConfirmedEdit(source, "The Security Council met urgently.", machine, "m"))
        again = bench.translate(source).segments[0]
        assert again.target == "The Security Council met urgently."
        assert "memory" in again.flags
        units = bench.pool.memory.search(source)
        assert units and units[0].unit.origin == "edit"
    finally:
        bench.cleanup()
