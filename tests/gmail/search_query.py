"""The part of Gmail's search syntax (`q`) that the fake honours: time bounds."""
import datetime
import re
import time
from zoneinfo import ZoneInfo

# Gmail reads a bare date as midnight Pacific time; only epoch seconds are exact.
GMAIL_DATE_ZONE = ZoneInfo("America/Los_Angeles")
_UNIT_DAYS = {"d": 1, "m": 30, "y": 365}


class QueryError(ValueError):
    """A time term the fake cannot read (Gmail answers 400 Invalid query)."""


def time_bounds(q, now=None):
    """(earliest_ms, latest_ms) from `after:`/`before:`/`newer_than:`/`older_than:` terms.

    Either bound is None when absent; every other term is ignored. Bounds are
    inclusive: Gmail leaves the boundary undocumented, so a plugin must dedupe.
    """
    now = time.time() if now is None else now
    earliest = latest = None
    for term in (q or "").split():
        operator, _, value = term.partition(":")
        operator = operator.lower()
        if operator in ("after", "before"):
            moment = _instant_ms(value)
        elif operator in ("newer_than", "older_than"):
            moment = int((now - _age_seconds(value)) * 1000)
        else:
            continue
        if operator in ("after", "newer_than"):
            earliest = moment if earliest is None else max(earliest, moment)
        else:
            latest = moment if latest is None else min(latest, moment)
    return earliest, latest


def _instant_ms(value):
    if value.isdigit():
        return int(value) * 1000
    match = re.fullmatch(r"(\d{4})[/-](\d{1,2})[/-](\d{1,2})", value)
    if not match:
        raise QueryError(f"Invalid date: {value}")
    day = datetime.datetime(*map(int, match.groups()), tzinfo=GMAIL_DATE_ZONE)
    return int(day.timestamp() * 1000)


def _age_seconds(value):
    match = re.fullmatch(r"(\d+)([dmy])", value.lower())
    if not match:
        raise QueryError(f"Invalid age: {value}")
    return int(match.group(1)) * _UNIT_DAYS[match.group(2)] * 86400
