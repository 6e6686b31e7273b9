"""The primary button keeps WCAG AA contrast in every state it passes through.

The button is disabled while a run goes, enabled after, hovered when clicked; gradio fades
between these states over 0.2 s. Once its colours came from a CSS override that missed the
disabled state, and axe-core, checking during the fade back, found a light teal. The colours
now live in the theme, and this checks each of them against the button's white text.
"""

from __future__ import annotations

import pytest

pytest.importorskip("gradio")

from ui.web.theme import page_theme  # noqa: E402


def _luminance(hex_colour: str) -> float:
    channels = [int(hex_colour.lstrip("#")[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def _contrast(a: str, b: str) -> float:
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def _resolve(theme, value: str) -> str:
    # theme values refer to the palette as "*primary_700"
    return getattr(theme, value[1:]) if value.startswith("*") else value


@pytest.mark.parametrize("mode", ["", "_dark"])
@pytest.mark.parametrize("state", ["", "_hover"])
def test_primary_button_contrast_holds_in_every_state(state: str, mode: str) -> None:
    theme = page_theme()
    fill = _resolve(theme, getattr(theme, f"button_primary_background_fill{state}{mode}"))
    text = getattr(theme, f"button_primary_text_color{state}{mode}")
    assert text == "white"
    assert _contrast(fill, "#ffffff") >= 4.5, (state, mode, fill)


def test_the_default_teal_fails_so_the_check_can_fail() -> None:
    assert _contrast("#14b8a6", "#ffffff") < 4.5  # gradio's default primary_500
