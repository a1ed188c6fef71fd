"""Real client addresses behind trusted proxies, and request bodies refused before any work.

The address rule is tested as a function, through the app (falcon.testing) and end to end:
`crm serve` behind Debian's Caddy, with clients on several loopback addresses."""
import contextlib
import http.client
import ipaddress
import json
import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import falcon
import pytest
from falcon import testing
from pydantic import ValidationError

from core.app import create_app
from core.client_ip import ClientAddressMiddleware, client_address
from core.openapi import MAX_BODY_BYTES
from core.settings import Settings
from tests.web.conftest import _server_env, start_serve

pytestmark = pytest.mark.slow

CADDY = Path("/usr/bin/caddy")
WRONG_LOGIN = {"email": "nobody@fund.example", "password": "not the password"}


def networks(*cidrs):
    return [ipaddress.ip_network(cidr) for cidr in cidrs]


# -- the rule ---------------------------------------------------------------------------------

def test_an_untrusted_peer_is_the_client_whatever_it_forwards():
    assert client_address("203.0.113.5", "198.51.100.7", networks("10.0.3.1/32")) == "203.0.113.5"
    assert client_address("203.0.113.5", "198.51.100.7", []) == "203.0.113.5"
    assert client_address("10.0.3.1", "198.51.100.7", []) == "10.0.3.1"  # nothing trusted


def test_a_trusted_proxy_names_the_client():
    assert client_address("10.0.3.1", "198.51.100.7", networks("10.0.3.1/32")) == "198.51.100.7"
    assert client_address("10.0.3.1", None, networks("10.0.3.1/32")) == "10.0.3.1"
    assert client_address("10.0.3.1", "", networks("10.0.3.1/32")) == "10.0.3.1"


def test_the_walk_skips_trusted_hops_and_stops_at_the_first_untrusted_address():
    trusted = networks("10.0.0.0/8", "192.168.7.0/24")
    # the client forged 6.6.6.6; 198.51.100.7 is what the first trusted proxy saw
    chain = "6.6.6.6, 198.51.100.7, 192.168.7.20, 10.0.0.9"
    assert client_address("10.0.0.2", chain, trusted) == "198.51.100.7"
    # several headers reach the app joined with commas, in order
    assert client_address("10.0.0.2", "6.6.6.6,198.51.100.7,10.0.0.9", trusted) == "198.51.100.7"
    # every hop trusted: the farthest one is the best answer there is
    assert client_address("10.0.0.2", "10.0.0.5, 10.0.0.6", trusted) == "10.0.0.5"


def test_a_malformed_entry_ends_the_walk_at_the_last_hop_known_good():
    trusted = networks("10.0.0.0/8")
    assert client_address("10.0.0.2", "198.51.100.7, garbage", trusted) == "10.0.0.2"
    assert client_address("10.0.0.2", "6.6.6.6, unknown, 10.0.0.5", trusted) == "10.0.0.5"
    assert client_address("10.0.0.2", "6.6.6.6, , 10.0.0.5", trusted) == "10.0.0.5"
    assert client_address("10.0.0.2", "999.1.1.1", trusted) == "10.0.0.2"
    assert client_address("10.0.0.2", "198.51.100.7\x00", trusted) == "10.0.0.2"
    # junk the client put further left is never reached
    assert client_address("10.0.0.2", "<script>, 198.51.100.7", trusted) == "198.51.100.7"
    # ports, as some proxies write them, are not malformed
    assert client_address("10.0.0.2", "198.51.100.7:4711", trusted) == "198.51.100.7"
    assert client_address("10.0.0.2", "[2001:db8::7]:443", trusted) == "2001:db8::7"


def test_ipv6_addresses_and_networks():
    trusted = networks("fd00::/8", "10.0.3.1/32")
    assert client_address("fd00::1", "2001:DB8:0::7", trusted) == "2001:db8::7"
    assert client_address("2001:db8::9", "198.51.100.7", trusted) == "2001:db8::9"
    assert client_address("fd00::1", "198.51.100.7, fd12::3", trusted) == "198.51.100.7"
    # a dual-stack socket reports an IPv4 peer as ::ffff:a.b.c.d
    assert client_address("::ffff:10.0.3.1", "198.51.100.7", trusted) == "198.51.100.7"
    assert client_address("::ffff:203.0.113.5", "198.51.100.7", trusted) == "203.0.113.5"


def test_an_unreadable_peer_is_kept_as_it_is():
    assert client_address("", "198.51.100.7", networks("0.0.0.0/0")) == "unknown"
    assert client_address("unix-socket", "198.51.100.7", networks("0.0.0.0/0")) == "unix-socket"


def test_the_middleware_sets_the_address_once_for_the_request():
    class Echo:
        def on_get(self, req, resp):
            resp.media = {"client_ip": req.context.client_ip}

    app = falcon.App(middleware=[ClientAddressMiddleware(networks("10.0.3.1/32"))])
    app.add_route("/", Echo())
    client = testing.TestClient(app)
    forwarded = {"X-Forwarded-For": "198.51.100.7"}
    assert client.simulate_get("/", remote_addr="10.0.3.1", headers=forwarded).json == {
        "client_ip": "198.51.100.7"}
    assert client.simulate_get("/", remote_addr="10.0.3.2", headers=forwarded).json == {
        "client_ip": "10.0.3.2"}


# -- the setting ------------------------------------------------------------------------------

@pytest.fixture
def clean_env(monkeypatch, tmp_path):
    for key in list(os.environ):
        if key.startswith("CRM_"):
            monkeypatch.delenv(key)
    monkeypatch.chdir(tmp_path)


def test_trusted_proxies_from_the_environment(clean_env, monkeypatch):
    assert Settings().trusted_proxies == []
    monkeypatch.setenv("CRM_TRUSTED_PROXIES", "10.0.3.1/32, fd00::/8,,")
    assert Settings().trusted_proxies == networks("10.0.3.1/32", "fd00::/8")
    monkeypatch.setenv("CRM_TRUSTED_PROXIES", "127.0.0.1")  # one address is a /32
    assert Settings().trusted_proxies == networks("127.0.0.1/32")


@pytest.mark.parametrize("value", ["10.0.3.300/32", "caddy", "10.0.3.1/24", "10.0.3.0/33"])
def test_a_bad_trusted_proxy_is_a_configuration_error_naming_the_setting(clean_env, monkeypatch,
                                                                         value):
    monkeypatch.setenv("CRM_TRUSTED_PROXIES", f"127.0.0.1/32,{value}")
    with pytest.raises(ValidationError, match="trusted_proxies") as caught:
        Settings()
    assert value in str(caught.value)


def test_serve_refuses_to_start_with_a_bad_trusted_proxy(tmp_path):
    env = _server_env(tmp_path)
    env["CRM_TRUSTED_PROXIES"] = "10.0.3.1/24"
    result = subprocess.run([sys.executable, "-m", "core", "serve", "--port", "0"], env=env,
                            cwd=tmp_path, capture_output=True, text=True, timeout=60,
                            check=False)
    assert result.returncode == 2
    assert "trusted_proxies" in result.stderr and "10.0.3.1/24" in result.stderr


# -- the login limit through the app ----------------------------------------------------------

def test_the_login_limit_counts_the_client_a_trusted_proxy_names(make_crm):
    client = testing.TestClient(create_app(make_crm(trusted_proxies=["10.0.3.1/32"],
                                                    login_rate_limit=2)))

    def login(peer, forwarded_for):
        return client.simulate_post("/api/auth/login", json=WRONG_LOGIN, remote_addr=peer,
                                    headers={"X-Forwarded-For": forwarded_for}).status_code

    assert [login("10.0.3.1", "198.51.100.1") for _ in range(3)] == [401, 401, 429]
    assert login("10.0.3.1", "198.51.100.2") == 401  # another client behind the same proxy
    # an untrusted client cannot pick its key with the header: three names, one budget
    assert [login("203.0.113.5", f"198.51.100.{n}") for n in (10, 11, 12)] == [401, 401, 429]


# -- the real server --------------------------------------------------------------------------

@contextlib.contextmanager
def crm_serve(tmp_path, **settings):
    """`crm serve` on a free port (no users); `settings` become CRM_* variables."""
    env = _server_env(tmp_path)
    env.update({f"CRM_{k.upper()}": str(v) for k, v in settings.items()})
    proc, base = start_serve(env, tmp_path)
    try:
        yield int(base.rsplit(":", 1)[1])
    finally:
        stop(proc)


def stop(proc):
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=10)


def first_line(sock) -> bytes:
    """The status line of the answer; b"" when the server closed without one."""
    data = b""
    while b"\r\n" not in data:
        chunk = sock.recv(4096)
        if not chunk:
            break
        data += chunk
    return data.split(b"\r\n", 1)[0]


def request_head(port, length):
    return (b"POST /api/auth/login HTTP/1.1\r\nHost: 127.0.0.1:%d\r\n"
            b"Content-Type: application/json\r\nContent-Length: %d\r\n\r\n" % (port, length))


def test_an_oversized_body_is_refused_before_the_server_reads_it(tmp_path):
    with crm_serve(tmp_path) as port:
        for length in (200 * 1024 * 1024, MAX_BODY_BYTES + 1):
            with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
                started = time.monotonic()
                sock.sendall(request_head(port, length) + b'{"email": ')  # and no more
                status = first_line(sock)
                elapsed = time.monotonic() - started
            assert status == b"HTTP/1.1 413 Request Entity Too Large", (length, status)
            assert elapsed < 1.0, elapsed
        # the limit is the app's: a body of exactly MAX_BODY_BYTES reaches it (and is not JSON)
        with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
            sock.sendall(request_head(port, MAX_BODY_BYTES) + b"x" * MAX_BODY_BYTES)
            assert first_line(sock) == b"HTTP/1.1 400 Bad Request"


# -- behind Caddy -----------------------------------------------------------------------------

CADDYFILE = """\
{{
	admin off
	auto_https off
}}
http://127.0.0.1:{port} {{
	request_body {{
		max_size 1MB
	}}
	reverse_proxy 127.0.0.1:{upstream}
}}
"""


def caddy_version() -> tuple[int, int]:
    out = subprocess.run([str(CADDY), "version"], capture_output=True, text=True, timeout=30,
                         check=True)
    major, minor = re.match(r"v?(\d+)\.(\d+)", out.stdout.strip()).groups()
    return int(major), int(minor)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def caddy_in_front_of(upstream: int, tmp_path: Path):
    """Caddy on a free port of 127.0.0.1, proxying to `upstream`; its log in tmp_path."""
    port = free_port()
    config = tmp_path / "Caddyfile"
    config.write_text(CADDYFILE.format(port=port, upstream=upstream))
    home = tmp_path / "caddy-home"
    env = {**os.environ, "HOME": str(home), "XDG_DATA_HOME": str(home / "data"),
           "XDG_CONFIG_HOME": str(home / "config")}
    log = (tmp_path / "caddy.log").open("wb")
    proc = subprocess.Popen([str(CADDY), "run", "--config", str(config), "--adapter", "caddyfile"],
                            env=env, stdout=log, stderr=subprocess.STDOUT, cwd=tmp_path)
    try:
        deadline = time.monotonic() + 15
        while True:
            assert proc.poll() is None, (tmp_path / "caddy.log").read_text()
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 1):
                break
            assert time.monotonic() < deadline, (tmp_path / "caddy.log").read_text()
            time.sleep(0.05)
        yield port
    finally:
        stop(proc)
        log.close()


def post_login(port, source, forwarded_for=None, body=None) -> int:
    """POST /api/auth/login from the loopback address `source`; the answer's status."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=15, source_address=(source, 0))
    headers = {"Content-Type": "application/json"}
    if forwarded_for:
        headers["X-Forwarded-For"] = forwarded_for
    try:
        conn.request("POST", "/api/auth/login", body=body or json.dumps(WRONG_LOGIN),
                     headers=headers)
        return conn.getresponse().status
    finally:
        conn.close()


@pytest.fixture
def crm_behind_caddy(tmp_path):
    """(caddy port, crm port): the CRM trusts 127.0.0.1, where Caddy connects from, and allows
    three logins a minute per client."""
    if not CADDY.exists():
        pytest.skip("the proxy tests need /usr/bin/caddy (make test installs Debian's caddy)")
    with contextlib.ExitStack() as stack:
        crm_port = stack.enter_context(
            crm_serve(tmp_path, trusted_proxies="127.0.0.1/32", login_rate_limit=3))
        yield stack.enter_context(caddy_in_front_of(crm_port, tmp_path)), crm_port


def test_each_client_behind_caddy_has_its_own_login_limit(crm_behind_caddy):
    caddy, _ = crm_behind_caddy
    a, b, c = "127.0.0.2", "127.0.0.3", "127.0.0.4"
    assert [post_login(caddy, a) for _ in range(4)] == [401, 401, 401, 429]
    # b names a, whose budget is spent: not counted as a
    assert post_login(caddy, b, forwarded_for=a) == 401
    # b names c twice, then a made-up address: all count as b, so b's fourth try is refused
    assert [post_login(caddy, b, forwarded_for=c) for _ in range(2)] == [401, 401]
    assert post_login(caddy, b, forwarded_for="127.0.0.9") == 429
    # and c's budget is whole: b's forged attempts did not burn it
    assert [post_login(caddy, c) for _ in range(4)] == [401, 401, 401, 429]


def test_a_client_reaching_the_server_directly_cannot_forge_its_address(crm_behind_caddy):
    _, crm = crm_behind_caddy
    statuses = [post_login(crm, "127.0.0.5", forwarded_for=f"198.51.100.{n}") for n in range(4)]
    assert statuses == [401, 401, 401, 429]


def test_caddy_refuses_an_oversized_body_before_the_app_sees_it(crm_behind_caddy):
    caddy, _ = crm_behind_caddy
    client = "127.0.0.6"
    body = b'{"email": "' + b"x" * 2_000_000 + b'"}'
    # Caddy 2.6 (Debian bookworm) answers its limit with 502, 2.7 on with 413 (caddy #5652)
    refused = 413 if caddy_version() >= (2, 7) else 502
    started = time.monotonic()
    assert [post_login(caddy, client, body=body) for _ in range(4)] == [refused] * 4
    assert time.monotonic() - started < 5
    # none of the four reached the app's login limit: the client has its three tries left
    assert [post_login(caddy, client) for _ in range(4)] == [401, 401, 401, 429]
