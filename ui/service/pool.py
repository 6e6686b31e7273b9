"""The models of one server: a batching translator per model, shared by the page and every
API client, the summary slots, and which summary method the server can offer; the server's
translation memory and default glossary, which every translator uses."""

from __future__ import annotations

import threading

from translate import Translator
from translate.errors import ServerBusyError
from translate.serving import BatchingTranslator

from .catalog import Catalog
from .config import AppConfig
from .glossary import load_server_glossary
from .memory import open_server_memory

__all__ = ["ModelPool", "SummarySlots"]


class SummarySlots:
    """At most ``size`` summaries at once; past ``max_waiting`` waiting callers, ServerBusyError."""

    def __init__(self, size: int, max_waiting: int) -> None:
        self._semaphore = threading.BoundedSemaphore(max(1, size))
        self._waiting = 0
        self._lock = threading.Lock()
        self._max_waiting = max_waiting

    def __enter__(self) -> None:
        with self._lock:
            if self._waiting >= self._max_waiting:
                raise ServerBusyError("The server is busy with other summaries; try again shortly.")
            self._waiting += 1
        try:
            self._semaphore.acquire()
        finally:
            with self._lock:
                self._waiting -= 1

    def __exit__(self, *exc: object) -> None:
        self._semaphore.release()


class ModelPool:
    """The catalog, one :class:`BatchingTranslator` per model (made on first use) and the
    summary slots.

    Raises ModelUnavailableError or ConfigError at construction for a model argument that
    cannot work (a local directory that does not exist, an unknown name), MemoryStoreError for
    a memory file that cannot be used and GlossaryError for a bad glossary file: a server
    should refuse to start rather than fail on its first request.
    """

    def __init__(self, config: AppConfig) -> None:
        self.config = config
        self.catalog = Catalog(config.model, config.summary_model)
        self.summary_method, self.summary_note = _summary_choice(config, self.catalog)
        self.summary_slots = SummarySlots(config.concurrency, config.max_queue)
        self._translators: dict[str, BatchingTranslator] = {}
        self._lock = threading.Lock()
        self.glossary = load_server_glossary(config.glossary)
        self.memory = (
            open_server_memory(config.memory, config.memory_threshold) if config.memory else None
        )

    def translator(self, model: str | None = None) -> BatchingTranslator:
        """The shared, batching translator of a public model name (None: the default)."""
        internal = self.catalog.resolve(model)
        with self._lock:
            if internal not in self._translators:
                # The server's one memory object (writable: the API and the page add to it) and
                # default glossary, shared by every model's translator.
                settings = self.config.translator_config(internal).as_dict()
                settings.pop("memory", None)  # the open store below, not a path to reopen
                settings.pop("glossary", None)  # the loaded default below
                translator = Translator(**settings, memory=self.memory, glossary=self.glossary)
                self._translators[internal] = BatchingTranslator(
                    translator,
                    batching=self.config.batching,
                    window_s=self.config.batch_window_s,
                    max_pending=self.config.max_queue,
                )
            return self._translators[internal]

    def close(self) -> None:
        """Stop every translator's worker."""
        with self._lock:
            for server in self._translators.values():
                server.close()
            self._translators.clear()
            if self.memory is not None:
                self.memory.close()


def _summary_choice(config: AppConfig, catalog: Catalog) -> tuple[str, str]:
    """The summary method the server starts with, and a note when it had to fall back."""
    summary = catalog.summary
    if config.summary_method != "abstractive" or summary.ready:
        return config.summary_method, ""
    # Without weights every abstractive run would fail: summarise extractively unless the user
    # picks abstractive (which downloads when the hub is reachable).
    note = (
        f"{summary.public} is not downloaded: summaries are extractive (sentences "
        f"picked from the translation). For abstractive ones run `tarjama models "
        f"download {summary.public}` and restart."
        if not summary.local
        else f"{summary.public} is not a model directory: summaries are extractive."
    )
    return "extractive", note
