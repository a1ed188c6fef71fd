"""moment.js-style format tokens (YYYY, MM, DD, HH, mm, ...) for DATETIME_FORMAT and
DATETIME_PARSE. Text in [brackets] is literal; other characters stand for themselves."""
import functools
from datetime import date, datetime, timedelta

import regex

from plugins.fundraising.formula.datetimes import (MONTHS, UTC, WEEKDAYS, as_datetime,
                                                   from_timestamp_ms, timestamp_ms)
from plugins.fundraising.formula.errors import general_error, value_error
from plugins.fundraising.formula.limits import MAX_DATE_FORMAT_LENGTH
from plugins.fundraising.formula.runtime import regex_timeout


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _offset(moment: datetime, colon: bool) -> str:
    return "+00:00" if colon else "+0000"  # every datetime here is UTC


_FORMATTERS = {
    "YYYY": lambda d: f"{d.year:04d}",
    "YY": lambda d: f"{d.year % 100:02d}",
    "Q": lambda d: str((d.month - 1) // 3 + 1),
    "MMMM": lambda d: MONTHS[d.month - 1],
    "MMM": lambda d: MONTHS[d.month - 1][:3],
    "MM": lambda d: f"{d.month:02d}",
    "M": lambda d: str(d.month),
    "DDDD": lambda d: f"{d.timetuple().tm_yday:03d}",
    "DDD": lambda d: str(d.timetuple().tm_yday),
    "Do": lambda d: _ordinal(d.day),
    "DD": lambda d: f"{d.day:02d}",
    "D": lambda d: str(d.day),
    "dddd": lambda d: WEEKDAYS[(d.weekday() + 1) % 7],
    "ddd": lambda d: WEEKDAYS[(d.weekday() + 1) % 7][:3],
    "dd": lambda d: WEEKDAYS[(d.weekday() + 1) % 7][:2],
    "d": lambda d: str((d.weekday() + 1) % 7),
    "HH": lambda d: f"{d.hour:02d}",
    "H": lambda d: str(d.hour),
    "hh": lambda d: f"{(d.hour % 12) or 12:02d}",
    "h": lambda d: str((d.hour % 12) or 12),
    "mm": lambda d: f"{d.minute:02d}",
    "m": lambda d: str(d.minute),
    "ss": lambda d: f"{d.second:02d}",
    "s": lambda d: str(d.second),
    "SSS": lambda d: f"{d.microsecond // 1000:03d}",
    "SS": lambda d: f"{d.microsecond // 10000:02d}",
    "S": lambda d: str(d.microsecond // 100000),
    "A": lambda d: "AM" if d.hour < 12 else "PM",
    "a": lambda d: "am" if d.hour < 12 else "pm",
    "X": lambda d: str(timestamp_ms(d) // 1000),
    "x": lambda d: str(timestamp_ms(d)),
    "ZZ": lambda d: _offset(d, False),
    "Z": lambda d: _offset(d, True),
}
_TOKENS_BY_LENGTH = sorted(_FORMATTERS, key=len, reverse=True)


def _tokens(fmt: str):
    """(is_token, text) pairs of a format string."""
    i, n = 0, len(fmt)
    while i < n:
        if fmt[i] == "[":
            end = fmt.find("]", i + 1)
            if end != -1:
                yield False, fmt[i + 1:end]
                i = end + 1
                continue
        token = next((t for t in _TOKENS_BY_LENGTH if fmt.startswith(t, i)), None)
        if token:
            yield True, token
            i += len(token)
        else:
            yield False, fmt[i]
            i += 1


def format_moment(moment: date | datetime, fmt: str) -> str:
    """DATETIME_FORMAT: the moment written with moment.js tokens."""
    moment = as_datetime(moment)
    return "".join(_FORMATTERS[text](moment) if is_token else text
                   for is_token, text in _tokens(fmt))


_DIGITS = {"YYYY": r"(\d{4})", "YY": r"(\d{2})", "MM": r"(\d{1,2})", "M": r"(\d{1,2})",
           "DD": r"(\d{1,2})", "D": r"(\d{1,2})", "Do": r"(\d{1,2})(?:st|nd|rd|th)",
           "HH": r"(\d{1,2})", "H": r"(\d{1,2})", "hh": r"(\d{1,2})", "h": r"(\d{1,2})",
           "mm": r"(\d{1,2})", "m": r"(\d{1,2})", "ss": r"(\d{1,2})", "s": r"(\d{1,2})",
           "SSS": r"(\d{1,3})", "SS": r"(\d{1,2})", "S": r"(\d)", "X": r"(-?\d{1,12})",
           "x": r"(-?\d{1,15})", "MMMM": r"([A-Za-z]+)", "MMM": r"([A-Za-z]{3})",
           "A": r"([AaPp][Mm])", "a": r"([AaPp][Mm])", "Z": r"(Z|[+-]\d\d:?\d\d)",
           "ZZ": r"(Z|[+-]\d\d:?\d\d)", "dddd": r"[A-Za-z]+", "ddd": r"[A-Za-z]{3}",
           "dd": r"[A-Za-z]{2}", "d": r"\d", "Q": r"\d", "DDDD": r"\d{3}", "DDD": r"\d{1,3}"}
DEFAULT_PARSE_FORMATS = ("M/D/YYYY h:mm a", "M/D/YYYY H:mm", "M/D/YYYY", "YYYY/M/D",
                         "D MMM YYYY H:mm", "D MMM YYYY", "MMMM D, YYYY", "MMM D, YYYY")


@functools.lru_cache(maxsize=256)
def _parser(fmt: str):
    parts, keys = [], []
    for is_token, text in _tokens(fmt):
        if not is_token:
            parts.append(r"\s+" if text.isspace() else regex.escape(text))
        else:
            parts.append(_DIGITS[text])
            if text not in ("dddd", "ddd", "dd", "d", "Q", "DDDD", "DDD"):
                keys.append(text)
    return regex.compile("".join(parts), regex.IGNORECASE), tuple(keys)


def parse_moment(text: str, fmt: str) -> datetime:
    """DATETIME_PARSE: the datetime (UTC) that `text` gives in format `fmt`."""
    if len(fmt) > MAX_DATE_FORMAT_LENGTH:
        raise value_error(f"a date format is limited to {MAX_DATE_FORMAT_LENGTH} characters")
    pattern, keys = _parser(fmt)
    try:
        match = pattern.fullmatch(text.strip(), timeout=regex_timeout())
    except TimeoutError:
        raise general_error("reading the date took too long") from None
    if match is None:
        raise value_error(f"'{text[:40]}' does not match the format '{fmt}'")
    return _assemble(dict(zip(keys, match.groups())), text)


def _assemble(fields: dict, text: str) -> datetime:
    if "X" in fields or "x" in fields:
        milliseconds = int(fields["x"]) if "x" in fields else int(fields["X"]) * 1000
        return from_timestamp_ms(milliseconds)
    year = int(fields.get("YYYY") or 1970)
    if "YY" in fields and "YYYY" not in fields:
        short = int(fields["YY"])
        year = 2000 + short if short < 69 else 1900 + short  # moment's two-digit year rule
    month = int(fields.get("MM") or fields.get("M") or 1)
    name = fields.get("MMMM") or fields.get("MMM")
    if name:
        month = _month_number(name, text)
    day = int(fields.get("DD") or fields.get("D") or fields.get("Do") or 1)
    hour = int(next((fields[k] for k in ("HH", "H", "hh", "h") if k in fields), 0))
    meridiem = (fields.get("A") or fields.get("a") or "").lower()
    if meridiem == "pm" and hour < 12:
        hour += 12
    elif meridiem == "am" and hour == 12:
        hour = 0
    minute = int(fields.get("mm") or fields.get("m") or 0)
    second = int(fields.get("ss") or fields.get("s") or 0)
    fraction = fields.get("SSS") or fields.get("SS") or fields.get("S") or "0"
    try:
        moment = datetime(year, month, day, hour, minute, second,
                          int(fraction.ljust(3, "0")) * 1000, tzinfo=UTC)
    except ValueError:
        raise value_error(f"'{text[:40]}' is not a valid date") from None
    offset = fields.get("Z") or fields.get("ZZ")
    if offset and offset.upper() != "Z":
        sign = 1 if offset[0] == "+" else -1
        digits = offset[1:].replace(":", "")
        moment -= sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
    return moment


def _month_number(name: str, text: str) -> int:
    for index, month in enumerate(MONTHS):
        if name.lower() in (month.lower(), month[:3].lower()):
            return index + 1
    raise value_error(f"'{text[:40]}' has no month called '{name}'")
