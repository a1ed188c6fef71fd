"""The digest through a real llama.cpp server (SmolLM2): every (user, investor) group gets the
model's summary or the extract, marked, with the reason in the run's log; a group too long
for the window, a time budget smaller than the work, a server stopped mid-run, and no content
going anywhere but the model server and SMTP. Statuses, structure and timing, never words."""
import socket
import time
from datetime import date
from email import message_from_bytes, policy
from zoneinfo import ZoneInfo

import pytest

from core.db import utcnow
from plugins.digest import build
from plugins.digest.build import build_digest
from plugins.digest.send import send_digest_for_day
from plugins.spark.window import window_for
from tests.conftest import login
from tests.digest.conftest import day_of_email, digest_env, point_smtp  # noqa: F401 (fixtures)
from tests.smtp.conftest import certs, smtp_server  # noqa: F401 (fixtures)
from tests.spark.wire import Wire

pytestmark = pytest.mark.model
DAY = date(2026, 11, 25)
UTC = ZoneInfo("UTC")
MAX_TOKENS = 32
CUT_TWICE = "Spark answered without a usable summary (the answer was cut twice)"


def use(monkeypatch, server):
    monkeypatch.setenv("SPARK_BASE_URL", server["base_url"] if isinstance(server, dict)
                       else server.base_url)
    monkeypatch.setenv("SPARK_MODEL", "smollm2")
    monkeypatch.setenv("SPARK_TIMEOUT", "120")
    monkeypatch.setenv("SPARK_MAX_TOKENS", str(MAX_TOKENS))


def groups(digest):
    return [g for person in digest["people"] for g in person["investors"]]


def assert_marked(digest):
    """Each group: a summary, its source and the run log's entry agree; a reason iff extract."""
    assert len(groups(digest)) == len(digest["log"])
    for group, entry in zip(groups(digest), digest["log"]):
        assert group["summary"].strip()
        assert group["source"] == entry["source"] in ("model", "extractive")
        assert group["fallback"] == (entry["source"] == "extractive")
        assert bool(entry["reason"]) == (entry["source"] == "extractive")


def test_a_normal_day(crm, day_of_email, digest_env, llama_server, monkeypatch):  # noqa: F811
    use(monkeypatch, llama_server)
    wire = Wire(monkeypatch)
    start = time.monotonic()
    digest = build_digest(crm, DAY, UTC)
    assert time.monotonic() - start < 60
    assert digest["model_calls"] == 3 == len(digest["log"])
    assert_marked(digest)
    for entry in digest["log"]:  # the server answered every one: the guard or a cut may refuse
        assert entry["source"] == "model" or entry["reason"].startswith(
            ("rejected by the guard", CUT_TWICE))
    assert digest["rejected"] == sum((e["reason"] or "").startswith("rejected by the guard")
                                     for e in digest["log"])
    assert all(c["status"] == 200 for c in wire.summaries) and len(wire.summaries) >= 3
    assert all(c["body"]["max_tokens"] == MAX_TOKENS for c in wire.summaries)


def test_a_thread_too_long_for_the_window(crm, day_of_email, digest_env,  # noqa: F811
                                          small_llama_server, monkeypatch):
    """A 512-token window; Ada's day with Acme grows to ~3,000 tokens of quotes and
    signatures and ~1,000 of new text: trimmed, then summarized in parts and combined."""
    use(monkeypatch, small_llama_server)
    acme = crm.db.execute("SELECT investor_id, contact_id FROM email_activity "
                          "WHERE subject = 'Fund II terms'").fetchone()
    quote = "\n".join(f"> earlier message line {i} about the fund terms" for i in range(40))
    with crm.write() as db:
        for i in range(8):
            db.execute(
                "INSERT INTO email_activity (user_id, investor_id, contact_id, message_id, "
                "thread_id, direction, subject, excerpt, sent_at, created_at) "
                "VALUES (?,?,?,?,?,?,?,?,?,?)",
                [day_of_email["ada"]["id"], acme[0], acme[1], f"long-{i}", "t", "in",
                 f"Re: Fund II terms ({i})",
                 f"Point {i}: the side letter needs the most favoured nation clause and a "
                 f"review of the fee offsets before the close.\nBest,\nJo\n"
                 f"On Tue, 24 Nov 2026 Ada wrote:\n{quote}",
                 f"2026-11-25T17:{i:02d}:00Z", utcnow()])
    wire = Wire(monkeypatch)
    start = time.monotonic()
    digest = build_digest(crm, DAY, UTC)
    seconds = time.monotonic() - start
    assert_marked(digest)
    window, said = window_for(crm.plugin_settings("spark"), "127.0.0.1")
    assert (window, said) == (small_llama_server["n_ctx"], True)
    # no 400 reached a summary: the only one is the window probe's
    assert [c["status"] for c in wire.summaries] == [200] * len(wire.summaries)
    assert all(Wire.prompt_tokens(c) + MAX_TOKENS <= window for c in wire.summaries)
    acme_prompts = [c["body"]["messages"][-1]["content"] for c in wire.summaries
                    if "Acme Capital" in c["body"]["messages"][-1]["content"]
                    and "Ada Admin" in c["body"]["messages"][-1]["content"]]
    assert len(acme_prompts) >= 3  # parts, then the combining request
    assert not any("earlier message line" in p or "\nBest," in p for p in acme_prompts)
    ada_acme = digest["log"][0]
    assert ada_acme["investor"] == "Acme Capital" and ada_acme["user"] == "Ada Admin"
    if ada_acme["source"] == "model":  # every part answered: the last request combined them
        assert "Part 1:" in acme_prompts[-1] and "Part 2:" in acme_prompts[-1]
    else:  # a part's answer was cut twice, or the guard refused the combined one
        assert ada_acme["reason"].startswith(("rejected by the guard", CUT_TWICE))
    assert seconds < 90


def test_a_budget_smaller_than_the_work(crm, day_of_email, digest_env,  # noqa: F811
                                        llama_server, monkeypatch):
    use(monkeypatch, llama_server)
    window_for(crm.plugin_settings("spark"), "127.0.0.1")
    budget = 0.5
    start = time.monotonic()
    digest = build_digest(crm, DAY, UTC, budget=budget)
    seconds = time.monotonic() - start
    assert seconds < budget + 1.0  # the build's own work is the margin
    assert_marked(digest)
    reasons = [e["reason"] or "" for e in digest["log"]]
    late = [r for r in reasons if "for model summaries" in r]
    assert late and all(e["source"] == "extractive" for e in digest["log"]
                        if "for model summaries" in (e["reason"] or ""))
    assert digest["model_calls"] < 3 or "ran out while the model was answering" in reasons[-1]
    assert digest["fallback"] is True and digest["summary_budget"] == budget


def test_the_server_stopped_mid_run(crm, client, day_of_email, digest_env,  # noqa: F811
                                    own_llama_server, smtp_server, monkeypatch):  # noqa: F811
    inbox, port = smtp_server("none")
    point_smtp(monkeypatch, port)
    use(monkeypatch, own_llama_server)
    real, asked = build.summarize_text, []

    def then_stop(crm_, text, instructions):
        answer = real(crm_, text, instructions)
        asked.append(answer)
        if len(asked) == 1:
            own_llama_server.stop()
        return answer

    monkeypatch.setattr(build, "summarize_text", then_stop)
    run = send_digest_for_day(crm, DAY)
    assert run["status"] == "sent" and run["fallback"] == 1 and run["model_calls"] == 3
    assert len(inbox.messages) == 2  # every active admin got it
    assert asked[1:] == [None, None]
    # the preview after the stop: a 200 with the extracts, each marked and the reason kept
    h = login(client, "ada@fund.example")
    preview = client.simulate_get("/api/admin/digest/preview", headers=h,
                                  params={"date": DAY.isoformat()})
    assert preview.status_code == 200, preview.text
    assert_marked(preview.json)
    for entry in preview.json["log"]:
        assert entry["source"] == "extractive" and "did not answer" in entry["reason"]
    assert "did not answer" in preview.json["text"]


def test_no_content_goes_anywhere_but_the_model_server_and_smtp(  # noqa: F811
        crm, day_of_email, digest_env, llama_server, smtp_server, monkeypatch):  # noqa: F811
    inbox, port = smtp_server("none")
    point_smtp(monkeypatch, port)
    use(monkeypatch, llama_server)
    contacted = []
    real = socket.create_connection

    def watch(address, *args, **kwargs):
        contacted.append(address)
        return real(address, *args, **kwargs)

    monkeypatch.setattr(socket, "create_connection", watch)
    wire = Wire(monkeypatch)
    run = send_digest_for_day(crm, DAY)
    assert run["status"] == "sent" and run["model_calls"] == 3
    assert {p for _host, p in contacted} == {llama_server["port"], port}
    assert {h for h, _p in contacted} == {"127.0.0.1"}
    prompts = [c["body"]["messages"][-1]["content"] for c in wire.summaries]
    assert any("$2M soft circle" in p for p in prompts)  # the content did reach the model
    assert not any("Ghost" in p or "Not today" in p or "Gone." in p for p in prompts)
    messages = [message_from_bytes(e.original_content, policy=policy.default)
                for e in inbox.messages]
    assert sorted(m["To"] for m in messages) == ["ada@fund.example", "bea@fund.example"]
