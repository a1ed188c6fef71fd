"""Guessing the field type and options of a new column from its cells.

Only distinct non-empty values are looked at. The typed shapes (currency, percent, number,
date, email, url) exclude one another, so the first value picks the one candidate and the
rest only have to confirm it; every check stops at the first value that does not fit, and
runs in C where it can (all(map(pattern.fullmatch, values)), substring tests on the values
joined into one string)."""
import re
from collections import Counter
from collections.abc import Iterable
from datetime import date

from plugins.fundraising.imports.csv_import.cells import split_members
from plugins.fundraising.imports.csv_import.dates import read_clock, read_day, split_moment

CHECKBOX_SHAPES = {"checked", "unchecked", "true", "false"}
MAX_PRECISION = 8
SINGLE_SELECT_CHOICES = 30
MULTI_SELECT_CHOICES = 50
LONG_TEXT = 255

# what a new column calls a number: no leading zero (ids, zip codes), at most 15 digits
_NUMBER = r"[+-]?(?:[1-9]\d{0,2}(?:,\d{3}){1,4}|[1-9]\d{0,14}|0)(?:\.\d+)?"
NUMBER = re.compile(_NUMBER, re.ASCII)
PERCENT = re.compile(_NUMBER + r" ?%", re.ASCII)
CURRENCY = re.compile(rf"\(?[+-]? ?[$€£¥] ?[+-]?{_NUMBER}\)?|\(?[+-]?{_NUMBER} ?[$€£¥]\)?",
                      re.ASCII)
EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")  # as schema.EMAIL
URL = re.compile(r"https?://[^\s/?#]+\S*", re.IGNORECASE)
_DECIMALS = re.compile(r"\.(\d+)", re.ASCII)
YEAR = re.compile(r"19\d\d|20\d\d|2100", re.ASCII)
_SYMBOL = re.compile(r"[$€£¥]")


def infer_field(values: Iterable[str]) -> tuple[str, dict]:
    """(field type, options) for a new column holding these cells; empty cells are ignored
    and an all-empty column is text."""
    counts = Counter(map(str.strip, values))
    counts.pop("", None)
    if not counts:
        return "text", {}
    distinct = list(counts)
    joined = "\x00".join(distinct)
    if "\n" in joined or "\r" in joined or max(map(len, distinct)) > LONG_TEXT:
        return "long_text", {}
    if "(http" in joined or joined.count("\x00") >= len(distinct):
        return "text", {}  # attachments, 'deck.pdf (https://dl.airtable.com/...)'; NULs
    if len(distinct) <= len(CHECKBOX_SHAPES) and {v.lower() for v in distinct} <= CHECKBOX_SHAPES:
        return "checkbox", {}
    for check in (_currency, _percent, _number, _date, _email, _url):
        found = check(distinct[:1], distinct[0])
        if found is not None:
            return (found if len(distinct) == 1 else check(distinct, joined)) or ("text", {})
    return _select(counts, joined) or ("text", {})


def _currency(values: list[str], joined: str):
    if not all(map(CURRENCY.fullmatch, values)):
        return None
    symbols = set(_SYMBOL.findall(joined))
    return ("currency", {"symbol": symbols.pop()}) if len(symbols) == 1 else None


def _percent(values: list[str], joined: str):
    return ("percent", {}) if all(map(PERCENT.fullmatch, values)) else None


def _number(values: list[str], joined: str):
    if not all(map(NUMBER.fullmatch, values)):
        return None
    decimals = max(map(len, _DECIMALS.findall(joined)), default=0)
    if all(YEAR.fullmatch(v) for v in values):  # a vintage: shown "2026", not "2,026"
        return "number", {"precision": 0, "separator": False}
    return "number", {"precision": min(decimals, MAX_PRECISION)}


def _date(values: list[str], joined: str):
    """A date field, with include_time if any cell has a time, and the european date format
    when the numeric dates only read as day/month/year."""
    days, clocks = {}, set()
    for value in values:
        day_text, _, clock_text = value.partition(" " if " " in value else "T")
        if day_text not in days:
            day_text, clock_text = split_moment(value)
            if day_text not in days:
                days[day_text] = read_day(day_text)
                if days[day_text] is None:
                    return None
        if clock_text and clock_text not in clocks:
            if read_clock(clock_text) is None:
                return None
            clocks.add(clock_text)
    month_first = all(_is_date(y, a, b) for y, a, b, _ in days.values())
    day_first = all(_is_date(y, b, a) if numeric else _is_date(y, a, b)
                    for y, a, b, numeric in days.values())
    if not (month_first or day_first):
        return None
    options = {"include_time": True} if clocks else {}
    if not month_first:
        options["date_format"] = "european"
    return "date", options


def _is_date(year: int, month: int, day: int) -> bool:
    try:
        date(year, month, day)
    except ValueError:
        return False
    return True


def _email(values: list[str], joined: str):
    return ("email", {}) if all(map(EMAIL.fullmatch, values)) else None


def _url(values: list[str], joined: str):
    return ("url", {}) if all(map(URL.fullmatch, values)) else None


def _select(counts: Counter, joined: str):
    """A single select for few repeating values, a multi select for comma lists drawn from
    a small repeating set of members; None otherwise."""
    if "," not in joined:
        if len(counts) > 4 * SINGLE_SELECT_CHOICES:
            return None  # too many even if some differ only in case
        choices = _choices(counts)
        if len(choices) <= SINGLE_SELECT_CHOICES and len(choices) * 2 <= counts.total():
            return "single_select", {"choices": choices}
        return None
    members, several = Counter(), False
    for value, count in counts.items():
        names = split_members(value)
        several = several or len(names) > 1
        for name in names:
            members[name] += count
        if len(members) > MULTI_SELECT_CHOICES:
            return None
    if several and min(members.values()) >= 2:
        return "multi_select", {"choices": _choices(members)}
    return None


def _choices(names: Iterable[str]) -> list[str]:
    """Names in first-seen order, one per spelling that differs only in case (choices are
    unique regardless of case)."""
    chosen = {}
    for name in names:
        chosen.setdefault(name.casefold(), name)
    return list(chosen.values())


def options_for(field_type: str, values: Iterable[str]) -> dict:
    """The options of a new column whose type the user chose (not the inferred one): select
    choices from its cells, a currency's symbol, a number's precision, a date's format."""
    counts = Counter(map(str.strip, values))
    counts.pop("", None)
    distinct = list(counts)
    joined = "\x00".join(distinct)
    if field_type == "single_select":
        return {"choices": _choices(distinct)}
    if field_type == "multi_select":
        return {"choices": _choices(m for v in distinct for m in split_members(v))}
    if field_type == "currency":
        symbols = _SYMBOL.findall(joined)
        return {"symbol": Counter(symbols).most_common(1)[0][0] if symbols else "$"}
    if field_type == "number":
        decimals = max(map(len, _DECIMALS.findall(joined)), default=0)
        return {"precision": min(decimals, MAX_PRECISION)}
    if field_type == "date" and distinct:
        found = _date(distinct, joined)
        return found[1] if found else {}
    return {}
