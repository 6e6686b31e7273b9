"""Access without a server: keys as text only, page sessions bounded, runs counted."""

from __future__ import annotations

import pytest

from translate.errors import InputError
from ui.http import guards
from ui.http.guards import Access
from ui.service.errors import AccessDenied, RateLimited, describe


@pytest.mark.parametrize("key", [["k"], 7, True, {"k": 1}, "k\ud800"])
def test_a_key_that_is_not_text_is_bad_input(key: object) -> None:
    with pytest.raises(InputError, match="api_key"):
        Access({"k": None}).check(key, "1.2.3.4")
    assert describe(InputError("x")).status == 400


def test_missing_and_unknown_keys() -> None:
    access = Access({"k": None})
    with pytest.raises(AccessDenied) as missing:
        access.check(None, "ip")
    assert missing.value.missing and describe(missing.value).status == 401
    with pytest.raises(AccessDenied) as unknown:
        access.check("nope", "ip")
    assert not unknown.value.missing and describe(unknown.value).status == 403


def test_page_sessions_stand_for_their_key_and_are_bounded(monkeypatch) -> None:
    monkeypatch.setattr(guards, "_MAX_PAGE_SESSIONS", 3)
    access = Access({"k": 2})
    tokens = [access.open_session("k") for _ in range(4)]
    assert access.session_key(tokens[0]) is None  # the oldest page logs in again
    assert all(access.session_key(t) == "k" for t in tokens[1:])
    with pytest.raises(AccessDenied):
        access.open_session("nope")
    access.check(access.session_key(tokens[1]), "ip")
    access.check(access.session_key(tokens[2]), "ip")
    with pytest.raises(RateLimited) as limited:
        access.check("k", "ip")  # pages and programs of one key share its rate
    assert describe(limited.value).headers["Retry-After"]
