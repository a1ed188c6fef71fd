"""A Gmail message resource (format=full) into headers and a short plain-text excerpt."""
import base64
import re
from html.parser import HTMLParser

QUOTE_INTRO = re.compile(r"^\s*(On .{3,200}wrote:|Le .{3,200}a écrit ?:|-{2,}\s*Original Message"
                         r"\s*-{2,}|From: .+)$", re.IGNORECASE)
SIGNATURE = re.compile(r"^(-- ?|—\s*|Sent from my \w+.*|Get Outlook for .*)$", re.IGNORECASE)


def headers(payload) -> dict:
    """Header name (lower case) -> value; the first of repeated headers wins."""
    found = {}
    for header in payload.get("headers", []):
        found.setdefault(header["name"].lower(), header["value"])
    return found


def _decode(body, charset="utf-8") -> str:
    data = body.get("data")
    if not data:
        return ""
    raw = base64.urlsafe_b64decode(data + "=" * (-len(data) % 4))
    try:
        return raw.decode(charset or "utf-8", errors="replace")
    except LookupError:
        return raw.decode("utf-8", errors="replace")


def _charset(part):
    ctype = headers(part).get("content-type", "")
    match = re.search(r'charset="?([\w-]+)', ctype, re.IGNORECASE)
    return match.group(1) if match else "utf-8"


def _find(part, mime_type):
    if part.get("filename"):
        return None  # an attachment, never the body
    if part.get("mimeType") == mime_type and part.get("body", {}).get("data"):
        return _decode(part["body"], _charset(part))
    for child in part.get("parts", []) or []:
        text = _find(child, mime_type)
        if text:
            return text
    return None


class _TextOf(HTMLParser):
    BLOCKS = {"p", "div", "br", "li", "tr", "h1", "h2", "h3", "blockquote"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts, self.skip = [], 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style", "head"):
            self.skip += 1
        elif tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag):
        if tag in ("script", "style", "head") and self.skip:
            self.skip -= 1
        elif tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data):
        if not self.skip:
            self.parts.append(data)


def html_to_text(html: str) -> str:
    parser = _TextOf()
    parser.feed(html)
    parser.close()
    text = "".join(parser.parts)
    return re.sub(r"\n\s*\n+", "\n\n", re.sub(r"[ \t]+", " ", text)).strip()


def body_text(payload) -> str:
    """text/plain when there is one, else the HTML part turned into text."""
    text = _find(payload, "text/plain")
    if text is None:
        html = _find(payload, "text/html")
        text = html_to_text(html) if html else ""
    return text.replace("\r\n", "\n")


def excerpt(text: str, limit: int) -> str:
    """The new part of a message: quoted replies and the signature dropped, then cut short."""
    kept = []
    for line in text.split("\n"):
        stripped = line.strip()
        if stripped.startswith(">") or QUOTE_INTRO.match(stripped) or SIGNATURE.match(stripped):
            break
        kept.append(line.rstrip())
    result = re.sub(r"\n{3,}", "\n\n", "\n".join(kept)).strip()
    return result if len(result) <= limit else result[:limit - 1].rstrip() + "…"
