"""What a table's fields are: their definitions as stored, one table's set, a field to add.

Fields, formula fields and records all build on these; this module imports none of them.
"""
import re
from dataclasses import dataclass, field

import orjson

from plugins.fundraising.schema import validate_value
from plugins.fundraising.read_cache import cached, fields_version, last

PLUGIN = "fundraising"


@dataclass
class FieldDef:
    id: int
    table: str
    name: str
    type: str
    options: dict
    formula: str | None
    builtin: str | None
    column: str | None
    position: int
    version: int
    system: bool = False  # created/modified at/by: read-only, kept by the writes

    @classmethod
    def from_row(cls, row):
        return cls(row["id"], row["table_name"], row["name"], row["type"],
                   orjson.loads(row["options"]), row["formula"], row["builtin"],
                   row["column_name"], row["position"], row["version"])

    def to_json(self) -> dict:
        return {"id": self.id, "table": self.table, "name": self.name, "type": self.type,
                "options": self.options, "formula": self.formula, "builtin": self.builtin,
                "position": self.position, "version": self.version,
                **({"system": True} if self.system else {})}

    def validate(self, value):
        return validate_value(self.type, self.options, value)


# Created and last modified, at and by: read-only columns of every table, kept by the writes
# in each record's own columns and shown as its created_*/updated_* keys, not as `fields`.
# Fixed negative ids (stored fields count up from 1), so views name them like any field.
SYSTEM_FIELDS = ((-1, "created_at", "Created at", "datetime"),
                 (-2, "created_by", "Created by", "user"),
                 (-3, "updated_at", "Last modified at", "datetime"),
                 (-4, "updated_by", "Last modified by", "user"))


def system_fields(table: str) -> list[FieldDef]:
    """The four read-only columns of `table`, after its stored fields."""
    return [FieldDef(field_id, table, name, ftype, {}, None, key, key, 10_000 + i, 1, True)
            for i, (field_id, key, name, ftype) in enumerate(SYSTEM_FIELDS)]


class FieldSet:
    """The live fields of one table, by name (case-insensitive) and by id; `system`, the
    read-only columns, are found by id and by resolve() only."""

    def __init__(self, table: str, fields: list[FieldDef]):
        self.table = table
        self.all = fields
        self.by_name = {f.name.casefold(): f for f in fields}
        self.system = system_fields(table)
        self.by_id = {f.id: f for f in (*fields, *self.system)}
        self.values = [f for f in fields if f.builtin != "name"]  # what `fields` holds
        self.layout = None  # filled by record_rows.serialize on first use
        self.formula_names = {f.name for f in fields if f.type == "formula"}
        self.compiled_formulas = None  # filled by formula_fields.table_formulas on first use

    def get(self, name: str) -> FieldDef | None:
        return self.by_name.get(name.casefold()) if isinstance(name, str) else None

    def resolve(self, ref) -> FieldDef | None:
        """A field by id (int or digit string), by name, or a system column by key or name."""
        if isinstance(ref, int) and not isinstance(ref, bool):
            return self.by_id.get(ref)
        if isinstance(ref, str) and re.fullmatch(r"-?[0-9]+", ref) and int(ref) in self.by_id:
            return self.by_id[int(ref)]
        if not isinstance(ref, str):
            return None
        return self.get(ref) or next((f for f in self.system if ref == f.builtin
                                      or ref.casefold() == f.name.casefold()), None)


def cached_fields(db, table: str, version=None) -> FieldSet:
    """load_fields, kept per connection until a field definition changes (not to be
    changed by the caller: others share it); `version`: the fields' version if read already
    (FIELDS_VERSION_SQL beside another read)."""
    return cached(db, ("fields", table), lambda: load_fields(db, table), fields_version,
                  version)


# the fields' version as a column of another query: one statement where there were two
FIELDS_VERSION_SQL = "(SELECT version FROM fundraising_fields_version WHERE id = 1)"


def recent_fields(db, table: str) -> FieldSet:
    """The field set this connection last read, unchecked (no query): right for reading the
    audit entries of a write this connection just made, which named fields as of that set."""
    return last(db, ("fields", table)) or cached_fields(db, table)


def load_fields(db, table: str) -> FieldSet:
    rows = db.query(
        "SELECT * FROM fundraising_fields WHERE table_name = ? AND deleted_at IS NULL "
        "ORDER BY position, id", [table])
    return FieldSet(table, [FieldDef.from_row(r) for r in rows])


@dataclass(frozen=True)
class FieldSpec:
    """A field to add, as POST /fields, PUT /state and an import's new columns describe it."""
    table: str
    name: str
    type: str
    options: dict = field(default_factory=dict)
    formula: str | None = None
