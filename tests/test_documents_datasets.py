"""Hugging Face datasets: hf:// specs, translating a column with cross-row batching, local
files, and a dataset in the local hub cache read with HF_HUB_OFFLINE=1 (set by conftest)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from tests.documents_fixtures import stub_translator
from translate.documents import (
    ColumnNotFoundError,
    DatasetError,
    DatasetNotFoundError,
    HubDatasetSpec,
    iter_hub_rows,
    load_hub_dataset,
    parse_hub_spec,
    translate_dataset,
)
from translate.errors import InputError

datasets = pytest.importorskip("datasets")

ROWS = {
    "id": [1, 2, 3, 4, 5],
    "text": [
        "قال الوزير إن الحكومة ستواصل العمل. وأضاف أن الوفد سيصل غدا.",
        "",
        "Only English, no Arabic.",
        "أعلن البنك المركزي نمو الاقتصاد بنسبة 3.5 هذا العام.",
        None,
    ],
}


# datasets brings torch in (iterable datasets format through it): not the pure tier.
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def stub(tmp_path_factory: pytest.TempPathFactory):
    return stub_translator(tmp_path_factory.mktemp("stub-model"))


@pytest.fixture(scope="module")
def cached_hub_dataset(tmp_path_factory: pytest.TempPathFactory) -> str:
    """Put ``tarjama-test/arabic-news`` (splits train and test) into the datasets cache exactly
    where ``load_dataset`` looks for a hub dataset it cannot reach, as a download would."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    source = tmp_path_factory.mktemp("hub-source")
    pq.write_table(
        pa.table({"id": [1, 2], "text": ROWS["text"][:1] + ROWS["text"][3:4]}),
        source / "train.parquet",
    )
    pq.write_table(pa.table({"id": [9], "text": ["وختم حديثه."]}), source / "test.parquet")
    builder = datasets.load_dataset_builder(
        "parquet",
        data_files={"train": str(source / "train.parquet"), "test": str(source / "test.parquet")},
        cache_dir=str(tmp_path_factory.mktemp("build-cache")),
    )
    builder.download_and_prepare()
    target = Path(datasets.config.HF_DATASETS_CACHE) / "tarjama-test___arabic-news" / "default"
    target = target / "0.0.0" / "0123456789abcdef"
    shutil.copytree(builder.cache_dir, target, dirs_exist_ok=True)
    for file in target.iterdir():  # cached hub datasets are named after the dataset
        if file.name.startswith("parquet-"):
            file.rename(target / file.name.replace("parquet-", "arabic-news-", 1))
    return "hf://tarjama-test/arabic-news"


# -- specs ---------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ("hf://owner/name", HubDatasetSpec("owner/name")),
        ("hf://owner/name:ar", HubDatasetSpec("owner/name", "ar")),
        ("hf://owner/name@test", HubDatasetSpec("owner/name", None, "test")),
        (
            "hf://owner/news.v2:default@train[:10%]",
            HubDatasetSpec("owner/news.v2", "default", "train[:10%]"),
        ),
        ("hf://squad", HubDatasetSpec("squad")),
    ],
)
def test_parse_hub_spec(spec: str, expected: HubDatasetSpec) -> None:
    assert parse_hub_spec(spec) == expected
    assert str(parse_hub_spec(spec)) == spec


@pytest.mark.parametrize(
    "spec", ["owner/name", "hf://", "hf://a/b/c", "hf://owner/name@", "hf:///x"]
)
def test_bad_specs(spec: str) -> None:
    with pytest.raises(DatasetError, match="not a dataset spec"):
        parse_hub_spec(spec)


# -- translate_dataset ---------------------------------------------------------------------------
def test_translate_dataset_adds_columns_and_per_row_errors(stub) -> None:
    dataset = datasets.Dataset.from_dict(ROWS)
    stub.backend.calls.clear()
    out = translate_dataset(dataset, "text", stub, batch_size=8)
    assert out.column_names == ["id", "text", "translation", "flags", "error"]
    assert out["id"] == ROWS["id"]
    assert out["translation"][0] == "w1 w2 w3 w4 w5 w6 w1 w2 w3 w4 w5"
    assert out["translation"][3] == "w1 w2 w3 w4 w5 w6 3.5 w8 w9"
    assert [bool(e) for e in out["error"]] == [False, True, True, False, True]
    assert "empty" in out["error"][1] and "no Arabic" in out["error"][2]
    assert out["translation"][1] == "" and out["flags"][1] == []
    # Sentences of several rows share one engine call (cross-document batching).
    assert len(stub.backend.calls) == 1 and len(stub.backend.calls[0]) == 3


def test_translate_dataset_batches_by_batch_size(stub) -> None:
    dataset = datasets.Dataset.from_dict({"text": [ROWS["text"][0]] * 5})
    stub.backend.calls.clear()
    out = translate_dataset(dataset, "text", stub, batch_size=2)
    assert len(out) == 5 and len(stub.backend.calls) == 3  # rows 2 + 2 + 1


def test_translate_dataset_checks_columns(stub) -> None:
    dataset = datasets.Dataset.from_dict(ROWS)
    with pytest.raises(ColumnNotFoundError, match="no column 'body'.*id, text") as caught:
        translate_dataset(dataset, "body", stub)
    assert isinstance(caught.value, InputError)
    done = translate_dataset(dataset, "text", stub)
    with pytest.raises(DatasetError, match="already has the column"):
        translate_dataset(done, "text", stub)
    again = translate_dataset(done, "text", stub, overwrite=True)
    assert again.column_names == done.column_names
    other = translate_dataset(
        done, "text", stub, output_column="english", flags_column="f2", error_column="e2"
    )
    assert "english" in other.column_names


def test_translate_an_iterable_dataset(stub) -> None:
    dataset = datasets.Dataset.from_dict(ROWS).to_iterable_dataset()
    rows = list(translate_dataset(dataset, "text", stub, batch_size=2))
    assert [r["id"] for r in rows] == ROWS["id"]
    assert rows[0]["translation"].startswith("w1") and rows[4]["error"]


def test_translate_a_local_parquet_dataset(stub, tmp_path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    pq.write_table(pa.table({"body": ROWS["text"][:1]}), tmp_path / "news.parquet")
    dataset = datasets.load_dataset(
        "parquet",
        data_files=str(tmp_path / "news.parquet"),
        split="train",
        cache_dir=str(tmp_path / "cache"),
    )
    out = translate_dataset(dataset, "body", stub)
    assert out["translation"] == ["w1 w2 w3 w4 w5 w6 w1 w2 w3 w4 w5"]


def test_tiny_model_translates_a_dataset(translator) -> None:
    dataset = datasets.Dataset.from_dict({"text": ROWS["text"][:2]})
    out = translate_dataset(dataset, "text", translator)
    assert out["translation"][0].strip() and out["error"] == ["", out["error"][1]]
    assert out["error"][1]


# -- the hub, offline ----------------------------------------------------------------------------
def test_cached_hub_dataset_loads_offline(cached_hub_dataset: str) -> None:
    assert os.environ["HF_HUB_OFFLINE"] == "1"
    dataset = load_hub_dataset(cached_hub_dataset)  # no split named: train
    assert isinstance(dataset, datasets.Dataset)  # offline: read from the cache, not streamed
    assert dataset["id"] == [1, 2]
    test = load_hub_dataset(f"{cached_hub_dataset}@test")
    assert test["text"] == ["وختم حديثه."]
    streamed = load_hub_dataset(f"{cached_hub_dataset}@test", streaming=True)
    assert [row["id"] for row in streamed] == [9]


def test_iter_hub_rows(cached_hub_dataset: str, stub) -> None:
    rows = iter_hub_rows(cached_hub_dataset, "text")
    first = next(rows)
    assert first == {"id": 1, "text": ROWS["text"][0]}
    assert [r["id"] for r in rows] == [2]
    with pytest.raises(ColumnNotFoundError, match="no column 'body'"):
        iter_hub_rows(cached_hub_dataset, "body")  # raised at the call, before any row
    translated = translate_dataset(load_hub_dataset(cached_hub_dataset), "text", stub)
    assert translated["error"] == ["", ""]


@pytest.mark.parametrize(
    ("suffix", "message"),
    [("@validation", "no split 'validation'; it has train, test"), (":other", "config")],
)
def test_missing_split_or_config(cached_hub_dataset: str, suffix: str, message: str) -> None:
    with pytest.raises(DatasetNotFoundError, match=message):
        load_hub_dataset(cached_hub_dataset + suffix)


def test_missing_hub_dataset() -> None:
    with pytest.raises(
        DatasetNotFoundError, match="nobody/no-such-dataset.*HF_HUB_OFFLINE"
    ) as caught:
        list(iter_hub_rows("hf://nobody/no-such-dataset", "text"))
    assert isinstance(caught.value, InputError)


def test_large_splits_are_streamed(
    cached_hub_dataset: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With the hub reachable, a split above LARGE_SPLIT_BYTES is streamed (here the cache
    stands in for the hub and the threshold is lowered to 0)."""
    import translate.documents.hub_datasets as hub

    monkeypatch.setattr(hub, "_offline", lambda: False)
    monkeypatch.setattr(hub, "LARGE_SPLIT_BYTES", 0)
    streamed = load_hub_dataset(cached_hub_dataset)
    assert isinstance(streamed, datasets.IterableDataset)
    assert [row["id"] for row in streamed] == [1, 2]
    monkeypatch.setattr(hub, "LARGE_SPLIT_BYTES", 10**12)
    assert isinstance(load_hub_dataset(cached_hub_dataset), datasets.Dataset)
    assert isinstance(
        load_hub_dataset(cached_hub_dataset, streaming=True), datasets.IterableDataset
    )
