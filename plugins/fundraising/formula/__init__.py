"""A sandboxed formula engine with Airtable's syntax and functions.

    formula = compile_formula("IF({Stage} = 'Committed', {Check Size}, 0)",
                              {"Stage": "single_select", "Check Size": "currency"})
    formula.references    # frozenset({'Stage', 'Check Size'})
    formula.result_type   # 'number'
    formula.evaluate({"Stage": "Committed", "Check Size": 250_000})  # 250000

Formulas are parsed by hand and compiled to closures: no eval, no attribute access on values,
and bounded size, depth, text length and regex time (see limits.py)."""
from plugins.fundraising.formula.engine import (Formula, compile_formula, rename_references,
                                                validate)
from plugins.fundraising.formula.errors import ERROR_CODES, ErrorValue, FormulaError
from plugins.fundraising.formula.functions import FUNCTIONS
from plugins.fundraising.formula.types import RESULT_TYPES

__all__ = ["ERROR_CODES", "FUNCTIONS", "RESULT_TYPES", "ErrorValue", "Formula", "FormulaError",
           "compile_formula", "rename_references", "validate"]
