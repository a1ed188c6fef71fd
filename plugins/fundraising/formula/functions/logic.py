"""Logical functions: IF SWITCH AND OR NOT XOR BLANK ISERROR TRUE FALSE.

IF and SWITCH evaluate only the branch they pick, so an error in another branch does not
matter. AND, OR and XOR evaluate every argument (lists count item by item), as in Excel.
IF with two arguments gives blank when the condition is false, as in Airtable."""
from plugins.fundraising.formula.errors import ErrorValue
from plugins.fundraising.formula.functions.spec import FunctionSpec, eager
from plugins.fundraising.formula.operators import values_equal
from plugins.fundraising.formula.types import BLANK, CHECKBOX, unify
from plugins.fundraising.formula.values import flatten, is_truthy


def _build_if(args, position):
    condition, then = args[0].fn, args[1].fn
    otherwise = args[2].fn if len(args) == 3 else (lambda row: None)

    def if_(row):
        test = condition(row)
        if type(test) is not bool:
            test = is_truthy(test, position)
        return then(row) if test else otherwise(row)
    return if_


def _if_type(args):
    return unify(args[1].type, args[2].type if len(args) == 3 else BLANK)


def _build_switch(args, position):
    subject = args[0].fn
    rest = [arg.fn for arg in args[1:]]
    default = rest.pop() if len(rest) % 2 else (lambda row: None)
    cases = tuple(zip(rest[0::2], rest[1::2]))

    def switch(row):
        value = subject(row)
        for pattern, result in cases:
            if values_equal(value, pattern(row), position):
                return result(row)
        return default(row)
    return switch


def _switch_type(args):
    rest = args[1:]
    results = [arg.type for arg in rest[1::2]]
    default = rest[-1].type if len(rest) % 2 else BLANK
    return unify(*results, default)


def _build_iserror(args, position):
    fn = args[0].fn

    def iserror(row):
        try:
            value = fn(row)
        except Exception:
            return True
        return isinstance(value, ErrorValue) or (isinstance(value, dict) and "error" in value)
    return iserror


def _truths(values) -> list[bool]:
    return [is_truthy(value) for value in flatten(values)]


def _and(*values):
    return all(_truths(values))


def _or(*values):
    return any(_truths(values))


def _xor(*values):
    return sum(_truths(values)) % 2 == 1


def _not(value):
    return not is_truthy(value)


FUNCTIONS = [
    FunctionSpec("IF", 2, 3, _build_if, _if_type),
    FunctionSpec("SWITCH", 2, None, _build_switch, _switch_type),
    FunctionSpec("ISERROR", 1, 1, _build_iserror, CHECKBOX),
    eager("AND", 1, None, CHECKBOX, _and),
    eager("OR", 1, None, CHECKBOX, _or),
    eager("XOR", 1, None, CHECKBOX, _xor),
    eager("NOT", 1, 1, CHECKBOX, _not),
    eager("BLANK", 0, 0, BLANK, lambda: None),
    eager("TRUE", 0, 0, CHECKBOX, lambda: True),
    eager("FALSE", 0, 0, CHECKBOX, lambda: False),
]
