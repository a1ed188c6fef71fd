import orjson
import pytest

from plugins.fundraising.formula import ERROR_CODES, ErrorValue, compile_formula
from tests.formula.conftest import FIELDS


def test_error_values_carry_a_code_a_message_and_the_position_of_the_failing_node(run):
    result = run("1 + 10 / {Amount}", {"Amount": 0})
    assert result == ErrorValue("#DIV/0!", "division by zero", 7)
    assert result.to_json() == {"error": "#DIV/0!", "message": "division by zero"}


@pytest.mark.parametrize("expression, position", [
    ("1 + 'abc' * 2", 10),
    ("LEN('a') + SQRT(-1)", 11),
    ("CONCAT('a', LEFT('b', -1))", 12),
    ("IF(TRUE, 'x' & (1 / 0), 'y')", 18),
    ("-{Name}", 0),
    ("UPPER({Tags}) & MID('x', 0, 1)", 16),
])
def test_positions_point_at_the_operator_or_function_that_failed(run, expression, position):
    result = run(expression, {"Name": "Jo", "Tags": ["a"]})
    assert isinstance(result, ErrorValue)
    assert result.position == position


@pytest.mark.parametrize("expression", [
    "(1 / 0) + 1", "ROUND(1 / 0, 2)", "CONCAT('a', 1 / 0)", "'a' & (1 / 0)", "(1 / 0) = 1",
    "NOT(1 / 0)", "-(1 / 0)", "SUM(1, 1 / 0)", "YEAR(DATEADD('2024-01-01', 1 / 0, 'days'))",
    "ARRAYJOIN(1 / 0)", "SWITCH(1 / 0, 1, 2)", "LEN(1 / 0)", "DATETIME_FORMAT(1 / 0)",
])
def test_errors_propagate_through_operators_and_functions(code, expression):
    assert code(expression) == "#DIV/0!"


def test_error_values_of_other_formula_fields_propagate_and_are_caught_by_iserror(run):
    broken = ErrorValue("#NUM!", "too big", 3)
    assert run("{Score}", {"Score": broken}) is broken
    assert run("{Score} + 1", {"Score": broken}).code == "#NUM!"
    assert run("{Score} & ''", {"Score": broken}).code == "#NUM!"
    assert run("ISERROR({Score})", {"Score": broken}) is True
    assert run("ISERROR({Score} * 2)", {"Score": broken}) is True
    stored = {"error": "#DIV/0!", "message": "division by zero"}
    assert run("{Score} * 2", {"Score": stored}).code == "#DIV/0!"
    assert run("{Score}", {"Score": stored}) == ErrorValue("#DIV/0!", "division by zero")
    assert run("IF(ISERROR({Score}), 0, {Score})", {"Score": stored}) == 0


def test_unknown_codes_become_error():
    assert ErrorValue("#WHAT?").code == "#ERROR!"
    assert ERROR_CODES == {"#ERROR!", "#DIV/0!", "#VALUE!", "#REF!", "#NUM!", "#N/A"}


@pytest.mark.parametrize("values", [
    None, {"Amount": object()}, {"Tags": [[[[]]]]}, {"Amount": float("nan")},
    {"Amount": float("inf")}, {"Due": 12}, {"Name": b"bytes"}, {"Amount": 10 ** 400},
])
def test_evaluate_never_raises_whatever_the_values(values):
    for expression in ("{Amount} * 2", "{Name} & {Tags}", "YEAR({Due})", "SUM({Tags}, {Amount})",
                       "{Amount}", "IF({Amount}, {Name}, {Tags})"):
        result = compile_formula(expression, FIELDS).evaluate(values)
        assert isinstance(result, ErrorValue) or orjson.dumps(result)
