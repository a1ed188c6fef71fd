"""What goes wrong: FormulaError when a formula cannot be compiled, ErrorValue when a record's
value cannot be computed, and FormulaFault, the exception that carries an ErrorValue while
evaluating."""

ERROR_CODES = frozenset({"#ERROR!", "#DIV/0!", "#VALUE!", "#REF!", "#NUM!", "#N/A"})


class FormulaError(Exception):
    """The formula cannot be compiled; position is a 0-based offset into the expression."""

    def __init__(self, message: str, position: int = 0):
        super().__init__(message, position)
        self.message = message
        self.position = position

    def __str__(self):
        return f"{self.message} (at character {self.position})"

    def to_json(self) -> dict:
        return {"message": self.message, "position": self.position}


class ErrorValue:
    """The value of a formula that failed for one record, shown like Airtable's #ERROR!."""

    __slots__ = ("code", "message", "position")

    def __init__(self, code: str, message: str = "", position: int | None = None):
        self.code = code if code in ERROR_CODES else "#ERROR!"
        self.message = message
        self.position = position

    def to_json(self) -> dict:
        return {"error": self.code, "message": self.message}

    def __eq__(self, other):
        if not isinstance(other, ErrorValue):
            return NotImplemented
        return (self.code, self.message, self.position) == (
            other.code, other.message, other.position)

    def __hash__(self):
        return hash((self.code, self.message, self.position))

    def __repr__(self):
        return f"ErrorValue({self.code!r}, {self.message!r}, position={self.position!r})"


class FormulaFault(Exception):
    """Raised inside a compiled formula; evaluate() turns it into an ErrorValue.

    Faults raised by helpers that do not know where they are have no position; the node that
    called them fills it in on the way out (see `locate`)."""

    def __init__(self, code: str, message: str, position: int | None = None):
        super().__init__(code, message)
        self.code = code
        self.message = message
        self.position = position

    def locate(self, position: int) -> "FormulaFault":
        if self.position is None:
            self.position = position
        return self

    def error(self) -> ErrorValue:
        return ErrorValue(self.code, self.message, self.position)


def value_error(message: str, position: int | None = None) -> FormulaFault:
    return FormulaFault("#VALUE!", message, position)


def num_error(message: str, position: int | None = None) -> FormulaFault:
    return FormulaFault("#NUM!", message, position)


def div_zero(position: int | None = None) -> FormulaFault:
    return FormulaFault("#DIV/0!", "division by zero", position)


def general_error(message: str, position: int | None = None) -> FormulaFault:
    return FormulaFault("#ERROR!", message, position)
