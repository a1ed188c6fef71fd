"""The two errors of CSV reading: one for the whole file, one for a single cell."""


class CsvError(ValueError):
    """The file cannot be read as a CSV table; the message is shown to the user."""


class CellError(ValueError):
    """A cell's text does not fit its field; the short message is shown to the user."""


def quoted(text: str) -> str:
    """A cell's text for a message: stripped, cut to 40 characters, in single quotes."""
    text = text.strip()
    return f"'{text}'" if len(text) <= 40 else f"'{text[:37]}...'"
