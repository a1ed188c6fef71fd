"""From syntax tree to closures, once per formula: field references are resolved against the
table's fields, calls against the function registry (checking arity), static types are
inferred, and operations on constants are folded."""
from plugins.fundraising.formula import nodes
from plugins.fundraising.formula.compiled import Compiled, constant
from plugins.fundraising.formula.datetimes import parse_iso
from plugins.fundraising.formula.errors import FormulaError, FormulaFault, value_error
from plugins.fundraising.formula.functions import FUNCTIONS
from plugins.fundraising.formula.operators import build_binary, build_negate
from plugins.fundraising.formula.types import CHECKBOX, DATE, DATETIME, NUMBER, TEXT, field_type


class Compilation:
    """The state of compiling one formula: the fields it may use and what it turned out to use."""

    def __init__(self, fields: dict[str, str]):
        self.fields = fields
        self.by_folded_name = {}
        for name in fields:
            self.by_folded_name.setdefault(name.casefold(), name)
        self.references: set[str] = set()
        self.uses_clock = False
        self.uses_regex = False

    def resolve(self, node: nodes.FieldRef) -> str:
        """The field's name as the table spells it: exact, else ignoring case (as the CRM's
        field names are unique ignoring case)."""
        if node.name in self.fields:
            return node.name
        name = self.by_folded_name.get(node.name.casefold())
        if name is None:
            raise FormulaError(f"unknown field {{{node.name}}}", node.position)
        return name

    def compile(self, node: nodes.Node) -> Compiled:
        if isinstance(node, nodes.Number):
            return constant(node.value, NUMBER)
        if isinstance(node, nodes.Text):
            return constant(node.value, TEXT)
        if isinstance(node, nodes.Boolean):
            return constant(node.value, CHECKBOX)
        if isinstance(node, nodes.FieldRef):
            return self.reference(node)
        if isinstance(node, nodes.Unary):
            operand = self.compile(node.operand)
            return _folded(build_negate(operand, node.position), [operand])
        if isinstance(node, nodes.Binary):
            left, right = self.compile(node.left), self.compile(node.right)
            return _folded(build_binary(node.op, left, right, node.position), [left, right])
        return self.call(node)

    def reference(self, node: nodes.FieldRef) -> Compiled:
        name = self.resolve(node)
        self.references.add(name)
        static = field_type(self.fields[name])
        if static in (DATE, DATETIME):
            return Compiled(_date_reference(name, node.position), static)

        def reference(row):
            return row.get(name)
        return Compiled(reference, static)

    def call(self, node: nodes.Call) -> Compiled:
        spec = FUNCTIONS.get(node.name)
        if spec is None:
            raise FormulaError(f"unknown function {node.name}()", node.position)
        count = len(node.args)
        if count < spec.min_args or (spec.max_args is not None and count > spec.max_args):
            raise FormulaError(f"{node.name}() takes {spec.arity_text()}, not {count}",
                               node.position)
        args = [self.compile(arg) for arg in node.args]
        self.uses_clock |= spec.uses_clock
        self.uses_regex |= spec.uses_regex
        built = Compiled(spec.build(args, node.position), spec.result_type(args))
        return _folded(built, args) if spec.pure else built


def _date_reference(name: str, position: int):
    def date_reference(row):
        value = row.get(name)
        if type(value) is str:
            parsed = parse_iso(value)
            if parsed is None:
                raise value_error(f"'{value[:40]}' in {{{name}}} is not a date", position)
            return parsed
        return value
    return date_reference


def _folded(built: Compiled, args: list[Compiled]) -> Compiled:
    """A constant in place of an operation whose arguments are all constants."""
    if not all(arg.is_constant for arg in args):
        return built
    try:
        value = built.fn({})
    except FormulaFault as fault:
        return Compiled(_raiser(fault), built.type)
    except Exception:  # noqa: BLE001 - whatever failed will fail again, at run time
        return built
    if isinstance(value, list):
        return built  # a shared list could be changed by whoever reads a result
    return Compiled(lambda row: value, built.type, True, value)


def _raiser(fault: FormulaFault):
    code, message, position = fault.code, fault.message, fault.position

    def raise_fault(row):
        # A new fault each time: re-raising one instance would grow its traceback forever.
        raise FormulaFault(code, message, position)
    return raise_fault
