"""The Spark path against a real llama.cpp server (SmolLM2). Statuses and timing, never words."""
import time

import pytest

from plugins.spark import plugin
from plugins.spark.check import run_check
from plugins.spark.client import SparkSettings

pytestmark = pytest.mark.model


class Crm:
    def __init__(self, settings):
        self.settings = settings

    def plugin_settings(self, name):
        return self.settings


def test_check_sees_the_model_and_its_speed(llama_server):
    result = run_check(SparkSettings(base_url=llama_server["base_url"], model="smollm2",
                                     timeout=60), 2048)
    assert result["ok"] and result["model_listed"] and result["context_tokens"] >= 2048
    assert 0 < result["seconds"] < 60


def test_too_long_prompt_is_shrunk_and_answered(llama_server):
    settings = SparkSettings(base_url=llama_server["base_url"], model="smollm2", timeout=90,
                             max_tokens=16)
    text = "The investor asked about the seed round and the data room. " * 220  # ~3000 tokens
    start = time.monotonic()
    answer = plugin.summarize_text(Crm(settings), text, "Summarize in one sentence.")
    assert isinstance(answer, str) and answer  # 400 first, then the shortened prompt fits
    assert time.monotonic() - start < 90
