"""The context window of a Spark endpoint, from its GET /v1/models answer where it says."""

DEFAULT_CONTEXT_TOKENS = 8192
_KEYS = ("max_model_len", "n_ctx", "context_length", "context_window")


def context_tokens(models: dict | None, model: str | None, setting: int | None) -> int:
    """vLLM's max_model_len or llama.cpp's n_ctx (also under "meta"), else the setting."""
    for entry in (models or {}).get("data") or []:
        if not isinstance(entry, dict) or (model and entry.get("id") not in (model, None)):
            continue
        for place in (entry, entry.get("meta") or {}):
            for key in _KEYS:
                value = place.get(key) if isinstance(place, dict) else None
                if isinstance(value, int) and value > 0:
                    return value
    return setting or DEFAULT_CONTEXT_TOKENS
