"""ui.service.errors: the one table of what each error means on every surface (no model)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from tests.conftest import run_cli
from translate.documents.errors import BlockedAddressError, DocxError
from translate.errors import (
    BatchInterrupted,
    ConfigError,
    CorruptStateError,
    InputError,
    InternalError,
    MissingDependencyError,
    ModelUnavailableError,
    OutputWriteError,
    ServerBusyError,
)
from ui.service.errors import (
    ERROR_TABLE,
    AccessDenied,
    InputTooLarge,
    RateLimited,
    UsageError,
    describe,
)


@pytest.mark.parametrize(
    ("exc", "code", "status", "exit_code"),
    [
        (UsageError("no such file"), "bad_usage", 400, 2),
        (InputTooLarge("too long"), "too_large", 413, 1),
        (InputError("empty"), "bad_input", 400, 1),
        (DocxError("not a docx"), "bad_input", 400, 1),  # document errors are InputErrors
        (BlockedAddressError("private", url="http://10.0.0.1/"), "bad_input", 400, 1),
        (ConfigError("unknown model"), "bad_option", 400, 2),
        (CorruptStateError("bad checkpoint"), "bad_option", 400, 2),
        (ServerBusyError("busy"), "busy", 429, 1),
        (RateLimited(10, 7), "rate_limited", 429, 1),
        (AccessDenied("who?", missing=True), "key_missing", 401, 2),
        (AccessDenied("bad key", missing=False), "key_invalid", 403, 2),
        (ModelUnavailableError("no weights"), "model_unavailable", 503, 1),
        (MissingDependencyError("pip install x"), "model_unavailable", 503, 1),
        (InternalError("a bug"), "bad_input", 400, 1),
        (OutputWriteError("disk full"), "bad_input", 400, 1),  # a TarjamaError first
        (BatchInterrupted(3, 10, "ckpt"), "interrupted", 500, 130),
        (KeyboardInterrupt(), "interrupted", 500, 130),
        (PermissionError(13, "Permission denied"), "internal", 500, 1),
        (ValueError("oops"), "internal", 500, None),  # a bug: the CLI shows its traceback
    ],
)
def test_each_error_has_one_row(exc, code, status, exit_code) -> None:
    outcome = describe(exc)
    assert (outcome.code, outcome.status, outcome.exit_code) == (code, status, exit_code)
    assert outcome.message


def test_subclasses_come_before_their_bases() -> None:
    """A row never hides a later one: no row's types are all subclasses of an earlier row's."""
    import translate.documents.errors  # noqa: F401 - the rows naming its classes resolve

    for i, row in enumerate(ERROR_TABLE):
        assert len(row.classes()) == len(row.types), row
        for earlier in ERROR_TABLE[:i]:
            assert not all(issubclass(t, earlier.classes()) for t in row.classes()), (row, earlier)
    assert ERROR_TABLE[-1].types == (Exception,)


def test_rate_limits_say_when_to_come_back() -> None:
    outcome = describe(RateLimited(10, 7))
    assert outcome.headers == {"Retry-After": "7"}
    assert outcome.message == "Slowdown: 10 per 1 minute"


class _Catalog:
    """What describe() asks of a server's catalog."""

    summary = SimpleNamespace(public="distilbart")
    translation = [SimpleNamespace(public="opus-mt-ar-en", local=False)]

    def redact(self, text: str) -> str:
        return text.replace("/srv/models/x", "…/x")

    def resolve(self, model: str | None) -> str:
        return "internal-name"

    def public_name(self, internal: str) -> str:
        return "opus-mt-ar-en"


def test_a_server_names_public_models_and_hides_paths() -> None:
    catalog = _Catalog()
    busy = describe(ServerBusyError("queue full"), catalog)
    assert (busy.message, busy.hint) == ("The server is busy with other articles.",
                                         "Try again in a moment.")  # fmt: skip
    assert describe(ServerBusyError("queue full")).message == "queue full"  # the CLI's words
    model = describe(ModelUnavailableError("cannot load /srv/models/x"), catalog)
    assert "opus-mt-ar-en is not available" in model.message and "/srv" not in model.page_text
    summary = describe(ModelUnavailableError("x"), catalog, role="summarization")
    assert "summary model distilbart" in summary.message
    path = describe(InputError("bad file /srv/models/x"), catalog)
    assert path.message == "bad file …/x" and path.hint is None
    large = describe(InputTooLarge("too long"), catalog)
    assert large.page_text == "too long Split it into smaller parts."
    crash = describe(OSError(28, "No space left"), catalog)  # a server keeps its files to itself
    assert crash.status == 500 and "Something went wrong" in crash.message


def test_the_command_line_reads_the_table(capsys: pytest.CaptureFixture[str], tmp_path) -> None:
    code, _, err = run_cli(capsys, "translate", tmp_path / "missing.txt")
    assert code == describe(UsageError("x")).exit_code == 2 and "Cannot read" in err
    arabic = tmp_path / "ar.txt"
    arabic.write_text("قال الوزير إن المحادثات ستستأنف الأسبوع المقبل.\n", encoding="utf-8")
    code, _, err = run_cli(capsys, "summarize", arabic, "--method", "extractive")
    assert code == describe(InputError("x")).exit_code == 1 and "not English" in err
