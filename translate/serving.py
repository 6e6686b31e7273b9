"""Cross-request batching for servers: the sentences of concurrent requests share model batches.

A server that translates each request on its own runs twenty small model batches one after
another when twenty clients ask at once, and the twentieth waits for all of them. A
:class:`BatchingTranslator` owns the model calls of one :class:`~translate.Translator`: one
worker thread collects the next sentences of every waiting request for a short window and runs
them together through the Translator's own pipeline (sentence cache, length-sorted token-budget
batches, the guard), then hands each request its segments back, in its own source order.

Each request is prepared exactly as ``Translator.translate`` prepares it (the same sentences,
windows and flags); only which sentences share a model batch changes, as it already does across
the documents of ``Translator.translate_batch``.

A cycle's sentences go through the Translator's own length-sorted token-budget batches, the
same path as one request alone: every sentence ends at its own cap (per-row caps, the
backends' ``caps=``), so a short sentence beside a long one from another request neither
changes its output nor runs to the long one's length. (Sub-batches of similar length were
tried and measured slower: 3.8-5.5 against 4.8-6.3 sentences/s on 20 short requests.)

Fairness: each cycle of the worker is about one model batch (``cycle_tokens`` source tokens),
filled round-robin from the waiting requests, so a 4,000-sentence request advances one batch at a
time beside the others instead of holding the model until it is done. A streaming request's
first cycle takes its first sentence only (``batching.stream_head``), so it shows quickly; the
next cycles take the rest like any request (growing waves of 2, 4, 8… made small batches).

The worker drives the Translator through its public stages only: ``prepare`` (in the worker:
one tokenizer user at a time), ``run`` on each cycle's pieces, ``segment``/``assemble`` in the
caller's thread.

``batching=False`` serves one request at a time, first come first served (the baseline of
``bench/serve.py``).

A request with its own glossary passes ``view=translator.with_glossary(g)`` (a view sharing the
model), one that needs no weak words ``view=translator.with_weak_words(False)``: its pieces are
prepared by the view, and a cycle runs the pieces of each kind of view (glossary fingerprint,
weak words) in their own ``run`` call, so no translator call mixes glossaries (the cache key of
a term's sentence holds its glossary's fingerprint, and the repair of a term its own entries).
The model work stays in the one worker thread (one tokenizer user at a time).
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Callable, Collection, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from .batching import stream_head
from .errors import ServerBusyError, TarjamaError  # ServerBusyError: re-exported here
from .translator import Piece, Translator, stream_order, validate_text
from .types import Segment, TranslationResult

__all__ = ["BatchingTranslator", "ServerBusyError"]

log = logging.getLogger(__name__)

DEFAULT_WINDOW_S = 0.005  # an idle worker starts once no request arrived for this long...
MAX_WINDOW_FACTOR = 20  # ...or after this many windows at most (unless told otherwise)
DEFAULT_MAX_PENDING = 64
_STOP_POLL_S = 0.1  # how often a waiting stream checks whether it should stop
# Requests arriving this soon after a cycle answered are taken for its clients coming back
# (over HTTP on two busy cores, the first came 66 ms after the answers).
_RETURN_S = 1.0


@dataclass(eq=False)
class _Request:
    """The texts of one caller on their way through the worker, as one line of pieces
    (private)."""

    texts: list[str]
    stream: bool
    first: frozenset[int] = frozenset()  # a stream's sentences to translate before the others
    pieces: list[Piece] | None = None  # the Translator's prepared pieces, set by the worker
    bounds: list[tuple[int, int]] = field(default_factory=list)  # each text's pieces
    order: list[int] = field(default_factory=list)  # the pieces in the order they are run
    head: int = 0  # how many of ``order`` a stream's first cycle takes
    scheduled: int = 0  # pieces handed to a cycle so far (a prefix of ``order``)
    done: int = 0  # pieces translated so far (a prefix of ``order``)
    error: BaseException | None = None
    cancelled: bool = False
    view: Translator | None = None  # a view of the batcher's Translator (its own glossary)

    @property
    def finished(self) -> bool:
        return self.error is not None or (self.pieces is not None and self.done >= len(self.pieces))


class BatchingTranslator:
    """A Translator shared by concurrent requests, whose sentences are batched together.

    ``translate`` and ``translate_many`` block until their texts are done; ``iter_segments``
    streams one text's segments in source order. Input errors (empty, not Arabic, too long) are
    raised in the caller's thread before anything is queued; :class:`ServerBusyError` when
    ``max_pending`` requests are already waiting. An idle worker starts once no request arrived
    for ``window_s``, or after ``max_window_s`` (default 20 windows) at most (clients answered by
    one cycle send their next requests within milliseconds of each other: they should share the
    next cycle);
    ``cycle_tokens`` (default: the Translator's ``batch_tokens``) bounds the source tokens of
    one cycle.
    """

    def __init__(
        self,
        translator: Translator,
        *,
        batching: bool = True,
        window_s: float = DEFAULT_WINDOW_S,
        max_window_s: float | None = None,
        cycle_tokens: int | None = None,
        max_pending: int = DEFAULT_MAX_PENDING,
    ) -> None:
        self.translator = translator
        self.batching = batching
        self.window_s = max(0.0, window_s)
        if max_window_s is None:
            max_window_s = MAX_WINDOW_FACTOR * self.window_s
        self.max_window_s = max(self.window_s, max_window_s)
        self._arrivals = 0  # requests submitted so far
        # When the last cycle answered, and the arrival count once its clients are all back.
        self._answered_at = float("-inf")
        self._expected_arrivals = 0
        self.cycle_tokens = cycle_tokens or translator.batch_tokens
        self.max_pending = max_pending
        self._cond = threading.Condition()
        self._queue: deque[_Request] = deque()
        self._closed = False
        self._worker: threading.Thread | None = None
        self.cycles = 0  # model cycles run (for tests and the benchmark)
        self.widest_cycle = 0  # the most requests that shared one cycle
        self.requests_in_cycles = 0  # summed over cycles: / cycles = requests per cycle

    # -- public API ------------------------------------------------------------------------
    def translate(self, text: str, *, view: Translator | None = None) -> TranslationResult:
        """Translate one text; its sentences may share model batches with other requests."""
        return self.translate_many([text], view=view)[0]

    def translate_many(
        self, texts: Sequence[str], *, view: Translator | None = None
    ) -> list[TranslationResult]:
        """Translate several texts of one request (all validated first, then queued together).

        ``view``: a view of this batcher's Translator (``with_glossary``) that translates this
        request instead (a request's own glossary; see the module's docstring).
        """
        for text in texts:
            validate_text(text, self.translator.max_chars)
        request = self._submit(list(texts), stream=False, view=view)
        translator = view or self.translator
        try:
            self._wait(request, lambda r: r.finished)
            assert request.pieces is not None
            return [
                translator.assemble(text, request.pieces[start:end])
                for text, (start, end) in zip(request.texts, request.bounds, strict=True)
            ]
        finally:
            self._cancel(request)

    def translate_batch(
        self,
        texts: Sequence[str],
        *,
        on_error: str = "raise",
        progress: Callable[[int], None] | None = None,
    ) -> list[TranslationResult | TarjamaError]:
        """:meth:`Translator.translate_batch` through the shared cycles (a document's blocks
        share the server's model batches like any request). With ``on_error="return"`` a text
        that fails becomes its error and the others are still translated. ``progress`` is not
        reported (a page run shows its own)."""
        if on_error not in ("raise", "return"):
            raise ValueError("on_error must be 'raise' or 'return'")
        try:
            return list(self.translate_many(list(texts)))
        except TarjamaError:
            if on_error == "raise":
                raise
        results: list[TranslationResult | TarjamaError] = []
        for text in texts:  # find the text at fault; the others are still translated
            try:
                results.append(self.translate(text))
            except TarjamaError as exc:
                results.append(exc)
        return results

    @property
    def meta(self) -> dict[str, Any]:
        """The Translator's meta (model, engine, settings)."""
        return self.translator.meta

    def iter_segments(
        self,
        text: str,
        *,
        stop: Callable[[], bool] | None = None,
        first: Collection[int] = (),
        view: Translator | None = None,
    ) -> Iterator[Segment]:
        """Yield the segments of ``text`` in source order as they are translated (streaming).

        ``text`` is validated by this call, in the caller's thread (the first ``next`` does not
        raise an InputError). Closing the iterator early, or ``stop()`` turning true (checked
        while it waits), ends it and drops its remaining sentences. ``first``: sentence
        numbers (``Segment.sentence``) translated in the first cycle and yielded before the
        others (a summary's sentences), as ``Translator.iter_segments`` does. ``view``: as for
        :meth:`translate_many`.
        """
        validate_text(text, self.translator.max_chars)
        return self._stream(text, stop, frozenset(first), view)

    def _stream(
        self,
        text: str,
        stop: Callable[[], bool] | None,
        first: frozenset[int],
        view: Translator | None = None,
    ) -> Iterator[Segment]:
        request = self._submit([text], stream=True, first=first, view=view)
        translator = view or self.translator
        try:
            index = 0
            while True:
                self._wait(request, lambda r, i=index: r.finished or r.done > i, stop)
                if stop is not None and stop() and request.done <= index:
                    return
                if request.error is not None:
                    raise request.error
                assert request.pieces is not None
                for i in request.order[index : request.done]:
                    yield translator.segment(text, request.pieces[i], i)
                index = request.done
                if index >= len(request.pieces):
                    return
        finally:
            self._cancel(request)

    @property
    def pending(self) -> int:
        """Requests (callers) waiting or in progress."""
        with self._cond:
            return len(self._queue)

    def close(self) -> None:
        """Stop the worker; requests still waiting fail with a ServerBusyError."""
        with self._cond:
            self._closed = True
            for request in self._queue:
                if not request.finished:
                    request.error = ServerBusyError("The server is shutting down.")
            self._queue.clear()
            self._cond.notify_all()

    # -- requests ----------------------------------------------------------------------------
    def _submit(
        self,
        texts: list[str],
        *,
        stream: bool,
        first: frozenset[int] = frozenset(),
        view: Translator | None = None,
    ) -> _Request:
        request = _Request(texts=texts, stream=stream, first=first, view=view)
        with self._cond:
            if self._closed:
                raise ServerBusyError("The server is shutting down.")
            if len(self._queue) >= self.max_pending:
                raise ServerBusyError(
                    f"The server is busy ({len(self._queue)} requests waiting); try again shortly."
                )
            self._queue.append(request)
            self._arrivals += 1
            if self._worker is None or not self._worker.is_alive():
                self._worker = threading.Thread(
                    target=self._loop, name="tarjama-batcher", daemon=True
                )
                self._worker.start()
            self._cond.notify_all()
        return request

    def _wait(self, request: _Request, ready: Any, stop: Callable[[], bool] | None = None) -> None:
        with self._cond:
            while not ready(request):
                if self._closed and not request.finished:
                    request.error = request.error or ServerBusyError("The server is shutting down.")
                    return
                if stop is not None and stop():
                    return
                self._cond.wait(timeout=_STOP_POLL_S if stop is not None else None)
        if request.error is not None:
            raise request.error

    def _cancel(self, request: _Request) -> None:
        with self._cond:
            request.cancelled = True
            if request in self._queue:
                self._queue.remove(request)

    # -- the worker ----------------------------------------------------------------------------
    def _loop(self) -> None:
        while True:
            with self._cond:
                while not self._queue and not self._closed:
                    self._cond.wait()
                if self._closed:
                    return
                idle = all(r.scheduled == 0 for r in self._queue)
            if self.batching and self.window_s and idle:
                self._collect()
            try:
                self._cycle()
            except Exception:  # noqa: BLE001 - the worker must outlive any one request
                log.exception("batching worker cycle failed")

    def _collect(self) -> None:
        """Wait while requests keep arriving: until ``window_s`` passes without one, or
        ``max_window_s`` in all.

        Just after a cycle, also wait for as many arrivals as that cycle answered: clients send
        their next request as soon as they have an answer, but twenty answers and twenty new
        requests through HTTP can trickle in with gaps longer than ``window_s``. Starting at the
        first gap splits the clients into two cohorts that then alternate in half-full cycles
        (measured over HTTP: 13 requests per cycle instead of 20, 20% fewer sentences/s).
        """
        now = time.monotonic()
        deadline = now + self.max_window_s
        with self._cond:
            seen = self._arrivals
            expected = self._expected_arrivals if now - self._answered_at <= _RETURN_S else 0
        while time.monotonic() < deadline:
            time.sleep(self.window_s)
            with self._cond:
                if self._arrivals == seen and self._arrivals >= expected:
                    return
                seen = self._arrivals

    def _prepare_new(self) -> None:
        """Split newly arrived texts into the Translator's pieces (in the worker: one tokenizer
        user at a time)."""
        with self._cond:
            new = [r for r in self._queue if r.pieces is None and not r.cancelled]
        for request in new:
            try:
                pieces: list[Piece] = []
                bounds = []
                for doc, text in enumerate(request.texts):
                    start = len(pieces)
                    pieces += (request.view or self.translator).prepare(text, doc=doc)
                    bounds.append((start, len(pieces)))
            except Exception as exc:  # noqa: BLE001 - handed to the request's own thread
                with self._cond:
                    request.error = exc
                    self._drop(request)
                continue
            order = stream_order(pieces, request.first)
            if request.first:
                head = sum(1 for p in pieces if p.sentence in request.first)
            else:
                head = stream_head(pieces, lambda p: p.passthrough)
            with self._cond:
                request.pieces, request.bounds = pieces, bounds
                request.order, request.head = order, head
                if not pieces:
                    self._drop(request)

    def _drop(self, request: _Request) -> None:
        """Take a finished request out of the line and wake its thread (lock held)."""
        if request in self._queue:
            self._queue.remove(request)
        self._cond.notify_all()

    def _plan(self) -> list[tuple[_Request, int, int]]:
        """This cycle's work: (request, first piece, end) prefixes, round-robin, within budget."""
        plan: list[tuple[_Request, int, int]] = []
        budget = self.cycle_tokens
        with self._cond:
            ready = [r for r in self._queue if r.pieces is not None and not r.cancelled]
            if not self.batching:
                ready = ready[:1]
            for request in ready:
                assert request.pieces is not None
                start = request.scheduled
                remaining = len(request.pieces) - start
                if remaining <= 0:
                    continue
                want = remaining
                if request.stream and start == 0:
                    want = request.head or remaining
                end = start + want
                if self.batching:
                    end = start
                    for i in request.order[start : start + want]:
                        piece = request.pieces[i]
                        # The first piece of a cycle always goes, however long it is.
                        if (plan or end > start) and piece.tokens > budget:
                            break
                        budget -= piece.tokens
                        end += 1
                if end == start:
                    break  # the budget is spent: the rest go first next cycle
                plan.append((request, start, end))
                request.scheduled = end
            # Round-robin: whoever was served goes to the back of the line.
            for request, _, _ in plan:
                if request in self._queue:
                    self._queue.remove(request)
                    self._queue.append(request)
        return plan

    def _cycle(self) -> None:
        self._prepare_new()
        plan = self._plan()
        if not plan:
            return
        # One run per kind of view (the batcher's own translator, or views of it with a
        # glossary or without weak words): a translator call never mixes glossaries, and
        # requests of the same kind share their model batches.
        groups: dict[tuple[Any, ...], tuple[Translator, list[Piece]]] = {}
        for request, start, end in plan:
            translator = request.view or self.translator
            _, pieces = groups.setdefault(translator.view_kind, (translator, []))
            pieces += [request.pieces[i] for i in request.order[start:end]]  # type: ignore[index]
        errors: dict[tuple[Any, ...], BaseException] = {}
        for key, (translator, pieces) in groups.items():
            try:
                translator.run(pieces)
            except Exception as exc:  # noqa: BLE001 - every request of the group gets it
                errors[key] = exc
        self.cycles += 1
        self.widest_cycle = max(self.widest_cycle, len(plan))
        self.requests_in_cycles += len(plan)
        with self._cond:
            for request, _, end in plan:
                error = errors.get((request.view or self.translator).view_kind)
                if error is not None:
                    request.error = error
                else:
                    request.done = end
                if request.finished:
                    self._drop(request)
            self._answered_at = time.monotonic()
            answered = sum(1 for request, _, _ in plan if request.finished)
            self._expected_arrivals = self._arrivals + answered
            self._cond.notify_all()
