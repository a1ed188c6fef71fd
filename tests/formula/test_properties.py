"""Property tests: random formulas give the values Excel gives (through the `formulas`
package) wherever Airtable and Excel agree, and no formula makes evaluate raise.

The generators keep to that common ground: numbers are compared with numbers and text only
after LOWER (Excel compares text ignoring case), MOD gets non-negative integers, ROUND rounds
to tens or units (where rounding the binary and the written decimal agree), TRIM gets text
without runs of inner spaces, IF always has both branches, and no number becomes text."""
import functools
import os

import orjson
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from plugins.fundraising.formula import ErrorValue, FormulaError, compile_formula
from plugins.fundraising.formula.parser import parse
from tests.formula.excel import excel_value, same_value, to_excel

FIELDS = {"A": "number", "B": "number", "S": "text", "T": "text"}
DEPTH = 3
PROPERTY_SETTINGS = settings(
    max_examples=int(os.environ.get("FORMULA_EXAMPLES", 200)), deadline=None, database=None,
    derandomize=True, suppress_health_check=[HealthCheck.too_slow])

WORDS = st.text(alphabet="abcXYZ019", min_size=1, max_size=4)
TEXT_VALUES = st.tuples(st.sampled_from(["", " ", "  "]), st.lists(WORDS, max_size=3),
                        st.sampled_from(["", " "])).map(lambda t: t[0] + " ".join(t[1]) + t[2])
NUMBER_VALUES = st.one_of(st.integers(-1000, 1000),
                          st.floats(-1000, 1000, allow_nan=False).map(lambda f: round(f, 3)))
RECORDS = st.fixed_dictionaries({"A": NUMBER_VALUES, "B": NUMBER_VALUES, "S": TEXT_VALUES,
                                 "T": TEXT_VALUES})
NUMBER_LITERALS = st.one_of(
    st.integers(0, 1000).map(str),
    st.sampled_from(["0.5", ".5", "2.5", "1.25", "10.75", "0.1", "3.3", "1e3", "2E-2", "0"]))
TEXT_LITERALS = TEXT_VALUES.map(lambda s: f'"{s}"')


def _call(name):
    return lambda args: f"{name}({', '.join(args)})"


@functools.cache
def numbers(depth: int):
    leaves = st.one_of(NUMBER_LITERALS, st.sampled_from(["{A}", "{B}"]))
    if depth == 0:
        return leaves
    sub = numbers(depth - 1)
    return st.one_of(
        leaves,
        st.tuples(sub, st.sampled_from("+-*/"), sub).map(lambda t: f"({t[0]} {t[1]} {t[2]})"),
        sub.map(lambda x: f"-{x}"),
        st.tuples(sub, st.integers(-2, 0)).map(lambda t: f"ROUND({t[0]}, {t[1]})"),
        st.tuples(st.sampled_from(["ABS", "INT", "SQRT"]), sub).map(lambda t: f"{t[0]}({t[1]})"),
        st.tuples(sub, sub).map(lambda t: f"MOD(INT(ABS({t[0]})), INT(ABS({t[1]})))"),
        st.tuples(sub, st.integers(1, 3)).map(lambda t: f"POWER({t[0]}, {t[1]})"),
        st.tuples(st.sampled_from(["MIN", "MAX", "SUM", "AVERAGE"]),
                  st.lists(sub, min_size=1, max_size=3)).map(lambda t: _call(t[0])(t[1])),
        texts(depth - 1).map(lambda x: f"LEN({x})"),
        st.tuples(logic(depth - 1), sub, sub).map(lambda t: f"IF({t[0]}, {t[1]}, {t[2]})"),
    )


@functools.cache
def texts(depth: int):
    leaves = st.one_of(TEXT_LITERALS, st.sampled_from(["{S}", "{T}"]))
    if depth == 0:
        return leaves
    sub = texts(depth - 1)
    small = st.integers(0, 5).map(str)
    return st.one_of(
        leaves,
        st.tuples(sub, sub).map(lambda t: f"({t[0]} & {t[1]})"),
        st.lists(sub, min_size=1, max_size=3).map(_call("CONCAT")),
        st.tuples(st.sampled_from(["UPPER", "LOWER"]), sub).map(lambda t: f"{t[0]}({t[1]})"),
        leaves.map(lambda x: f"TRIM({x})"),
        st.tuples(st.sampled_from(["LEFT", "RIGHT"]), sub, small).map(
            lambda t: f"{t[0]}({t[1]}, {t[2]})"),
        st.tuples(sub, st.integers(1, 6), small).map(lambda t: f"MID({t[0]}, {t[1]}, {t[2]})"),
        st.tuples(sub, WORDS, TEXT_LITERALS).map(
            lambda t: f'SUBSTITUTE({t[0]}, "{t[1]}", {t[2]})'),
        st.tuples(sub, st.integers(0, 3)).map(lambda t: f"REPT({t[0]}, {t[1]})"),
        st.tuples(logic(depth - 1), sub, sub).map(lambda t: f"IF({t[0]}, {t[1]}, {t[2]})"),
    )


@functools.cache
def logic(depth: int):
    leaves = st.sampled_from(["TRUE()", "FALSE()", "TRUE", "FALSE"])
    if depth == 0:
        return leaves
    sub = logic(depth - 1)
    return st.one_of(
        leaves,
        st.tuples(numbers(depth - 1), st.sampled_from(["=", "!=", "<", ">", "<=", ">="]),
                  numbers(depth - 1)).map(lambda t: f"({t[0]} {t[1]} {t[2]})"),
        st.tuples(texts(depth - 1), st.sampled_from(["=", "!="]), texts(depth - 1)).map(
            lambda t: f"(LOWER({t[0]}) {t[1]} LOWER({t[2]}))"),
        st.tuples(st.sampled_from(["AND", "OR", "XOR"]),
                  st.lists(sub, min_size=1, max_size=3)).map(lambda t: _call(t[0])(t[1])),
        sub.map(lambda x: f"NOT({x})"),
        st.tuples(sub, sub, sub).map(lambda t: f"IF({t[0]}, {t[1]}, {t[2]})"),
    )


def assert_matches_excel(expression: str, record: dict):
    ours = compile_formula(expression, FIELDS).evaluate(record)
    excel = to_excel(parse(expression), record)
    theirs = excel_value(excel)
    assert same_value(ours, theirs), f"{expression} -> {ours!r}; Excel {excel} -> {theirs!r}"


@PROPERTY_SETTINGS
@given(numbers(DEPTH), RECORDS)
def test_arithmetic_agrees_with_excel(expression, record):
    assert_matches_excel(expression, record)


@PROPERTY_SETTINGS
@given(texts(DEPTH), RECORDS)
def test_text_agrees_with_excel(expression, record):
    assert_matches_excel(expression, record)


@PROPERTY_SETTINGS
@given(logic(DEPTH), RECORDS)
def test_logic_agrees_with_excel(expression, record):
    assert_matches_excel(expression, record)


ANY_FIELDS = {"N": "number", "S": "text", "D": "date", "C": "checkbox", "L": "multi_select",
              "K": "link", "F": "formula:number"}
ANY_VALUES = st.one_of(st.none(), st.booleans(), st.integers(-10 ** 20, 10 ** 20),
                       st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=20),
                       st.sampled_from(["2024-02-29", "2024-02-29T10:00:00Z", "12", "x"]),
                       st.lists(st.one_of(st.text(max_size=5), st.integers()), max_size=4),
                       st.just({"error": "#NUM!", "message": "bad"}))
ANY_RECORDS = st.fixed_dictionaries({name: ANY_VALUES for name in ANY_FIELDS})
FUNCTION_NAMES = sorted(["SUM", "MIN", "MAX", "AVERAGE", "COUNT", "COUNTA", "ROUND", "ROUNDUP",
                         "ROUNDDOWN", "ABS", "INT", "MOD", "POWER", "SQRT", "CEILING", "FLOOR",
                         "CONCAT", "LEN", "UPPER", "LOWER", "TRIM", "LEFT", "RIGHT", "MID",
                         "FIND", "SEARCH", "SUBSTITUTE", "REPLACE", "REPT", "VALUE", "T", "IF",
                         "SWITCH", "AND", "OR", "NOT", "XOR", "BLANK", "ISERROR", "TODAY", "NOW",
                         "DATEADD", "DATETIME_DIFF", "DATETIME_FORMAT", "DATETIME_PARSE", "YEAR",
                         "MONTH", "DAY", "WEEKDAY", "REGEX_MATCH", "REGEX_EXTRACT",
                         "REGEX_REPLACE", "ARRAYJOIN", "ARRAYUNIQUE"])
ANY_LEAVES = st.one_of(
    st.sampled_from(["{N}", "{S}", "{D}", "{C}", "{L}", "{K}", "{F}", "0", "-1", "1e300", "2.5",
                     '""', '"days"', '"M"', '"a+"', '"(a|aa)+$"', '"YYYY"', "TRUE", "BLANK()"]),
    st.text(alphabet="ab1 -.", max_size=6).map(lambda s: f'"{s}"'))
ANY_EXPRESSIONS = st.recursive(
    ANY_LEAVES,
    lambda sub: st.one_of(
        st.tuples(sub, st.sampled_from(["+", "-", "*", "/", "&", "=", "!=", "<", ">=" ]), sub)
        .map(lambda t: f"({t[0]} {t[1]} {t[2]})"),
        sub.map(lambda x: f"-{x}"),
        st.tuples(st.sampled_from(FUNCTION_NAMES), st.lists(sub, max_size=4)).map(
            lambda t: _call(t[0])(t[1]))),
    max_leaves=12)


@PROPERTY_SETTINGS
@given(ANY_EXPRESSIONS, ANY_RECORDS)
def test_any_formula_either_fails_to_compile_or_evaluates_to_json(expression, record):
    try:
        formula = compile_formula(expression, ANY_FIELDS)
    except FormulaError as exc:
        assert 0 <= exc.position <= len(expression)
        return
    result = formula.evaluate(record)
    assert isinstance(result, ErrorValue) or orjson.dumps(result) is not None


@PROPERTY_SETTINGS
@given(st.text(alphabet='{}()"\',&+-*/=<>!. aAzZ09_\\\nIFSUM', max_size=40))
def test_any_text_either_fails_to_compile_with_a_position_or_evaluates(expression):
    try:
        formula = compile_formula(expression, {"a": "number", "A": "text"})
    except FormulaError as exc:
        assert 0 <= exc.position <= len(expression)
        return
    formula.evaluate({"a": 1, "A": "x"})
