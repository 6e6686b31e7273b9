"""Throughput of the server with and without cross-request batching: ``python bench/serve.py``.

The real server (``ui.http.server``: the page and the HTTP API) runs on 127.0.0.1 in a subprocess,
on the opus-mt-ar-en-shaped random model that ``bench/run.py`` builds (its builder and its int8
CTranslate2 conversion are reused, kept under ``--dir``), with the sentence cache off: once with
cross-request batching, once serving one request at a time (``--no-batching``). Clients are
threads of this process, each with its own keep-alive connection, sending requests back to back:

  short    1-3 sentences per request, through LibreTranslate's ``POST /translate`` (as API and
           browser-extension clients do)
  article  a whole seed article per request, through ``POST /api/v1/translate``

at 1, 5 and 20 concurrent clients, a fixed number of requests each (bounded runs), each
scenario on one server and then on the other (both stay up; the idle one costs nothing) with the
same texts, so that the load of a shared machine drifts alike for both. Every
sentence starts with a distinct marker word, so no two requests share a sentence (the translator
translates identical sentences only once, which would flatter batching).

Figures: sentences/s from the first request sent to the last answer, and p50/p95 latency of a
request. Random weights never emit the end token and their output looks degenerate to the
guard: nearly every segment is decoded twice (the retry), each time up to its length cap. The
absolute figures are therefore lower than with real weights; the batching ratio is the point.
"""

from __future__ import annotations

import argparse
import json
import random
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(REPO), str(REPO / "bench")]

import run as bench_run  # noqa: E402  (bench/run.py: the model, its registry, the machine)

SEEDS = REPO / "seeds"
LEVELS = (1, 5, 20)
PROFILES = {
    # requests per client at each level: (1 client, 5 clients, 20 clients)
    "quick": {"short": (6, 2, 1), "article": (1, 1, 0), "levels": (1, 5, 20)},
    "full": {"short": (24, 6, 3), "article": (1, 1, 1), "levels": LEVELS},
}
_LETTERS = "ابتثجحخدذرزسشصضطظعغفقكلمنهوي"


# -- the server (a subprocess) ------------------------------------------------------------------
def serve_worker(task: dict[str, Any]) -> None:
    """Run the real server until SIGTERM (``--server``)."""
    from ui.http.server import serve
    from ui.service.config import AppConfig

    config = AppConfig(
        backend="ctranslate2",
        device="cpu",
        cache_size=0,
        batching=task["batching"],
        summary_method="extractive",
        max_queue=64,
    )
    serve(config, host="127.0.0.1", port=task["port"])


def with_beams(registry: Path, beams: int) -> None:
    """Set the beam size of the bench model's decoding and of the guard's retry."""
    import yaml

    raw = yaml.safe_load(registry.read_text(encoding="utf-8"))
    entry = raw["models"][raw["default_translation"]]
    for key in ("generation", "strict_generation"):
        entry[key] = {**entry.get(key, {}), "num_beams": beams}
    registry.write_text(yaml.safe_dump(raw, sort_keys=False, allow_unicode=True), encoding="utf-8")


def ceiling_worker(task: dict[str, Any]) -> dict[str, Any]:
    """What batching can give at all on this machine: the engine alone, one sentence at a time
    against batches of 8 and 32 (seed sentences of middling length), each decoding a fixed
    number of tokens (``--ceiling``)."""
    from translate.backends.ct2 import CTranslate2Backend
    from translate.registry import resolve_model

    backend = CTranslate2Backend(resolve_model(None, "translation"), device="cpu")
    # 32 seed sentences of middling length, as a length-sorted batch of the server holds them.
    sentences = sorted(Workload(seed=0).sentences, key=len)
    middle = len(sentences) // 2
    texts = sentences[middle - 16 : middle + 16]
    out: dict[str, Any] = {}
    for beams in (1, 4):
        settings = {"num_beams": beams, "max_new_tokens": 48, "min_new_tokens": 48}
        backend.generate(texts[:1], settings)
        began = time.perf_counter()
        for text in texts[:8]:
            backend.generate([text], settings)
        single = 8 * 48 / (time.perf_counter() - began)
        rates = {"1": single}
        for size in (8, 32):
            began = time.perf_counter()
            backend.generate(texts[:size], settings)
            rates[str(size)] = size * 48 / (time.perf_counter() - began)
        out[f"beams {beams}"] = rates
    return out


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(directory: Path, registry: Path, batching: bool, task: dict[str, Any]):
    port = free_port()
    env = {**bench_run.child_env(directory), "TARJAMA_MODELS": str(registry)}
    log = (directory / f"server-{'on' if batching else 'off'}.log").open("w")
    process = subprocess.Popen(
        [sys.executable, str(Path(__file__).resolve()), "--server",
         json.dumps({**task, "batching": batching, "port": port})],
        env=env, stdout=log, stderr=subprocess.STDOUT, cwd=REPO,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}/"
    import httpx

    deadline = time.monotonic() + 300
    while True:
        try:
            if httpx.get(url + "api/v1/models", timeout=2).status_code == 200:
                return process, url
        except httpx.HTTPError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"the server did not start; see {log.name}")
        time.sleep(0.3)


def stop_server(process: subprocess.Popen) -> None:
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=60)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


# -- the workload -------------------------------------------------------------------------------
def marker(n: int) -> str:
    """A distinct Arabic 'word' per sentence (base 28 over the alphabet, at least 2 letters)."""
    letters = []
    n += len(_LETTERS)
    while n:
        n, digit = divmod(n, len(_LETTERS))
        letters.append(_LETTERS[digit])
    return "".join(reversed(letters))


class Workload:
    """Texts for the clients: every sentence made distinct by its marker."""

    def __init__(self, seed: int = 0) -> None:
        from translate import split_sentences

        self.articles = [p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.ar.txt"))]
        self.sentences = [s for a in self.articles for s in split_sentences(a)]
        self.split = split_sentences
        self.counter = 0
        self.lock = threading.Lock()
        self.random = random.Random(seed)

    def _mark(self, sentence: str) -> str:
        with self.lock:
            self.counter += 1
            return f"{marker(self.counter)} {sentence}"

    def short(self) -> tuple[str, int]:
        with self.lock:
            count = self.random.randint(1, 3)
            start = self.random.randrange(len(self.sentences) - count)
        text = " ".join(self._mark(s) for s in self.sentences[start : start + count])
        return text, len(self.split(text))

    def article(self, index: int) -> tuple[str, int]:
        source = self.articles[index % len(self.articles)]
        lines = []
        for line in source.splitlines():
            lines.append(" ".join(self._mark(s) for s in self.split(line)))
        text = "\n".join(lines)
        return text, len(self.split(text))


def load(url: str, kind: str, clients: int, per_client: int, work: Workload) -> dict[str, Any]:
    """``clients`` threads, ``per_client`` requests each, back to back; latencies and rate."""
    import httpx

    jobs = [
        [work.short() if kind == "short" else work.article(c * per_client + i)
         for i in range(per_client)]
        for c in range(clients)
    ]  # fmt: skip
    latencies: list[float] = []
    failures: list[str] = []
    lock = threading.Lock()
    start = threading.Barrier(clients + 1)

    def client(texts: list[tuple[str, int]]) -> None:
        with httpx.Client(timeout=900) as http:
            start.wait()
            for text, _ in texts:
                began = time.perf_counter()
                if kind == "short":
                    reply = http.post(
                        url + "translate", data={"q": text, "source": "ar", "target": "en"}
                    )
                else:
                    reply = http.post(url + "api/v1/translate", json={"text": text})
                took = time.perf_counter() - began
                with lock:
                    if reply.status_code == 200:
                        latencies.append(took)
                    else:
                        failures.append(f"{reply.status_code} {reply.text[:200]}")

    threads = [threading.Thread(target=client, args=(texts,)) for texts in jobs]
    for thread in threads:
        thread.start()
    start.wait()
    began = time.perf_counter()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - began
    sentences = sum(n for texts in jobs for _, n in texts)
    ordered = sorted(latencies)
    return {
        "kind": kind,
        "clients": clients,
        "requests": len(latencies),
        "failures": failures,
        "sentences": sentences,
        "wall_s": wall,
        "sentences_per_s": sentences / wall if wall else 0.0,
        "p50_s": statistics.median(ordered) if ordered else None,
        "p95_s": ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]
        if ordered
        else None,
    }


# -- main ---------------------------------------------------------------------------------------
def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="a smaller run (a few minutes)")
    parser.add_argument("--json", metavar="PATH", help="also write the figures as JSON")
    parser.add_argument("--dir", help="where the built model and its conversion are kept")
    parser.add_argument(
        "--beams",
        type=int,
        default=None,
        help="beam size of decoding and of the guard's retry (default: the registry's, 4)",
    )
    parser.add_argument("--kinds", default="short,article", help="short, article or both")
    parser.add_argument("--server", help=argparse.SUPPRESS)
    parser.add_argument("--ceiling", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.server:
        serve_worker(json.loads(args.server))
        return 0
    if args.ceiling:
        print(json.dumps(ceiling_worker({})))
        return 0
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # stop the server on the way out

    profile = PROFILES["quick" if args.quick else "full"]
    directory = bench_run.bench_dir(args.dir)
    directory.mkdir(parents=True, exist_ok=True)
    model, setup = bench_run.ensure_model(directory)
    if setup["build_s"] or setup["convert_s"]:
        print(f"built the model in {setup['build_s']:.0f}s, converted in {setup['convert_s']:.0f}s")
    registry = bench_run.bench_registry(directory, model)
    if args.beams is not None:
        with_beams(registry, args.beams)
    task: dict[str, Any] = {}
    kinds = [k for k in args.kinds.split(",") if k]
    done = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), "--ceiling"],
        env={**bench_run.child_env(directory), "TARJAMA_MODELS": str(registry)},
        capture_output=True, text=True, timeout=1800, cwd=REPO,
    )  # fmt: skip
    if done.returncode != 0:
        raise RuntimeError(f"the engine ceiling failed:\n{done.stderr[-2000:]}")
    ceiling = json.loads(done.stdout.strip().splitlines()[-1])
    info = bench_run.machine()
    print(
        f"machine: {info.get('cpu')} x{info['cpus']}, load average {info['load_average']}; "
        f"model: opus-mt-ar-en shape, random weights, CTranslate2 int8, "
        f"beams {args.beams or 'from models.yaml (4)'}, sentence cache off"
    )
    print(
        "note: random weights never emit the end token and look degenerate to the guard, so "
        "nearly every segment is retried: absolute figures are low; compare on with off."
    )
    for search, rates in ceiling.items():
        print(
            f"engine alone, {search}: {rates['1']:.0f} tokens/s one sentence at a time, "
            f"{rates['8']:.0f} in batches of 8 ({rates['8'] / rates['1']:.1f}x), "
            f"{rates['32']:.0f} in batches of 32 ({rates['32'] / rates['1']:.1f}x)"
        )
    print()
    results: list[dict[str, Any]] = []
    # Both servers stay up (the idle one costs no CPU) and each scenario runs on one, then on
    # the other, so that the load of a shared machine drifts alike for both.
    servers = {}
    try:
        for batching in (False, True):
            servers[batching] = start_server(directory, registry, batching, task)
            load(servers[batching][1], "short", 1, 2, Workload(seed=9))  # warm up
        for kind in kinds:
            for level, per_client in zip(profile["levels"], profile[kind], strict=True):
                if not per_client:
                    continue
                for batching in (False, True):
                    work = Workload(seed=level)  # the same texts for both servers
                    result = load(servers[batching][1], kind, level, per_client, work)
                    result["batching"] = batching
                    results.append(result)
                    print(
                        f"batching {'on ' if batching else 'off'} {kind:7} {level:2} clients: "
                        f"{result['sentences_per_s']:.2f} sentences/s, "
                        f"p50 {result['p50_s']:.2f} s, p95 {result['p95_s']:.2f} s"
                        + (f", {len(result['failures'])} failed" if result["failures"] else ""),
                        flush=True,
                    )
    finally:
        for process, _ in servers.values():
            stop_server(process)

    rows = []
    for r in results:
        if not r["batching"]:
            continue
        off = next(
            o for o in results
            if not o["batching"] and (o["kind"], o["clients"]) == (r["kind"], r["clients"])
        )  # fmt: skip
        rows.append(
            [
                r["kind"],
                r["clients"],
                r["requests"],
                r["sentences"],
                f"{off['sentences_per_s']:.2f}",
                f"{r['sentences_per_s']:.2f}",
                f"{r['sentences_per_s'] / off['sentences_per_s']:.2f}x",
                f"{off['p50_s']:.2f} / {off['p95_s']:.2f}",
                f"{r['p50_s']:.2f} / {r['p95_s']:.2f}",
            ]
        )
    print()
    print(
        bench_run.table(
            ["requests", "clients", "n", "sentences", "off: sent/s", "on: sent/s", "speed-up",
             "off: p50 / p95 s", "on: p50 / p95 s"],
            rows,
        )
    )  # fmt: skip
    goal = [
        (r, o)
        for r in results
        for o in results
        if r["batching"] and not o["batching"] and r["kind"] == o["kind"] == "short"
        and r["clients"] == o["clients"] == max(profile["levels"])
    ]  # fmt: skip
    for on, off in goal:
        ratio = on["sentences_per_s"] / off["sentences_per_s"]
        verdict = "met" if ratio >= 3 and on["p95_s"] <= off["p95_s"] else "not met"
        print(
            f"\ngoal (short, {on['clients']} clients: >= 3x the sentences/s of one request at a "
            f"time, p95 no worse): {ratio:.2f}x, p95 {on['p95_s']:.2f} s vs {off['p95_s']:.2f} s "
            f"-> {verdict}"
        )
    if args.json:
        report = {
            "machine": info,
            "profile": "quick" if args.quick else "full",
            "beams": args.beams,
            "engine_ceiling_tokens_per_s": ceiling,
            "results": results,
        }
        Path(args.json).write_text(json.dumps(report, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
