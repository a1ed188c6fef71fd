"""An email's own words: the quoted reply and the signature left out (for prompts to a model)."""
import re

_QUOTE_HEAD = re.compile(r"^\s*(On .+ wrote:|-{2,} ?Original Message ?-{2,}|From: .+)\s*$",
                         re.IGNORECASE)
_SIGNATURE = re.compile(r"^\s*(--\s*|Best,?|Regards,?|Kind regards,?|Thanks,?|Cheers,?|"
                        r"Sent from my .+)\s*$", re.IGNORECASE)


def own_lines(body: str) -> list[str]:
    """The lines before the quoted reply, then before the signature (never the first line)."""
    lines = []
    for line in (body or "").splitlines():
        if line.lstrip().startswith(">") or _QUOTE_HEAD.match(line):
            break
        lines.append(line)
    for i, line in enumerate(lines):
        if i > 0 and _SIGNATURE.match(line):
            return lines[:i]
    return lines


def cut(text: str, max_chars: int) -> str:
    return text if len(text) <= max_chars else text[:max_chars].rstrip() + " […]"
