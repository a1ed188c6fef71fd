"""Run-time values and the coercions between them.

A value is None (blank), bool, int or float, str, date or datetime (aware, UTC), a list, or an
ErrorValue that came in from another formula field. The coercions follow Airtable (which runs
on JavaScript) where it is documented, and say so where a choice was made:

- to a number: blank is 0, TRUE is 1, text is a number if it reads as one ("12", " 1.5 ",
  "1e3"; "" is 0), otherwise #VALUE!; dates and lists are #VALUE!.
- to text: blank is "", numbers as JavaScript prints them (2.0 is "2"), booleans "true" and
  "false", dates "YYYY-MM-DD", datetimes "YYYY-MM-DDTHH:mm:ss.sssZ", lists joined by ", ".
- to true/false: blank, 0, "" and an empty list are false; everything else is true."""
import math
import re
from datetime import date, datetime
from decimal import Decimal

from plugins.fundraising.formula.errors import ErrorValue, FormulaFault, num_error, value_error
from plugins.fundraising.formula.limits import MAX_TEXT_LENGTH

# A fixed pattern over bounded input: no backtracking blow-up is possible.
_NUMERIC = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")
_MAX_NUMERIC_TEXT = 400


def raise_error_value(value, position: int | None = None) -> None:
    """Raise the fault of an error that came in as a field's value (ErrorValue or its JSON)."""
    if isinstance(value, ErrorValue):
        raise FormulaFault(value.code, value.message, position)
    if isinstance(value, dict) and "error" in value:
        raise FormulaFault(str(value["error"]), str(value.get("message", "")), position)


def parse_number(text: str):
    """The number a text reads as, or None."""
    text = text.strip()
    if not text:
        return 0
    if len(text) > _MAX_NUMERIC_TEXT or not _NUMERIC.fullmatch(text):
        return None
    if text.lstrip("+-").isdigit() and len(text) <= 16:
        return int(text)
    number = float(text)
    return number if math.isfinite(number) else None


def to_number(value, position: int | None = None):
    kind = type(value)
    if kind is int or kind is float:
        return value
    if value is None:
        return 0
    if kind is bool:
        return int(value)
    if kind is str:
        number = parse_number(value)
        if number is None:
            raise value_error(f"'{_clip(value)}' is not a number", position)
        return number
    raise_error_value(value, position)
    if isinstance(value, date):
        raise value_error("a date is not a number: use DATETIME_DIFF or DATEADD", position)
    if isinstance(value, list):
        raise value_error("a list of values is not a number: use SUM, MIN or MAX", position)
    raise value_error(f"{type(value).__name__} is not a number", position)


def to_integer(value, position: int | None = None) -> int:
    """A count or a position: the number truncated toward zero."""
    number = to_number(value, position)
    if type(number) is int:
        return number
    if not math.isfinite(number):
        raise num_error("the number is too large", position)
    return int(number)


def to_text(value, position: int | None = None) -> str:
    kind = type(value)
    if kind is str:
        return value
    if value is None:
        return ""
    if kind is int:
        if abs(value) >= 10 ** 21:
            return number_text(float(value), position)
        return str(value)
    if kind is float:
        return number_text(value, position)
    if kind is bool:
        return "true" if value else "false"
    if kind is datetime:
        return datetime_text(value)
    if kind is date:
        return value.isoformat()
    if kind is list:
        text = ", ".join(to_text(item, position) for item in flatten(value))
        return check_length(text, position)
    raise_error_value(value, position)
    raise value_error(f"{type(value).__name__} is not text", position)


def number_text(number: float, position: int | None = None) -> str:
    """A float as JavaScript's String(number) writes it."""
    if not math.isfinite(number):
        raise num_error("the number is too large", position)
    if number.is_integer() and abs(number) < 1e21:
        return str(int(number))
    text = repr(number)
    if "e" not in text:
        return text
    mantissa, exponent = text.split("e")
    power = int(exponent)
    if -7 < power < 21:
        return format(Decimal(text), "f")
    return f"{mantissa}e{'+' if power > 0 else '-'}{abs(power)}"


def datetime_text(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def is_truthy(value, position: int | None = None) -> bool:
    kind = type(value)
    if kind is bool:
        return value
    if value is None:
        return False
    if kind is int or kind is float or kind is str or kind is list:
        return bool(value)
    raise_error_value(value, position)
    return True


def flatten(values) -> list:
    """The items of nested lists, in order (lists from fields are at most two deep)."""
    out = []
    for value in values:
        if type(value) is list:
            out.extend(flatten(value))
        else:
            out.append(value)
    return out


def check_length(text: str, position: int | None = None) -> str:
    if len(text) > MAX_TEXT_LENGTH:
        raise too_long(position)
    return text


def too_long(position: int | None = None) -> FormulaFault:
    return value_error(f"the text would be longer than {MAX_TEXT_LENGTH:,} characters", position)


def is_number(value) -> bool:
    kind = type(value)
    return kind is int or kind is float


def _clip(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[:limit] + "…"
