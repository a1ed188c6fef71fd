"""Formula fields: compiled once per table, kept acyclic, recomputed when what they read changes.

A formula's value is stored in the record's `data` under the field's id, like any custom
field, so views filter and sort on it in SQL. An error is stored as {"error", "message"}.
"""
from __future__ import annotations

import orjson

from core.errors import unprocessable
from plugins.fundraising.formula import ErrorValue, FormulaError, compile_formula


def field_types(fieldset: FieldSet, exclude: int | None = None) -> dict[str, str]:
    """name -> type as the engine reads it ('formula:number' for formula fields)."""
    types = {}
    for f in fieldset.all:
        if f.id == exclude:
            continue
        types[f.name] = (f"formula:{f.options.get('result_type', 'text')}"
                         if f.type == "formula" else f.type)
    return types


def stored(value):
    return value.to_json() if isinstance(value, ErrorValue) else value


class TableFormulas:
    """The formula fields of one table in an order where each comes after what it reads."""

    def __init__(self, fieldset: FieldSet):
        types = field_types(fieldset)
        self.by_name = {f.name: f for f in fieldset.all}
        self.compiled: dict[int, object] = {}
        formulas = [f for f in fieldset.all if f.type == "formula"]
        self.formula_names = [f.name for f in formulas]
        reads: dict[int, set[str]] = {}
        for f in formulas:
            try:
                formula = compile_formula(f.formula or "", types)
                self.compiled[f.id] = formula
                reads[f.id] = set(formula.references)
            except FormulaError as exc:  # e.g. a field it reads was deleted: #REF!
                code = "#REF!" if "unknown field" in exc.message else "#ERROR!"
                self.compiled[f.id] = ErrorValue(code, exc.message, exc.position)
                reads[f.id] = set()
        self.order = _topological(formulas, reads, self.compiled)
        self.sources = _sources(formulas, reads, self.by_name)

    def affected(self, changed: set[str] | None) -> list[FieldDef]:
        """Formula fields to recompute when `changed` names change (None: all of them)."""
        if changed is None:
            return list(self.order)
        return [f for f in self.order if self.sources[f.id] & changed]

    def compute(self, values: dict, fields: list[FieldDef]) -> dict[str, object]:
        """{data key: stored value} for `fields`; `values` (by name) gains each result."""
        out = {}
        for name in self.formula_names:  # stored errors read back as errors
            value = values.get(name)
            if value.__class__ is dict and "error" in value:
                values[name] = ErrorValue(value["error"], value.get("message", ""))
        for f in fields:
            formula = self.compiled[f.id]
            value = formula if isinstance(formula, ErrorValue) else formula.evaluate(values)
            values[f.name] = value
            out[str(f.id)] = stored(value)
        return out


def _topological(formulas, reads, compiled):
    """Formulas ordered by dependency; members of a cycle become #CIRCULAR! errors."""
    names = {f.name: f for f in formulas}
    order, state = [], {}

    def visit(f, path):
        if state.get(f.id) == "done":
            return
        if state.get(f.id) == "open":
            for member in path[path.index(f.id):]:
                compiled[member] = ErrorValue("#ERROR!", "#CIRCULAR! reference", 0)
            return
        state[f.id] = "open"
        for name in reads[f.id]:
            if name in names:
                visit(names[name], path + [f.id])
        state[f.id] = "done"
        order.append(f)

    for f in formulas:
        visit(f, [])
    return order


def _sources(formulas, reads, by_name):
    """Per formula: every field name it reads, directly or through other formulas."""
    memo = {}

    def closure(f, seen):
        if f.id in memo:
            return memo[f.id]
        names = set(reads[f.id])
        for name in reads[f.id]:
            other = by_name.get(name)
            if other is not None and other.type == "formula" and other.id not in seen:
                names |= closure(other, seen | {f.id})
        memo[f.id] = names
        return names

    return {f.id: closure(f, {f.id}) for f in formulas}


def check_formula(fieldset: FieldSet, expression: str, field_id=None, name=None) -> str:
    """Compile a formula for a new or changed field; 422 on errors and cycles.

    Returns its result type."""
    try:
        formula = compile_formula(expression, field_types(fieldset))
    except FormulaError as exc:
        raise unprocessable(f"formula: {exc.message}", field="formula", code="formula_invalid",
                            position=exc.position) from None
    if field_id is not None:
        own = fieldset.by_id[field_id].name
        pending = list(formula.references)
        seen = set()
        while pending:
            ref = pending.pop()
            if ref.casefold() == own.casefold():
                raise unprocessable(f"formula: '{name or own}' would depend on itself "
                                    "(#CIRCULAR!)", field="formula", code="circular")
            other = fieldset.get(ref)
            if other is not None and other.type == "formula" and other.id not in seen:
                seen.add(other.id)
                try:
                    pending += compile_formula(other.formula, field_types(fieldset)).references
                except FormulaError:
                    continue
    return formula.result_type


def recompute_column(db, table: str, fieldset: FieldSet, field_ids: set[int] | None = None):
    """Recompute formula fields over every row of the table (after a formula changes)."""
    from plugins.fundraising.records import RowView, serialize  # records imports this module

    formulas = TableFormulas(fieldset)
    targets = [f for f in formulas.order if field_ids is None or f.id in field_ids]
    # formulas that read a target (directly or not) change with it
    wanted = {f.name for f in targets}
    targets = [f for f in formulas.order
               if f.name in wanted or formulas.sources[f.id] & wanted]
    if not targets:
        return 0
    cursor = db.execute(f"SELECT * FROM fundraising_{table}")
    index = {d[0]: i for i, d in enumerate(cursor.description)}
    name_field = next(f.name for f in fieldset.all if f.builtin == "name")
    updates = []
    for row in cursor.fetchall():
        view = RowView(row, index)
        record = serialize(view, fieldset)
        values = {name_field: record["name"], **record["fields"]}
        data = orjson.loads(view["data"])
        data.update(formulas.compute(values, targets))
        updates.append((orjson.dumps(data).decode(), view["id"]))
    db.conn.executemany(f"UPDATE fundraising_{table} SET data = ? WHERE id = ?", updates)
    return len(updates)
