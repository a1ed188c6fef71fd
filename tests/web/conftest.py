"""Browser tests: the real server in a subprocess, driven by Debian's chromium via Playwright."""
import contextlib
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import threading
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.log_scan import learn, scan_line

PASSWORD = "correct horse battery"
CHROMIUM = Path("/usr/bin/chromium")
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
               "--disable-component-update", "--no-first-run", "--disable-sync"]


@dataclass
class WebServer:
    base_url: str
    data_dir: Path
    env: dict
    tokens: dict = field(default_factory=dict)  # email -> API token, for seeding over HTTP

    def cli(self, *args, input=None):
        """Run `crm <args>` against this server's data; fails the test on a non-zero exit."""
        result = subprocess.run([sys.executable, "-m", "core", *args], env=self.env, input=input,
                                capture_output=True, text=True, timeout=120)
        assert result.returncode == 0, result.stdout + result.stderr
        return result.stdout

    def call(self, method, path, body=None, email="ada@fund.example"):
        """The JSON API as that user; returns the decoded answer (raises on non-2xx)."""
        req = urllib.request.Request(self.base_url + path, method=method,
                                     data=json.dumps(body).encode() if body is not None else None)
        req.add_header("Content-Type", "application/json")
        if email in self.tokens:
            req.add_header("Authorization", f"Bearer {self.tokens[email]}")
        with urllib.request.urlopen(req, timeout=10) as resp:
            answer = json.loads(resp.read() or b"null")
        if isinstance(answer, dict):  # the server's tokens, so its log is checked for them
            for key in ("token", "invite_token", "reset_token", "challenge"):
                learn(answer.get(key))
        return answer


@pytest.fixture(scope="session")
def chromium_path():
    if not CHROMIUM.exists():
        pytest.skip("browser tests need /usr/bin/chromium (make test installs Debian's chromium)")
    return str(CHROMIUM)


def _server_env(tmp_path, environ=None):
    env = {k: v for k, v in (environ or os.environ).items() if not k.startswith("CRM_")}
    env.update(CRM_DATA_DIR=str(tmp_path / "data"), CRM_SECRETS_DIR=str(tmp_path / "secrets"),
               CRM_PASSWORD_MEMORY_KIB="8192", CRM_PASSWORD_TIME_COST="1",
               CRM_LOGIN_RATE_LIMIT="10000", CRM_WRITE_RATE_LIMIT="100000",
               CRM_SECRET_KEY="k" * 40)
    return env


def start_serve(env, cwd):
    """`crm serve --port 0` started; (process, base URL) once it listens."""
    proc = spawn_serve(env, cwd)
    return proc, wait_listening(proc)


def spawn_serve(env, cwd):
    return subprocess.Popen([sys.executable, "-m", "core", "serve", "--port", "0", "--no-scheduler"],
                            env=env, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True,
                            cwd=cwd)


def wait_listening(proc):
    """The base URL once the server listens. Its stderr is read on (and checked for secrets)
    so the server never blocks on a full pipe."""
    lines, base = [], None
    for line in proc.stderr:
        lines.append(line)
        scan_line(line, "crm serve stderr")
        if m := re.search(r"serving on (http://127\.0\.0\.1:\d+)", line):
            base = m.group(1)
            break
    if not base:
        proc.kill()
        raise AssertionError("".join(lines))
    threading.Thread(target=lambda: [scan_line(line, "crm serve stderr")
                                     for line in proc.stderr], daemon=True).start()
    return base


@contextlib.contextmanager
def running_server(tmp_path, **settings):
    """`crm serve` on a free port with an admin (Ada Admin) and a member (Max Member);
    `settings` become CRM_* variables (workers=2: CRM_WORKERS=2)."""
    env = _server_env(tmp_path)
    env.update({f"CRM_{k.upper()}": str(v) for k, v in settings.items()})
    proc, base = start_serve(env, tmp_path)
    try:
        server = WebServer(base, tmp_path / "data", env)
        add_users(server)
        yield server
    finally:
        stop_serve(proc)


def add_users(server):
    """Ada Admin (by the CLI) and Max Member (invited by Ada), each with an API token."""
    server.cli("users", "create-admin", "--email", "ada@fund.example", "--name", "Ada Admin",
               input=PASSWORD + "\n")
    server.tokens["ada@fund.example"] = server.call(
        "POST", "/api/auth/login", {"email": "ada@fund.example", "password": PASSWORD})["token"]
    invite = server.call("POST", "/api/admin/invites", {"email": "max@fund.example", "role": "member"})
    server.tokens["max@fund.example"] = server.call(
        "POST", "/api/auth/accept-invite",
        {"token": invite["invite_token"], "name": "Max Member", "password": PASSWORD})["token"]


def stop_serve(proc):
    proc.terminate()
    proc.wait(timeout=10)


class FreshServers:
    """`crm serve` processes, each on a fresh copy of a data folder where Ada and Max exist
    (made once, copied with its server stopped), so every test sees only its own data. The
    next test's server starts while a test runs, so a test does not wait for one."""

    def __init__(self, tmp_path_factory):
        self.folders = tmp_path_factory
        root = tmp_path_factory.mktemp("web-users")
        with running_server(root) as server:
            self.tokens = dict(server.tokens)  # their sessions are in the copied database
        self.snapshot = root
        self.environ = dict(os.environ)  # as the run began, whatever a test patches later
        self.spare = None

    def _spawn(self):
        root = self.folders.mktemp("web")
        for folder in ("data", "secrets"):
            if (self.snapshot / folder).exists():
                shutil.copytree(self.snapshot / folder, root / folder)
        env = _server_env(root, self.environ)
        return root, env, spawn_serve(env, root)

    def take(self):
        """(process, WebServer) of a listening server; the caller stops the process."""
        root, env, proc = self.spare or self._spawn()
        self.spare = None
        base = wait_listening(proc)
        self.spare = self._spawn()
        return proc, WebServer(base, root / "data", env, dict(self.tokens))

    def close(self):
        if self.spare:
            stop_serve(self.spare[2])


@pytest.fixture(scope="session")
def fresh_servers(tmp_path_factory):
    servers = FreshServers(tmp_path_factory)
    yield servers
    servers.close()


@pytest.fixture
def web_server(fresh_servers):
    """`crm serve` on a free port with an admin (Ada Admin) and a member (Max Member), on data
    of its own."""
    proc, server = fresh_servers.take()
    try:
        yield server
    finally:
        stop_serve(proc)


@pytest.fixture(scope="session")
def browser(chromium_path):
    from playwright.sync_api import sync_playwright

    playwright = sync_playwright().start()
    browser = playwright.chromium.launch(executable_path=chromium_path, args=LAUNCH_ARGS,
                                         headless=True)
    yield browser
    browser.close()
    playwright.stop()


@pytest.fixture
def new_context(browser):
    """Make more browser contexts (a second person); all are closed after the test."""
    contexts = []

    def make(**options):
        context = browser.new_context(viewport={"width": 1400, "height": 860}, **options)
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_context):
    return new_context().new_page()


def login(page, base_url, email, password=PASSWORD):
    """Open the app and log in through the login form; waits for the shell."""
    page.goto(base_url + "/")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_selector(".user-name")


def summaries_off(page):
    """On the digest page: the model's summaries off. The page's settings say first whether a
    model server is there (without one the option is off and disabled): an uncheck sent before
    they load may find it disabled."""
    page.wait_for_function("() => document.querySelector('.digest-schedule')?.textContent")
    option = page.locator("input[name=summarize]")
    if option.is_enabled():
        option.uncheck()
    assert not option.is_checked()


def insert_proposal(server, user_id, investor_id, contact_id, subject, sender, *,
                    excerpt="We would like to see the deck. Can we meet next week?",
                    sent_at="2025-03-12T10:00:00Z"):
    """A pending proposal as Gmail sync leaves it (see plugins/gmail/tables.py); no HTTP route
    creates one."""
    db = sqlite3.connect(server.data_dir / "crm.db")
    try:
        with db:
            return db.execute(
                "INSERT INTO gmail_proposals (user_id, message_id, thread_id, direction, "
                "from_address, to_addresses, subject, excerpt, sent_at, investor_id, contact_id, "
                "matched, status, created_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                [user_id, f"msg-{subject}", f"thread-{subject}", "in", sender,
                 json.dumps(["ada@fund.example"]), subject, excerpt, sent_at, investor_id,
                 contact_id, json.dumps([sender]), "pending",
                 "2025-03-12T10:05:00.000000Z"]).lastrowid
    finally:
        db.close()
