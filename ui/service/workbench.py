"""The service behind the page and the HTTP API: one :class:`Workbench` per server.

It puts together the model pool (``pool.py``), the limits (``limits.py``) and the uploads and
links (``uploads.py``), and runs the operations every surface offers: translate, summarize,
digest, documents, and their JSON. No gradio and no HTTP here: ``ui/web`` streams page runs
from it, ``ui/http`` maps its calls to routes, and ``errors.py`` turns failures into messages.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from translate.errors import MissingDependencyError, ModelUnavailableError
from translate.serving import BatchingTranslator

from .catalog import Catalog
from .config import AppConfig
from .edits import ConfirmedEdit, SaveEdit, no_save
from .errors import describe
from .limits import Limits
from .pool import ModelPool
from .uploads import Uploads, load_examples

__all__ = ["Workbench"]


class Workbench:
    """What the page and the API do, apart from their layout and routes.

    ``pool`` holds the models, ``limits`` the input checks, ``files`` the temporary folder,
    uploads and links. Raises ModelUnavailableError or ConfigError at construction for a model
    argument that cannot work (see :class:`~ui.service.pool.ModelPool`).
    """

    def __init__(self, config: AppConfig) -> None:
        self.config = config
        self.pool = ModelPool(config)
        self.limits = Limits(config)
        self.files = Uploads(config)
        self.examples = load_examples(config.examples_dir)
        # Told of every correction a person confirms in the page (a ConfirmedEdit): with a
        # translation memory, it is kept there (origin "edit"); without one, nothing is kept.
        self.save_edit: SaveEdit = no_save if self.pool.memory is None else self._remember_edit

    def _remember_edit(self, edit: ConfirmedEdit) -> None:
        from .memory import remember

        remember(
            self.pool.memory, edit.source, edit.target, origin="edit", replaced_model=edit.model
        )

    @property
    def catalog(self) -> Catalog:
        return self.pool.catalog

    @property
    def summary_method(self) -> str:
        """The method a summary uses when the caller names none (may fall back to extractive)."""
        return self.pool.summary_method

    @property
    def summary_note(self) -> str:
        return self.pool.summary_note

    def cleanup(self) -> None:
        """Stop the translators and remove the temporary folder (also done at exit)."""
        self.pool.close()
        self.files.cleanup()

    # -- operations --------------------------------------------------------------------------
    def translate(self, text: str, model: str | None = None, *, glossary: Any = None) -> Any:
        """One Arabic text → TranslationResult (through the shared batching translator).

        ``glossary``: a request's Glossary (``glossary.request_glossary``: its entries over the
        server's default); None or the default itself: the server's translator as it is.
        """
        self.limits.check_text(text)
        server = self.pool.translator(model)
        return server.translate(text, view=glossary_view(server, glossary))

    def translate_many(
        self, texts: Sequence[str], model: str | None = None, *, weak_words: bool = True
    ) -> list[Any]:
        """Several Arabic texts of one request (validated first, translated together).

        ``weak_words=False`` where the answer holds only the English (LibreTranslate's): they
        are not computed (CTranslate2's beam search would pay a scoring pass for them).
        """
        self.limits.check_total(texts)
        for text in texts:
            self.limits.check_text(text)
        server = self.pool.translator(model)
        view = None if weak_words else server.translator.with_weak_words(False)
        return server.translate_many(list(texts), view=view)

    def summarize(
        self,
        english: str | list[str],
        method: str | None = None,
        length: str | int | None = None,
        *,
        from_translation: bool = False,
    ) -> Any:
        """Summarise English within the limits; ``from_translation``: the segments of a
        translation this server made (its input was checked, and the "is this English?" check,
        meant for user input, could only reject a poor translation)."""
        from summarize import summarize_with

        if not from_translation:
            self.limits.check_english(english)
        config = replace(
            self.config.summarizer_config(),
            method=method or self.summary_method,
            length=length or self.config.summary_length,
        )
        with self.pool.summary_slots:
            try:
                return summarize_with(
                    english,
                    config,
                    check_language=not from_translation,
                    # a translation made here: its Arabic was already held to the limit
                    max_chars=None if from_translation else self.config.max_chars,
                )
            except (ModelUnavailableError, MissingDependencyError) as exc:
                exc.tarjama_role = "summarization"  # type: ignore[attr-defined]  # for messages
                raise

    def digest(
        self,
        text: str,
        model: str | None = None,
        method: str | None = None,
        length: str | int | None = None,
        *,
        glossary: Any = None,
    ) -> Any:
        """Translate, then summarise the segments (sources index the segments); ``glossary``
        as for :meth:`translate`."""
        from summarize import Digest
        from summarize.digest import check_summary_options

        check_summary_options(method or self.summary_method, length or self.config.summary_length)
        translation = self.translate(text, model, glossary=glossary)
        targets = [segment.target for segment in translation.segments]
        summary = self.summarize(targets, method, length, from_translation=True)
        return Digest(source=text, translation=translation, summary=summary)

    def translate_document(
        self, document: Any, model: str | None = None, *, view: Any = None
    ) -> Any:
        """Translate a Document block by block through the shared batching translator (its
        sentence cache makes a document the page just translated cheap), or through ``view``
        (a run's :func:`glossary_view`); model names only in the meta."""
        from translate.documents import translate_document

        translator = view if view is not None else self.pool.translator(model)
        result = translate_document(document, translator)
        return replace(result, meta=self.public_meta(result.meta))

    # -- JSON and messages -------------------------------------------------------------------
    def public_meta(self, meta: dict[str, Any]) -> dict[str, Any]:
        """Result metadata as remote callers see it: model names, no local paths."""
        return self.catalog.public_meta(meta)

    def translation_json(self, result: Any) -> dict[str, Any]:
        """A TranslationResult as the API answers it: text, segments (spans), public meta."""
        data = result.to_dict()
        data["meta"] = self.public_meta(data["meta"])
        return data

    def summary_json(self, summary: Any) -> dict[str, Any]:
        """A SummaryResult as the API answers it."""
        data = summary.to_dict()
        data["meta"] = self.public_meta(data["meta"])
        return data

    def digest_json(self, digest: Any) -> dict[str, Any]:
        """A Digest as the API answers it: source, translation, summary."""
        return {
            "source": digest.source,
            "translation": self.translation_json(digest.translation),
            "summary": self.summary_json(digest.summary),
        }

    def explain(
        self, exc: BaseException, role: str = "translation", model: str | None = None
    ) -> tuple[str, str | None]:
        """A short message and a hint for a remote caller, in the page's words (no paths):
        the row of ``errors.ERROR_TABLE`` that matches ``exc``."""
        outcome = describe(exc, self.catalog, role=role, model=model)
        return outcome.message, outcome.hint


def glossary_view(server: BatchingTranslator, glossary: Any) -> Any:
    """The view of ``server``'s Translator for a request's ``glossary`` (None: the translator as
    it is, when the request brings no glossary of its own)."""
    if glossary is None or glossary is server.translator.glossary:
        return None
    return server.translator.with_glossary(glossary)
