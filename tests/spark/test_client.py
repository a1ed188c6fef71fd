"""The Spark client: no redirect is followed (the key would go with it), and the request goes
to the address that was checked, not to a second lookup's answer."""
import json
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from plugins.spark.client import SparkSettings, chat

API_KEY = "spark-test-key-1234567890"


class Recorder:
    """A loopback HTTP server: answers POSTs with `reply(handler)`, records each request."""

    def __init__(self, reply):
        self.requests = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                outer.requests.append({"path": self.path, "auth": self.headers.get(
                    "Authorization"), "host": self.headers.get("Host"),
                    "body": self.rfile.read(length)})
                reply(self)

            do_GET = do_POST

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.httpd.server_address[1]
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()


def completion(handler, text="A summary."):
    data = json.dumps({"choices": [{"message": {"content": text}}]}).encode()
    handler.send_response(200)
    handler.send_header("Content-Type", "application/json")
    handler.send_header("Content-Length", str(len(data)))
    handler.end_headers()
    handler.wfile.write(data)


@pytest.fixture
def servers():
    made = []

    def make(reply):
        made.append(Recorder(reply))
        return made[-1]

    yield make
    for server in made:
        server.stop()


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
def test_a_redirect_is_not_followed_and_the_key_stays(servers, status):
    target = servers(completion)

    def redirect(handler):
        handler.send_response(status)
        handler.send_header("Location", f"http://127.0.0.1:{target.port}/v1/chat/completions")
        handler.send_header("Content-Length", "0")
        handler.end_headers()

    spark = servers(redirect)
    settings = SparkSettings(base_url=f"http://127.0.0.1:{spark.port}/v1", api_key=API_KEY,
                             timeout=5)
    with pytest.raises(Exception, match=str(status)):
        chat(settings, "system", "user")
    assert spark.requests and spark.requests[0]["auth"] == f"Bearer {API_KEY}"
    assert target.requests == []


def test_the_checked_address_is_the_one_connected(servers, monkeypatch):
    """A name that resolves to loopback when checked, then to a public address (DNS
    rebinding): the request still goes to loopback, with the name as Host."""
    spark = servers(completion)
    real = socket.getaddrinfo
    answers = iter(["127.0.0.1"] + ["203.0.113.7"] * 10)
    lookups = []

    def rebinding(host, port, *args, **kwargs):
        if host != "spark.fund.test":
            return real(host, port, *args, **kwargs)
        lookups.append(host)
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (next(answers), port))]

    monkeypatch.setattr(socket, "getaddrinfo", rebinding)
    settings = SparkSettings(base_url=f"http://spark.fund.test:{spark.port}/v1", api_key=API_KEY,
                             timeout=3)
    assert chat(settings, "system", "user") == "A summary."
    assert lookups == ["spark.fund.test"]
    assert spark.requests[0]["host"] == f"spark.fund.test:{spark.port}"
    assert spark.requests[0]["path"] == "/v1/chat/completions"


def test_an_answer_too_large_or_not_json_is_a_failure(servers):
    def huge(handler):
        handler.send_response(200)
        handler.send_header("Content-Length", str(5 * 1024 * 1024))
        handler.end_headers()
        handler.wfile.write(b"x" * (5 * 1024 * 1024))

    spark = servers(huge)
    settings = SparkSettings(base_url=f"http://127.0.0.1:{spark.port}/v1", timeout=5)
    with pytest.raises(Exception, match="too large"):
        chat(settings, "system", "user")


def test_a_tailscale_address_is_refused_unless_its_range_is_allowed(monkeypatch, tmp_path):
    """100.64.0.0/10 (Tailscale, carrier-grade NAT) is neither private nor global: refused by
    default, called once SPARK_ALLOW_NETWORKS names it; a public range is no allowed network."""
    from pydantic import ValidationError

    from plugins.spark.client import SparkRefused, check_endpoint

    def tailnet(host, port, *args, **kwargs):
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("100.101.102.103", port))]

    monkeypatch.setattr(socket, "getaddrinfo", tailnet)
    url = "http://spark.tail1234.ts.net:8000/v1"
    with pytest.raises(SparkRefused, match="SPARK_ALLOW_NETWORKS"):
        check_endpoint(SparkSettings(base_url=url))
    assert check_endpoint(SparkSettings(base_url=url, allow_networks="100.64.0.0/10")) == \
        url + "/chat/completions"
    with pytest.raises(SparkRefused):
        check_endpoint(SparkSettings(base_url=url, allow_networks="100.64.0.0/24"))
    with pytest.raises(ValidationError, match="public range"):
        SparkSettings(base_url=url, allow_networks="8.8.8.0/24")
    with pytest.raises(ValidationError, match="not a network"):
        SparkSettings(base_url=url, allow_networks="tailscale")
    (tmp_path / "spark").mkdir()
    (tmp_path / "spark" / "allow_networks").write_text("100.64.0.0/10\n")
    monkeypatch.delenv("SPARK_ALLOW_NETWORKS", raising=False)
    from_file = SparkSettings.load(tmp_path, base_url=url)
    assert [str(n) for n in from_file.allow_networks] == ["100.64.0.0/10"]
