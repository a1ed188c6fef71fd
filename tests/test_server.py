"""The real server: `crm serve` on a free loopback port, driven over HTTP."""
import json
import os
import re
import subprocess
import sys
import threading
import urllib.error
import urllib.request

import pytest

from tests.log_scan import learn, scan_line

PASSWORD = "correct horse battery"


def call(base, method, path, body=None, token=None):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(base + path, data=data, method=method)
    req.add_header("Content-Type", "application/json")
    if token:
        req.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:
            answer = json.loads(resp.read() or b"null")
            if isinstance(answer, dict):  # the server's tokens: its log is checked for them
                learn(answer.get("token"))
                learn(answer.get("invite_token"))
            return resp.status, answer, resp.headers
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read() or b"null"), err.headers


@pytest.fixture
def server(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("CRM_")}
    env.update(CRM_DATA_DIR=str(tmp_path / "data"), CRM_SECRETS_DIR=str(tmp_path / "secrets"))
    proc = subprocess.Popen([sys.executable, "-m", "core", "serve", "--port", "0"], env=env,
                            stderr=subprocess.PIPE, text=True, cwd=tmp_path)
    lines = []
    try:
        base = None
        for line in proc.stderr:
            lines.append(line)
            scan_line(line, "crm serve stderr")
            if m := re.search(r"serving on (http://127\.0\.0\.1:\d+)", line):
                base = m.group(1)
            if "No users yet" in line:
                break
        assert base, "".join(lines)
        link = subprocess.run([sys.executable, "-m", "core", "users", "setup-link"], env=env,
                              capture_output=True, text=True, timeout=60).stdout.strip()
        assert "/setup#token=" in link
        learn(link.split("#token=")[1])
        threading.Thread(target=lambda: [scan_line(line, "crm serve stderr")
                                         for line in proc.stderr], daemon=True).start()
        yield base, link
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_real_server_first_admin_setup_and_session(server):
    base, link = server
    assert call(base, "GET", "/api/health")[0] == 200
    assert call(base, "GET", "/api/ready")[1]["ready"] is True
    with urllib.request.urlopen(base + "/setup", timeout=10) as page:
        assert b"Create" in page.read()
    token = link.split("#token=")[1]
    status, body, headers = call(base, "POST", "/api/auth/setup", {
        "token": token, "email": "founder@fund.example", "name": "Founder", "password": PASSWORD})
    assert status == 201, body
    assert "HttpOnly" in headers["Set-Cookie"] and "SameSite=Strict" in headers["Set-Cookie"]
    session = body["token"]
    assert call(base, "GET", "/api/auth/me", token=session)[1]["user"]["role"] == "admin"
    status, invite, _ = call(base, "POST", "/api/admin/invites",
                             {"email": "mia@fund.example", "role": "member"}, token=session)
    assert status == 201
    status, mia, _ = call(base, "POST", "/api/auth/accept-invite",
                          {"token": invite["invite_token"], "name": "Mia", "password": PASSWORD})
    assert status == 201
    assert call(base, "GET", "/api/admin/users", token=mia["token"])[0] == 403
    assert call(base, "POST", "/api/auth/logout", token=session)[0] == 200
    assert call(base, "GET", "/api/auth/me", token=session)[0] == 401
    status, body, _ = call(base, "POST", "/api/auth/login", {"email": "x@fund.example", "password": 1})
    assert status == 422 and body["error"]["field"] == "password"
    spec = call(base, "GET", "/api/openapi.json")[1]
    assert "/api/auth/setup" in spec["paths"]


def test_the_setup_link_is_printed_on_a_console_only(tmp_path):
    """On a terminal (make run) the link is shown; the same start under a supervisor, whose
    output goes to a log, only says how to get it (tested above through a pipe)."""
    import pty

    env = {k: v for k, v in os.environ.items() if not k.startswith("CRM_")}
    env.update(CRM_DATA_DIR=str(tmp_path / "data"), CRM_SECRETS_DIR=str(tmp_path / "secrets"))
    leader, follower = pty.openpty()
    proc = subprocess.Popen([sys.executable, "-m", "core", "serve", "--port", "0",
                             "--no-scheduler"], env=env, stderr=follower,
                            stdout=subprocess.DEVNULL, cwd=tmp_path)
    os.close(follower)
    try:
        seen = b""
        while b"/setup#token=" not in seen or not seen.endswith(b"\n"):
            chunk = os.read(leader, 4096)
            assert chunk, seen
            seen += chunk
        token = re.search(rb"/setup#token=(\S+)", seen).group(1).decode()
        learn(token)
        assert b"serving on" in seen
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        os.close(leader)


def test_a_log_gets_no_setup_link(tmp_path):
    """Under a supervisor (Docker, StartOS) stderr is a log: it says how to get the link."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CRM_")}
    env.update(CRM_DATA_DIR=str(tmp_path / "data"), CRM_SECRETS_DIR=str(tmp_path / "secrets"))
    proc = subprocess.Popen([sys.executable, "-m", "core", "serve", "--port", "0",
                             "--no-scheduler"], env=env, stderr=subprocess.PIPE,
                            stdout=subprocess.DEVNULL, text=True, cwd=tmp_path)
    try:
        for line in proc.stderr:
            if "serving on" in line:
                break
        # the announcement is written at once; a request answered means it is all out
        base = re.search(r"(http://127\.0\.0\.1:\d+)", line).group(1)
        assert call(base, "GET", "/api/health")[0] == 200
    finally:
        proc.terminate()
        rest = proc.stderr.read()  # what the line loop buffered, then the rest to the end
        proc.wait(timeout=10)
    assert "#token=" not in line + rest
    assert "crm users setup-link" in rest
