"""Cells as Airtable writes them in a CSV export, so that the importer reads each one back to
the value stored (the inverse of cells.make_parser): '12.5%' for 0.125, '$1,250,000.00',
'checked', 'Fintech,"Health, Bio"'.

make_formatter(field_type, options, names) returns one function per column; `names` maps a
link's or user's id to the text written for it."""
from collections.abc import Callable
from decimal import Decimal
from functools import partial


def plain_number(value) -> str:
    """A number written exactly and without an exponent: 1234.5 -> '1234.5', 1e-05 ->
    '0.00001' (the shortest text that reads back to the same float)."""
    if isinstance(value, int):
        return str(value)
    return format(Decimal(repr(value)), "f")


def format_percent(value) -> str:
    """A fraction as a percentage: 0.125 -> '12.5%', 1 -> '100%', 0.07 -> '7%'."""
    shifted = (Decimal(value) if isinstance(value, int) else Decimal(repr(value))).scaleb(2)
    return format(shifted.normalize(), "f") + "%"


def format_currency(value, symbol: str = "$") -> str:
    """An amount with its symbol, thousands separators and at least two decimals:
    1250000 -> '$1,250,000.00', -5 -> '-$5.00', 0.125 -> '$0.125'."""
    whole, _, decimals = plain_number(abs(value)).partition(".")
    text = f"{symbol}{int(whole):,}.{decimals.ljust(2, '0')}"
    return "-" + text if value < 0 else text


def join_members(names: list[str]) -> str:
    """Members of a multi-select or link cell: a member holding a comma or a quote is quoted,
    with quotes doubled ('Fintech,"Health, Bio"')."""
    return ",".join(f'"{n.replace(chr(34), chr(34) * 2)}"' if "," in n or '"' in n else n
                    for n in names)


def _formula_text(value) -> str:
    if isinstance(value, dict) and "error" in value:
        return str(value["error"])
    if isinstance(value, bool):
        return "checked" if value else ""
    if isinstance(value, (int, float)):
        return plain_number(value)
    if isinstance(value, list):
        return ", ".join(map(_formula_text, value))
    return str(value)


def _checkbox(value) -> str:
    return "checked" if value else ""


SIMPLE = {"number": plain_number, "percent": format_percent, "checkbox": _checkbox,
          "multi_select": join_members}


def make_formatter(field_type: str, options: dict,
                   names: dict | None = None) -> Callable[[object], str]:
    """A function from a stored value (None when empty) to its cell's text."""
    names = names or {}

    def name_of(record_id) -> str:
        return names.get(record_id, str(record_id))

    def links(ids) -> str:
        return join_members([name_of(i) for i in ids])

    if field_type == "currency":
        symbol = (options.get("symbol") or "$").strip() or "$"
        format_value = partial(format_currency, symbol=symbol)
    elif field_type == "link":
        format_value = links if options.get("multiple", True) else name_of
    elif field_type == "user":
        format_value = name_of
    elif field_type == "formula":
        format_value = _formula_formatter(options)
    else:  # text, long text, dates as stored (ISO), select, email, url, phone
        format_value = SIMPLE.get(field_type, str)

    def write(value) -> str:
        return "" if value is None else format_value(value)
    return write


def _formula_formatter(options: dict):
    """A formula's number shown as currency or percent when its options say so."""
    shown = options.get("format")
    number = make_formatter(shown, options) if shown in ("currency", "percent") else None

    def write(value) -> str:
        if number and isinstance(value, (int, float)) and not isinstance(value, bool):
            return number(value)
        return _formula_text(value)
    return write
