"""Every function a formula can call, by upper-case name."""
from plugins.fundraising.formula.functions import arrays, dates, logic, numeric, patterns, text
from plugins.fundraising.formula.functions.spec import FunctionSpec


def _registry() -> dict[str, FunctionSpec]:
    found = {}
    for family in (numeric, text, logic, dates, patterns, arrays):
        for spec in family.FUNCTIONS:
            if spec.name in found:
                raise ValueError(f"formula function {spec.name} is defined twice")
            found[spec.name] = spec
    return found


FUNCTIONS = _registry()
