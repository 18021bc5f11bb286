"""The dataset store on both backends (SQLite + Parquet, PostgreSQL): round trips, content ids, withdraw/default
rules, restarts, migrations, concurrency. Faults (full disk, read-only, damage, kill -9) are in test_store_faults.py."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal
from store_backends import BACKENDS, OPEN_FROM_ARGV, StoreLocation, run_python, store_args, store_location

from cohort.contract import REQUIRED_COUNTS
from cohort.dataset import Dataset, DatasetMeta, normalise_frames
from cohort.fmt import fmt_timestamp
from cohort.store import AUDIT_COLUMNS, DatasetStore, StoreError

MONTHS = [date(2021, 1, 1), date(2021, 2, 1), date(2021, 3, 1)]
UNIT_CODES = ["DX01", "DX02", "T01"]


def make_dataset(variant: int = 0, *, reverse_rows: bool = False) -> Dataset:
    """Three units, three months; `variant` changes one count so datasets differ in content."""
    units = pl.DataFrame(
        {
            "code": UNIT_CODES,
            "naam": ["Centrum-West", "Noord-Oost", "Jongeren"],
            "soort": ["gebied", "gebied", "doelgroep"],
            "stadsdeel": ["Centrum", "Noord", None],
            "start": [date(2020, 1, 1), date(2021, 2, 1), None],
            "eind": [date(2021, 12, 31), None, None],
        }
    )
    rows = [(code, month) for code in UNIT_CODES for month in MONTHS]
    monthly = pl.DataFrame(
        {
            "maand": [month for _, month in rows],
            "code": [code for code, _ in rows],
            **{c.name: [10 * i + j for j in range(len(rows))] for i, c in enumerate(REQUIRED_COUNTS)},
            "uitgenodigd": [None, *range(1, len(rows))],
        }
    ).with_columns(pl.when(pl.int_range(pl.len()) == 0).then(pl.col("bijstand") + variant)
                   .otherwise(pl.col("bijstand")).alias("bijstand"))
    units, monthly = normalise_frames(units, monthly)
    if reverse_rows:
        units, monthly = units.reverse(), monthly.reverse().select(reversed(monthly.columns))
    meta = DatasetMeta(name="Test", notes={"bron": "Werk en Inkomen", "peildatum": "2021-03-31"})
    return Dataset(units=units, monthly=monthly, meta=meta)


@pytest.fixture(params=BACKENDS)
def location(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[StoreLocation]:
    yield from store_location(request, tmp_path)


def publish(store: DatasetStore, dataset: Dataset, name: str = "Cohort 2021", by: str = "evaluator"):
    return store.publish(dataset, name=name, description="Testdata", published_by=by,
                         validation_summary="0 fouten, 1 waarschuwing")


def temp_files(root: Path) -> list[Path]:
    return sorted(root.glob("datasets/*/.*.tmp"))


# --- round trip and content ids -------------------------------------------------------------------


def test_publish_then_load_returns_the_same_data_and_metadata(location: StoreLocation) -> None:
    store = location.open()
    dataset = make_dataset()

    record = publish(store, dataset)
    loaded = store.load(record.dataset_id)

    assert store.backend == location.backend
    assert_frame_equal(loaded.units, dataset.units)
    assert_frame_equal(loaded.monthly, dataset.monthly)
    assert loaded.meta == DatasetMeta(name="Cohort 2021", description="Testdata", is_example=False,
                                      dataset_id=record.dataset_id,
                                      notes={"bron": "Werk en Inkomen", "peildatum": "2021-03-31"})
    assert record.newly_published is True
    assert (record.n_units, record.n_months, record.n_rows) == (3, 3, 9)
    assert (record.first_month, record.last_month) == (date(2021, 1, 1), date(2021, 3, 1))
    assert record.status == "gepubliceerd" and record.is_default is False
    assert record.published_by == "evaluator" and record.validation_summary == "0 fouten, 1 waarschuwing"
    assert datetime.fromisoformat(record.published_at).utcoffset() == UTC.utcoffset(None)
    assert len(record.published_at) == len("2021-01-01T00:00:00.000000+00:00")  # fixed width on both backends
    assert store.get(record.dataset_id) == record
    assert store.list_datasets() == [record]


def test_content_id_is_a_pinned_sha256_so_shared_links_stay_valid(location: StoreLocation) -> None:
    # Pinned: if this changes, every published link breaks. Change only with a new hash domain on purpose.
    # The same on both backends: a dataset moved from the embedded store to PostgreSQL keeps its links.
    record = publish(location.open(), make_dataset())
    assert record.dataset_id == "89c94f7a4ec7ba4ac8a42d7a5c5b8e15a0d8665f9a647b56b4f9e204ba5f07cf"


def _row_by_row_content_id(units: pl.DataFrame, monthly: pl.DataFrame) -> str:
    """The original definition of the id (one json.dumps per row, sorted in Python): the reference."""
    import hashlib

    from cohort.store.content import _HASH_DOMAIN

    digest = hashlib.sha256(_HASH_DOMAIN)
    for section, frame in (("units", units), ("monthly", monthly)):
        header = json.dumps({"section": section, "columns": frame.columns, "rows": frame.height})
        digest.update(header.encode() + b"\n")
        lines = [
            json.dumps([v.isoformat() if isinstance(v, date) else v for v in row], ensure_ascii=False,
                       separators=(",", ":"))
            for row in frame.iter_rows()
        ]
        for line in sorted(lines):
            digest.update(line.encode() + b"\n")
    return digest.hexdigest()


def test_content_id_matches_the_row_by_row_definition_with_unicode_nulls_and_quotes() -> None:
    from cohort.store.content import content_id

    dataset = make_dataset()
    units = dataset.units.with_columns(
        pl.Series("naam", ['Zuidoost "Bijlmer" — é\\ 😀', "Noord\tOost / <b>", None], dtype=pl.String),
        pl.Series("stadsdeel", ["Ĳburg", "Zuidoost", None], dtype=pl.String),
    )
    first_count = REQUIRED_COUNTS[0].name
    monthly = dataset.monthly.with_columns(
        pl.when(pl.col("code") == "T01").then(None).otherwise(pl.col(first_count)).alias(first_count)
    )
    assert content_id(units, monthly) == _row_by_row_content_id(units, monthly)
    assert content_id(dataset.units, dataset.monthly) == _row_by_row_content_id(dataset.units, dataset.monthly)
    # Sorting: byte order of the UTF-8 lines equals Python's code-point order, also for non-ASCII first letters.
    reordered = units.reverse()
    assert content_id(reordered, monthly.reverse()) == content_id(units, monthly)
    # Empty frames and a type outside the normalised schema keep the original definition too.
    floats = monthly.with_columns(pl.col(REQUIRED_COUNTS[1].name).cast(pl.Float64) / 3)
    assert content_id(units, floats) == _row_by_row_content_id(units, floats)
    assert content_id(units.head(0), monthly.head(0)) == _row_by_row_content_id(units.head(0), monthly.head(0))


def test_same_content_gets_the_same_id_regardless_of_row_and_column_order(location: StoreLocation) -> None:
    store = location.open()
    first = publish(store, make_dataset(), name="Eerste")
    again = publish(store, make_dataset(reverse_rows=True), name="Tweede", by="collega")

    assert again.dataset_id == first.dataset_id
    assert again.newly_published is False
    assert again.name == "Eerste"  # the existing record is returned unchanged
    assert [d.dataset_id for d in store.list_datasets()] == [first.dataset_id]
    log = store.audit_log()
    assert log.get_column("Actie").to_list() == ["publiceren", "publiceren"]
    assert "niets gewijzigd" in log.get_column("Toelichting")[0]
    assert_frame_equal(store.load(first.dataset_id).monthly, make_dataset().monthly)  # the first bytes stay


def test_different_content_gets_a_different_id(location: StoreLocation) -> None:
    store = location.open()
    first = publish(store, make_dataset(0))
    second = publish(store, make_dataset(1))

    assert first.dataset_id != second.dataset_id
    assert all(len(d.dataset_id) == 64 for d in (first, second))
    assert [d.dataset_id for d in store.list_datasets()] == [second.dataset_id, first.dataset_id]
    assert store.load(second.dataset_id).monthly.get_column("bijstand")[0] == 1


def test_publish_refuses_a_nameless_or_empty_dataset(location: StoreLocation) -> None:
    store = location.open()
    with pytest.raises(StoreError, match="naam"):
        publish(store, make_dataset(), name="  ")
    empty = make_dataset()
    empty = Dataset(units=empty.units, monthly=empty.monthly.clear(), meta=empty.meta)
    with pytest.raises(StoreError, match="lege dataset"):
        publish(store, empty)
    with pytest.raises(StoreError, match="wie deze wijziging doet"):
        publish(store, make_dataset(), by=" ")
    assert store.list_datasets(include_withdrawn=True) == []


# --- withdraw, default, resolve -------------------------------------------------------------------


def test_withdraw_hides_the_dataset_and_resolve_explains_why(location: StoreLocation) -> None:
    store = location.open()
    kept = publish(store, make_dataset(0), name="Blijft")
    gone = publish(store, make_dataset(1), name="Fout")

    withdrawn = store.withdraw(gone.dataset_id, "beheerder", reason="verkeerde peildatum")

    assert withdrawn.status == "ingetrokken" and withdrawn.withdrawal_reason == "verkeerde peildatum"
    assert withdrawn.withdrawn_by == "beheerder" and withdrawn.withdrawn_at is not None
    assert [d.dataset_id for d in store.list_datasets()] == [kept.dataset_id]
    everything = store.list_datasets(include_withdrawn=True)
    assert {d.dataset_id for d in everything} == {kept.dataset_id, gone.dataset_id}
    resolution = store.resolve(gone.dataset_id)
    assert resolution.dataset_id == kept.dataset_id
    assert resolution.notice is not None
    assert resolution.notice.startswith("Deze dataset is ingetrokken")
    assert "verkeerde peildatum" in resolution.notice and "‘Blijft’" in resolution.notice
    assert store.load(gone.dataset_id).monthly.height == 9  # withdrawn data stays stored
    with pytest.raises(StoreError, match="al ingetrokken"):
        store.withdraw(gone.dataset_id, "beheerder")


def test_the_withdrawal_notice_gives_the_amsterdam_day(
    location: StoreLocation, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = location.open()
    publish(store, make_dataset(0), name="Blijft")
    gone = publish(store, make_dataset(1), name="Fout")
    # 23:30 UTC on 6 July is 01:30 on 7 July in Amsterdam: the day must match the time the Data page shows.
    monkeypatch.setattr("cohort.store.catalog.utc_now_iso", lambda: "2021-07-06T23:30:00.000000+00:00")
    withdrawn = store.withdraw(gone.dataset_id, "beheerder")
    assert fmt_timestamp(withdrawn.withdrawn_at) == "7 juli 2021, 01:30"
    assert store.resolve(gone.dataset_id).notice.startswith("Deze dataset is ingetrokken op 7 juli 2021:")


def test_set_default_switches_the_single_default(location: StoreLocation) -> None:
    store = location.open()
    first = publish(store, make_dataset(0))
    second = publish(store, make_dataset(1))
    assert store.default_id() is None

    store.set_default(first.dataset_id, "beheerder")
    assert store.default_id() == first.dataset_id
    resolution = store.resolve(None)
    assert (resolution.dataset_id, resolution.source) == (first.dataset_id, "default")
    assert resolution.notice is None

    store.set_default(second.dataset_id, "beheerder")
    assert store.default_id() == second.dataset_id
    assert [d.is_default for d in store.list_datasets()] == [True, False]
    assert store.resolve(first.dataset_id).source == "requested"
    assert "(was ‘Cohort 2021’)" in store.audit_log().get_column("Toelichting")[0]


def test_withdrawn_dataset_cannot_be_default_and_withdrawing_the_default_clears_it(location: StoreLocation) -> None:
    store = location.open()
    older = publish(store, make_dataset(0))
    newer = publish(store, make_dataset(1))
    store.set_default(older.dataset_id, "beheerder")

    store.withdraw(older.dataset_id, "beheerder")

    assert store.default_id() is None
    with pytest.raises(StoreError, match="ingetrokken"):
        store.set_default(older.dataset_id, "beheerder")
    assert store.default_id() is None
    # No default: viewers get the newest publication, never withdrawn data.
    assert (store.resolve(None).dataset_id, store.resolve(None).source) == (newer.dataset_id, "newest")
    store.withdraw(newer.dataset_id, "beheerder")
    fallback = store.resolve(older.dataset_id)
    assert (fallback.dataset_id, fallback.source) == (None, "example")
    assert fallback.notice is not None and "voorbeelddata" in fallback.notice


def test_republishing_withdrawn_content_publishes_it_again(location: StoreLocation) -> None:
    store = location.open()
    record = publish(store, make_dataset())
    store.withdraw(record.dataset_id, "beheerder", reason="per ongeluk")

    again = publish(store, make_dataset())

    assert again.newly_published is False and again.status == "gepubliceerd"
    assert again.withdrawn_at is None and again.withdrawal_reason == ""
    assert [d.dataset_id for d in store.list_datasets()] == [record.dataset_id]


def test_resolve_on_an_empty_store_shows_the_example(location: StoreLocation) -> None:
    store = location.open()
    assert store.resolve(None) == store.resolve("")
    resolution = store.resolve(None)
    assert (resolution.dataset_id, resolution.source, resolution.notice) == (None, "example", None)
    unknown = store.resolve("a" * 64)
    assert unknown.dataset_id is None and unknown.notice is not None
    assert unknown.notice.startswith("Onbekende dataset")


HOSTILE_IDS = ["../../x", "' OR 1=1 --", "x" * 10_000, "A" * 64, "a" * 63 + "\n", "a" * 65, "g" * 64, "?%s"]


@pytest.mark.parametrize("hostile", HOSTILE_IDS)
def test_hostile_ids_are_unknown_without_touching_sql(
    location: StoreLocation, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, hostile: str
) -> None:
    store = location.open()
    record = publish(store, make_dataset())

    def no_lookup(*_args: object) -> None:
        raise AssertionError("a malformed id reached SQL")

    monkeypatch.setattr("cohort.store.catalog._fetch", no_lookup)
    resolution = store.resolve(hostile)

    assert resolution.dataset_id == record.dataset_id  # the newest publication, not the hostile id
    assert resolution.notice is not None and resolution.notice.startswith("Onbekende dataset")
    assert hostile not in resolution.notice
    assert store.get(hostile) is None
    with pytest.raises(StoreError, match="Onbekende dataset"):
        store.load(hostile)
    with pytest.raises(StoreError, match="Onbekende dataset"):
        store.set_default(hostile, "aanvaller")
    with pytest.raises(StoreError, match="Onbekende dataset"):
        store.withdraw(hostile, "aanvaller")
    assert not (tmp_path / "x").exists()


# --- audit log ------------------------------------------------------------------------------------


def test_audit_log_records_every_action_newest_first(location: StoreLocation) -> None:
    store = location.open()
    record = publish(store, make_dataset(), by="anna")
    store.set_default(record.dataset_id, "bert")
    store.withdraw(record.dataset_id, "carla", reason="dubbel")

    log = store.audit_log()

    assert log.columns == list(AUDIT_COLUMNS)
    assert log.schema["Tijdstip (UTC)"] == pl.Datetime("us", "UTC")
    assert log.select("Door", "Actie", "Dataset").rows() == [
        ("carla", "intrekken", record.dataset_id),
        ("bert", "standaard instellen", record.dataset_id),
        ("anna", "publiceren", record.dataset_id),
    ]
    assert "dubbel" in log.get_column("Toelichting")[0]
    assert "geen standaarddataset" in log.get_column("Toelichting")[0]
    assert store.audit_log(limit=1).height == 1


# --- restarts, replicas, migrations ----------------------------------------------------------------


def test_reopening_is_idempotent_and_sees_everything(location: StoreLocation) -> None:
    store = location.open()
    record = publish(store, make_dataset())
    store.set_default(record.dataset_id, "beheerder")
    reopened = location.open()
    assert reopened.list_datasets() == [store.get(record.dataset_id)]
    assert reopened.default_id() == record.dataset_id
    assert reopened.audit_log().height == 2


def test_catalog_uses_wal(tmp_path: Path) -> None:
    DatasetStore(tmp_path)
    with sqlite3.connect(tmp_path / "catalog.sqlite3") as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_another_replica_sees_a_publication_default_and_withdrawal_at_once(location: StoreLocation) -> None:
    # Two replicas = two stores on the same location; nothing is cached in a store, so the other sees it now.
    replica_a, replica_b = location.open(), location.open()
    first = publish(replica_a, make_dataset(0), name="Op A")
    assert [r.name for r in replica_b.list_datasets()] == ["Op A"]
    replica_b.set_default(first.dataset_id, "op B")
    assert replica_a.resolve(None).source == "default"
    replica_b.withdraw(first.dataset_id, "op B", reason="fout")
    assert replica_a.resolve(first.dataset_id).notice.startswith("Deze dataset is ingetrokken")


def test_a_new_process_sees_published_datasets(location: StoreLocation) -> None:
    store = location.open()
    record = publish(store, make_dataset())
    store.set_default(record.dataset_id, "beheerder")
    script = OPEN_FROM_ARGV + """
import json
store = open_store(sys.argv[1], sys.argv[2])
data = store.load(store.default_id())
ids = [d.dataset_id for d in store.list_datasets()]
print(json.dumps([ids, data.monthly.height, data.meta.name]))
"""
    result = run_python(script, *store_args(location))
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == [[record.dataset_id], 9, "Cohort 2021"]


def _applied_migrations(location: StoreLocation) -> list[tuple[int, str]]:
    store = location.open()
    with store._backend.reading() as conn:
        return [(r["version"], r["description"]) for r in conn.all(
            "SELECT version, description FROM schema_migrations ORDER BY version")]


def test_migrations_are_recorded_once_and_reruns_change_nothing(location: StoreLocation) -> None:
    from cohort.store.migrations import LATEST_VERSION, MIGRATIONS

    location.open()
    location.open()
    expected = [(m.version, m.description) for m in MIGRATIONS]
    assert _applied_migrations(location) == expected
    assert expected[-1][0] == LATEST_VERSION == 5


def test_a_store_written_by_a_newer_version_is_refused(location: StoreLocation) -> None:
    store = location.open()
    with store._backend.writing() as conn:
        conn.run("INSERT INTO schema_migrations (version, description, applied_at) VALUES (?, ?, ?)",
                 (99, "uit de toekomst", "2030-01-01T00:00:00.000000+00:00"))
    with pytest.raises(StoreError, match="nieuwere versie van de Cohortmonitor"):
        location.open()


def test_a_store_of_the_first_version_is_migrated_and_keeps_its_data(tmp_path: Path) -> None:
    """A store written before migrations were tracked (schema of version 1, PRAGMA user_version 1, files
    without checksums) opens, gets the checksum columns, and its dataset loads, checked by its content id."""
    from cohort.store import files
    from cohort.store.content import content_id, encode
    from cohort.store.migrations import MIGRATIONS

    dataset = make_dataset()
    dataset_id = content_id(dataset.units, dataset.monthly)
    with sqlite3.connect(tmp_path / "catalog.sqlite3") as conn:
        for statement in MIGRATIONS[0].sqlite:
            conn.execute(statement)
        conn.execute("PRAGMA user_version = 1")
        conn.execute(
            "INSERT INTO datasets (dataset_id, name, description, source, notes_json, published_at, published_by,"
            " n_units, n_months, n_rows, first_month, last_month, validation_summary, status) VALUES"
            " (?, 'Oud', '', '', '{}', '2024-01-01T00:00:00.000000+00:00', 'x', 3, 3, 9, '2021-01-01',"
            " '2021-03-01', 'ok', 'gepubliceerd')", (dataset_id,))
    files.write_content(tmp_path / "datasets" / dataset_id, encode(dataset.units, dataset.monthly))

    store = DatasetStore(tmp_path)

    [record] = store.list_datasets()
    assert record.name == "Oud"
    assert_frame_equal(store.load(dataset_id).monthly, dataset.monthly)
    with sqlite3.connect(tmp_path / "catalog.sqlite3") as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == 5
        assert conn.execute("SELECT units_sha256 FROM datasets").fetchone()[0] is None
    # Publishing the same content again records the checksums of the bytes already stored.
    publish(store, dataset)
    assert store.verify().ok


def test_two_replicas_starting_together_migrate_once(location: StoreLocation) -> None:
    script = OPEN_FROM_ARGV + """
import time
go = __import__("pathlib").Path(sys.argv[3])
while not go.exists():
    time.sleep(0.002)
open_store(sys.argv[1], sys.argv[2]).close()
"""
    go = location.root.parent / "go"
    processes = [subprocess.Popen([sys.executable, "-c", "import sys\n" + script, *store_args(location), str(go)],
                                  stderr=subprocess.PIPE, text=True) for _ in range(4)]
    go.touch()
    errors = [(p.wait(timeout=120), p.stderr.read() if p.stderr else "") for p in processes]
    assert [code for code, _ in errors] == [0] * 4, errors
    assert [version for version, _ in _applied_migrations(location)] == [1, 2, 3, 4, 5]


# --- concurrency ----------------------------------------------------------------------------------

PUBLISHER = OPEN_FROM_ARGV + """
import time
from test_store import make_dataset, publish
root, url, go, variants = sys.argv[1], sys.argv[2], Path(sys.argv[3]), [int(v) for v in sys.argv[4:]]
deadline = time.monotonic() + 30
while not go.exists() and time.monotonic() < deadline:  # start together, for real contention
    time.sleep(0.005)
store = open_store(root, url)
for variant in variants:
    publish(store, make_dataset(variant), name=f"Variant {variant}", by=f"proces {variant}")
"""


def _run_in_processes(location: StoreLocation, jobs: list[list[int]]) -> None:
    go = location.root.parent / "go"
    prelude = f"import sys\nsys.path[:0] = {[str(Path(__file__).parent), str(Path(__file__).parents[2])]!r}\n"
    processes = [
        subprocess.Popen([sys.executable, "-c", prelude + PUBLISHER, *store_args(location), str(go),
                          *map(str, job)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for job in jobs
    ]
    go.touch()
    results = [(p.wait(timeout=180), p.stderr.read() if p.stderr else "") for p in processes]
    assert [code for code, _ in results] == [0] * len(processes), [err for _, err in results]


def test_concurrent_publishes_from_processes_all_land_in_a_consistent_catalog(location: StoreLocation) -> None:
    # Also: the processes create (and migrate) the store at the same moment.
    _run_in_processes(location, [[1, 2, 3, 4, 5], [11, 12, 13, 14, 15], [3, 13]])

    store = location.open()
    records = store.list_datasets()
    expected = (1, 2, 3, 4, 5, 11, 12, 13, 14, 15)
    assert sorted(r.name for r in records) == sorted(f"Variant {v}" for v in expected)
    for record in records:
        assert store.load(record.dataset_id).monthly.get_column("bijstand")[0] == int(record.name.split()[1])
    assert store.audit_log().height == 12  # ten new publications plus two of already published content
    assert store.verify().ok
    if location.backend == "sqlite":
        with sqlite3.connect(location.root / "catalog.sqlite3") as conn:
            assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert temp_files(location.root) == []


def test_the_same_content_published_at_the_same_moment_lands_once(location: StoreLocation) -> None:
    _run_in_processes(location, [[7], [7], [7]])

    store = location.open()
    [record] = store.list_datasets()
    assert store.audit_log().get_column("Toelichting").str.contains("niets gewijzigd").sum() == 2
    assert store.load(record.dataset_id).monthly.get_column("bijstand")[0] == 7


def test_from_settings_uses_the_configured_directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COHORT_STORE_DIR", str(tmp_path / "elders"))
    monkeypatch.delenv("COHORT_DATABASE_URL", raising=False)
    store = DatasetStore.from_settings()
    assert store.root == tmp_path / "elders" and store.backend == "sqlite"
    assert (tmp_path / "elders" / "catalog.sqlite3").is_file()


def test_from_settings_uses_postgresql_when_a_database_url_is_set(
    location: StoreLocation, monkeypatch: pytest.MonkeyPatch
) -> None:
    for key, value in location.env().items():
        monkeypatch.setenv(key, value)
    with DatasetStore.from_settings() as store:
        assert store.backend == location.backend
    if location.backend == "postgresql":
        assert not (location.root / "catalog.sqlite3").exists()  # nothing embedded beside the database
