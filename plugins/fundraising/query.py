"""Views as SQL: a filter group becomes a WHERE clause, sorts an ORDER BY, nothing in Python."""
import hashlib
from datetime import date, timedelta

from core.errors import unprocessable
from plugins.fundraising.field_defs import FieldDef, FieldSet
from plugins.fundraising.schema import FieldValueError, percent_value

TEXT_TYPES = {"text", "long_text", "email", "url", "phone", "single_select"}
NUMBER_TYPES = {"number", "currency", "percent"}
TEXT_OPS = {"is", "is_not", "contains", "not_contains", "is_empty", "is_not_empty"}
NUMBER_OPS = {"=", "!=", "<", "<=", ">", ">=", "is_empty", "is_not_empty"}
DATE_OPS = {"is", "is_not", "before", "after", "within", "is_empty", "is_not_empty"}
MULTI_OPS = {"has_any_of", "has_all_of", "is_empty", "is_not_empty"}
ID_OPS = {"is", "is_not", "is_empty", "is_not_empty"}
MAX_DEPTH = 8


def field_sql(fdef: FieldDef) -> str:
    """The SQL expression of a field's stored value (the same text the indexes use)."""
    if fdef.column:
        return fdef.column
    return f"json_extract(data, '$.\"{fdef.id}\"')"


FORMULA_KINDS = {"number": "number", "date": "date", "datetime": "date", "checkbox": "checkbox",
                 "array": "multi"}


def _kind(fdef: FieldDef) -> str:
    if fdef.type == "datetime":  # Created at, Last modified at: filtered by their UTC day
        return "date"
    if fdef.type == "formula":
        return FORMULA_KINDS.get(fdef.options.get("result_type"), "text")
    if fdef.type in TEXT_TYPES:
        return "text"
    if fdef.type in NUMBER_TYPES:
        return "number"
    if fdef.type == "date":
        return "date"
    if fdef.type == "checkbox":
        return "checkbox"
    if fdef.type == "multi_select" or (fdef.type == "link" and fdef.options.get("multiple", True)):
        return "multi"
    if fdef.type in ("link", "user"):
        return "id"
    return "text"


OPERATORS = {"text": TEXT_OPS, "number": NUMBER_OPS, "date": DATE_OPS, "checkbox": {"is"},
             "multi": MULTI_OPS, "id": ID_OPS}


def sort_key_sql(fdef: FieldDef) -> str:
    expr = field_sql(fdef)
    if fdef.system and fdef.type == "user":  # Created by, Last modified by: by the name shown
        return f"(SELECT name FROM users WHERE users.id = {expr}) COLLATE NOCASE"
    return f"{expr} COLLATE NOCASE" if _kind(fdef) == "text" else expr


# Indexes made for shared views are named fundraising_<table>_f<field id> (one JSON-stored
# field) and fundraising_<table>_v_<hash> (a view's filter-and-sort order); no other index is
# named fundraising_..., so these are recognised, counted and dropped by name.
MAX_VIEW_INDEXES = 20  # per table: more views are served unindexed


def is_view_index(table: str, name: str) -> bool:
    """Whether `name` is an index made for a saved view of `table`."""
    rest = name.removeprefix(f"fundraising_{table}_")
    if rest == name:
        return False
    if rest.startswith("f"):
        return rest[1:].isdigit()
    return (rest.startswith("v_") and len(rest) == 14
            and all(c in "0123456789abcdef" for c in rest[2:]))


def index_sql(table: str, fdef: FieldDef) -> tuple[str, str] | None:
    """(name, SQL) of an expression index on a JSON-stored field used by a saved view."""
    if fdef.column:
        return None
    name = f"fundraising_{table}_f{fdef.id}"
    return name, f"CREATE INDEX IF NOT EXISTS {name} ON fundraising_{table}({sort_key_sql(fdef)})"


def view_index_sql(table: str, fieldset: FieldSet, filters: dict | None,
                   sorts: list) -> tuple[str, str] | None:
    """(name, SQL) of a partial index that serves a saved view: its top-level equality
    filters, then its sort keys in order, then id, over live rows. SQLite then walks the index
    instead of sorting."""
    equal = []
    if filters and filters.get("op", "and") == "and":
        for cond in filters.get("conditions", []):
            fdef = fieldset.resolve(cond.get("field")) if "field" in cond else None
            if fdef is not None and cond.get("operator") in ("is", "=") and \
                    _kind(fdef) in ("text", "number", "id") and fdef.type != "formula":
                equal.append(field_sql(fdef) if fdef.type == "single_select" or _kind(fdef) != "text"
                             else None)
    equal = [e for e in equal if e][:3]
    keys = []
    for sort in sorts:
        fdef = fieldset.resolve(sort.get("field"))
        if fdef is not None and fdef.system and fdef.type == "user":
            return None  # a sort by a person's name is a subquery: no index can hold it
        if fdef is not None:
            keys.append(f"{sort_key_sql(fdef)} {'DESC' if sort.get('direction') == 'desc' else 'ASC'}")
    if not keys:
        return None
    last = "DESC" if sorts[-1].get("direction") == "desc" else "ASC"
    columns = ", ".join([*equal, *keys, f"id {last}"])
    name = f"fundraising_{table}_v_{hashlib.sha1(columns.encode()).hexdigest()[:12]}"
    return name, (f"CREATE INDEX IF NOT EXISTS {name} ON fundraising_{table}({columns}) "
                  "WHERE deleted_at IS NULL")


class Compiler:
    def __init__(self, fieldset: FieldSet, user_id=None, today: date | None = None):
        self.fieldset = fieldset
        self.user_id = user_id
        self.today = today or date.today()
        self.params: list = []

    def where(self, group, path="filters") -> str:
        sql = self._group(group, path, 0)
        return sql or "1"

    def _group(self, group, path, depth):
        if depth > MAX_DEPTH:
            raise unprocessable("Filter groups are nested too deeply", field=path)
        op = group.get("op", "and")
        parts = []
        for i, cond in enumerate(group.get("conditions", [])):
            where = f"{path}.conditions.{i}"
            if "conditions" in cond:
                sql = self._group(cond, where, depth + 1)
            else:
                sql = self._condition(cond, where)
            if sql:
                parts.append(f"({sql})")
        return f" {op.upper()} ".join(parts)

    def _bad(self, where, message):
        return unprocessable(f"{where}: {message}", field=where)

    def _condition(self, cond, where):
        fdef = self.fieldset.resolve(cond.get("field"))
        if fdef is None:
            raise self._bad(f"{where}.field", f"no field '{cond.get('field')}'")
        kind, op, value = _kind(fdef), cond.get("operator"), cond.get("value")
        if op not in OPERATORS[kind]:
            allowed = ", ".join(sorted(OPERATORS[kind]))
            raise self._bad(f"{where}.operator",
                            f"'{op}' does not apply to {fdef.type} field '{fdef.name}' "
                            f"(use one of: {allowed})")
        expr = field_sql(fdef)
        if fdef.type == "datetime":
            expr = f"substr({expr}, 1, 10)"  # its day: stored as 2026-01-02T03:04:05.000006Z
        if fdef.type == "single_select" and op in ("is", "is_not") and isinstance(value, str):
            # exact match: choices are exact, and the column's index stays usable
            if op == "is":
                return f"{expr} = {self._p(value)}"
            return f"{expr} IS NULL OR {expr} != {self._p(value)}"
        if op in ("is_empty", "is_not_empty"):
            empty = self._empty(expr, kind)
            if fdef.type == "formula":  # an error has no value (as the groups count it)
                empty = f"{empty} OR json_type(data, '$.\"{fdef.id}\"') = 'object'"
            return empty if op == "is_empty" else f"NOT ({empty})"
        if fdef.type == "percent":  # a fraction, as stored; '50%' is read as 0.5
            try:
                value = percent_value(value)
            except FieldValueError as exc:
                raise self._bad(f"{where}.value", str(exc)) from None
        return getattr(self, f"_{kind}")(expr, op, value, f"{where}.value")

    def _empty(self, expr, kind):
        if kind == "text":
            return f"{expr} IS NULL OR {expr} = ''"
        if kind == "multi":
            return f"{expr} IS NULL OR json_array_length({expr}) = 0"
        return f"{expr} IS NULL"

    def _p(self, value):
        self.params.append(value)
        return "?"

    def _text(self, expr, op, value, where):
        if not isinstance(value, str):
            raise self._bad(where, "expected text")
        if op == "is":
            return f"{expr} = {self._p(value)} COLLATE NOCASE"
        if op == "is_not":
            return f"{expr} IS NULL OR {expr} != {self._p(value)} COLLATE NOCASE"
        pattern = "%" + value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        like = f"{expr} LIKE {self._p(pattern)} ESCAPE '\\'"
        return like if op == "contains" else f"{expr} IS NULL OR NOT ({like})"

    def _number(self, expr, op, value, where):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise self._bad(where, "expected a number")
        if op == "!=":
            return f"{expr} IS NULL OR {expr} != {self._p(value)}"
        return f"{expr} {op} {self._p(value)}"

    def _date(self, expr, op, value, where):
        if op == "within":
            if not isinstance(value, dict) or value.get("direction") not in ("past", "next") \
                    or not isinstance(value.get("days"), int) or not 0 < value["days"] <= 36500:
                raise self._bad(where, 'expected {"direction": "past"|"next", "days": N}')
            other = self.today + timedelta(days=value["days"] * (1 if value["direction"] == "next"
                                                                 else -1))
            low, high = sorted([self.today, other])
            return f"{expr} BETWEEN {self._p(low.isoformat())} AND {self._p(high.isoformat())}"
        try:
            day = date.fromisoformat(value).isoformat()
        except (TypeError, ValueError):
            raise self._bad(where, "expected a date as YYYY-MM-DD") from None
        sql_op = {"is": "=", "before": "<", "after": ">"}.get(op)
        if sql_op:
            return f"{expr} {sql_op} {self._p(day)}"
        return f"{expr} IS NULL OR {expr} != {self._p(day)}"

    def _checkbox(self, expr, op, value, where):
        if not isinstance(value, bool):
            raise self._bad(where, "expected true or false")
        return f"{expr} = 1" if value else f"{expr} IS NULL OR {expr} = 0"

    def _multi(self, expr, op, value, where):
        if not isinstance(value, list) or not value or len(value) > 100:
            raise self._bad(where, "expected a list of 1 to 100 values")
        marks = ", ".join(self._p(v) for v in value)
        matches = f"(SELECT count(DISTINCT value) FROM json_each({expr}) WHERE value IN ({marks}))"
        return f"{matches} > 0" if op == "has_any_of" else f"{matches} = {len(set(map(str, value)))}"

    def _id(self, expr, op, value, where):
        if value == "me" and self.user_id is not None:
            value = self.user_id
        if isinstance(value, bool) or not isinstance(value, int):
            raise self._bad(where, "expected a record or user id")
        if op == "is":
            return f"{expr} = {self._p(value)}"
        return f"{expr} IS NULL OR {expr} != {self._p(value)}"


def order_by(fieldset: FieldSet, sorts: list, path="sorts") -> str:
    terms = []
    for i, sort in enumerate(sorts):
        fdef = fieldset.resolve(sort.get("field"))
        if fdef is None:
            raise unprocessable(f"{path}.{i}.field: no field '{sort.get('field')}'",
                                field=f"{path}.{i}.field")
        direction = "DESC" if sort.get("direction") == "desc" else "ASC"
        terms.append(f"{sort_key_sql(fdef)} {direction}")
    last = "DESC" if sorts and sorts[-1].get("direction") == "desc" else "ASC"
    terms.append(f"id {last}")
    return ", ".join(terms)
