"""The dashboard's aggregates, each one SQL query over live records."""
from datetime import date, timedelta

import orjson

from plugins.fundraising.api import live_record_sql

def funnel(db, where="1", params=(), stages=()) -> dict:
    """Investors and the sum of their Check Size by stage, in the Stage field's choice order;
    `where` is a saved view's filter over the investors."""
    rows = {stage: (count, amount) for stage, count, amount in db.execute(
        "SELECT stage, COUNT(*), COALESCE(SUM(check_size), 0) FROM fundraising_investors "
        f"WHERE deleted_at IS NULL AND stage IS NOT NULL AND ({where}) GROUP BY stage",
        list(params))}
    return {"stages": [{"stage": s, "count": rows.get(s, (0, 0))[0],
                        "amount": rows.get(s, (0, 0))[1]} for s in stages]}


def funds(db, where="1", params=()) -> dict:
    """Each live fund's target against its live commitments by status; `where` is a saved
    view's filter over the commitments."""
    sql = ("SELECT f.id, f.name, f.target_size, "
           "COALESCE(SUM(CASE WHEN c.status IN ('Committed', 'Funded') THEN c.amount END), 0), "
           "COALESCE(SUM(CASE WHEN c.status = 'Soft Circle' THEN c.amount END), 0), "
           "COALESCE(SUM(CASE WHEN c.status = 'Prospective' THEN c.amount END), 0) "
           "FROM fundraising_funds f LEFT JOIN fundraising_commitments c "
           "ON c.fund_id = f.id AND c.deleted_at IS NULL AND "
           + live_record_sql("investors", "c.investor_id") +
           f" AND c.id IN (SELECT id FROM fundraising_commitments WHERE {where})"
           " WHERE f.deleted_at IS NULL GROUP BY f.id ORDER BY f.id")
    return {"funds": [{"id": i, "name": n, "target": t, "committed": c, "soft_circled": s,
                       "pipeline": p} for i, n, t, c, s, p in db.execute(sql, list(params))]}


STALE_CAP = 50  # investors listed per owner; the count covers them all


def stale(db, days: int, where="1", params=()) -> dict:
    """Owned live investors whose Last Contact is empty or older than `days` days, by owner
    (most first); each owner's oldest contacts first, `STALE_CAP` of them at most."""
    sql = (
        "WITH s AS (SELECT id, name, last_contact, owner_id, ROW_NUMBER() OVER (PARTITION BY "
        "owner_id ORDER BY last_contact IS NOT NULL, last_contact, id) AS n, "
        "COUNT(*) OVER (PARTITION BY owner_id) AS total FROM fundraising_investors "
        "WHERE deleted_at IS NULL AND owner_id IS NOT NULL AND (last_contact IS NULL OR "
        f"last_contact < date('now', ?)) AND ({where})) "
        "SELECT s.owner_id, u.name, s.total, json_group_array(json_object("
        "'id', s.id, 'name', s.name, 'last_contact', s.last_contact)) "
        "FROM (SELECT * FROM s WHERE n <= ? ORDER BY owner_id, n) AS s "
        "JOIN users u ON u.id = s.owner_id GROUP BY s.owner_id "
        "ORDER BY s.total DESC, u.name, s.owner_id")
    rows = db.execute(sql, [f"-{days} days", *params, STALE_CAP])
    return {"owners": [{"owner": {"id": i, "name": n}, "count": c, "investors": orjson.loads(inv)}
                       for i, n, c, inv in rows]}


def week_starts(db, weeks: int) -> list[str]:
    """The Mondays (UTC) of this week and the `weeks - 1` before it, oldest first."""
    monday = date.fromisoformat(db.execute(
        "SELECT date('now', 'weekday 0', '-6 days')").fetchone()[0])
    return [str(monday - timedelta(weeks=back)) for back in range(weeks - 1, -1, -1)]


_WEEK = "date(substr({0}, 1, 10), 'weekday 0', '-6 days')"  # the Monday of a timestamp's week


def movements(db, weeks: int, stage_field_id: int, stage_name: str, where="1",
              params=()) -> dict:
    """Stage changes of live investors per week, from the audit history: entries name the
    Stage field as it was called then, so its earlier names (from its renames) count too."""
    starts = week_starts(db, weeks)
    sql = (
        "WITH names(name) AS (SELECT ? UNION SELECT json_extract(changes, '$.name[0]') "
        "FROM audit_log WHERE plugin = 'fundraising' AND table_name = 'fields' AND row_id = ? "
        "AND json_type(changes, '$.name') = 'array') "
        f"SELECT {_WEEK.format('a.at')} AS week, json_extract(j.value, '$[0]') AS src, "
        "json_extract(j.value, '$[1]') AS dst, COUNT(*) "
        "FROM audit_log a JOIN json_each(a.changes) j "
        "WHERE a.plugin = 'fundraising' AND a.at >= ? AND a.table_name = 'investors' "
        "AND a.action = 'update' AND j.key IN names AND CAST(a.row_id AS INTEGER) IN "
        f"(SELECT id FROM fundraising_investors WHERE deleted_at IS NULL AND ({where})) "
        "GROUP BY week, src, dst ORDER BY week, src, dst")
    moves = {week: [] for week in starts}
    for week, src, dst, count in db.execute(sql, [stage_name, str(stage_field_id), starts[0],
                                                  *params]):
        moves.setdefault(week, []).append({"from": src, "to": dst, "count": count})
    return {"weeks": [{"week": week, "moves": moves[week]} for week in starts]}  # not later ones


def emails(db, weeks: int, where=None, params=()) -> dict:
    """Approved emails (plugin gmail's email_activity) per week per team member, leaving out
    those of archived investors; `where` (a view's filter over the investors) keeps the emails
    linked to an investor it keeps."""
    starts = week_starts(db, weeks)
    view = "" if where is None else (
        " AND EXISTS (SELECT 1 FROM email_links l WHERE l.activity_id = e.id AND l.investor_id "
        f"IN (SELECT id FROM fundraising_investors WHERE deleted_at IS NULL AND ({where})))")
    sql = (f"SELECT {_WEEK.format('e.sent_at')} AS week, u.id, u.name, COUNT(*) "
           "FROM email_activity e JOIN users u ON u.id = e.user_id "
           "WHERE e.deleted_at IS NULL AND e.sent_at >= ? AND "
           + live_record_sql("investors", "e.investor_id") + view +
           " GROUP BY week, u.id ORDER BY week, u.name, u.id")
    members = {week: [] for week in starts}
    for week, uid, name, count in db.execute(sql, [starts[0], *params]):
        members.setdefault(week, []).append({"user": {"id": uid, "name": name}, "count": count})
    return {"weeks": [{"week": week, "members": members[week]} for week in starts]}
