"""One run of the page, as plain frames: translate sentence by sentence, then summarise.

:class:`PageRuns` keeps the running run of each browser session so that Cancel can stop it: the
run itself then sends its last frame (what was done, without the "next sentences" row, and the
downloads of it), so no frame of the run can arrive after the one that says it stopped. No
gradio here: ``ui/web/app.py`` turns each :class:`Frame` into component updates.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass, field, replace
from typing import Any

from translate import Segment, TarjamaError, split_sentences
from translate.translator import join_paragraphs

from ..service.glossary import page_glossary
from ..service.workbench import Workbench, glossary_view
from . import render
from .downloads import write_run_downloads

__all__ = ["Frame", "PageRuns"]

log = logging.getLogger(__name__)
_MAX_SESSIONS = 256  # runs remembered for Cancel; the oldest sessions are forgotten first
# Characters of loaded documents kept for their downloads, all sessions together (each one is
# within the page's character limit: its text was checked before it reached the browser).
_MAX_DOCUMENT_CHARS = 4_000_000
_TICK_S = 1.0  # how often a long summary updates its status line


@dataclass
class Frame:
    """Everything the page shows after one step of a run."""

    translation: str = ""
    summary: str = ""
    aligned: str = ""
    provenance: str = ""
    error: str = ""
    status: str = ""
    downloads: dict[str, str] | None = None
    running: bool = False
    # The editor's sentences, (label, row number): None leaves them, [] clears them.
    sentences: list[tuple[str, int]] | None = None


@dataclass
class _Run:
    text: str
    model: str | None
    expected: int = 0
    segments: list[Segment] = field(default_factory=list)
    server: Any = None
    view: Any = None  # the server's translator with the run's glossary (None: as it is)
    document: Any = None  # the Document the text came from (upload or link), if any
    stopped: bool = False
    silent: bool = False

    def rows(self) -> int:
        return len({s.sentence for s in self.segments})


def _plural(n: int, word: str) -> str:
    return f"{n:,} {word}{'' if n == 1 else 's'}"


class PageRuns:
    """The page's runs over one :class:`Workbench`, one remembered per session."""

    def __init__(self, bench: Workbench) -> None:
        self.bench = bench
        self._runs: OrderedDict[str, _Run] = OrderedDict()
        # session → (source text, Document) of the last upload or link, for its downloads
        self._documents: OrderedDict[str, tuple[str, Any]] = OrderedDict()
        self._lock = threading.Lock()
        # Told of every complete run (session, and the run's source, model, method, length,
        # segments, public meta, document, summary); returns the editor's sentences.
        self.on_finished: Callable[..., list[tuple[str, int]]] | None = None

    def remember_document(self, session: str | None, text: str, document: Any) -> None:
        """The session loaded ``text`` from ``document`` (None: not from a document). A run
        of exactly this text then also offers the document's structured downloads; an edited
        text no longer matches the structure and gets the plain ones."""
        key = session or "api"
        with self._lock:
            self._documents.pop(key, None)
            if document is not None:
                self._documents[key] = (text, document)
                # Bounded in sessions and in characters held in all: the oldest go first.
                while len(self._documents) > _MAX_SESSIONS or (
                    len(self._documents) > 1
                    and sum(len(t) for t, _ in self._documents.values()) > _MAX_DOCUMENT_CHARS
                ):
                    self._documents.popitem(last=False)

    def _document_for(self, key: str, text: str) -> Any:
        with self._lock:
            loaded = self._documents.get(key)
        return loaded[1] if loaded is not None and loaded[0] == text else None

    def cleared(self, status: str) -> Frame:
        """An empty page (a new article was loaded) with a status line."""
        return Frame(
            aligned=render.aligned_view([]), status=render.status_box(status, "done"), sentences=[]
        )

    def run(
        self,
        text: str,
        model: str | None,
        method: str | None,
        length: str | None,
        session: str | None,
        summary_first: bool = False,
        *,
        glossary: tuple[Any, Any] | None = None,
    ) -> Iterator[Frame]:
        """Translate (streamed, segment by segment), then summarise; errors become messages.

        ``summary_first`` (the page's switch; used with the extractive method): the summary's
        sentences, chosen on the Arabic side, are translated first and the summary shows before
        the rest of the translation streams in (``summarize.digest.stream_digest``).
        ``glossary``: the options' ``(file, rows)`` (``ui.service.glossary.page_glossary``).

        :meth:`stop` ends it from another thread: the last frame then shows what was done
        (unless the stop was silent), so that nothing the run sends can arrive after it.
        """
        key = session or "api"
        frame = Frame(running=True, aligned=render.aligned_view([]), sentences=[])
        started = time.monotonic()
        state = _Run(text=text, model=model, document=self._document_for(key, text))
        self._remember(key, state)
        try:
            self.bench.limits.check_text(text)
            state.server = self.bench.pool.translator(model)
            if glossary is not None:
                own = page_glossary(*glossary, self.bench.pool.glossary)
                state.view = glossary_view(state.server, own)
            method = method or self.bench.summary_method
            # Validated by this call (empty, not Arabic…), before the first frame is shown.
            if summary_first and method == "extractive":
                stream = self._summary_first(text, state, length)
            else:
                stream = state.server.iter_segments(
                    text, stop=lambda: state.stopped, view=state.view
                )
        except TarjamaError as exc:
            self._forget(key, state)
            yield self._failed(frame, exc, "Nothing translated.", model)
            return
        state.expected = len(split_sentences(text))
        name = self.bench.catalog.public_name(self.bench.catalog.resolve(model))
        frame.status = render.status_box(
            f"Translating {_plural(state.expected, 'sentence')} with {name}…", "working"
        )
        yield replace(frame)
        try:
            early = yield from self._streamed(frame, state, stream)
        except Exception as exc:  # the page must stay usable whatever happens below it
            if not isinstance(exc, TarjamaError):
                log.exception("translation failed")
            frame.aligned = render.aligned_view(state.segments)
            status = "Nothing translated."
            if state.segments:
                status = f"Stopped after {state.rows()} of {state.expected} sentences."
                frame.downloads = self._write(key, state, None, note=status)
            self._forget(key, state)
            yield self._failed(frame, exc, status, model)
            return
        if state.stopped:
            yield from self._stopped(key, state)
            return
        frame.aligned = render.aligned_view(state.segments)
        if early is not None:
            summary, error = early, None
        else:
            frame.status = render.status_box(f"Translated. Summarising ({method})…", "working")
            yield replace(frame)
            summary, error = yield from self._summarise(frame, state, method, length)
        if state.stopped:
            yield from self._stopped(key, state)
            return
        if error is not None:
            message, hint = self.bench.explain(error, role="summarization")
            frame.error = render.error_box(
                f"The translation is done; {message[0].lower()}{message[1:]}", hint=hint
            )
        yield self._done(key, frame, state, summary, method, length, name, started)

    def _streamed(self, frame: Frame, state: _Run, stream: Any) -> Generator[Frame, None, Any]:
        """A frame per streamed segment (the summary-first run's summary shows when it comes);
        returns that summary, or None."""
        early: Any = None
        with contextlib.closing(stream):
            for segment in stream:
                if state.stopped:
                    break
                if not isinstance(segment, Segment):  # the summary, before the rest
                    early = segment
                    frame.summary = segment.text
                    yield replace(frame)
                    continue
                state.segments.append(segment)
                frame.translation = join_paragraphs(state.text, state.segments)
                frame.aligned = render.aligned_view(state.segments, pending=True)
                frame.status = render.status_box(
                    f"Translating… {state.rows()} of {state.expected} sentences", "working"
                )
                yield replace(frame)
        return early

    def _done(
        self,
        key: str,
        frame: Frame,
        state: _Run,
        summary: Any,
        method: str,
        length: str | None,
        name: str,
        started: float,
    ) -> Frame:
        """The complete run's last frame: summary, downloads, the editor's sentences, status."""
        if summary is not None:
            frame.summary = summary.text
            frame.aligned = render.aligned_view(state.segments, summary.sentences)
            frame.provenance = render.provenance_view(summary.sentences, state.segments)
        frame.downloads = self._write(key, state, summary)
        frame.running = False
        frame.sentences = self._finished(key, state, method, length, summary)
        rows = render.aligned_rows(state.segments)
        flagged = sum(1 for row in rows if row.severity)
        note = f" · {flagged} flagged" if flagged else ""
        frame.status = render.status_box(
            f"Done in {time.monotonic() - started:.1f} s · {_plural(len(rows), 'sentence')}{note}"
            f" · model {name}",
            "done" if summary is not None else "stopped",
        )
        self._forget(key, state)
        return replace(frame)

    def _summary_first(self, text: str, state: _Run, length: str | None) -> Iterator[Any]:
        """The extractive summary, then every segment (``stream_digest`` over the server's
        batcher, stopped with the run)."""
        from summarize.digest import stream_digest

        server = state.server

        class Stoppable:  # the batcher's stream as stream_digest calls it, with the run's stop
            def iter_segments(self, arabic: str, *, first: Any = ()) -> Iterator[Segment]:
                return server.iter_segments(
                    arabic, stop=lambda: state.stopped, first=first, view=state.view
                )

        return stream_digest(
            text,
            Stoppable(),
            method="extractive",
            length=length or self.bench.config.summary_length,
        )

    def _summarise(
        self, frame: Frame, state: _Run, method: str, length: str | None
    ) -> Iterator[Frame]:
        """Summarise in a thread; meanwhile tick the status line so a long summary shows life."""
        box: dict[str, Any] = {}
        targets = [s.target for s in state.segments]

        def work() -> None:
            try:
                box["summary"] = self.bench.summarize(
                    targets, method, length, from_translation=True
                )
            except Exception as exc:  # noqa: BLE001 - reported in the page
                if not isinstance(exc, TarjamaError):
                    log.exception("summary failed")
                box["error"] = exc

        thread = threading.Thread(target=work, name="tarjama-summary", daemon=True)
        started = time.monotonic()
        thread.start()
        while not state.stopped:
            thread.join(timeout=_TICK_S)
            if not thread.is_alive() or state.stopped:
                break
            seconds = time.monotonic() - started
            frame.status = render.status_box(
                f"Translated. Summarising {_plural(len(targets), 'sentence')} ({method})… "
                f"{seconds:.0f} s",
                "working",
            )
            yield replace(frame)
        return box.get("summary"), box.get("error")

    def stop(self, session: str | None, *, silent: bool = False) -> bool:
        """Ask the session's run to stop (Cancel); ``silent``: without a last frame (a new
        article was loaded). False when the session has no run going."""
        with self._lock:
            state = self._runs.get(session or "api")
        if state is None:
            return False
        state.silent = silent
        state.stopped = True
        return True

    def _stopped(self, key: str, state: _Run) -> Iterator[Frame]:
        """The last frame of a stopped run: what is done, without the pending row, and the
        downloads of it."""
        self._forget(key, state)
        if state.silent:
            return
        frame = Frame(aligned=render.aligned_view([]))
        if not state.segments:
            frame.status = render.status_box(
                "Stopped before the first sentence was done.", "stopped"
            )
            yield frame
            return
        segments = list(state.segments)
        done = len({s.sentence for s in segments})
        frame.translation = join_paragraphs(state.text, segments)
        frame.aligned = render.aligned_view(segments)
        if done < state.expected:
            message = f"Stopped after {done} of {state.expected} sentences."
        else:
            message = "Stopped while summarising: the translation is complete."
        frame.downloads = self._write(key, state, None, note=message, segments=segments)
        frame.status = render.status_box(
            f"{message} What is done is kept below and in the downloads.", "stopped"
        )
        yield frame

    # -- helpers -------------------------------------------------------------------------------
    def _finished(
        self, key: str, state: _Run, method: str, length: str | None, summary: Any
    ) -> list[tuple[str, int]]:
        if self.on_finished is None:
            return []
        return self.on_finished(
            key,
            source=state.text,
            model=state.model,
            method=method,
            length=length,
            segments=list(state.segments),
            meta=self.bench.public_meta(state.server.translator.meta),
            document=state.document,
            view=state.view,
            summary=summary,
        )

    def _failed(self, frame: Frame, exc: BaseException, status: str, model: str | None) -> Frame:
        message, hint = self.bench.explain(exc, model=model)
        frame.error = render.error_box(message, hint=hint)
        frame.status = render.status_box(status, "stopped")
        frame.running = False
        return frame

    def _write(
        self,
        key: str,
        state: _Run,
        summary: Any,
        *,
        note: str = "",
        segments: list[Segment] | None = None,
    ) -> dict[str, str] | None:
        """Every download of the run (``note``: a stopped run's, plain files only)."""
        try:
            return write_run_downloads(
                self.bench.files.session_dir(key),
                self.bench,
                source=state.text,
                segments=segments if segments is not None else state.segments,
                meta=self.bench.public_meta(state.server.translator.meta),
                summary=summary,
                document=state.document,
                model=state.model,
                view=state.view,
                note=note,
            )
        except (OSError, TarjamaError):
            log.exception("could not write the downloads")
            return None

    def _remember(self, key: str, state: _Run) -> None:
        with self._lock:
            self._runs[key] = state
            self._runs.move_to_end(key)
            while len(self._runs) > _MAX_SESSIONS:
                self._runs.popitem(last=False)

    def _forget(self, key: str, state: _Run) -> None:
        with self._lock:
            if self._runs.get(key) is state:
                del self._runs[key]
