"""Hook implementations of the automation plugin."""
from core import ScheduledTask, hookimpl
from plugins.automation import resources as r
from plugins.automation.activity import sources
from plugins.automation.engine import run_rules
from plugins.automation.rules import BUILTIN_TYPES
from plugins.automation.tables import MIGRATIONS

requires = ("fundraising",)
# From this many changed investors (an import), re-checking every investor is cheaper than
# naming each in the rules' queries; the result for the changed ones is the same.
WHOLE_TABLE_FROM = 1_000


@hookimpl
def register_migrations():
    return MIGRATIONS


@hookimpl
def register_rule_types(crm):
    return BUILTIN_TYPES


@hookimpl
def register_routes(crm):
    return [
        ("/api/automation/rules", r.RulesResource(crm)),
        ("/api/automation/rules/{rule_id:id}", r.RuleResource(crm)),
        ("/api/automation/run", r.RunResource(crm)),
        ("/api/automation/runs", r.RunsResource(crm)),
        ("/api/fundraising/lists/{list_name}", r.ListResource(crm)),
        ("/api/tasks", r.TasksResource(crm)),
        ("/api/tasks/{task_id:id}", r.TaskResource(crm)),
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
    investors = {change["row_id"] for change in changes
                 if change["table_name"] == "investors" and change["plugin"] == "fundraising"}
    if investors:
        scope = set(map(int, investors)) if len(investors) < WHOLE_TABLE_FROM else None
        run_rules(crm, "change", only_ids=scope, act=False)


@hookimpl
def digest_sections(crm, start, end, day):
    from plugins.automation.activity import LABELS
    from plugins.automation.tasks import due_tasks
    tasks = [f"{t['title']} (due {t['due_date']})" for t in due_tasks(crm.db, day)]
    moves = [f"{name} joined {LABELS.get(list_name, list_name)}" for name, list_name in
             crm.db.execute(
                 "SELECT i.name, m.list FROM list_memberships m JOIN fundraising_investors i "
                 "ON i.id = m.investor_id WHERE m.added_at >= ? AND m.added_at < ? AND "
                 "m.list != 'main' AND i.deleted_at IS NULL ORDER BY m.added_at",
                 [start, end])]
    return [{"title": "Tasks due and overdue", "items": tasks},
            {"title": "List changes", "items": moves}]
