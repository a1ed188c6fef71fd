import pytest

from plugins.fundraising.formula import FormulaError, compile_formula
from plugins.fundraising.formula.nodes import Binary, Boolean, Call, FieldRef, Number, Text, Unary
from plugins.fundraising.formula.parser import parse
from tests.formula.conftest import FIELDS


@pytest.mark.parametrize("expression, value", [
    ("1", 1), ("2.5", 2.5), (".5", 0.5), ("1e3", 1000), ("1.5E-1", 0.15), ("007", 7),
])
def test_numbers(expression, value):
    assert parse(expression) == Number(value, 0)


@pytest.mark.parametrize("expression, value", [
    ('"plain"', "plain"), ("'single'", "single"), (r'"say \"hi\""', 'say "hi"'),
    (r"'it\'s'", "it's"), (r'"back\\slash"', "back\\slash"), (r'"a\nb"', "a\nb"),
    ('"{Not a field}"', "{Not a field}"), ('""', ""),
])
def test_strings_and_escapes(expression, value):
    assert parse(expression) == Text(value, 0)


def test_field_references_keep_spaces_and_escapes():
    assert parse("{Check Size}") == FieldRef("Check Size", 0)
    assert parse(r"{odd \} name}") == FieldRef("odd } name", 0)


def test_precedence_comparison_lowest_then_concat_then_sum_then_product():
    tree = parse("1 + 2 * 3 & 4 = 5")
    assert tree == Binary("=", Binary("&", Binary("+", Number(1, 0), Binary(
        "*", Number(2, 4), Number(3, 8), 6), 2), Number(4, 12), 10), Number(5, 16), 14)


def test_binary_operators_are_left_associative():
    assert parse("8 - 4 - 2") == Binary("-", Binary("-", Number(8, 0), Number(4, 4), 2),
                                        Number(2, 8), 6)


def test_unary_minus_binds_tightest():
    assert parse("-2 * 3") == Binary("*", Unary("-", Number(2, 1), 0), Number(3, 5), 3)


def test_calls_are_case_insensitive_and_take_nested_arguments():
    assert parse("if(TRUE, sum(1, 2), 'x')") == Call("IF", (
        Boolean(True, 3), Call("SUM", (Number(1, 13), Number(2, 16)), 9), Text("x", 20)), 0)


@pytest.mark.parametrize("expression", ["TRUE", "true", "TRUE()", "True()"])
def test_true_with_and_without_parentheses(run, expression):
    assert run(expression) is True


@pytest.mark.parametrize("expression, message, position", [
    ("", "empty", 0),
    ("1 +", "ends too early", 3),
    ("(1 + 2", "missing its closing ')'", 0),
    ("SUM(1, 2", "missing its closing ')'", 0),
    ("SUM(1 2)", "unexpected '2'", 6),
    ("1 2", "unexpected '2'", 2),
    ('"open', "closing quote", 0),
    ("{Name", "closing '}'", 0),
    ("{}", "needs a field name", 0),
    ("Name & 1", "needs braces, like {Name}", 0),
    ("1 # 2", "unexpected character '#'", 2),
    ("“smart”", "straight quotes", 0),
    ("1 + }", "without a matching '{'", 4),
    ("SUM(1,)", "unexpected ')'", 6),
])
def test_syntax_errors_have_a_message_and_a_position(expression, message, position):
    with pytest.raises(FormulaError) as caught:
        compile_formula(expression, FIELDS)
    assert message in caught.value.message
    assert caught.value.position == position


@pytest.mark.parametrize("expression, message, position", [
    ("NOPE(1)", "unknown function NOPE()", 0),
    ("1 + {Nope}", "unknown field {Nope}", 4),
    ("IF(1)", "IF() takes 2 to 3 arguments, not 1", 0),
    ("2 * LEN('a', 'b')", "LEN() takes 1 argument, not 2", 4),
    ("TODAY(1)", "TODAY() takes 0 arguments, not 1", 0),
    ("SUM()", "SUM() takes at least 1 argument, not 0", 0),
])
def test_compile_errors_name_the_problem(expression, message, position):
    with pytest.raises(FormulaError) as caught:
        compile_formula(expression, FIELDS)
    assert caught.value.message == message
    assert caught.value.position == position
    assert caught.value.to_json() == {"message": message, "position": position}


def test_whitespace_and_newlines_are_ignored(run):
    assert run("IF(\n  {Amount} > 1,\n\t'big',\r\n  'small'\n)", {"Amount": 5}) == "big"
