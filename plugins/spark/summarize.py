"""A summary whose prompt fits the model's window.

One request when the prompt fits the window (less the answer's max_tokens and a margin);
else map-reduce: the text is split at blank lines (one email each in the digest's prompt),
packed into parts that fit (quoted replies and signatures trimmed first, see fit.py), each
part summarized, then the part summaries combined. A 400 (context_length_exceeded) shrinks
the prompt and retries once; an answer cut at max_tokens (finish_reason "length") keeps its
whole sentences, marked " […]", or is asked once more for a shorter one."""
import logging
import re

from plugins.spark.client import (ContextTooLong, SparkFailed, SparkSettings, complete,
                                  endpoint)
from plugins.spark.fit import estimate_tokens, pack
from plugins.spark.window import remember, window_for

log = logging.getLogger(__name__)
OVERHEAD_TOKENS = 48      # the chat template's own tokens around system and user text
MIN_ROOM = 64
CUT_MARK = " […]"
# after the text, so a server that keeps the last prompt's cache (llama.cpp) reads only this
SHORTER = "\n\n(Answer in one short sentence.)"
COMBINE = (" The text below holds summaries of consecutive parts of the same emails, in "
           "order: combine them into one summary.")
_PARAGRAPHS = re.compile(r"\n\s*\n")
_SENTENCE_END = re.compile(r"[.!?][\"'”’)]?(?=\s|$)")


def room(window: int, max_tokens: int, instructions: str) -> int:
    """Tokens left for the user text."""
    return window - max_tokens - estimate_tokens(instructions) - OVERHEAD_TOKENS


def whole_sentences(text: str) -> str:
    ends = list(_SENTENCE_END.finditer(text))
    return text[:ends[-1].end()].strip() if ends else ""


def shrink(text: str, ratio: float) -> str:
    return text[:max(1, int(len(text) * ratio))].rstrip() + CUT_MARK


def _split(text: str) -> tuple[str, list[str]]:
    """(header, parts): the first paragraph heads every part when there are several."""
    paragraphs = [p for p in _PARAGRAPHS.split(text.strip()) if p.strip()]
    if len(paragraphs) < 2:
        return "", paragraphs
    return paragraphs[0], paragraphs[1:]


def answer(settings: SparkSettings, instructions: str, text: str) -> str:
    """One summary request, with the shrink-once and cut-answer rules."""
    try:
        done = complete(settings, instructions, text)
    except ContextTooLong as exc:
        ratio = 0.5
        if exc.window:
            remember(settings.base_url, exc.window)
            if exc.prompt_tokens:
                fits = exc.window - settings.max_tokens - OVERHEAD_TOKENS
                ratio = min(0.9, max(0.1, 0.9 * fits / exc.prompt_tokens))
        log.warning("Spark: the prompt was over the model's context window (HTTP 400); "
                    "shrunk to %d%% and retried once", round(ratio * 100))
        text = shrink(text, ratio)
        done = complete(settings, instructions, text)
    if done.finish_reason == "length":
        kept = whole_sentences(done.text)
        if kept:
            log.warning("Spark: the answer was cut at max_tokens (finish_reason length); "
                        "kept its whole sentences, marked as cut")
            return kept + CUT_MARK
        log.warning("Spark: the answer was cut at max_tokens (finish_reason length) before "
                    "a whole sentence; asked once more for a shorter one")
        done = complete(settings, instructions, text + SHORTER)
        if done.finish_reason == "length":
            kept = whole_sentences(done.text)
            if not kept:
                raise SparkFailed("the answer was cut twice")
            return kept + CUT_MARK
    if not done.text:
        raise SparkFailed("empty answer")
    return done.text


def summarize(settings: SparkSettings, text: str, instructions: str, depth: int = 0) -> str:
    """The summary of `text`; raises when the server does not give one."""
    _url, address = endpoint(settings)
    window, _said = window_for(settings, address)
    space = room(window, settings.max_tokens, instructions + COMBINE)
    if space < MIN_ROOM:
        raise SparkFailed(f"a {window}-token window leaves no room for the prompt")
    if estimate_tokens(text) <= space:
        return answer(settings, instructions, text)
    header, parts = _split(text)
    head_cost = estimate_tokens(header) if header else 0
    chunks = pack(parts, max(MIN_ROOM, space - head_cost), max(MIN_ROOM, space // 3))
    joined = ["\n\n".join(([header] if header else []) + chunk) for chunk in chunks]
    if len(joined) == 1 or depth >= 2:
        return answer(settings, instructions, joined[0])
    log.info("Spark: a prompt of about %d tokens over a %d-token window: summarized in %d "
             "parts, then combined", estimate_tokens(text), window, len(joined))
    partials = [answer(settings, instructions, part) for part in joined]
    combined = "\n\n".join(([header] if header else []) +
                           [f"Part {i}: {p}" for i, p in enumerate(partials, 1)])
    if estimate_tokens(combined) > space:
        return summarize(settings, combined, instructions, depth + 1)
    return answer(settings, instructions + COMBINE, combined)
