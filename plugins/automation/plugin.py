"""Hook implementations of the automation plugin."""
from core import ScheduledTask, hookimpl
from plugins.automation import resources as r
from plugins.automation.activity import sources
from plugins.automation.engine import run_rules
from plugins.automation.rules import BUILTIN_TYPES
from plugins.automation.tables import MIGRATIONS

requires = ("fundraising",)


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
        ("/api/automation/rules/{rule_id}", r.RuleResource(crm)),
        ("/api/automation/run", r.RunResource(crm)),
        ("/api/automation/runs", r.RunsResource(crm)),
        ("/api/fundraising/lists/{list_name}", r.ListResource(crm)),
        ("/api/tasks", r.TasksResource(crm)),
        ("/api/tasks/{task_id}", r.TaskResource(crm)),
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
    investors = set()
    for change in changes:
        if change["plugin"] == "fundraising" and change["table_name"] == "investors":
            investors.add(int(change["row_id"]))
    if investors:
        run_rules(crm, "change", only_ids=investors)
