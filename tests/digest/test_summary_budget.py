"""A run's model summaries share one time budget: past it the rest are extracts, each marked
with its reason in the run's log, and the build ends within the budget plus its own work."""
import time
from datetime import date
from zoneinfo import ZoneInfo

from plugins.digest.build import build_digest
from tests.digest.conftest import ModelServer

DAY = date(2026, 11, 25)


def test_a_slow_model_never_holds_the_run_past_its_budget(crm, day_of_email, digest_env,
                                                         monkeypatch):
    slow = ModelServer(delay=1.5)
    try:
        monkeypatch.setenv("SPARK_BASE_URL", slow.base_url)
        monkeypatch.setenv("SPARK_TIMEOUT", "5")
        start = time.monotonic()
        digest = build_digest(crm, DAY, ZoneInfo("UTC"), budget=2.5)
        seconds = time.monotonic() - start
    finally:
        slow.stop()
    assert seconds < 2.5 + 0.5
    sources = [(e["source"], e["reason"] or "") for e in digest["log"]]
    assert sources[0] == ("model", "")  # answered within the budget
    assert sources[1][0] == "extractive" and "ran out while the model was answering" in \
        sources[1][1]
    assert sources[2][0] == "extractive" and "was spent" in sources[2][1]
    assert digest["model_calls"] == 2 and digest["fallback"] is True
    groups = [g for p in digest["people"] for g in p["investors"]]
    assert [g["fallback"] for g in groups] == [False, True, True]


def test_the_run_log_names_why_each_summary_is_an_extract(crm, day_of_email, digest_env,
                                                          monkeypatch):
    from tests.smtp.conftest import free_port
    monkeypatch.setenv("SPARK_BASE_URL", f"http://127.0.0.1:{free_port()}/v1")
    digest = build_digest(crm, DAY, ZoneInfo("UTC"))
    assert digest["model_calls"] == 3
    for entry in digest["log"]:
        assert entry["source"] == "extractive"
        assert entry["reason"].startswith("Spark did not answer (ConnectionRefusedError)")
    off = build_digest(crm, DAY, ZoneInfo("UTC"), summarize=False)
    assert {e["reason"] for e in off["log"]} == {"model summaries turned off"}
