"""Fixtures shared by the AppTests of this folder."""

import pytest


@pytest.fixture
def offline(monkeypatch, tmp_path):
    """No boundary download, and a cache and store of the test's own (the example data, nothing published)."""
    monkeypatch.setenv("COHORT_BOUNDARIES_DOWNLOAD", "0")
    monkeypatch.setenv("COHORT_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("COHORT_STORE_DIR", str(tmp_path / "store"))
