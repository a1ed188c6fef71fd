"""The engine's API: compile a formula against a table's fields, evaluate it per record,
validate it for the editor, and rewrite it when a field is renamed."""
import math
import time
from datetime import date, datetime

from plugins.fundraising.formula.compiler import Compilation
from plugins.fundraising.formula.datetimes import as_datetime, as_utc
from plugins.fundraising.formula.errors import ErrorValue, FormulaError, FormulaFault
from plugins.fundraising.formula.lexer import FIELD, field_reference, tokenize
from plugins.fundraising.formula.parser import parse
from plugins.fundraising.formula.limits import REGEX_BUDGET
from plugins.fundraising.formula.runtime import STATE, evaluation_state, wall_clock
from plugins.fundraising.formula.types import result_type
from plugins.fundraising.formula.values import datetime_text


class Formula:
    """A compiled formula. Build one with compile_formula and reuse it for every record.

    formula.evaluate(values, now=None) is the formula's value for one record, as JSON-able
    data or an ErrorValue; it never raises. `values` maps field names to the record's values
    (None for empty); `now` is the time TODAY() and NOW() see (UTC; the wall clock when not
    given). It is a closure made once per formula rather than a method, to keep the cost of a
    call down when a column is recomputed over many records."""

    __slots__ = ("expression", "references", "result_type", "uses_clock", "evaluate")

    def __init__(self, expression: str, fn, result_type_: str, references: frozenset[str],
                 uses_clock: bool = False, uses_regex: bool = False):
        self.expression = expression
        self.references = references
        self.result_type = result_type_
        self.uses_clock = uses_clock  # reads TODAY() or NOW(): its value changes with time
        if uses_clock or uses_regex:
            self.evaluate = _evaluator_with_state(fn, uses_regex)
        else:
            self.evaluate = _evaluator(fn)

    def __repr__(self):
        return f"Formula({self.expression!r}, result_type={self.result_type!r})"


_SAFE_INTEGER = 2.0 ** 53


def _evaluator(fn):
    def evaluate(values: dict, now: datetime | None = None):
        try:
            result = fn(values)
            kind = type(result)
            if kind is str or kind is bool or result is None:
                return result
            if (kind is int or kind is float) and -_SAFE_INTEGER < result < _SAFE_INTEGER:
                return int(result) if kind is float and result.is_integer() else result
            return export(result)
        except FormulaFault as fault:
            return fault.error()
        except Exception as exc:  # noqa: BLE001 - evaluate promises never to raise
            return _internal_error(exc)
    return evaluate


def _evaluator_with_state(fn, uses_regex: bool):
    # The state is set and restored by hand: a context manager costs more than the formula.
    def evaluate(values: dict, now: datetime | None = None):
        outer = STATE.now, STATE.deadline
        try:
            STATE.now = wall_clock() if now is None else _as_now(now)
            STATE.deadline = time.monotonic() + REGEX_BUDGET if uses_regex else None
            return export(fn(values))
        except FormulaFault as fault:
            return fault.error()
        except Exception as exc:  # noqa: BLE001 - evaluate promises never to raise
            return _internal_error(exc)
        finally:
            STATE.now, STATE.deadline = outer
    return evaluate


def compile_formula(expression: str, fields: dict[str, str]) -> Formula:
    """Compile a formula against the table's fields (name -> field type, such as 'currency'
    or 'formula:number'). Raises FormulaError with the offset of the problem in `expression`."""
    compilation = Compilation(dict(fields))
    tree = parse(expression)
    try:
        with evaluation_state(None, regex=True):  # constant folding may run a regex
            compiled = compilation.compile(tree)
    except RecursionError:
        raise FormulaError("the formula is nested too deeply", 0) from None
    return Formula(expression, compiled.fn, result_type(compiled.type),
                   frozenset(compilation.references), compilation.uses_clock,
                   compilation.uses_regex)


def validate(expression: str, fields: dict[str, str]) -> dict:
    """{"ok": True, "type": result type} or {"ok": False, "error": {"message", "position"}}."""
    try:
        formula = compile_formula(expression, fields)
    except FormulaError as exc:
        return {"ok": False, "error": exc.to_json()}
    return {"ok": True, "type": formula.result_type}


def rename_references(expression: str, old_name: str, new_name: str) -> str:
    """The expression with every {old_name} reference (ignoring case, as field names are
    unique ignoring case) rewritten to {new_name}; text in quotes is left alone. Raises
    FormulaError when the expression cannot be read at all."""
    pieces, last = [], 0
    folded = old_name.casefold()
    for token in tokenize(expression):
        if token.kind == FIELD and token.value.casefold() == folded:
            pieces.append(expression[last:token.start])
            pieces.append(field_reference(new_name))
            last = token.end
    pieces.append(expression[last:])
    return "".join(pieces)


def export(value):
    """A run-time value as JSON-able data: dates as ISO text, whole floats as ints (below 2**53,
    where floats are exact) and larger ints as floats."""
    kind = type(value)
    if kind is int and not -_SAFE_INTEGER < value < _SAFE_INTEGER:
        kind, value = float, float(value)  # past 2**53 numbers are floats, as in JavaScript
    if kind is float:
        if not math.isfinite(value):
            return ErrorValue("#NUM!", "the number is too large or undefined")
        if value.is_integer() and -_SAFE_INTEGER < value < _SAFE_INTEGER:
            return int(value)
        return value
    if kind is datetime:
        return datetime_text(value)
    if kind is date:
        return value.isoformat()
    if kind is list:
        items = []
        for item in value:
            item = export(item)
            if isinstance(item, ErrorValue):
                return item  # an error inside a list is the list's error
            items.append(item)
        return items
    if kind is dict and "error" in value:
        return ErrorValue(str(value["error"]), str(value.get("message", "")))
    if kind is str or kind is int or kind is bool or value is None or kind is ErrorValue:
        return value
    return ErrorValue("#VALUE!", f"a formula cannot show a {kind.__name__}")


def _as_now(now) -> datetime:
    if isinstance(now, datetime):
        return as_utc(now)
    if isinstance(now, date):
        return as_datetime(now)
    raise FormulaFault("#ERROR!", "now must be a datetime")


def _internal_error(exc: Exception) -> ErrorValue:
    if isinstance(exc, OverflowError):
        return ErrorValue("#NUM!", "the number is too large")
    if isinstance(exc, RecursionError):
        return ErrorValue("#ERROR!", "the values are nested too deeply")
    if isinstance(exc, MemoryError):
        return ErrorValue("#ERROR!", "the formula needs too much memory")
    return ErrorValue("#ERROR!", f"the formula could not be computed ({type(exc).__name__})")
