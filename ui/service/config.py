"""Settings of one tarjama server (page and HTTP API), filled by the ``tarjama ui``/``serve`` flags.

No gradio, no model: the page, the API and the tests all build on this one dataclass.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from summarize.config import DEFAULT_LENGTH, DEFAULT_METHOD, LENGTHS, METHODS, SummarizerConfig
from translate.config import DEFAULT_CACHE_SIZE, TranslatorConfig
from translate.errors import ConfigError
from translate.serving import DEFAULT_WINDOW_S

__all__ = [
    "PAGE_MAX_CHARS",
    "GLOSSARY_UPLOAD_TYPES",
    "TEXT_UPLOAD_TYPES",
    "UPLOAD_TYPES",
    "AppConfig",
    "load_api_keys",
]

# A server's limit per request, lower than the library's (translate.config.DEFAULT_MAX_CHARS,
# a guard against runaway input): a long news article is ~10k characters.
PAGE_MAX_CHARS = 20_000
# The file types the page opens; the server refuses to store any other upload. Plain text is
# read as it is; the others through translate.documents (structure kept for the downloads).
TEXT_UPLOAD_TYPES = (".txt",)
UPLOAD_TYPES = (*TEXT_UPLOAD_TYPES, ".docx", ".pdf", ".html", ".htm", ".srt", ".vtt")
GLOSSARY_UPLOAD_TYPES = (".csv", ".tsv", ".tbx")  # the page's glossary upload
Method = Literal[METHODS]  # type: ignore[valid-type]  # listed once, in summarize.config
Length = Literal[LENGTHS]  # type: ignore[valid-type]


@dataclass
class AppConfig:
    """Settings of one server; the command-line flags fill most of them.

    ``model`` and ``summary_model`` are models.yaml names or local model directories (None: the
    registry's defaults). ``examples_dir`` holds ``*.ar.txt`` examples (None: the repository's
    ``seeds/`` when it exists). Limits apply alike to the page and the HTTP API: ``max_chars``
    per request (a list counts as the sum of its items), at most ``max_items`` items or
    sentences, ``max_body_bytes`` per HTTP body, ``max_upload_bytes`` per uploaded file and
    ``max_upload_total_bytes`` for everything the server holds in its temporary folder.
    ``api_keys`` maps each accepted key to its requests per minute (empty: no key needed);
    ``rate_limit`` is the requests per minute of a key without its own figure, and, without
    keys, of each client address (0: unlimited). ``batching`` shares model batches between
    concurrent requests (off: one request at a time, for the benchmark). ``memory`` is the
    translation memory's file (None: no memory; ``tarjama ui`` fills in the user's data folder
    unless ``--no-memory``), ``glossary`` the server's default glossary file (None: none).
    """

    model: str | None = None
    summary_model: str | None = None
    backend: str | None = None
    device: str = "auto"
    max_chars: int = PAGE_MAX_CHARS
    max_items: int = 1000
    summary_method: Method = DEFAULT_METHOD  # type: ignore[assignment]
    summary_length: Length = DEFAULT_LENGTH  # type: ignore[assignment]
    examples_dir: Path | None = None
    max_upload_bytes: int = 1024 * 1024
    max_upload_total_bytes: int = 64 * 1024 * 1024
    max_body_bytes: int = 2 * 1024 * 1024
    translation_settings: dict[str, Any] | None = None  # generation overrides (models.yaml keys)
    cache_size: int = DEFAULT_CACHE_SIZE  # sentences remembered (0: none, for benchmarks)
    concurrency: int = 2
    max_queue: int = 32
    batching: bool = True
    batch_window_s: float = DEFAULT_WINDOW_S  # quiet time that starts a cycle
    api_keys: dict[str, int | None] = field(default_factory=dict)
    rate_limit: int = 0
    # The page's link field refuses loopback/private/link-local addresses (SSRF protection)
    # unless the operator allows them (`tarjama ui --allow-private-fetch`, one's own machine).
    allow_private_fetch: bool = False
    title: str = "tarjama — Arabic → English news"
    memory: Path | None = None
    memory_threshold: float | None = None  # near matches' least similarity (None: 0.8)
    glossary: Path | None = None

    def translator_config(self, model: str | None) -> TranslatorConfig:
        """The TranslatorConfig of one model (an internal name or directory) on this server."""
        return TranslatorConfig(
            model=model,
            backend=self.backend,
            device=self.device,
            max_chars=self.max_chars,
            cache_size=self.cache_size,
            generation=self.translation_settings,
        )

    def summarizer_config(self) -> SummarizerConfig:
        """The SummarizerConfig of this server's summaries (the method and length are the
        defaults; each request may choose its own)."""
        return SummarizerConfig(
            model=self.summary_model,
            backend=self.backend,
            device=self.device,
            method=self.summary_method,
            length=self.summary_length,
        )


def load_api_keys(path: str | Path) -> dict[str, int | None]:
    """Read an API key file: one key per line, optionally followed by its requests per minute.

    Blank lines and lines starting with ``#`` are ignored. Raises ConfigError for an unreadable
    file, a malformed line or a file without keys.
    """
    file = Path(path).expanduser()
    try:
        lines = file.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"Cannot read the API key file {file}: {exc}") from None
    keys: dict[str, int | None] = {}
    for number, line in enumerate(lines, start=1):
        fields = line.split("#", 1)[0].split()
        if not fields:
            continue
        if len(fields) > 2 or (len(fields) == 2 and not fields[1].isdigit()):
            raise ConfigError(
                f"{file}, line {number}: write a key, optionally followed by its requests per "
                "minute (e.g. `k3y-for-newsroom 120`)."
            )
        if len(fields[0]) < 8:
            raise ConfigError(f"{file}, line {number}: an API key needs at least 8 characters.")
        keys[fields[0]] = int(fields[1]) if len(fields) == 2 else None
    if not keys:
        raise ConfigError(f"The API key file {file} has no keys.")
    return keys
