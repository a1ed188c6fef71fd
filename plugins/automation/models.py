"""Request and response bodies of the automation routes."""
from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from core.openapi import Body, Patch, Query


class RuleOut(BaseModel):
    id: int
    type: str
    name: str
    config: dict
    enabled: bool
    position: int
    version: int
    updated_at: str
    updated_by: int | None


class RuleTypeOut(BaseModel):
    name: str
    description: str
    kind: Literal["list", "action"]
    config_schema: dict


class RuleList(BaseModel):
    rules: list[RuleOut]
    types: list[RuleTypeOut]


class RuleCreate(Body):
    type: str = Field(min_length=1, max_length=100)
    name: str = Field(min_length=1, max_length=200)
    config: dict[str, Any] = {}
    enabled: bool = True


class RulePatch(Patch):
    expected_version: int | None = Field(None, ge=1)
    name: str | None = Field(None, min_length=1, max_length=200)
    enabled: bool | None = None
    config: dict[str, Any] | None = None
    position: int | None = Field(None, ge=0)


class RuleResult(BaseModel):
    rule_id: int
    name: str
    matched: int
    changed: int
    error: str | None


class Run(BaseModel):
    id: int
    trigger: str
    started_at: str
    finished_at: str | None
    changed: int
    errors: int
    rules: list[RuleResult]


class RunList(BaseModel):
    runs: list[Run]
    total: int


class PageQuery(Query):
    limit: int = Field(50, ge=1, le=1000)
    offset: int = Field(0, ge=0)


class ListPage(BaseModel):
    model_config = ConfigDict(extra="allow")
    list: str
    records: list[dict]
    total: int


class Task(BaseModel):
    id: int
    version: int
    title: str
    notes: str
    due_date: str | None = Field(description="the day it is due in due_tz")
    due_at: str | None = Field(description="the due moment in UTC, when it has a time")
    due_tz: str | None = Field(description="the writer's IANA zone; none: UTC")
    due_status: Literal["overdue", "today"] | None = Field(
        description="for an open task, by the day it is now in due_tz")
    assignee_id: int | None
    investor_id: int | None
    contact_id: int | None
    done: bool
    done_at: str | None
    repeat_days: int | None = Field(description="completing it makes the next one, due this "
                                    "many days after the investor's Last Contact")
    repeated_from: int | None
    reminded_for: str | None
    reminded_at: str | None
    created_at: str
    created_by: int | None
    updated_at: str
    updated_by: int | None


class TaskChanged(Task):
    next_task: Task | None = Field(None, description="the next task, made by completing a "
                                   "recurring one (repeat_days)")


class TaskList(BaseModel):
    tasks: list[Task]
    total: int


class TaskQuery(PageQuery):
    status: Literal["open", "done", "all", "archived"] = Field(
        "open", description="all: open and done; archived: the archived tasks, newest first")
    assignee: int | Literal["me"] | None = None
    investor_id: int | None = Field(None, ge=1)
    due: Literal["overdue", "today"] | None = None


class TaskDeleteQuery(Query):
    expected_version: int | None = Field(None, ge=1)


class TaskCreate(Body):
    title: str = Field(min_length=1, max_length=500)
    notes: str = Field("", max_length=20_000)
    due_date: date | None = None
    due_at: datetime | None = Field(None, description="ISO date and time; without an offset "
                                    "it is a time of due_tz")
    due_tz: str | None = Field(None, min_length=1, max_length=64,
                               description="IANA time zone, e.g. Europe/Paris (default UTC)")
    repeat_days: int | None = Field(None, ge=1, le=365)
    assignee_id: int | None = Field(None, ge=1)
    investor_id: int | None = Field(None, ge=1)
    contact_id: int | None = Field(None, ge=1)


class TaskPatch(Patch):
    nullable = frozenset({"due_date", "due_at", "assignee_id", "repeat_days"})  # null clears
    expected_version: int | None = Field(None, ge=1)
    title: str | None = Field(None, min_length=1, max_length=500)
    notes: str | None = Field(None, max_length=20_000)
    due_date: date | None = None
    due_at: datetime | None = None
    due_tz: str | None = Field(None, min_length=1, max_length=64)
    repeat_days: int | None = Field(None, ge=1, le=365)
    assignee_id: int | None = Field(None, ge=1)
    done: bool | None = None
