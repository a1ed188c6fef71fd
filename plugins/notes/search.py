"""Records found by their notes' text: the notes plugin's answer to the search_extra hook.
Every word of the search must begin a word of one live note ("acm cap" finds a note that
says "Acme Capital"); archived (deleted) notes are not searched."""
import re

from plugins.fundraising.api import TABLES

WORD = re.compile(r"\w+")
MAX_TERMS = 20  # the records' search refuses more words (a 422 naming q)


def match_query(text: str) -> str | None:
    words = WORD.findall(text or "")[:MAX_TERMS]
    return " ".join(f'"{word}"*' for word in words) or None


def records_with_notes_matching(crm, table, text) -> list[int]:
    query = match_query(text)
    if table not in TABLES or query is None:
        return []
    # the MATCH as a subquery, run once: as a join, SQLite may run it once per note
    rows = crm.db.execute(
        "SELECT DISTINCT record_id FROM notes_notes WHERE id IN (SELECT rowid FROM notes_search "
        "WHERE notes_search MATCH ?) AND record_table = ? AND deleted_at IS NULL",
        [query, table])
    return [r[0] for r in rows]
