"""Search over the text of a table's records: an SQLite FTS5 index per record table, kept in
sync by triggers, so every writer (the API, a batch, an import, PUT /state, a backup restore)
keeps it current without knowing it exists.

What is indexed: the record's name, its built-in text columns (a select's choice, an email, a
title) and every text value in `data` (text, long text, email, URL, phone, a single select's
choice, a multi select's choices, a formula's text result). Archived records stay indexed;
the list query filters them out as it always does. The values an archived field left in
`data` stay indexed too (re-indexing every row holding one would hold the write lock for
seconds at 100k rows), so a search may find a record by a field that is archived."""
import re

import orjson

from core.errors import unprocessable

# built-in text columns of each table, besides name
TEXT_COLUMNS = {"investors": ("stage",), "contacts": ("email", "title"), "funds": (),
                "commitments": ("status",)}
MAX_TERMS = 20
WORD = re.compile(r"\w+")


def index_table(table: str) -> str:
    return f"fundraising_{table}_search"


def _text_sql(table: str, row: str) -> str:
    """SQL for the searchable text of `row` (NEW or OLD inside a trigger, or a table alias).

    Text values of `data`, and its arrays that hold text (a multi select's choices) as their
    JSON, which the tokenizer splits into words: one pass over `data`, half the cost of
    json_tree. Arrays of ids (links) and objects (a formula's stored error) are left out."""
    parts = [f"{row}.name"] + [f"coalesce({row}.{c}, '')" for c in TEXT_COLUMNS[table]]
    parts.append(f"coalesce((SELECT group_concat(value, ' ') FROM json_each({row}.data) "
                 "WHERE type = 'text' OR (type = 'array' AND instr(value, '\"'))), '')")
    return " || ' ' || ".join(parts)


def create_search_index(db, table: str):
    """The FTS5 table and triggers of one record table, filled from the rows it has now."""
    fts, source = index_table(table), f"fundraising_{table}"
    # prefix indexes of 2 and 3 characters: what people type first into a search box
    db.execute(f"CREATE VIRTUAL TABLE {fts} USING fts5(body, prefix = '2 3', "
               "tokenize = 'unicode61 remove_diacritics 2')")
    db.execute(f"INSERT INTO {fts} (rowid, body) SELECT id, {_text_sql(table, source)} "
               f"FROM {source}")
    db.execute(f"CREATE TRIGGER {fts}_insert AFTER INSERT ON {source} BEGIN "
               f"INSERT INTO {fts} (rowid, body) VALUES (NEW.id, {_text_sql(table, 'NEW')}); END")
    db.execute(_update_trigger(table))
    db.execute(f"CREATE TRIGGER {fts}_delete AFTER DELETE ON {source} BEGIN "
               f"DELETE FROM {fts} WHERE rowid = OLD.id; END")


def _update_trigger(table: str) -> str:
    """The trigger that re-indexes a record whose text changed. A formula recompute or a
    number edit rewrites `data` without changing its text: no index write then. The new text
    is compared with the text indexed (a look-up by rowid), not recomputed from the old row:
    one pass over `data` per edit instead of two."""
    fts, source = index_table(table), f"fundraising_{table}"
    columns = ", ".join(("id", "name", "data", *TEXT_COLUMNS[table]))
    text = _text_sql(table, "NEW")
    changed = (f"OLD.id != NEW.id OR "
               f"(SELECT body FROM {fts} WHERE rowid = OLD.id) IS NOT ({text})")
    return (f"CREATE TRIGGER {fts}_update AFTER UPDATE OF {columns} ON {source} "
            f"WHEN {changed} BEGIN DELETE FROM {fts} WHERE rowid = OLD.id; "
            f"INSERT INTO {fts} (rowid, body) VALUES (NEW.id, {text}); END")


def renew_update_trigger(db, table: str):
    db.execute(f"DROP TRIGGER IF EXISTS {index_table(table)}_update")
    db.execute(_update_trigger(table))


def match_query(text: str) -> str | None:
    """An FTS5 query where every word of `text` must begin a word of the record ("acm cap"
    finds "Acme Capital"); None when `text` has no words."""
    words = WORD.findall(text)
    if len(words) > MAX_TERMS:
        raise unprocessable(f"q: at most {MAX_TERMS} words", field="q")
    return " ".join(f'"{word}"*' for word in words) or None


def search_condition(table: str, text: str | None, extra_ids=()) -> tuple[str, list]:
    """(SQL condition on the table's rows, params) for the search `text`; ("1", []) for none.
    `extra_ids`: the records other plugins find for it (see extra_ids) match too."""
    query = match_query(text or "")
    if query is None:
        return "1", []
    fts = index_table(table)
    found = f"id IN (SELECT rowid FROM {fts} WHERE {fts} MATCH ?)"
    if not extra_ids:
        return found, [query]
    return (f"({found} OR id IN (SELECT value FROM json_each(?)))",
            [query, orjson.dumps(sorted(extra_ids)).decode()])


def extra_ids(crm, table: str, text: str | None) -> list[int]:
    """The ids of records that plugins find for the search `text` in what they keep about
    them (hook search_extra: notes find records by their notes' text)."""
    if crm is None or match_query(text or "") is None:
        return []
    found = set()
    for answer in crm.pm.hook.search_extra(crm=crm, table=table, query=text):
        found.update(int(i) for i in answer or ())
    return sorted(found)
