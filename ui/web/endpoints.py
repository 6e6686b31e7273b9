"""gradio_client's named endpoints ``/translate``, ``/summarize``, ``/digest`` (off when the
server needs API keys: then only the keyed HTTP API answers programs)."""

from __future__ import annotations

from typing import Any

import gradio as gr

from ..service.errors import describe
from ..service.workbench import Workbench

__all__ = ["add_gradio_api"]


def add_gradio_api(bench: Workbench) -> None:
    """gradio_client's named endpoints ``/translate``, ``/summarize``, ``/digest``."""

    def failed(exc: BaseException, role: str = "translation", model: str | None = None) -> gr.Error:
        outcome = describe(exc, bench.catalog, role=role, model=model)
        return gr.Error(outcome.page_text, print_exception=False)

    def translate(text: str, model: str | None = None) -> dict[str, Any]:
        """Translate Arabic text into English: the TranslationResult as JSON."""
        try:
            return bench.translation_json(bench.translate(text, model))
        except Exception as exc:  # noqa: BLE001 - the client gets a message, never a traceback
            raise failed(exc, model=model) from None

    def summarize(
        text: str, method: str | None = None, length: str | None = None
    ) -> dict[str, Any]:
        """Summarise English text: the SummaryResult as JSON (sources index its sentences)."""
        try:
            return bench.summary_json(bench.summarize(text, method, length))
        except Exception as exc:  # noqa: BLE001
            raise failed(exc, "summarization") from None

    def digest(
        text: str, model: str | None = None, method: str | None = None, length: str | None = None
    ) -> dict[str, Any]:
        """Translate an Arabic article and summarise it: the Digest as JSON."""
        try:
            return bench.digest_json(bench.digest(text, model, method, length))
        except Exception as exc:  # noqa: BLE001
            raise failed(exc, model=model) from None

    gr.api(translate, api_name="translate")
    gr.api(summarize, api_name="summarize")
    gr.api(digest, api_name="digest")
