"""A hand-written precedence-climbing parser from tokens to the syntax tree in nodes.py.

Precedence, lowest first: comparisons (= != < > <= >=), then &, then + -, then * /, then
unary minus. Binary operators are left-associative. Depth and size are bounded while parsing,
so no later pass over the tree can recurse deeply."""
from plugins.fundraising.formula import nodes
from plugins.fundraising.formula.errors import FormulaError
from plugins.fundraising.formula.lexer import END, FIELD, NAME, NUMBER, OP, STRING, Token, tokenize
from plugins.fundraising.formula.limits import MAX_DEPTH, MAX_NODES

PRECEDENCE = {"=": 1, "!=": 1, "<": 1, ">": 1, "<=": 1, ">=": 1, "&": 2, "+": 3, "-": 3,
              "*": 4, "/": 4}


def parse(expression: str) -> nodes.Node:
    """The syntax tree of the expression; FormulaError with a position when it is not valid."""
    return _Parser(tokenize(expression)).parse()


class _Parser:
    def __init__(self, tokens: list[Token]):
        self.tokens = tokens
        self.index = 0
        self.count = 0

    def parse(self) -> nodes.Node:
        if self.peek().kind == END:
            raise FormulaError("the formula is empty", 0)
        node, _ = self.expression(0, 1)
        token = self.peek()
        if token.kind != END:
            raise FormulaError(_unexpected(token), token.start)
        return node

    def peek(self) -> Token:
        return self.tokens[self.index]

    def advance(self) -> Token:
        token = self.tokens[self.index]
        self.index += 1
        return token

    def made(self, token: Token, depth: int) -> None:
        """Count one more node and check the depth at which it sits."""
        self.count += 1
        if self.count > MAX_NODES:
            raise FormulaError(f"the formula is too long (more than {MAX_NODES:,} parts)",
                               token.start)
        self.limit(token, depth)

    def limit(self, token: Token, depth: int) -> None:
        if depth > MAX_DEPTH:
            raise FormulaError(f"the formula is nested too deeply (more than {MAX_DEPTH} levels)",
                               token.start)

    # Each method returns (node, height): the height of the subtree, which bounds the recursion
    # of every later pass; `depth` is how deep the parser itself is, which bounds its own.
    def expression(self, min_precedence: int, depth: int) -> tuple[nodes.Node, int]:
        left, height = self.unary(depth)
        while True:
            token = self.peek()
            precedence = PRECEDENCE.get(token.value) if token.kind == OP else None
            if precedence is None or precedence <= min_precedence:
                return left, height
            self.advance()
            right, right_height = self.expression(precedence, depth + 1)
            height = max(height, right_height) + 1
            self.made(token, max(height, depth))
            left = nodes.Binary(token.value, left, right, token.start)

    def unary(self, depth: int) -> tuple[nodes.Node, int]:
        token = self.peek()
        if token.kind == OP and token.value == "-":
            self.advance()
            self.made(token, depth)
            operand, height = self.unary(depth + 1)
            self.limit(token, height + 1)
            return nodes.Unary("-", operand, token.start), height + 1
        return self.primary(depth)

    def primary(self, depth: int) -> tuple[nodes.Node, int]:
        token = self.advance()
        self.made(token, depth)
        if token.kind == NUMBER:
            return nodes.Number(token.value, token.start), 1
        if token.kind == STRING:
            return nodes.Text(token.value, token.start), 1
        if token.kind == FIELD:
            return nodes.FieldRef(token.value, token.start), 1
        if token.kind == NAME:
            return self.name(token, depth)
        if token.kind == OP and token.value == "(":
            node, height = self.expression(0, depth + 1)
            self.expect(")", token)
            return node, height
        raise FormulaError(_unexpected(token), token.start)

    def name(self, token: Token, depth: int) -> tuple[nodes.Node, int]:
        following = self.peek()
        if following.kind == OP and following.value == "(":
            self.advance()
            args, height = self.arguments(token, depth + 1)
            self.limit(token, height + 1)
            return nodes.Call(token.value.upper(), tuple(args), token.start), height + 1
        if token.value.upper() in ("TRUE", "FALSE"):
            return nodes.Boolean(token.value.upper() == "TRUE", token.start), 1
        raise FormulaError(f"unknown name '{token.value}': a field reference needs braces, "
                           f"like {{{token.value}}}, and a function needs parentheses",
                           token.start)

    def arguments(self, call: Token, depth: int) -> tuple[list[nodes.Node], int]:
        args, height = [], 0
        if self.peek().kind == OP and self.peek().value == ")":
            self.advance()
            return args, height
        while True:
            arg, arg_height = self.expression(0, depth)
            args.append(arg)
            height = max(height, arg_height)
            token = self.advance()
            if token.kind == OP and token.value == ")":
                return args, height
            if not (token.kind == OP and token.value == ","):
                if token.kind == END:
                    raise FormulaError(f"{call.value}( is missing its closing ')'", call.start)
                raise FormulaError(_unexpected(token) + " (expected ',' or ')')", token.start)

    def expect(self, op: str, opening: Token) -> None:
        token = self.advance()
        if token.kind == OP and token.value == op:
            return
        if token.kind == END:
            raise FormulaError(f"'{opening.value}' is missing its closing '{op}'", opening.start)
        raise FormulaError(_unexpected(token) + f" (expected '{op}')", token.start)


def _unexpected(token: Token) -> str:
    if token.kind == END:
        return "the formula ends too early"
    if token.kind == STRING:
        return "unexpected text"
    if token.kind == FIELD:
        return "unexpected field reference"
    return f"unexpected '{token.value}'"
