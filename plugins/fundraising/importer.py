"""Import of Airtable CSV exports: plan what would change, then apply it in one transaction.

Rows match existing records by Airtable's record id column when the file has one, else by a
key column (the primary field by default). A re-import of the same file changes nothing.
"""
from dataclasses import dataclass, field

import orjson

from core.db import utcnow
from core.errors import unprocessable
from plugins.fundraising import fields as field_store
from plugins.fundraising.csv_import import (CellError, CsvError, find_record_id_column,
                                            infer_field, make_parser, read_csv)
from plugins.fundraising.fields import PLUGIN, FieldDef
from plugins.fundraising.records import RecordStore, RowView, serialize
from plugins.fundraising.schema import FieldValueError
from plugins.fundraising.versioning import bump_state

MAX_ERRORS = 1000


@dataclass
class Column:
    index: int
    header: str
    role: str  # "name", "external_id", "field", "new" or "ignore"
    field: FieldDef | None = None
    new: dict | None = None  # {"name", "type", "options"} of a field to create
    parse: object = None


@dataclass
class ImportPlan:
    table: str
    rows: int = 0
    creates: list = field(default_factory=list)  # (row, name, values, external_id)
    updates: list = field(default_factory=list)  # (row, record id, name or None, values, ext)
    unchanged: int = 0
    skipped_archived: int = 0
    new_fields: list = field(default_factory=list)
    errors: list = field(default_factory=list)
    missing: list = field(default_factory=list)  # live ids no row matched
    error_rows: set = field(default_factory=set)

    def error(self, row, column, message):
        self.error_rows.add(row)
        if len(self.errors) < MAX_ERRORS:
            self.errors.append({"row": row, "column": column, "message": message})

    def summary(self, archive_missing=False) -> dict:
        return {"rows": self.rows, "creates": len(self.creates), "updates": len(self.updates),
                "unchanged": self.unchanged, "skipped_archived": self.skipped_archived,
                "archived": len(self.missing) if archive_missing else 0,
                "new_fields": self.new_fields, "errors": self.errors,
                "error_rows": len(self.error_rows)}


class NameIndex:
    """Live records of a table by primary name (case-insensitive), for links by name."""

    def __init__(self, db, table):
        self.ids: dict[str, list[int]] = {}
        for record_id, name in db.execute(
                f"SELECT id, name FROM fundraising_{table} WHERE deleted_at IS NULL"):
            self.ids.setdefault(name.strip().casefold(), []).append(record_id)

    def resolve(self, name):
        found = self.ids.get(name.strip().casefold(), [])
        if len(found) != 1:
            raise CellError(f"no record named '{name}'" if not found
                            else f"{len(found)} records are named '{name}'")
        return found[0]


def _user_index(db):
    users = {}
    for user_id, email, name in db.execute("SELECT id, email, name FROM users"):
        users[email.casefold()] = user_id
        users.setdefault(name.casefold(), user_id)
    return users


def _column_parser(db, fdef_type, options, indexes):
    base = make_parser(fdef_type, options)
    if fdef_type == "link":
        target = options.get("table")
        index = indexes.setdefault(target, NameIndex(db, target))
        multiple = options.get("multiple", True)

        def parse_link(text):
            names = base(text)
            if not names:
                return [] if multiple else None
            ids = [index.resolve(n) for n in names]
            if not multiple and len(ids) > 1:
                raise CellError("this field links one record")
            return ids if multiple else ids[0]
        return parse_link
    if fdef_type == "user":
        users = indexes.setdefault("users", _user_index(db))

        def parse_user(text):
            text = text.strip()
            if not text:
                return None
            if text.casefold() not in users:
                raise CellError(f"no user '{text}'")
            return users[text.casefold()]
        return parse_user
    return base


def plan_columns(db, table, csv_table, fieldset, mapping):
    """How each CSV column is used; `mapping` maps a header to a field name or None."""
    mapping = mapping or {}
    record_id_col = find_record_id_column(csv_table)
    name_field = next(f for f in fieldset.all if f.builtin == "name")
    columns, indexes, taken = [], {}, set()
    for i, header in enumerate(csv_table.header):
        target = mapping.get(header, header)
        if i == record_id_col and header not in mapping:
            columns.append(Column(i, header, "external_id"))
            continue
        if target is None:
            columns.append(Column(i, header, "ignore"))
            continue
        fdef = fieldset.get(target)
        if fdef is not None and fdef.id in taken:
            raise unprocessable(f"Two columns map to the field '{fdef.name}'", field="mapping")
        if fdef is not None and fdef.builtin == "name":
            taken.add(fdef.id)
            columns.append(Column(i, header, "name", fdef, parse=lambda t: t.strip()))
        elif fdef is not None and fdef.type == "formula":
            columns.append(Column(i, header, "ignore", fdef))  # computed here, not imported
        elif fdef is not None:
            taken.add(fdef.id)
            parse = _column_parser(db, fdef.type, fdef.options, indexes)
            columns.append(Column(i, header, "field", fdef, parse=parse))
        else:
            ftype, options = infer_field([row[i] for row in csv_table.rows])
            new = {"name": target, "type": ftype, "options": options}
            columns.append(Column(i, header, "new", new=new, parse=make_parser(ftype, options)))
    if not any(c.role == "name" for c in columns):
        raise unprocessable(f"The file has no '{name_field.name}' column (the primary field); "
                            "map one with `mapping`", field="mapping")
    return columns


def _key_of(columns, key):
    """The column that matches rows to records: the record id column, else `key`."""
    if key is None:
        ext = next((c for c in columns if c.role == "external_id"), None)
        return ext or next(c for c in columns if c.role == "name")
    for c in columns:
        if c.header.casefold() == key.casefold() or (
                c.field is not None and c.field.name.casefold() == key.casefold()):
            if c.role in ("ignore", "new"):
                break
            return c
    raise unprocessable(f"No column '{key}' to match rows by", field="key")


def _existing(db, table, key_col, fieldset):
    """key value -> list of (row view) over every record, live or archived."""
    cursor = db.execute(f"SELECT * FROM fundraising_{table}")
    index = {d[0]: i for i, d in enumerate(cursor.description)}
    by_key: dict = {}
    for values in cursor:
        row = RowView(values, index)
        if key_col.role == "external_id":
            k = row["external_id"]
        elif key_col.role == "name":
            k = row["name"].strip().casefold()
        else:
            k = serialize(row, fieldset)["fields"].get(key_col.field.name)
            k = k.strip().casefold() if isinstance(k, str) else k
        if k is not None and k != "":
            by_key.setdefault(k, []).append(row)
    return by_key


def plan_import(db, table, data, key=None, mapping=None) -> ImportPlan:
    try:
        csv_table = read_csv(data)
    except CsvError as exc:
        raise unprocessable(f"The file cannot be read: {exc}", field="file",
                            code="bad_csv") from None
    fieldset = field_store.load_fields(db, table)
    columns = plan_columns(db, table, csv_table, fieldset, mapping)
    key_col = _key_of(columns, key)
    plan = ImportPlan(table, rows=len(csv_table.rows))
    plan.new_fields = [dict(c.new, column=c.header) for c in columns if c.role == "new"]
    existing = _existing(db, table, key_col, fieldset)
    matched, seen_keys = set(), {}
    used = [c for c in columns if c.role in ("name", "field", "new", "external_id")]
    for number, cells in enumerate(csv_table.rows, start=1):
        values, name, ext = {}, None, None
        for c in used:
            text = cells[c.index]
            try:
                if c.role == "name":
                    name = c.parse(text)
                elif c.role == "external_id":
                    ext = text.strip() or None
                elif c.field is not None:
                    values[c.field.name] = c.field.validate(c.parse(text))
                else:
                    values[c.new["name"]] = c.parse(text)
            except (CellError, FieldValueError) as exc:
                plan.error(number, c.header, str(exc))
        if number in plan.error_rows:
            continue
        if not name and table in ("investors", "funds", "contacts"):
            plan.error(number, key_col.header if key_col.role == "name" else "Name",
                       "the primary field is empty")
            continue
        k = _row_key(key_col, name, ext, values)
        if k is not None and k in seen_keys:
            plan.error(number, key_col.header, f"same key as row {seen_keys[k]}")
            continue
        if k is not None:
            seen_keys[k] = number
        rows = existing.get(k, []) if k is not None else []
        if len(rows) > 1:
            plan.error(number, key_col.header, f"{len(rows)} records match this key")
            continue
        if not rows:
            plan.creates.append((number, name, values, ext))
            continue
        row = rows[0]
        matched.add(row["id"])
        if row["deleted_at"]:
            plan.skipped_archived += 1
            continue
        current = serialize(row, fieldset)
        changed = {n: v for n, v in values.items() if current["fields"].get(n) != v}
        new_name = name if name is not None and name != current["name"] else None
        new_ext = ext if ext and row["external_id"] != ext else None
        if changed or new_name is not None or new_ext:
            plan.updates.append((number, row["id"], new_name, changed, new_ext))
        else:
            plan.unchanged += 1
    plan.missing = [r[0] for r in db.execute(
        f"SELECT id FROM fundraising_{table} WHERE deleted_at IS NULL ORDER BY id")
        if r[0] not in matched]
    return plan


def _row_key(key_col, name, ext, values):
    if key_col.role == "external_id":
        return ext
    if key_col.role == "name":
        return name.strip().casefold() if name else None
    value = values.get(key_col.field.name)
    return value.strip().casefold() if isinstance(value, str) else value


class FieldBody:
    """What fields.create_field reads from a request body."""

    def __init__(self, table, new):
        self.table, self.name, self.type = table, new["name"], new["type"]
        self.options, self.formula = new["options"], None


def apply_import(db, plan: ImportPlan, actor_id, strict=False, archive_missing=False,
                 progress=None) -> dict:
    """Write the plan inside the caller's transaction; with `strict`, any error writes nothing."""
    if strict and plan.errors:
        raise unprocessable(f"{len(plan.error_rows)} row(s) have errors; nothing was imported",
                            field="file", code="import_errors", errors=plan.errors)
    for new in plan.new_fields:
        field_store.create_field(db, FieldBody(plan.table, new), actor_id)
    store = RecordStore(db, plan.table)
    _insert_all(db, store, plan.creates, actor_id)
    if progress:
        progress(len(plan.creates))
    for number, record_id, name, values, ext in plan.updates:
        store.update(record_id, None, name, values, actor_id)
        if ext:
            db.execute(f"UPDATE fundraising_{plan.table} SET external_id = ? WHERE id = ?",
                       [ext, record_id])
        if progress:
            progress(1)
    if archive_missing:
        for record_id in plan.missing:
            store.archive(record_id, actor_id)
    bump_state(db, actor_id)
    return plan.summary(archive_missing)


def _stored(fieldset, values):
    """Values checked while planning, split into columns and data like records.prepare."""
    cols, data = {}, {}
    for name, value in values.items():
        fdef = fieldset.get(name)
        if fdef.column:
            cols[fdef.column] = value
        else:
            data[str(fdef.id)] = value
    return cols, data, values


def _insert_all(db, store, creates, actor_id):
    """Many records in one statement each for rows and audit entries (ids assigned here)."""
    if not creates:
        return
    next_id = db.execute(f"SELECT coalesce(max(id), 0) + 1 FROM {store.sql_table}").fetchone()[0]
    name_field = store._name_field()
    columns = [f.column for f in store.fields.values if f.column]
    now = utcnow()
    rows, audits = [], []
    for offset, (number, name, values, ext) in enumerate(creates):
        record_id = next_id + offset
        cols, data, named = _stored(store.fields, values)
        data.update(store._formula_values({name_field: name or "", **named}, None))
        data = {k: v for k, v in data.items() if v is not None}
        rows.append([record_id, name or "", *[cols.get(c) for c in columns],
                     orjson.dumps(data).decode(), ext, now, actor_id, now, actor_id])
        after = {"Name": name or "", **{k: v for k, v in named.items() if v is not None}}
        audits.append([now, actor_id, PLUGIN, store.table, str(record_id), "create",
                       orjson.dumps({k: [None, v] for k, v in sorted(after.items())}).decode(),
                       f"import {store.table} '{name or ''}'"])
    names = ["id", "name", *columns, "data", "external_id", "created_at", "created_by",
             "updated_at", "updated_by"]
    db.conn.executemany(
        f"INSERT INTO {store.sql_table} ({', '.join(names)}, version) "
        f"VALUES ({', '.join('?' * len(names))}, 1)", rows)
    db.conn.executemany(
        "INSERT INTO audit_log (at, actor_id, plugin, table_name, row_id, action, changes, "
        "summary) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", audits)
