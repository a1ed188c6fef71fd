"""Hook implementations of the spark plugin."""
import logging
import time
from urllib.parse import urlparse

from core import SecurityCheck, hookimpl
from plugins.spark.client import (SparkFailed, SparkRefused, SparkSettings, chat,
                                  check_endpoint)
from plugins.spark.gate import one_at_a_time

log = logging.getLogger(__name__)


def settings_for(crm) -> SparkSettings:
    return crm.plugin_settings("spark")


@hookimpl
def register_settings():
    return SparkSettings


@hookimpl(trylast=True)
def summarize_text(crm, text, instructions):
    settings = settings_for(crm)
    if not settings.base_url:
        return None
    try:
        # one request at a time per endpoint; a busy server past the timeout falls back
        with one_at_a_time(settings.base_url, time.monotonic() + settings.timeout):
            try:
                return chat(settings, instructions, text)
            except SparkFailed as exc:
                if str(exc) != "HTTP 400":
                    raise
                # too long for the window: keep the first half and retry once
                return chat(settings, instructions, text[:len(text) // 2] + " […]")
    except SparkRefused as exc:
        log.warning("Spark refused: %s", exc)
    except Exception as exc:  # down, slow or garbled: the caller falls back
        log.warning("Spark did not answer (%s); using the built-in summary",
                    type(exc).__name__)
    return None


@hookimpl(trylast=True)
def summarizer_status(crm):
    settings = settings_for(crm)
    if not settings.base_url:
        return False, ("no model server is configured: set SPARK_BASE_URL to the fund's own "
                       "OpenAI-compatible server (e.g. http://192.168.1.20:8000/v1) and restart")
    try:
        check_endpoint(settings)
    except SparkRefused as exc:
        return False, f"the model server is refused: {exc}"
    parsed = urlparse(settings.base_url)
    where = parsed.hostname + (f":{parsed.port}" if parsed.port else "")
    return True, f"the model server at {where}"


@hookimpl
def register_security_checks(crm):
    def local_model():
        settings = settings_for(crm)
        if not settings.base_url:
            return True, "no model server configured (digests use extracts)"
        try:
            check_endpoint(settings)
        except SparkRefused as exc:
            return False, str(exc)
        return True, "the model server is on the fund's own network"
    return [SecurityCheck("spark_local", "Digest summaries stay on the fund's own network",
                          local_model)]


@hookimpl
def register_commands(cli):
    from plugins.spark.cli import register
    register(cli)
