"""Rule types: a name, a pydantic config, and what the rule does when it runs.

A list rule answers which live investors belong on its list (`members`); the engine turns
answers into membership changes. An action rule does its own idempotent work (`act`).
"""
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Callable, Literal

from pydantic import BaseModel, ConfigDict, Field

from plugins.fundraising.fields import load_fields
from plugins.fundraising.query import field_sql

ListName = Literal["follow_up", "graveyard", "longshot"]


@dataclass(frozen=True)
class RuleType:
    name: str
    description: str
    config: type[BaseModel]
    members: Callable | None = None  # (db, config, today, only_ids) -> set of investor ids
    act: Callable | None = None  # (db, config, now) -> (matched, changed)
    target: Callable[[BaseModel], str] | None = None  # the list a list rule fills


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


def _column(db, field_id, types):
    fdef = load_fields(db, "investors").by_id.get(field_id)
    if fdef is None:
        raise RuleFailed(f"field {field_id} no longer exists")
    if fdef.type not in types:
        raise RuleFailed(f"field '{fdef.name}' is a {fdef.type} field")
    return field_sql(fdef)


def _ids(db, where, params, only_ids):
    sql = f"SELECT id FROM fundraising_investors WHERE deleted_at IS NULL AND ({where})"
    if only_ids is not None:
        sql += f" AND id IN ({','.join('?' * len(only_ids))})"
        params = [*params, *only_ids]
    return {r[0] for r in db.execute(sql, params)}


def last_contact_members(db, config: LastContactOlder, today: date, only_ids):
    column = _column(db, config.field, {"date"})
    cutoff = (today - timedelta(days=config.days)).isoformat()
    where = f"{column} < ?" + (f" OR {column} IS NULL" if config.include_never else "")
    return _ids(db, where, [cutoff], only_ids)


def stage_members(db, config: StageIn, today, only_ids):
    column = _column(db, config.field, {"single_select", "text"})
    return _ids(db, f"{column} IN ({','.join('?' * len(config.stages))})", config.stages,
                only_ids)


def amount_members(db, config: AmountBelow, today, only_ids):
    column = _column(db, config.field, {"number", "currency", "percent"})
    return _ids(db, f"{column} < ?", [config.threshold], only_ids)


def remind_overdue(db, config, now: datetime):
    """Mark each overdue open task reminded once for its due date; the feed shows it."""
    from core import audit
    today = now.date().isoformat()
    due = list(db.execute(
        "SELECT id, title, due_date, assignee_id FROM tasks WHERE deleted_at IS NULL AND "
        "done = 0 AND due_date < ? AND (reminded_for IS NULL OR reminded_for != due_date)",
        [today]))
    for task_id, title, due_date, assignee in due:
        db.execute("UPDATE tasks SET reminded_for = due_date WHERE id = ?", [task_id])
        audit.record_change(db, actor_id=None, plugin="automation", table="tasks",
                            row_id=task_id, action="update",
                            before={"reminded_for": None}, after={"reminded_for": due_date},
                            summary=f"Reminder: '{title}' was due {due_date}")
    matched = db.execute("SELECT count(*) FROM tasks WHERE deleted_at IS NULL AND done = 0 "
                         "AND due_date < ?", [today]).fetchone()[0]
    return matched, len(due)


BUILTIN_TYPES = [
    RuleType("last_contact_older", "Last Contact older than N days puts an investor on a list",
             LastContactOlder, members=last_contact_members, target=lambda c: c.list),
    RuleType("stage_in", "A Stage in a set puts an investor on a list", StageIn,
             members=stage_members, target=lambda c: c.list),
    RuleType("amount_below", "An amount below a threshold puts an investor on a list",
             AmountBelow, members=amount_members, target=lambda c: c.list),
    RuleType("main_list", "Every live investor on no other list is on the main list",
             NoConfig, target=lambda c: "main"),
    RuleType("task_overdue", "An overdue open task gets one reminder in the activity feed",
             NoConfig, act=remind_overdue),
]
