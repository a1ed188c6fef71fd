"""The bounds that keep any formula, however hostile, cheap to compile and to evaluate."""

MAX_EXPRESSION_LENGTH = 10_000  # characters
MAX_DEPTH = 64  # nesting of parentheses, calls, operators and operands
MAX_NODES = 2_000  # AST nodes
MAX_TEXT_LENGTH = 100_000  # characters in any text a formula builds

MAX_REGEX_LENGTH = 500  # characters in a REGEX_* pattern
MAX_REGEX_EXPANSION = 10_000  # repeated atoms after expanding counted repeats like a{100}
# One cell's regex work is capped, not only each call's: a column is recomputed cell by cell
REGEX_CALL_TIMEOUT = 0.05  # seconds for one regex search
REGEX_BUDGET = 0.05  # seconds of regex work for one evaluation (or one compilation)
MAX_DATE_FORMAT_LENGTH = 200  # characters in a DATETIME_PARSE input format
