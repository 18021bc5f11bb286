"""Paths that exist for speed and scale: one release build per dataset, long tables in pages (issue 15, 20.8)."""

from __future__ import annotations

import threading
from dataclasses import replace

from streamlit.testing.v1 import AppTest
from test_release import small_dataset

import cohort.privacy.release as release_module
from cohort.privacy.release import release_for, warm_release
from cohort.privacy.rules import SuppressionRule

RULE = SuppressionRule()


def test_concurrent_requests_and_the_warm_up_share_one_build(monkeypatch) -> None:
    dataset = replace(small_dataset(), meta=replace(small_dataset().meta, version="schaal-1"))
    builds = []
    real = release_module.Release

    class Counted(real):  # type: ignore[misc, valid-type]
        def __init__(self, *args, **kwargs) -> None:
            builds.append(1)
            super().__init__(*args, **kwargs)

    monkeypatch.setattr(release_module, "Release", Counted)
    warm = warm_release(dataset, RULE)
    assert warm is not None
    results = []
    threads = [threading.Thread(target=lambda: results.append(release_for(dataset, RULE))) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in [warm, *threads]:
        thread.join(timeout=60)
    assert len(builds) == 1
    assert all(r is results[0] for r in results)
    assert warm_release(dataset, RULE) is None  # built: nothing to warm
    # The same cells as a release built directly (A1's outflow to work over the year: 11 * 10 + 2).
    count = results[0].count("uitstroom_werk", ["A1"], *sorted(dataset.months)[::11])
    assert count.value == 112


def _long_table_app() -> None:
    import streamlit as st

    from cohort.pagemodels.common import TableColumn, make_table
    from cohort.ui.models import show_table

    rows = [{"code": (f"E{i:04d}", f"E{i:04d}"), "n": (i, str(i) if i % 7 else "×")} for i in range(1, 1201)]
    table = make_table("Lang", "lang", (TableColumn("code", "Code", "text"), TableColumn("n", "Aantal")), rows)
    st.session_state["full_rows"] = table.download_frame().height
    show_table(table)


def test_a_long_table_is_shown_a_page_at_a_time_and_downloads_every_row() -> None:
    at = AppTest.from_function(_long_table_app, default_timeout=60)
    at.run()
    assert not at.exception
    pages = at.selectbox(key="rijen_lang")
    assert pages.options == ["1–500", "501–1.000", "1.001–1.200"]
    frame = at.dataframe[0].value
    assert len(frame) == 500 and frame.iloc[0, 0] == "E0001" and frame.iloc[-1, 0] == "E0500"
    assert "Rijen 1 tot en met 500 van 1.200." in " ".join(c.value for c in at.caption)
    pages.select_index(2).run()
    frame = at.dataframe[0].value
    assert len(frame) == 200 and frame.iloc[0, 0] == "E1001" and frame.iloc[-1, 0] == "E1200"
    assert at.session_state["full_rows"] == 1200


def test_a_short_table_has_no_pages() -> None:
    def app() -> None:
        from cohort.pagemodels.common import TableColumn, make_table
        from cohort.ui.models import show_table

        rows = [{"code": (f"E{i}", f"E{i}")} for i in range(1, 501)]
        show_table(make_table("Kort", "kort", (TableColumn("code", "Code", "text"),), rows))

    at = AppTest.from_function(app, default_timeout=60)
    at.run()
    assert not at.exception and len(at.selectbox) == 0 and len(at.dataframe[0].value) == 500
