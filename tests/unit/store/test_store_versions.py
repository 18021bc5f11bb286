"""Versions, voorlopig/definitief and four-eyes publishing in the store, on both backends (issue 18).

Two evaluators (anna, bert) and the rules: a new version joins its series and a pinned link learns of it; only
the newest published version can be replaced; a publication under review is `ter goedkeuring` (evaluators
only) until a different evaluator approves or rejects it; approve, reject and withdraw racing each other from
separate processes end in one consistent state; a catalog of the previous schema is migrated in place.
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from store_backends import BACKENDS, OPEN_FROM_ARGV, StoreLocation, store_args, store_location
from test_store import make_dataset

from cohort.store import DatasetStore, StoreError
from cohort.store.content import checksum, content_id, encode

ANNA = "anna@amsterdam.nl"
BERT = "bert@amsterdam.nl"


@pytest.fixture(params=BACKENDS)
def location(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[StoreLocation]:
    yield from store_location(request, tmp_path)


def publish(store: DatasetStore, variant: int, name: str, *, by: str = ANNA, **options):
    return store.publish(make_dataset(variant), name=name, description="", published_by=by,
                         validation_summary="0 fouten", **options)


def actions(store: DatasetStore) -> list[tuple[str, str]]:
    """(actor, action) of the audit log, oldest first."""
    return [tuple(row) for row in reversed(store.audit_log().select("Door", "Actie").rows())]


# --- status: voorlopig / definitief -----------------------------------------------------------------


def test_data_status_is_recorded_defaults_to_voorlopig_and_can_be_changed(location: StoreLocation) -> None:
    store = location.open()
    provisional = publish(store, 0, "Voorlopig")
    final = publish(store, 1, "Definitief", data_status="definitief")
    assert (provisional.data_status, final.data_status) == ("voorlopig", "definitief")
    with pytest.raises(StoreError, match="‘voorlopig’ of ‘definitief’"):
        publish(store, 2, "Onzin", data_status="bijna klaar")

    changed = store.set_data_status(provisional.dataset_id, "definitief", BERT)

    assert changed.data_status == "definitief" and location.open().get(provisional.dataset_id) == changed
    assert store.audit_log().row(0)[1:] == (BERT, "status wijzigen", provisional.dataset_id,
                                            "‘Voorlopig’: voorlopig → definitief.")
    with pytest.raises(StoreError, match="is al definitief"):
        store.set_data_status(provisional.dataset_id, "definitief", BERT)
    store.withdraw(final.dataset_id, BERT, reason="fout")
    with pytest.raises(StoreError, match="kan niet meer"):
        store.set_data_status(final.dataset_id, "voorlopig", BERT)


# --- versions ---------------------------------------------------------------------------------------


def test_new_versions_join_the_series_and_a_pinned_link_hears_of_the_newest(location: StoreLocation) -> None:
    store = location.open()
    first = publish(store, 0, "Cohort 2021")
    second = publish(store, 1, "Cohort 2021 herzien", replaces=first.dataset_id, by=BERT)
    third = publish(store, 2, "Cohort 2021 definitief", replaces=second.dataset_id, data_status="definitief")

    assert (first.version, second.version, third.version) == (1, 2, 3)
    assert first.series_id == second.series_id == third.series_id == first.dataset_id
    assert (first.replaces, second.replaces, third.replaces) == (None, first.dataset_id, second.dataset_id)
    assert [r.dataset_id for r in store.series(second.dataset_id)] == [first.dataset_id, second.dataset_id,
                                                                         third.dataset_id]
    # A shared link keeps its version and names the newest one; the newest names none.
    pinned = store.resolve(first.dataset_id)
    assert (pinned.dataset_id, pinned.source, pinned.notice) == (first.dataset_id, "requested", None)
    assert pinned.newer == store.get(third.dataset_id)
    assert store.resolve(third.dataset_id).newer is None
    assert "Versie 2, vervangt ‘Cohort 2021’ (versie 1)." in store.audit_log().row(1)[4]
    # A withdrawn newest version is no longer announced; the one before it is.
    store.withdraw(third.dataset_id, ANNA, reason="te vroeg")
    assert location.open().resolve(first.dataset_id).newer == store.get(second.dataset_id)
    gone = store.resolve(third.dataset_id)
    assert gone.dataset_id == second.dataset_id and "ingetrokken" in (gone.notice or "")


def test_only_the_newest_published_version_can_be_replaced(location: StoreLocation) -> None:
    store = location.open()
    first = publish(store, 0, "Versie een")
    second = publish(store, 1, "Versie twee", replaces=first.dataset_id)

    with pytest.raises(StoreError, match=r"al vervangen door ‘Versie twee’ \(versie 2\)"):
        publish(store, 2, "Tak", replaces=first.dataset_id)
    with pytest.raises(StoreError, match="bestaat niet"):
        publish(store, 2, "Niets", replaces="f" * 64)
    with pytest.raises(StoreError, match="bestaat niet"):
        publish(store, 2, "Ongeldig", replaces="../../etc/passwd")
    store.withdraw(second.dataset_id, ANNA, reason="fout")
    with pytest.raises(StoreError, match="is ingetrokken en kan daarom niet"):
        publish(store, 2, "Op ingetrokken", replaces=second.dataset_id)
    # With version 2 withdrawn, version 1 is the newest published one again; the next gets number 3.
    third = publish(store, 2, "Versie drie", replaces=first.dataset_id)
    assert third.version == 3
    assert [r.status for r in store.list_datasets(include_withdrawn=True)] == ["gepubliceerd", "ingetrokken",
                                                                              "gepubliceerd"]


def test_a_visible_new_version_takes_over_the_default(location: StoreLocation) -> None:
    store = location.open()
    old = publish(store, 0, "Oud")
    store.set_default(old.dataset_id, ANNA)

    new = publish(store, 1, "Nieuw", replaces=old.dataset_id)

    assert store.default_id() == new.dataset_id and new.is_default
    assert not store.get(old.dataset_id).is_default
    assert store.resolve(None).dataset_id == new.dataset_id
    assert "Neemt de standaarddataset over van ‘Oud’." in store.audit_log().row(0)[4]


# --- four eyes ----------------------------------------------------------------------------------------


def test_a_publication_under_review_is_for_evaluators_until_a_second_evaluator_approves(
    location: StoreLocation,
) -> None:
    store = location.open()
    public = publish(store, 0, "Al openbaar", by=BERT)
    pending = publish(store, 1, "Ter keuring", by=ANNA, review=True)

    assert (pending.status, pending.review_required, pending.reviewed_by) == ("ter goedkeuring", True, None)
    assert [r.name for r in store.list_datasets(include_withdrawn=True)] == ["Al openbaar"]
    assert [r.name for r in store.list_datasets(include_review=True)] == ["Ter keuring", "Al openbaar"]
    viewer = store.resolve(pending.dataset_id)
    assert viewer.dataset_id == public.dataset_id
    assert viewer.notice == ("Deze dataset wacht nog op goedkeuring door een tweede evaluator en is daarom nog niet "
                             "openbaar. U ziet nu de meest recent gepubliceerde dataset ‘Al openbaar’.")
    assert store.resolve(None).dataset_id == public.dataset_id  # the newest *visible* one
    evaluator = store.resolve(pending.dataset_id, include_pending=True)
    assert (evaluator.dataset_id, evaluator.source) == (pending.dataset_id, "requested")
    with pytest.raises(StoreError, match="wacht nog op goedkeuring"):
        store.set_default(pending.dataset_id, BERT)
    # The same person, whatever the capitals, may not be the second pair of eyes.
    for same in (ANNA, " Anna@Amsterdam.NL "):
        with pytest.raises(StoreError, match=r"zelf gepubliceerd.*vier-ogenprincipe"):
            store.approve(pending.dataset_id, same)
    assert store.get(pending.dataset_id).status == "ter goedkeuring"

    approved = location.open().approve(pending.dataset_id, BERT)

    assert (approved.status, approved.reviewed_by, approved.published_by) == ("gepubliceerd", BERT, ANNA)
    assert store.resolve(pending.dataset_id).notice is None
    assert store.resolve(None).dataset_id == pending.dataset_id
    at, actor, action, dataset_id, detail = store.audit_log().row(0)
    assert (actor, action, dataset_id) == (BERT, "goedkeuren", pending.dataset_id)
    assert at == datetime.fromisoformat(approved.reviewed_at)
    published_at = datetime.fromisoformat(pending.published_at)
    assert detail.startswith(f"‘Ter keuring’ goedgekeurd door {BERT} op {at.day} ")
    assert f"; gepubliceerd door {ANNA} op {published_at.day} " in detail
    assert f"{published_at:%H:%M:%S} UTC." in detail and f"{at:%H:%M:%S} UTC;" in detail
    with pytest.raises(StoreError, match=r"is al goedgekeurd en gepubliceerd \(door bert@amsterdam.nl\)"):
        store.approve(pending.dataset_id, "carla@amsterdam.nl")
    assert actions(store) == [(BERT, "publiceren"), (ANNA, "publiceren"), (BERT, "goedkeuren")]


def test_a_rejected_publication_is_never_shown_and_can_be_offered_again(location: StoreLocation) -> None:
    store = location.open()
    pending = publish(store, 0, "Twijfel", by=ANNA, review=True)
    with pytest.raises(StoreError, match="Vermeld waarom"):
        store.reject(pending.dataset_id, BERT, reason="  ")
    with pytest.raises(StoreError, match="zelf gepubliceerd"):
        store.reject(pending.dataset_id, ANNA, reason="eigen fout")

    rejected = store.reject(pending.dataset_id, BERT, reason="peildatum klopt niet")

    assert (rejected.status, rejected.reviewed_by, rejected.review_note) == ("afgewezen", BERT, "peildatum klopt niet")
    assert store.list_datasets(include_withdrawn=True) == []
    assert not rejected.was_public
    for include_pending in (False, True):
        shown = store.resolve(pending.dataset_id, include_pending=include_pending)
        assert shown.dataset_id is None and shown.notice.startswith("Deze dataset is bij de controle")
    assert "Reden: peildatum klopt niet" in store.audit_log().row(0)[4]
    with pytest.raises(StoreError, match="is al afgewezen"):
        store.approve(pending.dataset_id, "carla@amsterdam.nl")
    with pytest.raises(StoreError, match="er valt niets in te trekken"):
        store.withdraw(pending.dataset_id, BERT)
    # Corrected or not, the same data offered again by bert wait for a second evaluator other than bert.
    again = publish(store, 0, "Opnieuw", by=BERT, review=True)
    assert (again.dataset_id, again.status, again.published_by, again.reviewed_by) == (
        pending.dataset_id, "ter goedkeuring", BERT, None)
    with pytest.raises(StoreError, match="zelf gepubliceerd"):
        store.approve(again.dataset_id, BERT)
    assert store.approve(again.dataset_id, ANNA).status == "gepubliceerd"


def test_a_publication_withdrawn_before_approval_was_never_public(location: StoreLocation) -> None:
    store = location.open()
    pending = publish(store, 0, "Te vroeg", by=ANNA, review=True)

    withdrawn = store.withdraw(pending.dataset_id, ANNA, reason="verkeerd bestand")

    assert withdrawn.status == "ingetrokken" and not withdrawn.was_public
    assert "nooit zichtbaar geweest voor viewers" in store.audit_log().row(0)[4]
    with pytest.raises(StoreError, match="is ingetrokken; er valt niets meer goedkeuren"):
        store.approve(pending.dataset_id, BERT)
    public = publish(store, 1, "Openbaar")
    assert store.withdraw(public.dataset_id, BERT).was_public


def test_a_new_version_under_review_blocks_another_and_takes_over_the_default_when_approved(
    location: StoreLocation,
) -> None:
    store = location.open()
    old = publish(store, 0, "Oud", by=BERT)
    store.set_default(old.dataset_id, BERT)
    pending = publish(store, 1, "Nieuw", replaces=old.dataset_id, review=True)
    assert pending.version == 2 and store.default_id() == old.dataset_id  # nothing changes for viewers yet
    assert store.resolve(old.dataset_id).newer is None  # not announced before approval

    with pytest.raises(StoreError, match=r"staat al een nieuwe versie ter goedkeuring \(‘Nieuw’, versie 2\)"):
        publish(store, 2, "Ook nieuw", replaces=old.dataset_id, by=BERT)
    store.approve(pending.dataset_id, BERT)

    assert store.default_id() == pending.dataset_id
    assert store.resolve(old.dataset_id).newer == store.get(pending.dataset_id)
    assert "Neemt de standaarddataset over van ‘Oud’." in store.audit_log().row(0)[4]


# --- racing clicks, from separate processes ------------------------------------------------------------

ACTOR = OPEN_FROM_ARGV + """
import json, time
root, url, go, action, dataset_id, by = sys.argv[1:7]
store = open_store(root, url)
deadline = time.monotonic() + 30
while not Path(go).exists() and time.monotonic() < deadline:  # start together, for real contention
    time.sleep(0.002)
try:
    if action == "approve":
        record = store.approve(dataset_id, by)
    elif action == "reject":
        record = store.reject(dataset_id, by, "bezwaar")
    else:
        record = store.withdraw(dataset_id, by, "teruggetrokken")
    print(json.dumps({"ok": True, "status": record.status}))
except Exception as error:
    print(json.dumps({"ok": False, "error": str(error), "type": type(error).__name__}))
"""


def race(location: StoreLocation, dataset_id: str, moves: list[tuple[str, str]], go: Path) -> list[dict]:
    """Run each (action, by) in its own process, all released at the same moment; their outcomes."""
    prelude = f"import sys\nsys.path[:0] = {[str(Path(__file__).parent), str(Path(__file__).parents[2])]!r}\n"
    processes = [subprocess.Popen([sys.executable, "-c", prelude + ACTOR, *store_args(location), str(go), action,
                                   dataset_id, by], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                 for action, by in moves]
    go.touch()
    outcomes = []
    for process in processes:
        out, err = process.communicate(timeout=120)
        assert process.returncode == 0, err
        outcomes.append(json.loads(out.strip().splitlines()[-1]))
    return outcomes


def test_approve_and_withdraw_at_the_same_moment_end_consistently(location: StoreLocation) -> None:
    store = location.open()
    for round_ in range(3):
        pending = publish(store, 10 + round_, f"Race {round_}", by=ANNA, review=True)
        go = location.root.parent / f"go-{round_}"
        approve, withdraw = race(location, pending.dataset_id, [("approve", BERT), ("withdraw", ANNA)], go)

        # Whatever the order, the withdrawal wins in the end and the log tells the order that happened.
        assert withdraw == {"ok": True, "status": "ingetrokken"}
        final = store.get(pending.dataset_id)
        assert final.status == "ingetrokken" and not final.is_default
        mine = [a for a in actions(store) if a[1] in {"goedkeuren", "intrekken"}][-2:]
        if approve["ok"]:
            assert mine == [(BERT, "goedkeuren"), (ANNA, "intrekken")]
            assert final.was_public and final.reviewed_by == BERT
        else:
            assert approve["type"] == "StoreError" and "is ingetrokken" in approve["error"], approve
            assert mine[-1] == (ANNA, "intrekken") and final.reviewed_by is None and not final.was_public


def test_two_reviewers_at_the_same_moment_decide_once(location: StoreLocation) -> None:
    store = location.open()
    pending = publish(store, 20, "Twee keurders", by=ANNA, review=True)
    outcomes = race(location, pending.dataset_id, [("approve", BERT), ("reject", "carla@amsterdam.nl"),
                                                   ("approve", "dirk@amsterdam.nl")], location.root.parent / "go")

    winners = [o for o in outcomes if o["ok"]]
    assert len(winners) == 1, outcomes
    losers = [o for o in outcomes if not o["ok"]]
    assert all(o["type"] == "StoreError" and ("al goedgekeurd" in o["error"] or "al afgewezen" in o["error"])
               for o in losers), losers
    final = store.get(pending.dataset_id)
    assert final.status == winners[0]["status"]
    assert [a for _, a in actions(store)].count("goedkeuren") + [a for _, a in actions(store)].count("afwijzen") == 1


# --- migration of an existing catalog ----------------------------------------------------------------


def _write_version_2_store(location: StoreLocation) -> dict[str, str]:
    """A store as the previous release left it (schema version 2, two datasets, a default, an audit log)."""
    from cohort.store.migrations import MIGRATIONS

    datasets = {"standaard": make_dataset(30), "ingetrokken": make_dataset(31)}
    ids = {name: content_id(d.units, d.monthly) for name, d in datasets.items()}
    rows = []
    for seq, (name, dataset) in enumerate(datasets.items(), start=1):
        parts = encode(dataset.units, dataset.monthly)
        withdrawn = name == "ingetrokken"
        rows.append((ids[name], name, parts, (
            ids[name], name, "", "", "{}", f"2024-01-0{seq}T10:00:00.000000+00:00", "anna", 3, 3, 9, "2021-01-01",
            "2021-03-01", "ok", "ingetrokken" if withdrawn else "gepubliceerd", not withdrawn,
            "2024-02-01T10:00:00.000000+00:00" if withdrawn else None, "bert" if withdrawn else None,
            "fout" if withdrawn else "", checksum(parts["units"]), checksum(parts["monthly"]))))
    insert = ("INSERT INTO datasets (dataset_id, name, description, source, notes_json, published_at, published_by,"
              " n_units, n_months, n_rows, first_month, last_month, validation_summary, status, is_default,"
              " withdrawn_at, withdrawn_by, withdrawal_reason, units_sha256, monthly_sha256) VALUES "
              "(" + ", ".join(["?"] * 20) + ")")
    audit = "INSERT INTO audit_log (at, actor, action, dataset_id, detail) VALUES (?, 'anna', 'publiceren', ?, 'oud')"
    if location.backend == "sqlite":
        location.root.mkdir(parents=True)
        with sqlite3.connect(location.root / "catalog.sqlite3") as conn:
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, description TEXT NOT NULL,"
                         " applied_at TEXT NOT NULL)")
            for migration in MIGRATIONS[:2]:
                for statement in migration.sqlite:
                    conn.execute(statement)
                conn.execute("INSERT INTO schema_migrations VALUES (?, ?, '2024-01-01T00:00:00.000000+00:00')",
                             (migration.version, migration.description))
            conn.execute("PRAGMA user_version = 2")
            for dataset_id, _name, parts, values in rows:
                conn.execute(insert, values)
                conn.execute(audit, (values[5], dataset_id))
                from cohort.store import files

                files.write_content(location.root / "datasets" / dataset_id, parts)
    else:
        import psycopg

        with psycopg.connect(location.url, autocommit=False) as conn:
            conn.execute("CREATE TABLE schema_migrations (version integer PRIMARY KEY, description text NOT NULL,"
                         " applied_at timestamptz NOT NULL)")
            for migration in MIGRATIONS[:2]:
                for statement in migration.postgresql:
                    conn.execute(statement)
                conn.execute("INSERT INTO schema_migrations VALUES (%s, %s, now())",
                             (migration.version, migration.description))
            for dataset_id, _name, parts, values in rows:
                conn.execute(insert.replace("?", "%s"), values)
                conn.execute(audit.replace("?", "%s"), (values[5], dataset_id))
                conn.execute("INSERT INTO dataset_content VALUES (%s, %s, %s)",
                             (dataset_id, parts["units"], parts["monthly"]))
    return ids


def test_a_catalog_of_schema_version_2_is_migrated_and_keeps_everything(location: StoreLocation) -> None:
    ids = _write_version_2_store(location)

    store = location.open()

    default, withdrawn = store.get(ids["standaard"]), store.get(ids["ingetrokken"])
    assert (default.status, default.is_default, withdrawn.status, withdrawn.withdrawal_reason) == (
        "gepubliceerd", True, "ingetrokken", "fout")
    for record in (default, withdrawn):
        # Existing datasets: version 1 of their own series, voorlopig, published without review.
        assert (record.version, record.series_id, record.replaces, record.data_status) == (
            1, record.dataset_id, None, "voorlopig")
        assert (record.review_required, record.reviewed_by) == (False, None) and record.was_public
    assert withdrawn.withdrawn_by == "bert" and default.published_at == "2024-01-01T10:00:00.000000+00:00"
    # Both were public from their publication (no review): migration 4 records that as their first visibility.
    assert (default.visible_since, withdrawn.visible_since) == (default.published_at, withdrawn.published_at)
    assert store.default_id() == ids["standaard"]
    assert store.audit_log().height == 2 and store.verify().ok
    assert store.load(ids["standaard"]).monthly.get_column("bijstand")[0] == 30
    # The new schema works on the migrated rows: a new version under review, approved by someone else.
    new = publish(store, 32, "Nieuwe versie", replaces=ids["standaard"], review=True)
    assert (new.version, new.series_id) == (2, ids["standaard"])
    store.approve(new.dataset_id, BERT)
    assert store.default_id() == new.dataset_id
    with store._backend.reading() as conn:
        versions = [r["version"] for r in conn.all("SELECT version FROM schema_migrations ORDER BY version")]
    assert versions == [1, 2, 3, 4, 5]
    if location.backend == "sqlite":
        with sqlite3.connect(location.root / "catalog.sqlite3") as conn:
            assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            assert conn.execute("PRAGMA user_version").fetchone()[0] == 5
            # The database itself still refuses a second default and a withdrawn default.
            with pytest.raises(sqlite3.IntegrityError):
                conn.execute("UPDATE datasets SET is_default = 1 WHERE dataset_id = ?", (ids["ingetrokken"],))
            assert [r[0] for r in conn.execute("SELECT seq FROM datasets ORDER BY seq")] == [1, 2, 3]
    else:
        import psycopg

        with psycopg.connect(location.url) as conn, pytest.raises(psycopg.errors.CheckViolation):
            conn.execute("UPDATE datasets SET is_default = TRUE, status = 'ter goedkeuring' WHERE dataset_id = %s",
                         (ids["standaard"],))


def test_visible_before_lists_what_viewers_saw_earlier_in_the_order_they_saw_it(location: StoreLocation) -> None:
    """The publications a release is protected against (`cohort.privacy.release`): withdrawn ones count, ones never
    shown to viewers do not, and a republication keeps its first moment of visibility."""
    store = location.open()
    first = publish(store, 1, "Eerste")
    pending = publish(store, 2, "Ter goedkeuring", review=True)
    second = publish(store, 3, "Tweede")
    rejected = publish(store, 4, "Afgewezen", review=True)
    store.reject(rejected.dataset_id, BERT, "onvolledig")
    store.withdraw(first.dataset_id, BERT, "fout")
    assert store.visible_before(second.dataset_id) == [first.dataset_id]
    assert store.visible_before(pending.dataset_id) == [first.dataset_id, second.dataset_id]  # not yet visible
    store.approve(pending.dataset_id, BERT)  # visible from now on: after the other two
    assert store.visible_before(pending.dataset_id) == [first.dataset_id, second.dataset_id]
    assert store.visible_before(first.dataset_id) == []
    again = publish(store, 1, "Eerste")  # the same data published again keeps its first moment
    assert again.visible_since == first.visible_since is not None
    assert store.visible_before(second.dataset_id) == [first.dataset_id]
    assert store.get(rejected.dataset_id).visible_since is None


def test_the_database_refuses_an_unknown_status_and_a_duplicate_version(location: StoreLocation) -> None:
    store = location.open()
    first = publish(store, 0, "Een")
    second = publish(store, 1, "Twee", replaces=first.dataset_id)
    errors: tuple[type[BaseException], ...] = (sqlite3.IntegrityError,)
    if location.backend == "postgresql":
        import psycopg

        errors = (psycopg.errors.IntegrityError,)
    for statement, params in (
        ("UPDATE datasets SET status = 'half' WHERE dataset_id = ?", (first.dataset_id,)),
        ("UPDATE datasets SET data_status = 'bijna' WHERE dataset_id = ?", (first.dataset_id,)),
        ("UPDATE datasets SET version = 1 WHERE dataset_id = ?", (second.dataset_id,)),
        ("UPDATE datasets SET replaces = dataset_id WHERE dataset_id = ?", (first.dataset_id,)),
    ):
        with pytest.raises(errors), store._backend.writing() as conn:
            conn.run(statement, params)
    assert store.get(second.dataset_id) == second
