"""The fundraising plugin's public API: the one module of it that other plugins import.

`fundraising(crm)` gives a FundraisingAPI. Records are addressed by table and id. Built-in
fields are addressed by their stable key (`name`, `stage`, `owner`, `check_size`,
`last_contact`; contacts' `investor`, `email`, `title`; ...: BUILTIN_KEYS), other fields by
their id, never by display name: people rename fields. Every table's read-only `created_at`,
`created_by`, `updated_at` and `updated_by` serve filters by the same keys. Each write is one transaction (a
savepoint of the caller's when one is open), versioned and audited like the record routes.
"""
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal, Mapping, Union

import orjson

from core.errors import not_found, unprocessable
from plugins.fundraising.clock_formulas import keep_current
from plugins.fundraising.field_defs import (FieldDef, FieldSet, FieldSpec, cached_fields,
                                            recent_fields)
from plugins.fundraising.fields import add_field
from plugins.fundraising.models import ViewCreate
from plugins.fundraising.query import Compiler
from plugins.fundraising.records import RecordStore
from plugins.fundraising.schema import BUILTIN_FIELDS, FIELD_TYPES
from plugins.fundraising.tables import RECORD_TABLES
from plugins.fundraising.value_text import date_text  # noqa: F401 (dates as history shows them)
from plugins.fundraising.views import create_view

PLUGIN = "fundraising"  # the plugin name on its audit entries
TABLES = tuple(RECORD_TABLES)
BUILTIN_KEYS = {table: tuple(f.key for f in fields) for table, fields in BUILTIN_FIELDS.items()}
FieldRef = Union[str, int]  # a built-in key ("last_contact") or a field id


def live_record_sql(table: str, column: str) -> str:
    """SQL that is true when `column` (a record id of `table` in a plugin's own query, such
    as "tasks.investor_id") is empty or names a live record: what links to an archived
    record leaves lists until it is restored. `column` is the caller's code, never input."""
    return (f"({column} IS NULL OR EXISTS (SELECT 1 FROM fundraising_{_table(table)} AS linked "
            f"WHERE linked.id = {column} AND linked.deleted_at IS NULL))")


@dataclass(frozen=True)
class FieldInfo:
    id: int
    table: str
    name: str  # the display name now; it can change, the id and `builtin` cannot
    type: str
    builtin: str | None  # the stable key of a built-in field, None for the others
    options: dict


@dataclass(frozen=True)
class Record:
    table: str
    id: int
    version: int
    name: str
    values: dict  # built-in fields by key, the others by field id; empty ones left out
    updated_at: str
    updated_by: int | None

    def value(self, ref: FieldRef, default=None):
        """The value of a built-in field (by key) or another field (by id)."""
        return self.values.get(ref, default)


@dataclass(frozen=True)
class Condition:
    field: FieldRef
    operator: str  # as in a view's filters: "is", "before", "<", "is_empty", ...
    value: Any = None


@dataclass(frozen=True)
class FilterGroup:
    conditions: tuple  # of Condition and FilterGroup
    op: Literal["and", "or"] = "and"


@dataclass(frozen=True)
class Sort:
    field: FieldRef
    direction: Literal["asc", "desc"] = "asc"


@dataclass(frozen=True)
class Contact:
    id: int
    investor_id: int | None
    email: str
    name: str


def builtin_field_ids(db, table: str) -> dict[str, int]:
    """{built-in key: field id} of `table`; for migrations, which run before there is a crm."""
    return {key: field_id for key, field_id in db.execute(
        "SELECT builtin, id FROM fundraising_fields WHERE table_name = ? AND builtin IS NOT NULL",
        [_table(table)])}


def field_ids_of_type(db, table: str, field_type: str) -> set[int]:
    """Ids of `table`'s fields of one type, archived ones too; for migrations."""
    return {r[0] for r in db.execute(
        "SELECT id FROM fundraising_fields WHERE table_name = ? AND type = ?",
        [_table(table), field_type])}


def _table(table: str) -> str:
    if table not in TABLES:
        raise ValueError(f"no fundraising table {table!r} (one of {', '.join(TABLES)})")
    return table


def _info(fdef: FieldDef) -> FieldInfo:
    return FieldInfo(fdef.id, fdef.table, fdef.name, fdef.type, fdef.builtin, fdef.options)


def _field(fieldset: FieldSet, ref: FieldRef) -> FieldDef | None:
    if isinstance(ref, str):  # the system columns too: created_at, updated_by, ...
        return next((f for f in (*fieldset.all, *fieldset.system) if f.builtin == ref), None)
    if isinstance(ref, int) and not isinstance(ref, bool):
        return fieldset.by_id.get(ref)
    return None


def _ref(fdef: FieldDef) -> FieldRef:
    return fdef.builtin or fdef.id


class FundraisingAPI:
    """What other plugins may do with investors, contacts, funds and commitments."""

    def __init__(self, crm):
        self.crm = crm

    def _store(self, table) -> RecordStore:
        return RecordStore(self.crm.db, _table(table))

    # Fields

    def fields(self, table: str) -> list[FieldInfo]:
        """The live fields of `table`, in their order."""
        return [_info(f) for f in cached_fields(self.crm.db, _table(table)).all]

    def field(self, table: str, ref: FieldRef) -> FieldInfo | None:
        """A live field by built-in key or id; None when there is none."""
        fdef = _field(cached_fields(self.crm.db, _table(table)), ref)
        return _info(fdef) if fdef else None

    def field_name(self, table: str, key: str) -> str:
        """The display name a built-in field has now (for formulas, which cite names)."""
        fdef = _field(cached_fields(self.crm.db, _table(table)), key)
        if fdef is None or fdef.builtin is None:
            raise ValueError(f"no built-in field {key!r} in {table}")
        return fdef.name

    def add_field(self, table: str, name: str, field_type: str, actor_id: int | None,
                  options: dict | None = None, formula: str | None = None) -> FieldInfo:
        """A new field of `table` (checked and audited as POST /fields does)."""
        if field_type not in FIELD_TYPES:
            raise unprocessable(f"no field type {field_type!r}", field="type")
        spec = FieldSpec(_table(table), name, field_type, dict(options or {}), formula)
        return _info(add_field(self.crm, spec, actor_id))

    def add_view(self, table: str, name: str, user: dict, filters: FilterGroup | None = None,
                 sorts: tuple = (), personal: bool = False) -> dict:
        """A saved view (as POST /views makes it); `user` is the users row of its owner."""
        fieldset = cached_fields(self.crm.db, _table(table))
        body = ViewCreate(
            table=table, name=name, personal=personal,
            filters=self._filter_config(fieldset, filters) if filters else None,
            sorts=[{"field": self._field_id(fieldset, s.field, "sorts"),
                    "direction": s.direction} for s in sorts])
        with self.crm.write() as db:
            return create_view(db, body.table, body.name, body.config(), user, body.personal)

    # Reading records

    def find(self, table: str, record_id: int) -> Record | None:
        """A live record, or None when there is none (or it is archived)."""
        store = self._store(table)
        row = self.crm.db.execute(f"SELECT id FROM {store.sql_table} WHERE id = ? AND "
                                  "deleted_at IS NULL", [record_id]).fetchone()
        return self._record(store, store.get(record_id)) if row else None

    def get(self, table: str, record_id: int) -> Record:
        """A live record; a 404 when there is none, or it is archived."""
        store = self._store(table)
        return self._record(store, store.get(record_id))

    def names(self, table: str, ids, archived: bool = True) -> dict[int, str]:
        """{id: name} of the records of `ids` (archived ones too unless `archived` is False)."""
        ids = sorted({int(i) for i in ids if i is not None})
        live = "" if archived else " AND deleted_at IS NULL"
        found = {}
        for start in range(0, len(ids), 500):
            chunk = ids[start:start + 500]
            found.update(self.crm.db.execute(
                f"SELECT id, name FROM fundraising_{_table(table)} WHERE id IN "
                f"({','.join('?' * len(chunk))}){live}", chunk).fetchall())
        return found

    def live_ids(self, table: str, ids) -> set[int]:
        """The ids among `ids` of live (not archived) records."""
        return set(self.names(table, ids, archived=False))

    def count(self, table: str, include_archived: bool = False) -> int:
        live = "" if include_archived else " WHERE deleted_at IS NULL"
        return self.crm.db.execute(
            f"SELECT count(*) FROM fundraising_{_table(table)}{live}").fetchone()[0]

    def records_json(self, table: str, ids) -> list[dict]:
        """Records of `ids` in the record routes' JSON shape (fields by display name), in
        that order: for a plugin's own list page."""
        keep_current(self.crm, _table(table))
        return self._store(table).by_ids(list(ids))

    def page_json(self, table: str, limit: int = 100, offset: int = 0,
                  ids=None) -> dict:
        """{"records", "total"}: a page of live records by id, all or those of `ids`, in the
        record routes' JSON shape."""
        if ids is None:
            keep_current(self.crm, _table(table))
            return self._store(table).page(limit, offset)
        live = sorted(self.live_ids(table, ids))
        return {"records": self.records_json(table, live[offset:offset + limit]),
                "total": len(live)}

    def select_ids(self, table: str, filters: FilterGroup | None = None, only_ids=None,
                   today: date | None = None) -> set[int]:
        """Ids of the live records matching a filter group, compiled as a saved view's
        filters are (a 422 naming the condition when one does not fit its field)."""
        store = self._store(table)
        compiler = Compiler(store.fields, today=today)
        where = compiler.where(self._filter_config(store.fields, filters)) if filters else "1"
        params = list(compiler.params)
        sql = f"SELECT id FROM {store.sql_table} WHERE deleted_at IS NULL AND ({where})"
        if only_ids is not None:
            sql += " AND id IN (SELECT value FROM json_each(?))"
            params.append(orjson.dumps(sorted(only_ids)).decode())
        return {r[0] for r in self.crm.db.execute(sql, params)}

    def first_ids(self, table: str, filters: FilterGroup | None, order: FieldRef, limit: int,
                  today: date | None = None) -> list[int]:
        """Ids of the live records matching `filters`, by the field `order` ascending (empty
        values first, then by id), at most `limit`: the oldest first of a long list."""
        store = self._store(table)
        compiler = Compiler(store.fields, today=today)
        where = compiler.where(self._filter_config(store.fields, filters)) if filters else "1"
        field = store.fields.by_id[self._field_id(store.fields, order, "order")]
        key = field.column or f"json_extract(data, '$.\"{field.id}\"')"
        sql = (f"SELECT id FROM {store.sql_table} WHERE deleted_at IS NULL AND ({where}) "
               f"ORDER BY {key} IS NOT NULL, {key}, id LIMIT ?")
        return [r[0] for r in self.crm.db.execute(sql, [*compiler.params, limit])]

    def view_where(self, table: str, view_id: int, user: dict) -> tuple[str, list]:
        """SQL (and its parameters) true for the rows of `table` that a saved view's filters
        keep, for a plugin's own query over fundraising_<table>; a 404 when `user` cannot see
        the view, a 422 naming `view` when it is of another table."""
        row = self.crm.db.execute(
            "SELECT table_name, owner_id, config FROM fundraising_views "
            "WHERE id = ? AND deleted_at IS NULL", [view_id]).fetchone()
        if row is None or row[1] not in (None, user["id"]):
            raise not_found("No such view")
        if row[0] != table:
            raise unprocessable(f"The view is not of the {table} table", field="view")
        compiler = Compiler(self._store(table).fields)
        filters = orjson.loads(row[2] or "{}").get("filters")
        where = compiler.where(filters) if filters else "1"
        return where, list(compiler.params)

    def contacts_with_email(self) -> list[Contact]:
        """Live contacts with an email, of a live investor or none, oldest first."""
        rows = self.crm.db.execute(
            "SELECT c.id, c.investor_id, c.email, c.name FROM fundraising_contacts c "
            "LEFT JOIN fundraising_investors i ON i.id = c.investor_id "
            "WHERE c.deleted_at IS NULL AND c.email IS NOT NULL AND c.email != '' "
            "AND (c.investor_id IS NULL OR i.deleted_at IS NULL) ORDER BY c.id")
        return [Contact(*row) for row in rows]

    def contact_by_email(self, email: str) -> Contact | None:
        """The oldest live contact with this email (case-insensitive), or None."""
        wanted = email.strip().casefold()
        return next((c for c in self.contacts_with_email()
                     if c.email.strip().casefold() == wanted), None)

    # Writing records

    def create(self, table: str, values: Mapping[FieldRef, Any], actor_id: int | None) -> Record:
        """A new record; `values` may hold "name"."""
        values = dict(values)
        name = values.pop("name", "")
        with self.crm.write():
            store = self._store(table)
            return self._record(store, store.create(name, self._named(store, values), actor_id))

    def update(self, table: str, record_id: int, values: Mapping[FieldRef, Any],
               actor_id: int | None, expected_version: int | None = None) -> Record:
        """Change some values (None clears one); a 409 naming who changed the record when
        `expected_version` is not its version."""
        values = dict(values)
        name = values.pop("name", None)
        with self.crm.write():
            store = self._store(table)
            return self._record(store, store.update(record_id, expected_version, name,
                                                    self._named(store, values), actor_id))

    def archive(self, table: str, record_id: int, actor_id: int | None,
                expected_version: int | None = None) -> Record:
        with self.crm.write():
            store = self._store(table)
            return self._record(store, store.archive(record_id, actor_id, expected_version))

    # Changes

    def changed_ids(self, changes: list[dict], table: str) -> set[int]:
        """Ids of `table`'s records among the entries a changes_committed hook receives
        (plugins hear of record changes through that hook)."""
        return {int(c["row_id"]) for c in changes
                if c["plugin"] == PLUGIN and c["table_name"] == _table(table)}

    def changed_fields(self, changes: list[dict], table: str) -> set[int] | None:
        """Ids of the fields whose values the entries changed in `table`'s records; None
        when a record came, went or came back (every field counts) or a name is unknown."""
        mine = [c for c in changes if c["plugin"] == PLUGIN and c["table_name"] == _table(table)]
        if any(c["action"] != "update" for c in mine):
            return None
        names = [name for c in mine for name in c.get("fields") or ()]
        unsaid = [c["id"] for c in mine if c.get("fields") is None]  # read them back
        for start in range(0, len(unsaid), 500):
            chunk = unsaid[start:start + 500]
            for (text,) in self.crm.db.execute(
                    f"SELECT changes FROM audit_log WHERE id IN ({','.join('?' * len(chunk))})",
                    chunk):
                names.extend(orjson.loads(text))
        # the entries are of a write this thread's connection just committed
        fieldset = recent_fields(self.crm.db, _table(table))
        found = set()
        for name in names:
            fdef = fieldset.get(name)
            if fdef is None:
                return None  # renamed since, or the record's name: count it all
            found.add(fdef.id)
        return found

    # Translation between stable references and what the stores take

    def _record(self, store, data: dict) -> Record:
        values = {"name": data["name"]}
        for name, value in data["fields"].items():
            fdef = store.fields.get(name)
            if fdef is not None:
                values[_ref(fdef)] = value
        return Record(store.table, data["id"], data["version"], data["name"], values,
                      data["updated_at"], data["updated_by"])

    def _named(self, store, values: dict) -> dict:
        named = {}
        for ref, value in values.items():
            fdef = _field(store.fields, ref)
            if fdef is None:
                raise unprocessable(f"no field {ref!r} in {store.table}", field=f"fields.{ref}")
            named[fdef.name] = value
        return named

    def _field_id(self, fieldset, ref, where) -> int:
        fdef = _field(fieldset, ref)
        if fdef is None:
            raise unprocessable(f"{where}: no field {ref!r} in {fieldset.table}", field=where)
        return fdef.id

    def _filter_config(self, fieldset, group: FilterGroup, path="filters") -> dict:
        """A filter group as a view stores it: fields by id."""
        conditions = []
        for i, cond in enumerate(group.conditions):
            where = f"{path}.conditions.{i}"
            if isinstance(cond, FilterGroup):
                conditions.append(self._filter_config(fieldset, cond, where))
            else:
                conditions.append({"field": self._field_id(fieldset, cond.field, f"{where}.field"),
                                   "operator": cond.operator, "value": cond.value})
        return {"op": group.op, "conditions": conditions}


def fundraising(crm) -> FundraisingAPI:
    """The fundraising API over this CRM's database."""
    if not crm.plugin_enabled("fundraising"):  # a plugin declaring `requires` never sees this
        raise RuntimeError("the fundraising plugin is not enabled")
    return FundraisingAPI(crm)
