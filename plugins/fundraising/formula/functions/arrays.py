"""Array functions for multi-select and linked-record values: ARRAYJOIN ARRAYUNIQUE.

A value that is not a list counts as a list of that one value (blank as an empty list)."""
from plugins.fundraising.formula.functions.spec import eager
from plugins.fundraising.formula.limits import MAX_TEXT_LENGTH
from plugins.fundraising.formula.types import ARRAY, TEXT
from plugins.fundraising.formula.values import flatten, raise_error_value, to_text, too_long


def items(value) -> list:
    if value is None:
        return []
    if type(value) is list:
        found = flatten(value)
        for item in found:
            raise_error_value(item)
        return found
    raise_error_value(value)
    return [value]


def _arrayjoin(value, separator=", "):
    parts = [to_text(item) for item in items(value)]
    separator = to_text(separator)
    if sum(map(len, parts)) + len(separator) * max(len(parts) - 1, 0) > MAX_TEXT_LENGTH:
        raise too_long()
    return separator.join(parts)


def _arrayunique(value):
    seen, out = set(), []
    for item in items(value):
        key = _key(item)
        if key not in seen:
            seen.add(key)
            out.append(item)
    return out


def _key(item):
    # 1 and 1.0 are one value (as in JavaScript) but TRUE is not 1.
    if type(item) is bool:
        return ("checkbox", item)
    if type(item) in (int, float):
        return ("number", item)
    if type(item) is str:
        return ("text", item)
    return ("other", repr(item))


FUNCTIONS = [
    eager("ARRAYJOIN", 1, 2, TEXT, _arrayjoin),
    eager("ARRAYUNIQUE", 1, 1, ARRAY, _arrayunique),
]
