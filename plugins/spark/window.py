"""The context window of a Spark endpoint, from the server where it says: GET /v1/models
(vLLM's max_model_len, llama.cpp's n_ctx, also under "meta"), llama.cpp's GET /props, or a
probe; else SPARK_CONTEXT_TOKENS, else 8192. Looked up once per endpoint every few minutes.

The probe is for servers that list no window (llama-cpp-python): a prompt just over the
window we would assume, max_tokens 1. A server with a smaller window answers at once with a
400 naming it (context_length_exceeded, before any work); one that takes the prompt has at
least the assumed window, so the assumption stands (and is not probed again for an hour)."""
import json
import logging
import threading
import time
from urllib.parse import urlparse

from plugins.spark.client import (ContextTooLong, SparkFailed, _PinnedHTTP, _PinnedHTTPS,
                                  complete)

log = logging.getLogger(__name__)
DEFAULT_CONTEXT_TOKENS = 8192
CACHE_SECONDS = 300
UNKNOWN_SECONDS = 30      # a server that did not answer (or was still loading) is asked again
PROBED_SECONDS = 3600     # a server that took the probe: the assumed window stands
_KEYS = ("max_model_len", "n_ctx", "context_length", "context_window")
_cache: dict[str, tuple[float, int | None]] = {}
_cache_lock = threading.Lock()


def context_tokens(models: dict | None, model: str | None, setting: int | None) -> int:
    """vLLM's max_model_len or llama.cpp's n_ctx (also under "meta"), else the setting."""
    return served_window(models, model) or setting or DEFAULT_CONTEXT_TOKENS


def served_window(models: dict | None, model: str | None) -> int | None:
    """The window the GET /models answer names for `model`, or None."""
    for entry in (models or {}).get("data") or []:
        if not isinstance(entry, dict) or (model and entry.get("id") not in (model, None)):
            continue
        for place in (entry, entry.get("meta") or {}):
            for key in _KEYS:
                value = place.get(key) if isinstance(place, dict) else None
                if isinstance(value, int) and value > 0:
                    return value
    return None


def props_window(props: dict | None) -> int | None:
    """llama.cpp's GET /props: default_generation_settings.n_ctx (or n_ctx at the top)."""
    for place in ((props or {}).get("default_generation_settings") or {}, props or {}):
        value = place.get("n_ctx") if isinstance(place, dict) else None
        if isinstance(value, int) and value > 0:
            return value
    return None


def get_json(settings, address: str, path: str, timeout: float) -> dict:
    """GET base_url + path (path may climb out of /v1 with '../') from the checked address."""
    base = settings.base_url.rstrip("/")
    if path.startswith("../"):
        base, path = base.rsplit("/", 1)[0], path[2:]
    parsed = urlparse(base + path)
    kind = _PinnedHTTPS if parsed.scheme == "https" else _PinnedHTTP
    conn = kind(parsed.hostname, parsed.port, address, timeout)
    try:
        headers = {}
        if settings.api_key:
            headers["Authorization"] = f"Bearer {settings.api_key.get_secret_value()}"
        conn.request("GET", parsed.path, headers=headers)
        response = conn.getresponse()
        data = response.read(1024 * 1024)
        if response.status != 200:
            raise SparkFailed(f"HTTP {response.status}")
        answer = json.loads(data)
        if not isinstance(answer, dict):
            raise ValueError("not a JSON object")
        return answer
    finally:
        conn.close()


def probe(settings, assumed: int) -> int | None:
    """The window a 400 names for a prompt just over `assumed` tokens, or None."""
    text = " ok" * (int(assumed * 1.05) + 16)  # one token each in common tokenizers
    try:
        complete(settings, None, text, max_tokens=1, temperature=0)
    except ContextTooLong as exc:
        return exc.window
    except Exception as exc:  # noqa: BLE001 (any failure: the window stays unknown)
        log.info("spark: window probe failed (%s)", type(exc).__name__)
    return None


def lookup(settings, address: str, models: dict | None = None,
           probing: bool = True) -> tuple[int | None, float]:
    """(the window the server says, how long to trust that answer): from /models (given or
    fetched), /props, then the probe."""
    timeout = min(settings.timeout, 5.0)
    try:
        models = models if models is not None else get_json(settings, address, "/models",
                                                           timeout)
        found = served_window(models, settings.model)
        if found:
            return found, CACHE_SECONDS
    except (OSError, SparkFailed, ValueError) as exc:
        log.info("spark: GET /models failed (%s)", type(exc).__name__)
        return None, UNKNOWN_SECONDS
    try:
        found = props_window(get_json(settings, address, "../props", timeout))
        if found:
            return found, CACHE_SECONDS
    except (OSError, SparkFailed, ValueError):
        pass
    if not probing:
        return None, UNKNOWN_SECONDS
    found = probe(settings, settings.context_tokens or DEFAULT_CONTEXT_TOKENS)
    return found, CACHE_SECONDS if found else PROBED_SECONDS


def remember(base_url: str, tokens: int):
    """A window learnt from a 400 that named it."""
    with _cache_lock:
        _cache[base_url.rstrip("/")] = (time.monotonic() + CACHE_SECONDS, tokens)


def window_for(settings, address: str) -> tuple[int, bool]:
    """(the endpoint's window in tokens, whether the server said it); cached."""
    key = settings.base_url.rstrip("/")
    with _cache_lock:
        cached = _cache.get(key)
    if cached and cached[0] > time.monotonic():
        found = cached[1]
    else:
        found, seconds = lookup(settings, address)
        with _cache_lock:
            _cache[key] = (time.monotonic() + seconds, found)
    return found or settings.context_tokens or DEFAULT_CONTEXT_TOKENS, found is not None
