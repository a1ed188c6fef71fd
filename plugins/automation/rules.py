"""Rule types: a name, a pydantic config, and what the rule does when it runs.

A list rule answers which live investors belong on its list (`members`); the engine turns
answers into membership changes. An action rule does its own idempotent work (`act`).
"""
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Callable, Literal

from pydantic import BaseModel, ConfigDict, Field

from plugins.automation.due import local_today_sql
from plugins.automation.tasks import OF_LIVE_RECORDS
from plugins.fundraising.api import Condition, FilterGroup, fundraising

ListName = Literal["follow_up", "graveyard", "longshot"]


@dataclass(frozen=True)
class RuleType:
    name: str
    description: str
    config: type[BaseModel]
    members: Callable | None = None  # (db, config, today, only_ids) -> set of investor ids
    act: Callable | None = None  # (db, config, now) -> (matched, changed)
    target: Callable[[BaseModel], str] | None = None  # the list a list rule fills
    # the field ids a list rule reads (config -> set, from the config alone: the answer is
    # kept while the rules are unchanged); None: it may read any, so every record change
    # runs it
    reads: Callable[[BaseModel], set] | None = None


class RuleConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")


class LastContactOlder(RuleConfig):
    field: int = Field(description="id of the date field (built-in: Last Contact)")
    days: int = Field(30, ge=1, le=3650)
    include_never: bool = Field(False, description="also list investors never contacted")
    list: ListName = "follow_up"


class StageIn(RuleConfig):
    field: int = Field(description="id of the single-select field (built-in: Stage)")
    stages: list[str] = Field(default_factory=lambda: ["Passed", "Declined"], min_length=1)
    list: ListName = "graveyard"


class AmountBelow(RuleConfig):
    field: int = Field(description="id of the number, currency or percent field (built-in: "
                       "Check Size)")
    threshold: float = Field(100_000, ge=0, description="compared with the stored value: for "
                             "a percent field a fraction (0.25 for 25%)")
    list: ListName = "longshot"


class NoConfig(RuleConfig):
    pass


class RuleFailed(Exception):
    """The rule cannot run as configured; the message goes to the run log."""


def _checked(api, field_id, types) -> int:
    fdef = api.field("investors", field_id)
    if fdef is None:
        raise RuleFailed(f"field {field_id} no longer exists")
    if fdef.type not in types:
        raise RuleFailed(f"field '{fdef.name}' is a {fdef.type} field")
    return field_id


# A list rule is a saved filter: a filter group the fundraising API compiles as a view's.

def last_contact_members(api, config: LastContactOlder, today: date, only_ids):
    field = _checked(api, config.field, {"date"})
    cutoff = (today - timedelta(days=config.days)).isoformat()
    older = Condition(field, "before", cutoff)
    filters = FilterGroup((older, Condition(field, "is_empty")), "or") \
        if config.include_never else FilterGroup((older,))
    return api.select_ids("investors", filters, only_ids, today=today)


def stage_members(api, config: StageIn, today, only_ids):
    field = _checked(api, config.field, {"single_select", "text"})
    filters = FilterGroup(tuple(Condition(field, "is", s) for s in config.stages), "or")
    return api.select_ids("investors", filters, only_ids, today=today)


def amount_members(api, config: AmountBelow, today, only_ids):
    field = _checked(api, config.field, {"number", "currency", "percent"})
    return api.select_ids("investors", FilterGroup((Condition(field, "<", config.threshold),)),
                          only_ids, today=today)


def remind_overdue(db, config, now: datetime):
    """Mark each overdue open task (by the day in its zone) reminded once for its due date;
    the assignee's My day and the activity feed show it."""
    from core import audit
    from core.db import utc_text
    today_sql, today_params = local_today_sql(db, now)
    overdue = f"deleted_at IS NULL AND done = 0 AND due_date < {today_sql} AND {OF_LIVE_RECORDS}"
    due = list(db.execute(
        f"SELECT id, title, due_date, assignee_id FROM tasks WHERE {overdue} AND "
        "(reminded_for IS NULL OR reminded_for != due_date)", today_params))
    stamp = utc_text(now)
    for task_id, title, due_date, assignee in due:
        db.execute("UPDATE tasks SET reminded_for = due_date, reminded_at = ? WHERE id = ?",
                   [stamp, task_id])
        audit.record_change(db, actor_id=None, plugin="automation", table="tasks",
                            row_id=task_id, action="update",
                            before={"reminded_for": None}, after={"reminded_for": due_date},
                            summary=f"Reminder: '{title}' was due {due_date}")
    matched = db.execute(f"SELECT count(*) FROM tasks WHERE {overdue}",
                         today_params).fetchone()[0]
    return matched, len(due)


def builtin_types(crm) -> list[RuleType]:
    """The rule types of the automation plugin; list rules read investors through the
    fundraising API (the `db` a rule gets is the same connection, in the same transaction)."""
    api = fundraising(crm)

    def members(select):
        return lambda db, config, today, only_ids: select(api, config, today, only_ids)

    return [
        RuleType("last_contact_older", "Last Contact older than N days puts an investor on a "
                 "list", LastContactOlder, members=members(last_contact_members),
                 target=lambda c: c.list, reads=lambda c: {c.field}),
        RuleType("stage_in", "A Stage in a set puts an investor on a list", StageIn,
                 members=members(stage_members), target=lambda c: c.list,
                 reads=lambda c: {c.field}),
        RuleType("amount_below", "An amount below a threshold puts an investor on a list",
                 AmountBelow, members=members(amount_members), target=lambda c: c.list,
                 reads=lambda c: {c.field}),
        RuleType("main_list", "Every live investor on no other list is on the main list",
                 NoConfig, target=lambda c: "main", reads=lambda c: set()),
        RuleType("task_overdue", "An overdue open task gets one reminder, on its assignee's "
                 "My day and in the activity feed", NoConfig, act=remind_overdue),
    ]
