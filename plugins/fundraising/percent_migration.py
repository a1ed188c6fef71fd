"""Migration: percent values written on the 0-100 scale become fractions (40 -> 0.4).

Before it, the importer stored fractions (12.5% as 0.125, as Airtable's API does) while POST,
PATCH and PUT /state stored the number sent, and the grid's editor sent 40 for 40%. A value
is moved only where its scale can be told, from its size and the audit log:

1. |v| <= 1 is left alone: 0.5 may be an imported 50% or a typed 0.5%.
2. A value last written by an import is left alone (the importer always stored fractions):
   its create entry keeps no values and says "import <table>"; its updates say
   "import <table> '<name>'" since this release.
3. |v| > 1 last written through the API (a create or update entry holding that value:
   POST, PATCH, PUT /state, the grid) was typed on the 0-100 scale: it becomes v / 100.
   Before this release an import's update of an existing record was logged like an edit,
   so an imported value over 100% written into an existing record would be moved too; such
   values are rare, and every move has its own audit entry to find it by.
4. |v| > 1 that no audit entry explains (restored from a backup, written by SQL) becomes
   v / 100 when the field's imported values are all within -100%..100% (the field holds
   fractions of at most 100%); otherwise it is left alone.

A saved view's filter value over 1 on a percent field (typed as a percentage in the filter
panel: Probability >= 50) becomes a fraction too.

Each moved value gets an audit entry (update, before and after, summary naming this
migration) and a new record version; formula fields reading a moved field are computed again.
"""
import orjson

from core import audit
from core.db import utcnow
from plugins.fundraising.field_defs import load_fields
from plugins.fundraising.formula_fields import recompute_column, table_formulas

PLUGIN = "fundraising"
SUMMARY = "percent to fraction (migration): {old} -> {new}"
RECOMPUTE_SECONDS = 600.0  # a migration has to finish; formulas are bounded per row anyway


def _percent_fields(db):
    return list(db.execute(
        "SELECT id, table_name, name, created_at FROM fundraising_fields "
        "WHERE type = 'percent' AND column_name IS NULL AND deleted_at IS NULL"))


def _names_of(db, field_id, name) -> set[str]:
    """Every name the field has had (audit entries key values by the name at the time)."""
    names = {name}
    for (changes,) in db.execute(
            "SELECT changes FROM audit_log WHERE plugin = ? AND table_name = 'fields' "
            "AND row_id = ?", [PLUGIN, str(field_id)]):
        names.update(n for n in orjson.loads(changes).get("name", ()) if isinstance(n, str))
    return names


def _writers(db, table, field_ids_names, since) -> dict:
    """{(record id, field id): ('import' | 'api' | 'unknown', value)}: who last wrote each
    value, walking the table's audit entries oldest first."""
    last = {}
    for row_id, action, changes, summary in db.execute(
            "SELECT row_id, action, changes, summary FROM audit_log WHERE plugin = ? AND "
            "table_name = ? AND action IN ('create', 'update') AND at >= ? ORDER BY id",
            [PLUGIN, table, since]):
        if not row_id.isdigit():
            continue
        record_id, changes = int(row_id), orjson.loads(changes)
        by_import = (summary or "").startswith("import ")
        for field_id, names in field_ids_names.items():
            if action == "create" and not changes and by_import:
                last[(record_id, field_id)] = ("import", None)
            elif "data" in changes:  # a restore from a backup writes whole rows
                last[(record_id, field_id)] = ("unknown", None)
            else:
                hit = next((changes[n] for n in names if n in changes), None)
                if hit is not None:
                    last[(record_id, field_id)] = ("import" if by_import else "api", hit[1])
    return last


def _stored(db, table, field_id):
    path = f'$."{field_id}"'
    return list(db.execute(
        f"SELECT id, json_extract(data, ?) FROM fundraising_{table} "
        f"WHERE json_type(data, ?) IN ('integer', 'real')", [path, path]))


def _moves(db, table, fields) -> dict:
    """{record id: {field id: (old, new)}} of the values to move in one table."""
    since = min(created for _, _, created in fields)
    names = {field_id: _names_of(db, field_id, name) for field_id, name, _ in fields}
    writers = _writers(db, table, names, since)
    moves = {}
    for field_id, _, _ in fields:
        values = _stored(db, table, field_id)
        imported = [v for record_id, v in values
                    if writers.get((record_id, field_id), ("",))[0] == "import"]
        fractions = bool(imported) and all(abs(v) <= 1 for v in imported)
        for record_id, value in values:
            if abs(value) <= 1:
                continue
            kind, written = writers.get((record_id, field_id), ("unknown", None))
            if kind == "api" and written != value:  # changed since, by something unlogged
                kind = "unknown"
            if kind == "api" or (kind == "unknown" and fractions):
                new = float(repr(value) + "e-2")  # one rounding: 12.3 -> 0.123
                moves.setdefault(record_id, {})[field_id] = (
                    value, int(new) if new.is_integer() else new)
    return moves


def _apply(db, table, moves, field_names):
    now = utcnow()
    for record_id, changed in moves.items():
        (data,) = db.execute(f"SELECT data FROM fundraising_{table} WHERE id = ?",
                             [record_id]).fetchone()
        stored = orjson.loads(data)
        for field_id, (_, new) in changed.items():
            stored[str(field_id)] = new
        db.execute(f"UPDATE fundraising_{table} SET data = ?, version = version + 1, "
                   "updated_at = ? WHERE id = ?", [orjson.dumps(stored).decode(), now, record_id])
        audit.record_change(
            db, actor_id=None, plugin=PLUGIN, table=table, row_id=record_id, action="update",
            before={field_names[f]: old for f, (old, _) in changed.items()},
            after={field_names[f]: new for f, (_, new) in changed.items()},
            summary=SUMMARY.format(old=", ".join(str(o) for o, _ in changed.values()),
                                   new=", ".join(str(n) for _, n in changed.values())))


def _scale_conditions(group, percent_ids) -> bool:
    """Divide by 100 each condition value over 1 on a percent field; True if any changed."""
    changed = False
    for cond in group.get("conditions", []):
        if "conditions" in cond:
            changed = _scale_conditions(cond, percent_ids) or changed
            continue
        value = cond.get("value")
        if cond.get("field") in percent_ids and isinstance(value, (int, float)) and \
                not isinstance(value, bool) and abs(value) > 1:
            fraction = float(repr(value) + "e-2")
            cond["value"] = int(fraction) if fraction.is_integer() else fraction
            changed = True
    return changed


def _views(db):
    """Saved filters on a percent field compare with fractions now: a value over 1 was typed
    as a percentage in the filter panel (Probability >= 50), and becomes 0.5."""
    percent_ids = {}
    for field_id, table, name in db.execute(
            "SELECT id, table_name, name FROM fundraising_fields WHERE type = 'percent'"):
        percent_ids.setdefault(table, set()).update({field_id, str(field_id), name})
    for view_id, table, config in list(db.execute(
            "SELECT id, table_name, config FROM fundraising_views WHERE deleted_at IS NULL")):
        config = orjson.loads(config)
        filters = config.get("filters")
        if isinstance(filters, dict) and _scale_conditions(filters, percent_ids.get(table, ())):
            db.execute("UPDATE fundraising_views SET config = ?, version = version + 1 "
                       "WHERE id = ?", [orjson.dumps(config).decode(), view_id])


def percent_to_fraction(db):
    """Move percent values written on the 0-100 scale to fractions (rules above), and
    saved filters on percent fields with them."""
    _views(db)
    by_table = {}
    for field_id, table, name, created in _percent_fields(db):
        by_table.setdefault(table, []).append((field_id, name, created))
    for table, fields in by_table.items():
        moves = _moves(db, table, fields)
        if not moves:
            continue
        field_names = {field_id: name for field_id, name, _ in fields}
        _apply(db, table, moves, field_names)
        fieldset = load_fields(db, table)
        moved = {field_names[f] for changed in moves.values() for f in changed}
        readers = {f.id for f in table_formulas(fieldset).affected(moved)}
        if readers:
            recompute_column(db, table, fieldset, readers, budget=RECOMPUTE_SECONDS)
