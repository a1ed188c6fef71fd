"""Hook implementations of the spark plugin."""
import logging
from urllib.parse import urlparse

from core import SecurityCheck, hookimpl
from plugins.spark.client import (ContextTooLong, SparkFailed, SparkRefused, SparkSettings,
                                  check_endpoint)
from plugins.spark.gate import GateTimeout
from plugins.spark.summarize import summarize

log = logging.getLogger(__name__)


def settings_for(crm) -> SparkSettings:
    return crm.plugin_settings("spark")


@hookimpl
def register_settings():
    return SparkSettings


@hookimpl(trylast=True)
def summarize_text(crm, text, instructions):
    """A summary from the fund's model server, or None (the caller falls back). Warnings say
    why in our own words: the server's error text is never passed on."""
    settings = settings_for(crm)
    if not settings.base_url:
        return None
    try:
        return summarize(settings, text, instructions)
    except SparkRefused as exc:
        log.warning("Spark refused: %s", exc)
    except GateTimeout:
        log.warning("Spark: the model server stayed busy for %g s (SPARK_TIMEOUT); using the "
                    "built-in summary", settings.timeout)
    except TimeoutError:
        log.warning("Spark: no answer within %g s (SPARK_TIMEOUT); using the built-in summary",
                    settings.timeout)
    except ContextTooLong:
        log.warning("Spark: still over the model's context window after one shrink; using "
                    "the built-in summary")
    except SparkFailed as exc:  # our own words: a status, "cut twice", "empty answer"
        log.warning("Spark answered without a usable summary (%s); using the built-in summary",
                    exc)
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
def register_routes(crm):
    from plugins.spark.resources import CheckResource
    return [("/api/admin/spark/check", CheckResource(crm))]


@hookimpl
def register_commands(cli):
    from plugins.spark.cli import register
    register(cli)
