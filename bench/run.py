"""Speed and memory of tarjama's engines: ``python bench/run.py [--quick] [--json out.json]``.

The model is the opus-mt-ar-en architecture (d_model 512, 6+6 layers, 8 heads, ffn 2048,
vocabulary 62834) with random weights, built locally by ``tests/tiny_models.build_tiny_marian``
with a real OPUS-MT Arabic SentencePiece model (32k pieces, ``tests/data/opus-mt-ar``, also in
``../shared/tokenizers/opus-mt-ar``) as its source tokenizer, so token counts, windows and
batch budgets are those of real Arabic; kept (with its CTranslate2 conversion) under ``--dir``
(default ``${TARJAMA_CACHE_DIR:-~/.cache/tarjama}/bench``) between runs. The input is the Arabic
seed articles, split into sentences and windows as the Translator splits them.

Parts:
  engines   transformers fp32 vs CTranslate2 int8, greedy and beam 4, on equal work: every
            segment decodes a fixed number of tokens (min_new_tokens == max_new_tokens).
            Target tokens/s and peak RSS; each engine runs in its own process.
  batching  each segment needs ~1.2x its input tokens and ends there (its own cap, as the
            engines end each row of a batch at its own cap); naive in-order fixed-count batches
            vs the Translator's length-sorted token-budget ones (``plan_batches``).
  e2e       translate + summarise the seed article through the public API; time to the first
            streamed segment.
Random weights never emit an end token, so lengths are forced in every part (see BENCHMARKS.md).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

SEEDS = REPO / "seeds"
OPUS_SHAPE = {"d_model": 512, "layers": 6, "heads": 8, "ffn": 2048, "vocab_size": 62834}
MODEL_DIR = "opus-mt-ar-en-shape-spm32k"  # another name than the seed-tokenizer model of before
WINDOW_TOKENS = 160  # models.yaml window_tokens of opus-mt-ar-en
OUTPUT_RATIO = 1.2

PROFILES = {
    # quick: a smaller run (about a minute with the model already built)
    # quick: a smaller run, about a minute once the model is built (the first run builds it)
    "quick": {
        "segments": 8,
        "fixed_tokens": 16,
        "runs": 2,
        "beams": (1,),
        "batching_segments": 16,
        "batching_runs": 1,
        "naive_batch_size": 4,
        "batch_tokens": 512,  # scaled down with the workload
        "max_batch_size": 16,
        "article": "short-headline.ar.txt",
        "e2e_engines": ("ctranslate2",),
    },
    "full": {
        "segments": 48,
        "fixed_tokens": 48,
        "runs": 3,
        "beams": (1, 4),
        "batching_segments": 0,  # all of them
        "batching_runs": 3,
        "naive_batch_size": 16,
        "batch_tokens": 4096,  # the Translator's defaults
        "max_batch_size": 64,
        "article": "aleppo-security-council.ar.txt",
        "e2e_engines": ("transformers", "ctranslate2"),
    },
}


# -- setup (parent) --------------------------------------------------------------------------
def bench_dir(arg: str | None) -> Path:
    if arg:
        return Path(arg).expanduser()
    root = Path(os.environ.get("TARJAMA_CACHE_DIR") or "~/.cache/tarjama").expanduser()
    return root / "bench"


def child_env(directory: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "TARJAMA_CACHE_DIR": str(directory / "cache"),
            "HF_HUB_OFFLINE": "1",
            "TRANSFORMERS_OFFLINE": "1",
            "HF_HUB_DISABLE_TELEMETRY": "1",
            "TOKENIZERS_PARALLELISM": "false",
            "PYTHONWARNINGS": "ignore",
            "PYTHONPATH": str(REPO),
        }
    )
    # The machine may be shared: OpenMP threads that spin while waiting collapse under
    # contention (torch at 2 threads ran 10x slower than at 1 here). Both engines get this.
    env.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    env.pop("TARJAMA_MODELS", None)
    return env


def run_child(
    directory: Path, task: dict[str, Any], timeout: int = 1800, **env: str
) -> dict[str, Any]:
    """Run one measurement in a fresh interpreter; it prints one JSON line last."""
    done = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), "--worker", "-"],
        input=json.dumps(task),  # on stdin: a workload can exceed the argument-list limit
        env={**child_env(directory), **env},
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if done.returncode != 0:
        raise RuntimeError(f"bench worker {task['kind']} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def ensure_model(directory: Path) -> tuple[Path, dict[str, Any]]:
    """Build the opus-mt-sized random model and its int8 conversion once; reuse them after."""
    model = directory / MODEL_DIR
    info = run_child(directory, {"kind": "setup", "model": str(model)}, timeout=3600)
    return model, info


def workload(model: Path) -> list[dict[str, Any]]:
    """The seed articles' segments (sentences; windows of over-long ones) with token counts."""
    import sentencepiece as spm

    from translate import text as T
    from translate.sentences import sentence_spans
    from translate.windows import window_spans

    proc = spm.SentencePieceProcessor(model_file=str(model / "source.spm"))

    def count(texts: list[str]) -> list[int]:
        return [len(proc.encode(T.protect_untouchables(T.normalize(t))[0])) + 1 for t in texts]

    segments: list[dict[str, Any]] = []
    for path in sorted(SEEDS.glob("*.ar.txt")):
        text = path.read_text(encoding="utf-8")
        for span in sentence_spans(text):
            sentence = text[span.start : span.end]
            pieces = [sentence]
            if count([sentence])[0] > WINDOW_TOKENS:
                spans = window_spans(sentence, WINDOW_TOKENS, count)
                pieces = [sentence[s:e].strip() for s, e in spans if sentence[s:e].strip()]
            for piece in pieces:
                model_text = T.protect_untouchables(T.normalize(piece))[0]
                tokens = count([piece])[0]
                segments.append({"text": model_text, "tokens": tokens, "seed": path.name})
    return segments


def translator_batches(
    items: list[dict[str, Any]], budget: int = 4096, max_size: int = 64
) -> list[list[dict[str, Any]]]:
    """The Translator's batches (``translate.translator.plan_batches``): length-sorted, within
    the padded-token budget."""
    from translate.batching import plan_batches

    return plan_batches(
        items, tokens=lambda s: s["tokens"], batch_tokens=budget, max_batch_size=max_size
    )


def naive_batches(items: list[dict[str, Any]], size: int = 16) -> list[list[dict[str, Any]]]:
    """In document order, a fixed number of segments per batch."""
    return [items[i : i + size] for i in range(0, len(items), size)]


def spread(segments: list[dict[str, Any]], n: int) -> list[dict[str, Any]]:
    """``n`` segments taken evenly across the workload (all when n is 0 or too large)."""
    if n <= 0 or n >= len(segments):
        return list(segments)
    step = len(segments) / n
    return [segments[int(i * step)] for i in range(n)]


# -- workers (children) ----------------------------------------------------------------------
def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0  # KiB on Linux


def load_engine(engine: str, model: str, threads: int) -> Any:
    """transformers fp32 or CTranslate2 int8 on the CPU with ``threads`` intra-op threads."""
    from translate.registry import resolve_model

    spec = resolve_model(model, "translation")
    if engine == "transformers":
        import torch

        from translate.backends.hf import TransformersBackend

        torch.set_num_threads(threads)
        return TransformersBackend(spec, device="cpu")
    from translate.backends.ct2 import CTranslate2Backend

    return CTranslate2Backend(spec, device="cpu", quantization="int8", intra_threads=threads)


def worker_setup(task: dict[str, Any]) -> dict[str, Any]:
    model = Path(task["model"])
    built = 0.0
    if not (model / "config.json").is_file():
        from tests.checkpoints import real_arabic_spm
        from tests.tiny_models import build_tiny_marian

        start = time.perf_counter()
        build_tiny_marian(model, **OPUS_SHAPE, init_std=0.02, source_spm=real_arabic_spm())
        built = time.perf_counter() - start
    from translate.backends.convert import convert_model, converted_dir, is_converted
    from translate.registry import resolve_model

    spec = resolve_model(str(model), "translation")
    converted = 0.0
    if not is_converted(converted_dir(spec, "int8")):
        start = time.perf_counter()
        convert_model(spec, "int8")
        converted = time.perf_counter() - start
    return {"build_s": built, "convert_s": converted}


def worker_engine(task: dict[str, Any]) -> dict[str, Any]:
    start = time.perf_counter()
    backend = load_engine(task["engine"], task["model"], task["threads"])
    load_s = time.perf_counter() - start
    n = task["fixed_tokens"]
    settings = {"num_beams": task["beams"], "max_new_tokens": n, "min_new_tokens": n}
    batches: list[list[str]] = task["batches"]
    backend.generate(batches[-1][:2], {**settings, "max_new_tokens": 4, "min_new_tokens": 4})
    times, produced = [], 0
    for _ in range(task["runs"]):
        produced = 0
        start = time.perf_counter()
        for batch in batches:
            produced += sum(out.tokens for out in backend.generate(batch, settings))
        times.append(time.perf_counter() - start)
    return {
        "engine": task["engine"],
        "quantization": backend.quantization,
        "threads": task["threads"],
        "beams": task["beams"],
        "segments": sum(len(b) for b in batches),
        "tokens": produced,
        "times": times,
        "load_s": load_s,
        "rss_mb": peak_rss_mb(),
        "torch_imported": "torch" in sys.modules,
    }


def worker_batching(task: dict[str, Any]) -> dict[str, Any]:
    backend = load_engine(task["engine"], task["model"], task["threads"])
    backend.generate(["كلمة"], {"max_new_tokens": 4})
    results = {}
    for policy, batches in task["policies"].items():
        times = []
        for _ in range(task["runs"]):
            start = time.perf_counter()
            for batch in batches:
                # Each row ends at its own need, as a trained model's rows end at their EOS:
                # random weights never emit it, so the need is the row's cap.
                needs = [item["need"] for item in batch]
                settings = {"num_beams": 1, "max_new_tokens": max(needs)}
                backend.generate([item["text"] for item in batch], settings, caps=needs)
            times.append(time.perf_counter() - start)
        needed = sum(item["need"] for batch in batches for item in batch)
        steps = sum(max(i["need"] for i in b) for b in batches)
        results[policy] = {
            "batches": len(batches),
            "needed_tokens": needed,
            "decoding_steps": steps,
            "times": times,
        }
    return {"engine": task["engine"], "policies": results, "rss_mb": peak_rss_mb()}


def bench_registry(directory: Path, model: Path) -> Path:
    """A models.yaml whose default translation model is the bench model (TARJAMA_MODELS).

    Settings are opus-mt-ar-en's, except max_length_ratio: random weights never emit the end
    token, so every output runs to its cap; 1.2x the input is near a real model's length.
    """
    import yaml

    from translate.registry import registry_path

    raw = yaml.safe_load(registry_path().read_text(encoding="utf-8"))
    entry = dict(raw["models"]["opus-mt-ar-en"])
    entry.pop("hub_id", None)
    entry.update(path=str(model), revision=None, description="bench: random opus-mt-ar-en shape")
    entry["generation"] = {**entry.get("generation", {}), "max_length_ratio": OUTPUT_RATIO}
    raw["models"]["bench-opus-mt-shape"] = entry
    raw["default_translation"] = "bench-opus-mt-shape"
    path = directory / "models.yaml"
    path.write_text(yaml.safe_dump(raw, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path


def in_process(directory: Path, *, with_retry: bool = False) -> Path:
    """Make this process measure the bench model (built once) through the registry's default
    entry, as the child processes do; its registry's path. Unless ``with_retry``, the guard
    passes every output: random weights would fail it on every segment, and figures that leave
    the retry out must really leave it out (the patch is where the Translator calls it)."""
    model, _ = ensure_model(directory)
    registry = bench_registry(directory, model)
    os.environ.update(child_env(directory))
    os.environ["TARJAMA_MODELS"] = str(registry)
    if not with_retry:
        import translate.model_work as model_work
        from translate.guard import GuardReport

        model_work.check_translation = lambda *a, **k: GuardReport(())  # type: ignore[assignment]
    return registry


def worker_e2e(task: dict[str, Any]) -> dict[str, Any]:
    from summarize import digest
    from translate import Translator

    article = (SEEDS / task["article"]).read_text(encoding="utf-8")
    engine = task["engine"]
    start = time.perf_counter()
    stream = Translator(backend=engine, device="cpu", cache_size=0).iter_segments(article)
    next(stream)
    cold_first = time.perf_counter() - start
    for _ in stream:
        pass
    translator = Translator(backend=engine, device="cpu", cache_size=0)
    start = time.perf_counter()
    next(translator.iter_segments(article))
    warm_first = time.perf_counter() - start
    start = time.perf_counter()
    result = translator.translate(article)
    translate_s = time.perf_counter() - start
    start = time.perf_counter()
    both = digest(article, backend=engine, summary_method="extractive", device="cpu")
    digest_s = time.perf_counter() - start
    return {
        "engine": engine,
        "quantization": translator.meta["quantization"],
        "settings": translator.meta["settings"],
        "segments": len(result.segments),
        "retried": sum("retried" in s.flags for s in result.segments),
        "cold_first_segment_s": cold_first,
        "first_segment_s": warm_first,
        "translate_s": translate_s,
        "digest_s": digest_s,
        "summary_method": "extractive",
        "summary_sentences": len(both.summary.sentences),
        "rss_mb": peak_rss_mb(),
    }


WORKERS = {
    "setup": worker_setup,
    "engine": worker_engine,
    "batching": worker_batching,
    "e2e": worker_e2e,
}


# -- report ----------------------------------------------------------------------------------
def machine() -> dict[str, Any]:
    info: dict[str, Any] = {
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(),
    }
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                info["cpu"] = line.split(":", 1)[1].strip()
                break
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                info["memory_gb"] = round(int(line.split()[1]) / 1024**2, 1)
    except OSError:
        pass
    info["load_average"] = [round(x, 2) for x in os.getloadavg()]
    versions = {}
    for name in ("torch", "transformers", "ctranslate2"):
        try:
            from importlib.metadata import version

            versions[name] = version(name)
        except Exception:  # noqa: BLE001 - a missing package just has no version
            versions[name] = None
    info["versions"] = versions
    return info


def table(headers: list[str], rows: list[list[Any]]) -> str:
    cells = [[str(c) for c in row] for row in [headers, *rows]]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) for row in cells]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="a smaller run (about a minute)")
    parser.add_argument("--json", metavar="PATH", help="also write the figures as JSON")
    parser.add_argument("--dir", help="where the built model and its conversion are kept")
    parser.add_argument(
        "--threads", type=int, default=os.cpu_count() or 1, help="intra-op threads per engine"
    )
    parser.add_argument("--skip", action="append", default=[], help="engines|batching|e2e")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        task = json.loads(sys.stdin.read() if args.worker == "-" else args.worker)
        print(json.dumps(WORKERS[task["kind"]](task)))
        return 0

    profile = PROFILES["quick" if args.quick else "full"]
    directory = bench_dir(args.dir)
    directory.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    model, setup = ensure_model(directory)
    if setup["build_s"] or setup["convert_s"]:
        print(f"built the model in {setup['build_s']:.0f}s, converted in {setup['convert_s']:.0f}s")
    segments = workload(model)
    report: dict[str, Any] = {
        "machine": machine(),
        "profile": "quick" if args.quick else "full",
        "model": {
            "architecture": "opus-mt-ar-en (random weights)",
            "source_tokenizer": "OPUS-MT Arabic SentencePiece, 32k pieces",
            **OPUS_SHAPE,
        },
        "workload": {
            "segments": len(segments),
            "source_tokens": sum(s["tokens"] for s in segments),
            "max_tokens": max(s["tokens"] for s in segments),
        },
    }
    print(
        f"machine: {report['machine'].get('cpu')} x{report['machine']['cpus']}, "
        f"load average {report['machine']['load_average']}, {args.threads} threads per engine"
    )
    print(
        f"workload: {len(segments)} segments from seeds/*.ar.txt, "
        f"{report['workload']['source_tokens']} source tokens, profile {report['profile']}\n"
    )

    if "engines" not in args.skip:
        chosen = spread(segments, profile["segments"])
        batches = [[s["text"] for s in b] for b in translator_batches(chosen)]
        rows, results = [], []
        for beams in profile["beams"]:
            for engine in ("transformers", "ctranslate2"):
                task = {
                    "kind": "engine",
                    "engine": engine,
                    "model": str(model),
                    "beams": beams,
                    "fixed_tokens": profile["fixed_tokens"],
                    "runs": profile["runs"],
                    "threads": args.threads,
                    "batches": batches,
                }
                results.append(run_child(directory, task))
        by_key = {(r["engine"], r["beams"]): r for r in results}
        for r in results:
            median = statistics.median(r["times"])
            r["median_s"] = median
            r["tokens_per_s"] = r["tokens"] / median
            base = by_key[("transformers", r["beams"])]
            base_tps = base["tokens"] / statistics.median(base["times"])
            rows.append(
                [
                    r["engine"],
                    r["quantization"],
                    "greedy" if r["beams"] == 1 else f"beam {r['beams']}",
                    r["tokens"],
                    f"{median:.2f}",
                    f"{r['tokens_per_s']:.0f}",
                    f"{r['tokens_per_s'] / base_tps:.2f}x",
                    f"{r['rss_mb']:.0f}",
                    f"{r['rss_mb'] / base['rss_mb']:.2f}",
                    "yes" if r["torch_imported"] else "no",
                ]
            )
        report["engines"] = results
        print(
            f"Engines on equal work: {len(chosen)} segments, {profile['fixed_tokens']} output "
            f"tokens each (min_new_tokens == max_new_tokens), median of {profile['runs']} runs"
        )
        headers = ["engine", "weights", "search", "tokens", "median s", "tok/s", "speed-up",
                   "peak RSS MB", "RSS ratio", "torch"]  # fmt: skip
        print(table(headers, rows) + "\n")

    if "batching" not in args.skip:
        mixed = spread(segments, profile["batching_segments"])
        items = [{**s, "need": max(1, round(OUTPUT_RATIO * s["tokens"]))} for s in mixed]
        size, budget = profile["naive_batch_size"], profile["batch_tokens"]
        policies = {
            f"naive in-order, {size} per batch": naive_batches(items, size),
            f"length-sorted, {budget}-token budget (the Translator's)": translator_batches(
                items, budget, profile["max_batch_size"]
            ),
        }
        task = {
            "kind": "batching",
            "engine": "ctranslate2",
            "model": str(model),
            "runs": profile["batching_runs"],
            "threads": args.threads,
            "policies": policies,
        }
        result = run_child(directory, task)
        rows = []
        naive = None
        for policy, r in result["policies"].items():
            median = statistics.median(r["times"])
            r["median_s"] = median
            r["tokens_per_s"] = r["needed_tokens"] / median
            naive = naive or r["tokens_per_s"]
            rows.append(
                [
                    policy,
                    r["batches"],
                    r["needed_tokens"],
                    r["decoding_steps"],
                    f"{median:.2f}",
                    f"{r['tokens_per_s']:.0f}",
                    f"{r['tokens_per_s'] / naive:.2f}x",
                ]
            )
        report["batching"] = result
        print(
            f"Batching (CTranslate2 int8, greedy): {len(items)} mixed-length segments, each "
            f"needing {OUTPUT_RATIO}x its input tokens, each ending there (its own cap); a batch "
            "takes as many steps as its longest member"
        )
        headers = ["policy", "batches", "needed tok", "decoding steps", "median s",
                   "needed tok/s", "speed-up"]  # fmt: skip
        print(table(headers, rows) + "\n")

    if "e2e" not in args.skip:
        rows, results = [], []
        registry = str(bench_registry(directory, model))
        article = SEEDS / profile["article"]
        for engine in profile["e2e_engines"]:
            task = {"kind": "e2e", "engine": engine, "article": article.name}
            result = run_child(directory, task, TARJAMA_MODELS=registry)
            results.append(result)
            rows.append(
                [
                    engine,
                    result["quantization"],
                    result["segments"],
                    result["retried"],
                    f"{result['cold_first_segment_s']:.2f}",
                    f"{result['first_segment_s']:.2f}",
                    f"{result['translate_s']:.2f}",
                    f"{result['digest_s']:.2f}",
                    f"{result['rss_mb']:.0f}",
                ]
            )
        report["e2e"] = results
        print(
            f"End to end: {article.name} ({len(article.read_text(encoding='utf-8').split())} "
            f"words), opus-mt-ar-en settings (beam 4), each output capped at {OUTPUT_RATIO}x its "
            "sentence's tokens (length bucket) + 10; digest = translate + extractive summary"
        )
        headers = ["engine", "weights", "segments", "retried", "1st seg cold s", "1st seg s",
                   "translate s", "digest s", "peak RSS MB"]  # fmt: skip
        print(table(headers, rows) + "\n")

    report["load_average_after"] = [round(x, 2) for x in os.getloadavg()]
    report["elapsed_s"] = time.perf_counter() - started
    print(
        f"total {report['elapsed_s']:.0f}s; load average now {report['load_average_after']} "
        "(other processes share this machine when it is above the thread count)"
    )
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
