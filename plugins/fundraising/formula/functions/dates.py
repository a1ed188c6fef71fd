"""Date functions: TODAY NOW DATEADD DATETIME_DIFF DATETIME_FORMAT DATETIME_PARSE YEAR MONTH DAY
WEEKDAY HOUR MINUTE SECOND.

Dates come from date fields, from DATETIME_PARSE, or from ISO text ("2024-03-01",
"2024-03-01T09:30:00Z"). Everything is in UTC. A blank date gives a blank result rather than
an error, so DATETIME_DIFF(TODAY(), {Last Contact}, 'days') is empty for a record without a
last contact. TODAY() and NOW() read the `now` given to Formula.evaluate (the wall clock
otherwise), once per evaluation."""
from plugins.fundraising.formula.compiled import Compiled
from plugins.fundraising.formula.dateformat import (DEFAULT_PARSE_FORMATS, format_moment,
                                                    parse_moment)
from plugins.fundraising.formula.datetimes import (DAY_OR_LONGER, add, as_datetime, difference,
                                                   parse_iso, to_moment, unit_name, weekday)
from plugins.fundraising.formula.errors import FormulaFault, value_error
from plugins.fundraising.formula.functions.spec import eager
from plugins.fundraising.formula.runtime import current_time
from plugins.fundraising.formula.types import ANY, DATE, DATETIME, NUMBER, TEXT
from plugins.fundraising.formula.values import datetime_text, to_number, to_text


def _today():
    return current_time().date()


def _now():
    return current_time()


def _dateadd(moment, count, unit):
    moment = to_moment(moment)
    if moment is None:
        return None
    return add(moment, to_number(count), unit_name(unit))


def _dateadd_type(args: list[Compiled]) -> str:
    if args[0].type == DATETIME:
        return DATETIME
    if args[0].type != DATE or not args[2].is_constant:
        return ANY
    try:
        unit = unit_name(args[2].value)
    except FormulaFault:
        return ANY
    return DATE if unit in DAY_OR_LONGER else DATETIME


def _datetime_diff(first, second, unit="seconds"):
    first, second = to_moment(first), to_moment(second)
    if first is None or second is None:
        return None
    return difference(first, second, unit_name(unit))


def _datetime_format(moment, fmt=None):
    moment = to_moment(moment)
    if moment is None:
        return None
    if fmt is None:
        return datetime_text(as_datetime(moment))
    return format_moment(moment, to_text(fmt))


def _datetime_parse(text, fmt=None, locale=None):
    if text is None or text == "":
        return None
    if not isinstance(text, str):
        moment = to_moment(text)
        return as_datetime(moment) if moment is not None else None
    if fmt is not None:
        return parse_moment(text, to_text(fmt))
    moment = parse_iso(text)
    if moment is not None:
        return as_datetime(moment)
    for candidate in DEFAULT_PARSE_FORMATS:
        try:
            return parse_moment(text, candidate)
        except FormulaFault as fault:
            if fault.code != "#VALUE!":
                raise
    raise value_error(f"'{text[:40]}' is not a date this can read: give DATETIME_PARSE a format")


def _part(read):
    def part(moment):
        moment = to_moment(moment)
        return None if moment is None else read(moment)
    return part


def _weekday(moment, start=None):
    moment = to_moment(moment)
    if moment is None:
        return None
    first = "Sunday" if start is None else to_text(start).strip().capitalize()
    if first not in ("Sunday", "Monday"):
        raise value_error("a week starts on 'Sunday' or 'Monday'")
    return weekday(moment, first)


FUNCTIONS = [
    eager("TODAY", 0, 0, DATE, _today, pure=False, uses_clock=True),
    eager("NOW", 0, 0, DATETIME, _now, pure=False, uses_clock=True),
    eager("DATEADD", 3, 3, _dateadd_type, _dateadd),
    eager("DATETIME_DIFF", 2, 3, NUMBER, _datetime_diff),
    eager("DATETIME_FORMAT", 1, 2, TEXT, _datetime_format),
    eager("DATETIME_PARSE", 1, 3, DATETIME, _datetime_parse, uses_regex=True),
    eager("YEAR", 1, 1, NUMBER, _part(lambda m: m.year)),
    eager("MONTH", 1, 1, NUMBER, _part(lambda m: m.month)),
    eager("DAY", 1, 1, NUMBER, _part(lambda m: m.day)),
    eager("HOUR", 1, 1, NUMBER, _part(lambda m: as_datetime(m).hour)),
    eager("MINUTE", 1, 1, NUMBER, _part(lambda m: as_datetime(m).minute)),
    eager("SECOND", 1, 1, NUMBER, _part(lambda m: as_datetime(m).second)),
    eager("WEEKDAY", 1, 2, NUMBER, _weekday),
]
