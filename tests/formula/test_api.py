import pytest

from plugins.fundraising.formula import (FUNCTIONS, RESULT_TYPES, FormulaError, compile_formula,
                                         rename_references, validate)
from tests.formula.conftest import FIELDS


def test_references_are_the_fields_used_spelled_as_the_table_spells_them():
    formula = compile_formula("IF({stage} = 'x', {Check Size} + {Check Size}, LEN('{Name}'))",
                              FIELDS)
    assert formula.references == {"Stage", "Check Size"}
    assert compile_formula("1 + 1", FIELDS).references == frozenset()


def test_field_references_ignore_case_but_prefer_an_exact_match():
    fields = {"amount": "text", "Amount": "number"}
    assert compile_formula("{amount}", fields).result_type == "text"
    assert compile_formula("{Amount}", fields).result_type == "number"
    assert compile_formula("{AMOUNT}", fields).references == {"amount"}


@pytest.mark.parametrize("expression, result_type", [
    ("{Check Size} * 0.02", "number"),
    ("{Amount}", "number"), ("{Rate}", "number"), ("{Score}", "number"),
    ("{Name}", "text"), ("{Stage}", "text"), ("{Email}", "text"), ("{Owner}", "text"),
    ("{Due}", "date"), ("{Met}", "datetime"), ("{Done}", "checkbox"),
    ("{Tags}", "array"), ("{Investors}", "array"),
    ('IF({Stage} = "Committed", {Check Size}, 0)', "number"),
    ('CONCAT({Name}, " - ", {Stage})', "text"),
    ("{Name} & {Amount}", "text"),
    ("{Amount} > 3", "checkbox"),
    ("AND(TRUE, FALSE)", "checkbox"),
    ("IF({Done}, 'yes', 3)", "text"),  # branches differ: "any", shown as text
    ("IF({Done}, {Amount})", "number"),
    ("IF({Done}, BLANK(), {Due})", "date"),
    ("IF({Done}, {Due}, NOW())", "datetime"),
    ("SWITCH({Stage}, 'a', 1, 'b', 2, 3)", "number"),
    ("SWITCH({Stage}, 'a', 1, 'b', 'two')", "text"),
    ("BLANK()", "text"),
    ("TODAY()", "date"), ("NOW()", "datetime"),
    ("DATEADD({Due}, 1, 'days')", "date"),
    ("DATEADD({Due}, 1, 'hours')", "datetime"),
    ("DATEADD({Met}, 1, 'days')", "datetime"),
    ("DATEADD({Due}, 1, {Name})", "text"),
    ("DATETIME_PARSE('2024-01-01')", "datetime"),
    ("DATETIME_DIFF({Due}, TODAY(), 'days')", "number"),
    ("DATETIME_FORMAT({Due}, 'YYYY')", "text"),
    ("ARRAYUNIQUE({Tags})", "array"), ("ARRAYJOIN({Tags})", "text"),
    ("REGEX_MATCH({Name}, 'a')", "checkbox"),
    ("ISERROR({Score})", "checkbox"),
])
def test_result_type_is_inferred_at_compile_time(expression, result_type):
    formula = compile_formula(expression, FIELDS)
    assert formula.result_type == result_type
    assert formula.result_type in RESULT_TYPES


def test_unknown_field_types_and_formula_results_fall_back_to_text():
    assert compile_formula("{X}", {"X": "rich_text"}).result_type == "text"
    assert compile_formula("{X}", {"X": "formula:mystery"}).result_type == "text"
    assert compile_formula("{X}", {"X": "formula:array"}).result_type == "array"


def test_validate():
    assert validate("{Amount} * 2", FIELDS) == {"ok": True, "type": "number"}
    assert validate("{Nope} * 2", FIELDS) == {
        "ok": False, "error": {"message": "unknown field {Nope}", "position": 0}}
    assert validate("SUM(1,", FIELDS) == {
        "ok": False, "error": {"message": "the formula ends too early", "position": 6}}
    assert validate(None, FIELDS)["ok"] is False


@pytest.mark.parametrize("expression, expected", [
    ("{Check Size} * 2", "{Investment} * 2"),
    ("{check size} + {Check Size}", "{Investment} + {Investment}"),
    ('"{Check Size}" & {Check Size}', '"{Check Size}" & {Investment}'),
    ("'{Check Size}' & {Check Sizes}", "'{Check Size}' & {Check Sizes}"),
    ("IF({Check Size}>1,{Check Size},0)", "IF({Investment}>1,{Investment},0)"),
    ("1 + 2", "1 + 2"),
])
def test_rename_references_rewrites_field_references_only(expression, expected):
    assert rename_references(expression, "Check Size", "Investment") == expected


def test_rename_references_escapes_awkward_names():
    renamed = rename_references("{A} + 1", "A", "Odd } name \\")
    assert renamed == "{Odd \\} name \\\\} + 1"
    assert compile_formula(renamed, {"Odd } name \\": "number"}).evaluate(
        {"Odd } name \\": 2}) == 3


def test_rename_references_of_unreadable_formulas_raises():
    with pytest.raises(FormulaError):
        rename_references('"open', "A", "B")


def test_every_function_of_the_brief_is_registered():
    brief = """SUM MIN MAX AVERAGE COUNT COUNTA ROUND ROUNDUP ROUNDDOWN ABS INT MOD POWER SQRT
        CEILING FLOOR CONCAT LEN UPPER LOWER TRIM LEFT RIGHT MID FIND SEARCH SUBSTITUTE REPLACE
        REPT VALUE T IF SWITCH AND OR NOT XOR BLANK ISERROR TODAY NOW DATEADD DATETIME_DIFF
        DATETIME_FORMAT DATETIME_PARSE YEAR MONTH DAY WEEKDAY REGEX_MATCH REGEX_EXTRACT
        REGEX_REPLACE ARRAYJOIN ARRAYUNIQUE""".split()
    assert set(brief) <= set(FUNCTIONS)


def test_a_formula_is_reusable_and_independent_of_the_fields_dict():
    fields = dict(FIELDS)
    formula = compile_formula("{Amount} + 1", fields)
    fields.clear()
    assert [formula.evaluate({"Amount": n}) for n in range(3)] == [1, 2, 3]
    assert repr(formula) == "Formula('{Amount} + 1', result_type='number')"
