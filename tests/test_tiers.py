"""The pure tier: ``pytest -m "not slow and not browser"`` runs without torch, in seconds."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


@pytest.mark.slow
def test_the_pure_tier_runs_without_torch() -> None:
    env = {**os.environ, "TARJAMA_TEST_NO_TORCH": "1"}
    started = time.monotonic()
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-x", "-p", "no:cacheprovider",
         "-m", "not slow and not browser", "tests"],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-2000:]
    assert "passed" in run.stdout
    print(f"pure tier: {time.monotonic() - started:.1f} s; {run.stdout.strip().splitlines()[-1]}")
