"""How a formula function is described: its arity, its static result type, and how it is
built into a closure from its compiled arguments."""
from collections.abc import Callable
from dataclasses import dataclass

from plugins.fundraising.formula.compiled import Closure, Compiled
from plugins.fundraising.formula.errors import FormulaFault, div_zero, num_error

Builder = Callable[[list[Compiled], int], Closure]


@dataclass(frozen=True)
class FunctionSpec:
    name: str
    min_args: int
    max_args: int | None  # None: any number
    build: Builder  # (compiled arguments, position of the call) -> closure
    returns: str | Callable[[list[Compiled]], str]  # a type, or the type from the arguments
    pure: bool = True  # same arguments, same result: calls on constants are folded
    uses_clock: bool = False
    uses_regex: bool = False

    def result_type(self, args: list[Compiled]) -> str:
        return self.returns if isinstance(self.returns, str) else self.returns(args)

    def arity_text(self) -> str:
        if self.max_args is None:
            return f"at least {self.min_args} argument{'s' * (self.min_args != 1)}"
        if self.min_args == self.max_args:
            return f"{self.min_args} argument{'s' * (self.min_args != 1)}"
        return f"{self.min_args} to {self.max_args} arguments"


def eager(name: str, min_args: int, max_args: int | None, returns, impl: Callable,
          **flags) -> FunctionSpec:
    """A function whose arguments are all evaluated, then passed to impl(*values).

    impl raises FormulaFault without a position; the closure gives it the call's position."""
    def build(args: list[Compiled], position: int) -> Closure:
        fns = tuple(arg.fn for arg in args)
        if len(fns) == 1:
            only = fns[0]

            def call(row):
                try:
                    return impl(only(row))
                except Exception as exc:
                    raise _fault(exc, position) from None
        elif len(fns) == 2:
            first, second = fns

            def call(row):
                try:
                    return impl(first(row), second(row))
                except Exception as exc:
                    raise _fault(exc, position) from None
        elif len(fns) == 3:
            first, second, third = fns

            def call(row):
                try:
                    return impl(first(row), second(row), third(row))
                except Exception as exc:
                    raise _fault(exc, position) from None
        else:
            def call(row):
                try:
                    return impl(*[fn(row) for fn in fns])
                except Exception as exc:
                    raise _fault(exc, position) from None
        return call
    return FunctionSpec(name, min_args, max_args, build, returns, **flags)


def _fault(exc: Exception, position: int) -> Exception:
    if isinstance(exc, FormulaFault):
        return exc.locate(position)
    if isinstance(exc, ZeroDivisionError):
        return div_zero(position)
    if isinstance(exc, OverflowError):
        return num_error("the number is too large", position)
    return exc
