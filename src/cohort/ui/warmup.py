"""What the server does once at start, before it takes its first viewer (`serve.py`, the st.App lifespan).

Without it the first viewer after a restart or deploy also waits for the imports of the whole package (about
0.6 s: Polars, Plotly, SciPy, the page models) and for the default dataset to be read, on top of what every
later viewer waits for (issue 15). The server answers its health check only after this, so a load balancer
sends nobody to a replica that is still warming up. Nothing here may stop the server: a failure is logged and
the first viewer simply does the work itself, with the app's own Dutch messages.
"""

from __future__ import annotations

import asyncio
import importlib
import logging
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

log = logging.getLogger(__name__)

# What a page's first run imports besides Streamlit: the app's frame and the page models (the modules a view
# imports lazily, e.g. Excel writing for downloads, are not needed for the first chart).
MODULES = (
    "cohort.pagemodels",
    "cohort.privacy.release",
    "cohort.ui.auth",
    "cohort.ui.briefing",
    "cohort.ui.data",
    "cohort.ui.filters",
    "cohort.ui.models",
    "cohort.ui.navigation",
    "cohort.ui.opendata",
    "cohort.ui.share",
)


def import_modules() -> None:
    for name in MODULES:
        importlib.import_module(name)


def load_default_dataset() -> None:
    """Read the dataset a viewer without a link sees into the shared cache and start building its release."""
    from cohort.privacy.release import warm_release
    from cohort.ui.data import default_dataset
    from cohort.ui.privacy import current_rule

    warm_release(default_dataset(), current_rule())


def prepare() -> None:
    # The shared caches, used outside a script run, warn that there is no ScriptRunContext: expected here only,
    # so the warning is quiet while warming up and back afterwards.
    context_log = logging.getLogger("streamlit.runtime.scriptrunner_utils.script_run_context")
    level = context_log.level
    context_log.setLevel(logging.ERROR)
    try:
        for step in (import_modules, load_default_dataset):
            started = time.perf_counter()
            try:
                step()
            except Exception:  # a warm-up never stops the server; the first viewer does the work
                log.exception("warm-up step %s failed; the first viewer does it", step.__name__)
            else:
                log.info("warm-up %s: %.2f s", step.__name__, time.perf_counter() - started)
    finally:
        context_log.setLevel(level)


@asynccontextmanager
async def lifespan(_app: Any) -> AsyncIterator[None]:
    # In a worker thread: the event loop stays free, and Streamlit's runtime (its caches) has already started.
    await asyncio.to_thread(prepare)
    yield
