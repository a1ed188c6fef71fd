"""Dates for formulas: reading them from field values and text, unit arithmetic as moment.js
does it (which Airtable uses), and moment.js-style format tokens for DATETIME_FORMAT.

Every datetime is aware and in UTC; a date without a time stays a `date` until arithmetic
below a day or a comparison with a datetime turns it into midnight UTC."""
import calendar
from datetime import date, datetime, time, timedelta, timezone

from plugins.fundraising.formula.errors import num_error, value_error
from plugins.fundraising.formula.values import raise_error_value

UTC = timezone.utc
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MONTHS = [calendar.month_name[i] for i in range(1, 13)]
WEEKDAYS = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"]

# Unit names as Airtable's DATETIME_DIFF and DATEADD take them. The one-letter forms are
# case-sensitive ('M' is months, 'm' minutes); the words are not, singular or plural.
_UNIT_LETTERS = {"ms": "milliseconds", "s": "seconds", "m": "minutes", "h": "hours", "d": "days",
                 "w": "weeks", "M": "months", "Q": "quarters", "y": "years"}
UNITS = ("milliseconds", "seconds", "minutes", "hours", "days", "weeks", "months", "quarters",
         "years")
_MILLISECONDS = {"milliseconds": 1, "seconds": 1_000, "minutes": 60_000, "hours": 3_600_000,
                 "days": 86_400_000, "weeks": 604_800_000}
DAY_OR_LONGER = frozenset({"days", "weeks", "months", "quarters", "years"})


def unit_name(text, position: int | None = None) -> str:
    """The canonical unit for one of Airtable's unit specifiers."""
    if isinstance(text, str):
        word = text.strip()
        if word in _UNIT_LETTERS:
            return _UNIT_LETTERS[word]
        word = word.lower()
        if word in UNITS:
            return word
        if word + "s" in UNITS:
            return word + "s"
    raise value_error(f"'{text}' is not a unit: use one of {', '.join(UNITS)}", position)


def to_moment(value, position: int | None = None) -> date | datetime | None:
    """A date or an aware UTC datetime from a value; None for blank, #VALUE! otherwise."""
    if type(value) is datetime or type(value) is date:
        return value
    if value is None or value == "":
        return None
    if isinstance(value, str):
        parsed = parse_iso(value)
        if parsed is None:
            raise value_error(f"'{value[:40]}' is not a date: use DATETIME_PARSE", position)
        return parsed
    raise_error_value(value)
    raise value_error(f"{type(value).__name__} is not a date", position)


def parse_iso(text: str) -> date | datetime | None:
    text = text.strip()
    if len(text) > 40:
        return None
    try:
        if len(text) == 10:
            return date.fromisoformat(text)
        return as_utc(datetime.fromisoformat(text))
    except ValueError:
        return None


def as_utc(moment: datetime) -> datetime:
    if moment.tzinfo is UTC:
        return moment
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def as_datetime(moment: date | datetime) -> datetime:
    if type(moment) is datetime:
        return moment
    return datetime.combine(moment, time(), tzinfo=UTC)


def add(moment: date | datetime, count, unit: str) -> date | datetime:
    """DATEADD: moment.js rounds day and month counts to whole numbers, not smaller units."""
    try:
        if unit in ("months", "quarters", "years"):
            months = count * {"months": 1, "quarters": 3, "years": 12}[unit]
            return add_months(moment, _round(months))
        if unit in ("days", "weeks"):
            return moment + timedelta(days=_round(count * (7 if unit == "weeks" else 1)))
        return as_datetime(moment) + timedelta(milliseconds=count * _MILLISECONDS[unit])
    except (OverflowError, ValueError):
        raise num_error("the date is out of range") from None


def add_months(moment: date | datetime, months: int) -> date | datetime:
    """Whole months later, on the same day or the month's last day (Jan 31 + 1 month = Feb 28)."""
    index = moment.year * 12 + moment.month - 1 + months
    year, month = divmod(index, 12)
    if not 1 <= year <= 9999:
        raise ValueError("year out of range")
    day = min(moment.day, calendar.monthrange(year, month + 1)[1])
    return moment.replace(year=year, month=month + 1, day=day)


def difference(first: date | datetime, second: date | datetime, unit: str) -> int:
    """DATETIME_DIFF: first minus second in whole units, truncated toward zero like moment."""
    first, second = as_datetime(first), as_datetime(second)
    if unit in ("months", "quarters", "years"):
        months = -_month_difference(first, second)
        amount = months / {"months": 1, "quarters": 3, "years": 12}[unit]
    else:
        delta = first - second
        milliseconds = (delta.days * 86_400 + delta.seconds) * 1000 + delta.microseconds / 1000
        amount = milliseconds / _MILLISECONDS[unit]
    return int(amount)


def _month_difference(a: datetime, b: datetime) -> float:
    # moment.js monthDiff(a, b): whole months from a to b plus the fraction of the next month,
    # counted from the later day of the month so that month ends line up.
    if a.day < b.day:
        return -_month_difference(b, a)
    whole = (b.year - a.year) * 12 + (b.month - a.month)
    anchor = add_months(a, whole)
    if b < anchor:
        other = add_months(a, whole - 1)
        adjust = (b - anchor) / (anchor - other)
    else:
        other = add_months(a, whole + 1)
        adjust = (b - anchor) / (other - anchor)
    return whole + adjust


def _round(number) -> int:
    # Half away from zero, like moment's absRound.
    whole = int(abs(number) + 0.5)
    return whole if number >= 0 else -whole


def weekday(moment: date | datetime, start: str = "Sunday") -> int:
    """0 for the start day of the week (Sunday unless 'Monday' is given), up to 6."""
    monday_based = moment.weekday()
    return monday_based if start == "Monday" else (monday_based + 1) % 7


def timestamp_ms(moment: date | datetime) -> int:
    delta = as_datetime(moment) - EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1000 + delta.microseconds // 1000


def from_timestamp_ms(milliseconds: float) -> datetime:
    try:
        return EPOCH + timedelta(milliseconds=milliseconds)
    except OverflowError:
        raise num_error("the date is out of range") from None
