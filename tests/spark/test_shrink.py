"""A prompt too long for the window (400) is shrunk and retried once, not resent as is."""
import json

from plugins.spark import plugin
from plugins.spark.client import SparkSettings
from tests.spark.test_client import completion, servers  # noqa: F401 (fixture)

LIMIT = 2000


def too_long(handler, sizes):
    body = json.loads(handler.requests_body)
    size = len(body["messages"][1]["content"])
    sizes.append(size)
    if size > LIMIT:
        data = json.dumps({"error": {"code": "context_length_exceeded"}}).encode()
        handler.send_response(400)
        handler.send_header("Content-Length", str(len(data)))
        handler.end_headers()
        handler.wfile.write(data)
    else:
        completion(handler)


class Crm:
    def __init__(self, settings):
        self.settings = settings

    def plugin_settings(self, name):
        return self.settings


def _run(servers, text):  # noqa: F811
    sizes = []
    spark = servers(lambda h: (setattr(h, "requests_body", spark.requests[-1]["body"]),
                               too_long(h, sizes)))
    crm = Crm(SparkSettings(base_url=f"http://127.0.0.1:{spark.port}/v1", timeout=5))
    return plugin.summarize_text(crm, text, "Summarize."), sizes


def test_too_long_prompt_is_shrunk_and_retried_once(servers):  # noqa: F811
    answer, sizes = _run(servers, "x" * 3000)
    assert answer == "A summary." and len(sizes) == 2 and sizes[1] < sizes[0] and sizes[1] <= LIMIT


def test_still_too_long_after_one_shrink_falls_back(servers):  # noqa: F811
    answer, sizes = _run(servers, "x" * 9000)
    assert answer is None and len(sizes) == 2
