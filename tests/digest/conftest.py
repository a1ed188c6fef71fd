"""A local OpenAI-compatible model server, the real SMTP server, and a day of email activity."""
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from core.db import utcnow
from plugins.fundraising.records import RecordStore
from tests.conftest import add_user
from tests.smtp.conftest import certs, free_port, smtp_server  # noqa: F401 (fixtures)


class ModelServer:
    """POST /v1/chat/completions like vLLM or Ollama; records every prompt."""

    def __init__(self, delay=0.0, answer="Model summary for {investor}."):
        self.prompts, self.delay, self.answer = [], delay, answer
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                server.prompts.append({"path": self.path, "body": body,
                                       "auth": self.headers.get("Authorization")})
                time.sleep(server.delay)
                investor = body["messages"][1]["content"].split(" and ", 1)[1].split(":", 1)[0]
                answer = {"choices": [{"message": {"role": "assistant",
                                                   "content": server.answer.format(investor=investor)}}]}
                data = json.dumps(answer).encode()
                try:
                    self.send_response(200)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except OSError:
                    pass  # the client gave up (the slow case)

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    @property
    def base_url(self):
        return f"http://127.0.0.1:{self.port}/v1"

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def model_server():
    server = ModelServer()
    yield server
    server.stop()


@pytest.fixture
def digest_env(monkeypatch):
    import os
    for key in list(os.environ):
        if key.startswith(("SPARK_", "DIGEST_", "SMTP_")):
            monkeypatch.delenv(key)
    monkeypatch.setenv("SPARK_MODEL", "llama-3.1-8b")
    monkeypatch.setenv("SPARK_TIMEOUT", "2")
    return monkeypatch


def point_smtp(monkeypatch, port):
    monkeypatch.setenv("SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("SMTP_PORT", str(port))
    monkeypatch.setenv("SMTP_FROM", "crm@fund.example")
    monkeypatch.setenv("SMTP_SECURITY", "none")
    monkeypatch.setenv("SMTP_TIMEOUT", "3")


def email(db, user, investor, contact, sent_at, subject, excerpt, direction="out", deleted=None):
    db.execute(
        "INSERT INTO email_activity (user_id, investor_id, contact_id, message_id, thread_id, "
        "direction, subject, excerpt, sent_at, created_at, deleted_at) "
        "VALUES (?,?,?,?,?,?,?,?,?,?,?)",
        [user, investor["id"], contact["id"], f"m-{subject}-{sent_at}", "t", direction, subject,
         excerpt, sent_at, utcnow(), deleted])


@pytest.fixture
def day_of_email(crm):
    """25 Nov 2026 (UTC): Ada wrote to Acme twice and to Birch; Max heard from Acme."""
    ada = add_user(crm, "ada@fund.example", "admin", "Ada Admin")
    bea = add_user(crm, "bea@fund.example", "admin", "Bea Boss")
    maxi = add_user(crm, "max@fund.example", "member", "Max Member")
    gone = add_user(crm, "old@fund.example", "admin", "Old Admin")
    with crm.write() as db:
        db.execute("UPDATE users SET active = 0 WHERE id = ?", [gone["id"]])
        inv = RecordStore(db, "investors")
        acme, birch = inv.create("Acme Capital", {}, None), inv.create("Birch Partners", {}, None)
        ghost = inv.create("Archived Ghost LP", {}, None)
        contacts = RecordStore(db, "contacts")
        jo = contacts.create("Jo Smith", {"Investor": acme["id"], "Email": "jo@acme.example"},
                             None)
        bo = contacts.create("Bo Birch", {"Investor": birch["id"], "Email": "bo@birch.example"},
                             None)
        gc = contacts.create("Ghost", {"Investor": ghost["id"], "Email": "g@ghost.example"}, None)
        email(db, ada["id"], acme, jo, "2026-11-25T09:15:00Z", "Fund II terms",
              "We can offer a 2% fee on the first close. Let me know by Friday.")
        email(db, ada["id"], acme, jo, "2026-11-25T16:40:00Z", "Re: Fund II terms",
              "Jo confirmed a $2M soft circle. Docs go out Monday.", direction="in")
        email(db, ada["id"], birch, bo, "2026-11-25T11:00:00Z", "Intro call",
              "Thanks for the call today. Sending the deck.")
        email(db, maxi["id"], acme, jo, "2026-11-25T13:00:00Z", "Data room", "Access granted.",
              direction="in")
        email(db, ada["id"], acme, jo, "2026-11-24T13:00:00Z", "Yesterday", "Not today.")
        email(db, ada["id"], acme, jo, "2026-11-25T14:00:00Z", "Deleted one", "Gone.",
              deleted="2026-11-25T15:00:00Z")
        email(db, ada["id"], ghost, gc, "2026-11-25T10:00:00Z", "Ghost mail", "Archived.")
        inv.archive(ghost["id"], None)
    return {"ada": ada, "bea": bea, "max": maxi, "gone": gone}
