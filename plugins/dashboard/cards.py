"""The dashboard's aggregates, each one SQL query over live records."""
from datetime import date, timedelta

import orjson

from plugins.dashboard import moves

# "deleted_at IS NULL" said so, for the planner: most rows are live, so the covering indexes
# over live rows (indexes.py) beat the (deleted_at, id) index it would guess from the equality
LIVE = "likelihood({0}deleted_at IS NULL, 0.95)"


def funnel(db, where="1", params=(), stages=()) -> dict:
    """Investors and the sum of their Check Size by stage, in the Stage field's choice order;
    `where` is a saved view's filter over the investors."""
    rows = {stage: (count, amount) for stage, count, amount in db.execute(
        "SELECT stage, COUNT(*), COALESCE(SUM(check_size), 0) FROM fundraising_investors "
        f"WHERE {LIVE.format('')} AND stage IS NOT NULL AND ({where}) GROUP BY stage",
        list(params))}
    return {"stages": [{"stage": s, "count": rows.get(s, (0, 0))[0],
                        "amount": rows.get(s, (0, 0))[1]} for s in stages]}


ARCHIVED_INVESTORS = ("(SELECT id FROM fundraising_investors WHERE deleted_at IS NOT NULL)")


def live_investor(column: str) -> str:
    """True when `column` is empty or not an archived investor: the few archived ids are read
    once (by index), not each linked row."""
    return f"({column} IS NULL OR {column} NOT IN {ARCHIVED_INVESTORS})"


def funds(db, where=None, params=()) -> dict:
    """Each live fund's target against its live commitments by status; `where` is a saved
    view's filter over the commitments."""
    view = "" if where is None else (
        f" AND c.id IN (SELECT id FROM fundraising_commitments WHERE {where})")
    sql = ("WITH t AS (SELECT fund_id, "
           "SUM(CASE WHEN status IN ('Committed', 'Funded') THEN amount END) AS committed, "
           "SUM(CASE WHEN status = 'Soft Circle' THEN amount END) AS soft, "
           "SUM(CASE WHEN status = 'Prospective' THEN amount END) AS pipeline "
           f"FROM fundraising_commitments c WHERE {LIVE.format('c.')} AND "
           + live_investor("c.investor_id") + view + " GROUP BY fund_id) "
           "SELECT f.id, f.name, f.target_size, COALESCE(t.committed, 0), COALESCE(t.soft, 0), "
           "COALESCE(t.pipeline, 0) FROM fundraising_funds f LEFT JOIN t ON t.fund_id = f.id "
           "WHERE f.deleted_at IS NULL ORDER BY f.id")
    return {"funds": [{"id": i, "name": n, "target": t, "committed": c, "soft_circled": s,
                       "pipeline": p} for i, n, t, c, s, p in db.execute(sql, list(params))]}


STALE_CAP = 50  # investors listed per owner; the count covers them all


def stale(db, days: int, where="1", params=()) -> dict:
    """Owned live investors whose Last Contact is empty or older than `days` days, by owner
    (most first); each owner's oldest contacts first, `STALE_CAP` of them at most."""
    v = ("v(id) AS MATERIALIZED (SELECT id FROM fundraising_investors WHERE deleted_at IS NULL "
         f"AND ({where})), ")  # the view's ids read once, in id order, not row by row
    kept = (f"{LIVE.format('i.')} AND i.owner_id IS NOT NULL AND (i.last_contact IS NULL "
            f"OR i.last_contact < date('now', ?))" + ("" if where == "1" else " AND +i.id IN v"))
    sql = (  # counted over the owned index; each owner's first ones read in its order
        f"WITH {'' if where == '1' else v}o AS (SELECT i.owner_id, COUNT(*) AS total FROM fundraising_investors i "
        f"WHERE {kept} GROUP BY i.owner_id) "
        "SELECT o.owner_id, u.name, o.total, (SELECT json_group_array(json_object('id', s.id, "
        "'name', n.name, 'last_contact', s.last_contact)) FROM (SELECT i.id, i.last_contact "
        f"FROM fundraising_investors i WHERE i.owner_id = o.owner_id AND {kept} "
        "ORDER BY i.last_contact, i.id LIMIT ?) AS s "  # empty Last Contact (NULL) first
        "JOIN fundraising_investors n ON n.id = s.id) "
        "FROM o JOIN users u ON u.id = o.owner_id ORDER BY o.total DESC, u.name, o.owner_id")
    rows = db.execute(sql, [*params, f"-{days} days", f"-{days} days", STALE_CAP])
    return {"owners": [{"owner": {"id": i, "name": n}, "count": c, "investors": orjson.loads(inv)}
                       for i, n, c, inv in rows]}


def week_starts(db, weeks: int) -> list[str]:
    """The Mondays (UTC) of this week and the `weeks - 1` before it, oldest first."""
    monday = date.fromisoformat(db.execute(
        "SELECT date('now', 'weekday 0', '-6 days')").fetchone()[0])
    return [str(monday - timedelta(weeks=back)) for back in range(weeks - 1, -1, -1)]


_WEEK = "date(substr({0}, 1, 10), 'weekday 0', '-6 days')"  # the Monday of a timestamp's week


def _by_week(starts, rows, make):
    """{"weeks": [{week, <items>}]} for each Monday of `starts`, from (week, ...) rows."""
    found = {week: [] for week in starts}
    for week, *rest in rows:
        found.setdefault(week, []).append(make(*rest))
    return [(week, found[week]) for week in starts]  # not later weeks


def _moves(rows, starts) -> dict:
    return {"weeks": [{"week": week, "moves": moves} for week, moves in _by_week(
        starts, rows, lambda src, dst, count: {"from": src, "to": dst, "count": count})]}


def movements(db, weeks: int, where=None, params=()) -> dict:
    """Stage changes of live investors per week, from the counts kept on write (moves.py);
    `where` (a view's filter over the investors) counts the kept moves of those it keeps."""
    starts = week_starts(db, weeks)
    rows = (moves.weekly(db, starts[0]) if where is None
            else moves.weekly_filtered(db, starts[0], where, params))
    return _moves(rows, starts)


def movements_exact(db, weeks: int, stage_field_id: int, stage_name: str, where="1",
                    params=()) -> dict:
    """The same read from the audit history itself (slow at scale: what the kept counts are
    checked against): entries name the Stage field as it was called then, so its earlier
    names (from its renames) count too."""
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
    return _moves(db.execute(sql, [stage_name, str(stage_field_id), starts[0], *params]),
                  starts)


def _weeks_sql(starts) -> tuple[str, list]:
    """A CTE `w(week, next)` of the weeks from `starts` (Mondays) and its parameters: each week
    counted as a range of an index, not a date computed per row."""
    bounds = [str(date.fromisoformat(week) + timedelta(days=7)) for week in starts]
    values = ", ".join("(?, ?)" for _ in starts)
    return f"w(week, next) AS (VALUES {values})", [v for pair in zip(starts, bounds) for v in pair]


def new_investors(db, weeks: int, where="1", params=()) -> dict:
    """Live investors created per week (created_at); `where` is a saved view's filter."""
    starts = week_starts(db, weeks)
    cte, bounds = _weeks_sql(starts)
    if where == "1":  # a range of the created_at index per week
        sql = (f"WITH {cte} SELECT w.week, (SELECT COUNT(*) FROM fundraising_investors WHERE "
               f"{LIVE.format('')} AND created_at >= w.week AND created_at < w.next) FROM w")
        counts = dict(db.execute(sql, bounds).fetchall())
    else:  # the view's filter reads the rows: one scan in id order, by day, then by week
        sql = (f"SELECT {_WEEK.format('day')} AS week, SUM(n) FROM (SELECT substr(created_at, 1, "
               "10) AS day, COUNT(*) AS n FROM fundraising_investors WHERE deleted_at IS NULL "
               f"AND created_at >= ? AND ({where}) GROUP BY day) GROUP BY week")
        counts = dict(db.execute(sql, [starts[0], *params]).fetchall())
    return {"weeks": [{"week": week, "count": counts.get(week, 0)} for week in starts]}


def emails(db, weeks: int, where=None, params=()) -> dict:
    """Approved emails (plugin gmail's email_activity) per week per team member, leaving out
    those of archived investors; `where` (a view's filter over the investors) keeps the emails
    linked to an investor it keeps."""
    starts = week_starts(db, weeks)
    cte, bounds = _weeks_sql(starts)
    in_range = ("e.user_id = u.id AND e.sent_at >= w.week AND e.sent_at < w.next AND "
                f"{LIVE.format('e.')}")  # a range of the index per week and member
    if where is None:  # all of them less those of the few archived investors
        sql = (f"WITH {cte}, gone AS MATERIALIZED (SELECT w.week, e.user_id, COUNT(*) AS n "
               "FROM fundraising_investors a CROSS JOIN email_activity e ON e.investor_id = a.id "
               "CROSS JOIN w ON e.sent_at >= w.week AND e.sent_at < w.next "
               "WHERE a.deleted_at IS NOT NULL AND e.deleted_at IS NULL GROUP BY 1, 2) "
               f"SELECT w.week, u.id, u.name, (SELECT COUNT(*) FROM email_activity e WHERE "
               f"{in_range}) - COALESCE((SELECT g.n FROM gone g WHERE g.week = w.week AND "
               "g.user_id = u.id), 0) AS n FROM w CROSS JOIN users u")
    else:
        sql = (f"WITH {cte}, k(id) AS MATERIALIZED (SELECT l.activity_id FROM "
               "fundraising_investors i CROSS JOIN email_links l ON l.investor_id = i.id "
               f"WHERE i.deleted_at IS NULL AND ({where})) "  # the view's emails, read once
               "SELECT w.week, u.id, u.name, (SELECT COUNT(*) FROM email_activity e "
               f"WHERE {in_range} AND " + live_investor("e.investor_id") +
               " AND e.id IN k) AS n FROM w CROSS JOIN users u")
    rows = sorted(((week, name, uid, count) for week, uid, name, count in  # > 0: here, so
                   db.execute(sql, [*bounds, *params]) if count), key=lambda r: r[:3])  # once
    members = {week: [] for week in starts}
    for week, name, uid, count in rows:
        members.setdefault(week, []).append({"user": {"id": uid, "name": name}, "count": count})
    return {"weeks": [{"week": week, "members": members[week]} for week in starts]}
