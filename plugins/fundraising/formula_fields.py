"""Formula fields: compiled once per table, kept acyclic, recomputed when what they read changes.

A formula's value is stored in the record's `data` under the field's id, like any custom
field, so views filter and sort on it in SQL. An error is stored as {"error", "message"}.
"""
import dataclasses
import time

import orjson

from core.errors import unprocessable
from plugins.fundraising.field_defs import FieldDef, FieldSet, load_fields
from plugins.fundraising.formula import ErrorValue, FormulaError, compile_formula
from plugins.fundraising.record_rows import RowView, serialize

RECOMPUTE_BUDGET = 10.0  # seconds of evaluation for one column, computed outside the write lock
LOCKED_RECOMPUTE_BUDGET = 1.0  # the same inside a caller's write transaction (PUT /state)
RECOMPUTE_CHUNK = 500  # rows read, evaluated and written at a time
NEW_FIELD = 0  # the id a field being added is evaluated under (ids start at 1)
NOT_COMPUTED = {"error": "#ERROR!", "message": "not computed: the formula took too long; "
                "change it to compute it again"}


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


def table_formulas(fieldset: FieldSet) -> TableFormulas:
    """The table's compiled formula fields, compiled once per field set."""
    if fieldset.compiled_formulas is None:
        fieldset.compiled_formulas = TableFormulas(fieldset)
    return fieldset.compiled_formulas


def clock_field_ids(fieldset: FieldSet) -> set[int]:
    """Ids of the formula fields that read TODAY() or NOW() themselves (recompute_in_chunks
    adds those that read them)."""
    compiled = table_formulas(fieldset).compiled
    return {i for i, f in compiled.items() if getattr(f, "uses_clock", False)}


def recompute_in_chunks(crm, table: str, field_ids: set[int], seconds: float):
    """Recompute formula fields `field_ids` and what reads them over every row, a chunk per
    write transaction (other writers get in between); rows past `seconds` of evaluation get
    NOT_COMPUTED."""
    rows = crm.db.execute(f"SELECT count(*) FROM fundraising_{table}").fetchone()[0]
    _write_in_chunks(crm, table, field_ids, {}, None, Budget(seconds, rows))


def _targets(formulas: TableFormulas, field_ids) -> list[FieldDef]:
    """The formula fields `field_ids` (None: all) and every formula that reads them, directly
    or not, in dependency order."""
    targets = [f for f in formulas.order if field_ids is None or f.id in field_ids]
    wanted = {f.name for f in targets}
    return [f for f in formulas.order if f.name in wanted or formulas.sources[f.id] & wanted]


def _evaluate(rows, index, fieldset, formulas, targets, budget, strict=True) -> list[tuple]:
    """[(id, version, {data key: value})] of `rows`, their formula time charged to `budget`.
    Past it: 422 when `strict`, else the remaining rows get NOT_COMPUTED."""
    name_field = next(f.name for f in fieldset.all if f.builtin == "name")
    clock, out = time.perf_counter, []
    for row in rows:
        view = RowView(row, index)
        if budget.left <= 0:
            if strict:
                raise budget.too_slow()
            computed = {str(f.id): NOT_COMPUTED for f in targets}
        else:
            record = serialize(view, fieldset)
            values = {name_field: record["name"], **record["fields"]}
            start = clock()
            computed = formulas.compute(values, targets)
            budget.left -= clock() - start
            budget.done += 1
        out.append((view["id"], view["version"], computed))
    return out


def _write(db, table: str, results):
    """Set the computed keys of each row's `data`, leaving its other keys as they are now."""
    by_keys = {}
    for result in results:
        by_keys.setdefault(tuple(result[2]), []).append(result)
    for keys, rows in by_keys.items():
        paths = ", ".join(f"'$.\"{key}\"', json(?)" for key in keys)
        db.conn.executemany(
            f"UPDATE fundraising_{table} SET data = json_set(data, {paths}) WHERE id = ?",
            ([*(orjson.dumps(computed[key]).decode() for key in keys), record_id]
             for record_id, _, computed in rows))


def _columns(cursor) -> dict:
    return {d[0]: i for i, d in enumerate(cursor.description)}


def recompute_column(db, table: str, fieldset: FieldSet, field_ids: set[int] | None = None,
                     budget: float | None = None) -> int:
    """Recompute formula fields over every row of the table in the caller's write transaction
    (a whole-grid save, a field archived): at most `budget` seconds of evaluation
    (LOCKED_RECOMPUTE_BUDGET), else 422 and the caller's transaction rolls back."""
    formulas = TableFormulas(fieldset)
    targets = _targets(formulas, field_ids)
    if not targets:
        return 0
    cursor = db.execute(f"SELECT * FROM fundraising_{table}")
    rows = cursor.fetchall()
    budget = Budget(LOCKED_RECOMPUTE_BUDGET if budget is None else budget, len(rows))
    results = _evaluate(rows, _columns(cursor), fieldset, formulas, targets, budget)
    _write(db, table, results)
    return len(results)


def save_formula(crm, table: str, field_id: int | None, name: str, formula: str, save):
    """Add (field_id None) or change the formula field `name` of `table` without holding the
    write lock while its column is computed. Returns what save(db) returns.

    The column is evaluated first, outside any transaction, in chunks: past RECOMPUTE_BUDGET
    seconds of evaluation it is 422 and nothing is saved. Then save(db) (create_field or
    update_field, without their own recompute) runs in a short write transaction, and the
    values are written RECOMPUTE_CHUNK rows per transaction; a row changed since it was
    evaluated, or every row when the table's fields changed meanwhile, is evaluated again."""
    before = load_fields(crm.db, table)
    result_type = check_formula(before, formula, field_id, name)
    candidate = _candidate(before, field_id, name, formula, result_type)
    rows = crm.db.execute(f"SELECT count(*) FROM fundraising_{table}").fetchone()[0]
    budget = Budget(RECOMPUTE_BUDGET, rows)
    computed = _evaluate_table(crm.db, table, candidate, {field_id or NEW_FIELD}, budget)
    with crm.write() as db:
        unchanged = _signature(load_fields(db, table)) == _signature(before)
        saved = save(db)
        after = _signature(load_fields(db, table))
    if field_id is None:
        new, key = str(NEW_FIELD), str(saved.id)
        computed = {i: (version, {(key if k == new else k): v for k, v in values.items()})
                    for i, (version, values) in computed.items()}
    # rows evaluated again (changed meanwhile) may use what the first pass left, or a second
    budget = Budget(max(budget.left, LOCKED_RECOMPUTE_BUDGET), rows)
    _write_in_chunks(crm, table, {saved.id}, computed if unchanged else {}, after, budget)
    return saved


class Budget:
    """Seconds of formula evaluation left to one column recompute."""

    def __init__(self, seconds: float, rows: int):
        self.seconds, self.left, self.rows, self.done = seconds, seconds, rows, 0

    def too_slow(self):
        return unprocessable(
            f"formula: too slow for {self.rows:,} rows: {self.seconds:g} s of evaluation "
            f"computed {self.done:,} of them. Simplify it (a regular expression that "
            "backtracks?) or compute less per row", field="formula", code="formula_too_slow",
            rows=self.rows)


def _signature(fieldset: FieldSet) -> tuple:
    """What formula values depend on besides the records: the fields' names, types, formulas."""
    return tuple((f.id, f.name, f.type, f.formula) for f in fieldset.all)


def _candidate(fieldset: FieldSet, field_id, name, formula, result_type) -> FieldSet:
    """The table's fields as they will be once the formula is saved (a new field as NEW_FIELD;
    a changed one keeps its name, which the formulas reading it use until the save)."""
    options = {"result_type": result_type}
    if field_id is None:
        fields = [*fieldset.all, FieldDef(NEW_FIELD, fieldset.table, name, "formula", options,
                                          formula, None, None, 1 << 30, 0)]
    else:
        fields = [dataclasses.replace(f, formula=formula, options=options) if f.id == field_id
                  else f for f in fieldset.all]
    return FieldSet(fieldset.table, fields)


def _chunk(db, table, after_id):
    cursor = db.execute(f"SELECT * FROM fundraising_{table} WHERE id > ? ORDER BY id LIMIT ?",
                        [after_id, RECOMPUTE_CHUNK])
    return cursor.fetchall(), _columns(cursor)


def _evaluate_table(db, table, fieldset, field_ids, budget) -> dict:
    """{id: (version, {data key: value})} of every row, read a chunk at a time (no read
    transaction is held across chunks); 422 past the budget."""
    formulas = TableFormulas(fieldset)
    targets = _targets(formulas, field_ids)
    computed, after_id = {}, 0
    while True:
        rows, index = _chunk(db, table, after_id)
        if not rows:
            return computed
        for record_id, version, values in _evaluate(rows, index, fieldset, formulas, targets,
                                                    budget):
            computed[record_id] = (version, values)
        after_id = rows[-1][index["id"]]


def _write_in_chunks(crm, table, field_ids, computed, computed_for, budget):
    """Write the column a chunk per write transaction, other writers getting in between.

    A chunk uses `computed` while the fields are still `computed_for`; rows evaluated anew are
    evaluated outside the lock, and a row changed since then again inside it."""
    compiled, after_id = {}, 0
    while True:
        fieldset = load_fields(crm.db, table)
        signature = _signature(fieldset)
        if signature not in compiled:
            formulas = TableFormulas(fieldset)
            compiled[signature] = formulas, _targets(formulas, field_ids)
        formulas, targets = compiled[signature]
        rows, index = _chunk(crm.db, table, after_id)
        if not targets or not rows:
            return  # the field was archived meanwhile, or every row is done
        known = computed if signature == computed_for else {}
        id_at, version_at = index["id"], index["version"]
        fresh = [r for r in rows if known.get(r[id_at], (None,))[0] != r[version_at]]
        results = {r[id_at]: (r[id_at], r[version_at], known[r[id_at]][1]) for r in rows
                   if known.get(r[id_at], (None,))[0] == r[version_at]}
        for result in _evaluate(fresh, index, fieldset, formulas, targets, budget, strict=False):
            results[result[0]] = result
        with crm.write() as db:
            if _signature(load_fields(db, table)) != signature:
                continue  # the fields changed since this chunk was evaluated: again
            _write(db, table, _still_current(db, table, list(results.values()), fieldset,
                                             formulas, targets, budget))
        after_id = rows[-1][id_at]


def _still_current(db, table, results, fieldset, formulas, targets, budget):
    """`results` with the rows changed since they were read evaluated again, in `db`'s
    transaction."""
    marks = ",".join("?" * len(results))
    versions = dict(db.execute(f"SELECT id, version FROM fundraising_{table} WHERE id IN "
                               f"({marks})", [r[0] for r in results]).fetchall())
    stale = [r[0] for r in results if versions.get(r[0]) != r[1]]
    if not stale:
        return results
    cursor = db.execute(f"SELECT * FROM fundraising_{table} WHERE id IN "
                        f"({','.join('?' * len(stale))})", stale)
    again = {r[0]: r for r in _evaluate(cursor.fetchall(), _columns(cursor), fieldset,
                                        formulas, targets, budget, strict=False)}
    return [again.get(r[0], r) for r in results]
