"""Shared helpers: paths, machine facts, statistics, JSON workers, a Streamlit server for the browser parts."""

from __future__ import annotations

import contextlib
import json
import os
import platform
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[1]
BENCH_DIR = REPO_ROOT / "bench"
CACHE_DIR = BENCH_DIR / ".cache"
PROFILE_DIR = BENCH_DIR / "profiles"
RESULTS_FILE = BENCH_DIR / "results.md"
CHROMIUM = os.environ.get("COHORT_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update"]
JSON_MARK = "@@BENCH_JSON@@"


def median_ms(seconds: list[float]) -> float:
    return statistics.median(seconds) * 1000.0


def machine_info() -> dict[str, str]:
    """Cores, memory and versions, read from /proc and the installed packages."""
    import importlib.metadata as md

    mem_kb = 0
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal:"):
            mem_kb = int(line.split()[1])
    model = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                  if line.startswith("model name")), platform.processor() or "?")
    versions = {name: md.version(name) for name in ("streamlit", "polars", "fastexcel", "openpyxl", "pandas",
                                                     "playwright", "pyinstrument")
                if _installed(name)}
    chromium = "?"
    with contextlib.suppress(OSError, subprocess.SubprocessError):
        chromium = subprocess.run([CHROMIUM, "--version"], capture_output=True, text=True, timeout=20).stdout.strip()
    return {
        "cpu": f"{os.cpu_count()} logical cores ({model})",
        "memory": f"{mem_kb / 1024 / 1024:.1f} GiB",
        "os": platform.platform(),
        "python": platform.python_version(),
        **versions,
        "chromium": chromium,
    }


def _installed(name: str) -> bool:
    import importlib.metadata as md

    try:
        md.version(name)
    except md.PackageNotFoundError:
        return False
    return True


def emit(result: object) -> None:
    """A worker's answer: one marked JSON line on stdout (the rest of stdout may be noise)."""
    print(JSON_MARK + json.dumps(result), flush=True)


def run_worker(module: str, *args: str, env: dict[str, str] | None = None, timeout: float = 900) -> dict:
    """Run `python -m bench.<module> args` in a fresh process (own memory, own env) and parse its answer."""
    completed = subprocess.run(
        [sys.executable, "-m", f"bench.{module}", *args], cwd=REPO_ROOT, capture_output=True, text=True,
        env={**os.environ, **(env or {})}, timeout=timeout,
    )
    for line in reversed(completed.stdout.splitlines()):
        if line.startswith(JSON_MARK):
            return json.loads(line[len(JSON_MARK):])
    raise RuntimeError(f"bench.{module} {' '.join(args)} failed (rc={completed.returncode}):\n"
                       f"{completed.stderr[-3000:]}")


def in_child(target: Any, args: tuple, timeout: float) -> dict:
    """`target(*args, queue)` in a child process that puts one result dict on the queue: that dict with
    "finished": True, or {"finished": False, "seconds": ...} when it ran longer than `timeout` (then stopped).

    A spawned child, not a forked one: a parent that has used Polars has its thread pool running, and a forked
    child can wait forever on a lock one of those threads held (a 3-unit release "did not finish" in 120 s)."""
    import multiprocessing

    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    process = context.Process(target=target, args=(*args, queue))
    started = time.perf_counter()
    process.start()
    process.join(timeout)
    if process.is_alive():
        process.terminate()  # our own child, by its own handle
        process.join()
        return {"finished": False, "seconds": time.perf_counter() - started}
    return {"finished": True, **queue.get()}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def rss_mb(pid: int) -> float:
    """VmRSS of a process in MB (from /proc/<pid>/status)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


class StreamlitServer:
    """`streamlit run serve.py` (the app as deployed, with its warm-up) on a free port with its own store
    directory; stopped by its own pid only."""

    def __init__(self, store_dir: Path, log_path: Path, script: str = "serve.py",
                 env: dict[str, str] | None = None) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = {**os.environ, "COHORT_STORE_DIR": str(store_dir), "COHORT_BOUNDARIES_DOWNLOAD": "0",
               "COHORT_CACHE_DIR": str(store_dir.parent / "cache"), "PYTHONUNBUFFERED": "1", **(env or {})}
        self.log = log_path.open("w", encoding="utf-8")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", script, "--server.headless", "true",
             "--server.address", "127.0.0.1", "--server.port", str(self.port),
             "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none"],
            cwd=REPO_ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True,
        )
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"streamlit exited early; see {log_path}")
            try:
                with urllib.request.urlopen(f"{self.url}/_stcore/health", timeout=2) as response:
                    if response.status == 200:
                        return
            except OSError:
                time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"streamlit did not become healthy; see {log_path}")

    @property
    def pid(self) -> int:
        return self.process.pid

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()


@contextlib.contextmanager
def app_and_floor(store_dir: Path, logs: Path, *, script: str = "serve.py",
                  env: dict[str, str] | None = None) -> Iterator[tuple[StreamlitServer, StreamlitServer]]:
    """The app and its floor (`bench/floor_app.py` on the figures `bench.interactive.extract_figures` wrote to
    `logs/floor`), side by side on one store; both stopped afterwards, also when the second fails to start."""
    app = StreamlitServer(store_dir, logs / "server-app.log", script=script, env=env)
    try:
        floor = StreamlitServer(store_dir, logs / "server-floor.log", script="bench/floor_app.py",
                                env={"BENCH_FLOOR_DIR": str(logs / "floor")})
        try:
            yield app, floor
        finally:
            floor.stop()
    finally:
        app.stop()
