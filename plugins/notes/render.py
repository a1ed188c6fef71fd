"""A note's markdown as safe HTML, and the teammates it @mentions."""
import functools
import logging
import re

import nh3
from markdown_it import MarkdownIt

_SCHEMES = {"http", "https", "mailto"}
# no images: a remote one would tell its host who read the note, and when
_TAGS = nh3.ALLOWED_TAGS - {"img"}


@functools.cache
def _markdown() -> MarkdownIt:
    """CommonMark with raw HTML off: HTML in a note is shown as text."""
    logging.getLogger("markdown_it").setLevel(logging.INFO)  # no debug line per parse rule
    return MarkdownIt("commonmark", {"html": False}).enable("strikethrough")


def to_html(body: str) -> str:
    """The note as HTML; nh3 then keeps only harmless tags, attributes and URL schemes."""
    return nh3.clean(_markdown().render(body), tags=_TAGS, url_schemes=_SCHEMES,
                     link_rel="noopener noreferrer")


def mentioned_ids(db, body: str) -> list[int]:
    """Ids of the active users named after an `@` by their name or email (case-insensitive)."""
    if "@" not in body:
        return []
    found = []
    for user_id, name, email in db.execute(
            "SELECT id, name, email FROM users WHERE active = 1 ORDER BY id"):
        for text in (email, name):
            # the name or email must end there: "@Max Member," yes, "@Maxwell" not for "Max"
            pattern = rf"(?<![\w@])@{re.escape(text)}(?![\w@-]|\.\w)"
            if text and re.search(pattern, body, re.IGNORECASE):
                found.append(user_id)
                break
    return found
