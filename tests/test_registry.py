"""The dataset registry: its entries against the reference data, the bundled copies byte for
byte, and the download path (cache, checksum, mirror) against a real HTTP server on 127.0.0.1
serving ``../shared/data`` (no internet in tests)."""

from __future__ import annotations

import functools
import hashlib
import http.server
import json
import lzma
import shutil
import threading
from collections.abc import Iterator
from importlib import resources
from pathlib import Path

import pandas as pd
import pytest
from cli_runner import run

import scalinglaws as sl
from scalinglaws.data import fetch, registry
from scalinglaws.data.entries import ENTRIES, OPEN_LICENCES
from scalinglaws.exceptions import DataError

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"
needs_shared = pytest.mark.skipif(not SHARED.is_dir(), reason=f"reference data absent: {SHARED}")
NOT_BUNDLED = [e.name for e in ENTRIES if not e.bundled]


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture()
def server(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """An HTTP server on 127.0.0.1 serving a copy of the reference data (a copy, so that a
    test may damage a file): yields its base URL and the served folder."""
    if not SHARED.is_dir():
        pytest.skip(f"reference data absent: {SHARED}")
    served = tmp_path / "served"
    for entry in ENTRIES:
        if not entry.bundled:
            (served / entry.folder).mkdir(parents=True, exist_ok=True)
            shutil.copyfile(SHARED / entry.folder / entry.file, served / entry.folder / entry.file)
    handler = functools.partial(_Quiet, directory=str(served))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}", served
    finally:
        httpd.shutdown()
        httpd.server_close()


@pytest.fixture()
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv(fetch.CACHE_ENV, str(folder))
    monkeypatch.delenv(fetch.MIRROR_ENV, raising=False)
    return folder


def _bundled_bytes(name: str) -> bytes:
    data = resources.files("scalinglaws.data").joinpath("bundled", name).read_bytes()
    return lzma.decompress(data) if name.endswith(".xz") else data


# -- the entries ----------------------------------------------------------------------------
@needs_shared
def test_every_table_of_the_reference_data_is_an_entry_with_its_checksum() -> None:
    # the raw Epoch file is the same points as chinchilla.csv before Epoch's derivation
    tables = {p.relative_to(SHARED).as_posix() for p in SHARED.glob("*/*.csv")}
    tables.discard("chinchilla_epoch/svg_extracted_data.csv")
    entries = {f"{e.folder}/{e.file}": e for e in ENTRIES}
    assert set(entries) == tables
    for key, entry in entries.items():
        raw = (SHARED / key).read_bytes()
        assert hashlib.sha256(raw).hexdigest() == entry.sha256, key
        assert len(raw) == entry.size, key
        assert len(pd.read_csv(SHARED / key, low_memory=False)) == entry.rows, key


def test_bundled_copies_are_the_pinned_bytes_and_only_open_licences_are_bundled() -> None:
    for entry in ENTRIES:
        if not entry.bundled:
            assert entry.licence not in OPEN_LICENCES or entry.url is None, entry.name
            continue
        raw = _bundled_bytes(entry.bundled)
        assert hashlib.sha256(raw).hexdigest() == entry.sha256, entry.name
        # chinchilla is the one exception, recorded in docs/decisions.md
        assert entry.licence in OPEN_LICENCES or entry.name == "chinchilla", entry.name


def test_no_licence_is_never_bundled_and_the_listing_says_so() -> None:
    table = sl.datasets.list()
    assert list(table["name"]) == sorted(e.name for e in ENTRIES)
    unlicensed = table[table["licence"].str.startswith("none")]
    assert set(unlicensed["name"]) - {"chinchilla"} == {"misfitting", "bnsl_addition",
                                                          "steplaw", "steplaw_moe",
                                                          "steplaw_fits"}
    assert (unlicensed.loc[unlicensed["name"] != "chinchilla", "source"] != "bundled").all()
    assert {"name", "rows", "columns", "source", "licence", "citation"} <= set(table.columns)
    olmo = table.set_index("name").loc["olmo_ladder"]
    assert "loss_c4_en" in olmo["columns"] and olmo["available"]


def test_bundled_datasets_load_by_name_with_their_citation_and_licence() -> None:
    ds = sl.datasets.load("gadre")
    assert len(ds) == 832 and ds.has("params") and ds.has("loss")
    assert "arXiv:2403.08540" in (ds.citation or "") and "MIT" in (ds.citation or "")
    assert ds.source == "gadre"
    assert len(sl.Dataset.read("gadre", where="eval_set == 'c4_val'")) == 104
    olmo = sl.datasets.load("olmo_ladder")
    assert len(olmo) == 3947 - 2  # the two evaluations at step 0, as the entry says
    assert not olmo.has("lr") and olmo.has("learning_rate")


def test_unknown_name_suggests_the_close_one() -> None:
    with pytest.raises(DataError, match=r"(?i)did you mean 'misfitting'"):
        sl.datasets.load("misfiting")


# -- the download path ----------------------------------------------------------------------
# the open_lm sweep repeats 9 checkpoint rows, which loading it says, rightly
@pytest.mark.filterwarnings("ignore:the dataset has 9 duplicated")
def test_download_from_a_mirror_fills_the_cache_and_works_offline_after(
        server: tuple[str, Path], cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    url, _ = server
    monkeypatch.setenv(fetch.MIRROR_ENV, url)
    ds = sl.datasets.load("misfitting")
    assert len(ds) == 4238 and ds.has("step")
    kept = cache / "misfitting" / "checkpoints.csv"
    assert kept.is_file() and fetch.is_cached(registry.info("misfitting"))
    # the cache serves it again with the mirror gone
    monkeypatch.setenv(fetch.MIRROR_ENV, "http://127.0.0.1:9")
    assert len(sl.datasets.load("misfitting", download=False)) == 4238
    assert len(sl.Dataset.read("misfitting")) == 4238
    row = sl.datasets.list().set_index("name").loc["misfitting"]
    assert row["available"] and "planned_tokens" in row["columns"]


def test_a_checksum_mismatch_is_an_error_and_the_file_is_discarded(
        server: tuple[str, Path], cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    url, served = server
    damaged = served / "steplaw" / "dense_lr_bs_loss.csv"
    damaged.write_bytes(damaged.read_bytes().replace(b"0.0", b"0.1", 1))
    monkeypatch.setenv(fetch.MIRROR_ENV, url)
    with pytest.raises(DataError, match=r"checksum.*discarded"):
        sl.datasets.load("steplaw")
    folder = cache / "steplaw"
    assert not folder.exists() or not any(folder.iterdir())


def test_a_damaged_cache_file_is_fetched_again(
        server: tuple[str, Path], cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    url, _ = server
    monkeypatch.setenv(fetch.MIRROR_ENV, url)
    entry = registry.info("bnsl_addition")
    path = fetch.fetch(entry)
    path.write_text("dataset_size,test_cross_entropy,split\n1,2,train\n")
    assert not fetch.is_cached(entry)
    assert len(sl.datasets.load("bnsl_addition")) == 17
    assert fetch.is_cached(entry)


def test_a_folder_mirror_and_its_missing_file(tmp_path: Path, cache: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    if not SHARED.is_dir():
        pytest.skip(f"reference data absent: {SHARED}")
    monkeypatch.setenv(fetch.MIRROR_ENV, str(SHARED))
    assert len(sl.datasets.load("steplaw_fits")) == 1000
    monkeypatch.setenv(fetch.MIRROR_ENV, str(tmp_path / "empty"))
    with pytest.raises(DataError, match="mirror has no file"):
        sl.datasets.load("steplaw_moe")


def test_without_a_mirror_the_unlicensed_derived_table_says_how_to_get_it(
        cache: Path) -> None:
    with pytest.raises(DataError, match="SCALINGLAWS_DATA_URL"):
        sl.datasets.load("misfitting")
    with pytest.raises(DataError, match="not in the cache"):
        sl.datasets.load("steplaw", download=False)
    # a table kept unchanged from its source is fetched from the pinned commit
    url = registry.info("steplaw").url or ""
    assert url.startswith("https://raw.githubusercontent.com/step-law/steplaw/32a8f4cc")


def test_an_unreachable_server_is_a_data_error(cache: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(fetch.MIRROR_ENV, "http://127.0.0.1:9")  # discard port: refused
    with pytest.raises(DataError, match="cannot download dataset 'steplaw'"):
        sl.datasets.load("steplaw")


# -- the command line -----------------------------------------------------------------------
def test_cli_lists_fetches_and_fits_by_name(server: tuple[str, Path], cache: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    url, _ = server
    monkeypatch.setenv(fetch.MIRROR_ENV, url)
    listed = run("datasets", "--json")
    document = json.loads(listed.stdout)
    assert len(document["datasets"]) == len(ENTRIES) and document["cache"] == str(cache)
    fetched = run("datasets", "steplaw", "--fetch", "--json")
    assert json.loads(fetched.stdout)["available"] is True
    fitted = run("fit", "steplaw", "--law", "chinchilla", "--best-of", "loss",
                 "--best-by", "params,tokens", "--json")
    assert json.loads(fitted.stdout)["n_points"] == 17  # the (N, D) cells of the grid
    unknown = run("datasets", "stepllaw", code=2)
    assert "did you mean 'steplaw'" in unknown.stderr.lower()
