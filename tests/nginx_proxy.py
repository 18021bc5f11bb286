"""The reference nginx configuration (docs/deploy/nginx-cohortmonitor.conf) on this machine: checked with
`nginx -t`, or run in front of local replicas.

Only what cannot be the same on a test machine is replaced, each by an exact, asserted substitution: the
replicas' addresses, the listening ports and the certificate (a self-signed one made here). Everything else,
the sticky routing, WebSocket forwarding, timeouts and health locations, is the file as deployed.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
SITE_CONFIG = REPO_ROOT / "docs" / "deploy" / "nginx-cohortmonitor.conf"
IN_CI = os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}
REPLICA_ADDRESSES = ("10.0.0.11:8501", "10.0.0.12:8501")
CERTIFICATE = "/etc/ssl/certs/cohortmonitor.pem"
CERTIFICATE_KEY = "/etc/ssl/private/cohortmonitor.key"


def nginx_binary() -> str:
    """Debian's nginx; a failed test under CI=true when it is missing, a loud skip otherwise."""
    found = shutil.which("nginx") or ("/usr/sbin/nginx" if os.access("/usr/sbin/nginx", os.X_OK) else None)
    if found is None:
        reason = "nginx is not installed; install it with `apt-get install nginx` (scripts/test.sh does)"
        if IN_CI:
            pytest.fail(reason, pytrace=False)
        pytest.skip(f"!!! NGINX TESTS SKIPPED: {reason}")
    return found


def self_signed_certificate(directory: Path) -> tuple[Path, Path]:
    cert, key = directory / "test.pem", directory / "test.key"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=localhost",
                    "-keyout", str(key), "-out", str(cert)], check=True, capture_output=True, timeout=60)
    return cert, key


def _replace(text: str, old: str, new: str) -> str:
    assert old in text, f"{SITE_CONFIG.name} no longer contains {old!r}; update tests/nginx_proxy.py"
    return text.replace(old, new)


def site_for_test(directory: Path, *, replicas: tuple[int, int] | None = None, https_port: int | None = None,
                  http_port: int | None = None) -> str:
    """The site config with a test certificate, and optionally local replicas and ports."""
    cert, key = self_signed_certificate(directory)
    text = _replace(SITE_CONFIG.read_text(encoding="utf-8"), CERTIFICATE, str(cert))
    text = _replace(text, CERTIFICATE_KEY, str(key))
    if replicas is not None:
        for address, port in zip(REPLICA_ADDRESSES, replicas, strict=True):
            text = _replace(text, address, f"127.0.0.1:{port}")
    if https_port is not None:
        text = _replace(text, "    listen 443 ssl http2;\n", f"    listen 127.0.0.1:{https_port} ssl http2;\n")
        text = _replace(text, "    listen [::]:443 ssl http2;\n", "")
    if http_port is not None:
        text = _replace(text, "    listen 80;\n", f"    listen 127.0.0.1:{http_port};\n")
        text = _replace(text, "    listen [::]:80;\n", "")
    return text


def main_config(directory: Path, site: str) -> Path:
    """An nginx.conf like Debian's (an http block that includes the site), with every path in `directory`."""
    (directory / "site.conf").write_text(site, encoding="utf-8")
    # Root in CI: workers as root too, so they can use the temp folders inside pytest's private directory.
    user = "user root;\n" if os.geteuid() == 0 else ""
    temps = "".join(f"    {kind}_temp_path {directory / kind};\n"
                    for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    config = directory / "nginx.conf"
    config.write_text(
        f"{user}worker_processes 1;\npid {directory / 'nginx.pid'};\nerror_log {directory / 'error.log'} warn;\n"
        f"events {{ worker_connections 256; }}\n"
        f"http {{\n    access_log {directory / 'access.log'};\n{temps}"
        f"    include {directory / 'site.conf'};\n}}\n",
        encoding="utf-8",
    )
    return config


def check(config: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([nginx_binary(), "-t", "-c", str(config), "-p", str(config.parent)],
                          capture_output=True, text=True, timeout=60)


@contextlib.contextmanager
def running(config: Path, port: int) -> Iterator[None]:
    """nginx in the foreground with `config` until the block ends; waits until `port` accepts."""
    process = subprocess.Popen([nginx_binary(), "-c", str(config), "-p", str(config.parent), "-g", "daemon off;"],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True)
    try:
        deadline = time.monotonic() + 30
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"nginx exited: {process.stdout.read() if process.stdout else ''}")
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
                break
            if time.monotonic() > deadline:
                raise RuntimeError("nginx did not start listening within 30 s")
            time.sleep(0.1)
        yield
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGQUIT)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)
