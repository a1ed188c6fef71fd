import pytest

from plugins.fundraising.formula import compile_formula
from tests.formula.conftest import FIELDS


@pytest.mark.parametrize("expression, expected", [
    # Airtable's documented examples
    ("SUM(100, 200, 300)", 600),
    ("AVERAGE(100, 200, 300)", 200),
    ("MAX(100, 200, 300)", 300),
    ("MIN(100, 200, 300)", 100),
    ("ROUND(1.99, 0)", 2),
    ("ROUND(16.8, -1)", 20),
    ("ROUNDUP(1.1, 0)", 2),
    ("ROUNDUP(-1.1, 0)", -2),
    ("ROUNDDOWN(1.9, 0)", 1),
    ("ROUNDDOWN(-1.9, 0)", -1),
    ("CEILING(2.49)", 3),
    ("CEILING(1.01, 0.1)", 1.1),
    ("CEILING(-1.01, 0.1)", -1),
    ("FLOOR(2.49)", 2),
    ("FLOOR(1.01, 0.1)", 1),
    ("FLOOR(-1.01, 0.1)", -1.1),
    ("INT(1.9)", 1),
    ("INT(-1.9)", -2),
    ("ABS(-1)", 1),
    ("SQRT(4)", 2),
    ("POWER(2, 3)", 8),
    ("MOD(9, 2)", 1),
    ("MOD(9, 3)", 0),
    ('COUNT(1, 2, 3, "", "four")', 3),
    ('COUNTA(1, 2, 3, "", "four")', 4),
    ('COUNTALL(1, 2, 3, "", "four")', 5),
    # arithmetic
    ("1 + 2 * 3", 7),
    ("(1 + 2) * 3", 9),
    ("7 / 2", 3.5),
    ("6 / 2", 3),
    ("-2 * -3", 6),
    ("0.1 + 0.2", 0.30000000000000004),
    ("10 - 4 - 3", 3),
])
def test_numeric_functions(run, expression, expected):
    assert run(expression) == expected


@pytest.mark.parametrize("expression, expected", [
    ("ROUND(2.5)", 3), ("ROUND(-2.5)", -3), ("ROUND(0.5)", 1), ("ROUND(1.5)", 2),
    ("ROUND(2.675, 2)", 2.68), ("ROUND(1.005, 2)", 1.01), ("ROUND(-1.005, 2)", -1.01),
    ("ROUND(1234.5678, -2)", 1200), ("ROUND(1.5, 400)", 1.5), ("ROUND(123, -400)", 0),
])
def test_round_is_half_away_from_zero_on_the_written_decimal(run, expression, expected):
    result = run(expression)
    assert result == expected
    assert type(result) is type(expected)


def test_whole_results_are_ints_and_others_floats(run):
    assert type(run("6 / 2")) is int
    assert type(run("{Check Size} * 0.02", {"Check Size": 1000})) is int
    assert run("{Check Size} * 0.02", {"Check Size": 1234}) == pytest.approx(24.68)


def test_mod_takes_the_sign_of_the_dividend_like_javascript(run):
    assert run("MOD(-7, 3)") == -1
    assert run("MOD(7, -3)") == 1
    assert run("MOD(7.5, 2)") == 1.5


def test_blank_is_zero_in_arithmetic(run):
    assert run("{Amount} + 1") == 1
    assert run("{Amount} * 2") == 0
    assert run("-{Amount}") == 0


def test_numeric_text_and_checkboxes_coerce(run):
    assert run('"3" * 2') == 6
    assert run('" 1.5 " + 1') == 2.5
    assert run("{Done} + 1", {"Done": True}) == 2
    assert run("{Name} * 2", {"Name": "12"}) == 24


def test_aggregates_flatten_lists_and_skip_blanks(run):
    values = {"Investors": [1, 2, 3], "Amount": None}
    assert run("SUM({Investors})", values) == 6
    assert run("SUM({Investors}, 4, {Amount})", values) == 10
    assert run("AVERAGE({Investors}, {Amount})", values) == 2
    assert run("MAX({Tags})", {"Tags": ["a", "b"]}) == 0
    assert run('SUM("2", 3)') == 5


def test_counts_look_inside_lists(run):
    values = {"Tags": ["a", "", "b"], "Investors": [7, 8]}
    assert run("COUNT({Investors}, 'x', 1)", values) == 3
    assert run("COUNTA({Tags})", values) == 2
    assert run("COUNTALL({Tags}, {Amount})", values) == 4


@pytest.mark.parametrize("expression, expected", [
    ("1 / 0", "#DIV/0!"),
    ("MOD(1, 0)", "#DIV/0!"),
    ("AVERAGE({Tags})", "#DIV/0!"),
    ("POWER(0, -1)", "#DIV/0!"),
    ("SQRT(-1)", "#NUM!"),
    ("POWER(-8, 1/3)", "#NUM!"),
    ("POWER(10, 400)", "#NUM!"),
    ("1e300 * 1e300", "#NUM!"),
    ("'abc' * 2", "#VALUE!"),
    ("SUM('abc')", "#VALUE!"),
    ("{Due} + 1", "#VALUE!"),
    ("{Tags} * 2", "#VALUE!"),
    ("ROUND('x')", "#VALUE!"),
])
def test_numeric_errors(code, expression, expected):
    assert code(expression, {"Tags": ["a"], "Due": "2024-01-01"}) == expected


def test_ints_past_javascripts_safe_range_become_floats(run):
    result = run("{Amount} * {Amount} * {Amount} * {Amount}", {"Amount": 10 ** 6})
    assert result == 1e24
    assert type(result) is float


def test_typical_formulas_compile_once_and_evaluate_per_record():
    formula = compile_formula("{Check Size} * 0.02", FIELDS)
    assert [formula.evaluate({"Check Size": v}) for v in (100, 250.5, None)] == [2, 5.01, 0]
