"""The reference deployment (docs/deploy.md): the nginx config for two replicas passes `nginx -t`, and run in
front of two small stand-in replicas it redirects to HTTPS, keeps one browser on one replica (sticky route
cookie), forwards WebSocket upgrades both ways, reports each replica's health and fails over when one is down.
The same config in front of two real Streamlit replicas is in tests/browser/test_replicas.py."""

from __future__ import annotations

import http.client
import http.server
import socket
import ssl
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from nginx_proxy import SITE_CONFIG, check, main_config, running, site_for_test


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_reference_nginx_config_passes_nginx_t(tmp_path: Path) -> None:
    result = check(main_config(tmp_path, site_for_test(tmp_path)))
    assert result.returncode == 0, result.stderr
    assert "syntax is ok" in result.stderr and "test is successful" in result.stderr
    text = SITE_CONFIG.read_text(encoding="utf-8")
    assert text.count("server 10.0.0.1") == 2 and "hash $cohort_route consistent;" in text
    assert "proxy_set_header Upgrade $http_upgrade;" in text and "/_stcore/health" in text


class Replica(http.server.BaseHTTPRequestHandler):
    """Stands in for one Streamlit replica: its name on every page, "ok" on the health endpoint, and a
    WebSocket-style upgrade on /ws that then echoes what it receives."""

    name = "?"
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        if self.path == "/ws":
            upgraded = self.headers.get("Upgrade", "").lower() == "websocket"
            if not upgraded or "upgrade" not in self.headers.get("Connection", "").lower():
                self.send_error(400, "no upgrade")
                return
            self.wfile.write(b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n")
            self.wfile.flush()
            data = self.rfile.read(4)
            self.wfile.write(data + self.name.encode())
            self.wfile.flush()
            self.close_connection = True
            return
        body = b"ok" if self.path == "/_stcore/health" else f"replica {self.name}".encode()
        self.send_response(200)
        self.send_header("X-Replica", self.name)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Connection", "close")  # no kept-alive upstream socket: a stopped replica is down
        self.end_headers()
        self.wfile.write(body)
        self.close_connection = True

    def log_message(self, *_args: object) -> None:
        pass


def start_replica(name: str) -> http.server.ThreadingHTTPServer:
    handler = type(f"Replica{name}", (Replica,), {"name": name})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


@pytest.fixture
def proxy(tmp_path: Path) -> Iterator[tuple[int, int, dict[str, http.server.ThreadingHTTPServer]]]:
    replicas = {"A": start_replica("A"), "B": start_replica("B")}
    https_port, http_port = free_port(), free_port()
    site = site_for_test(tmp_path, replicas=(replicas["A"].server_address[1], replicas["B"].server_address[1]),
                         https_port=https_port, http_port=http_port)
    config = main_config(tmp_path, site)
    assert check(config).returncode == 0
    try:
        with running(config, https_port):
            yield https_port, http_port, replicas
    finally:
        for server in replicas.values():
            server.shutdown()
            server.server_close()


TLS = ssl.create_default_context()
TLS.check_hostname = False
TLS.verify_mode = ssl.CERT_NONE  # the test's own self-signed certificate


def get(port: int, path: str = "/", cookie: str | None = None) -> http.client.HTTPResponse:
    conn = http.client.HTTPSConnection("127.0.0.1", port, context=TLS, timeout=10)
    conn.request("GET", path, headers={"Cookie": cookie} if cookie else {})
    response = conn.getresponse()
    response.read()
    conn.close()
    return response


def route_cookie(response: http.client.HTTPResponse) -> str | None:
    cookie = response.getheader("Set-Cookie")
    return cookie.split(";")[0] if cookie and cookie.startswith("cohort_route=") else None


def test_the_proxy_redirects_to_https_and_keeps_a_browser_on_one_replica(proxy) -> None:
    https_port, http_port, _replicas = proxy
    conn = http.client.HTTPConnection("127.0.0.1", http_port, timeout=10)
    conn.request("GET", "/uitstroom?peildatum=juni+2021", headers={"Host": "cohortmonitor.example.amsterdam.nl"})
    redirect = conn.getresponse()
    assert redirect.status == 301
    assert redirect.getheader("Location") == "https://cohortmonitor.example.amsterdam.nl/uitstroom?peildatum=juni+2021"

    first = get(https_port)
    cookie = route_cookie(first)
    assert cookie is not None and "Secure" in first.getheader("Set-Cookie", "")
    replica = first.getheader("X-Replica")
    for _ in range(15):
        again = get(https_port, "/", cookie)
        assert again.getheader("X-Replica") == replica
        assert again.getheader("Set-Cookie") is None  # the cookie is set once
    # Other browsers are spread over both (30 fresh visitors all on one replica: chance 2 × 2⁻³⁰).
    assert {get(https_port).getheader("X-Replica") for _ in range(30)} == {"A", "B"}


def test_the_proxy_forwards_websocket_upgrades_to_the_sticky_replica(proxy) -> None:
    https_port, _http_port, _replicas = proxy
    cookie = route_cookie(get(https_port))
    replica = get(https_port, "/", cookie).getheader("X-Replica")
    raw = TLS.wrap_socket(socket.create_connection(("127.0.0.1", https_port), timeout=10))
    try:
        raw.sendall(f"GET /ws HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    f"Cookie: {cookie}\r\n\r\n".encode())
        head = b""
        while b"\r\n\r\n" not in head:
            head += raw.recv(1024)
        assert head.startswith(b"HTTP/1.1 101"), head
        raw.sendall(b"ping")
        echoed = head.split(b"\r\n\r\n", 1)[1]
        while len(echoed) < 5:
            echoed += raw.recv(1024)
        assert echoed == b"ping" + replica.encode()
    finally:
        raw.close()


def test_the_proxy_reports_each_replicas_health_and_fails_over(proxy) -> None:
    https_port, _http_port, replicas = proxy
    for name, path in (("A", "/health/a"), ("B", "/health/b"), (None, "/_stcore/health")):
        response = get(https_port, path)
        assert response.status == 200
        assert name is None or response.getheader("X-Replica") == name

    cookie = route_cookie(get(https_port))
    replica = get(https_port, "/", cookie).getheader("X-Replica")
    replicas[replica].shutdown()
    replicas[replica].server_close()
    other = "B" if replica == "A" else "A"
    assert get(https_port, "/", cookie).getheader("X-Replica") == other
    assert get(https_port, f"/health/{replica.lower()}").status == 502
