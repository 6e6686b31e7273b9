"""The page's glossary list: what the rows of its table become.

gradio 6 cannot hold the table at two columns (its ``column_limits`` is not implemented), so a
user may add a column, leave rows blank or give no English; none of it is an error.
"""

from __future__ import annotations

from ui.service.glossary import page_glossary


def test_rows_become_entries_and_extra_columns_are_ignored() -> None:
    glossary = page_glossary(
        None,
        [
            ["حلب", "Aleppo", "a column the user added"],
            ["", "no Arabic: skipped"],
            ["   ", ""],
            ["سيزور"],  # no English: keep as written
            [],
        ],
        None,
    )
    assert glossary is not None
    assert {(e.arabic, e.english) for e in glossary.entries} == {
        ("حلب", "Aleppo"),
        ("سيزور", ""),
    }


def test_no_rows_leave_the_default() -> None:
    assert page_glossary(None, [["", ""]], None) is None
