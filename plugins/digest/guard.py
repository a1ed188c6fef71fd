"""Checks a model's summary against the emails it came from (core.text_guard).

check() returns None when the summary may be shown, else a short reason; the caller then
uses the extractive summary, marks it, and writes the reason to the digest run's log."""
from core import text_guard


def check(summary: str, sources: list[str], max_chars: int) -> str | None:
    return text_guard.check(summary, sources, max_chars, what="the emails")
