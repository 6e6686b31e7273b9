"""Drive the page's gradio events over plain HTTP, as the browser does: upload a file, join
the queue with an event, read its messages until it completes."""

from __future__ import annotations

import json
import secrets
from typing import Any

import httpx

_INDICES: dict[str, dict[str, int]] = {}  # base URL → event name → index


def fn_index(client: httpx.Client, name: str, headers: dict[str, str] | None = None) -> int:
    """The index of the page's event named ``name`` (``open_file``, ``fetch_link``, ``run``),
    read once per server from its ``/config`` (with ``headers``: a key, where one is needed)."""
    base = str(client.base_url)
    if base not in _INDICES:
        config = client.get("config", headers=headers).json()
        _INDICES[base] = {
            d["api_name"]: d.get("id", i)
            for i, d in enumerate(config["dependencies"])
            if d.get("api_name")
        }
    return _INDICES[base][name]


def upload(client: httpx.Client, name: str, data: bytes) -> httpx.Response:
    """POST one file to gradio's upload route (the answer lists the stored paths)."""
    return client.post("gradio_api/upload", files={"files": (name, data)})


def run_event(
    client: httpx.Client, name: str, data: list[Any], timeout: float = 60.0
) -> dict[str, Any]:
    """Run the page's event ``name`` with ``data``; its last message (``process_completed``),
    or the refusal of the queue as ``{"status": code, "body": ...}``."""
    session = secrets.token_hex(8)
    joined = client.post(
        "gradio_api/queue/join",
        json={
            "data": data,
            "fn_index": fn_index(client, name),
            "session_hash": session,
            "event_data": None,
            "trigger_id": None,
        },
    )
    if joined.status_code != 200:
        return {"status": joined.status_code, "body": joined.json(), "headers": joined.headers}
    last: dict[str, Any] = {}
    with client.stream(
        "GET", "gradio_api/queue/data", params={"session_hash": session}, timeout=timeout
    ) as stream:
        for line in stream.iter_lines():
            if not line.startswith("data:"):
                continue
            message = json.loads(line[5:])
            last = message
            if message.get("msg") == "process_completed":
                break
    return last
