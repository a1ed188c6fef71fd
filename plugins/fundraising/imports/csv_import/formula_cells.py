"""Text cells that a spreadsheet app would run as a formula ('=HYPERLINK(...)', '+1 555',
'@SUM(A1)'), written with a leading apostrophe so Excel, Numbers and Google Sheets show
them as text; the importer takes that apostrophe off again, so an export reads back to the
values stored.

A text that already starts with apostrophes before such a character gets one more, so
taking one off always gives the text back: "'=x" is written "''=x"."""
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _runs_as_formula(text: str) -> bool:
    return text.lstrip("'").startswith(FORMULA_STARTS)


def guard_formula(text: str) -> str:
    """`text` as a cell no spreadsheet runs: an apostrophe before a formula-like start."""
    return "'" + text if _runs_as_formula(text) else text


def unguard_formula(text: str) -> str:
    """The text guard_formula was given (a cell with no guard is left as it is)."""
    return text[1:] if text.startswith("'") and _runs_as_formula(text) else text
