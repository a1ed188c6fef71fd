from datetime import date, datetime, timedelta, timezone

import pytest

from plugins.fundraising.formula import compile_formula
from tests.formula.conftest import FIELDS, NOW


def test_today_and_now_read_the_frozen_clock(run):
    assert run("TODAY()") == "2024-03-15"
    assert run("NOW()") == "2024-03-15T13:45:30.000Z"
    later = datetime(2030, 1, 2, 3, 4, 5, tzinfo=timezone(timedelta(hours=2)))
    assert run("NOW()", now=later) == "2030-01-02T01:04:05.000Z"
    assert run("TODAY()", now=date(2031, 5, 6)) == "2031-05-06"
    assert run("NOW()", now=datetime(2024, 1, 1, 12)) == "2024-01-01T12:00:00.000Z"


def test_without_a_frozen_clock_now_is_the_wall_clock():
    result = compile_formula("NOW()", FIELDS).evaluate({})
    moment = datetime.fromisoformat(result.replace("Z", "+00:00"))
    assert abs(moment - datetime.now(timezone.utc)) < timedelta(minutes=1)


@pytest.mark.parametrize("expression, expected", [
    ('DATEADD("2019-07-10", 10, "days")', "2019-07-20"),
    ('DATEADD("2019-07-10", 1, "day")', "2019-07-11"),
    ('DATEADD("2019-07-10", 2, "weeks")', "2019-07-24"),
    ('DATEADD("2024-01-31", 1, "months")', "2024-02-29"),
    ('DATEADD("2024-01-31", 1, "M")', "2024-02-29"),
    ('DATEADD("2024-02-29", 1, "years")', "2025-02-28"),
    ('DATEADD("2024-01-15", 1, "quarters")', "2024-04-15"),
    ('DATEADD("2024-01-15", -1, "y")', "2023-01-15"),
    ('DATEADD("2024-01-15", 1.5, "days")', "2024-01-17"),
    ('DATEADD("2024-01-15", 90, "minutes")', "2024-01-15T01:30:00.000Z"),
    ('DATEADD("2024-01-15", 2, "h")', "2024-01-15T02:00:00.000Z"),
    ('DATEADD("2024-01-15T23:00:00Z", 2, "hours")', "2024-01-16T01:00:00.000Z"),
    ('DATEADD("2024-01-15", 1500, "ms")', "2024-01-15T00:00:01.500Z"),
    ("DATEADD({Due}, 1, 'days')", None),
])
def test_dateadd(run, expression, expected):
    assert run(expression) == expected


@pytest.mark.parametrize("unit, expected", [
    # 1,037 days, 1 hour, 1 minute and 1 second apart; 34 months and 2 days
    ("milliseconds", 89_600_461_000), ("ms", 89_600_461_000), ("seconds", 89_600_461),
    ("s", 89_600_461), ("minutes", 1_493_341), ("m", 1_493_341), ("hours", 24_889),
    ("h", 24_889), ("days", 1037), ("d", 1037), ("weeks", 148), ("w", 148), ("months", 34),
    ("M", 34), ("quarters", 11), ("Q", 11), ("years", 2), ("y", 2), ("Days", 1037),
    ("day", 1037),
])
def test_datetime_diff_units_and_aliases(run, unit, expected):
    expression = f"DATETIME_DIFF('2024-03-15T13:45:30Z', '2021-05-13T12:44:29Z', '{unit}')"
    assert run(expression) == expected


@pytest.mark.parametrize("first, second, unit, expected", [
    ("2024-03-01", "2024-01-01", "days", 60),
    ("2024-01-01", "2024-03-01", "days", -60),
    ("2024-03-01", "2024-01-01", None, 5_184_000),
    ("2024-02-29", "2024-01-31", "months", 1),  # month ends line up, as in moment
    ("2024-01-31", "2024-02-29", "months", -1),
    ("2024-02-28", "2024-01-31", "months", 0),
    ("2024-03-31", "2024-02-29", "months", 1),
    ("2024-03-30", "2024-01-31", "months", 1),
    ("2024-01-31", "2024-03-30", "months", -1),
    ("2025-01-01", "2024-01-02", "years", 0),
    ("2025-01-02", "2024-01-02", "years", 1),
    ("2024-01-01T23:59:59Z", "2024-01-01", "days", 0),
])
def test_datetime_diff_truncates_toward_zero_like_moment(run, first, second, unit, expected):
    unit_arg = f", '{unit}'" if unit else ""
    assert run(f"DATETIME_DIFF('{first}', '{second}'{unit_arg})") == expected


def test_days_since_last_contact(run):
    formula = "DATETIME_DIFF(TODAY(), {Due}, 'days')"
    assert run(formula, {"Due": "2024-03-01"}) == 14
    assert run(formula, {"Due": None}) is None


@pytest.mark.parametrize("fmt, expected", [
    ("DD-MM-YYYY", "05-03-2024"),
    ("M/D/YY", "3/5/24"),
    ("MMM D, YYYY", "Mar 5, 2024"),
    ("MMMM Do YYYY", "March 5th 2024"),
    ("ddd", "Tue"),
    ("dddd", "Tuesday"),
    ("HH:mm:ss", "14:07:09"),
    ("h:mm A", "2:07 PM"),
    ("h:mm a", "2:07 pm"),
    ("H", "14"),
    ("YYYY-[W]Q", "2024-W1"),
    ("X", "1709647629"),
    ("x", "1709647629000"),
    ("Z", "+00:00"),
    ("[Today is] dddd", "Today is Tuesday"),
])
def test_datetime_format_tokens(run, fmt, expected):
    assert run(f"DATETIME_FORMAT('2024-03-05T14:07:09Z', '{fmt}')") == expected


def test_datetime_format_defaults_to_iso(run):
    assert run("DATETIME_FORMAT('2024-03-05')") == "2024-03-05T00:00:00.000Z"
    assert run("DATETIME_FORMAT({Due}, 'YYYY')", {"Due": "2019-10-17"}) == "2019"
    assert run("DATETIME_FORMAT('2019-10-17', 'DD-MM-YYYY')") == "17-10-2019"


@pytest.mark.parametrize("expression, expected", [
    ('DATETIME_PARSE("4 Mar 2017 23:00", "D MMM YYYY HH:mm")', "2017-03-04T23:00:00.000Z"),
    ('DATETIME_PARSE("2024-01-05")', "2024-01-05T00:00:00.000Z"),
    ('DATETIME_PARSE("2024-01-05T10:00:00+02:00")', "2024-01-05T08:00:00.000Z"),
    ('DATETIME_PARSE("3/7/2024")', "2024-03-07T00:00:00.000Z"),
    ('DATETIME_PARSE("3/7/2024 5:30 pm")', "2024-03-07T17:30:00.000Z"),
    ('DATETIME_PARSE("March 7, 2024")', "2024-03-07T00:00:00.000Z"),
    ('DATETIME_PARSE("07.03.24", "DD.MM.YY")', "2024-03-07T00:00:00.000Z"),
    ('DATETIME_PARSE("12:15 AM 1/2/1999", "hh:mm A M/D/YYYY")', "1999-01-02T00:15:00.000Z"),
    ('DATETIME_PARSE("1709647629", "X")', "2024-03-05T14:07:09.000Z"),
    ('DATETIME_PARSE("2024-03-05 10:00 +0100", "YYYY-MM-DD HH:mm ZZ")',
     "2024-03-05T09:00:00.000Z"),
    ('DATETIME_PARSE("")', None),
])
def test_datetime_parse(run, expression, expected):
    assert run(expression) == expected


@pytest.mark.parametrize("expression", [
    'DATETIME_PARSE("someday")', 'DATETIME_PARSE("2024-13-01", "YYYY-MM-DD")',
    'DATETIME_PARSE("31 Foo 2024", "D MMM YYYY")', 'DATETIME_PARSE("1/2", "YYYY-MM-DD")',
    'YEAR("soon")', 'DATEADD("2024-01-01", 1, "fortnights")',
    'DATETIME_DIFF("2024-01-01", "2023-01-01", "eons")', "DAY(5)",
    "WEEKDAY('2024-01-01', 'Tuesday')",
])
def test_unreadable_dates_and_units_are_value_errors(code, expression):
    assert code(expression) == "#VALUE!"


def test_date_parts(run):
    assert run("YEAR('2021-06-09')") == 2021
    assert run("MONTH('2021-06-09')") == 6
    assert run("DAY('2021-06-09')") == 9
    assert run("HOUR('2021-06-09T17:08:09Z')") == 17
    assert run("MINUTE('2021-06-09T17:08:09Z')") == 8
    assert run("SECOND('2021-06-09T17:08:09Z')") == 9
    assert run("YEAR({Due})") is None


@pytest.mark.parametrize("day, sunday_based, monday_based", [
    ("2024-03-10", 0, 6), ("2024-03-11", 1, 0), ("2024-03-15", 5, 4), ("2024-03-16", 6, 5),
])
def test_weekday_counts_from_sunday_unless_told_monday(run, day, sunday_based, monday_based):
    assert run(f"WEEKDAY('{day}')") == sunday_based
    assert run(f"WEEKDAY('{day}', 'Monday')") == monday_based


def test_date_fields_read_dates_and_datetimes(run):
    assert run("{Due}", {"Due": "2024-02-29"}) == "2024-02-29"
    assert run("{Met}", {"Met": "2024-02-29T09:30:00+01:00"}) == "2024-02-29T08:30:00.000Z"
    assert run("{Due}", {"Due": "2024-02-29T09:30:00"}) == "2024-02-29T09:30:00.000Z"
    assert run("{Due}", {"Due": "29/02/2024"}).code == "#VALUE!"


def test_now_is_frozen_once_per_evaluation():
    formula = compile_formula("DATETIME_DIFF(NOW(), NOW(), 'ms')", FIELDS)
    assert formula.evaluate({}) == 0
    assert formula.evaluate({}, now=NOW) == 0
