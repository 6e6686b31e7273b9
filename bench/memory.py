"""Speed of the translation memory: ``python bench/memory.py [--units 100000] [--rows 2000]``.

Parts (each figure printed beside its goal):
  import    a TMX file of ``--units`` units (default 100,000) into a new memory.
  exact     ``TranslationMemory.get`` of 1,000 stored sentences: time a sentence.
  near      ``TranslationMemory.search`` of 300 stored sentences with one or two words changed:
            time a sentence (mean, p95) and recall (the original found at >= 0.8).
  batch     a local batch job of ``--rows`` one-sentence rows, half of them in the memory,
            with the memory and without it (same model, same rows): the speed-up.

The units are synthetic Arabic sentences of 8-30 words drawn from the seed articles'
vocabulary with its word frequencies (a realistic spread of common and rare words: the near
search's index depends on it). The model of the batch part is a random-weight MarianMT
(d_model 128, 2+2 layers, ``tests/tiny_models``) with forced output lengths (32 tokens,
``min_new_tokens == max_new_tokens``), since random weights never end a sentence; its CPU time
a sentence (~20 ms) is well under a real opus-mt model's, so the figure is a lower bound.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

GOALS = {"exact_ms": 1.0, "near_ms": 20.0, "import_s": 30.0, "batch_speedup": 1.8}


def vocabulary() -> tuple[list[str], list[int]]:
    """Seed words and their counts (the sampling weights)."""
    from tests.tiny_models import arabic_corpus

    counts = Counter(w for line in arabic_corpus() for w in re.findall(r"[\u0621-\u064a]+", line))
    words = sorted(counts)
    return words, [counts[w] for w in words]


def sentences(count: int, seed: int) -> list[str]:
    """``count`` distinct synthetic Arabic sentences."""
    words, weights = vocabulary()
    rng = random.Random(seed)
    out: dict[str, None] = {}
    while len(out) < count:
        n = rng.randint(8, 30)
        out[" ".join(rng.choices(words, weights, k=n)) + "."] = None
    return list(out)


def mutate(sentence: str, rng: random.Random, words: list[str]) -> str:
    """One or two words replaced: a near match of the original."""
    tokens = sentence.rstrip(".").split()
    for _ in range(rng.randint(1, 2) if len(tokens) >= 12 else 1):
        tokens[rng.randrange(len(tokens))] = rng.choice(words)
    return " ".join(tokens) + "."


def write_tmx(path: Path, pairs: list[tuple[str, str]]) -> None:
    from xml.sax.saxutils import escape

    with open(path, "w", encoding="utf-8") as out:
        out.write('<?xml version="1.0" encoding="UTF-8"?>\n<tmx version="1.4">\n')
        out.write('<header srclang="ar" adminlang="en" datatype="plaintext" segtype="sentence" ')
        out.write('creationtool="bench" creationtoolversion="1" o-tmf="bench"/>\n<body>\n')
        for source, target in pairs:
            out.write(
                f'<tu><tuv xml:lang="ar"><seg>{escape(source)}</seg></tuv>'
                f'<tuv xml:lang="en"><seg>{escape(target)}</seg></tuv></tu>\n'
            )
        out.write("</body>\n</tmx>\n")


def per_call_ms(fn, items: list) -> list[float]:  # noqa: ANN001
    times = []
    for item in items:
        start = time.perf_counter()
        fn(item)
        times.append((time.perf_counter() - start) * 1000)
    return times


def bench_store(directory: Path, units: int) -> tuple[dict, list[str]]:
    from translate.memory import TranslationMemory, import_file

    pairs = [(s, f"English {i}.") for i, s in enumerate(sentences(units, seed=1))]
    tmx = directory / "units.tmx"
    write_tmx(tmx, pairs)
    memory = TranslationMemory(directory / "tm.sqlite3")
    start, cpu = time.perf_counter(), time.process_time()
    report = import_file(memory, tmx)
    import_s = time.perf_counter() - start
    import_cpu_s = time.process_time() - cpu
    assert report.added == units, report

    rng = random.Random(2)
    sample = rng.sample([s for s, _ in pairs], 1000)
    per_call_ms(memory.get, sample[:50])  # warm the page cache
    exact = per_call_ms(memory.get, sample)
    assert all(memory.get(s) is not None for s in sample[:100])

    words, _ = vocabulary()
    originals = rng.sample([s for s, _ in pairs], 300)
    queries = [mutate(s, rng, words) for s in originals]
    found = 0
    near: list[float] = []
    cpu = time.process_time()
    for original, query in zip(originals, queries, strict=True):
        start = time.perf_counter()
        matches = memory.search(query, limit=5)
        near.append((time.perf_counter() - start) * 1000)
        found += any(m.unit.source == original for m in matches)
    near_cpu_ms = (time.process_time() - cpu) * 1000 / len(queries)
    figures = {
        "units": units,
        "import_s": round(import_s, 2),
        "import_cpu_s": round(import_cpu_s, 2),
        "near_cpu_ms": round(near_cpu_ms, 3),
        "load_average": round(os.getloadavg()[0], 1),
        "cpus": os.cpu_count(),
        "file_mb": round(memory.stats().bytes / 1e6, 1),
        "exact_ms": round(statistics.mean(exact), 4),
        "exact_p95_ms": round(sorted(exact)[int(len(exact) * 0.95)], 4),
        "near_ms": round(statistics.mean(near), 3),
        "near_p95_ms": round(sorted(near)[int(len(near) * 0.95)], 3),
        "near_recall": round(found / len(queries), 3),
    }
    memory.close()
    return figures, [s for s, _ in pairs]


def bench_batch(directory: Path, stored: list[str], rows: int, chunk_rows: int) -> dict:
    import torch

    from tests.tiny_models import build_tiny_marian
    from translate import batch as B
    from translate.config import TranslatorConfig

    torch.set_num_threads(1)
    model = directory / "model"
    build_tiny_marian(model, d_model=128, layers=2, heads=4, ffn=512, init_std=0.02)
    rng = random.Random(3)
    known = set(stored)
    fresh = [s for s in sentences(rows, seed=4) if s not in known][: rows - rows // 2]
    texts = rng.sample(stored, rows // 2) + fresh
    rng.shuffle(texts)
    source = directory / "rows.jsonl"
    source.write_text(
        "".join(json.dumps({"text": t}, ensure_ascii=False) + "\n" for t in texts),
        encoding="utf-8",
    )
    generation = {"num_beams": 1, "max_new_tokens": 32, "min_new_tokens": 32}
    results = {}
    # A first short job, not timed: torch's one-time start-up would count against the first.
    warm = directory / "warm.jsonl"
    warm.write_text("".join(source.read_text(encoding="utf-8").splitlines(True)[:64]))
    warm_config = TranslatorConfig(model=str(model), backend="transformers", device="cpu")
    B.run_batch(warm, directory / "warm-out.jsonl", warm_config, B.JobOptions(show_progress=False))
    for name, memory in (("without", None), ("with", str(directory / "tm.sqlite3"))):
        config = TranslatorConfig(
            model=str(model),
            backend="transformers",
            device="cpu",
            cache_size=0,
            generation=generation,
            memory=memory,
        )
        options = B.JobOptions(show_progress=False, resume=False, chunk_rows=chunk_rows)
        start, cpu = time.perf_counter(), time.process_time()
        report = B.run_batch(source, directory / f"out-{name}.jsonl", config, options)
        seconds = time.perf_counter() - start
        cpu_seconds = time.process_time() - cpu
        out = directory / f"out-{name}.jsonl"
        hits = sum("memory" in json.loads(line)["flags"] for line in out.open(encoding="utf-8"))
        results[name] = {
            "seconds": round(seconds, 2),
            "cpu_seconds": round(cpu_seconds, 2),
            "sentences_per_s": round(report.sentences_this_run / seconds, 1),
            "memory_hits": hits,
        }
    results["batch_speedup"] = round(results["without"]["seconds"] / results["with"]["seconds"], 2)
    results["batch_speedup_cpu"] = round(
        results["without"]["cpu_seconds"] / results["with"]["cpu_seconds"], 2
    )
    results["rows"] = rows
    results["chunk_rows"] = chunk_rows
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=100_000)
    parser.add_argument("--rows", type=int, default=2000)
    parser.add_argument("--skip-batch", action="store_true")
    # 128: with half the rows taken from the memory, a chunk still fills a 64-row model batch.
    parser.add_argument("--chunk-rows", type=int, default=128)
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="tarjama-bench-memory-") as tmp:
        directory = Path(tmp)
        figures, stored = bench_store(directory, args.units)
        if not args.skip_batch:
            figures["batch"] = bench_batch(directory, stored, args.rows, args.chunk_rows)
            figures["batch_speedup"] = figures["batch"]["batch_speedup"]
    rows = [
        ("import of TMX units", f"{figures['import_s']} s", f"< {GOALS['import_s']:g} s"),
        ("  of which CPU time", f"{figures['import_cpu_s']} s", ""),
        ("exact lookup, a sentence", f"{figures['exact_ms']} ms", f"< {GOALS['exact_ms']:g} ms"),
        ("near search, a sentence", f"{figures['near_ms']} ms", f"< {GOALS['near_ms']:g} ms"),
        ("near search p95", f"{figures['near_p95_ms']} ms", ""),
        ("near search CPU, a sentence", f"{figures['near_cpu_ms']} ms", ""),
        ("near search recall", f"{figures['near_recall']:.1%}", ""),
    ]
    if "batch_speedup" in figures:
        batch = figures["batch"]
        rows.append(("batch, 50% exact hits", f"{batch['batch_speedup']}x", "≥ 1.8x"))
        without, with_memory = batch["without"], batch["with"]
        rows.append(
            ("  without / with", f"{without['seconds']} s / {with_memory['seconds']} s", "")
        )
        rows.append(("  in CPU time", f"{batch['batch_speedup_cpu']}x", ""))
        rows.append(("  memory hits", f"{with_memory['memory_hits']} of {batch['rows']}", ""))
    print(
        f"Translation memory, {figures['units']:,} units ({figures['file_mb']} MB); "
        f"{figures['cpus']} CPUs, load average {figures['load_average']} when measured"
    )
    for name, value, goal in rows:
        print(f"  {name:<28} {value:>20}   {goal}")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
