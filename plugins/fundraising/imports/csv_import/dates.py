"""Dates and date-times in the formats Airtable exports: US "11/25/2026" (or 11/25/26),
European "25/11/2026" (only when the field's options say {"date_format": "european"}), ISO
"2026-11-25" and friendly "November 25, 2026", each optionally followed by a time, 12-hour
"3:04pm" or 24-hour "15:04[:05]", or ISO's "T15:04:00.000Z".

Airtable exports local time, so a stored date-time has no zone; a zone written in the cell
("Z", "+01:00", "GMT") is dropped and the clock time kept as written.

A cell is split into its day and its clock time, and each is parsed once per column and
remembered: a column of 100,000 date-times holds far fewer distinct days and minutes."""
import calendar
import re
from datetime import date

from plugins.fundraising.imports.csv_import.errors import CellError, quoted

_ISO_DAY = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})", re.ASCII)
_NUMERIC_DAY = re.compile(r"(\d{1,2})([/.-])(\d{1,2})\2(\d{4}|\d{2})", re.ASCII)
_FRIENDLY_DAY = re.compile(r"([a-z]{3,9})\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})",
                           re.IGNORECASE | re.ASCII)
_CLOCK = re.compile(r"(\d{1,2}):(\d{2})(?::(\d{2})(?:[.,]\d{1,9})?)?(?:\s*([ap])\.?m\.?)?"
                    r"(?:\s*(?:z|utc|gmt|[+-]\d{2}(?::?\d{2})?))?", re.IGNORECASE | re.ASCII)
MONTHS = {name.lower(): n for n, name in enumerate(calendar.month_name) if name}
MONTHS.update({name.lower(): n for n, name in enumerate(calendar.month_abbr) if name})
MONTHS["sept"] = 9
MEMORY = 50_000  # distinct days, and clock times, remembered per column


def split_moment(text: str) -> tuple[str, str | None]:
    """A stripped cell's day text and clock text (None without a time): the time starts
    at the last space or 'T' before the first colon."""
    colon = text.find(":")
    if colon < 0:
        return text, None
    cut = max(text.rfind(" ", 0, colon), text.rfind("T", 0, colon))
    if cut < 0:
        return "", text
    return text[:cut].rstrip(", "), text[cut + 1:].strip()


def read_day(text: str) -> tuple[int, int, int, bool] | None:
    """(year, first, second, numeric) of a day's text, not range-checked; None when it has
    no date shape. first/second are month/day, except in a numeric date ('11/25/2026',
    numeric True) where they are the two leading numbers, whose order the field decides."""
    match = _ISO_DAY.fullmatch(text)
    if match is not None:
        year, month, day = match.groups()
        return int(year), int(month), int(day), False
    match = _NUMERIC_DAY.fullmatch(text)
    if match is not None:
        first, _, second, year = match.groups()
        year = int(year) if len(year) == 4 else _century(int(year))
        return year, int(first), int(second), True
    match = _FRIENDLY_DAY.fullmatch(text)
    if match is not None and match.group(1).lower() in MONTHS:
        month, day, year = match.groups()
        return int(year), MONTHS[month.lower()], int(day), False
    return None


def read_clock(text: str) -> str | None:
    """'HH:MM:SS' from a clock time ('3:04pm', '15:04', '15:04:05.000Z'); None when it is
    not one. A zone is dropped, the clock time kept."""
    match = _CLOCK.fullmatch(text)
    if match is None:
        return None
    hour, minute, second, noon = match.groups()
    hour, minute, second = int(hour), int(minute), int(second or 0)
    if noon is not None:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if noon in "pP" else 0)
    if hour > 23 or minute > 59 or second > 59:
        return None
    return f"{hour:02d}:{minute:02d}:{second:02d}"


def make_date_parser(options: dict):
    """A parser for a date field: a 'YYYY-MM-DD' date, or with options include_time a
    'YYYY-MM-DDTHH:MM:SS' date-time (a bare date is midnight)."""
    include_time = bool(options.get("include_time"))
    day_first = options.get("date_format") == "european"
    days, clocks = {}, {}

    def parse(text: str):
        text = text.strip()
        if not text:
            return None
        # the common '11/25/2026 3:04pm' and '2026-11-25T15:04' split at their first space
        # or T; a day text not seen before takes the general split
        day_text, _, clock_text = text.partition(" " if " " in text else "T")
        day = days.get(day_text)
        if day is None:
            day_text, clock_text = split_moment(text)
            day = days.get(day_text)
            if day is None:
                day = _iso_day(day_text, day_first, text)
                if len(days) < MEMORY:
                    days[day_text] = day
        if not clock_text:
            return day + "T00:00:00" if include_time else day
        clock = clocks.get(clock_text)
        if clock is None:
            clock = read_clock(clock_text)
            if clock is None:
                raise CellError(f"{quoted(text)} is not a date")
            if len(clocks) < MEMORY:
                clocks[clock_text] = clock
        if include_time:
            return f"{day}T{clock}"
        if clock != "00:00:00":
            raise CellError(f"{quoted(text)} has a time of day; this field holds dates only")
        return day
    return parse


def _iso_day(day_text: str, day_first: bool, text: str) -> str:
    parts = read_day(day_text)
    if parts is None:
        raise CellError(f"{quoted(text)} is not a date")
    year, month, day, numeric = parts
    if day_first and numeric:
        month, day = day, month
    try:
        return date(year, month, day).isoformat()
    except ValueError:
        raise CellError(f"{quoted(text)} is not a date{_hint(parts, day_first)}") from None


def _century(year: int) -> int:
    return year + (2000 if year < 69 else 1900)  # as strptime's %y


def _hint(parts: tuple, day_first: bool) -> str:
    _, first, second, numeric = parts
    if numeric and not day_first and first > 12 >= second:
        return " (read as month/day/year; a day/month/year file needs the european date format)"
    if numeric and day_first and second > 12 >= first:
        return " (read as day/month/year, as the field's european date format says)"
    return ""
