"""Turning a formula's text into tokens: numbers, strings, {field} references, names and
operators, each with its 0-based offset in the text."""
import math
from dataclasses import dataclass

from plugins.fundraising.formula.errors import FormulaError
from plugins.fundraising.formula.limits import MAX_EXPRESSION_LENGTH

NUMBER, STRING, FIELD, NAME, OP, END = "number", "string", "field", "name", "op", "end"
OPERATORS = ("!=", "<=", ">=", "+", "-", "*", "/", "&", "=", "<", ">", "(", ")", ",")
STRING_ESCAPES = {"n": "\n", "t": "\t", "r": "\r"}
DIGITS = "0123456789"
NAME_START = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_"
NAME_CHARS = NAME_START + DIGITS
WHITESPACE = " \t\r\n\u00a0"


@dataclass(frozen=True, slots=True)
class Token:
    kind: str
    value: object  # the number, the unescaped text, the field or function name, the operator
    start: int
    end: int


def tokenize(expression: str) -> list[Token]:
    """Every token of the expression, ending with an END token; FormulaError on bad input."""
    if not isinstance(expression, str):
        raise FormulaError("a formula must be text", 0)
    if len(expression) > MAX_EXPRESSION_LENGTH:
        raise FormulaError(f"a formula is limited to {MAX_EXPRESSION_LENGTH:,} characters",
                           MAX_EXPRESSION_LENGTH)
    tokens = []
    i, n = 0, len(expression)
    while i < n:
        char = expression[i]
        if char in WHITESPACE:
            i += 1
        elif char in DIGITS or (char == "." and i + 1 < n and expression[i + 1] in DIGITS):
            i = _number(expression, i, tokens)
        elif char in "\"'":
            i = _string(expression, i, tokens)
        elif char == "{":
            i = _field(expression, i, tokens)
        elif char in NAME_START:
            start = i
            while i < n and expression[i] in NAME_CHARS:
                i += 1
            tokens.append(Token(NAME, expression[start:i], start, i))
        else:
            op = next((o for o in OPERATORS if expression.startswith(o, i)), None)
            if op is None:
                raise FormulaError(_unexpected_character(char), i)
            tokens.append(Token(OP, op, i, i + len(op)))
            i += len(op)
    tokens.append(Token(END, None, n, n))
    return tokens


def _unexpected_character(char: str) -> str:
    if char in "\u201c\u201d\u2018\u2019":
        return "curly quotes cannot enclose text: use straight quotes \" or '"
    if char == "}":
        return "'}' without a matching '{'"
    return f"unexpected character {char!r}"


def _number(expression: str, start: int, tokens: list) -> int:
    i, n = start, len(expression)
    while i < n and expression[i] in DIGITS:
        i += 1
    if i < n and expression[i] == ".":
        i += 1
        while i < n and expression[i] in DIGITS:
            i += 1
    if i < n and expression[i] in "eE":
        j = i + 1
        if j < n and expression[j] in "+-":
            j += 1
        if j < n and expression[j] in DIGITS:
            i = j
            while i < n and expression[i] in DIGITS:
                i += 1
    text = expression[start:i]
    if text.isdigit() and len(text) <= 15:
        value = int(text)
    else:
        value = float(text)
        if not math.isfinite(value):
            raise FormulaError("number is too large", start)
    tokens.append(Token(NUMBER, value, start, i))
    return i


def _string(expression: str, start: int, tokens: list) -> int:
    quote = expression[start]
    parts = []
    i, n = start + 1, len(expression)
    while i < n:
        char = expression[i]
        if char == quote:
            tokens.append(Token(STRING, "".join(parts), start, i + 1))
            return i + 1
        if char == "\\" and i + 1 < n:
            escaped = expression[i + 1]
            parts.append(STRING_ESCAPES.get(escaped, escaped))
            i += 2
        else:
            parts.append(char)
            i += 1
    raise FormulaError("text is missing its closing quote", start)


def _field(expression: str, start: int, tokens: list) -> int:
    # Only \} and \\ are escapes, so a field name may hold any other character, backslashes too.
    parts = []
    i, n = start + 1, len(expression)
    while i < n:
        char = expression[i]
        if char == "}":
            if not parts:
                raise FormulaError("a field reference {} needs a field name", start)
            tokens.append(Token(FIELD, "".join(parts), start, i + 1))
            return i + 1
        if char == "\\" and i + 1 < n and expression[i + 1] in "}\\":
            parts.append(expression[i + 1])
            i += 2
        else:
            parts.append(char)
            i += 1
    raise FormulaError("field reference is missing its closing '}'", start)


def field_reference(name: str) -> str:
    """The text of a {reference} to a field, escaped so that it lexes back to `name`."""
    return "{" + name.replace("\\", "\\\\").replace("}", "\\}") + "}"
