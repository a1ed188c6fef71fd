"""A summary that invents an amount is replaced by the extract and counted on the run."""
from plugins.digest.send import send_digest_for_day
from tests.digest.conftest import ModelServer, point_smtp
from tests.digest.test_digest import DAY
from tests.smtp.conftest import certs, smtp_server  # noqa: F401 (fixtures)


def test_invented_amount_is_rejected_and_counted(crm, day_of_email, digest_env, smtp_server,  # noqa: F811
                                                 monkeypatch):
    inbox, port = smtp_server("none")
    point_smtp(monkeypatch, port)
    spark = ModelServer(answer="{investor} will wire $9M tomorrow.")
    try:
        monkeypatch.setenv("SPARK_BASE_URL", spark.base_url)
        run = send_digest_for_day(crm, DAY)
    finally:
        spark.stop()
    assert run["status"] == "sent" and run["fallback"] == 1
    assert run["model_calls"] >= 1 and run["rejected"] == run["model_calls"]
    # the footer says why the summaries are extracts (not "did not answer")
    text = inbox.messages[0].content.decode()
    assert "failed the checks" in text and "did not answer" not in text
    # and the run's log, kept in the ledger, says which summary and why
    from plugins.digest.preview import recent_runs
    [logged] = recent_runs(crm.db, 1)
    assert logged["log"] and all(e["source"] == "extractive" for e in logged["log"])
    assert all(e["reason"].startswith("rejected by the guard: amount not in the emails")
               for e in logged["log"])
