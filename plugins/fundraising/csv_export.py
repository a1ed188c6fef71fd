"""One table's live records as a CSV file shaped like Airtable's export, which the importer
reads back to the same values: a percent as '12.5%', currency as '$1,250,000.00', a
multi-select as 'Fintech,"Health, Bio"', links and users by name. Text a spreadsheet app
would run as a formula ('=...', '+...', '-...', '@...') gets a leading apostrophe, which the
importer takes off (csv_import/formula_cells.py).

Also the columns every export writes (ExportColumn): view_export.py builds on them."""
import csv
import io
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from plugins.fundraising.field_defs import FieldDef
from plugins.fundraising.imports.csv_import.formula_cells import guard_formula
from plugins.fundraising.imports.csv_import.writer import make_formatter
from plugins.fundraising.record_rows import RowView, serialize
from plugins.fundraising.records import RecordStore

# whose cells hold people's text (a formula's only when its value is text)
TEXT_TYPES = {"text", "long_text", "email", "url", "phone", "single_select", "multi_select",
              "link", "user"}


def _names(db, table: str) -> dict:
    """{id: name} of a table's records, archived ones too (a link may still point there)."""
    return dict(db.execute(f"SELECT id, name FROM fundraising_{table}"))


def _user_names(db) -> dict:
    """{id: text the importer finds the user by}: the name, or the email when two users share
    that name."""
    users = list(db.execute("SELECT id, name, email FROM users"))
    seen = {}
    for _, name, _ in users:
        seen[name.casefold()] = seen.get(name.casefold(), 0) + 1
    return {uid: name if seen[name.casefold()] == 1 else email for uid, name, email in users}


class NameBook:
    """The names links and users are written by, each table's loaded once per export."""

    def __init__(self, db):
        self.db, self.loaded = db, {}

    def names(self, source: str) -> dict:
        if source not in self.loaded:
            self.loaded[source] = (_user_names(self.db) if source == "users"
                                   else _names(self.db, source))
        return self.loaded[source]


def timestamp_text(value) -> str:
    """A stored UTC moment as spreadsheets read one: '2026-01-02 03:04:05'."""
    return value[:19].replace("T", " ") if value else ""


@dataclass(frozen=True)
class ExportColumn:
    """One field of an export: its value in a record (as the API shows records) and the
    text a CSV cell holds for it."""
    fdef: FieldDef
    read: Callable[[dict], object]
    plain: Callable[[object], str]  # the text, unguarded (what an XLSX text cell holds)

    def text(self, value) -> str:
        """The CSV cell: the text, with formula-like people's text guarded."""
        text = self.plain(value)
        if text and (self.fdef.type in TEXT_TYPES
                     or (self.fdef.type == "formula" and isinstance(value, (str, list)))):
            return guard_formula(text)
        return text


def _reader(fdef: FieldDef) -> Callable[[dict], object]:
    if fdef.system:
        return lambda record, key=fdef.builtin: record[key]
    if fdef.builtin == "name":
        return lambda record: record["name"]
    return lambda record, name=fdef.name: record["fields"].get(name)


def export_column(fdef: FieldDef, book: NameBook) -> ExportColumn:
    if fdef.builtin == "name" and not fdef.system:
        plain = str
    elif fdef.type == "datetime":
        plain = timestamp_text
    else:
        names = None
        if fdef.type in ("user", "link"):
            names = book.names("users" if fdef.type == "user" else fdef.options.get("table"))
        plain = make_formatter(fdef.type, fdef.options, names)
    return ExportColumn(fdef, _reader(fdef), plain)


def csv_chunks(columns: list[ExportColumn], blocks: Iterable[list[dict]]) -> Iterator[str]:
    """The CSV text: a header of field names, then one chunk per block of records; CRLF
    line ends."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([guard_formula(c.fdef.name) for c in columns])
    for block in blocks:
        for record in block:
            writer.writerow([c.text(c.read(record)) for c in columns])
        yield out.getvalue()
        out.seek(0)
        out.truncate()
    if out.tell():  # no records: the header alone
        yield out.getvalue()


def export_csv(db, table: str) -> str:
    """The live records of `table`, oldest first: a header of field names (the primary field
    first), one row per record, CRLF line ends."""
    store = RecordStore(db, table)
    fields = store.fields
    name_field = next(f for f in fields.all if f.builtin == "name")
    book = NameBook(db)
    columns = [export_column(fdef, book) for fdef in (name_field, *fields.values)]
    cursor = db.execute(f"SELECT * FROM fundraising_{table} WHERE deleted_at IS NULL "
                        "ORDER BY id")
    index = {d[0]: i for i, d in enumerate(cursor.description)}
    records = (serialize(RowView(values, index), fields) for values in cursor)
    return "".join(csv_chunks(columns, [records]))
