"""The door: API key on every route, loopback Host names only, body size cap, no CORS by default."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx2
import pytest
from server_testing import http_client

from run_widgets.server import ServerHandle, start
from run_widgets.server.app import build_core, create_app
from run_widgets.server.config import ServerConfig
from run_widgets.server.runner import Server, bind, uvicorn_config

ROUTES = [
    ("GET", "/assistants"),
    ("POST", "/assistants"),
    ("GET", "/threads/thread_x"),
    ("POST", "/threads"),
    ("POST", "/threads/runs"),
    ("GET", "/threads/thread_x/messages"),
    ("POST", "/threads/thread_x/runs"),
    ("GET", "/threads/thread_x/runs/run_x/steps"),
    ("POST", "/threads/thread_x/runs/run_x/cancel"),
    ("GET", "/files/file-x/content"),
    ("GET", "/no/such/route"),
]


def assert_envelope(response: httpx2.Response, status: int, kind: str) -> dict:
    assert response.status_code == status
    assert response.headers["content-type"] == "application/json"
    assert response.headers.get("x-request-id")
    body = response.json()
    assert set(body) == {"error"} and set(body["error"]) == {"message", "type", "param", "code"}
    assert body["error"]["type"] == kind and body["error"]["message"]
    return dict(body["error"])


@pytest.mark.parametrize(("method", "path"), ROUTES)
def test_every_route_needs_the_key(server: ServerHandle, method: str, path: str) -> None:
    with httpx2.Client(base_url=server.base_url) as anonymous:
        error = assert_envelope(anonymous.request(method, path), 401, "authentication_error")
        assert "Authorization: Bearer" in error["message"]
        wrong = anonymous.request(method, path, headers={"Authorization": "Bearer rw-not-the-key"})
        error = assert_envelope(wrong, 401, "authentication_error")
        assert "rw-not-the-key" not in error["message"] and server.api_key not in error["message"]
        basic = anonymous.request(method, path, headers={"Authorization": f"Basic {server.api_key}"})
        assert basic.status_code == 401


def test_the_key_never_shows_in_a_repr(server: ServerHandle) -> None:
    assert server.api_key not in repr(server)


def test_foreign_host_names_are_refused(server: ServerHandle, http: httpx2.Client) -> None:
    evil = http.get("/assistants", headers={"Host": "evil.example:80"})
    assert_envelope(evil, 403, "permission_error")
    port = server.base_url.split(":")[2].split("/")[0]
    for host in (f"localhost:{port}", f"127.0.0.1:{port}", "localhost"):
        assert http.get("/assistants", headers={"Host": host}).status_code == 200


def non_loopback_addresses() -> set[str]:
    """This machine's IPv4 addresses other than loopback: its host name's, and the one it routes by."""
    found = {info[4][0] for info in socket.getaddrinfo(socket.gethostname(), None, socket.AF_INET)}
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("198.51.100.1", 9))  # UDP: picks the outgoing address, sends nothing
            found.add(probe.getsockname()[0])
        except OSError:
            pass  # no route: no network interface but loopback
    return {address for address in found if not address.startswith("127.")}


def reachable(address: str, port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(2)
        return sock.connect_ex((address, port)) == 0


def test_binds_loopback_by_default(server: ServerHandle) -> None:
    assert server.base_url.startswith("http://127.0.0.1:")
    host, port = server.address
    assert host == "127.0.0.1", "the listening socket is bound to loopback only"
    for address in non_loopback_addresses():
        assert not reachable(address, port), f"reachable on {address}"


def test_the_probe_sees_a_wildcard_listener() -> None:
    """The check above can fail: the same probe reaches a socket listening on every address."""
    addresses = non_loopback_addresses()
    if not addresses:
        pytest.skip("this machine has no address but loopback")
    with socket.socket() as wide:  # a bare socket for a moment: no server is exposed
        wide.bind(("0.0.0.0", 0))
        wide.listen(4)
        assert all(reachable(address, wide.getsockname()[1]) for address in addresses)


@contextmanager
def serving_as_if_bound_to(host: str, **options: Any) -> Iterator[httpx2.Client]:
    """The app configured for ``host`` (its Host check), though its socket listens on loopback only."""
    config = ServerConfig(api_key="rw-test", host=host, **options)
    core = build_core(config)
    sock = bind("127.0.0.1", 0)
    ready = threading.Event()
    server = Server(uvicorn_config(create_app(config, core), config), lambda loop: ready.set())
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        assert ready.wait(30)
        url = f"http://127.0.0.1:{sock.getsockname()[1]}/v1"
        with httpx2.Client(base_url=url, headers={"Authorization": "Bearer rw-test"}) as http:
            yield http
    finally:
        server.should_exit = True
        thread.join(10)
        sock.close()


def test_a_wildcard_bind_accepts_addresses_and_own_names_but_not_other_names() -> None:
    with serving_as_if_bound_to("0.0.0.0", allowed_hosts=("notebooks.example",)) as http:
        port = http.base_url.port
        accepted = [
            f"127.0.0.1:{port}", "192.0.2.7", f"[::1]:{port}", "[fe80::1]", "localhost", "LOCALHOST.",
            socket.gethostname(), f"{socket.gethostname()}:{port}", socket.getfqdn(), "notebooks.example",
            *non_loopback_addresses(),
        ]  # fmt: skip
        for host in accepted:
            assert http.get("/assistants", headers={"Host": host}).status_code == 200, host
        refused = ("evil.example", f"evil.example:{port}", "192.0.2.7.evil.example", "localhost.evil.example")
        for host in refused:
            error = assert_envelope(http.get("/assistants", headers={"Host": host}), 403, "permission_error")
            assert error["code"] == "host_not_allowed" and "--allow-host" in error["message"]


def test_a_specific_bind_accepts_only_its_address_and_loopback_names() -> None:
    with start(allowed_hosts=["notebooks.example"]) as server, http_client(server) as http:
        assert http.get("/assistants", headers={"Host": "notebooks.example"}).status_code == 200
        for host in ("192.0.2.7", "[fe80::1]", "evil.example"):
            assert http.get("/assistants", headers={"Host": host}).status_code == 403, host


def test_bodies_over_one_mebibyte_get_413(http: httpx2.Client) -> None:
    big = b'{"model": "' + b"x" * (1 << 20) + b'"}'
    response = http.post("/assistants", content=big, headers={"content-type": "application/json"})
    error = assert_envelope(response, 413, "invalid_request_error")
    assert error["code"] == "request_too_large"

    def chunks():  # no content-length: the cap applies while reading
        for _ in range(20):
            yield b"x" * 65536

    chunked = http.post("/threads", content=chunks(), headers={"content-type": "application/json"})
    assert_envelope(chunked, 413, "invalid_request_error")
    assert http.post("/threads", json={"metadata": {"k": "v" * 500}}).status_code == 200


def test_no_cors_unless_configured(http: httpx2.Client) -> None:
    response = http.get("/assistants", headers={"Origin": "http://page.example"})
    assert "access-control-allow-origin" not in response.headers
    preflight = http.options(
        "/assistants",
        headers={"Origin": "http://page.example", "Access-Control-Request-Method": "GET"},
    )
    assert "access-control-allow-origin" not in preflight.headers


def test_cors_for_the_configured_origin_only() -> None:
    with start(cors_origins=["http://localhost:8888"]) as server, http_client(server) as http:
        anonymous = httpx2.Client(base_url=server.base_url)
        preflight = anonymous.options(
            "/assistants",
            headers={"Origin": "http://localhost:8888", "Access-Control-Request-Method": "POST"},
        )
        assert preflight.status_code == 200
        assert preflight.headers["access-control-allow-origin"] == "http://localhost:8888"
        allowed = http.get("/assistants", headers={"Origin": "http://localhost:8888"})
        assert allowed.headers["access-control-allow-origin"] == "http://localhost:8888"
        other = http.get("/assistants", headers={"Origin": "http://evil.example"})
        assert "access-control-allow-origin" not in other.headers
        assert anonymous.get("/assistants", headers={"Origin": "http://localhost:8888"}).status_code == 401
        anonymous.close()


def test_every_response_has_a_request_id(http: httpx2.Client) -> None:
    ids = {http.get("/assistants").headers["x-request-id"] for _ in range(5)}
    ids.add(http.get("/nowhere").headers["x-request-id"])
    assert len(ids) == 6


def test_a_hanging_dns_lookup_does_not_hold_up_a_wildcard_start(monkeypatch: pytest.MonkeyPatch) -> None:
    from run_widgets.server import gate

    release = threading.Event()

    def hanging_fqdn() -> str:  # DNS that does not answer
        release.wait(30)
        return "late.example"

    monkeypatch.setattr(gate.socket, "getfqdn", hanging_fqdn)
    try:
        names = gate._own_names(fqdn_timeout=0.2)
        assert names == {socket.gethostname().lower()}  # the fully qualified name is simply left out
    finally:
        release.set()
