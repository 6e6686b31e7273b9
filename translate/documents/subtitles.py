"""SubRip (.srt) and WebVTT (.vtt) subtitles: read cues with their timings, write them back.

Timings are kept in integer milliseconds, so a file read and written again keeps them exactly.
Markup inside cue text (``<i>``, ``<b>``, ``<font>``, WebVTT voice and class spans, inline
timestamps) is dropped and entities are decoded: the text is what is translated. WebVTT header
text, STYLE and REGION blocks, cue identifiers and cue settings are kept and written back;
NOTE blocks are skipped. A malformed file raises :class:`SubtitleError` naming the line.
"""

from __future__ import annotations

import html
import re
import textwrap
from collections.abc import Sequence

from .errors import SubtitleError
from .model import Block, Document, DocumentMeta

_SRT_TIME = r"(\d{1,3}):([0-5]\d):([0-5]\d)[,.](\d{1,3})"
_SRT_TIMING = re.compile(rf"^\s*{_SRT_TIME}\s*-->\s*{_SRT_TIME}(?:\s+.*)?$")
_VTT_TIME = r"(?:(\d{1,3}):)?([0-5]\d):([0-5]\d)\.(\d{3})"
_VTT_TIMING = re.compile(rf"^\s*{_VTT_TIME}[ \t]+-->[ \t]+{_VTT_TIME}(?:[ \t]+(.*))?$")
LINE_WIDTH = 42  # characters per subtitle line, the common broadcast guideline


def _decode(data: bytes | str, name: str) -> list[str]:
    if isinstance(data, bytes):
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            line = data[: exc.start].count(b"\n") + 1
            raise SubtitleError(
                f"{name} is not valid UTF-8 (line {line}); re-save it as UTF-8.", line=line
            ) from None
    else:
        text = data.lstrip("\ufeff")
    return text.replace("\r\n", "\n").replace("\r", "\n").split("\n")


def _ms(hours: str | None, minutes: str, seconds: str, millis: str) -> int:
    return ((int(hours or 0) * 60 + int(minutes)) * 60 + int(seconds)) * 1000 + int(
        millis.ljust(3, "0")
    )


def strip_tags(line: str) -> str:
    """``line`` without its ``<...>`` tags: each ``<`` up to the next ``>``, as ``<[^>]*>``.

    A scan, not that regex: on a line of ``<`` with no ``>`` the regex retries every ``<`` to
    the end of the line (100,000 ``<`` froze a server for 43 s); here a ``<`` with no ``>``
    after it ends the search, so a line costs one pass.
    """
    pieces: list[str] = []
    cursor = 0
    while (opening := line.find("<", cursor)) >= 0:
        closing = line.find(">", opening + 1)
        if closing < 0:
            break  # no tag closes after here, whatever '<' it starts from
        pieces.append(line[cursor:opening])
        cursor = closing + 1
    pieces.append(line[cursor:])
    return "".join(pieces)


def cue_text(lines: Sequence[str]) -> str:
    """The plain text of a cue's lines: tags dropped, entities decoded, blank lines removed."""
    cleaned = [html.unescape(strip_tags(line)).strip() for line in lines]
    return "\n".join(line for line in cleaned if line)


def _check_times(start: int, end: int, number: int, name: str) -> None:
    if end < start:
        raise SubtitleError(f"{name}, line {number}: the cue ends before it starts.", line=number)


def read_srt(data: bytes | str, *, filename: str | None = None) -> Document:
    """Read a SubRip file: blocks of [index], ``HH:MM:SS,mmm --> HH:MM:SS,mmm``, text lines."""
    name = filename or "the .srt file"
    lines = _decode(data, name)
    blocks: list[Block] = []
    i = 0
    while i < len(lines):
        if not lines[i].strip():
            i += 1
            continue
        first = i
        if _SRT_TIMING.match(lines[i]) is None:
            if not lines[i].strip().isdigit():
                raise SubtitleError(
                    f"{name}, line {i + 1}: expected a cue number or a timing line such as "
                    f"'00:00:01,000 --> 00:00:04,000', found {lines[i].strip()[:60]!r}.",
                    line=i + 1,
                )
            i += 1
        match = _SRT_TIMING.match(lines[i]) if i < len(lines) else None
        if match is None:
            found = lines[i].strip()[:60] if i < len(lines) else "the end of the file"
            raise SubtitleError(
                f"{name}, line {i + 1}: expected a timing line such as "
                f"'00:00:01,000 --> 00:00:04,000' after the cue number on line {first + 1}, "
                f"found {found!r}.",
                line=i + 1,
            )
        start, end = _ms(*match.groups()[:4]), _ms(*match.groups()[4:])
        _check_times(start, end, i + 1, name)
        i += 1
        text_lines: list[str] = []
        while i < len(lines) and lines[i].strip():
            if _SRT_TIMING.match(lines[i]):  # a missing blank line before the next cue
                if text_lines and text_lines[-1].strip().isdigit():
                    text_lines.pop()
                break
            text_lines.append(lines[i])
            i += 1
        blocks.append(
            Block("cue", cue_text(text_lines), index=len(blocks) + 1, start_ms=start, end_ms=end)
        )
    if not blocks:
        raise SubtitleError(f"{name} has no subtitle cues.", line=1)
    return Document(tuple(blocks), DocumentMeta("srt", filename=filename))


def read_vtt(data: bytes | str, *, filename: str | None = None) -> Document:
    """Read a WebVTT file (``WEBVTT`` header, optional cue identifiers and settings)."""
    name = filename or "the .vtt file"
    lines = _decode(data, name)
    if not lines or not (lines[0] == "WEBVTT" or lines[0].startswith(("WEBVTT ", "WEBVTT\t"))):
        raise SubtitleError(f"{name}, line 1: a WebVTT file must start with 'WEBVTT'.", line=1)
    header = [lines[0]]
    i = 1
    while i < len(lines) and lines[i].strip():  # header lines up to the first blank line
        header.append(lines[i])
        i += 1
    preamble: list[str] = []  # STYLE and REGION blocks, kept for the writer
    blocks: list[Block] = []
    while i < len(lines):
        if not lines[i].strip():
            i += 1
            continue
        start_line = i
        chunk: list[str] = []
        while i < len(lines) and lines[i].strip():
            chunk.append(lines[i])
            i += 1
        keyword = chunk[0].split(" ", 1)[0].split("\t", 1)[0]
        if keyword == "NOTE":
            continue
        if keyword in ("STYLE", "REGION") and "-->" not in chunk[0]:
            if blocks:
                raise SubtitleError(
                    f"{name}, line {start_line + 1}: {keyword} blocks must come before the cues.",
                    line=start_line + 1,
                )
            preamble.append("\n".join(chunk))
            continue
        identifier = None
        timing_at = 0
        if "-->" not in chunk[0]:
            identifier = chunk[0].strip()
            timing_at = 1
        match = _VTT_TIMING.match(chunk[timing_at]) if timing_at < len(chunk) else None
        if match is None:
            number = start_line + timing_at + 1
            found = chunk[timing_at].strip()[:60] if timing_at < len(chunk) else "a blank line"
            raise SubtitleError(
                f"{name}, line {number}: expected a timing line such as "
                f"'00:00:01.000 --> 00:00:04.000', found {found!r}.",
                line=number,
            )
        groups = match.groups()
        start, end = _ms(*groups[:4]), _ms(*groups[4:8])
        _check_times(start, end, start_line + timing_at + 1, name)
        blocks.append(
            Block(
                "cue",
                cue_text(chunk[timing_at + 1 :]),
                index=len(blocks) + 1,
                start_ms=start,
                end_ms=end,
                identifier=identifier,
                settings=(groups[8] or "").strip() or None,
            )
        )
    if not blocks:
        raise SubtitleError(f"{name} has no subtitle cues.", line=len(lines))
    extra: dict[str, object] = {}
    if len(header) > 1 or header[0] != "WEBVTT":
        extra["vtt_header"] = "\n".join(header)
    if preamble:
        extra["vtt_preamble"] = preamble
    return Document(tuple(blocks), DocumentMeta("vtt", filename=filename, extra=extra))


# -- writing -------------------------------------------------------------------------------------
def format_timestamp(ms: int, *, separator: str = ",", always_hours: bool = True) -> str:
    """Milliseconds → ``HH:MM:SS,mmm`` (SubRip) or ``HH:MM:SS.mmm`` (WebVTT)."""
    hours, rest = divmod(max(ms, 0), 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    seconds, millis = divmod(rest, 1000)
    head = f"{hours:02d}:" if always_hours or hours else ""
    return f"{head}{minutes:02d}:{seconds:02d}{separator}{millis:03d}"


def wrap_cue(text: str, width: int = LINE_WIDTH) -> list[str]:
    """Break a cue's text into lines of at most ``width`` characters (words are never cut)."""
    lines: list[str] = []
    for paragraph in text.splitlines():
        lines += textwrap.wrap(paragraph, width, break_long_words=False, break_on_hyphens=False)
    return lines


def _escape_vtt(line: str) -> str:
    return line.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def write_srt(cues: Sequence[tuple[Block, str]]) -> str:
    """SubRip text for ``(cue block, text)`` pairs: renumbered from 1, the blocks' timings."""
    out: list[str] = []
    for number, (block, text) in enumerate(cues, start=1):
        if block.start_ms is None or block.end_ms is None:
            raise SubtitleError(f"block {number} has no timing; only cues can be written as .srt.")
        out.append(str(number))
        out.append(f"{format_timestamp(block.start_ms)} --> {format_timestamp(block.end_ms)}")
        out.extend(wrap_cue(text))
        out.append("")
    return "\n".join(out)


def write_vtt(
    cues: Sequence[tuple[Block, str]], *, header: str = "WEBVTT", preamble: Sequence[str] = ()
) -> str:
    """WebVTT text for ``(cue block, text)`` pairs, with identifiers, settings and the preamble."""
    out: list[str] = [header, ""]
    for block in preamble:
        out += [block, ""]
    for number, (block, text) in enumerate(cues, start=1):
        if block.start_ms is None or block.end_ms is None:
            raise SubtitleError(f"block {number} has no timing; only cues can be written as .vtt.")
        if block.identifier:
            out.append(block.identifier)
        timing = f"{format_timestamp(block.start_ms, separator='.')} --> " + format_timestamp(
            block.end_ms, separator="."
        )
        out.append(f"{timing} {block.settings}" if block.settings else timing)
        out.extend(_escape_vtt(line) for line in wrap_cue(text))
        out.append("")
    return "\n".join(out)
