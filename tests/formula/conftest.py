"""Helpers of the formula tests: a table of fields of every type, and one-line evaluation."""
from datetime import datetime, timezone

import pytest

from plugins.fundraising.formula import ErrorValue, compile_formula

FIELDS = {
    "Name": "text", "Notes": "long_text", "Amount": "number", "Check Size": "currency",
    "Rate": "percent", "Stage": "single_select", "Tags": "multi_select", "Due": "date",
    "Done": "checkbox", "Email": "email", "Website": "url", "Phone": "phone",
    "Investors": "link", "Owner": "user", "Score": "formula:number", "Met": "formula:datetime",
}
NOW = datetime(2024, 3, 15, 13, 45, 30, tzinfo=timezone.utc)


@pytest.fixture
def run():
    """run(expression, values=None) -> the value, evaluated at NOW against FIELDS."""
    def run(expression, values=None, now=NOW):
        return compile_formula(expression, FIELDS).evaluate(values or {}, now=now)
    return run


@pytest.fixture
def code(run):
    """code(expression, values=None) -> the error code of a formula that must fail."""
    def code(expression, values=None):
        result = run(expression, values)
        assert isinstance(result, ErrorValue), f"{expression} gave {result!r}"
        return result.code
    return code
