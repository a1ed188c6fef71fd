"""The summary path against a scripted server: map-reduce over a group larger than the window,
a cut answer (finish_reason "length"), the window a 400 names, and the check route."""
import json

from plugins.spark import plugin
from plugins.spark.client import SparkSettings, _too_long
from plugins.spark.fit import estimate_tokens
from plugins.spark.summarize import CUT_MARK
from plugins.spark.window import window_for
from tests.conftest import add_user, login
from tests.spark.test_client import servers  # noqa: F401 (fixture)


class Crm:
    def __init__(self, settings):
        self.settings = settings

    def plugin_settings(self, name):
        return self.settings


def reply(handler, text, finish="stop", status=200):
    data = json.dumps({"choices": [{"message": {"content": text}, "finish_reason": finish}],
                       "usage": {"completion_tokens": 5}}).encode()
    handler.send_response(status)
    handler.send_header("Content-Length", str(len(data)))
    handler.end_headers()
    handler.wfile.write(data)


def models(handler, window):
    data = json.dumps({"data": [{"id": "smollm2", "meta": {"n_ctx": window}}]}).encode()
    handler.send_response(200)
    handler.send_header("Content-Length", str(len(data)))
    handler.end_headers()
    handler.wfile.write(data)


def thread(n=24):
    emails = [f"[2026-11-25 09:{i:02d}] Ada → Jo\nSubject: Round update {i}\n" +
              f"Update {i} on the fund's second close and the data room. " * 12 for i in range(n)]
    return "Emails between Ada (the fund) and Acme:\n\n" + "\n\n".join(emails)


def test_a_group_larger_than_the_window_is_summarized_in_parts(servers):  # noqa: F811
    prompts = []

    def serve(handler):
        if handler.command == "GET":
            return models(handler, 1024)
        body = json.loads(handler.requests_body)
        prompts.append(body["messages"][-1]["content"])
        reply(handler, f"Part summary {len(prompts)}.")

    spark = servers(lambda h: (setattr(h, "requests_body", spark.requests[-1]["body"]),
                               serve(h)))
    settings = SparkSettings(base_url=f"http://127.0.0.1:{spark.port}/v1", model="smollm2",
                             timeout=5, max_tokens=64)
    text = thread()
    assert estimate_tokens(text) > 3 * 1024
    answer = plugin.summarize_text(Crm(settings), text, "Summarize.")
    assert answer == f"Part summary {len(prompts)}."
    assert len(prompts) >= 4  # at least three parts, then the combining request
    assert all(estimate_tokens(p) + 64 < 1024 for p in prompts)
    assert all(p.startswith("Emails between Ada (the fund) and Acme:") for p in prompts)
    assert "Part 1: Part summary 1." in prompts[-1]


def test_a_cut_answer_keeps_whole_sentences_marked_or_is_asked_again(servers):  # noqa: F811
    answers = iter([("First point. Second poi", "length"), ("No whole sent", "length"),
                    ("Short one.", "stop")])
    spark = servers(lambda h: reply(h, *next(answers)) if h.command == "POST" else models(h, 4096))
    settings = SparkSettings(base_url=f"http://127.0.0.1:{spark.port}/v1", timeout=5)
    assert plugin.summarize_text(Crm(settings), "Some emails.", "Summarize.") == \
        "First point." + CUT_MARK
    assert plugin.summarize_text(Crm(settings), "Other emails.", "Summarize.") == "Short one."
    posts = [r for r in spark.requests if r["path"].endswith("/chat/completions")]
    assert len(posts) == 3
    assert "one short sentence" in json.loads(posts[2]["body"])["messages"][-1]["content"]


def test_cut_twice_without_a_sentence_falls_back(servers, caplog):  # noqa: F811
    spark = servers(lambda h: reply(h, "cut", "length") if h.command == "POST" else models(h, 4096))
    settings = SparkSettings(base_url=f"http://127.0.0.1:{spark.port}/v1", timeout=5)
    assert plugin.summarize_text(Crm(settings), "Some emails.", "Summarize.") is None
    assert "finish_reason length" in caplog.text


def test_the_window_a_400_names_is_read_and_kept():
    llama_cpp_python = json.dumps({"error": {"message": (
        "This model's maximum context length is 2048 tokens. However, you requested 3127 "
        "tokens (3111 in the messages, 16 in the completion)."),
        "code": "context_length_exceeded"}}).encode()
    exc = _too_long(llama_cpp_python)
    assert (exc.window, exc.prompt_tokens) == (2048, 3111)
    native = json.dumps({"error": {"code": 400, "n_ctx": 4096, "n_prompt_tokens": 5000}}).encode()
    assert (_too_long(native).window, _too_long(native).prompt_tokens) == (4096, 5000)
    assert _too_long(b"<html>").window is None


def test_window_from_the_server_else_the_setting(servers):  # noqa: F811
    said = servers(lambda h: models(h, 3072))
    settings = SparkSettings(base_url=f"http://127.0.0.1:{said.port}/v1", model="smollm2",
                             timeout=5, context_tokens=1000)
    assert window_for(settings, "127.0.0.1") == (3072, True)
    silent = servers(lambda h: reply(h, "x", status=404))
    settings = SparkSettings(base_url=f"http://127.0.0.1:{silent.port}/v1", timeout=5,
                             context_tokens=1000)
    assert window_for(settings, "127.0.0.1") == (1000, False)


def test_check_route_is_for_admins_and_echoes_no_server_text(client, crm, servers,  # noqa: F811
                                                             monkeypatch):
    def broken(handler):
        if handler.command == "GET":
            return models(handler, 2048)
        reply(handler, "secret-upstream-detail", status=500)

    spark = servers(broken)
    monkeypatch.setenv("SPARK_BASE_URL", f"http://127.0.0.1:{spark.port}/v1")
    monkeypatch.setenv("SPARK_MODEL", "smollm2")
    monkeypatch.setenv("SPARK_TIMEOUT", "3")
    add_user(crm, "ada@fund.example", "admin", "Ada Admin")
    add_user(crm, "max@fund.example", "member", "Max Member")
    member = login(client, "max@fund.example")
    assert client.simulate_post("/api/admin/spark/check", headers=member,
                                json={}).status_code == 403
    admin = login(client, "ada@fund.example")
    result = client.simulate_post("/api/admin/spark/check", headers=admin, json={})
    assert result.status_code == 200, result.text
    body = result.json
    assert body["reachable"] and body["model_listed"] and not body["ok"]
    assert body["context_tokens"] == 2048 and body["context_source"] == "server"
    assert "secret-upstream-detail" not in result.text and "tiny completion" in body["advice"]
    bad = client.simulate_post("/api/admin/spark/check", headers=admin, json={"x": 1})
    assert bad.status_code in (400, 422)
