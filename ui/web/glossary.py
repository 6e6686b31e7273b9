"""The page's glossary: a file upload (CSV/TSV/TBX) and a short editable list, in the options.

Both are read for each run (:func:`ui.service.glossary.page_glossary`): the list's rows over the
file's entries, over the server's default glossary. A bad file or row is shown as the run's
error, naming the line or row.
"""

from __future__ import annotations

from typing import Any

import gradio as gr

from ..service.config import GLOSSARY_UPLOAD_TYPES

__all__ = ["glossary_inputs"]


def glossary_inputs() -> tuple[Any, Any]:
    """The upload and the list (inside the options block): ``(file, rows)``."""
    file = gr.File(
        label="Glossary file",
        file_types=list(GLOSSARY_UPLOAD_TYPES),
        file_count="single",
        type="filepath",
        elem_id="glossary-file",
    )
    rows = gr.Dataframe(
        headers=["arabic", "english"],
        datatype=["str", "str"],
        # gradio 6 has no fixed column count yet (its column_limits warns "not implemented"):
        # a column a user adds is ignored when the rows are read (see page_glossary)
        row_count=2,
        column_count=2,
        type="array",
        label="Terms (english empty: keep the Arabic as written)",
        elem_id="glossary-rows",
    )
    return file, rows
