"""The syntax tree of a formula: small frozen dataclasses, each with the 0-based offset of the
text it came from (an operator's own offset for unary and binary operations)."""
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Number:
    value: int | float
    position: int


@dataclass(frozen=True, slots=True)
class Text:
    value: str
    position: int


@dataclass(frozen=True, slots=True)
class Boolean:
    value: bool
    position: int


@dataclass(frozen=True, slots=True)
class FieldRef:
    name: str  # as written between the braces
    position: int


@dataclass(frozen=True, slots=True)
class Unary:
    op: str  # only "-"
    operand: "Node"
    position: int


@dataclass(frozen=True, slots=True)
class Binary:
    op: str  # + - * / & = != < > <= >=
    left: "Node"
    right: "Node"
    position: int


@dataclass(frozen=True, slots=True)
class Call:
    name: str  # upper-cased
    args: tuple["Node", ...]
    position: int


Node = Number | Text | Boolean | FieldRef | Unary | Binary | Call

