"""Settings: the only reader of the environment, checked once, with a Dutch message instead of a traceback."""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from apptest import open_app

from cohort.settings import (
    DATA_DIR,
    DEFAULT_MAX_UPLOAD_MB,
    ENV_NAMES,
    PROJECT_ROOT,
    SettingsError,
    load_settings,
    read_settings,
)


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ENV_NAMES:
        monkeypatch.delenv(name, raising=False)


def test_defaults_run_offline() -> None:
    settings = load_settings()
    assert settings.store_dir == DATA_DIR / "store" and settings.cache_dir == DATA_DIR / "cache"
    assert settings.max_upload_mb == 50 and settings.small_number_threshold == 5
    assert settings.catalog_ttl_seconds == 5.0 and settings.boundaries_download is True
    assert settings.database_url is None and settings.geodata_url is None and settings.boundaries_source is None


def test_values_are_parsed(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("COHORT_STORE_DIR", str(tmp_path))
    monkeypatch.setenv("COHORT_MAX_UPLOAD_MB", " 12 ")
    monkeypatch.setenv("COHORT_CATALOG_TTL_SECONDS", "0.5")
    monkeypatch.setenv("COHORT_BOUNDARIES_DOWNLOAD", "nee")
    monkeypatch.setenv("COHORT_DATABASE_URL", " postgresql://u@h/db ")
    settings = load_settings()
    assert (settings.store_dir, settings.max_upload_mb, settings.catalog_ttl_seconds) == (tmp_path, 12, 0.5)
    assert settings.boundaries_download is False and settings.database_url == "postgresql://u@h/db"


def test_bad_values_give_one_dutch_message_naming_each(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COHORT_MAX_UPLOAD_MB", "abc")
    monkeypatch.setenv("COHORT_SMALL_NUMBER_THRESHOLD", "0")
    monkeypatch.setenv("COHORT_CATALOG_TTL_SECONDS", "-1")
    monkeypatch.setenv("COHORT_BOUNDARIES_DOWNLOAD", "misschien")
    with pytest.raises(SettingsError) as caught:
        load_settings()
    assert caught.value.problems == (
        "COHORT_BOUNDARIES_DOWNLOAD moet 1 of 0 zijn (ja of nee), niet ‘misschien’.",
        "COHORT_MAX_UPLOAD_MB moet een geheel aantal megabytes van minstens 1 zijn, niet ‘abc’.",
        "COHORT_SMALL_NUMBER_THRESHOLD moet een geheel getal van minstens 1 zijn, niet ‘0’.",
        "COHORT_CATALOG_TTL_SECONDS moet een aantal seconden van 0 of meer zijn, niet ‘-1’.",
    )
    # Code that runs at import time gets the defaults and the same problems.
    settings, problems = read_settings()
    assert settings.max_upload_mb == 50 and settings.catalog_ttl_seconds == 5.0 and len(problems) == 4


@pytest.mark.parametrize("value", ["1_000", "+5", "2.5", "nan", "", "  "])
def test_only_plain_whole_numbers_are_megabytes(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv("COHORT_MAX_UPLOAD_MB", value)
    if value.strip():
        with pytest.raises(SettingsError, match="COHORT_MAX_UPLOAD_MB"):
            load_settings()
    else:  # empty: not set
        assert load_settings().max_upload_mb == DEFAULT_MAX_UPLOAD_MB


def test_streamlit_upload_limit_agrees_with_the_default() -> None:
    config = tomllib.loads((PROJECT_ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["server"]["maxUploadSize"] == DEFAULT_MAX_UPLOAD_MB


def test_streamlit_does_not_collect_garbage_after_every_run() -> None:
    # A full collection per run held the GIL for every other viewer (bench.wsload: 50 sessions, first chart
    # p95 13-15 s with it, 2-3 s without); the option is hidden in Streamlit, so a typo would go unnoticed.
    from streamlit import config as streamlit_config

    config = tomllib.loads((PROJECT_ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["runner"]["postScriptGC"] is False
    assert "runner.postScriptGC" in streamlit_config._config_options_template


def test_no_other_module_reads_the_environment() -> None:
    readers = re.compile(r"os\.environ|getenv\(|environ\.get")
    offenders = [str(path.relative_to(PROJECT_ROOT)) for path in (PROJECT_ROOT / "src" / "cohort").rglob("*.py")
                 if path.name != "settings.py" and readers.search(path.read_text(encoding="utf-8"))]
    offenders += [name for name in ("app.py",) if readers.search((PROJECT_ROOT / name).read_text(encoding="utf-8"))]
    offenders += [str(path.relative_to(PROJECT_ROOT)) for path in (PROJECT_ROOT / "views").glob("*.py")
                  if readers.search(path.read_text(encoding="utf-8"))]
    assert offenders == []


def test_the_app_shows_a_bad_setting_in_dutch_and_stops(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COHORT_MAX_UPLOAD_MB", "abc")
    at = open_app()
    assert not at.exception, [e.value for e in at.exception]
    assert [e.value for e in at.error] == [
        "**De Cohortmonitor is niet goed ingesteld.** COHORT\\_MAX\\_UPLOAD\\_MB moet een geheel aantal megabytes van "
        "minstens 1 zijn\\, niet ‘abc’\\. De beheerder moet dit herstellen; daarna werkt de app weer zoals gewoonlijk."
    ]
    assert not at.metric and not at.sidebar.selectbox, "no page runs on settings it cannot use"


def test_the_store_command_prints_a_bad_setting_without_a_traceback(tmp_path: Path) -> None:
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(PROJECT_ROOT / "src"), "COHORT_STORE_DIR": str(tmp_path),
           "COHORT_MAX_UPLOAD_MB": "abc"}
    done = subprocess.run([sys.executable, "-m", "cohort.store", "verify"], env=env, capture_output=True, text=True,
                          timeout=120, check=False)
    assert done.returncode == 2
    assert "COHORT_MAX_UPLOAD_MB moet een geheel aantal megabytes van minstens 1 zijn, niet ‘abc’." in done.stderr
    assert "Traceback" not in done.stderr
