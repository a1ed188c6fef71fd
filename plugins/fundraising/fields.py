"""Field definitions: loading a table's fields, and creating, changing and archiving them."""
from dataclasses import dataclass

import orjson

from core import audit
from core.db import utcnow
from core.errors import conflict, not_found, unprocessable
from plugins.fundraising.formula import FormulaError, rename_references
from plugins.fundraising.formula_fields import (TableFormulas, check_formula, recompute_column,
                                                save_formula)
from plugins.fundraising.schema import FieldValueError, validate_value
from plugins.fundraising.tables import RECORD_TABLES
from plugins.fundraising.versioning import bump_state

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

    @classmethod
    def from_row(cls, row):
        return cls(row["id"], row["table_name"], row["name"], row["type"],
                   orjson.loads(row["options"]), row["formula"], row["builtin"],
                   row["column_name"], row["position"], row["version"])

    def to_json(self) -> dict:
        return {"id": self.id, "table": self.table, "name": self.name, "type": self.type,
                "options": self.options, "formula": self.formula, "builtin": self.builtin,
                "position": self.position, "version": self.version}

    def validate(self, value):
        return validate_value(self.type, self.options, value)


class FieldSet:
    """The live fields of one table, by name (case-insensitive) and by id."""

    def __init__(self, table: str, fields: list[FieldDef]):
        self.table = table
        self.all = fields
        self.by_name = {f.name.casefold(): f for f in fields}
        self.by_id = {f.id: f for f in fields}
        self.values = [f for f in fields if f.builtin != "name"]  # what `fields` holds
        self.layout = None  # filled by records.serialize on first use
        self.formula_names = {f.name for f in fields if f.type == "formula"}
        self._formulas = None

    @property
    def formulas(self):
        """This table's compiled formula fields (compiled on first use)."""
        if self._formulas is None:
            self._formulas = TableFormulas(self)
        return self._formulas

    def get(self, name: str) -> FieldDef | None:
        return self.by_name.get(name.casefold()) if isinstance(name, str) else None

    def resolve(self, ref) -> FieldDef | None:
        """A field by id (int or digit string) or by name."""
        if isinstance(ref, int) and not isinstance(ref, bool):
            return self.by_id.get(ref)
        if isinstance(ref, str) and ref.isdigit() and int(ref) in self.by_id:
            return self.by_id[int(ref)]
        return self.get(ref)


def load_fields(db, table: str) -> FieldSet:
    rows = db.query(
        "SELECT * FROM fundraising_fields WHERE table_name = ? AND deleted_at IS NULL "
        "ORDER BY position, id", [table])
    return FieldSet(table, [FieldDef.from_row(r) for r in rows])


def list_fields(db, table: str | None = None) -> list[dict]:
    tables = [table] if table else RECORD_TABLES
    return [f.to_json() for t in tables for f in load_fields(db, t).all]


# Options that only say how a formula's result is shown; the rest are its inferred result type.
FORMULA_DISPLAY_OPTIONS = ("format", "symbol", "precision", "separator")


def formula_options(options: dict, result_type: str) -> dict:
    """A formula field's stored options: its display options and its result type."""
    kept = {k: options[k] for k in FORMULA_DISPLAY_OPTIONS if options.get(k) is not None}
    return {**kept, "result_type": result_type}


def check_options(ftype: str, options: dict, formula: str | None):
    """Raise 422 when a type's options are missing or wrong."""
    if options.get("separator") is not None and ftype not in (
            "number", "currency", "percent", "formula"):
        raise unprocessable("options.separator applies to number, currency, percent and "
                            "formula fields", field="options.separator")
    if options.get("format") is not None and ftype != "formula":
        raise unprocessable("options.format applies to formula fields", field="options.format")
    if ftype in ("single_select", "multi_select"):
        choices = options.get("choices")
        if not choices:
            raise unprocessable("A select field needs at least one choice", field="options.choices")
        if len({c.casefold() for c in choices}) != len(choices) or not all(c.strip() for c in choices):
            raise unprocessable("Choices must be unique and not blank", field="options.choices")
    if ftype == "link" and options.get("table") not in RECORD_TABLES:
        raise unprocessable(f"A link field needs options.table, one of {', '.join(RECORD_TABLES)}",
                            field="options.table")
    if ftype == "formula":
        if not (formula or "").strip():
            raise unprocessable("A formula field needs a formula", field="formula")
    elif formula is not None:
        raise unprocessable("Only formula fields take a formula", field="formula")


def _field_row(db, field_id):
    rows = list(db.query("SELECT * FROM fundraising_fields WHERE id = ? AND deleted_at IS NULL",
                         [field_id]))
    if not rows:
        raise not_found("No such field")
    return rows[0]


def _check_name_free(db, table, name, except_id=None):
    # str.casefold(), as FieldSet.get looks names up: SQLite's NOCASE folds ASCII only, so
    # 'Énergie'/'énergie' and 'Straße'/'STRASSE' would both be stored and one shadowed.
    folded = name.casefold()
    clash = next((other for (other,) in db.execute(
        "SELECT name FROM fundraising_fields WHERE table_name = ? AND deleted_at IS NULL "
        "AND id IS NOT ?", [table, except_id]) if other.casefold() == folded), None)
    if clash is not None:
        raise conflict(f"name: the table already has a field named '{clash}' (names that "
                       "differ only in case are the same name)", code="name_taken", field="name")
    if folded in ("id", "version"):
        raise conflict(f"name: '{name}' is reserved", code="name_taken", field="name")


def _in_use_values(db, fdef: FieldDef):
    """Every distinct stored value of a field (for checks before narrowing its options)."""
    source = fdef.column or f"json_extract(data, '$.\"{fdef.id}\"')"
    rows = db.execute(f"SELECT DISTINCT {source} FROM fundraising_{fdef.table} "
                      f"WHERE deleted_at IS NULL AND {source} IS NOT NULL").fetchall()
    return [orjson.loads(r[0]) if fdef.type == "multi_select" else r[0] for r in rows]


def create_field(db, body, actor_id, recompute=True) -> FieldDef:
    """Add a field in the caller's transaction (a formula's column computed in it too, unless
    not `recompute`: add_field computes it outside the write lock)."""
    options = body.options or {}
    check_options(body.type, options, body.formula)
    _check_name_free(db, body.table, body.name)
    if body.type == "formula":
        options = formula_options(options, check_formula(load_fields(db, body.table), body.formula))
    now = utcnow()
    position = db.execute("SELECT coalesce(max(position), 0) + 1 FROM fundraising_fields "
                          "WHERE table_name = ?", [body.table]).fetchone()[0]
    field_id = db.table("fundraising_fields").insert({
        "table_name": body.table, "name": body.name, "type": body.type,
        "options": orjson.dumps(options).decode(), "formula": body.formula,
        "position": position, "version": 1, "created_at": now, "created_by": actor_id,
        "updated_at": now, "updated_by": actor_id}).last_pk
    fdef = FieldDef.from_row(_field_row(db, field_id))
    audit.record_change(db, actor_id=actor_id, plugin=PLUGIN, table="fields", row_id=field_id,
                        action="create", after=fdef.to_json())
    if fdef.type == "formula" and recompute:
        recompute_column(db, fdef.table, load_fields(db, fdef.table), {fdef.id})
    bump_state(db, actor_id)
    return fdef


def update_field(db, field_id, changes: dict, actor_id, recompute=True) -> FieldDef:
    """Change a field in the caller's transaction (see create_field for `recompute`)."""
    before = FieldDef.from_row(_field_row(db, field_id))
    expected = changes.pop("expected_version", None)
    if expected is not None and expected != before.version:
        raise conflict("The field was changed by someone else", code="version_conflict",
                       current_version=before.version)
    if "type" in changes and changes["type"] != before.type:
        raise unprocessable("A field's type cannot be changed; add a new field instead",
                            field="type")
    update = {}
    if "name" in changes and changes["name"] != before.name:
        _check_name_free(db, before.table, changes["name"], except_id=field_id)
        update["name"] = changes["name"]
    if before.type == "formula":
        display = changes.pop("options", None)  # the result type is inferred, not set
        options = formula_options(before.options if display is None else display,
                                  before.options.get("result_type", "text"))
        if changes.get("formula") is not None and changes["formula"] != before.formula:
            fieldset = load_fields(db, before.table)
            result = check_formula(fieldset, changes["formula"], field_id, update.get("name"))
            update["formula"] = changes["formula"]
            options["result_type"] = result
        if options != before.options:
            update["options"] = orjson.dumps(options).decode()
    elif changes.get("formula") is not None:
        raise unprocessable("Only formula fields take a formula", field="formula")
    if "options" in changes and changes["options"] != before.options:
        check_options(before.type, changes["options"], None)
        for value in _in_use_values(db, before):
            try:
                validate_value(before.type, changes["options"], value)
            except FieldValueError as exc:
                raise unprocessable(f"Stored values would no longer fit: {exc}",
                                    field="options") from None
        update["options"] = orjson.dumps(changes["options"]).decode()
    if "position" in changes:
        update["position"] = changes["position"]
    if not update:
        return before
    update.update(version=before.version + 1, updated_at=utcnow(), updated_by=actor_id)
    db.table("fundraising_fields").update(field_id, update)
    after = FieldDef.from_row(_field_row(db, field_id))
    audit.record_change(db, actor_id=actor_id, plugin=PLUGIN, table="fields", row_id=field_id,
                        action="update", before=before.to_json(), after=after.to_json())
    if "name" in update:
        _rename_in_formulas(db, before.table, before.name, after.name, actor_id)
    if "formula" in update and recompute:
        recompute_column(db, after.table, load_fields(db, after.table), {field_id})
    bump_state(db, actor_id)
    return after


def _rename_in_formulas(db, table, old, new, actor_id):
    """Rewrite {old} to {new} in every formula of the table that reads it."""
    for f in load_fields(db, table).all:
        if f.type != "formula" or not f.formula:
            continue
        try:
            rewritten = rename_references(f.formula, old, new)
        except FormulaError:
            continue
        if rewritten != f.formula:
            db.execute("UPDATE fundraising_fields SET formula = ?, version = version + 1, "
                       "updated_at = ?, updated_by = ? WHERE id = ?",
                       [rewritten, utcnow(), actor_id, f.id])
            audit.record_change(db, actor_id=actor_id, plugin=PLUGIN, table="fields",
                                row_id=f.id, action="update", before={"formula": f.formula},
                                after={"formula": rewritten})


def archive_field(db, field_id, actor_id) -> FieldDef:
    fdef = FieldDef.from_row(_field_row(db, field_id))
    if fdef.builtin:
        raise unprocessable(f"'{fdef.name}' is built in: it can be renamed, not deleted",
                            field="id", code="builtin_field")
    readers = [f.id for f in load_fields(db, fdef.table).formulas.affected({fdef.name})]
    db.execute("UPDATE fundraising_fields SET deleted_at = ?, version = version + 1, "
               "updated_at = ?, updated_by = ? WHERE id = ?",
               [utcnow(), utcnow(), actor_id, field_id])
    audit.record_change(db, actor_id=actor_id, plugin=PLUGIN, table="fields", row_id=field_id,
                        action="archive", before=fdef.to_json())
    from plugins.fundraising.views import sync_indexes  # views imports this module

    sync_indexes(db, fdef.table)  # views on the field are no longer served by an index
    if readers:  # they turn to #REF!, and what reads them follows
        recompute_column(db, fdef.table, load_fields(db, fdef.table), set(readers))
    bump_state(db, actor_id)
    return fdef


def add_field(crm, body, actor_id) -> FieldDef:
    """create_field in a write transaction of its own; a formula field's column is computed
    outside it (formula_fields.save_formula: 422 when too slow)."""
    if body.type != "formula" or not (body.formula or "").strip():
        with crm.write() as db:
            return create_field(db, body, actor_id)
    _check_name_free(crm.db, body.table, body.name)  # before the work, not only after it
    return save_formula(crm, body.table, None, body.name, body.formula,
                        lambda db: create_field(db, body, actor_id, recompute=False))


def change_field(crm, field_id, changes: dict, actor_id) -> FieldDef:
    """update_field in a write transaction of its own; a changed formula's column is computed
    outside it (formula_fields.save_formula: 422 when too slow)."""
    before = FieldDef.from_row(_field_row(crm.db, field_id))
    formula = changes.get("formula")
    if before.type != "formula" or formula is None or formula == before.formula or \
            changes.get("expected_version") not in (None, before.version):
        with crm.write() as db:
            return update_field(db, field_id, changes, actor_id)
    return save_formula(crm, before.table, field_id, changes.get("name") or before.name,
                        formula, lambda db: update_field(db, field_id, changes, actor_id,
                                                         recompute=False))
