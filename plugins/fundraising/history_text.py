"""Fundraising audit entries in words, for record history and the activity feed.

Each entry gains `summary` ("Ada Admin changed Owner and Sectors of investor Acme Capital":
a record's name always ends it), `details` (each changed field: raw `before`/`after`, their
text as the grid shows it, and `before_items`/`after_items` for lists) and, for a record,
`record: {table, id, name, archived, url}`. Archived records, fields and deactivated users
still resolve to their names."""
import re

from core.activity_text import (actor_name, detail, listing, names_by_id, plain_details,
                                sentence)
from plugins.fundraising.field_defs import FieldDef
from plugins.fundraising.tables import RECORD_TABLES
from plugins.fundraising.value_text import value_text

SINGULAR = {"investors": "investor", "contacts": "contact", "funds": "fund",
            "commitments": "commitment"}
FROM_BACKUP = re.compile(r" (from backup \S+)$")


def record_url(table, record_id) -> str:
    """The web app's address of a record: it opens the record panel."""
    return f"#/grid/{table}/{record_id}"


class Names:
    """Names of users and records, one query per table for every id asked for."""

    def __init__(self, db, users, records: dict):
        self.users = names_by_id(db, "users", users)
        self.records, self.archived = {}, set()
        for table, ids in records.items():
            ids = sorted({int(i) for i in ids if str(i).isdigit()})
            for start in range(0, len(ids), 500):
                chunk = ids[start:start + 500]
                for rid, name, deleted in db.execute(
                        f"SELECT id, name, deleted_at FROM fundraising_{table} WHERE id IN "
                        f"({','.join('?' * len(chunk))})", chunk):
                    self.records[(table, rid)] = name
                    if deleted:
                        self.archived.add((table, rid))

    def user(self, user_id) -> str:
        return self.users.get(user_id) or f"user #{user_id}"

    def record(self, table, record_id) -> str:
        name = self.records.get((table, record_id))
        return name if name else f"{SINGULAR.get(table, table)} #{record_id}"


def _fields(db, table) -> dict:
    """{name: FieldDef} of a table's fields, under their names now and the names they had
    before a rename (older entries use those); a live field wins over an archived namesake."""
    rows = db.query("SELECT * FROM fundraising_fields WHERE table_name = ? "
                    "ORDER BY deleted_at IS NULL, id", [table])
    fields = {row["name"]: FieldDef.from_row(row) for row in rows}
    by_id = {f.id: f for f in fields.values()}
    for row_id, old in db.execute(
            "SELECT row_id, json_extract(changes, '$.name[0]') FROM audit_log WHERE "
            "plugin = 'fundraising' AND table_name = 'fields' AND action = 'update' AND "
            "json_extract(changes, '$.name[0]') IS NOT NULL ORDER BY id DESC"):
        fdef = by_id.get(int(row_id)) if str(row_id).isdigit() else None
        if fdef is not None and old not in fields:
            fields[old] = fdef
    return fields


def _pairs(entry):
    return [(k, v) for k, v in (entry.get("changes") or {}).items()
            if isinstance(v, list) and len(v) == 2]


def _value_detail(name, fdef, before, after, names) -> dict:
    texts = [value_text(fdef, v, names) for v in (before, after)]
    extra = {"field_id": fdef.id, "type": fdef.type} if fdef else {}
    for side, text in zip(("before", "after"), texts):
        if isinstance(text, list):
            extra[f"{side}_items"] = text
    return detail(fdef.name if fdef else name, before, after,
                  *[", ".join(t) if isinstance(t, list) else t for t in texts], **extra)


def describe_records(db, entries):
    """Entries of the four record tables, read with a few queries for the whole page."""
    fields = {t: _fields(db, t) for t in {e["table"] for e in entries}}
    users, records = set(), {}
    for entry in entries:
        records.setdefault(entry["table"], set()).add(entry["row_id"])
        for name, pair in _pairs(entry):
            fdef = fields[entry["table"]].get(name)
            ids = [i for v in pair if v is not None for i in (v if isinstance(v, list) else [v])]
            if fdef and fdef.type == "user":
                users.update(ids)
            elif fdef and fdef.type == "link" and fdef.options.get("table") in RECORD_TABLES:
                records.setdefault(fdef.options.get("table"), set()).update(ids)
    names = Names(db, users, records)
    for entry in entries:
        table, rid, known = entry["table"], int(entry["row_id"]), fields[entry["table"]]
        order = sorted(_pairs(entry), key=lambda p: (known[p[0]].position if p[0] in known
                                                     else (0 if p[0] == "Name" else 10**6), p[0]))
        entry["details"] = [_value_detail(n, known.get(n), *pair, names) for n, pair in order
                            if not (entry["kind"] == "create" and n == "Name")]  # summary has it
        name = names.records.get((table, rid)) or (entry.get("changes") or {}).get(
            "Name", [None, None])[1] or names.record(table, rid)
        entry["record"] = {"table": table, "id": rid, "name": name,
                           "archived": (table, rid) in names.archived,
                           "url": record_url(table, rid)}
        entry["summary"] = _record_summary(entry, f"{SINGULAR[table]} {name}")


def _record_summary(entry, what) -> str:
    """"Ada Admin changed Owner of investor Acme", led by what wrote it when not a person's
    edit: "Import: ...", "From backup 3: ...", "Percent to fraction (migration): ..."."""
    stored = entry.get("summary") or ""
    imported = stored.startswith("import ")
    if entry["kind"] == "create" and imported:
        return f"{actor_name(entry)} imported {what}"
    if entry["kind"] == "update" and entry["details"]:
        what = f"{listing(d['field'] for d in entry['details'])} of {what}"
    backup = FROM_BACKUP.search(stored)
    note = ("Import" if imported else backup.group(1).capitalize() if backup else
            stored.split(":")[0].capitalize() if "(migration)" in stored else None)
    return (f"{note}: " if note else "") + sentence(entry, what)


def _named(db, sql_table, entries, key="name", extra="table_name"):
    rows = {}
    ids = sorted({int(e["row_id"]) for e in entries if str(e["row_id"]).isdigit()})
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        for rid, name, other in db.execute(
                f"SELECT id, {key}, {extra} FROM {sql_table} WHERE id IN "
                f"({','.join('?' * len(chunk))})", chunk):
            rows[rid] = (name, other)
    return rows


VIEW_PARTS = {"filters": "filters", "sorts": "sorts", "pinned": "pinned columns",
              "hidden": "hidden columns", "order": "column order", "widths": "column widths"}


def _schema_details(pairs, noun, kind) -> list[dict]:
    """A field's name, formula and each option (choices as a list); a view's name only (its
    layout parts are named in the summary)."""
    details = []
    for key in ("name", "formula"):
        if key in pairs and not (kind == "create" and key == "name"):
            details.append(detail(key.capitalize(), *pairs[key]))
    if noun == "field" and "options" in pairs:
        before, after = [p or {} for p in pairs["options"]]
        for option in sorted(set(before) | set(after)):
            old, new = before.get(option), after.get(option)
            if old != new:
                extra = {f"{side}_items": [str(v) for v in value] for side, value in
                         (("before", old), ("after", new)) if isinstance(value, list)}
                details.append(detail(option.replace("_", " ").capitalize(), old, new, **extra))
    return details


def _describe_schema(db, entries, sql_table, noun):
    """Fields and views: "Ada Admin added the field Sectors (multi select) to investors"."""
    rows = _named(db, sql_table, entries)
    for entry in entries:
        pairs = dict(_pairs(entry))
        entry["details"] = _schema_details(pairs, noun, entry["kind"])
        stored = rows.get(int(entry["row_id"])) if str(entry["row_id"]).isdigit() else None
        old, new = pairs.get("name", [None, None])
        name, table = stored or (new or old, None)
        table = table or (pairs.get("table") or [None, None])[1] or ""
        who, kind = actor_name(entry), entry["kind"]
        if kind == "create":
            kind_text = f" ({(pairs.get('type') or [None, ''])[1].replace('_', ' ')})" \
                if noun == "field" else ""
            entry["summary"] = f"{who} added the {noun} {new or name}{kind_text} to {table}"
        elif kind == "update" and old and new and old != new:
            entry["summary"] = f"{who} renamed the {noun} {old} to {new} in {table}"
        elif kind == "update" and set(pairs) <= {"position", "version", "updated_at"}:
            entry["summary"] = f"{who} moved the {noun} {name} in {table}"
        elif kind == "update":
            changed = [d["field"].lower() for d in entry["details"]] + [
                VIEW_PARTS[k] for k in pairs if noun == "view" and k in VIEW_PARTS]
            entry["summary"] = (f"{who} changed {listing(changed or ['settings'])} of the "
                                f"{noun} {name} in {table}")
        else:
            verb = "deleted" if kind == "archive" else None
            entry["summary"] = (f"{who} {verb} the {noun} {name} from {table}" if verb
                                else sentence(entry, f"the {noun} {name} in {table}"))


def _describe_other(entries):
    for entry in entries:
        pairs = dict(_pairs(entry))
        entry["details"] = plain_details(pairs)
        who, table = actor_name(entry), entry["table"]
        after = {k: v[1] for k, v in pairs.items()}
        if table == "feature_requests" and entry["kind"] == "create":
            entry["summary"] = f"{who} asked for a feature: {after.get('title')}"
        elif table == "feature_requests":
            entry["summary"] = sentence(entry, f"feature request #{entry['row_id']}")


def describe(db, entries):
    """Put fundraising audit entries in words, in place (see the module docstring)."""
    groups = {}
    for entry in entries:
        kind = entry["table"] if entry["table"] in ("fields", "views") else \
            "records" if entry["table"] in RECORD_TABLES else "other"
        groups.setdefault(kind, []).append(entry)
    if "records" in groups:
        describe_records(db, groups["records"])
    if "fields" in groups:
        _describe_schema(db, groups["fields"], "fundraising_fields", "field")
    if "views" in groups:
        _describe_schema(db, groups["views"], "fundraising_views", "view")
    _describe_other(groups.get("other", []))
