"""Hugging Face datasets: ``hf://OWNER/NAME[:CONFIG][@SPLIT]`` in, a translated column out.

- :func:`parse_hub_spec` reads the spec; :func:`load_hub_dataset` loads the split through
  ``datasets.load_dataset`` — streamed when the split is large (or its size unknown) and the
  hub is reachable, from the local cache when ``HF_HUB_OFFLINE=1``;
- :func:`iter_hub_rows` yields the rows (dicts) of a spec, for batch jobs;
- :func:`translate_dataset` maps a text column of a ``datasets.Dataset`` (or
  ``IterableDataset``) to translations with ``Translator.translate_batch``, which batches
  sentences across the rows of each map batch, plus ``flags`` and ``error`` columns.

A missing dataset, config, split or column raises a typed error with what is available.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from ..errors import MissingDependencyError, TarjamaError
from .errors import ColumnNotFoundError, DatasetError, DatasetNotFoundError

LARGE_SPLIT_BYTES = 256 * 1024 * 1024
DEFAULT_BATCH_SIZE = 64
_SPEC = re.compile(
    r"^hf://(?P<repo>[A-Za-z0-9][\w.\-]*(?:/[A-Za-z0-9][\w.\-]*)?)"
    r"(?::(?P<config>[^@/]+))?(?:@(?P<split>[^@/]+))?/?$"
)
INSTALL_HINT = "pip install datasets"


@dataclass(frozen=True)
class HubDatasetSpec:
    """A dataset on the Hugging Face hub: ``repo`` (OWNER/NAME), optional config and split."""

    repo: str
    config: str | None = None
    split: str | None = None

    def __str__(self) -> str:
        config = f":{self.config}" if self.config else ""
        split = f"@{self.split}" if self.split else ""
        return f"hf://{self.repo}{config}{split}"


def is_hub_spec(source: object) -> bool:
    """True for a string starting with ``hf://``."""
    return isinstance(source, str) and source.strip().lower().startswith("hf://")


def parse_hub_spec(spec: str) -> HubDatasetSpec:
    """``hf://OWNER/NAME[:CONFIG][@SPLIT]`` → :class:`HubDatasetSpec`; DatasetError if malformed."""
    match = _SPEC.match(spec.strip())
    if match is None:
        raise DatasetError(
            f"{spec!r} is not a dataset spec; write hf://OWNER/NAME, optionally followed by "
            ":CONFIG and/or @SPLIT (e.g. hf://owner/arabic-news:default@train)."
        )
    return HubDatasetSpec(match["repo"], match["config"], match["split"])


def _datasets() -> Any:
    try:
        import datasets
    except ImportError as exc:  # pragma: no cover - datasets is a core dependency
        raise MissingDependencyError(
            f"Hugging Face datasets need the datasets package: {INSTALL_HINT}"
        ) from exc
    return datasets


def _offline() -> bool:
    return os.environ.get("HF_HUB_OFFLINE", "").strip().lower() in ("1", "true", "yes", "on")


def _not_found(spec: HubDatasetSpec, exc: BaseException) -> DatasetNotFoundError:
    detail = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    hint = (
        " HF_HUB_OFFLINE is set, so only datasets already in the local cache can be used: run "
        "once with the hub reachable to cache it."
        if _offline()
        else " Check the name (OWNER/NAME), your network, and that you have access to it."
    )
    return DatasetNotFoundError(f"Cannot load the dataset {spec}: {detail}.{hint}")


def _choose_split(spec: HubDatasetSpec, splits: list[str]) -> str:
    if spec.split:
        return spec.split
    if "train" in splits or not splits:
        return "train"
    if len(splits) == 1:
        return splits[0]
    raise DatasetError(
        f"{spec} has several splits ({', '.join(splits)}); name one, e.g. {spec}@{splits[0]}."
    )


def _split_size(builder: Any, split: str) -> int | None:
    info = getattr(builder, "info", None)
    splits = getattr(info, "splits", None) or {}
    name = split.split("[", 1)[0]
    if name in splits and getattr(splits[name], "num_bytes", None):
        return int(splits[name].num_bytes)
    return None


def load_hub_dataset(
    spec: str | HubDatasetSpec,
    *,
    streaming: bool | None = None,
    revision: str | None = None,
) -> Any:
    """Load one split of a hub dataset (a ``Dataset``, or an ``IterableDataset`` if streamed).

    ``streaming=None`` streams a split larger than :data:`LARGE_SPLIT_BYTES` (or of unknown
    size) when the hub is reachable, and never when ``HF_HUB_OFFLINE=1`` (then the cached copy
    is read). Raises :class:`DatasetNotFoundError` if the dataset, config or split is missing.
    """
    datasets = _datasets()
    parsed = spec if isinstance(spec, HubDatasetSpec) else parse_hub_spec(spec)
    try:
        builder = datasets.load_dataset_builder(parsed.repo, parsed.config, revision=revision)
    except (FileNotFoundError, ConnectionError, ValueError, OSError) as exc:
        raise _not_found(parsed, exc) from None
    available = list((getattr(builder.info, "splits", None) or {}).keys())
    split = _choose_split(parsed, available)
    if available and split.split("[", 1)[0] not in available:
        raise DatasetNotFoundError(
            f"{parsed.repo} has no split {split!r}; it has {', '.join(available)}."
        )
    if streaming is None:
        size = _split_size(builder, split)
        streaming = not _offline() and (size is None or size > LARGE_SPLIT_BYTES)
        streaming = streaming and "[" not in split  # slices like train[:10%] need the full split
    try:
        return datasets.load_dataset(
            parsed.repo, parsed.config, split=split, streaming=streaming, revision=revision
        )
    except (FileNotFoundError, ConnectionError, ValueError, OSError) as exc:
        raise _not_found(parsed, exc) from None


def column_names(dataset: Any) -> list[str] | None:
    """A dataset's columns, or None if a streamed dataset does not know them yet."""
    names = getattr(dataset, "column_names", None)
    return list(names) if names is not None else None


def check_column(dataset: Any, column: str, where: str = "the dataset") -> None:
    """Raise :class:`ColumnNotFoundError` if ``dataset`` (known columns) lacks ``column``."""
    names = column_names(dataset)
    if names is not None and column not in names:
        raise ColumnNotFoundError(
            f"{where} has no column {column!r}; its columns are {', '.join(names) or 'none'}. "
            "Name the Arabic text column (--column)."
        )


def iter_hub_rows(
    spec: str | HubDatasetSpec,
    column: str,
    *,
    streaming: bool | None = None,
    revision: str | None = None,
) -> Iterator[dict[str, Any]]:
    """The rows of a hub dataset split, in order, as dicts; the column is checked first.

    The dataset is loaded (and the column checked) when this is called, before the first row
    is asked for, so a bad spec or column fails before any work starts.
    """
    dataset = load_hub_dataset(spec, streaming=streaming, revision=revision)
    check_column(dataset, column, str(spec))
    return _rows(dataset, column, str(spec))


def _rows(dataset: Any, column: str, where: str) -> Iterator[dict[str, Any]]:
    for number, row in enumerate(dataset):
        if number == 0 and column not in row:
            raise ColumnNotFoundError(
                f"{where} has no column {column!r}; its columns are {', '.join(row) or 'none'}."
            )
        yield dict(row)


def _fingerprint(dataset: Any, column: str, output_column: str, translator: Any) -> str:
    """A map fingerprint from the input's and the model's identity (hashing the Translator
    itself would pickle the whole model)."""
    settings = {
        "dataset": getattr(dataset, "_fingerprint", None),
        "column": column,
        "output": output_column,
        "model": getattr(translator, "meta", None),
        "settings": getattr(translator, "settings", None),
    }
    return hashlib.sha256(json.dumps(settings, sort_keys=True, default=str).encode()).hexdigest()[
        :32
    ]


def translate_dataset(
    dataset: Any,
    column: str,
    translator: Any,
    *,
    output_column: str = "translation",
    flags_column: str = "flags",
    error_column: str = "error",
    batch_size: int = DEFAULT_BATCH_SIZE,
    overwrite: bool = False,
) -> Any:
    """Add ``output_column`` (English), ``flags_column`` and ``error_column`` to ``dataset``.

    Rows are translated ``batch_size`` at a time through ``translator.translate_batch``, so
    sentences of many rows share model batches. A row that cannot be translated (empty, not
    Arabic, not a string) gets an empty translation and its ``error``; the rest go on. Works on
    ``datasets.Dataset`` (returns a Dataset) and ``IterableDataset`` (lazily).
    """
    datasets = _datasets()
    if batch_size < 1:
        raise DatasetError("batch_size must be at least 1.")
    check_column(dataset, column)
    new = (output_column, flags_column, error_column)
    names = column_names(dataset) or []
    clash = [name for name in new if name in names and name != column]
    if clash and not overwrite:
        raise DatasetError(
            f"The dataset already has the column(s) {', '.join(clash)}; pass overwrite=True "
            "or choose other output column names."
        )

    def translate_rows(batch: dict[str, list[Any]]) -> dict[str, list[Any]]:
        texts = batch[column]
        outcomes = translator.translate_batch(texts, on_error="return")
        out: dict[str, list[Any]] = {output_column: [], flags_column: [], error_column: []}
        for outcome in outcomes:
            if isinstance(outcome, TarjamaError):
                out[output_column].append("")
                out[flags_column].append([])
                out[error_column].append(str(outcome))
            else:
                out[output_column].append(outcome.text)
                out[flags_column].append(list(outcome.flags))
                out[error_column].append("")
        return out

    list_type = getattr(datasets, "List", None) or datasets.Sequence
    features = getattr(dataset, "features", None)
    if features is not None:
        features = datasets.Features(
            {
                **{k: v for k, v in features.items() if k not in new or k == column},
                output_column: datasets.Value("string"),
                flags_column: list_type(datasets.Value("string")),
                error_column: datasets.Value("string"),
            }
        )
    if isinstance(dataset, datasets.IterableDataset):
        return dataset.map(translate_rows, batched=True, batch_size=batch_size, features=features)
    return dataset.map(
        translate_rows,
        batched=True,
        batch_size=batch_size,
        features=features,
        new_fingerprint=_fingerprint(dataset, column, output_column, translator),
        desc="Translating",
    )
