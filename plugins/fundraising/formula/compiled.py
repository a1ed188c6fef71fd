"""What the compiler makes of one node: a closure from a record's values to the node's value,
the node's static type, and its value when it is a constant."""
from collections.abc import Callable
from typing import Any

Closure = Callable[[dict], Any]


class Compiled:
    __slots__ = ("fn", "type", "is_constant", "value")

    def __init__(self, fn: Closure, type_: str, is_constant: bool = False, value: Any = None):
        self.fn = fn
        self.type = type_
        self.is_constant = is_constant
        self.value = value


def constant(value: Any, type_: str) -> Compiled:
    return Compiled(lambda row: value, type_, True, value)
