"""Creating, changing and archiving fields (their definitions are in field_defs)."""
import orjson

from core import audit
from core.db import utcnow
from core.errors import conflict, not_found, unprocessable
from core.versioning import check_version
from plugins.fundraising.field_defs import (PLUGIN, FieldDef, FieldSpec, load_fields,
                                             system_fields)
from plugins.fundraising.formula import FormulaError, rename_references
from plugins.fundraising.formula_fields import (RECOMPUTE_BUDGET, check_formula,
                                                recompute_column, recompute_in_chunks,
                                                save_formula, table_formulas)
from plugins.fundraising.schema import FieldValueError, validate_value
from plugins.fundraising.tables import RECORD_TABLES
from plugins.fundraising.versioning import bump_state
from plugins.fundraising.views import sync_indexes


def list_fields(db, table: str | None = None) -> list[dict]:
    tables = [table] if table else RECORD_TABLES
    return [f.to_json() for t in tables for f in load_fields(db, t).all]


def list_system_fields(table: str | None = None) -> list[dict]:
    """The read-only created/modified at/by columns of one table, or of all."""
    return [f.to_json() for t in ([table] if table else RECORD_TABLES) for f in system_fields(t)]


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


def create_field(db, spec: FieldSpec, actor_id, recompute=True) -> FieldDef:
    """Add a field in the caller's transaction (a formula's column computed in it too, unless
    not `recompute`: add_field computes it outside the write lock)."""
    options = spec.options or {}
    check_options(spec.type, options, spec.formula)
    _check_name_free(db, spec.table, spec.name)
    if spec.type == "formula":
        options = formula_options(options, check_formula(load_fields(db, spec.table), spec.formula))
    now = utcnow()
    position = db.execute("SELECT coalesce(max(position), 0) + 1 FROM fundraising_fields "
                          "WHERE table_name = ?", [spec.table]).fetchone()[0]
    field_id = db.table("fundraising_fields").insert({
        "table_name": spec.table, "name": spec.name, "type": spec.type,
        "options": orjson.dumps(options).decode(), "formula": spec.formula,
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
    row = _field_row(db, field_id)
    check_version(db, row, changes.pop("expected_version", None), "field")
    before = FieldDef.from_row(row)
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
    readers = [f.id for f in table_formulas(load_fields(db, fdef.table)).affected({fdef.name})]
    db.execute("UPDATE fundraising_fields SET deleted_at = ?, version = version + 1, "
               "updated_at = ?, updated_by = ? WHERE id = ?",
               [utcnow(), utcnow(), actor_id, field_id])
    audit.record_change(db, actor_id=actor_id, plugin=PLUGIN, table="fields", row_id=field_id,
                        action="archive", before=fdef.to_json())
    sync_indexes(db, fdef.table)  # views on the field are no longer served by an index
    if readers:  # they turn to #REF!, and what reads them follows
        recompute_column(db, fdef.table, load_fields(db, fdef.table), set(readers))
    bump_state(db, actor_id)
    return fdef


def list_archived_fields(db, table: str | None = None) -> list[dict]:
    """Archived fields (of one table, or all), the most recently archived first."""
    rows = db.query("SELECT * FROM fundraising_fields WHERE deleted_at IS NOT NULL AND "
                    "(:table IS NULL OR table_name = :table) ORDER BY deleted_at DESC, id DESC",
                    {"table": table})
    return [{**FieldDef.from_row(r).to_json(), "archived_at": r["deleted_at"]} for r in rows]


def restore_field(crm, field_id, actor_id) -> FieldDef:
    """Bring an archived field back with the values its records kept, in one write
    transaction; 409 when a live field has taken its name meanwhile. Formulas reading it
    (#REF! while it was gone) and a formula field itself are then computed again a chunk at a
    time, outside that transaction, as a changed formula is."""
    with crm.write() as db:
        rows = list(db.query("SELECT * FROM fundraising_fields WHERE id = ?", [field_id]))
        if not rows:
            raise not_found("No such field")
        if rows[0]["deleted_at"] is None:
            raise not_found(f"Field {field_id} is not archived")
        fdef = FieldDef.from_row(rows[0])
        _check_name_free(db, fdef.table, fdef.name)
        db.execute("UPDATE fundraising_fields SET deleted_at = NULL, version = version + 1, "
                   "updated_at = ?, updated_by = ? WHERE id = ?", [utcnow(), actor_id, field_id])
        after = FieldDef.from_row(_field_row(db, field_id))
        audit.record_change(db, actor_id=actor_id, plugin=PLUGIN, table="fields",
                            row_id=field_id, action="restore", after=after.to_json())
        sync_indexes(db, fdef.table)  # views on the field are served by an index again
        bump_state(db, actor_id)
        fieldset = load_fields(db, fdef.table)
    again = {f.id for f in table_formulas(fieldset).affected({fdef.name})}
    if fdef.type == "formula":
        again.add(fdef.id)
    if again:
        recompute_in_chunks(crm, fdef.table, again, RECOMPUTE_BUDGET)
    return after


def add_field(crm, spec: FieldSpec, actor_id) -> FieldDef:
    """create_field in a write transaction of its own; a formula field's column is computed
    outside it (formula_fields.save_formula: 422 when too slow)."""
    if spec.type != "formula" or not (spec.formula or "").strip():
        with crm.write() as db:
            return create_field(db, spec, actor_id)
    _check_name_free(crm.db, spec.table, spec.name)  # before the work, not only after it
    return save_formula(crm, spec.table, None, spec.name, spec.formula,
                        lambda db: create_field(db, spec, actor_id, recompute=False))


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
