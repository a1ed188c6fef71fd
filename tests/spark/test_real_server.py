"""The Spark path against a real llama.cpp server (SmolLM2, n_ctx 2048). Statuses, structure
and timing, never the model's words."""
import json
import threading
import time

import pytest
from click.testing import CliRunner

from core.cli import build_cli
from plugins.spark import plugin
from plugins.spark.check import run_check
from plugins.spark.client import ContextTooLong, SparkFailed, SparkSettings, complete
from plugins.spark.summarize import CUT_MARK, answer, whole_sentences
from plugins.spark.window import window_for
from tests.conftest import add_user, login
from tests.spark.model_server import N_CTX, SMALL_N_CTX
from tests.spark.wire import Wire

pytestmark = pytest.mark.model


class Crm:
    def __init__(self, settings):
        self.settings = settings

    def plugin_settings(self, name):
        return self.settings


def settings_of(server, **changes):
    return SparkSettings(**{"base_url": server["base_url"], "model": "smollm2", "timeout": 120,
                            "max_tokens": 32, **changes})


def test_check_reads_the_window_and_times_a_completion(llama_server):
    result = run_check(settings_of(llama_server))
    assert result["ok"] and result["reachable"] and result["model_listed"], result
    assert result["models"] == ["smollm2"]
    # llama-cpp-python lists no n_ctx: the probe's 400 names it
    assert result["context_tokens"] == N_CTX and result["context_source"] == "server"
    assert 0 < result["seconds"] < 30
    assert result["completion_tokens"] >= 1 and result["tokens_per_second"] > 0


def test_check_by_cli_and_by_route(llama_server, make_settings, client, crm, monkeypatch):
    for key, value in (("SPARK_BASE_URL", llama_server["base_url"]), ("SPARK_MODEL", "smollm2"),
                       ("SPARK_TIMEOUT", "60")):
        monkeypatch.setenv(key, value)
    result = CliRunner().invoke(build_cli(make_settings(plugins=["fundraising", "spark"])),
                                ["spark", "check"])
    report = json.loads(result.output)
    assert result.exit_code == 0 and report["ok"] and report["context_tokens"] == N_CTX
    add_user(crm, "ada@fund.example", "admin", "Ada Admin")
    answer_ = client.simulate_post("/api/admin/spark/check", json={},
                                   headers=login(client, "ada@fund.example"))
    assert answer_.status_code == 200 and answer_.json["ok"]
    assert answer_.json["tokens_per_second"] > 0
    monkeypatch.setenv("SPARK_MODEL", "other-model")
    unlisted = client.simulate_post("/api/admin/spark/check", json={},
                                    headers=login(client, "ada@fund.example")).json
    assert not unlisted["ok"] and unlisted["reachable"] and "smollm2" in unlisted["advice"]


def test_a_real_400_shrinks_and_retries_once(small_llama_server, monkeypatch):
    wire = Wire(monkeypatch)
    settings = settings_of(small_llama_server, max_tokens=24)
    text = "The investor asked about the seed round and the data room. " * 50  # ~600 tokens
    with pytest.raises(ContextTooLong) as raised:
        complete(settings, "Summarize.", text)
    assert raised.value.window == SMALL_N_CTX and raised.value.prompt_tokens > SMALL_N_CTX
    start = time.monotonic()
    try:
        result = answer(settings, "Summarize in one sentence.", text)
        assert isinstance(result, str) and result
    except SparkFailed as exc:  # the shrunk prompt was answered, but cut twice
        assert "cut twice" in str(exc)
    statuses = [c["status"] for c in wire.calls]
    assert statuses[:3] == [400, 400, 200]  # the bare call, then answer(): 400, shrunk, 200
    assert Wire.prompt_tokens(wire.calls[2]) < SMALL_N_CTX
    assert window_for(settings, "127.0.0.1") == (SMALL_N_CTX, True)  # learnt from the 400
    assert time.monotonic() - start < 60


def test_an_answer_cut_at_max_tokens_is_marked_or_asked_again(llama_server, monkeypatch):
    wire = Wire(monkeypatch)
    window_for(settings_of(llama_server), "127.0.0.1")  # the probe, out of the count
    wire.calls.clear()
    settings = settings_of(llama_server, max_tokens=1)
    result = plugin.summarize_text(Crm(settings), "Jo asked for the deck. Ada sent it.",
                                   "Summarize in two sentences.")
    first = wire.calls[0]
    assert Wire.finish(first) == "length"
    if whole_sentences(first["answer"]["choices"][0]["message"]["content"]):
        assert len(wire.calls) == 1 and result.endswith(CUT_MARK)
    else:
        assert len(wire.calls) == 2  # asked once more, shorter
        assert "one short sentence" in wire.calls[1]["body"]["messages"][-1]["content"]
        assert result is None or result.endswith(CUT_MARK)


def test_one_request_at_a_time_per_endpoint(llama_server, monkeypatch):
    settings = settings_of(llama_server, max_tokens=12)
    window_for(settings, "127.0.0.1")
    wire = Wire(monkeypatch)
    results = []

    def ask(i):
        try:
            results.append(complete(settings, "Answer briefly.", f"Name a colour ({i})."))
        except SparkFailed as exc:  # pragma: no cover - a failure fails the length check
            results.append(exc)

    threads = [threading.Thread(target=ask, args=(i,)) for i in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert len(results) == 3 and all(r.finish_reason in ("stop", "length") for r in results)
    spans = sorted((c["start"], c["end"]) for c in wire.calls)
    assert len(spans) == 3
    assert all(later[0] >= earlier[1] for earlier, later in zip(spans, spans[1:]))
