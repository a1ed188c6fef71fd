"""Make a prompt fit the model's context window.

estimate_tokens() over-counts on purpose (3 characters a token, plus a margin: SmolLM2 reads
the digest's prompts, dates and times included, at about 2.95 characters a token; English
prose runs nearer 4);
trim_email() drops quoted replies and signatures first; pack() splits one (user, investor)
group into chunks that each fit, for a map-reduce summary."""
from core.email_text import cut, own_lines

CHARS_PER_TOKEN = 3.0
MARGIN = 1.15


def estimate_tokens(text: str) -> int:
    return int(len(text) / CHARS_PER_TOKEN * MARGIN) + 4


def trim_email(body: str, max_tokens: int) -> str:
    """Quoted replies go first, then the signature, then the tail is cut."""
    text = "\n".join(own_lines(body)).strip()
    return cut(text, int(max_tokens * CHARS_PER_TOKEN / MARGIN))


def pack(emails: list[str], budget_tokens: int, per_email_tokens: int) -> list[list[str]]:
    """Chunks of trimmed emails, each chunk within budget_tokens."""
    chunks, current, used = [], [], 0
    for body in emails:
        text = trim_email(body, min(per_email_tokens, budget_tokens))
        if not text:
            continue  # a part that was all quote or signature
        cost = estimate_tokens(text)
        if current and used + cost > budget_tokens:
            chunks.append(current)
            current, used = [], 0
        current.append(text)
        used += cost
    if current:
        chunks.append(current)
    return chunks
