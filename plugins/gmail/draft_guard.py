"""Checks a model's draft against the record it came from (core.text_guard, as the digest
checks its summaries): None when the draft may be shown, else a short reason."""
from core import text_guard

# the words of greetings and sign-offs, which start capitalized runs that name no one
LETTER_WORDS = frozenset({
    "hi", "hello", "dear", "hey", "thanks", "thank", "you", "best", "kind", "warm", "regards",
    "cheers", "many", "good", "morning", "afternoon", "great", "sincerely", "yours",
    "looking", "forward", "hope", "all", "the", "team"})


def check(draft: str, sources: list[str], known_names: list[str], max_chars: int) -> str | None:
    return text_guard.check(draft, sources, max_chars, what="the record",
                            known_names=known_names, plain_words=LETTER_WORDS)
