"""The server's warm-up (`serve.py`, `cohort.ui.warmup`): before its first viewer the server has imported the
package, read the dataset a viewer without a link sees, and started that dataset's release; a failing step is
logged and never stops the server. (The browser suite runs every page through `serve.py`.)"""

from __future__ import annotations

import asyncio
import logging
import sys
from pathlib import Path

import pytest
from streamlit.web.server.app_discovery import discover_asgi_app

from cohort.privacy.rules import SuppressionRule
from cohort.settings import EXAMPLE_WORKBOOK
from cohort.store import DatasetStore
from cohort.ui import warmup
from cohort.workbook.read import read_workbook

REPO_ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def started(monkeypatch: pytest.MonkeyPatch) -> list[tuple[object, SuppressionRule]]:
    """The releases the warm-up starts (recorded, not built: building is `warm_release`'s own test)."""
    calls: list[tuple[object, SuppressionRule]] = []
    monkeypatch.setattr("cohort.privacy.release.warm_release", lambda dataset, rule: calls.append((dataset, rule)))
    return calls


def test_streamlit_run_serve_py_finds_the_app() -> None:
    # `streamlit run serve.py` serves an st.App only when its discovery (AST, not import) finds one.
    assert discover_asgi_app(REPO_ROOT / "serve.py").is_asgi_app


def test_the_example_is_read_and_its_release_started(offline, started) -> None:
    asyncio.run(_through_lifespan())
    [(dataset, rule)] = started
    assert dataset.meta.is_example and dataset.meta.dataset_id is None
    assert rule.enabled, "viewers see the protected release, so that is the one to start"
    assert set(warmup.MODULES) <= set(sys.modules)


def test_the_default_publication_is_read(offline, started, tmp_path: Path) -> None:
    example = read_workbook(EXAMPLE_WORKBOOK).dataset
    stored = DatasetStore(tmp_path / "store").publish(example, name="Stand juni 2021", description="test",
                                                       published_by="test", validation_summary="0 fouten")
    warmup.prepare()
    [(dataset, _rule)] = started
    assert dataset.meta.dataset_id == stored.dataset_id


def test_a_failing_step_is_logged_and_the_server_starts(offline, monkeypatch, caplog) -> None:
    def broken() -> None:
        raise OSError("unable to open database file")

    monkeypatch.setattr(warmup, "load_default_dataset", broken)
    with caplog.at_level(logging.INFO, logger=warmup.__name__):
        asyncio.run(_through_lifespan())  # no exception
    assert "warm-up step broken failed" in caplog.text
    assert "warm-up import_modules" in caplog.text
    context_log = logging.getLogger("streamlit.runtime.scriptrunner_utils.script_run_context")
    assert context_log.level != logging.ERROR, "the warning is quiet only during the warm-up"


async def _through_lifespan() -> None:
    async with warmup.lifespan(None):
        pass
