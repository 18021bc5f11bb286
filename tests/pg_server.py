"""A throw-away PostgreSQL server for the tests: Debian's `postgresql` package, a cluster in a temp directory.

`initdb` refuses to run as root (CI runs as root), so as root the cluster is created and run as the
`postgres` system user that Debian's package creates (`runuser -u postgres`); as anyone else it runs as that
user. The server listens only on a Unix socket inside the private temp directory (no TCP port, nothing
reachable from outside), with trust authentication, and is stopped and removed when the test process ends.

One server per test process (`shared_cluster()`), one fresh database per test (`create_database`). When the
server cannot start, tests fail under CI=true and are skipped loudly otherwise (`require_cluster`).
"""

from __future__ import annotations

import atexit
import contextlib
import os
import pwd
import re
import shutil
import subprocess
import tempfile
import threading
from pathlib import Path

import pytest

IN_CI = os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}
PORT = 5432  # only names the socket file: the socket lives in a private directory, so no port can clash
SERVER_USER = "postgres"
_START_TIMEOUT_S = 60


def find_bindir() -> Path | None:
    """The newest Debian PostgreSQL server binaries (/usr/lib/postgresql/<version>/bin), or those on PATH."""
    found = [p.parent for p in Path("/usr/lib/postgresql").glob("*/bin/initdb") if p.is_file()]
    if found:
        return max(found, key=lambda p: int(re.sub(r"\D", "", p.parent.name) or 0))
    initdb = shutil.which("initdb")
    return Path(initdb).resolve().parent if initdb else None


class PostgresCluster:
    """initdb + pg_ctl in a temp directory; `url(dbname)` for psycopg; `stop()` removes everything."""

    def __init__(self) -> None:
        self.bindir = find_bindir()
        self.base: Path | None = None
        self._lock = threading.Lock()
        self._counter = 0

    @property
    def socket_dir(self) -> Path:
        assert self.base is not None
        return self.base / "socket"

    def start(self) -> None:
        if self.bindir is None:
            raise RuntimeError("PostgreSQL's initdb was not found; install Debian's `postgresql` package "
                               "(scripts/test.sh does)")
        as_root = os.geteuid() == 0
        if as_root:
            try:
                pwd.getpwnam(SERVER_USER)
            except KeyError as exc:
                raise RuntimeError(f"running as root but there is no `{SERVER_USER}` user to run PostgreSQL "
                                   "as; install Debian's `postgresql` package") from exc
        self.base = Path(tempfile.mkdtemp(prefix="cohort-pg-"))
        data = self.base / "data"
        self.socket_dir.mkdir()
        if as_root:
            shutil.chown(self.base, SERVER_USER)
            shutil.chown(self.socket_dir, SERVER_USER)
        log = self.base / "server.log"
        self._run(["initdb", "-D", str(data), "-U", "postgres", "--auth=trust", "--encoding=UTF8",
                   "--no-locale", "--no-sync"])
        options = (f"-k {self.socket_dir} -p {PORT} -c listen_addresses='' -c fsync=off "
                   "-c max_connections=60 -c shared_buffers=16MB")
        try:
            self._run(["pg_ctl", "-D", str(data), "-l", str(log), "-o", options, "-w", "-t",
                       str(_START_TIMEOUT_S), "start"])
        except RuntimeError as error:
            tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
            raise RuntimeError(f"{error}\nserver log:\n{tail}") from error

    def _run(self, command: list[str]) -> None:
        assert self.bindir is not None
        argv = [str(self.bindir / command[0]), *command[1:]]
        if os.geteuid() == 0:
            argv = ["runuser", "-u", SERVER_USER, "--", *argv]
        result = subprocess.run(argv, capture_output=True, text=True, timeout=_START_TIMEOUT_S + 30,
                                cwd=self.base)
        if result.returncode != 0:
            raise RuntimeError(f"{' '.join(command[:1])} failed ({result.returncode}): "
                               f"{(result.stderr or result.stdout).strip()[-1500:]}")

    def url(self, dbname: str = "postgres") -> str:
        return f"postgresql://postgres@/{dbname}?host={self.socket_dir}&port={PORT}"

    def create_database(self, prefix: str = "test") -> str:
        """A new, empty database; returns its URL."""
        import psycopg

        with self._lock:
            self._counter += 1
            name = f"{re.sub(r'[^a-z0-9_]', '_', prefix.lower())[:40]}_{os.getpid()}_{self._counter}"
        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def stop(self) -> None:
        if self.base is None:
            return
        with contextlib.suppress(RuntimeError, subprocess.TimeoutExpired):
            if (self.base / "data" / "postmaster.pid").exists():
                self._run(["pg_ctl", "-D", str(self.base / "data"), "-m", "immediate", "-w", "stop"])
        shutil.rmtree(self.base, ignore_errors=True)
        self.base = None


_cluster: PostgresCluster | None = None
_failure: str | None = None


def shared_cluster() -> PostgresCluster:
    """Start the server on first use in this process (RuntimeError when it cannot start)."""
    global _cluster, _failure
    if _failure is not None:
        raise RuntimeError(_failure)
    if _cluster is None:
        cluster = PostgresCluster()
        try:
            cluster.start()
        except (RuntimeError, OSError, subprocess.TimeoutExpired) as error:
            cluster.stop()
            _failure = str(error)
            raise RuntimeError(_failure) from error
        atexit.register(cluster.stop)
        _cluster = cluster
    return _cluster


def require_cluster() -> PostgresCluster:
    """The shared server; a failed test under CI=true when it cannot start, a loud skip otherwise."""
    try:
        return shared_cluster()
    except RuntimeError as error:
        reason = f"PostgreSQL test server could not start: {error}"
        if IN_CI:
            pytest.fail(reason, pytrace=False)
        pytest.skip(f"!!! POSTGRESQL TESTS SKIPPED: {reason}")
