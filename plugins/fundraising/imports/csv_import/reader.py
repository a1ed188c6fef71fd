"""Reading a CSV export (Airtable's, or a spreadsheet's) into a header and its columns."""
import csv
import io
from dataclasses import dataclass, field

from plugins.fundraising.imports.csv_import.errors import CsvError
from plugins.fundraising.imports.csv_import.formula_cells import unguard_formula

# csv's default cell limit (131,072 characters) is below a long_text value's 1,000,000
CELL_LIMIT = 1_100_000


@dataclass
class CsvTable:
    """A CSV file's column names and its cells by column, every column as long as the next
    (short rows are padded with empty cells). An import works column by column, so the
    rows are turned into columns once, in C, as they are read.

    `row_numbers[i]` is the 1-based data row of the i-th cell of each column (the header is
    not counted; a quoted cell spanning several lines is still one row). Rows with no text
    at all are skipped but keep their number, so later numbers still match the file.
    `truncated` lists the rows whose non-empty cells beyond the last column were dropped."""

    header: list[str]
    columns: list[tuple[str, ...]]
    row_numbers: list[int] = field(default_factory=list)
    truncated: list[int] = field(default_factory=list)

    @property
    def rows(self) -> list[list[str]]:
        """The cells row by row (made on each call: for tests and small files)."""
        return [list(row) for row in zip(*self.columns)]

    @property
    def row_count(self) -> int:
        return len(self.row_numbers)

    def column(self, index: int) -> list[str]:
        """Every row's cell of one column."""
        return list(self.columns[index])


def read_csv(data: bytes | str) -> CsvTable:
    """Read UTF-8 CSV text (BOM or not, CRLF or LF) into a CsvTable, or raise CsvError."""
    text = _decode(data)
    if not text.strip():
        raise CsvError("the file is empty")
    if "\x00" in text:
        raise CsvError("the file contains NUL characters: it looks like UTF-16 without a "
                       "byte-order mark, or not a text file; save it as UTF-8 CSV")
    if csv.field_size_limit() < CELL_LIMIT:
        csv.field_size_limit(CELL_LIMIT)
    header, records, numbers = _records(text)
    width = len(header)
    truncated = []
    for number, row in zip(numbers, records):
        if len(row) < width:
            row.extend([""] * (width - len(row)))
        elif len(row) > width:
            if any(row[width:]):
                truncated.append(number)
            del row[width:]
    columns = list(zip(*records)) if records else [()] * width
    del records
    header = [name.strip() for name in header]
    if "'" in text:  # apostrophes an export put before formula-like text (formula_cells)
        header = [unguard_formula(name) for name in header]
        columns = [_unguarded(column) for column in columns]
    header, columns = _name_columns(header, columns)
    return CsvTable(header, columns, numbers, truncated)


def _unguarded(column: tuple) -> tuple:
    if "'" not in "".join(column):  # one pass in C: most columns hold no apostrophe
        return column
    return tuple(unguard_formula(c) if c.startswith("'") else c for c in column)


def _decode(data: bytes | str) -> str:
    if isinstance(data, str):
        return data[1:] if data.startswith("\ufeff") else data
    data = bytes(data)
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise CsvError("the file is UTF-16 (it starts with a UTF-16 byte-order mark); "
                       "save it as UTF-8 CSV")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        raise CsvError(f"the file is not UTF-8: byte 0x{data[error.start]:02X} at offset "
                       f"{error.start} (line {line}) is not valid UTF-8; save it as UTF-8 "
                       "CSV") from None


def _records(text: str) -> tuple[list[str], list[list[str]], list[int]]:
    """The header and the non-blank records after it, with their data row numbers."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    header, records, numbers = None, [], []
    number = 0
    try:
        for record in reader:
            if header is None:
                if record:  # blank lines before the header are skipped
                    header = record
                continue
            number += 1
            if any(record):
                records.append(record)
                numbers.append(number)
    except csv.Error as error:
        where = f"row {number + 1}" if header is not None else "the header"
        raise CsvError(f"{where} (line {reader.line_num}) cannot be read: {error}") from None
    if header is None:
        raise CsvError("the file has no header row")
    return header, records, numbers


def _name_columns(header: list[str], columns: list[tuple]):
    """Drop unnamed empty columns, name unnamed ones that hold data, refuse duplicates."""
    unnamed = [i for i, name in enumerate(header) if not name]
    empty = {i for i in unnamed if not any(columns[i])}
    taken = {name.casefold() for name in header if name}
    for i in unnamed:
        if i not in empty:
            header[i] = _free_name(f"Column {i + 1}", taken)
    if empty:
        keep = [i for i in range(len(header)) if i not in empty]
        if not keep:
            raise CsvError("the file has no column names")
        header = [header[i] for i in keep]
        columns = [columns[i] for i in keep]
    _refuse_duplicates(header)
    return header, columns


def _free_name(name: str, taken: set[str]) -> str:
    candidate, n = name, 1
    while candidate.casefold() in taken:
        n += 1
        candidate = f"{name} ({n})"
    taken.add(candidate.casefold())
    return candidate


def _refuse_duplicates(header: list[str]):
    # field names are case-insensitive (FieldSet.get), so "Stage" and "stage" collide
    seen, duplicates = set(), {}
    for name in header:
        key = name.casefold()
        if key in seen:
            duplicates.setdefault(key, name)
        seen.add(key)
    if duplicates:
        names = ", ".join(f"'{name}'" for name in duplicates.values())
        raise CsvError(f"duplicate column names: {names}; rename them so each is unique")
