"""One table's live records as a CSV file shaped like Airtable's export, which the importer
reads back to the same values: a percent as '12.5%', currency as '$1,250,000.00', a
multi-select as 'Fintech,"Health, Bio"', links and users by name."""
import csv
import io

from plugins.fundraising.imports.csv_import.writer import make_formatter
from plugins.fundraising.record_rows import RowView, serialize
from plugins.fundraising.records import RecordStore


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


def export_csv(db, table: str) -> str:
    """The live records of `table`, oldest first: a header of field names (the primary field
    first), one row per record, CRLF line ends."""
    store = RecordStore(db, table)
    fields = store.fields
    name_field = next(f for f in fields.all if f.builtin == "name")
    columns, lookups = [], {}
    for fdef in fields.values:
        names = None
        if fdef.type in ("user", "link"):
            source = "users" if fdef.type == "user" else fdef.options.get("table")
            if source not in lookups:
                lookups[source] = _user_names(db) if source == "users" else _names(db, source)
            names = lookups[source]
        columns.append((fdef.name, make_formatter(fdef.type, fdef.options, names)))
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([name_field.name, *(name for name, _ in columns)])
    cursor = db.execute(f"SELECT * FROM fundraising_{table} WHERE deleted_at IS NULL "
                        "ORDER BY id")
    index = {d[0]: i for i, d in enumerate(cursor.description)}
    for values in cursor:
        record = serialize(RowView(values, index), fields)
        cells = record["fields"]
        writer.writerow([record["name"], *(write(cells.get(name)) for name, write in columns)])
    return out.getvalue()
