"""Cost of a 5,000-entry glossary next to translation: ``python bench/glossary.py [--quick]``.

The model is bench/run.py's: the opus-mt-ar-en architecture with random weights and the real
OPUS-MT Arabic SentencePiece tokenizer (built once under ``--dir``), every output forced to
1.2x its input's tokens (random weights never end a sentence). The text is the seed articles.

The glossary has 5,000 entries: 50 house terms of a news desk (places, bodies, offices: حلب,
مجلس الأمن, البنك المركزي, الحكومة...; 66 matches in the articles' 2,386 words, about one a
sentence) and 4,950 made of two or three Arabic pieces of the tokenizer's vocabulary: they
index like real entries (many share a first word with the text, so candidates are checked) but
rarely match.

Measured, with the engine of ``--engine`` on the CPU:
  translate   Translator(...).translate(article) without a glossary (seconds)
  glossary    the glossary's own work on the same text: matching, building the model inputs
              with placeholders, checking and restoring the outputs, mapping spans to the source
              (seconds, and as a share of ``translate``; the target is at most 5%)
  with        Translator(..., glossary=...).translate(article): the model's share of the cost.
              A placeholder is 5 tokens of this tokenizer (a term is 1 to 8), and random
              weights decode 1.2x the input's tokens, so more matches mean longer decoding.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import sys
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(REPO), str(REPO / "bench")]

import run as bench_run  # noqa: E402  (bench/run.py: the model and its registry)

SEEDS = REPO / "seeds"
ENTRIES = 5000
HOUSE_TERMS = (
    "حلب|سوريا|مجلس الأمن|الأمم المتحدة|دمشق|روسيا|الولايات المتحدة|واشنطن|موسكو|الرئيس|"
    "الحكومة|وزير الخارجية|البنك المركزي|صندوق النقد الدولي|مصر|القاهرة|لبنان|بيروت|العراق|"
    "بغداد|الأردن|السعودية|تركيا|إيران|الجيش|المعارضة|النظام|الأمين العام|ستافان دي ميستورا|"
    "الاتحاد الأوروبي|جامعة الدول العربية|قطر|الدوحة|المبعوث|اللاجئين|وكالة|فرنسا|بريطانيا|"
    "الصين|الكويت|الإمارات|ليبيا|اليمن|فلسطين|غزة|إسرائيل|البرلمان|الدولار|التضخم|النفط"
).split("|")


def build_glossary(spm_path: Path, seed: int = 7) -> Any:
    """5,000 entries: the HOUSE_TERMS, the rest from pairs and triples of the tokenizer's
    Arabic pieces."""
    import sentencepiece as spm

    from translate.terms import Glossary

    rng = random.Random(seed)
    chosen = {term: f"House {i}" for i, term in enumerate(HOUSE_TERMS)}
    proc = spm.SentencePieceProcessor(model_file=str(spm_path))
    pieces = [
        p.lstrip("\u2581")
        for p in (proc.id_to_piece(i) for i in range(proc.get_piece_size()))
        if re.fullmatch("\u2581?[\u0621-\u063a\u0641-\u064a]{3,}", p)
    ]
    while len(chosen) < ENTRIES:
        # Two or three pieces: single pieces are common words (الذي, على) that no glossary holds.
        term = " ".join(rng.choice(pieces) for _ in range(rng.choice((2, 2, 3))))
        chosen.setdefault(term, f"entry {len(chosen)}")
    return Glossary.from_entries(
        [{"arabic": a, "english": e} for a, e in chosen.items()], name="bench-5000"
    )


def _sentences(texts: list[str]) -> list[str]:
    from translate.sentences import sentence_spans

    return [t[s.start : s.end] for t in texts for s in sentence_spans(t)]


def glossary_work(glossary: Any, texts: list[str], outputs: dict[str, str]) -> tuple[float, int]:
    """Seconds of the glossary's own steps over every sentence, and the number of matches."""
    from translate import text as T
    from translate.terms.enforce import align_offsets, protect_terms, restore_terms

    sentences = _sentences(texts)
    start = time.perf_counter()
    matched = 0
    for sentence in sentences:
        normalised = T.normalize(sentence)
        matches = glossary.matcher.find(normalised)
        model_input, originals, slots = protect_terms(normalised, matches)
        if slots:
            matched += len(slots)
            # The engine's output for this input: placeholders in place (from the real run).
            output = outputs.get(model_input, model_input)
            restore_terms(output, model_input, originals, slots)
            align_offsets(sentence, normalised)
    return time.perf_counter() - start, matched


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dir", help="where the bench model lives (bench/run.py's --dir)")
    parser.add_argument("--engine", default="ctranslate2", choices=("ctranslate2", "transformers"))
    parser.add_argument("--quick", action="store_true", help="the short headline article only")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args(argv)
    directory = bench_run.bench_dir(args.dir)
    directory.mkdir(parents=True, exist_ok=True)
    model, _ = bench_run.ensure_model(directory)
    os.environ.update(bench_run.child_env(directory))
    os.environ["TARJAMA_MODELS"] = str(bench_run.bench_registry(directory, model))
    from translate import Translator

    names = (
        ["short-headline.ar.txt"] if args.quick else sorted(p.name for p in SEEDS.glob("*.ar.txt"))
    )
    texts = [(SEEDS / name).read_text(encoding="utf-8") for name in names]
    start = time.perf_counter()
    glossary = build_glossary(model / "source.spm")
    build_s = time.perf_counter() - start
    start = time.perf_counter()
    glossary.matcher  # noqa: B018 - build the index now, once per glossary
    index_s = time.perf_counter() - start

    plain = Translator(backend=args.engine, device="cpu", cache_size=0)
    plain.translate(texts[0][:200])  # load and warm up
    start = time.perf_counter()
    for text in texts:
        plain.translate(text)
    translate_s = time.perf_counter() - start

    with_terms = plain.with_glossary(glossary)
    outputs: dict[str, str] = {}
    original = with_terms.backend.generate

    def recording(batch: list[str], settings: Any, **kw: Any) -> Any:
        outs = original(batch, settings, **kw)
        outputs.update(zip(batch, (o.text for o in outs), strict=True))
        return outs

    with_terms.backend.generate = recording  # type: ignore[method-assign]
    start = time.perf_counter()
    results = [with_terms.translate(text) for text in texts]
    with_s = time.perf_counter() - start
    with_terms.backend.generate = original  # type: ignore[method-assign]
    work = [glossary_work(glossary, texts, outputs)[0] for _ in range(3)]
    work_s = min(work)
    _, matched = glossary_work(glossary, texts, outputs)
    flags = sorted({f for r in results for f in r.flags if f.startswith("term-")})
    count = plain.backend.count_tokens
    tokens_plain = sum(count([plain._model_input(t)[0] for t in _sentences(texts)]))
    tokens_terms = sum(count([with_terms._model_input(t)[0] for t in _sentences(texts)]))
    figures = {
        "engine": args.engine,
        "articles": names,
        "entries": len(glossary),
        "matches": matched,
        "glossary_build_s": round(build_s, 3),
        "index_build_s": round(index_s, 3),
        "translate_s": round(translate_s, 3),
        "glossary_work_s": round(work_s, 4),
        "glossary_share": round(work_s / translate_s, 4),
        "translate_with_glossary_s": round(with_s, 3),
        "term_flags": flags,
        "input_tokens": tokens_plain,
        "input_tokens_with_glossary": tokens_terms,
    }
    print(f"glossary: {len(glossary):,} entries, {matched} matches in {len(names)} article(s)")
    print(f"  index built once         {index_s * 1000:8.1f} ms")
    print(f"  translate ({args.engine})  {translate_s:8.2f} s")
    print(f"  glossary work            {work_s * 1000:8.1f} ms = {work_s / translate_s:.2%}")
    print(f"  translate with glossary  {with_s:8.2f} s  (flags: {', '.join(flags) or 'none'})")
    print(
        f"  model input tokens       {tokens_plain} -> {tokens_terms} with the glossary "
        f"(+{tokens_terms / tokens_plain - 1:.1%}: a placeholder is 5 tokens)"
    )
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
