"""Hook implementations of the automation plugin."""
from core import ScheduledTask, hookimpl
from plugins.automation import hookspecs
from plugins.automation import resources as r
from plugins.automation.activity import LABELS, sources
from plugins.automation.my_day import tasks_of_day
from plugins.automation.timeline import automation_entries, task_entries
from plugins.automation.engine import fields_read, run_rules
from plugins.automation.rules import builtin_types
from plugins.automation.settings import AutomationSettings
from plugins.automation.tasks import due_tasks
from plugins.automation.tables import MIGRATIONS
from plugins.fundraising.api import fundraising

requires = ("fundraising",)
# From this many changed investors (an import), re-checking every investor is cheaper than
# naming each in the rules' queries; the result for the changed ones is the same.
WHOLE_TABLE_FROM = 1_000


@hookimpl
def register_migrations():
    return MIGRATIONS


@hookimpl
def register_settings():
    return AutomationSettings


@hookimpl
def my_day(crm, user, params):
    return tasks_of_day(crm, user, params)


@hookimpl
def record_timeline(crm, table, record_id, kinds, before, limit):
    return (task_entries(crm, table, record_id, kinds, before, limit)
            + automation_entries(crm, table, record_id, kinds, before, limit))


@hookimpl
def register_hookspecs():
    return [hookspecs]


@hookimpl
def register_rule_types(crm):
    return builtin_types(crm)


@hookimpl
def register_routes(crm):
    lists, tasks, task = r.ListResource(crm), r.TasksResource(crm), r.TaskResource(crm)
    return [
        ("/api/automation/rules", r.RulesResource(crm)),
        ("/api/automation/rules/{rule_id:id}", r.RuleResource(crm)),
        ("/api/automation/run", r.RunResource(crm)),
        ("/api/automation/runs", r.RunsResource(crm)),
        ("/api/automation/lists/{list_name}", lists),
        ("/api/automation/tasks", tasks),
        ("/api/automation/tasks/{task_id:id}", task),
        ("/api/automation/tasks/{task_id:id}/restore", r.RestoreTaskResource(crm)),
        # the paths these had before they moved under /api/automation
        ("/api/fundraising/lists/{list_name}", lists),
        ("/api/tasks", tasks),
        ("/api/tasks/{task_id:id}", task),
    ]


@hookimpl
def register_scheduled_tasks(crm):
    return [ScheduledTask("automation.rules", lambda s: s.every(1).hours,
                          lambda: run_rules(crm, "schedule"))]


@hookimpl
def register_activity_sources(crm):
    return sources(crm)


@hookimpl
def changes_committed(crm, changes):
    api = fundraising(crm)
    investors = api.changed_ids(changes, "investors")
    if investors:
        changed, read = api.changed_fields(changes, "investors"), fields_read(crm)
        if changed is not None and read is not None and not changed & read:
            return  # no list rule reads what changed: no membership can move
        scope = investors if len(investors) < WHOLE_TABLE_FROM else None
        run_rules(crm, "change", only_ids=scope, act=False)


@hookimpl
def digest_sections(crm, start, end, day):
    tasks = [f"{t['title']} (due {t['due_date']})" for t in due_tasks(crm.db, day)]
    joined = crm.db.execute(
        "SELECT investor_id, list FROM list_memberships WHERE added_at >= ? AND added_at < ? "
        "AND list != 'main' ORDER BY added_at", [start, end]).fetchall()
    names = fundraising(crm).names("investors", [i for i, _ in joined], archived=False)
    moves = [f"{names[investor]} joined {LABELS.get(list_name, list_name)}"
             for investor, list_name in joined if investor in names]
    return [{"title": "Tasks due and overdue", "items": tasks},
            {"title": "List changes", "items": moves}]


@hookimpl
def register_backup_tables(register):
    # only tasks have audit entries of their own; runs and memberships are replaced wholesale
    register("automation", {"tasks": "tasks", "automation_rules": None,
                            "list_memberships": None, "automation_runs": None})
