"""translate.serving: cross-request batching keeps each request's own result and order."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from tests.conftest import SEEDS
from translate import InputError, Translator
from translate.serving import BatchingTranslator, ServerBusyError

SHORT = [
    "قال الوزير إن المحادثات ستستأنف.",
    "وأضاف أن الحكومة ستواصل العمل. وأكد أن الاتفاق قريب.",
    (SEEDS / "short-headline.ar.txt").read_text(encoding="utf-8"),
]


@pytest.fixture()
def fixed_cap(tiny_marian: Path) -> Translator:
    """A fixed output cap (no per-batch length ratio), so batching cannot change outputs."""
    return Translator(
        model=str(tiny_marian),
        backend="transformers",
        cache_size=0,
        generation={"num_beams": 1, "max_new_tokens": 12, "max_length_ratio": None},
    )


def _plain(segments) -> list[dict]:
    """Segments without their scores and confidences (padding in a shared batch moves the
    last float digits)."""
    floats = ("score", "confidence")
    return [{k: v for k, v in s.to_dict().items() if k not in floats} for s in segments]


@pytest.mark.parametrize("batching", [True, False])
def test_concurrent_requests_get_their_own_results(
    fixed_cap: Translator, seed_article: str, batching: bool
) -> None:
    texts = [seed_article, *SHORT, SHORT[0]]
    alone = [fixed_cap.translate(text) for text in texts]
    server = BatchingTranslator(fixed_cap, batching=batching, window_s=0.05)
    results: dict[int, object] = {}

    def client(i: int) -> None:
        results[i] = server.translate(texts[i])

    threads = [threading.Thread(target=client, args=(i,)) for i in range(len(texts))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert len(results) == len(texts)
    for i in range(len(texts)):
        result = results[i]
        assert result.text == alone[i].text  # type: ignore[attr-defined]
        assert _plain(result.segments) == _plain(alone[i].segments)  # type: ignore[attr-defined]
    # Requests arriving inside one window share a cycle; without batching, never.
    assert (server.widest_cycle > 1) is batching
    server.close()


def test_streaming_is_in_order_and_matches_translate(
    fixed_cap: Translator, seed_article: str
) -> None:
    server = BatchingTranslator(fixed_cap)
    streamed = list(server.iter_segments(seed_article))
    assert [s.index for s in streamed] == list(range(len(streamed)))
    assert _plain(streamed) == _plain(fixed_cap.translate(seed_article).segments)
    server.close()


def test_a_long_request_does_not_hold_the_model(fixed_cap: Translator, seed_article: str) -> None:
    """A short request that arrives while a long one runs finishes long before the long one."""
    long_text = "\n".join([seed_article] * 4)
    server = BatchingTranslator(fixed_cap, cycle_tokens=256)
    finished: dict[str, float] = {}

    def long_client() -> None:
        server.translate(long_text)
        finished["long"] = time.monotonic()

    thread = threading.Thread(target=long_client)
    thread.start()
    while server.cycles < 1:  # the long request has started
        time.sleep(0.005)
    server.translate(SHORT[0])
    finished["short"] = time.monotonic()
    thread.join(timeout=300)
    assert finished["short"] < finished["long"]
    server.close()


def test_input_errors_raise_in_the_caller(fixed_cap: Translator) -> None:
    server = BatchingTranslator(fixed_cap)
    with pytest.raises(InputError, match="empty"):
        server.translate("")
    with pytest.raises(InputError, match="no Arabic"):
        list(server.iter_segments("Hello there."))
    assert server.pending == 0
    server.close()


def test_queue_full_is_a_busy_error(fixed_cap: Translator) -> None:
    server = BatchingTranslator(fixed_cap, max_pending=1)
    gate = threading.Event()
    original = fixed_cap.run

    def slow_run(pieces, progress=None):  # noqa: ANN001 - the Translator's own signature
        gate.wait(30)
        return original(pieces, progress)

    fixed_cap.run = slow_run  # type: ignore[method-assign]
    thread = threading.Thread(target=server.translate, args=(SHORT[0],))
    thread.start()
    while server.pending < 1:
        time.sleep(0.005)
    with pytest.raises(ServerBusyError, match="busy"):
        server.translate(SHORT[1])
    gate.set()
    thread.join(timeout=60)
    server.close()


def test_closing_a_stream_drops_its_remaining_sentences(
    fixed_cap: Translator, seed_article: str
) -> None:
    server = BatchingTranslator(fixed_cap)
    stream = server.iter_segments(seed_article)
    first = next(stream)
    assert first.index == 0
    stream.close()
    assert server.pending == 0
    assert server.translate(SHORT[0]).segments  # the worker goes on serving
    server.close()


def test_model_errors_reach_every_request_of_the_cycle(fixed_cap: Translator) -> None:
    server = BatchingTranslator(fixed_cap)

    def broken(pieces, progress=None):  # noqa: ANN001
        raise RuntimeError("engine exploded")

    fixed_cap.run = broken  # type: ignore[method-assign]
    with pytest.raises(RuntimeError, match="exploded"):
        server.translate(SHORT[0])
    del fixed_cap.run  # the class's method again
    assert server.translate(SHORT[0]).segments
    server.close()


def test_translate_many_keeps_each_text(fixed_cap: Translator) -> None:
    server = BatchingTranslator(fixed_cap, max_pending=1)
    results = server.translate_many(SHORT)  # many texts of one caller count once
    assert [_plain(r.segments) for r in results] == [
        _plain(fixed_cap.translate(text).segments) for text in SHORT
    ]
    server.close()


def test_clients_coming_back_share_the_next_cycle(fixed_cap: Translator) -> None:
    """Clients answered by one cycle send their next requests with gaps longer than the quiet
    window (HTTP on busy cores): they still share one cycle instead of splitting into cohorts
    that alternate in half-full cycles."""
    clients = 4
    server = BatchingTranslator(fixed_cap, window_s=0.1, max_window_s=3.0)
    answered = threading.Barrier(clients + 1)

    def client(i: int) -> None:
        server.translate(SHORT[i % len(SHORT)])  # together: one cycle
        answered.wait()
        time.sleep(0.3 * i)  # back one after another, 0.3 s apart (> window_s)
        server.translate(SHORT[(i + 1) % len(SHORT)])

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    answered.wait(timeout=120)
    assert (server.cycles, server.widest_cycle) == (1, clients)
    for thread in threads:
        thread.join(timeout=120)
    assert (server.cycles, server.widest_cycle) == (2, clients)
    server.close()


def test_streams_validate_at_the_call(fixed_cap: Translator) -> None:
    """A page checks the text once: the batcher raises from the call, before anything queues."""
    server = BatchingTranslator(fixed_cap)
    with pytest.raises(InputError):
        server.iter_segments("Hello there.")
    assert server.pending == 0
    server.close()


def test_views_of_one_kind_share_a_run(
    fixed_cap: Translator, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Requests through views of the same kind (here without weak words: LibreTranslate's)
    share their cycle's model work; another kind runs apart, in the same cycle."""
    runs: list[tuple[bool, int]] = []
    real = Translator.run

    def run(self, pieces, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003, ANN202
        runs.append((self.weak_words, len(pieces)))
        return real(self, pieces, *args, **kwargs)

    monkeypatch.setattr(Translator, "run", run)
    server = BatchingTranslator(fixed_cap, window_s=0.5, max_window_s=5.0)
    texts = [
        "قال الوزير إن المحادثات ستستأنف.",
        "وأكد أن الاتفاق قريب.",
        "وأضاف أن الحكومة ستواصل.",
    ]
    views = [fixed_cap.with_weak_words(False), fixed_cap.with_weak_words(False), None]
    results: list = [None] * 3

    def client(i: int) -> None:
        results[i] = server.translate(texts[i], view=views[i])

    threads = [threading.Thread(target=client, args=(i,)) for i in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert server.cycles == 1
    assert sorted(runs) == [(False, 2), (True, 1)]
    for text, result in zip(texts, results, strict=True):
        assert _plain(result.segments) == _plain(fixed_cap.translate(text).segments)
    server.close()
