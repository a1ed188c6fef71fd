"""Finding the column of Airtable record ids ('rec' and 14 letters or digits) in an export."""
import re

from plugins.fundraising.imports.csv_import.reader import CsvTable

RECORD_ID = re.compile(r"rec[A-Za-z0-9]{14}")
RECORD_ID_NAMES = {"record id", "airtable record id", "airtable id", "record_id"}


def looks_like_record_id(text: str) -> bool:
    """Whether text (surrounding spaces aside) is an Airtable record id like recAbC123..."""
    return RECORD_ID.fullmatch(text.strip()) is not None


def find_record_id_column(table: CsvTable) -> int | None:
    """The index of the column holding record ids: one named Record ID, Airtable Record ID,
    Airtable ID or record_id (any case), else the first whose non-empty cells are all
    distinct record ids; None when there is none."""
    for index, name in enumerate(table.header):
        if name.strip().casefold() in RECORD_ID_NAMES:
            return index
    for index in range(len(table.header)):
        if _all_distinct_ids(table.columns[index]):
            return index
    return None


def _all_distinct_ids(cells) -> bool:
    """Whether a column has record ids, all distinct, and nothing else; most columns are
    settled by their first non-empty cell."""
    match, seen = RECORD_ID.fullmatch, set()
    for cell in cells:
        cell = cell.strip()
        if cell:
            if match(cell) is None or cell in seen:
                return False
            seen.add(cell)
    return bool(seen)
