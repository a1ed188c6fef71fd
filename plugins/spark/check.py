"""`crm spark check`: is the model server reachable, is the model listed, how large is its
window, and how fast is a tiny completion. Server error text is logged, never shown."""
import json
import logging
import time
from urllib.parse import urlparse

from plugins.spark.client import (SparkFailed, SparkRefused, SparkSettings, _PinnedHTTP,
                                  _PinnedHTTPS, _post, endpoint)
from plugins.spark.window import context_tokens

log = logging.getLogger(__name__)


def _get_models(settings: SparkSettings, address: str) -> dict:
    parsed = urlparse(settings.base_url.rstrip("/") + "/models")
    kind = _PinnedHTTPS if parsed.scheme == "https" else _PinnedHTTP
    conn = kind(parsed.hostname, parsed.port, address, settings.timeout)
    try:
        headers = {}
        if settings.api_key:
            headers["Authorization"] = f"Bearer {settings.api_key.get_secret_value()}"
        conn.request("GET", parsed.path, headers=headers)
        response = conn.getresponse()
        if response.status != 200:
            raise SparkFailed(f"HTTP {response.status}")
        return json.loads(response.read(1024 * 1024))
    finally:
        conn.close()


def run_check(settings: SparkSettings, context_setting: int | None = None) -> dict:
    """{ok, reachable, model_listed, context_tokens, seconds, tokens_per_second, advice}."""
    result = {"ok": False, "reachable": False, "model_listed": False, "context_tokens": None,
              "seconds": None, "tokens_per_second": None, "advice": ""}
    if not settings.base_url:
        result["advice"] = "Set SPARK_BASE_URL to the fund's own server, e.g. http://192.168.1.20:8000/v1"
        return result
    try:
        url, address = endpoint(settings)
    except SparkRefused as exc:
        result["advice"] = f"Refused by the private-network rule: {exc}"
        return result
    try:
        models = _get_models(settings, address)
    except (OSError, SparkFailed, ValueError) as exc:
        log.warning("spark check: /models failed: %r", exc)
        result["advice"] = ("The server did not answer GET /models: is it running, and has the "
                            "model finished loading? (the port refuses connections while it loads)")
        return result
    result["reachable"] = True
    ids = [m.get("id") for m in models.get("data") or [] if isinstance(m, dict)]
    result["model_listed"] = settings.model in ids if settings.model else bool(ids)
    result["context_tokens"] = context_tokens(models, settings.model, context_setting)
    if not result["model_listed"]:
        result["advice"] = (f"No model named {settings.model!r} is listed; the server has: "
                            f"{', '.join(map(str, ids)) or 'none'}. Set SPARK_MODEL.")
        return result
    body = json.dumps({"model": settings.model or ids[0], "max_tokens": 8, "temperature": 0,
                       "messages": [{"role": "user", "content": "Say OK."}]}).encode()
    start = time.monotonic()
    try:
        answer = _post(url, address, body, {"Content-Type": "application/json"},
                       settings.timeout)
    except (OSError, SparkFailed, ValueError) as exc:
        log.warning("spark check: completion failed: %r", exc)
        result["advice"] = (f"A tiny completion failed or took over {settings.timeout:g} s: "
                            "the server may be busy or too slow; raise SPARK_TIMEOUT or check it")
        return result
    seconds = time.monotonic() - start
    tokens = ((answer.get("usage") or {}).get("completion_tokens") or 0)
    result.update(ok=True, seconds=round(seconds, 3),
                  tokens_per_second=round(tokens / seconds, 1) if tokens and seconds else None,
                  advice="The model server works.")
    return result
