"""Import of Airtable CSV exports: plan what would change, then apply it in one transaction.

Rows match existing records by Airtable's record id column when the file has one, else by a
key column (the primary field by default). A re-import of the same file changes nothing.
"""
from dataclasses import dataclass, field
from itertools import count, repeat

import orjson

from core.db import utcnow
from core.errors import unprocessable
from core.memory import gc_paused
from plugins.fundraising import fields as field_store
from plugins.fundraising.field_defs import FieldSpec, load_fields
from plugins.fundraising.imports.changes import change_counts, import_summary, list_changes
from plugins.fundraising.imports.csv_import import CsvError, read_csv
from plugins.fundraising.imports.csv_import.parallel import warm_up
from plugins.fundraising.imports.insert import insert_records
from plugins.fundraising.imports.people import (PeopleChoices, UnknownPeople,
                                                kept_field_name, remember)
from plugins.fundraising.imports.plan import key_column, parse_rows, plan_columns
from plugins.fundraising.records import NAME_REQUIRED, RecordStore
from plugins.fundraising.versioning import bump_state

MAX_ERRORS = 1000


@dataclass
class ImportPlan:
    table: str
    rows: int = 0
    creates: list = field(default_factory=list)  # (row, name, values, external_id)
    targets: list = field(default_factory=list)  # the field names of creates' values
    updates: list = field(default_factory=list)  # (row, record id, name or None, values, ext)
    unchanged: int = 0
    skipped_archived: int = 0
    new_fields: list = field(default_factory=list)
    errors: list = field(default_factory=list)
    missing: list = field(default_factory=list)  # live ids no row matched
    error_rows: set = field(default_factory=set)
    matched: set = field(default_factory=set)  # ids of the records rows matched
    replaced: dict = field(default_factory=dict)  # updated id -> (name, {field: old value})
    people: object = None  # people.UnknownPeople
    changes: list = field(default_factory=list)  # changes.Change of each update

    def error(self, row, column, message):
        self.error_rows.add(row)
        if len(self.errors) < MAX_ERRORS:
            self.errors.append({"row": row, "column": column, "message": message})

    def summary(self, archive_missing=False) -> dict:
        people = self.people.report() if self.people is not None else []
        return {"rows": self.rows, "creates": len(self.creates), "updates": len(self.updates),
                "unchanged": self.unchanged, "skipped_archived": self.skipped_archived,
                "archived": len(self.missing) if archive_missing else 0,
                "new_fields": self.new_fields, "errors": self.errors,
                "error_rows": len(self.error_rows),
                "skipped_rows": len(self.error_rows) + self.skipped_archived,
                "people": people,
                "kept_names": sum(p["rows"] for p in people if p["action"] != "user"),
                **change_counts(self.changes)}


class ExistingRecords:
    """Every record of the table, live or archived, as raw rows by the key rows match on."""

    def __init__(self, db, table, key_col, fieldset):
        cursor = db.execute(f"SELECT * FROM fundraising_{table}")
        self.index = {d[0]: i for i, d in enumerate(cursor.description)}
        self.fieldset = fieldset
        self.by_key: dict = {}
        key_of = self._key_reader(key_col)
        for row in cursor:
            k = key_of(row)
            if k is not None and k != "":
                self.by_key.setdefault(k, []).append(row)

    def _key_reader(self, key_col):
        index = self.index
        if key_col.role == "external_id":
            at = index["external_id"]
            return lambda row: row[at]
        if key_col.role == "name":
            at = index["name"]
            return lambda row: row[at].strip().casefold()
        column, data_key = self._place(key_col.field.name)

        def key_of(row):  # only the key's value, not the whole record
            value = (row[column] if column is not None
                     else orjson.loads(row[self.index["data"]]).get(data_key))
            return value.strip().casefold() if isinstance(value, str) else value
        return key_of

    def _place(self, name):
        """(row position of its column, or None; its key in `data`, or None) of a field."""
        fdef = self.fieldset.get(name)
        if fdef is None:
            return None, None
        if fdef.column:
            return self.index[fdef.column], None
        return None, str(fdef.id)

    def get(self, k) -> list:
        return self.by_key.get(k, []) if k is not None else []

    def changes(self, row, values: dict, places: dict, old: dict | None = None) -> dict:
        """The values that differ from what the record stores (missing counts as None); the
        stored values they replace go into `old` when given."""
        data = None
        changed = {}
        for name, value in values.items():
            place = places.get(name)
            if place is None:
                place = places[name] = self._place(name)
            column, data_key = place
            if column is not None:
                current = row[column]
            elif data_key is None:
                current = None
            else:
                if data is None:
                    data = orjson.loads(row[self.index["data"]])
                current = data.get(data_key)
            if current != value:
                changed[name] = value
                if old is not None:
                    old[name] = current
        return changed


def plan_import(db, table, data, key=None, mapping=None, people=None, types=None) -> ImportPlan:
    """What importing the CSV `data` into `table` would create, update and leave alone, and
    every bad cell; nothing is written. `people` says what to do with each name in a user
    column that is no user ({name: {"action": "user"|"invite"|"keep", ...}}, imports.people),
    `types` which type a new field's column gets ({header: type}, else inferred)."""
    with gc_paused():
        warm_up(data)  # a large file's helper process starts while the file is read
        try:
            csv_table = read_csv(data)
        except CsvError as exc:
            raise unprocessable(f"The file cannot be read: {exc}", field="file",
                                code="bad_csv") from None
        fieldset = load_fields(db, table)
        columns = plan_columns(db, table, csv_table, fieldset, mapping, types)
        key_col = key_column(columns, key)
        plan = ImportPlan(table, rows=csv_table.row_count)
        plan.people = UnknownPeople(PeopleChoices(db, people))
        # new columns' types inferred here, unknown people settled
        parsed = parse_rows(columns, csv_table.columns, plan.people)
        plan.new_fields = [_new_field(c) for c in columns if c.role == "new"]
        _keep_names(plan, parsed, fieldset)
        del csv_table  # parsed: let the texts go before the records are read
        existing = ExistingRecords(db, table, key_col, fieldset)
        _match_rows(plan, parsed, key_col, existing)
    plan.missing = [r[0] for r in db.execute(
        f"SELECT id FROM fundraising_{table} WHERE deleted_at IS NULL ORDER BY id")
        if r[0] not in plan.matched]
    name_field = next(f.name for f in fieldset.all if f.builtin == "name")
    plan.changes = list_changes(db, plan, name_field)
    return plan


def _new_field(column) -> dict:
    new = column.new
    return {"name": new["name"], "type": new["type"], "options": new["options"],
            "inferred_type": new["inferred_type"], "column": column.header}


def _keep_names(plan, parsed, fieldset):
    """The names of unknown people kept as text go to '<user field> (imported)', a text
    field made by the import when missing; once that field exists, every import with the
    user column fills it, so a name no longer kept is cleared."""
    rows = len(parsed.names)
    for header, field_name, kept in parsed.kept or ():
        target = kept_field_name(field_name)
        fdef = fieldset.get(target)
        if kept is None and fdef is None:
            continue
        if fdef is not None:
            if fdef.type not in ("text", "long_text"):
                raise unprocessable(f"The field '{fdef.name}' keeps the names of unknown "
                                    f"people, so it must be text, not {fdef.type}",
                                    field="people")
            target = fdef.name
        elif not any(n["name"].casefold() == target.casefold() for n in plan.new_fields):
            plan.new_fields.append({"name": target, "type": "text", "options": {},
                                    "inferred_type": "text", "column": header})
        kept = kept or [None] * rows
        at = next((i for i, t in enumerate(parsed.targets)
                   if t.casefold() == target.casefold()), None)
        if at is None:
            parsed.targets.append(target)
            parsed.values.append(kept)
        else:  # the file has that column too: a kept name wins over its cell
            parsed.values[at] = [k if k is not None else v
                                 for k, v in zip(kept, parsed.values[at])]


def _match_rows(plan, parsed, key_col, existing):
    """Sort every row into the plan: an error, a create, an update or unchanged."""
    targets, errors = parsed.targets, parsed.errors
    plan.targets = targets
    cells = zip(*parsed.values) if parsed.values else repeat(())
    name_required = plan.table in NAME_REQUIRED
    key_at = targets.index(key_col.field.name) if key_col.role == "field" else None
    at = existing.index
    id_at, name_at, ext_at, deleted_at = at["id"], at["name"], at["external_id"], at["deleted_at"]
    seen_keys, places = {}, {}
    for number, name, ext, row_values in zip(count(1), parsed.names, parsed.external_ids,
                                             cells):
        bad = errors.get(number - 1)
        if bad:
            for header, message in bad:
                plan.error(number, header, message)
            continue
        if not name and name_required:
            plan.error(number, key_col.header if key_col.role == "name" else "Name",
                       "the primary field is empty")
            continue
        k = _row_key(key_col, name, ext, row_values, key_at)
        if k is not None and k in seen_keys:
            plan.error(number, key_col.header, f"same key as row {seen_keys[k]}")
            continue
        if k is not None:
            seen_keys[k] = number
        rows = existing.get(k)
        if len(rows) > 1:
            plan.error(number, key_col.header, f"{len(rows)} records match this key")
            continue
        if not rows:
            plan.creates.append((number, name, row_values, ext))
            continue
        row = rows[0]
        plan.matched.add(row[id_at])
        if row[deleted_at]:
            plan.skipped_archived += 1
            continue
        old = {}
        changed = existing.changes(row, dict(zip(targets, row_values)), places, old)
        new_name = name if name is not None and name != row[name_at] else None
        new_ext = ext if ext and row[ext_at] != ext else None
        if changed or new_name is not None or new_ext:
            plan.updates.append((number, row[id_at], new_name, changed, new_ext))
            plan.replaced[row[id_at]] = (row[name_at], old)
        else:
            plan.unchanged += 1


def _row_key(key_col, name, ext, row_values, key_at):
    if key_col.role == "external_id":
        return ext
    if key_col.role == "name":
        return name.strip().casefold() if name else None
    value = row_values[key_at]
    return value.strip().casefold() if isinstance(value, str) else value


def apply_import(db, plan: ImportPlan, actor_id, strict=False, archive_missing=False,
                 progress=None, invite=None) -> dict:
    """Write the plan inside the caller's transaction; with `strict`, any error writes nothing.
    `invite(email)` makes an invite and returns {"invite_url", "expires_at"}: the people the
    plan's choices invite get one each (without it, inviting is refused)."""
    if strict and plan.errors:
        raise unprocessable(f"{len(plan.error_rows)} row(s) have errors; nothing was imported",
                            field="file", code="import_errors", errors=plan.errors)
    to_invite = plan.people.invites() if plan.people is not None else []
    if to_invite and invite is None:
        raise unprocessable("Inviting people is not possible here; keep their names as text",
                            field="people")
    invites = [{"name": p.name, "email": p.email, **invite(p.email)} for p in to_invite]
    with gc_paused():
        for new in plan.new_fields:
            field_store.create_field(db, FieldSpec(plan.table, new["name"], new["type"],
                                                   new["options"] or {}), actor_id)
        store = RecordStore(db, plan.table)
        insert_records(db, store, plan.creates, plan.targets, actor_id)
        if progress:
            progress(len(plan.creates))
        for number, record_id, name, values, ext in plan.updates:
            store.update(record_id, None, name, values, actor_id,
                         summary=import_summary(plan.table, name or plan.replaced[record_id][0]))
            if ext:
                db.execute(f"UPDATE fundraising_{plan.table} SET external_id = ? WHERE id = ?",
                           [ext, record_id])
            if progress:
                progress(1)
        if archive_missing:
            for record_id in plan.missing:
                store.archive(record_id, actor_id)
        if plan.people is not None:
            remember(db, plan.people, actor_id, utcnow())
    bump_state(db, actor_id)
    return {**plan.summary(archive_missing), "invites": invites}
