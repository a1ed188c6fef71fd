"""Closures for the operators. Each has a fast path for the common case (numbers with numbers,
text with text) that costs a type check, and hands anything else to a slow path that
coerces, compares blanks and raises faults.

Comparisons, where Airtable (JavaScript) and spreadsheets disagree, work like this:
blank equals 0, "" and FALSE (so {Amount} = 0 is true for an empty amount, as in Airtable);
text compares case-sensitively; a number and a text compare as numbers when the text reads as
a number, and otherwise are unequal and unordered (every <, >, <=, >= is false); dates compare
with dates and with ISO date text; lists compare as their text."""
import operator
from datetime import date

from plugins.fundraising.formula.compiled import Compiled
from plugins.fundraising.formula.datetimes import as_datetime, parse_iso
from plugins.fundraising.formula.errors import div_zero, num_error
from plugins.fundraising.formula.limits import MAX_TEXT_LENGTH
from plugins.fundraising.formula.types import CHECKBOX, NUMBER, TEXT
from plugins.fundraising.formula.values import (is_number, parse_number, raise_error_value,
                                                to_number, to_text, too_long)

ARITHMETIC = {"+": operator.add, "-": operator.sub, "*": operator.mul, "/": operator.truediv}
COMPARISONS = {"=": operator.eq, "!=": operator.ne, "<": operator.lt, ">": operator.gt,
               "<=": operator.le, ">=": operator.ge}


def build_binary(op: str, left: Compiled, right: Compiled, position: int) -> Compiled:
    if op in ARITHMETIC:
        return Compiled(_arithmetic(ARITHMETIC[op], left, right, position), NUMBER)
    if op == "&":
        return Compiled(concatenate(left.fn, right.fn, position), TEXT)
    return Compiled(_comparison(op, left, right, position), CHECKBOX)


def build_negate(operand: Compiled, position: int) -> Compiled:
    fn = operand.fn

    def negate(row):
        value = fn(row)
        if type(value) is float or type(value) is int:
            return -value
        return -to_number(value, position)
    return Compiled(negate, NUMBER)


def _arithmetic(apply, left: Compiled, right: Compiled, position: int):
    left_fn, right_fn = left.fn, right.fn
    if right.is_constant and is_number(right.value):
        constant = right.value

        def arithmetic_constant(row):
            a = left_fn(row)
            if a is None:
                a = 0  # blank counts as 0, and an empty amount is common
            if type(a) is float or type(a) is int:
                try:
                    return apply(a, constant)
                except ZeroDivisionError:
                    raise div_zero(position) from None
            return _slow_arithmetic(apply, a, constant, position)
        return arithmetic_constant

    def arithmetic(row):
        a = left_fn(row)
        b = right_fn(row)
        if (type(a) is float or type(a) is int) and (type(b) is float or type(b) is int):
            try:
                return apply(a, b)
            except ZeroDivisionError:
                raise div_zero(position) from None
        return _slow_arithmetic(apply, a, b, position)
    return arithmetic


def _slow_arithmetic(apply, a, b, position):
    a, b = to_number(a, position), to_number(b, position)
    try:
        return apply(a, b)
    except ZeroDivisionError:
        raise div_zero(position) from None
    except OverflowError:
        raise num_error("the number is too large", position) from None


def concatenate(left_fn, right_fn, position: int):
    """`left & right` as text, blank as empty, capped in length."""
    def joined(row):
        a = left_fn(row)
        b = right_fn(row)
        if type(a) is not str:
            a = to_text(a, position)
        if type(b) is not str:
            b = to_text(b, position)
        if len(a) + len(b) > MAX_TEXT_LENGTH:
            raise too_long(position)
        return a + b
    return joined


def _comparison(op: str, left: Compiled, right: Compiled, position: int):
    apply = COMPARISONS[op]
    left_fn, right_fn = left.fn, right.fn
    if right.is_constant and type(right.value) in (str, int, float):
        constant, kind = right.value, type(right.value)

        def compare_constant(row):
            a = left_fn(row)
            if type(a) is kind:
                return apply(a, constant)
            return compare(op, a, constant, position)
        return compare_constant

    def comparison(row):
        a = left_fn(row)
        b = right_fn(row)
        kind = type(a)
        if kind is type(b) and (kind is str or kind is float or kind is int):
            return apply(a, b)
        return compare(op, a, b, position)
    return comparison


def compare(op: str, a, b, position: int | None = None) -> bool:
    """The slow path of every comparison (and of SWITCH's matching)."""
    pair = comparable(a, b, position)
    if pair is None:
        return op == "!="
    return COMPARISONS[op](*pair)


def values_equal(a, b, position: int | None = None) -> bool:
    if type(a) is type(b) and type(a) in (str, int, float):
        return a == b
    return compare("=", a, b, position)


def comparable(a, b, position: int | None = None):
    """The two values made comparable with each other, or None when they cannot be."""
    raise_error_value(a)
    raise_error_value(b)
    if a is None and b is None:
        return 0, 0
    if a is None:
        a = _blank_like(b)
    elif b is None:
        b = _blank_like(a)
    if a is None or b is None:
        return None
    kind_a, kind_b = _kind(a), _kind(b)
    if kind_a == kind_b and kind_a in ("number", "text"):
        return (to_number(a), to_number(b)) if kind_a == "number" else (a, b)
    if "date" in (kind_a, kind_b):
        a, b = _moment(a), _moment(b)
        if a is None or b is None:
            return None
        if type(a) is not type(b):
            a, b = as_datetime(a), as_datetime(b)
        return a, b
    if "list" in (kind_a, kind_b):
        return to_text(a, position), to_text(b, position)
    if kind_a == "number" and kind_b == "text":
        number = parse_number(b)
        return None if number is None else (to_number(a), number)
    if kind_a == "text" and kind_b == "number":
        number = parse_number(a)
        return None if number is None else (number, to_number(b))
    return None


def _kind(value) -> str:
    if isinstance(value, (bool, int, float)):
        return "number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, date):
        return "date"
    if isinstance(value, list):
        return "list"
    return "other"


def _blank_like(other):
    kind = _kind(other)
    return {"number": 0, "text": "", "list": []}.get(kind)


def _moment(value):
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        return parse_iso(value)
    return None
