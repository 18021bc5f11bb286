"""Faults, on both backends where they apply (issue 20): a full disk, a read-only store, damaged Parquet content
and a damaged catalog, and kill -9 of a publishing process at several points. After each the store opens, lists
only complete datasets, and every listed dataset loads with its own content id."""

from __future__ import annotations

import errno
import logging
import os
import signal
import sqlite3
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import polars as pl
import pytest
from faults import fill, flipped, read_only, small_filesystem
from polars.testing import assert_frame_equal
from store_backends import BACKENDS, OPEN_FROM_ARGV, StoreLocation, run_python, store_args, store_location
from test_store import make_dataset, publish, temp_files

from cohort.contract import REQUIRED_COUNTS
from cohort.dataset import Dataset, DatasetMeta, normalise_frames
from cohort.store import DatasetDamaged, DatasetStore, StoreError, StoreUnavailable
from cohort.store.content import content_id
from cohort.store.errors import PUBLIC_DAMAGED, PUBLIC_UNAVAILABLE

# Words that betray internals; none may reach a user (the log gets them).
INTERNALS = ("sqlite", "polars", "parquet", "psycopg", "errno", "os error", "traceback", "/tmp", "device",
             "postgres", "malformed", "readonly", "read-only file")


@pytest.fixture(params=BACKENDS)
def location(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[StoreLocation]:
    yield from store_location(request, tmp_path)


def big_dataset(n_units: int = 400, n_months: int = 24, seed: int = 1) -> Dataset:
    """Random counts (so Parquet cannot compress them away): about 1 MB of Parquet for the defaults."""
    import random

    rng = random.Random(seed)
    codes = [f"G{i:04d}" for i in range(n_units)]
    units = pl.DataFrame({"code": codes, "naam": [f"Gebied {c}" for c in codes], "soort": ["gebied"] * n_units,
                          "stadsdeel": ["Centrum"] * n_units, "start": [date(2020, 1, 1)] * n_units,
                          "eind": [None] * n_units}, schema_overrides={"eind": pl.Date})
    months = [date(2020 + m // 12, m % 12 + 1, 1) for m in range(n_months)]
    rows = [(code, month) for code in codes for month in months]
    monthly = pl.DataFrame({"maand": [m for _, m in rows], "code": [c for c, _ in rows],
                            **{c.name: [rng.randrange(10**6) for _ in rows] for c in REQUIRED_COUNTS}})
    units, monthly = normalise_frames(units, monthly)
    return Dataset(units=units, monthly=monthly, meta=DatasetMeta(name="Groot"))


def assert_consistent(location: StoreLocation) -> list[str]:
    """The store opens, lists only complete datasets, each loads with its own content id; names listed."""
    store = location.open()
    records = store.list_datasets(include_withdrawn=True)
    for record in records:
        loaded = store.load(record.dataset_id)
        assert content_id(loaded.units, loaded.monthly) == record.dataset_id
    report = store.verify()
    assert report.ok, [c.problem for c in report.datasets if c.problem]
    if location.backend == "sqlite":
        assert temp_files(location.root) == []
    return sorted(r.name for r in records)


def dataset_folders(location: StoreLocation) -> list[str]:
    datasets = location.root / "datasets"
    return sorted(p.name for p in datasets.iterdir()) if datasets.is_dir() else []


def assert_no_internals(text: str) -> None:
    lowered = text.lower()
    assert not [word for word in INTERNALS if word in lowered], text


# --- 1. a full disk ---------------------------------------------------------------------------------


def test_a_full_disk_reported_by_polars_gives_a_dutch_message_and_leaves_nothing(
    location: StoreLocation, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    store = location.open()
    kept = publish(store, make_dataset(0), name="Blijft")

    def disk_full(*_args: object, **_kwargs: object) -> None:
        raise pl.exceptions.ComputeError("failed to write parquet: No space left on device (os error 28)")

    with monkeypatch.context() as patch, caplog.at_level(logging.ERROR, logger="cohort.store"):
        patch.setattr(pl.DataFrame, "write_parquet", disk_full)
        with pytest.raises(StoreUnavailable) as failed:
            publish(store, make_dataset(1), name="Vol")

    assert str(failed.value).startswith("Publiceren is mislukt: er is geen ruimte meer op de schijf van de opslag.")
    assert "niets half opgeslagen" in str(failed.value)
    assert failed.value.public == PUBLIC_UNAVAILABLE
    assert_no_internals(str(failed.value))
    assert "No space left on device" in caplog.text and "Traceback" in caplog.text  # the log gets everything
    assert assert_consistent(location) == ["Blijft"]
    if location.backend == "sqlite":
        assert dataset_folders(location) == [kept.dataset_id]
    assert publish(store, make_dataset(1), name="Later").newly_published  # and the store keeps working


def test_a_full_disk_halfway_through_the_files_leaves_no_orphan_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = DatasetStore(tmp_path)
    kept = publish(store, make_dataset(0))
    real_fsync, calls = os.fsync, []

    def fsync_then_full(fd: int) -> None:
        calls.append(fd)
        if len(calls) == 2:  # the first file is on disk, the second does not fit
            raise OSError(errno.ENOSPC, "No space left on device")
        real_fsync(fd)

    monkeypatch.setattr("cohort.store.files.os.fsync", fsync_then_full)
    with pytest.raises(StoreUnavailable, match="geen ruimte meer op de schijf"):
        publish(store, make_dataset(1))
    monkeypatch.undo()

    assert sorted(p.name for p in (tmp_path / "datasets").iterdir()) == [kept.dataset_id]
    assert temp_files(tmp_path) == []
    assert [r.dataset_id for r in store.list_datasets(include_withdrawn=True)] == [kept.dataset_id]


def test_a_really_full_filesystem(tmp_path: Path) -> None:
    """A 2 MB tmpfs: a small publish fits, a large one does not; after freeing space it does."""
    with small_filesystem(tmp_path / "klein", "2m") as disk:
        location = StoreLocation("sqlite", disk / "store", None)
        store = location.open()
        small = publish(store, make_dataset(0), name="Klein")
        filler = fill(disk, leave=64 * 1024)

        with pytest.raises(StoreUnavailable) as failed:
            publish(store, big_dataset(), name="Groot")

        assert failed.value.reason == "disk_full"
        assert str(failed.value).startswith("Publiceren is mislukt: er is geen ruimte meer op de schijf")
        assert assert_consistent(location) == ["Klein"]
        assert dataset_folders(location) == [small.dataset_id]
        filler.unlink()
        assert publish(store, big_dataset(), name="Groot").newly_published
        assert assert_consistent(location) == ["Groot", "Klein"]


def test_a_full_database_disk(tmp_path: Path) -> None:
    """PostgreSQL with its database on a small tmpfs (a tablespace): the server's own "disk full"."""
    from pg_server import SERVER_USER, require_cluster

    cluster = require_cluster()
    import psycopg

    # Outside pytest's private temp folder: the server runs as another user and must reach the tablespace.
    mount_point = Path(tempfile.mkdtemp(prefix="cohort-pgvol-"))
    mount_point.chmod(0o755)
    with small_filesystem(mount_point, "24m") as disk:
        space = disk / "ruimte"
        space.mkdir()
        if os.geteuid() == 0:
            os.chown(space, *_uid_gid(SERVER_USER))
        name = f"vol_{os.getpid()}"
        with psycopg.connect(cluster.url(), autocommit=True) as conn:
            conn.execute(f"CREATE TABLESPACE {name} LOCATION '{space}'")
            conn.execute(f"CREATE DATABASE {name} TABLESPACE {name}")
        try:
            location = StoreLocation("postgresql", tmp_path / "store", cluster.url(name))
            store = location.open()
            publish(store, make_dataset(0), name="Klein")
            filler = fill(disk, leave=256 * 1024)
            with pytest.raises(StoreUnavailable) as failed:
                publish(store, big_dataset(), name="Groot")
            assert failed.value.reason == "disk_full"
            assert str(failed.value).startswith("Publiceren is mislukt: er is geen ruimte meer op de schijf")
            filler.unlink()
            assert assert_consistent(location) == ["Klein"]
            assert publish(store, big_dataset(), name="Groot").newly_published
            assert assert_consistent(location) == ["Groot", "Klein"]
            location.close_all()
        finally:
            with psycopg.connect(cluster.url(), autocommit=True) as conn:
                conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
                conn.execute(f"DROP TABLESPACE IF EXISTS {name}")
    mount_point.rmdir()


def _uid_gid(user: str) -> tuple[int, int]:
    import pwd

    entry = pwd.getpwnam(user)
    return entry.pw_uid, entry.pw_gid


# --- 5. a read-only store ----------------------------------------------------------------------------


def test_a_read_only_store_still_serves_reads(tmp_path: Path) -> None:
    store = DatasetStore(tmp_path / "store")
    first = publish(store, make_dataset(0), name="Eerste")
    second = publish(store, make_dataset(1), name="Tweede")
    store.set_default(first.dataset_id, "beheerder")

    with read_only(tmp_path / "store") as view:
        reader = DatasetStore(view)

        assert reader.read_only
        assert [r.name for r in reader.list_datasets()] == ["Tweede", "Eerste"]
        assert reader.resolve(None).dataset_id == first.dataset_id
        assert_frame_equal(reader.load(second.dataset_id).monthly, make_dataset(1).monthly)
        with pytest.raises(StoreUnavailable) as failed:
            publish(reader, make_dataset(2))
        assert str(failed.value).startswith("Publiceren is mislukt: de opslag is alleen-lezen")
        assert "lezen gaat wel" in str(failed.value) and failed.value.public == PUBLIC_UNAVAILABLE
        with pytest.raises(StoreUnavailable, match="De wijziging is niet doorgevoerd: de opslag is alleen-lezen"):
            reader.withdraw(second.dataset_id, "beheerder", reason="test")
        assert reader.verify().ok
    assert [r.name for r in store.list_datasets()] == ["Tweede", "Eerste"]  # nothing changed


@pytest.mark.parametrize("location", ["postgresql"], indirect=True)
def test_a_read_only_database_still_serves_reads(location: StoreLocation) -> None:
    import psycopg

    store = location.open()
    record = publish(store, make_dataset(0), name="Eerste")
    store.close()
    dbname = psycopg.conninfo.conninfo_to_dict(location.url)["dbname"]
    with psycopg.connect(location.url, autocommit=True) as conn:
        conn.execute(f'ALTER DATABASE "{dbname}" SET default_transaction_read_only = on')

    reader = location.open()  # up to date, so opening needs no write

    assert reader.read_only
    assert [r.name for r in reader.list_datasets()] == ["Eerste"]
    assert_frame_equal(reader.load(record.dataset_id).monthly, make_dataset(0).monthly)
    with pytest.raises(StoreUnavailable) as failed:
        publish(reader, make_dataset(1))
    assert failed.value.reason == "read_only"
    assert str(failed.value).startswith("Publiceren is mislukt: de opslag is alleen-lezen")


# --- 2. damaged content ----------------------------------------------------------------------------


def stored_bytes(location: StoreLocation, store: DatasetStore, dataset_id: str, part: str) -> bytes:
    return store._backend.get_content(dataset_id)[part]


def overwrite(location: StoreLocation, store: DatasetStore, dataset_id: str, part: str, data: bytes | None) -> None:
    """Change what is stored behind the store's back (None: remove it)."""
    if location.backend == "sqlite":
        path = location.root / "datasets" / dataset_id / f"{part}.parquet"
        if data is None:
            path.unlink()
        else:
            path.write_bytes(data)
        return
    with store._backend.writing() as conn:
        if data is None:
            conn.run("DELETE FROM dataset_content WHERE dataset_id = ?", (dataset_id,))
        else:
            conn.run(f"UPDATE dataset_content SET {part} = ? WHERE dataset_id = ?", (data, dataset_id))


def test_flipped_bytes_never_load_as_other_numbers(
    location: StoreLocation, caplog: pytest.LogCaptureFixture
) -> None:
    store = location.open()
    kept = publish(store, make_dataset(0), name="Gaaf")
    record = publish(store, make_dataset(1), name="Beschadigd")
    for part in ("units", "monthly"):
        original = stored_bytes(location, store, record.dataset_id, part)
        offsets = range(4, len(original) - 4, max(1, len(original) // 30))  # 30 places through the file
        for offset in offsets:
            overwrite(location, store, record.dataset_id, part, flipped(original, offset))
            with caplog.at_level(logging.ERROR, logger="cohort.store"), pytest.raises(DatasetDamaged) as refused:
                store.load(record.dataset_id)
            assert "‘Beschadigd’" in str(refused.value) and "controlegetal" in str(refused.value)
            assert refused.value.public == PUBLIC_DAMAGED
        overwrite(location, store, record.dataset_id, part, original)
    assert record.dataset_id in caplog.text and "recorded checksums" in caplog.text
    assert_frame_equal(store.load(kept.dataset_id).monthly, make_dataset(0).monthly)  # the others are fine
    assert store.verify().ok


def test_damage_is_found_by_verify_and_repaired_by_publishing_the_same_data(location: StoreLocation) -> None:
    store = location.open()
    kept = publish(store, make_dataset(0), name="Gaaf")
    record = publish(store, make_dataset(1), name="Beschadigd")
    original = stored_bytes(location, store, record.dataset_id, "monthly")
    overwrite(location, store, record.dataset_id, "monthly", flipped(original, len(original) // 2))

    report = store.verify()

    assert not report.ok
    assert [(c.name, c.problem is None) for c in report.datasets] == [("Gaaf", True), ("Beschadigd", False)]
    again = publish(store, make_dataset(1), name="Opnieuw")
    assert again.newly_published is False and again.dataset_id == record.dataset_id
    assert "zijn hersteld" in store.audit_log().get_column("Toelichting")[0]
    assert_frame_equal(store.load(record.dataset_id).monthly, make_dataset(1).monthly)
    assert store.verify().ok and kept.dataset_id in {c.dataset_id for c in store.verify().datasets}


def test_missing_content_and_content_of_other_data_are_refused(location: StoreLocation) -> None:
    from cohort.store.content import checksum, encode

    store = location.open()
    missing = publish(store, make_dataset(1), name="Weg")
    swapped = publish(store, make_dataset(2), name="Verwisseld")
    overwrite(location, store, missing.dataset_id, "units", None)
    with pytest.raises(DatasetDamaged, match="ontbreekt"):
        store.load(missing.dataset_id)

    # Valid Parquet of other data under this id. Without a recorded checksum (a row from before checksums)
    # the loader checks the content id; with a checksum forged to match, the operator's full check does.
    other = encode(make_dataset(3).units, make_dataset(3).monthly)["monthly"]
    overwrite(location, store, swapped.dataset_id, "monthly", other)
    with store._backend.writing() as conn:
        conn.run("UPDATE datasets SET monthly_sha256 = NULL WHERE dataset_id = ?", (swapped.dataset_id,))
    with pytest.raises(DatasetDamaged, match="hoort niet bij de code"):
        store.load(swapped.dataset_id)
    with store._backend.writing() as conn:
        conn.run("UPDATE datasets SET monthly_sha256 = ? WHERE dataset_id = ?", (checksum(other), swapped.dataset_id))
    problems = {c.name: c.problem for c in store.verify().datasets}
    assert "hoort niet bij de code" in (problems["Verwisseld"] or "")
    assert "ontbreekt" in (problems["Weg"] or "")


# --- 5. a damaged catalog ---------------------------------------------------------------------------


@pytest.mark.parametrize("where", ["header", "table page"])
def test_a_damaged_catalog_gives_a_dutch_message_without_internals(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, where: str
) -> None:
    store = DatasetStore(tmp_path)
    for variant in range(3):
        publish(store, make_dataset(variant), name=f"Variant {variant}")
    catalog = tmp_path / "catalog.sqlite3"
    with sqlite3.connect(catalog) as conn:  # where the rows of the datasets table are
        page_size = conn.execute("PRAGMA page_size").fetchone()[0]
        table_page = conn.execute("SELECT pageno FROM dbstat WHERE name = 'datasets'").fetchone()[0]
    conn.close()
    data = catalog.read_bytes()
    offset = 0 if where == "header" else (table_page - 1) * page_size
    catalog.write_bytes(data[:offset] + b"\xde\xad\xbe\xef" * 256 + data[offset + 1024:])

    with caplog.at_level(logging.ERROR, logger="cohort.store"), pytest.raises(StoreError) as failed:
        reopened = DatasetStore(tmp_path)
        reopened.list_datasets()
        for record in reopened.list_datasets():
            reopened.load(record.dataset_id)

    assert isinstance(failed.value, StoreUnavailable) and failed.value.reason == "damaged"
    assert "catalogus van de opslag is beschadigd" in str(failed.value)
    assert "python -m cohort.store verify" in str(failed.value)
    assert_no_internals(str(failed.value))
    assert failed.value.public == PUBLIC_UNAVAILABLE
    assert str(catalog) in caplog.text  # the operator finds the file in the log


def test_verify_command_reports_in_dutch_and_exits_non_zero_on_damage(location: StoreLocation) -> None:
    store = location.open()
    record = publish(store, make_dataset(1), name="Beschadigd")
    publish(store, make_dataset(2), name="Gaaf")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path), **location.env()}
    if location.backend == "sqlite":
        env.pop("COHORT_DATABASE_URL", None)

    ok = subprocess.run([sys.executable, "-m", "cohort.store", "verify"], capture_output=True, text=True,
                        env=env, timeout=120)
    assert ok.returncode == 0, ok.stderr
    assert "2 datasets gecontroleerd: alle in orde." in ok.stdout

    original = stored_bytes(location, store, record.dataset_id, "units")
    overwrite(location, store, record.dataset_id, "units", flipped(original, len(original) // 3))
    bad = subprocess.run([sys.executable, "-m", "cohort.store", "verify"], capture_output=True, text=True,
                         env=env, timeout=120)
    assert bad.returncode == 1
    assert "1 van de 2 datasets is niet in orde" in bad.stdout and "‘Beschadigd’" in bad.stdout


def test_verify_lists_and_removes_leftover_folders(tmp_path: Path) -> None:
    store = DatasetStore(tmp_path)
    publish(store, make_dataset(0))
    leftover = tmp_path / "datasets" / ("c" * 64)
    leftover.mkdir()
    (leftover / "units.parquet").write_bytes(b"half")
    assert store.verify().leftovers == ["c" * 64]
    assert store.verify(remove_leftovers=True).leftovers == ["c" * 64]
    assert not leftover.exists() and store.verify().leftovers == []


# --- kill -9 mid-publish ----------------------------------------------------------------------------

KILLER = OPEN_FROM_ARGV + """
import os, signal
from cohort.store import catalog, files
from test_store import make_dataset, publish
store = open_store(sys.argv[1], sys.argv[2])
point = sys.argv[3]
backend = type(store._backend)

def die(*_args, **_kwargs):
    os.kill(os.getpid(), signal.SIGKILL)  # a real kill -9: no finally, no rollback, no cleanup

if point == "encoding":
    catalog.encode = die
elif point == "before content":  # the catalog row is inserted, its content not yet
    backend.put_content = die
elif point == "after content":  # row and content written, the transaction still open
    original = backend.put_content
    backend.put_content = lambda *args: (original(*args), die())
elif point == "audit":  # the last statement before COMMIT
    catalog.add_audit = die
elif point == "temp files":  # embedded store: both files written under temp names, none renamed
    files.os.replace = die
elif point == "renamed":  # embedded store: files in place, folder not yet fsynced, no row
    files.fsync_directory = die
publish(store, make_dataset(1), name="Gedood")
print("not killed")
"""
KILL_POINTS = [
    *((backend, point) for backend in BACKENDS for point in ("encoding", "before content", "after content", "audit")),
    ("sqlite", "temp files"),  # PostgreSQL stores no files
    ("sqlite", "renamed"),
]


@pytest.mark.parametrize(("location", "point"), KILL_POINTS, indirect=["location"])
def test_a_publish_killed_at_any_point_leaves_nothing_half_visible(location: StoreLocation, point: str) -> None:
    store = location.open()
    publish(store, make_dataset(0), name="Blijft")

    result = run_python(KILLER, *store_args(location), point)

    assert result.returncode == -signal.SIGKILL, (result.stdout, result.stderr)
    assert assert_consistent(location) == ["Blijft"]
    assert location.open().audit_log().height == 1
    again = publish(location.open(), make_dataset(1), name="Daarna")  # the leftovers do not get in the way
    assert again.newly_published
    assert assert_consistent(location) == ["Blijft", "Daarna"]


STREAM = OPEN_FROM_ARGV + """
from test_store import make_dataset, publish
store = open_store(sys.argv[1], sys.argv[2])
for variant in range(1, 400):
    publish(store, make_dataset(variant), name=f"Variant {variant}")
    print(variant, flush=True)
"""


@pytest.mark.parametrize("after", [1, 4, 9])
def test_kill_9_from_outside_during_a_stream_of_publishes(location: StoreLocation, after: int) -> None:
    """Killed by another process at whatever moment it happens to be in (between or inside publishes)."""
    prelude = f"import sys\nsys.path[:0] = {[str(Path(__file__).parent), str(Path(__file__).parents[2])]!r}\n"
    process = subprocess.Popen([sys.executable, "-c", prelude + STREAM, *store_args(location)],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert process.stdout is not None
    for line in process.stdout:
        if int(line) >= after:
            break
    process.kill()
    process.wait(timeout=30)
    assert process.returncode == -signal.SIGKILL, process.stderr.read() if process.stderr else ""

    names = assert_consistent(location)
    published = sorted(int(name.split()[1]) for name in names)
    assert published == list(range(1, len(published) + 1))  # in order, none lost in the middle
    assert len(published) >= after
    assert location.open().audit_log().height == len(published)
