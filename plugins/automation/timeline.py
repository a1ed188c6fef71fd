"""The automation plugin's entries on an investor's timeline: tasks created and completed
(kind `task`), and automation events (kind `automation`): the rule runs that moved the
investor onto or off a list, from the memberships and the run log, and task reminders."""
from plugins.automation.activity import LABELS


def task_entries(crm, table, record_id, kinds, before, limit) -> list[dict]:
    if table != "investors" or (kinds is not None and "task" not in kinds):
        return []
    rows = crm.db.execute(
        "SELECT id, title, assignee_id, due_date, created_at, created_by, done, done_at, "
        "updated_by FROM tasks WHERE investor_id = ? AND deleted_at IS NULL", [record_id])
    entries = []
    for tid, title, assignee, due, created, creator, done, done_at, updater in rows:
        base = {"kind": "task", "task_id": tid, "assignee_id": assignee, "due_date": due}
        entries.append({**base, "id": f"{tid}-created", "event": "created", "at": created,
                        "actor": creator, "summary": f"Task created: {title}"})
        if done and done_at:
            entries.append({**base, "id": f"{tid}-completed", "event": "completed",
                            "at": done_at, "actor": updater,
                            "summary": f"Task completed: {title}"})
    entries.sort(key=lambda e: (e["at"], e["event"] == "completed"), reverse=True)
    return ([e for e in entries if e["at"] == before]
            + [e for e in entries if before is None or e["at"] < before][:limit])


def _window(db, inner, params, before, limit) -> list:
    """Rows of `inner` (a SELECT with an `at` column): all at exactly `before` (the route
    drops those it has shown, by their ids) and the `limit` newest older ones."""
    same = db.execute(f"SELECT * FROM ({inner}) WHERE at = ?",
                      [*params, before]).fetchall() if before else []
    return same + db.execute(f"SELECT * FROM ({inner}) WHERE (? IS NULL OR at < ?) "
                             "ORDER BY at DESC LIMIT ?", [*params, before, before, limit]
                             ).fetchall()


def automation_entries(crm, table, record_id, kinds, before, limit) -> list[dict]:
    """List moves made by rule runs (with the run and its trigger) and task reminders."""
    if table != "investors" or (kinds is not None and "automation" not in kinds):
        return []
    db = crm.db
    moves = _window(db, "SELECT id, added_at AS at, 'list_added' AS event, list, rule_id "
                    "FROM list_memberships WHERE investor_id = ? UNION ALL "
                    "SELECT id, removed_at, 'list_removed', list, rule_id FROM list_memberships "
                    "WHERE investor_id = ? AND removed_at IS NOT NULL",
                    [record_id, record_id], before, limit)
    rules = _by_id(db, "SELECT id, name FROM automation_rules", {m[4] for m in moves})
    runs = dict(_rows_in(db, "SELECT started_at, id, trigger FROM automation_runs",
                         "started_at", {m[1] for m in moves}))
    entries = []
    for membership, at, event, list_name, rule_id in moves:
        run_id, trigger = runs.get(at, (None, None))
        verb = "joined" if event == "list_added" else "left"
        rule = rules.get(rule_id)
        entries.append({
            "kind": "automation", "id": f"m{membership}-{event}", "at": at, "actor": None,
            "event": event, "list": list_name, "rule_id": rule_id, "rule_name": rule,
            "run_id": run_id, "trigger": trigger,
            "summary": f"{verb.capitalize()} {LABELS.get(list_name, list_name)}"
                       + (f" (rule '{rule}')" if rule else "")})
    reminders = _window(db, "SELECT id, reminded_at AS at, title, reminded_for FROM tasks "
                        "WHERE investor_id = ? AND deleted_at IS NULL AND reminded_at IS NOT "
                        "NULL", [record_id], before, limit)
    entries += [{"kind": "automation", "id": f"t{task_id}-reminder", "at": at, "actor": None,
                 "event": "reminder", "task_id": task_id,
                 "summary": f"Reminder: '{title}' was due {due}"}
                for task_id, at, title, due in reminders]
    entries.sort(key=lambda e: (e["at"], e["id"]), reverse=True)
    return ([e for e in entries if e["at"] == before]
            + [e for e in entries if before is None or e["at"] < before][:limit])


def _rows_in(db, select, column, values):
    values = sorted(v for v in values if v is not None)
    if not values:
        return []
    return [(row[0], tuple(row[1:])) for row in db.execute(
        f"{select} WHERE {column} IN ({','.join('?' * len(values))})", values)]


def _by_id(db, select, ids) -> dict:
    return {key: value[0] for key, value in _rows_in(db, select, "id", ids)}
