"""Checks a model's summary or draft against the emails it came from.

check() returns None when the text may be shown, else a short reason; the caller then uses
the extractive summary, marks it, and writes the reason to the digest run's log."""
import re

NGRAM = 8                 # words in a run counted as copied
MAX_COPIED_SHARE = 0.5    # above this share of copied runs the summary "repeats the emails"
_WORD = re.compile(r"[\w'’-]+")
_AMOUNT = re.compile(r"(?:[$€£]\s?\d[\d,.]*\s?(?:[kKmMbB]|mn|bn)?|\d[\d,.]*\s?(?:[kKmMbB]|mn|bn|million|billion)\b)")
_NAME = re.compile(r"\b[A-Z][a-z]+(?:\s+[A-Z][a-z]+)+\b")


def _words(text: str) -> list[str]:
    return [w.lower() for w in _WORD.findall(text)]


def _grams(words: list[str]) -> set[tuple]:
    return {tuple(words[i:i + NGRAM]) for i in range(len(words) - NGRAM + 1)}


def _amount_key(text: str) -> str:
    return re.sub(r"[\s,$€£]", "", text).lower()


def check(summary: str, sources: list[str], max_chars: int) -> str | None:
    text = (summary or "").strip()
    if not text:
        return "empty"
    if len(text) > max_chars:
        return f"too long ({len(text)} > {max_chars} characters)"
    source = "\n".join(sources)
    grams = _grams(_words(text))
    if grams:
        copied = len(grams & _grams(_words(source))) / len(grams)
        if copied > MAX_COPIED_SHARE:
            return f"repeats the emails ({copied:.0%} copied)"
    known_amounts = {_amount_key(a) for a in _AMOUNT.findall(source)}
    for amount in _AMOUNT.findall(text):
        if _amount_key(amount) not in known_amounts:
            return f"amount not in the emails: {amount.strip()}"
    lowered = source.lower()
    for name in _NAME.findall(text):
        if not all(part.lower() in lowered for part in name.split()):
            return f"name not in the emails: {name}"
    return None
