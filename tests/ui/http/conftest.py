"""Fixtures of the HTTP tests: the page and the API of the tiny Marian model on a free
127.0.0.1 port (a test module may override ``server`` with its own limits)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.ui.fixtures import live_server, tiny_config


@pytest.fixture(scope="module")
def server(tiny_marian: Path):
    with live_server(tiny_config(tiny_marian)) as (url, app):
        yield url, app


@pytest.fixture(scope="module")
def url(server) -> str:
    return server[0]
