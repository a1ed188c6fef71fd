"""Records of the four tables: validation, serialization and audited, versioned writes."""
import orjson

from core import audit
from core.db import utcnow
from core.errors import APIError, not_found, unprocessable
from plugins.fundraising.field_defs import FIELDS_VERSION_SQL, PLUGIN, FieldSet, cached_fields
from plugins.fundraising.formula_fields import table_formulas
from plugins.fundraising.read_cache import cached
from plugins.fundraising.record_rows import RowView, serialize
from plugins.fundraising.schema import FieldValueError
from core.versioning import check_version
from plugins.fundraising.versioning import bump_state

NAME_REQUIRED = {"investors", "funds", "contacts"}
# columns an update writes as given (text or JSON text), so the row it wrote is known
PLAIN_COLUMNS = {"name", "data", "version", "updated_at", "updated_by"}


def named_values(record: dict, fieldset: FieldSet) -> dict:
    """What history compares: Name plus every stored field by its current name.

    Formula values are left out: they follow from the others."""
    values = {k: v for k, v in record["fields"].items() if k not in fieldset.formula_names}
    return {"Name": record["name"], **values}


def _audit_values(record: dict, names) -> dict:
    """named_values of only `names` (and Name): what history compares for an update."""
    fields = record["fields"]
    return {"Name": record["name"], **{name: fields.get(name) for name in names}}


class LinkChecker:
    """Answers whether linked records and users exist, loading each table's ids once."""

    def __init__(self, db):
        self.db = db
        self._ids = {}

    def live_ids(self, table):
        if table not in self._ids:
            sql = ("SELECT id FROM users" if table == "users" else
                   f"SELECT id FROM fundraising_{table} WHERE deleted_at IS NULL")
            self._ids[table] = {r[0] for r in self.db.execute(sql)}
        return self._ids[table]

    def check(self, fdef, value, current=None):
        """Linked ids must exist; a user must be active, unless the value had them already
        (a record keeps a deactivated owner until someone changes it)."""
        if value is None or fdef.type not in ("link", "user"):
            return
        table = "users" if fdef.type == "user" else fdef.options["table"]
        ids = value if isinstance(value, list) else [value]
        missing = [i for i in ids if i not in self.live_ids(table)]
        if missing:
            what = "user" if table == "users" else f"{table} record"
            raise FieldValueError(f"no {what} with id {missing[0]}")
        if table == "users":
            kept = set(current if isinstance(current, list) else [current])
            inactive = [i for i in ids if i not in self.active_users() and i not in kept]
            if inactive:
                raise FieldValueError(f"user {inactive[0]} is deactivated; pick an active "
                                      "teammate")

    def active_users(self):
        if "users:active" not in self._ids:
            self._ids["users:active"] = {
                r[0] for r in self.db.execute("SELECT id FROM users WHERE active = 1")}
        return self._ids["users:active"]


def field_error(prefix, name, message):
    return unprocessable(f"{name}: {message}", field=f"{prefix}{name}")


def prepare(fieldset: FieldSet, fields: dict, checker: LinkChecker, prefix="fields.",
            skip_computed=False, current=None):
    """Validate named values; return ({column: value}, {field id: value}, {name: value}).

    Formula values are refused (422), or passed over with `skip_computed` (whole-grid saves
    send back what they read)."""
    columns, data, named = {}, {}, {}
    for name, value in fields.items():
        fdef = fieldset.get(name)
        if fdef is None and getattr(fieldset.resolve(name), "system", False):
            raise field_error(prefix, name, "is read-only: kept by the server on each write")
        if fdef is None or fdef.builtin == "name":
            raise field_error(prefix, name, "no such field in this table")
        if skip_computed and fdef.type == "formula":
            continue
        try:
            clean = fdef.validate(value)
            checker.check(fdef, clean, (current or {}).get(fdef.name))
        except FieldValueError as exc:
            raise field_error(prefix, name, str(exc)) from None
        named[fdef.name] = clean
        if fdef.column:
            columns[fdef.column] = clean
        else:
            data[str(fdef.id)] = clean
    return columns, data, named


def check_name(table, name, field="name"):
    if name is None:
        return
    if not isinstance(name, str) or len(name) > 1000:
        raise unprocessable("name must be text of at most 1000 characters", field=field)
    if table in NAME_REQUIRED and not name.strip():
        raise unprocessable("name cannot be blank", field=field)


class RecordStore:
    """Reads and writes of one table; writes run inside the caller's transaction."""

    def __init__(self, db, table: str):
        self.db = db
        self.table = table
        self.sql_table = f"fundraising_{table}"
        self._fields = None

    @property
    def fields(self) -> FieldSet:
        if self._fields is None:
            self._fields = cached_fields(self.db, self.table)
        return self._fields

    def _row(self, record_id, archived=False):
        # the fields' version read with the row: a one-cell edit's statements are few
        row = self.db.one(f"SELECT *, {FIELDS_VERSION_SQL} AS fields_version_ "
                          f"FROM {self.sql_table} WHERE id = ?", [record_id])
        if row is None:
            raise not_found(f"No {self.table} record {record_id}")
        version = row.pop("fields_version_")
        if self._fields is None:
            self._fields = cached_fields(self.db, self.table, version)
        if bool(row["deleted_at"]) != archived:
            if archived:
                raise not_found(f"{self.table} record {record_id} is not archived")
            raise APIError("404 Not Found", "archived",
                           f"{self.table} record {record_id} is archived; restore it first")
        return row

    def get(self, record_id) -> dict:
        return serialize(self._row(record_id), self.fields)

    def page(self, limit, offset, archived=False, where="1", params=(), order="id") -> dict:
        """One page of live (or archived) records matching `where`, in `order`."""
        cond = "deleted_at IS NOT NULL" if archived else "deleted_at IS NULL"
        cond = f"{cond} AND ({where})"
        params = list(params)
        total = cached(self.db, ("count", self.table, cond, tuple(map(repr, params))),
                       lambda: self.db.execute(f"SELECT count(*) FROM {self.sql_table} "
                                               f"WHERE {cond}", params).fetchone()[0])
        # Page the ids first (an index walk), then read only those rows in full.
        ids = [r[0] for r in self.db.execute(
            f"SELECT id FROM {self.sql_table} WHERE {cond} ORDER BY {order} LIMIT ? OFFSET ?",
            [*params, limit, offset])]
        return {"records": self.by_ids(ids), "total": total}

    def by_ids(self, ids, live=False) -> list[dict]:
        """Records of `ids` in that order (a single query); with `live`, those archived or
        gone are left out."""
        if not ids:
            return []
        cursor = self.db.execute(f"SELECT * FROM {self.sql_table} WHERE id IN "
                                 f"({','.join('?' * len(ids))})"
                                 f"{' AND deleted_at IS NULL' if live else ''}", ids)
        index = {d[0]: i for i, d in enumerate(cursor.description)}
        records = {}
        for values in cursor:
            record = serialize(RowView(values, index), self.fields)
            records[record["id"]] = record
        return [records[i] for i in ids if not live or i in records]

    def _formula_values(self, values: dict, changed: set | None) -> dict:
        """{data key: value} of the formula fields that read any of `changed` names."""
        formulas = table_formulas(self.fields)
        targets = formulas.affected(changed)
        return formulas.compute(values, targets) if targets else {}

    def _name_field(self) -> str:
        return next(f.name for f in self.fields.all if f.builtin == "name")

    def create(self, name, fields, actor_id, checker=None, skip_computed=False) -> dict:
        check_name(self.table, name if name is not None else "")
        columns, data, named = prepare(self.fields, fields or {},
                                       checker or LinkChecker(self.db),
                                       skip_computed=skip_computed)
        values = {self._name_field(): name or "", **named}
        data.update(self._formula_values(values, None))
        data = {k: v for k, v in data.items() if v is not None}
        now = utcnow()
        row = {"name": name or "", **columns, "data": orjson.dumps(data).decode(), "version": 1,
               "created_at": now, "created_by": actor_id, "updated_at": now,
               "updated_by": actor_id}
        record_id = self.db.table(self.sql_table).insert(row).last_pk
        record = self.get(record_id)
        audit.record_change(self.db, actor_id=actor_id, plugin=PLUGIN, table=self.table,
                            row_id=record_id, action="create",
                            after=named_values(record, self.fields))
        bump_state(self.db, actor_id)
        return record

    def update(self, record_id, expected_version, name, fields, actor_id, checker=None,
               row=None, skip_computed=False, summary=None) -> dict:
        row = row or self._row(record_id)
        check_version(self.db, row, expected_version)
        check_name(self.table, name)
        stored = orjson.loads(row["data"])
        before = serialize(row, self.fields, stored)
        columns, data, named = prepare(self.fields, fields or {},
                                       checker or LinkChecker(self.db),
                                       skip_computed=skip_computed, current=before["fields"])
        changed = {n for n, v in named.items() if before["fields"].get(n) != v}
        values = {self._name_field(): before["name"], **before["fields"], **named}
        if name is not None and name != row["name"]:
            changed.add(self._name_field())
            values[self._name_field()] = name
        if changed:
            data.update(self._formula_values(values, changed))
        merged = {**stored, **data}
        merged = {k: v for k, v in merged.items() if v is not None}
        changes = {c: v for c, v in columns.items() if row[c] != v}
        if name is not None and name != row["name"]:
            changes["name"] = name
        if merged != stored:
            changes["data"] = orjson.dumps(merged).decode()
        if not changes:
            return before
        changes.update(version=row["version"] + 1, updated_at=utcnow(), updated_by=actor_id)
        assignments = ", ".join(f"{column} = ?" for column in changes)  # known column names
        self.db.execute(f"UPDATE {self.sql_table} SET {assignments} WHERE id = ?",
                        [*changes.values(), record_id])
        if changes.keys() <= PLAIN_COLUMNS:  # the row is known: no need to read it back
            after = serialize({**row, **changes}, self.fields, merged)  # data as stored now
        else:  # a typed built-in column: as SQLite stored it
            after = self.get(record_id)
        # only what the request set can differ (formula values follow from the others)
        keys = [n for n in named if n not in self.fields.formula_names]
        audit.record_change(self.db, actor_id=actor_id, plugin=PLUGIN, table=self.table,
                            row_id=record_id, action="update",
                            before=_audit_values(before, keys),
                            after=_audit_values(after, keys), summary=summary)
        bump_state(self.db, actor_id)
        return after

    def archive(self, record_id, actor_id, expected_version=None) -> dict:
        row = self._row(record_id)
        check_version(self.db, row, expected_version)
        return self._set_archived(row, utcnow(), actor_id, "archive")

    def restore(self, record_id, actor_id) -> dict:
        return self._set_archived(self._row(record_id, archived=True), None, actor_id, "restore")

    def _set_archived(self, row, deleted_at, actor_id, action) -> dict:
        self.db.execute(
            f"UPDATE {self.sql_table} SET deleted_at = ?, version = version + 1, updated_at = ?,"
            " updated_by = ? WHERE id = ?", [deleted_at, utcnow(), actor_id, row["id"]])
        fresh = next(self.db.query(f"SELECT * FROM {self.sql_table} WHERE id = ?", [row["id"]]))
        record = serialize(fresh, self.fields)
        audit.record_change(self.db, actor_id=actor_id, plugin=PLUGIN, table=self.table,
                            row_id=row["id"], action=action,
                            summary=f"{action} {self.table} '{record['name']}'")
        bump_state(self.db, actor_id)
        return record

    def history(self, record_id, limit=200, offset=0) -> list[dict]:
        rows = list(self.db.query(f"SELECT * FROM {self.sql_table} WHERE id = ?", [record_id]))
        if not rows:
            raise not_found(f"No {self.table} record {record_id}")
        entries = audit.history(self.db, PLUGIN, self.table, record_id, limit, offset)
        for entry in entries:
            if entry["kind"] == "create" and not entry["changes"]:  # an import's (NO_VALUES)
                entry["changes"] = self._created_values(rows[0])
        return entries

    def _created_values(self, row) -> dict:
        """The changes of a create entry that kept no values: the record's values now with
        every later change undone, newest first (each update entry holds the old value)."""
        values = named_values(serialize(row, self.fields), self.fields)
        for (changes,) in self.db.execute(
                "SELECT changes FROM audit_log WHERE plugin = ? AND table_name = ? AND "
                "row_id = ? AND action = 'update' ORDER BY id DESC",
                [PLUGIN, self.table, str(row["id"])]):
            for name, (old, _new) in orjson.loads(changes).items():
                values[name] = old
        return {k: [None, v] for k, v in sorted(values.items()) if v is not None}
