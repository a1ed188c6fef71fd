"""A stored field value as people read it in the grid: $1,250,000, 12.5%, 12 Mar 2025, names.

Used by history and the activity feed, which answer with text so that every client shows
the same words. Percent values are fractions (0.125 is 12.5%)."""
from datetime import date, datetime

from core.activity_text import EMPTY, plain

MINUS = "\u2212"  # as the grid writes a negative amount: −$5


def _trimmed(text: str) -> str:
    return text.rstrip("0").rstrip(".") if "." in text else text


def _number(value, precision=None, grouped=True, most=4) -> str:
    comma = "," if grouped else ""
    if precision is not None:
        return f"{value:{comma}.{precision}f}"
    return _trimmed(f"{value:{comma}.{most}f}")


def _grouped(value, options) -> bool:
    """Thousands separators, unless the field says not, or a whole number of precision 0
    is a year (as the grid shows a Vintage: 2026)."""
    if options.get("separator") is not None:
        return options["separator"] is not False
    year = float(value).is_integer() and 1900 <= value <= 2100
    return not (options.get("precision") == 0 and year)


def _currency(value, options) -> str:
    precision = options.get("precision")
    if precision is None:
        precision = 0 if float(value).is_integer() else 2
    sign = MINUS if value < 0 else ""
    grouped = options.get("separator") is not False
    return f"{sign}{options.get('symbol') or '$'}{_number(abs(value), precision, grouped)}"


def date_text(value) -> str:
    """A date "12 Mar 2025", a timestamp "12 Mar 2025, 14:05 UTC"; other text as it is."""
    return _date(value, False) if isinstance(value, str) else plain(value)


def _date(value, include_time) -> str:
    try:
        if include_time or "T" in value:
            moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
            zone = " UTC" if moment.utcoffset() is not None and not moment.utcoffset() else ""
            return f"{moment.day} {moment:%b %Y, %H:%M}{zone}"
        day = date.fromisoformat(value)
        return f"{day.day} {day:%b %Y}"
    except (TypeError, ValueError):
        return str(value)


def _is_number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def value_text(fdef, value, names) -> str | list[str]:
    """`value` of the field `fdef` (None: a field no longer known) as text; a list of texts
    for multi-selects and links. `names` answers user(id) and record(table, id)."""
    if value is None or value == "" or value == []:
        return EMPTY
    ftype, options = (fdef.type, fdef.options) if fdef else (None, {})
    if ftype == "formula":
        ftype = {"number": "number", "date": "date", "boolean": "checkbox"}.get(
            options.get("result_type"), options.get("result_type"))
    if ftype == "currency" and _is_number(value):
        return _currency(value, options)
    if ftype == "percent" and _is_number(value):
        grouped = options.get("separator") is not False
        return f"{_number(value * 100, options.get('precision'), grouped, most=2)}%"
    if ftype == "number" and _is_number(value):
        return _number(value, options.get("precision"), _grouped(value, options))
    if ftype == "date" and isinstance(value, str):
        return _date(value, options.get("include_time"))
    if ftype == "checkbox":
        return "yes" if value else "no"
    if ftype == "user" and _is_number(value):
        return names.user(value)
    if ftype == "link":
        return [names.record(options.get("table"), i) for i in
                (value if isinstance(value, list) else [value])]
    if isinstance(value, list):
        return [plain(v) for v in value]
    return plain(value)
