"""An export as an XLSX workbook, written with openpyxl's write-only mode (each row goes to a
temporary file as it is added, the workbook is zipped into another, then sent in chunks):
numbers, money, percents, dates and checkboxes as typed cells in the field's format, the
rest as the CSV export's text. Text is always a text cell (never a formula), and text that
looks like one is marked "quote prefix", so editing the cell in Excel keeps it text."""
import tempfile
from collections.abc import Callable, Iterable, Iterator
from datetime import date, datetime

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font

from plugins.fundraising.csv_export import ExportColumn
from plugins.fundraising.imports.csv_import.formula_cells import FORMULA_STARTS
from plugins.fundraising.imports.csv_import.writer import format_percent, plain_number

MAX_CELL_TEXT = 32_767  # characters Excel keeps in a cell
CHUNK = 64 * 1024
NUMBER_TYPES = ("number", "currency", "percent")


def _decimals(text: str) -> int:
    return len(text.partition(".")[2].rstrip("%"))


def number_format(kind: str, options: dict, value) -> str:
    """Excel's format for a number shown as `kind` (number, currency, percent)."""
    if kind == "percent":
        places = options.get("precision")
        places = _decimals(format_percent(value)) if places is None else places
        return "0" + ("." + "0" * places if places else "") + "%"
    places = options.get("precision")
    if places is None:
        places = _decimals(plain_number(value))
        places = max(places, 2) if kind == "currency" else places
    grouped = "0" if options.get("separator") is False else "#,##0"
    pattern = grouped + ("." + "0" * min(places, 15) if places else "")
    if kind == "currency":
        symbol = (options.get("symbol") or "$").strip().replace('"', "") or "$"
        return f'"{symbol}"{pattern}'
    return pattern


class CellWriter:
    """The cells of one column: a value or a WriteOnlyCell per record."""

    def __init__(self, sheet, column: ExportColumn):
        self.sheet, self.column, self.fdef = sheet, column, column.fdef
        options = self.fdef.options
        if self.fdef.type == "formula":
            self.kind = {"number": options.get("format") or "number", "date": "date",
                         "datetime": "date", "checkbox": "checkbox"}.get(
                             options.get("result_type"), "text")
        else:
            self.kind = self.fdef.type

    def __call__(self, record):
        value = self.column.read(record)
        if value is None:
            return None
        if isinstance(value, bool) or self.kind == "checkbox":
            return bool(value) if self.kind == "checkbox" else self.text(value)
        if self.kind in NUMBER_TYPES and isinstance(value, (int, float)):
            return self.styled(value, number_format(self.kind, self.fdef.options, value))
        if self.kind == "datetime":  # stored 2026-01-02T03:04:05.000006Z (UTC)
            moment = datetime.fromisoformat(value[:19])
            return self.styled(moment, "yyyy-mm-dd hh:mm:ss")
        if self.kind == "date" and isinstance(value, str):
            return self.moment(value) or self.text(value)
        return self.text(value)

    def moment(self, value: str):
        try:
            if len(value) == 10:
                return self.styled(date.fromisoformat(value), "yyyy-mm-dd")
            return self.styled(datetime.fromisoformat(value), "yyyy-mm-dd hh:mm")
        except ValueError:
            return None

    def styled(self, value, number_format: str):
        cell = WriteOnlyCell(self.sheet, value)
        cell.number_format = number_format
        return cell

    def text(self, value):
        text = ILLEGAL_CHARACTERS_RE.sub("", self.column.plain(value))[:MAX_CELL_TEXT]
        if not text:
            return None
        cell = WriteOnlyCell(self.sheet, text)
        cell.data_type = "s"  # openpyxl would take '=...' for a formula
        if text.startswith(FORMULA_STARTS):
            cell.quotePrefix = True
        return cell


def xlsx_chunks(columns: list[ExportColumn], blocks: Iterable[list[dict]],
                title: str) -> Iterator[bytes]:
    """The workbook's bytes: one sheet named `title`, a bold header row kept in view, then
    a row per record."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title[:31])
    sheet.freeze_panes = "A2"
    header = []
    for column in columns:
        cell = WriteOnlyCell(sheet, ILLEGAL_CHARACTERS_RE.sub("", column.fdef.name))
        cell.data_type = "s"
        cell.font = Font(bold=True)
        header.append(cell)
    sheet.append(header)
    writers: list[Callable] = [CellWriter(sheet, column) for column in columns]
    for block in blocks:
        for record in block:
            sheet.append([write(record) for write in writers])
    with tempfile.TemporaryFile() as out:
        workbook.save(out)
        out.seek(0)
        while chunk := out.read(CHUNK):
            yield chunk
