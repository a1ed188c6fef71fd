"""Text functions: CONCAT (and Airtable's name for it, CONCATENATE) LEN UPPER LOWER TRIM LEFT
RIGHT MID FIND SEARCH SUBSTITUTE REPLACE REPT VALUE T.

Positions are 1-based, as in Airtable. FIND and SEARCH are case-sensitive, take an optional
0-based offset to start from (Airtable: "startFromPosition is 0 by default"), and differ only
when nothing is found: FIND gives 0 and SEARCH gives blank, as Airtable documents. Negative
counts and positions below 1 are #VALUE!, as in Excel."""
from plugins.fundraising.formula.errors import value_error
from plugins.fundraising.formula.functions.spec import FunctionSpec, eager
from plugins.fundraising.formula.limits import MAX_TEXT_LENGTH
from plugins.fundraising.formula.operators import concatenate
from plugins.fundraising.formula.types import NUMBER, TEXT
from plugins.fundraising.formula.values import (check_length, is_number, parse_number,
                                                to_integer, to_text, too_long)


def _build_concat(args, position):
    fns = tuple(arg.fn for arg in args)
    if len(fns) == 2:
        return concatenate(*fns, position)  # the same as `&`
    if len(fns) == 3:
        first, second, third = fns

        def concat3(row):
            a, b, c = first(row), second(row), third(row)
            if type(a) is not str:
                a = to_text(a, position)
            if type(b) is not str:
                b = to_text(b, position)
            if type(c) is not str:
                c = to_text(c, position)
            if len(a) + len(b) + len(c) > MAX_TEXT_LENGTH:
                raise too_long(position)
            return a + b + c
        return concat3

    def concat(row):
        parts = [to_text(fn(row), position) for fn in fns]
        if sum(map(len, parts)) > MAX_TEXT_LENGTH:
            raise too_long(position)
        return "".join(parts)
    return concat


def _count(value, what="count") -> int:
    count = to_integer(value)
    if count < 0:
        raise value_error(f"the {what} cannot be negative")
    return count


def _left(text, count):
    return to_text(text)[:_count(count)]


def _right(text, count):
    count = _count(count)
    return to_text(text)[-count:] if count else ""


def _mid(text, start, count):
    first = to_integer(start)
    if first < 1:
        raise value_error("the start position must be 1 or more")
    return to_text(text)[first - 1:first - 1 + _count(count)]


def _find_index(needle, haystack, start) -> int:
    offset = 0 if start is None else max(0, to_integer(start))
    return to_text(haystack).find(to_text(needle), offset)


def _find(needle, haystack, start=None):
    return _find_index(needle, haystack, start) + 1


def _search(needle, haystack, start=None):
    index = _find_index(needle, haystack, start)
    return None if index < 0 else index + 1


def _substitute(text, old, new, index=None):
    text, old, new = to_text(text), to_text(old), to_text(new)
    if not old:
        return text
    if index is None:
        growth = text.count(old) * (len(new) - len(old))
        if len(text) + growth > MAX_TEXT_LENGTH:
            raise too_long()
        return text.replace(old, new)
    occurrence = to_integer(index)
    if occurrence < 1:
        raise value_error("the occurrence to replace must be 1 or more")
    at = -1
    for _ in range(occurrence):
        at = text.find(old, at + 1)
        if at < 0:
            return text
    return check_length(text[:at] + new + text[at + len(old):])


def _replace(text, start, count, replacement):
    text, replacement = to_text(text), to_text(replacement)
    first = to_integer(start)
    if first < 1:
        raise value_error("the start position must be 1 or more")
    return check_length(text[:first - 1] + replacement + text[first - 1 + _count(count):])


def _rept(text, times):
    text, times = to_text(text), _count(times, "number of repeats")
    if len(text) * times > MAX_TEXT_LENGTH:
        raise too_long()
    return text * times


def _value(value):
    """A number from text, also read through currency signs, thousands separators and %."""
    if value is None or is_number(value):
        return value
    text = to_text(value).strip()
    number = parse_number(text)
    if number is None:
        cleaned = text
        for char in " ,$€£¥_'":
            cleaned = cleaned.replace(char, "")
        scale = 1
        if cleaned.endswith("%"):
            cleaned, scale = cleaned[:-1], 100
        number = parse_number(cleaned) if cleaned else None
        if number is None:
            raise value_error(f"'{text[:40]}' is not a number")
        if scale != 1:
            number = number / scale
    return number


def _t(value):
    return value if type(value) is str else None


def _len(value):
    return len(to_text(value))


def _upper(value):
    return to_text(value).upper()


def _lower(value):
    return to_text(value).lower()


def _trim(value):
    return to_text(value).strip()


FUNCTIONS = [
    FunctionSpec("CONCAT", 1, None, _build_concat, TEXT),
    FunctionSpec("CONCATENATE", 1, None, _build_concat, TEXT),
    eager("LEN", 1, 1, NUMBER, _len),
    eager("UPPER", 1, 1, TEXT, _upper),
    eager("LOWER", 1, 1, TEXT, _lower),
    eager("TRIM", 1, 1, TEXT, _trim),
    eager("LEFT", 2, 2, TEXT, _left),
    eager("RIGHT", 2, 2, TEXT, _right),
    eager("MID", 3, 3, TEXT, _mid),
    eager("FIND", 2, 3, NUMBER, _find),
    eager("SEARCH", 2, 3, NUMBER, _search),
    eager("SUBSTITUTE", 3, 4, TEXT, _substitute),
    eager("REPLACE", 4, 4, TEXT, _replace),
    eager("REPT", 2, 2, TEXT, _rept),
    eager("VALUE", 1, 1, NUMBER, _value),
    eager("T", 1, 1, TEXT, _t),
]
