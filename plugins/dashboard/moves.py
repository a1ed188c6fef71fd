"""Stage movements kept on write, so the movements card reads a small table, not the history.

`dashboard_stage_moves` has one row per Stage change of an investor (audit entry id, investor,
week, from, to); `dashboard_stage_weeks` counts them per week and from -> to. SQL triggers on
audit_log keep both exact whoever writes (the API, an import, a batch edit): an entry is a
Stage change when it names the Stage field as it is called at the time it is written, as the
history does. The weekly counts cover archived investors too; the card subtracts the moves of
the investors archived now (few, found by index), so archive and restore need no upkeep.
"""
from core.plugin_types import Migration

_WEEK = "date(substr({0}, 1, 10), 'weekday 0', '-6 days')"  # the Monday of a timestamp's week
_STAGE_NAME = ("(SELECT name FROM fundraising_fields WHERE table_name = 'investors' "
               "AND builtin = 'stage' AND deleted_at IS NULL LIMIT 1)")
_IS_INVESTOR_UPDATE = ("new.plugin = 'fundraising' AND new.table_name = 'investors' "
                       "AND new.action = 'update' AND json_valid(new.changes)")
_ADD_MOVE = (  # the Stage change an audit entry `new` holds, if any
    "INSERT OR REPLACE INTO dashboard_stage_moves (audit_id, investor_id, week, src, dst) "
    f"SELECT new.id, CAST(new.row_id AS INTEGER), {_WEEK.format('new.at')}, "
    "json_extract(j.value, '$[0]'), json_extract(j.value, '$[1]') FROM json_each(CASE WHEN "
    "json_valid(new.changes) THEN new.changes ELSE '{}' END) AS j "
    f"WHERE {_IS_INVESTOR_UPDATE} AND j.key = {_STAGE_NAME} AND j.type = 'array';")
_KEY = "week = {0}.week AND src_key = json_quote({0}.src) AND dst_key = json_quote({0}.dst)"
_COUNT = ("INSERT INTO dashboard_stage_weeks (week, src_key, dst_key, moves) "
          "VALUES (new.week, json_quote(new.src), json_quote(new.dst), 1) "
          "ON CONFLICT (week, src_key, dst_key) DO UPDATE SET moves = moves + 1;")
_UNCOUNT = (f"UPDATE dashboard_stage_weeks SET moves = moves - 1 WHERE {_KEY.format('old')}; "
            f"DELETE FROM dashboard_stage_weeks WHERE {_KEY.format('old')} AND moves <= 0;")

TRIGGERS = {
    # the weekly counts follow the moves
    "dashboard_moves_added": f"AFTER INSERT ON dashboard_stage_moves BEGIN {_COUNT} END",
    "dashboard_moves_removed": f"AFTER DELETE ON dashboard_stage_moves BEGIN {_UNCOUNT} END",
    "dashboard_moves_changed": "AFTER UPDATE OF week, src, dst ON dashboard_stage_moves "
                               f"BEGIN {_UNCOUNT} {_COUNT} END",
    # the moves follow the history
    # (a cheap look for the Stage key first: most edits change other fields)
    "dashboard_audit_added": "AFTER INSERT ON audit_log WHEN new.plugin = 'fundraising' AND "
                             "new.table_name = 'investors' AND new.action = 'update' AND "
                             f"instr(new.changes, json_quote({_STAGE_NAME}) || ':') AND "
                             "json_valid(new.changes) "
                             f"BEGIN {_ADD_MOVE} END",
    "dashboard_audit_moved": "AFTER UPDATE OF at ON audit_log WHEN new.at IS NOT old.at BEGIN "
                             f"UPDATE dashboard_stage_moves SET week = {_WEEK.format('new.at')} "
                             "WHERE audit_id = new.id; END",
    "dashboard_audit_changed": "AFTER UPDATE OF plugin, table_name, row_id, action, changes "
                               "ON audit_log BEGIN DELETE FROM dashboard_stage_moves "
                               f"WHERE audit_id = old.id; {_ADD_MOVE} END",
    "dashboard_audit_deleted": "AFTER DELETE ON audit_log BEGIN DELETE FROM "
                               "dashboard_stage_moves WHERE audit_id = old.id; END",
}

# Every name the Stage field has had: its name now and the ones its renames left behind.
STAGE_NAMES = (
    "SELECT f.name FROM fundraising_fields f WHERE f.table_name = 'investors' "
    "AND f.builtin = 'stage' UNION SELECT json_extract(a.changes, '$.name[0]') "
    "FROM audit_log a JOIN fundraising_fields f ON a.row_id = CAST(f.id AS TEXT) "
    "WHERE f.table_name = 'investors' AND f.builtin = 'stage' AND a.plugin = 'fundraising' "
    "AND a.table_name = 'fields' AND json_type(a.changes, '$.name') = 'array'")


def rebuild(db):
    """Both tables again from the whole history (the triggers stay)."""
    db.execute("DELETE FROM dashboard_stage_moves")
    db.execute("DELETE FROM dashboard_stage_weeks")
    db.execute(
        "INSERT OR IGNORE INTO dashboard_stage_moves (audit_id, investor_id, week, src, dst) "
        f"SELECT a.id, CAST(a.row_id AS INTEGER), {_WEEK.format('a.at')}, "
        "json_extract(j.value, '$[0]'), json_extract(j.value, '$[1]') "
        "FROM audit_log a JOIN json_each(CASE WHEN json_valid(a.changes) THEN a.changes "
        "ELSE '{}' END) j "
        "WHERE a.plugin = 'fundraising' AND a.table_name = 'investors' AND a.action = 'update' "
        f"AND j.type = 'array' AND j.key IN ({STAGE_NAMES}) "
        "ORDER BY a.id")


def _create(db):
    db.execute("CREATE TABLE dashboard_stage_moves (audit_id INTEGER PRIMARY KEY, "
               "investor_id INTEGER NOT NULL, week TEXT NOT NULL, src TEXT, dst TEXT)")
    db.execute("CREATE INDEX dashboard_moves_week ON dashboard_stage_moves"
               "(week, src, dst, investor_id)")  # grouped in its order, no sort
    db.execute("CREATE INDEX dashboard_moves_investor ON dashboard_stage_moves"
               "(investor_id, week, src, dst)")
    # src_key/dst_key: the stage as JSON ('null' for none), so that each key is one row
    db.execute("CREATE TABLE dashboard_stage_weeks (week TEXT NOT NULL, src_key TEXT NOT NULL, "
               "dst_key TEXT NOT NULL, moves INTEGER NOT NULL, "
               "PRIMARY KEY (week, src_key, dst_key)) WITHOUT ROWID")
    for name, body in TRIGGERS.items():
        db.execute(f"CREATE TRIGGER {name} {body}")
    rebuild(db)


MIGRATIONS = [Migration(1, "stage movements per week, kept by triggers on the history", _create)]


def weekly(db, since: str) -> list[tuple]:
    """(week, from, to, count) of live investors from the Monday `since` on: the weekly counts
    less the moves of investors archived now."""
    return db.execute(
        "WITH gone AS (SELECT m.week, json_quote(m.src) AS s, json_quote(m.dst) AS d, "
        "COUNT(*) AS n FROM fundraising_investors i CROSS JOIN dashboard_stage_moves m "
        "ON m.investor_id = i.id AND m.week >= ? WHERE i.deleted_at IS NOT NULL "
        "GROUP BY 1, 2, 3) "
        "SELECT w.week, json_extract(w.src_key, '$') AS src, json_extract(w.dst_key, '$') AS dst, "
        "w.moves - COALESCE(g.n, 0) AS n FROM dashboard_stage_weeks w LEFT JOIN gone g "
        "ON g.week = w.week AND g.s = w.src_key AND g.d = w.dst_key "
        "WHERE w.week >= ? AND w.moves - COALESCE(g.n, 0) > 0 ORDER BY w.week, src, dst", [since, since]).fetchall()


def weekly_filtered(db, since: str, where: str, params) -> list[tuple]:
    """The same over the live investors a saved view's filter `where` keeps: counted from the
    moves (the weekly counts cannot be filtered), in the order of the week index (the `+`
    keeps the planner off the investor index). The filter reads the investors' rows, which a
    scan in id order does fastest."""
    return db.execute(
        "SELECT week, src, dst, COUNT(*) FROM dashboard_stage_moves WHERE week >= ? AND "
        "+investor_id IN (SELECT id FROM fundraising_investors WHERE deleted_at IS NULL "
        f"AND ({where})) GROUP BY week, src, dst ORDER BY week, src, dst",
        [since, *params]).fetchall()
