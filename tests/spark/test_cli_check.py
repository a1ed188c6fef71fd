import json

from click.testing import CliRunner

from core.cli import build_cli


def test_crm_spark_check_reports_an_unreachable_server(make_settings, monkeypatch):
    monkeypatch.setenv("SPARK_BASE_URL", "http://127.0.0.1:9/v1")
    monkeypatch.setenv("SPARK_TIMEOUT", "2")
    settings = make_settings(plugins=["fundraising", "spark"])
    result = CliRunner().invoke(build_cli(settings), ["spark", "check"])
    report = json.loads(result.output)
    assert result.exit_code == 1 and report["reachable"] is False and report["advice"]
