"""The JSON export of every table a backup covers (what plugins register for it).

    {"format": "venture-crm-export", "format_version": 2, "exported_at": "<UTC time>",
     "tables": {"<SQL table>": {"plugin": "<name>", "key": ["id"], "columns": [...],
                                "rows": [{"<column>": <value>, ...}, ...]}}}

Every row is there, archived ones too (their `deleted_at` is set), ordered by the primary
key; values are as stored (JSON columns such as `data` and `config` stay JSON text). One read
snapshot: the tables agree with each other. Accounts, sessions and the audit log are not
part of it, as they are not part of a restore.
"""
from core.db import connect, utcnow
from plugins.backups.restore import quote, restored_tables, table_info

FORMAT, FORMAT_VERSION = "venture-crm-export", 2


def export_tables(crm) -> dict:
    doc = {"format": FORMAT, "format_version": FORMAT_VERSION, "exported_at": utcnow(),
           "tables": {}}
    db = connect(crm.settings.database_path)  # its own connection: one snapshot, no ATTACH
    try:
        db.execute("BEGIN")
        try:
            for group in restored_tables(crm.pm):
                for table in group.tables:
                    info = table_info(db, "main", table)
                    if not info:
                        continue
                    cols = [name for name, _pk in info]
                    key = [name for name, pk in sorted(info, key=lambda c: c[1]) if pk]
                    order = ", ".join(map(quote, key)) or "rowid"
                    rows = db.execute(f"SELECT * FROM {quote(table)} ORDER BY {order}")
                    doc["tables"][table] = {"plugin": group.plugin, "key": key,
                                            "columns": cols,
                                            "rows": [dict(zip(cols, row)) for row in rows]}
        finally:
            db.execute("COMMIT")
    finally:
        db.conn.close()
    return doc
