"""`crm spark check` and POST /api/admin/spark/check: is the model server reachable, is the
model listed, how large is its window, and how fast is a tiny completion. Server error text is
logged, never shown: the advice is our own."""
import logging
import time

from plugins.spark.client import (ContextTooLong, SparkFailed, SparkRefused, SparkSettings,
                                  complete, endpoint)
from plugins.spark.gate import GateTimeout
from plugins.spark.window import DEFAULT_CONTEXT_TOKENS, get_json, lookup, remember

log = logging.getLogger(__name__)


def _get_models(settings: SparkSettings, address: str) -> dict:
    return get_json(settings, address, "/models", settings.timeout)


def run_check(settings: SparkSettings, context_setting: int | None = None) -> dict:
    """{ok, reachable, model_listed, models, context_tokens, context_source, seconds,
    completion_tokens, tokens_per_second, advice}."""
    result = {"ok": False, "reachable": False, "model_listed": False, "models": [],
              "context_tokens": None, "context_source": None, "seconds": None,
              "completion_tokens": None, "tokens_per_second": None, "advice": ""}
    if not settings.base_url:
        result["advice"] = ("Set SPARK_BASE_URL to the fund's own server, e.g. "
                            "http://192.168.1.20:8000/v1")
        return result
    try:
        _url, address = endpoint(settings)
    except SparkRefused as exc:
        result["advice"] = f"Refused by the private-network rule: {exc}"
        return result
    try:
        models = _get_models(settings, address)
    except (OSError, SparkFailed, ValueError) as exc:
        log.warning("spark check: /models failed: %r", exc)
        result["advice"] = ("The server did not answer GET /models: is it running, and has the "
                            "model finished loading? (the port refuses connections while it "
                            "loads)")
        return result
    result["reachable"] = True
    ids = [m.get("id") for m in models.get("data") or [] if isinstance(m, dict)]
    result["models"] = [str(i) for i in ids][:20]
    result["model_listed"] = settings.model in ids if settings.model else bool(ids)
    said, _seconds = lookup(settings, address, models, probing=bool(result["model_listed"]))
    if said:
        remember(settings.base_url, said)
    setting = context_setting or settings.context_tokens
    result["context_tokens"] = said or setting or DEFAULT_CONTEXT_TOKENS
    result["context_source"] = "server" if said else ("setting" if setting else "default")
    if not result["model_listed"]:
        result["advice"] = (f"No model named {settings.model!r} is listed; the server has: "
                            f"{', '.join(map(str, ids)) or 'none'}. Set SPARK_MODEL.")
        return result
    check_settings = settings.model_copy(update={"model": settings.model or ids[0]})
    start = time.monotonic()
    try:
        done = complete(check_settings, None, "Say OK.", max_tokens=8, temperature=0)
    except GateTimeout:
        result["advice"] = (f"This process is already waiting on the model server for over "
                            f"{settings.timeout:g} s: it is busy with a digest or a draft; "
                            "try again later")
        return result
    except ContextTooLong:
        result["advice"] = "The server rejected even a tiny prompt (HTTP 400): check its settings"
        return result
    except (OSError, SparkFailed, ValueError, KeyError, IndexError, TypeError,
            AttributeError) as exc:
        log.warning("spark check: completion failed: %r", exc)
        result["advice"] = (f"A tiny completion failed or took over {settings.timeout:g} s: "
                            "the server may be busy or too slow; raise SPARK_TIMEOUT or check it")
        return result
    seconds = time.monotonic() - start
    tokens = done.completion_tokens
    result.update(ok=True, seconds=round(seconds, 3), completion_tokens=tokens,
                  tokens_per_second=round(tokens / seconds, 1) if tokens and seconds else None,
                  advice="The model server works.")
    if result["context_source"] != "server":
        result["advice"] += (" It does not say its context window: set SPARK_CONTEXT_TOKENS "
                             f"(using {result['context_tokens']}).")
    return result
