"""The server's temporary folder never reaches a client (issue 19, point 6): uploads and page
runs name their files by an alias, and the page still opens, runs and downloads them."""

from __future__ import annotations

import pytest

pytest.importorskip("gradio")
httpx = pytest.importorskip("httpx")

from tests.ui.http.page_client import run_event, upload  # noqa: E402
from ui.http.paths import ALIAS  # noqa: E402

NO_TERMS = {"headers": ["arabic", "english"], "data": [["", ""]]}  # empty list
SENTENCE = "قال الوزير إن الحكومة ستواصل العمل."


def test_uploads_and_runs_show_no_server_path(server) -> None:
    url, app = server
    real = str(app.state.workbench.files.tmp_root)
    with httpx.Client(base_url=url, timeout=60) as client:
        stored = upload(client, "a.txt", SENTENCE.encode())
        assert stored.status_code == 200 and real not in stored.text, stored.text
        (path,) = stored.json()
        assert path.startswith(ALIAS + "/")
        file = {"path": path, "meta": {"_type": "gradio.FileData"}, "orig_name": "a.txt"}
        loaded = run_event(client, "open_file", [file])
        assert loaded["output"]["data"][0] == SENTENCE and real not in str(loaded)
        inputs = [SENTENCE, None, "extractive", "short", False, None, NO_TERMS]
        done = run_event(client, "run", inputs)
        assert done["msg"] == "process_completed" and real not in str(done)
        downloads = [d["value"] for d in done["output"]["data"] if isinstance(d, dict)
                     and isinstance(d.get("value"), dict)]  # fmt: skip
        assert downloads and all(ALIAS in d["url"] for d in downloads)
        fetched = client.get(downloads[0]["url"])
        assert fetched.status_code == 200 and fetched.content.strip()
