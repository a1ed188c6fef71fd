import pytest


@pytest.mark.parametrize("expression, expected", [
    # Airtable's documented examples
    ('IF(2 > 1, "A", "B")', "A"),
    ("IF(2 > 1, TRUE, FALSE)", True),
    ('SWITCH("B", "A", "Value A", "B", "Value B", "Default Value")', "Value B"),
    ("AND(1 < 2, 5 > 3)", True),
    ("AND(1 < 2, 5 < 3)", False),
    ("OR(1 < 2, 5 < 3)", True),
    ("OR(1 > 2, 5 < 3)", False),
    ("XOR(1 < 2, 5 < 3, 8 < 10)", False),
    ("XOR(1 > 2, 5 < 3, 8 < 10)", True),
    ("NOT(1 < 2)", False),
    ("NOT(1 > 2)", True),
    ("BLANK()", None),
    ('IF(2 > 3, "Yes", BLANK())', None),
    ("ISERROR(2 / 0)", True),
    ("ISERROR(2 / 1)", False),
    # more
    ('IF(FALSE(), "x")', None),
    ('IF(0, "x", "y")', "y"),
    ('IF("", "x", "y")', "y"),
    ('IF("text", "x", "y")', "x"),
    ('IF({Tags}, "x", "y")', "x"),
    ('IF({Investors}, "x", "y")', "y"),
    ('SWITCH(3, 1, "one", 2, "two")', None),
    ('SWITCH(3, 1, "one", "other")', "other"),
    ('SWITCH({Stage}, "Committed", 1, "Passed", 2, 0)', 0),
    ('SWITCH(BLANK(), "", "empty", "full")', "empty"),
    ("AND({Tags})", True),
    ("OR(0, 0, 1)", True),
    ("XOR(TRUE)", True),
    ("ISERROR(SQRT(-1) + 1)", True),
    ("ISERROR({Name})", False),
])
def test_logical_functions(run, expression, expected):
    assert run(expression, {"Tags": ["a", "b"]}) == expected


def test_if_only_evaluates_the_branch_it_takes_and_fails_on_a_failing_condition(code, run):
    assert run('IF(TRUE, "fine", 1 / 0)') == "fine"
    assert run('IF(FALSE, 1 / 0, "fine")') == "fine"
    assert code('IF(1 / 0 > 1, "x", "y")') == "#DIV/0!"
    assert code("AND(FALSE, 1 / 0)") == "#DIV/0!"


@pytest.mark.parametrize("expression, expected", [
    ("2 = 2", True), ("2 != 2", False), ("2 < 3", True), ("3 <= 3", True), ("4 > 3", True),
    ("3 >= 4", False), ("2 = 2.0", True), ('"abc" = "abc"', True), ('"abc" = "ABC"', False),
    ('"abc" < "abd"', True), ('"B" < "a"', True), ('"3" = 3', True), ('"abc" = 3', False),
    ('"abc" != 3', True), ('"abc" < 3', False), ('"abc" > 3', False), ('"10" > 9', True),
    ("TRUE() = 1", True), ("FALSE() = 0", True), ("1 + 1 = 2 = TRUE()", True),
])
def test_comparisons(run, expression, expected):
    assert run(expression) is expected


@pytest.mark.parametrize("expression, expected", [
    ("{Amount} = BLANK()", True), ("{Amount} = 0", True), ('{Amount} = ""', True),
    ('{Name} = ""', True), ("{Name} = BLANK()", True), ("{Name} < 'a'", True),
    ("{Amount} < 1", True), ("{Amount} > -1", True), ("{Due} = BLANK()", True),
    ("{Due} = '2024-01-01'", False), ("{Done} = FALSE()", True), ("{Tags} = ''", True),
    ("BLANK() = BLANK()", True), ("BLANK() != BLANK()", False),
])
def test_blank_equals_zero_empty_text_and_false(run, expression, expected):
    assert run(expression) is expected


def test_dates_compare_with_dates_and_iso_text(run):
    values = {"Due": "2024-03-01", "Met": "2024-03-01T10:00:00Z"}
    assert run("{Due} = '2024-03-01'", values) is True
    assert run("{Due} < {Met}", values) is True
    assert run("{Due} < TODAY()", values) is True
    assert run("{Met} > DATETIME_PARSE('2024-03-01 09:00', 'YYYY-MM-DD HH:mm')", values) is True
    assert run("{Due} = 'not a date'", values) is False
    assert run("{Due} > 5", values) is False


def test_lists_compare_as_their_text(run):
    assert run("{Tags} = 'a, b'", {"Tags": ["a", "b"]}) is True


def test_typical_pipeline_formula(run):
    formula = 'IF({Stage} = "Committed", {Check Size}, 0)'
    assert run(formula, {"Stage": "Committed", "Check Size": 250_000}) == 250_000
    assert run(formula, {"Stage": "Passed", "Check Size": 250_000}) == 0
    assert run(formula, {"Stage": None, "Check Size": None}) == 0
    assert run(formula, {"Stage": "Committed", "Check Size": None}) is None
