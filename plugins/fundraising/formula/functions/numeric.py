"""Numeric functions: SUM MIN MAX AVERAGE COUNT COUNTA COUNTALL ROUND ROUNDUP ROUNDDOWN ABS
INT MOD POWER SQRT CEILING FLOOR.

Aggregates flatten lists (a multi-select or linked field); inside a list only numbers count,
while a direct argument is coerced (numeric text counts, other text is #VALUE!, blank is
skipped). ROUND rounds half away from zero on the decimal the number is written as, so
ROUND(2.675, 2) is 2.68 and ROUND(-2.5, 0) is -3, as in Excel. MOD takes the sign of the
dividend, as JavaScript (and so Airtable) does: MOD(-7, 3) is -1."""
import math
from decimal import (MAX_EMAX, MIN_EMIN, ROUND_CEILING, ROUND_DOWN, ROUND_FLOOR, ROUND_HALF_UP,
                     ROUND_UP, Context, Decimal)

from plugins.fundraising.formula.errors import div_zero, num_error
from plugins.fundraising.formula.functions.spec import eager
from plugins.fundraising.formula.types import NUMBER
from plugins.fundraising.formula.values import (is_number, raise_error_value, to_integer,
                                                to_number)

# Enough digits to quantize any finite float (up to 1e308) to any place that can matter.
_MAX_PLACES = 330
_WIDE = Context(prec=_MAX_PLACES + 400, Emax=MAX_EMAX, Emin=MIN_EMIN)


def numbers(values) -> list:
    """The numbers among aggregate arguments (see the module docstring)."""
    out = []
    for value in values:
        if type(value) is list:
            for item in value:
                if is_number(item):
                    out.append(item)
                elif type(item) is list:
                    out.extend(numbers([item]))
                else:
                    raise_error_value(item)
        elif value is not None:
            out.append(to_number(value))
    return out


def _sum(*values):
    return sum(numbers(values))


def _average(*values):
    found = numbers(values)
    if not found:
        raise div_zero()
    return sum(found) / len(found)


def _min(*values):
    return min(numbers(values), default=0)


def _max(*values):
    return max(numbers(values), default=0)


def _count(*values):
    return sum(1 for item in _items(values) if is_number(item))


def _counta(*values):
    return sum(1 for item in _items(values) if item is not None and item != "")


def _countall(*values):
    return len(_items(values))


def _items(values) -> list:
    out = []
    for value in values:
        if type(value) is list:
            out.extend(_items(value))
        else:
            raise_error_value(value)
            out.append(value)
    return out


def _decimal_round(value, digits, mode):
    number = to_number(value)
    places = to_integer(0 if digits is None else digits)
    if type(number) is float and not math.isfinite(number):
        raise num_error("the number is too large")
    places = max(-_MAX_PLACES, min(places, _MAX_PLACES))
    exact = Decimal(number) if type(number) is int else Decimal(repr(number))
    rounded = exact.quantize(Decimal(1).scaleb(-places), rounding=mode, context=_WIDE)
    if places <= 0:
        return int(rounded)
    return float(rounded) if type(number) is float else _plain(rounded)


def _plain(value: Decimal):
    return int(value) if value == value.to_integral_value() else float(value)


def _significance_round(value, significance, mode):
    number = to_number(value)
    step = 1 if significance is None else to_number(significance)
    if step == 0 or number == 0:
        return 0
    step_decimal = Decimal(repr(abs(step)) if type(step) is float else abs(step))
    exact = Decimal(repr(number)) if type(number) is float else Decimal(number)
    multiple = (exact / step_decimal).to_integral_value(rounding=mode) * step_decimal
    return _plain(multiple)


def _round(value, digits=None):
    return _decimal_round(value, digits, ROUND_HALF_UP)


def _roundup(value, digits=None):
    return _decimal_round(value, digits, ROUND_UP)


def _rounddown(value, digits=None):
    return _decimal_round(value, digits, ROUND_DOWN)


def _ceiling(value, significance=None):
    return _significance_round(value, significance, ROUND_CEILING)


def _floor(value, significance=None):
    return _significance_round(value, significance, ROUND_FLOOR)


def _abs(value):
    return abs(to_number(value))


def _int(value):
    number = to_number(value)
    if type(number) is float and not math.isfinite(number):
        raise num_error("the number is too large")
    return math.floor(number)


def _mod(value, divisor):
    a, b = to_number(value), to_number(divisor)
    if b == 0:
        raise div_zero()
    if type(a) is int and type(b) is int:
        remainder = abs(a) % abs(b)
        return -remainder if a < 0 else remainder
    return math.fmod(a, b)


def _power(base, exponent):
    a, b = to_number(base), to_number(exponent)
    if a == 0 and b < 0:
        raise div_zero()
    try:
        result = math.pow(a, b)
    except ValueError:
        raise num_error("the power has no real value") from None
    if type(a) is int and type(b) is int and b >= 0 and abs(result) < 2 ** 53:
        return int(result)
    return result


def _sqrt(value):
    number = to_number(value)
    if number < 0:
        raise num_error("the square root of a negative number")
    return math.sqrt(number)


FUNCTIONS = [
    eager("SUM", 1, None, NUMBER, _sum),
    eager("AVERAGE", 1, None, NUMBER, _average),
    eager("MIN", 1, None, NUMBER, _min),
    eager("MAX", 1, None, NUMBER, _max),
    eager("COUNT", 1, None, NUMBER, _count),
    eager("COUNTA", 1, None, NUMBER, _counta),
    eager("COUNTALL", 1, None, NUMBER, _countall),
    eager("ROUND", 1, 2, NUMBER, _round),
    eager("ROUNDUP", 1, 2, NUMBER, _roundup),
    eager("ROUNDDOWN", 1, 2, NUMBER, _rounddown),
    eager("CEILING", 1, 2, NUMBER, _ceiling),
    eager("FLOOR", 1, 2, NUMBER, _floor),
    eager("ABS", 1, 1, NUMBER, _abs),
    eager("INT", 1, 1, NUMBER, _int),
    eager("MOD", 2, 2, NUMBER, _mod),
    eager("POWER", 2, 2, NUMBER, _power),
    eager("SQRT", 1, 1, NUMBER, _sqrt),
]
