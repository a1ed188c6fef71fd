"""Column totals and groups of a view, in SQL over the same WHERE as the list query.

Each field's value is read once per row: the values are selected in a subquery with
`LIMIT -1`, which SQLite does not flatten into an aggregate query, so a field's
json_extract runs once per row however many aggregates read it."""
from core.errors import unprocessable
from plugins.fundraising.field_defs import FieldDef
from plugins.fundraising.query import FORMULA_KINDS, NUMBER_TYPES, TEXT_TYPES, field_sql

MAX_TOTAL_FIELDS = 200  # fields totalled in one request (each is 1 to 5 aggregates)
MAX_GROUPS = 200  # groups listed; the rest are summed up as `others`
MAX_GROUP_SUMS = 20  # fields summed per group
MAX_LABEL = 200  # characters of a group's label (a long text value is cut)


def total_kind(fdef: FieldDef) -> str:
    """What a field's total is: number (sum, average, min, max, filled), checkbox
    (checked), date (earliest, latest, filled) or filled (how many have a value)."""
    ftype = FORMULA_KINDS.get(fdef.options.get("result_type")) if fdef.type == "formula" \
        else fdef.type
    if ftype in NUMBER_TYPES or ftype == "number":
        return "number"
    if ftype in ("checkbox", "date", "datetime"):
        return "date" if ftype == "datetime" else ftype
    return "filled"


def _is_multi(fdef: FieldDef) -> bool:
    return (fdef.type == "multi_select" or (fdef.type == "link" and fdef.options.get("multiple", True))
            or (fdef.type == "formula" and fdef.options.get("result_type") == "array"))


def _number_sql(fdef: FieldDef) -> str:
    """The value when it is a number (a formula's stored error is not)."""
    expr = field_sql(fdef)
    return f"CASE WHEN typeof({expr}) IN ('integer', 'real') THEN {expr} END"


def _filled_sql(fdef: FieldDef) -> str:
    """1 when the field holds a value: text not empty, a list not empty, a formula not
    an error."""
    expr = field_sql(fdef)
    if _is_multi(fdef):
        return f"(json_type({expr}) = 'array' AND json_array_length({expr}) > 0)"
    if fdef.type == "formula":
        return f"({expr} IS NOT NULL AND {expr} != '' AND json_type(data, '$.\"{fdef.id}\"') != 'object')"
    if fdef.type in TEXT_TYPES or fdef.type == "long_text":
        return f"({expr} IS NOT NULL AND {expr} != '')"
    return f"({expr} IS NOT NULL)"


def _rows_sql(table: str, columns: list[str], where: str) -> str:
    """The values of the matching live rows, not flattened into the query around it."""
    listed = ", ".join(f"{c} AS c{i}" for i, c in enumerate(columns)) or "1 AS c0"
    return (f"SELECT {listed} FROM fundraising_{table} "
            f"WHERE deleted_at IS NULL AND ({where}) LIMIT -1")


def column_totals(db, table: str, fields: list[FieldDef], where: str, params: list) -> dict:
    """{"total": rows, "totals": [per field: its kind and aggregates]} of the rows `where`."""
    columns, aggregates = [], []
    for fdef in fields:
        kind, c = total_kind(fdef), f"c{len(columns)}"
        if kind == "number":
            columns.append(_number_sql(fdef))
            aggregates += [f"count({c})", f"total({c})", f"avg({c})", f"min({c})", f"max({c})"]
        elif kind == "checkbox":
            columns.append(f"coalesce({field_sql(fdef)}, 0) = 1")
            aggregates.append(f"total({c})")
        elif kind == "date":
            expr = field_sql(fdef)
            if fdef.type == "formula":  # a stored error is no date
                expr = f"CASE WHEN json_type(data, '$.\"{fdef.id}\"') = 'text' THEN {expr} END"
            columns.append(f"substr({expr}, 1, 10)" if fdef.type == "datetime" else expr)
            aggregates += [f"count({c})", f"min({c})", f"max({c})"]
        else:
            columns.append(_filled_sql(fdef))
            aggregates.append(f"total({c})")
    sql = (f"SELECT count(*){''.join(', ' + a for a in aggregates)} "
           f"FROM ({_rows_sql(table, columns, where)})")
    row = list(db.execute(sql, params).fetchone())
    total, values = row[0], iter(row[1:])
    totals = []
    for fdef in fields:
        kind = total_kind(fdef)
        entry = {"field": fdef.id, "name": fdef.name, "type": fdef.type, "kind": kind}
        if kind == "number":
            filled, summed, average, low, high = (next(values) for _ in range(5))
            entry.update(filled=filled, empty=total - filled, sum=_plain(summed),
                         average=average, min=low, max=high)
        elif kind == "checkbox":
            checked = int(next(values))
            entry.update(checked=checked, unchecked=total - checked)
        elif kind == "date":
            filled, low, high = (next(values) for _ in range(3))
            entry.update(filled=filled, empty=total - filled, earliest=low, latest=high)
        else:
            filled = int(next(values))
            entry.update(filled=filled, empty=total - filled)
        totals.append(entry)
    return {"total": total, "totals": totals}


def _plain(number):
    """A sum as an int when it is whole (total() always answers a float)."""
    return int(number) if isinstance(number, float) and number.is_integer() \
        and abs(number) < 2 ** 53 else number


def check_group_field(fdef: FieldDef | None, ref) -> FieldDef:
    """The field to group by; 422 when there is none or it is a long text (a note per
    record makes a group per record)."""
    if fdef is None:
        raise unprocessable(f"field: no field '{ref}'", field="field")
    if fdef.type == "long_text":
        raise unprocessable(f"field: records cannot be grouped by the long text field "
                            f"'{fdef.name}'", field="field")
    return fdef


def _group_key_sql(fdef: FieldDef) -> str:
    """SQL of a row's group key: a timestamp's day, no value and an empty text alike (a
    list's JSON, split into its items by _grouped_rows)."""
    expr = field_sql(fdef)
    if _is_multi(fdef):
        return expr
    if fdef.type == "datetime":
        return f"substr({expr}, 1, 10)"
    if total_kind(fdef) == "checkbox":
        return f"coalesce({expr}, 0) = 1"
    if fdef.type == "formula":
        return f"CASE WHEN json_type(data, '$.\"{fdef.id}\"') != 'object' THEN NULLIF({expr}, '') END"
    return f"NULLIF({expr}, '')"


def _grouped_rows(table: str, fdef: FieldDef, sums: list[FieldDef], where: str) -> str:
    """SQL of the rows as grouped: k, the group key, and c1.. the values to sum. A record
    counts once in each item of a list, and one with an empty list in the empty group."""
    inner = _rows_sql(table, [_group_key_sql(fdef), *(_number_sql(f) for f in sums)], where)
    if not _is_multi(fdef):
        return f"SELECT c0 AS k, * FROM ({inner})"
    return (f"SELECT j.value AS k, r.* FROM ({inner}) AS r LEFT JOIN json_each(CASE WHEN "
            "json_type(r.c0) = 'array' THEN r.c0 END) AS j")


def _is_text(fdef: FieldDef) -> bool:
    return total_kind(fdef) == "filled" and fdef.type not in ("user", "link")


def _collation(fdef: FieldDef) -> str:
    """Text is grouped without case ("Acme" and "acme" are one group), as it is filtered."""
    exact = _is_multi(fdef) or fdef.type == "single_select"  # choices are matched exactly
    return " COLLATE NOCASE" if _is_text(fdef) and not exact else ""


def _group_order(fdef: FieldDef) -> str:
    """Groups in the order a person looks for them: a select's choices as listed, then by
    value (text without case); the empty group last."""
    text = _is_text(fdef)
    choices = fdef.options.get("choices") if fdef.type in ("single_select", "multi_select") else None
    rank = ""
    if choices:
        cases = " ".join(f"WHEN {_literal(c)} THEN {i}" for i, c in enumerate(choices[:1000]))
        rank = f"CASE k {cases} ELSE {len(choices)} END, "
    return f"k IS NULL, {rank}k{' COLLATE NOCASE' if text else ''}"


def _literal(text: str) -> str:
    return "'" + str(text).replace("'", "''") + "'"


def _sums(sums: list[FieldDef], values) -> dict:
    return {str(f.id): _plain(s) for f, s in zip(sums, values)}


def record_groups(db, table: str, fdef: FieldDef, sums: list[FieldDef], where: str,
                  params: list) -> dict:
    """The groups of the rows `where` by `fdef`'s value, at most MAX_GROUPS, each with its
    count and the sums of `sums`; the groups past them summed up as `others`."""
    rows_sql = _grouped_rows(table, fdef, sums, where)
    summed = "".join(f", total(c{i + 1})" for i in range(len(sums)))
    key = f"k{_collation(fdef)}"  # text groups as the list's `is` filter matches: without case
    rows = db.execute(f"SELECT k, count(*){summed} FROM ({rows_sql}) GROUP BY {key} "
                      f"ORDER BY {_group_order(fdef)} LIMIT {MAX_GROUPS + 1}", params).fetchall()
    shown = rows[:MAX_GROUPS]
    if len(rows) > MAX_GROUPS:  # the empty group sorts last: read it apart, past the cap
        empty = db.execute(f"SELECT k, count(*){summed} FROM ({rows_sql}) WHERE k IS NULL "
                           "GROUP BY k", params).fetchone()
        shown += [empty] if empty else []
    overall = db.execute(f"SELECT count(*){''.join(f', total(c{i})' for i in range(len(sums)))} "
                         f"FROM ({_rows_sql(table, [_number_sql(f) for f in sums], where)})",
                         params).fetchone()
    labels = _labels(db, fdef, [r[0] for r in shown])
    groups = [{"value": _group_value(fdef, r[0]), "label": labels[r[0]], "count": r[1],
               "sums": _sums(sums, r[2:])} for r in shown]
    others = None
    if len(rows) > MAX_GROUPS:
        kept = [r[0] for r in shown if r[0] is not None]
        row = db.execute(f"SELECT count(DISTINCT {key}), count(*){summed} FROM ({rows_sql}) "
                         f"WHERE k IS NOT NULL AND {key} NOT IN ({', '.join('?' * len(kept))})",
                         [*params, *kept]).fetchone()
        others = {"groups": row[0], "count": row[1], "sums": _sums(sums, row[2:])}
    return {"field": fdef.id, "total": overall[0], "sum_fields": [f.id for f in sums],
            "sums": _sums(sums, overall[1:]), "groups": groups, "others": others}


def _group_value(fdef: FieldDef, key):
    if key is None:
        return None
    if total_kind(fdef) == "checkbox":
        return bool(key)
    if isinstance(key, str) and len(key) > MAX_LABEL:
        return key[:MAX_LABEL]
    return key


def _labels(db, fdef: FieldDef, keys: list) -> dict:
    """Names of the users or linked records that are group keys; a value's own text else."""
    ids = [k for k in keys if isinstance(k, int)]
    source = None
    if fdef.type == "user":
        source = "users"
    elif fdef.type == "link":
        source = f"fundraising_{fdef.options.get('table')}"
        if fdef.options.get("table") not in ("investors", "contacts", "funds", "commitments"):
            source = None
    names = {}
    if source and ids:
        names = dict(db.execute(f"SELECT id, name FROM {source} WHERE id IN "
                                f"({', '.join('?' * len(ids))})", ids).fetchall())
    labels = {}
    for k in keys:
        if k is None:
            labels[k] = None
        elif source:
            labels[k] = names.get(k, f"#{k}")
        elif total_kind(fdef) == "checkbox":
            labels[k] = "Checked" if k else "Unchecked"
        else:
            labels[k] = str(k)[:MAX_LABEL]
    return labels
