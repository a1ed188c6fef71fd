"""The relational summary and the JSON export."""
from plugins.fundraising import fields as field_store
from plugins.fundraising import views as view_store
from plugins.fundraising.record_rows import serialize
from plugins.fundraising.records import RecordStore
from plugins.fundraising.schema import COMMITTED_STATUSES, PIPELINE_STATUSES
from plugins.fundraising.tables import RECORD_TABLES

LIVE_COMMITMENTS = """
    FROM fundraising_commitments c
    LEFT JOIN fundraising_investors i ON i.id = c.investor_id
    LEFT JOIN fundraising_funds f ON f.id = c.fund_id
    WHERE c.deleted_at IS NULL
      AND (c.investor_id IS NULL OR i.deleted_at IS NULL)
      AND (c.fund_id IS NULL OR f.deleted_at IS NULL)"""


def _sum_case(statuses):
    quoted = ", ".join(f"'{s}'" for s in statuses)
    return f"coalesce(sum(CASE WHEN c.status IN ({quoted}) THEN c.amount END), 0)"


def relational_summary(db) -> dict:
    counts = {t: db.execute(f"SELECT count(*) FROM fundraising_{t} WHERE deleted_at IS NULL")
              .fetchone()[0] for t in RECORD_TABLES}
    committed, pipeline = _sum_case(COMMITTED_STATUSES), _sum_case(PIPELINE_STATUSES)
    funds = [dict(r) for r in db.query(
        f"SELECT c.fund_id AS fund_id, f.name AS fund, count(*) AS commitments, "
        f"{committed} AS committed, {pipeline} AS pipeline {LIVE_COMMITMENTS} "
        "GROUP BY c.fund_id ORDER BY f.name")]
    statuses = [dict(r) for r in db.query(
        f"SELECT c.status AS status, count(*) AS count, coalesce(sum(c.amount), 0) AS amount "
        f"{LIVE_COMMITMENTS} GROUP BY c.status ORDER BY c.status")]
    totals = {"committed": sum(f["committed"] for f in funds),
              "pipeline": sum(f["pipeline"] for f in funds)}
    return {"counts": counts, "funds": funds, "statuses": statuses, "totals": totals}


def export_snapshot(db, user, include_archived=False) -> dict:
    """Everything the fund keeps here, as one JSON document."""
    snapshot = {"fields": field_store.list_fields(db)}
    where = "" if include_archived else "WHERE deleted_at IS NULL"
    for table in RECORD_TABLES:
        store = RecordStore(db, table)
        rows = db.query(f"SELECT * FROM fundraising_{table} {where} ORDER BY id")
        snapshot[table] = [
            {**serialize(r, store.fields), **({"archived_at": r["deleted_at"]}
                                               if include_archived else {})}
            for r in rows]
    snapshot["views"] = view_store.visible_views(db, user)
    snapshot["feature_requests"] = [dict(r) for r in db.query(
        f"SELECT * FROM feature_requests {where} ORDER BY id")]
    return snapshot
