"""Formulas that read TODAY() or NOW() stay current: their stored values are computed again
once the day (UTC, the day TODAY() gives) has changed since they were, on the first read of
the table that day or by the scheduled task, whichever comes first.

`fundraising_clock_days` holds, per table, the day its clock formulas were last computed for;
checking it costs one lookup in a four-row table, and only for tables with such formulas."""
import logging

from plugins.fundraising.field_defs import cached_fields
from plugins.fundraising.formula.runtime import wall_clock
from plugins.fundraising.formula_fields import clock_field_ids, recompute_in_chunks
from plugins.fundraising.tables import RECORD_TABLES
from plugins.fundraising.versioning import bump_state

log = logging.getLogger(__name__)
RECOMPUTE_SECONDS = 60.0  # of evaluation per table; a formula was accepted at 10 s per column


def today() -> str:
    return wall_clock().date().isoformat()


def computed_day(db, table: str) -> str | None:
    row = db.execute("SELECT day FROM fundraising_clock_days WHERE table_name = ?",
                     [table]).fetchone()
    return row[0] if row else None


def refresh_clock_formulas(crm, table: str) -> bool:
    """Compute `table`'s TODAY()/NOW() formulas again when the day has changed since they
    were; True when this call did it. The day is claimed first, so concurrent readers do
    not all recompute; if the recompute fails the claim is given back."""
    if crm.db.conn.in_transaction:
        return False  # not inside a caller's write: its rows are computed as it writes them
    field_ids = clock_field_ids(cached_fields(crm.db, table))
    day = today()
    if not field_ids or computed_day(crm.db, table) == day:
        return False
    with crm.write() as db:
        before = computed_day(db, table)
        if before == day:
            return False  # another request claimed it meanwhile
        _set_day(db, table, day)
    try:
        recompute_in_chunks(crm, table, field_ids, RECOMPUTE_SECONDS)
    except Exception:
        with crm.write() as db:
            _set_day(db, table, before)
        raise
    with crm.write() as db:
        bump_state(db, None)  # cached counts of views filtering on these values are stale
    log.info("TODAY()/NOW() formulas of %s computed again for %s", table, day)
    return True


def keep_current(crm, *tables):
    """refresh_clock_formulas before a read of `tables`; a failure is logged and the read goes
    on with the values as stored."""
    for table in tables:
        try:
            refresh_clock_formulas(crm, table)
        except Exception:
            log.exception("TODAY()/NOW() formulas of %s not computed again", table)


def refresh_all(crm):
    """The scheduled task: every table's clock formulas current for today."""
    for table in RECORD_TABLES:
        refresh_clock_formulas(crm, table)


def _set_day(db, table, day):
    if day is None:
        db.execute("DELETE FROM fundraising_clock_days WHERE table_name = ?", [table])
    else:
        db.execute("INSERT INTO fundraising_clock_days (table_name, day) VALUES (?, ?) "
                   "ON CONFLICT (table_name) DO UPDATE SET day = excluded.day", [table, day])


def forget_computed_days(db):
    """After a restore put back formula values from another day: computed again on read."""
    db.execute("DELETE FROM fundraising_clock_days")
