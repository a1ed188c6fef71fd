import json

from plugins.spark.check import run_check
from plugins.spark.client import SparkSettings
from tests.spark.test_client import servers  # noqa: F401 (fixture)


def fake(handler):
    if handler.command == "GET":
        data = json.dumps({"data": [{"id": "smollm2", "meta": {"n_ctx": 2048}}]})
    else:
        data = json.dumps({"choices": [{"message": {"content": "OK"}}],
                           "usage": {"completion_tokens": 2}})
    handler.send_response(200)
    handler.send_header("Content-Length", str(len(data)))
    handler.end_headers()
    handler.wfile.write(data.encode())


def test_a_working_server_reports_window_and_speed(servers):  # noqa: F811
    spark = servers(fake)
    result = run_check(SparkSettings(base_url=f"http://127.0.0.1:{spark.port}/v1",
                                     model="smollm2", timeout=5))
    assert result["ok"] and result["context_tokens"] == 2048 and result["seconds"] >= 0


def test_unlisted_model_and_public_address_give_advice(servers):  # noqa: F811
    spark = servers(fake)
    result = run_check(SparkSettings(base_url=f"http://127.0.0.1:{spark.port}/v1",
                                     model="other", timeout=5))
    assert not result["ok"] and not result["model_listed"] and "smollm2" in result["advice"]
    result = run_check(SparkSettings(base_url="http://8.8.8.8/v1", timeout=5))
    assert not result["ok"] and result["advice"].startswith("Refused by the private-network")


def test_closed_port_is_not_reachable():
    result = run_check(SparkSettings(base_url="http://127.0.0.1:9/v1", timeout=2))
    assert not result["reachable"] and "GET /models" in result["advice"]
