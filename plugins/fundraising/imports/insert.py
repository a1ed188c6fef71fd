"""New records of an import written in bulk: one statement each for the rows and their audit
entries, with the rows' values placed once per file rather than once per cell."""
import contextlib
from operator import itemgetter

import orjson

from core import audit
from core.db import utcnow
from plugins.fundraising.field_defs import PLUGIN
from plugins.fundraising.formula_fields import table_formulas

# From this many new records, and as many as the table holds, dropping the table's indexes
# and building each once at the end is cheaper than updating them row by row.
REBUILD_INDEXES_FROM = 10_000
# SQLite's page cache while inserting: its default (2 MiB) is too small for the indexes of
# a large table, whose pages would be written out and read back again and again, and for
# the new pages of a bulk insert, which would spill to the WAL before the commit.
CACHE_KIB_PER_1000_ROWS = 1024
MAX_CACHE_KIB = 256 * 1024
# Records are built and written this many at a time, so their rows are not all in memory.
BATCH = 5_000
# An imported record's create entry names the import but does not repeat its values: they
# are the record's values until a later entry says what changed (old and new), so history
# works them out when it is read (RecordStore.history). That halves what an import writes.
NO_VALUES = "{}"
# The create entries of an import's rows (ids from the given one on), made by SQLite.
AUDIT_SQL = ("INSERT INTO audit_log (at, actor_id, plugin, table_name, row_id, action, changes, "
             "summary) SELECT created_at, created_by, ?, ?, CAST(id AS TEXT), 'create', ?, "
             "? || ' ''' || name || '''' FROM {table} WHERE id >= ? ORDER BY id")


def insert_records(db, store, creates, targets, actor_id):
    """Insert `creates` ((row, name, values, external id), the values checked while planning
    and named by `targets`, in order) into store's table with their audit entries; ids are
    assigned here."""
    if not creates:
        return
    table = store.sql_table
    next_id, count = db.execute(
        f"SELECT coalesce(max(id), 0) + 1, count(*) FROM {table}").fetchone()
    columns = [f.column for f in store.fields.values if f.column]
    names = ["id", "name", *columns, "data", "external_id", "created_at", "created_by",
             "updated_at", "updated_by"]
    insert = (f"INSERT INTO {table} ({', '.join(names)}, version) "
              f"VALUES ({', '.join('?' * len(names))}, 1)")
    # audit ids follow on from the highest: the write transaction holds the table
    next_audit = db.execute("SELECT coalesce(max(id), 0) + 1 FROM audit_log").fetchone()[0]
    with contextlib.ExitStack() as bulk:
        bulk.enter_context(_page_cache(db, len(creates)))  # left last: indexes use it too
        if len(creates) >= max(REBUILD_INDEXES_FROM, count):
            bulk.enter_context(_indexes_built_after(db, table))
        for start in range(0, len(creates), BATCH):
            db.conn.executemany(insert, _rows(store, columns, targets,
                                              creates[start:start + BATCH], next_id + start,
                                              actor_id))
        db.execute(AUDIT_SQL.format(table=table),
                   [PLUGIN, store.table, NO_VALUES, f"import {store.table}", next_id])
    audit.journal(db, [audit.AuditEntry(next_audit + n, PLUGIN, store.table, str(next_id + n),
                                        "create", actor_id) for n in range(len(creates))])


def _picker(positions):
    """A function giving the items at `positions` of a sequence, always as a tuple."""
    if len(positions) == 1:
        return lambda items: (items[positions[0]],)
    return itemgetter(*positions) if positions else lambda items: ()


class RecordShape:
    """Where the values of new records go when they come named by `targets` in that order
    (every row of one file): row columns and `data` keys, worked out once. A record's values
    are read as (name, *values, None)."""

    def __init__(self, fieldset, columns, targets):
        fdefs = [fieldset.get(n) for n in targets]
        at = {f.column: i for i, f in enumerate(fdefs, start=1) if f.column}
        absent = len(targets) + 1  # the trailing None
        self.cells = _picker([at.get(c, absent) for c in columns])
        stored = [(i, str(f.id)) for i, f in enumerate(fdefs, start=1) if not f.column]
        self.data_keys = [k for _, k in stored]
        self.data = _picker([i for i, _ in stored])


def _rows(store, columns, targets, creates, next_id, actor_id):
    """The rows of the new records, in the layout RecordStore.create writes: built-in fields
    in their columns, the others in `data` by field id, no None values."""
    name_field = store._name_field()
    fieldset = store.fields
    formulas = table_formulas(fieldset) if fieldset.formula_names else None
    computed = formulas.affected(None) if formulas else []
    dumps, now = orjson.dumps, utcnow()
    shape = RecordShape(fieldset, columns, targets)
    cells_of, data_of, data_keys = shape.cells, shape.data, shape.data_keys
    rows = []
    for record_id, (number, name, values, ext) in enumerate(creates, start=next_id):
        name = name or ""
        items = (name, *values, None)
        data = {k: v for k, v in zip(data_keys, data_of(items)) if v is not None}
        if computed:
            named = {name_field: name, **dict(zip(targets, values))}
            data.update(formulas.compute(named, computed))
            data = {k: v for k, v in data.items() if v is not None}
        rows.append((record_id, name, *cells_of(items), dumps(data).decode(), ext, now,
                     actor_id, now, actor_id))
    return rows


@contextlib.contextmanager
def _page_cache(db, rows):
    """A page cache sized for `rows` new records while inserting them, restored after."""
    before = db.execute("PRAGMA cache_size").fetchone()[0]  # < 0: KiB, > 0: pages
    page_kib = db.execute("PRAGMA page_size").fetchone()[0] // 1024
    wanted = min(MAX_CACHE_KIB, rows * CACHE_KIB_PER_1000_ROWS // 1000)
    if wanted <= (-before if before < 0 else before * page_kib):
        yield
        return
    db.execute(f"PRAGMA cache_size = {-wanted}")
    try:
        yield
    finally:
        db.execute(f"PRAGMA cache_size = {before}")


@contextlib.contextmanager
def _indexes_built_after(db, table):
    """The table's indexes dropped, then made again from their own SQL, in the caller's
    transaction: the schema is the same after it, and the same if it rolls back."""
    indexes = db.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND "
                         "tbl_name = ? AND sql IS NOT NULL", [table]).fetchall()
    for name, _ in indexes:
        db.execute(f'DROP INDEX "{name}"')
    try:
        yield
    finally:
        for _, sql in indexes:
            db.execute(sql)
