"""Checks a local model's text (a digest summary, a draft) against the texts it came from.

check() returns None when the text may be shown, else a short reason: empty, too long,
mostly copied, or naming amounts or people the sources do not hold. Small models copy their
input back or invent facts; the caller then falls back (or refuses) and logs the reason."""
import re

NGRAM = 8                 # words in a run counted as copied
MAX_COPIED_SHARE = 0.5    # above this share of copied runs the text "repeats" its sources
_WORD = re.compile(r"[\w'’-]+")
_AMOUNT = re.compile(r"(?:[$€£]\s?\d[\d,.]*\s?(?:[kKmMbB]|mn|bn)?|\d[\d,.]*\s?"
                     r"(?:[kKmMbB]|mn|bn|million|billion)\b)")
_NAME = re.compile(r"\b[A-Z][a-z]+(?:\s+[A-Z][a-z]+)+\b")


def _words(text: str) -> list[str]:
    return [w.lower() for w in _WORD.findall(text)]


def _grams(words: list[str]) -> set[tuple]:
    return {tuple(words[i:i + NGRAM]) for i in range(len(words) - NGRAM + 1)}


def _amount_key(text: str) -> str:
    return re.sub(r"[\s,$€£]", "", text).lower()


def check(text: str, sources: list[str], max_chars: int, *, what: str,
          known_names=(), plain_words=frozenset()) -> str | None:
    """`what` names the sources in reasons ("the emails"); `known_names` are people the text
    may name beside those in the sources; `plain_words` (lower case) start capitalized runs
    that name no one (a letter's "Hi", "Best Regards")."""
    text = (text or "").strip()
    if not text:
        return "empty"
    if len(text) > max_chars:
        return f"too long ({len(text)} > {max_chars} characters)"
    source = "\n".join(sources)
    grams = _grams(_words(text))
    if grams:
        copied = len(grams & _grams(_words(source))) / len(grams)
        if copied > MAX_COPIED_SHARE:
            return f"repeats {what} ({copied:.0%} copied)"
    known_amounts = {_amount_key(a) for a in _AMOUNT.findall(source)}
    for amount in _AMOUNT.findall(text):
        if _amount_key(amount) not in known_amounts:
            return f"amount not in {what}: {amount.strip()}"
    known = "\n".join([source, *(n for n in known_names if n)]).lower()
    for name in _NAME.findall(text):
        parts = [p for p in name.split() if p.lower() not in plain_words]
        if not all(part.lower() in known for part in parts):
            return f"name not in {what}: {name}"
    return None
