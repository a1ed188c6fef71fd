"""What the automation plugin adds to the activity feed."""
from datetime import datetime, timedelta, timezone

import orjson

from core import activity_text, audit
from core.plugin_types import ActivitySource
from plugins.automation.tasks import due_tasks
from plugins.fundraising.api import date_text, fundraising

LABELS = {"main": "the main list", "follow_up": "follow-up", "graveyard": "the graveyard",
          "longshot": "longshots"}


def membership_source(crm) -> ActivitySource:
    def fetch(limit, before=None):
        rows = crm.db.execute(
            "SELECT at, kind, list, investor FROM ("
            " SELECT added_at AS at, 'list_added' AS kind, list, investor_id AS investor"
            "  FROM list_memberships"
            " UNION ALL"
            " SELECT removed_at, 'list_removed', list, investor_id FROM list_memberships"
            "  WHERE removed_at IS NOT NULL"
            ") WHERE at <= coalesce(?, at) ORDER BY at DESC, investor DESC, kind LIMIT ?",
            [before, limit]).fetchall()
        names = fundraising(crm).names("investors", [row[3] for row in rows])
        rows = [(*row, names[row[3]]) for row in rows if row[3] in names]
        return [{"at": at, "kind": kind, "list": list_name, "investor_id": investor,
                 "summary": f"{name} {'joined' if kind == 'list_added' else 'left'} "
                            f"{LABELS.get(list_name, list_name)}",
                 "record": {"table": "investors", "id": investor, "name": name,
                            "url": f"#/grid/investors/{investor}"}}
                for at, kind, list_name, investor, name in rows]
    return ActivitySource("lists", fetch)


def run_source(crm) -> ActivitySource:
    def fetch(limit, before=None):
        rows = crm.db.execute("SELECT id, finished_at, trigger, changed, errors, results FROM "
                              "automation_runs WHERE finished_at <= coalesce(?, finished_at) "
                              "ORDER BY finished_at DESC, id DESC LIMIT ?", [before, limit])
        return [{"at": at, "kind": "rule_run", "run_id": run_id, "trigger": trigger,
                 "summary": f"Automation rules ran ({trigger}): {changed} change(s)"
                            + (f", {errors} rule(s) failed" if errors else ""),
                 "failed": [r["name"] for r in orjson.loads(results) if r["error"]]}
                for run_id, at, trigger, changed, errors, results in rows]
    return ActivitySource("automation_runs", fetch)


def due_source(crm) -> ActivitySource:
    def fetch(limit, before=None):
        # due today or overdue by the day in each task's zone: a zone ahead of UTC may be
        # on tomorrow's date already
        tomorrow = datetime.now(timezone.utc).date() + timedelta(days=1)
        entries = []
        for task in due_tasks(crm.db, tomorrow, limit):
            if task["due_status"] is None:
                continue
            overdue = task["due_status"] == "overdue"
            entries.append({"at": f"{task['due_date']}T00:00:00.000000Z",
                            "kind": "task_overdue" if overdue else "task_due_today",
                            "task_id": task["id"],
                            "summary": f"Task '{task['title']}' "
                                       + (f"is overdue (due {task['due_date']})" if overdue
                                          else "is due today")})
        return sorted([e for e in entries if before is None or e["at"] <= before],
                      key=lambda e: (e["at"], e["task_id"]), reverse=True)
    return ActivitySource("tasks_due", fetch)


TASK_FIELDS = {"title": "Title", "notes": "Notes", "due_date": "Due", "due_at": "Due at",
               "due_tz": "Time zone", "assignee_id": "Assignee", "investor_id": "Investor",
               "contact_id": "Contact", "done": "Done", "done_at": "Done at",
               "repeat_days": "Repeats every (days)", "repeated_from": "Repeats task",
               "reminded_for": "Reminded for", "reminded_at": "Reminded at"}
NAMED = {"assignee_id": "users", "investor_id": "investors", "contact_id": "contacts"}


def describe_tasks(crm, db, entries):
    """Task entries: people and records by name, dates as people read them, and a link to
    the task's investor (archived ones too)."""
    tasks = {row[0]: row[1:] for row in db.execute(
        f"SELECT id, investor_id, contact_id FROM tasks WHERE id IN "
        f"({','.join('?' * len(entries))})", [int(e["row_id"]) for e in entries])}
    ids = {table: set() for table in NAMED.values()}
    for entry in entries:
        investor, contact = tasks.get(int(entry["row_id"]), (None, None))
        ids["investors"].add(investor)
        ids["contacts"].add(contact)
        for key, pair in (entry.get("changes") or {}).items():
            if key in NAMED:
                ids[NAMED[key]].update(v for v in pair if v)
    api = fundraising(crm)
    names = {t: activity_text.names_by_id(db, t, [i for i in v if i]) if t == "users"
             else api.names(t, [i for i in v if str(i).isdigit()]) for t, v in ids.items()}

    def text(key, value):
        if value in (None, ""):
            return activity_text.EMPTY
        if key in NAMED:
            return names[NAMED[key]].get(value) or f"#{value}"
        if key in ("due_date", "reminded_for", "done_at", "due_at", "reminded_at"):
            return date_text(value)
        if key == "done":
            return "yes" if value else "no"
        return activity_text.plain(value)

    for entry in entries:
        entry["details"] = [activity_text.detail(TASK_FIELDS.get(k, k), old, new,
                                                 text(k, old), text(k, new))
                            for k, (old, new) in (entry.get("changes") or {}).items()
                            if k not in ("done_at", "reminded_at")]
        investor = tasks.get(int(entry["row_id"]), (None, None))[0]
        if investor:
            name = names["investors"].get(investor) or f"investor #{investor}"
            entry["record"] = {"table": "investors", "id": investor, "name": name,
                               "url": f"#/grid/investors/{investor}"}


def sources(crm) -> list[ActivitySource]:
    return [audit.activity_source(crm, "automation", name="tasks",
                                  describe=lambda db, entries: describe_tasks(crm, db, entries)),
            membership_source(crm), run_source(crm), due_source(crm)]
