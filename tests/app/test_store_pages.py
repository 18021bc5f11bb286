"""Store failures as people see them (AppTest, both backends where they apply): a full disk during publish,
a damaged dataset, a damaged catalog, a read-only store, an unreachable database. Viewers get one short Dutch
sentence without internals, evaluators what they can act on; the page keeps working."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import polars as pl
import pytest
from apptest import open_app, rendered_text
from faults import flipped, read_only
from store_backends import BACKENDS, StoreLocation, store_location
from streamlit.testing.v1 import AppTest
from test_access import EVALUATOR, SECRETS, VIEWER, data_page, publish
from test_store import make_dataset
from test_store import publish as publish_directly
from test_store_faults import INTERNALS, overwrite, stored_bytes

from cohort.store import DatasetStore
from cohort.store.errors import PUBLIC_DAMAGED, PUBLIC_UNAVAILABLE
from cohort.ui import data as ui_data

APP_VIEWER = {"is_logged_in": True, "email": VIEWER, "name": "Raadslid"}
APP_EVALUATOR = {"is_logged_in": True, "email": EVALUATOR, "name": "Eva"}
SHOWING_EXAMPLE = "U ziet nu de voorbeelddata."


@pytest.fixture(params=BACKENDS)
def location(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[StoreLocation]:
    for where in store_location(request, tmp_path):
        for key, value in where.env().items():
            monkeypatch.setenv(key, value)
        if where.url is None:
            monkeypatch.delenv("COHORT_DATABASE_URL", raising=False)
        yield where
        ui_data._store.clear()  # closes the app's pools on this test's database


@pytest.fixture
def embedded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("COHORT_STORE_DIR", str(tmp_path / "store"))
    monkeypatch.delenv("COHORT_DATABASE_URL", raising=False)
    yield tmp_path / "store"
    ui_data._store.clear()


def as_user(user: dict | None, *, page: str | None = None, **query: str) -> AppTest:
    """The app for a logged-in `user` (with the login secrets), or in local mode for None."""
    return open_app(page, check=True, secrets=SECRETS if user is not None else None, user=user, **query)


def shown_text(at: AppTest) -> str:
    parts = [e.value for kind in ("warning", "error", "info", "success", "markdown", "caption", "title")
             for e in getattr(at, kind)]
    return "\n".join(str(p) for p in parts)


def notices(at: AppTest) -> list[str]:
    return [rendered_text(w.value) for w in at.warning]


def assert_no_internals(text: str, *also: str) -> None:
    lowered = text.lower()
    leaked = [word for word in (*INTERNALS, *also) if word.lower() in lowered]
    assert not leaked, (leaked, text)


def test_a_full_disk_during_publish_says_so_in_dutch_and_the_page_keeps_working(
    location: StoreLocation, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = data_page()

    def disk_full(*_args: object, **_kwargs: object) -> None:
        raise pl.exceptions.ComputeError("failed to write parquet: No space left on device (os error 28)")

    with monkeypatch.context() as patch:
        patch.setattr(pl.DataFrame, "write_parquet", disk_full)
        at = publish(at, "Vol")
    errors = [e.value for e in at.error]
    assert any(e.startswith("Publiceren is mislukt: er is geen ruimte meer op de schijf") for e in errors), errors
    assert_no_internals("\n".join(errors))
    assert location.open().list_datasets(include_withdrawn=True) == []

    next(b for b in at.button if b.label == "Publiceren").click().run()  # space again: the same click works

    assert not at.exception
    assert [r.name for r in location.open().list_datasets()] == ["Vol"]
    assert any(s.value.startswith("Gepubliceerd: ‘Vol’") for s in at.success)


def test_a_damaged_dataset_is_refused_with_a_notice_per_audience(location: StoreLocation) -> None:
    store = location.open()
    good = publish_directly(store, make_dataset(0), name="Gaaf")
    bad = publish_directly(store, make_dataset(1), name="Beschadigd")
    original = stored_bytes(location, store, bad.dataset_id, "monthly")
    overwrite(location, store, bad.dataset_id, "monthly", flipped(original, len(original) // 2))

    viewer = as_user(APP_VIEWER, dataset=bad.dataset_id)
    assert f"{PUBLIC_DAMAGED} {SHOWING_EXAMPLE}" in notices(viewer)
    assert_no_internals(shown_text(viewer), bad.dataset_id[:12], "controlegetal")
    evaluator = as_user(APP_EVALUATOR, dataset=bad.dataset_id)
    [notice] = [n for n in notices(evaluator) if "Beschadigd" in n]
    assert "controlegetal" in notice and "Publiceer dezelfde werkmap opnieuw" in notice
    assert_no_internals(notice)
    # The other dataset is untouched.
    assert not [n for n in notices(as_user(APP_VIEWER, dataset=good.dataset_id)) if "niet" in n]


def test_a_damaged_catalog_shows_the_example_with_a_short_notice(embedded: Path) -> None:
    publish_directly(DatasetStore(embedded), make_dataset(0), name="Gepubliceerd")
    catalog = embedded / "catalog.sqlite3"
    catalog.write_bytes(b"\x00" * 512 + catalog.read_bytes()[512:])

    viewer = as_user(APP_VIEWER)
    assert f"{PUBLIC_UNAVAILABLE} {SHOWING_EXAMPLE}" in notices(viewer)
    assert_no_internals(shown_text(viewer), str(embedded))
    viewer_data = as_user(APP_VIEWER, page="views/data.py")
    assert any(PUBLIC_UNAVAILABLE in e.value for e in viewer_data.error)
    assert_no_internals(shown_text(viewer_data), str(embedded))

    evaluator = as_user(None)  # local mode: an evaluator
    assert any("de catalogus van de opslag is beschadigd" in n for n in notices(evaluator))
    assert_no_internals(shown_text(evaluator), str(embedded))


def test_a_read_only_store_serves_viewers_and_tells_evaluators(
    embedded: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = DatasetStore(embedded)
    record = publish_directly(store, make_dataset(0), name="Alleen lezen")
    with read_only(embedded) as view:
        monkeypatch.setenv("COHORT_STORE_DIR", str(view))
        viewer = as_user(APP_VIEWER, dataset=record.dataset_id)
        assert notices(viewer) == []  # reads work: the published dataset, no notice
        assert "Alleen lezen" in shown_text(viewer)

        at = publish(data_page(), "Nieuw")
        errors = [e.value for e in at.error]
        assert any(e.startswith("Publiceren is mislukt: de opslag is alleen-lezen") for e in errors), errors
        assert_no_internals("\n".join(errors), str(view))
        ui_data._store.clear()
    assert [r.name for r in store.list_datasets()] == ["Alleen lezen"]


def test_an_unreachable_database_shows_the_example_with_a_short_notice(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COHORT_STORE_DIR", str(tmp_path / "store"))
    monkeypatch.setenv("COHORT_DATABASE_URL", f"postgresql://cohort:geheim@/cohort?host={tmp_path}/geen-server")

    viewer = as_user(APP_VIEWER)
    assert f"{PUBLIC_UNAVAILABLE} {SHOWING_EXAMPLE}" in notices(viewer)
    assert_no_internals(shown_text(viewer), "geheim", "geen-server")
    evaluator = as_user(None)
    assert any("de database van de opslag is niet bereikbaar" in n for n in notices(evaluator))
    assert_no_internals(shown_text(evaluator), "geheim", "geen-server")
