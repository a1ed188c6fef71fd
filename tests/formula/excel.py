"""Translating a formula's syntax tree to an Excel formula, with the record's field values
written in as literals, and evaluating it with the `formulas` package."""
import functools
import math

import formulas
import numpy

from plugins.fundraising.formula import ErrorValue, nodes

EXCEL_NAMES = {"CONCAT": "CONCATENATE"}
EXCEL_OPERATORS = {"!=": "<>"}


def to_excel(node: nodes.Node, values: dict) -> str:
    if isinstance(node, nodes.Number):
        return _number(node.value)
    if isinstance(node, nodes.Text):
        return _text(node.value)
    if isinstance(node, nodes.Boolean):
        return "TRUE" if node.value else "FALSE"
    if isinstance(node, nodes.FieldRef):
        value = values[node.name]
        return _text(value) if isinstance(value, str) else f"({_number(value)})"
    if isinstance(node, nodes.Unary):
        return f"(-{to_excel(node.operand, values)})"
    if isinstance(node, nodes.Binary):
        op = EXCEL_OPERATORS.get(node.op, node.op)
        return f"({to_excel(node.left, values)}{op}{to_excel(node.right, values)})"
    if node.name in ("TRUE", "FALSE") and not node.args:
        return node.name
    args = ",".join(to_excel(arg, values) for arg in node.args)
    return f"{EXCEL_NAMES.get(node.name, node.name)}({args})"


def _number(value) -> str:
    return repr(value).upper() if isinstance(value, float) else str(value)


def _text(value: str) -> str:
    return '"' + value.replace('"', '""') + '"'


@functools.lru_cache(maxsize=1024)
def excel_value(excel: str):
    """The value of an Excel formula: a float, str or bool, or an error code like '#NUM!'."""
    result = formulas.Parser().ast("=" + excel)[1].compile()()
    while isinstance(result, numpy.ndarray):
        result = result.ravel()[0]
    if isinstance(result, formulas.tokens.operand.XlError):
        return str(result)
    if isinstance(result, (bool, numpy.bool_)):
        return bool(result)
    if isinstance(result, (int, float, numpy.number)):
        return float(result)
    return result


def same_value(ours, theirs) -> bool:
    if isinstance(theirs, str) and theirs.startswith("#"):
        return isinstance(ours, ErrorValue) and ours.code == theirs
    if isinstance(theirs, bool) or isinstance(ours, bool):
        return ours is theirs
    if isinstance(theirs, float):
        return isinstance(ours, (int, float)) and math.isclose(ours, theirs, rel_tol=1e-9,
                                                              abs_tol=1e-9)
    return ours == theirs
