"""The store tests run against both backends: `location` is an empty store of each kind, opened as often as a
test likes (each open is what a restart or another replica does), and closed at the end of the test.

A test module declares the fixture with three lines (importing a fixture by name trips ruff's F811):

    @pytest.fixture(params=BACKENDS)
    def location(request, tmp_path):
        yield from store_location(request, tmp_path)
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from pg_server import require_cluster

from cohort.store import DatasetStore

BACKENDS = ("sqlite", "postgresql")
TESTS_DIR = Path(__file__).resolve().parent


@dataclass
class StoreLocation:
    backend: str
    root: Path  # the embedded store's directory (unused by PostgreSQL, but always a fresh temp path)
    url: str | None  # the PostgreSQL database of this test
    _opened: list[DatasetStore] = field(default_factory=list)

    def open(self) -> DatasetStore:
        store = DatasetStore(self.root, database_url=self.url)
        self._opened.append(store)
        return store

    def env(self) -> dict[str, str]:
        """The app's configuration for this store (for `streamlit run` and AppTest)."""
        env = {"COHORT_STORE_DIR": str(self.root)}
        if self.url:
            env["COHORT_DATABASE_URL"] = self.url
        return env

    def close_all(self) -> None:
        for store in self._opened:
            store.close()


def store_location(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[StoreLocation]:
    """The body of the `location` fixture: an empty store of the backend `request.param`."""
    url = require_cluster().create_database(request.node.name) if request.param == "postgresql" else None
    where = StoreLocation(request.param, tmp_path / "store", url)
    yield where
    where.close_all()


def run_python(script: str, *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """Run `script` in a fresh interpreter with the tests folder importable (fresh interpreters, not
    multiprocessing: after an AppTest in the same pytest run a spawned child would re-run the app)."""
    folders = [str(TESTS_DIR / folder) for folder in ("", "app", "unit/privacy", "unit/store")]
    prelude = f"import sys\nsys.path[:0] = {folders!r}\n"
    return subprocess.run([sys.executable, "-c", prelude + textwrap.dedent(script), *args],
                          capture_output=True, text=True, timeout=timeout)


OPEN_FROM_ARGV = """
from pathlib import Path
from cohort.store import DatasetStore
def open_store(root, url):
    return DatasetStore(Path(root), database_url=url or None)
"""


def store_args(where: StoreLocation) -> list[str]:
    """How a child process names the same store: its directory and database URL ("" for none)."""
    return [str(where.root), where.url or ""]
