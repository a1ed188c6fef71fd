"""Query and answer models of the totals and groups routes."""
from typing import Any

from pydantic import BaseModel, Field

from plugins.fundraising.models import ViewQuery


class TotalsQuery(ViewQuery):
    fields: str | None = Field(None, max_length=20_000, description="The fields to total, as "
                               "a JSON list of field ids or names (at most 200); by default "
                               "the table's first 200 fields")


class GroupsQuery(ViewQuery):
    field: str = Field(max_length=200, description="The field to group by: its id or name")
    sums: str | None = Field(None, max_length=20_000, description="The fields to sum per "
                             "group, as a JSON list of ids or names (at most 20); by default "
                             "the table's first 20 number, currency and percent fields")


class FieldTotal(BaseModel):
    field: int
    name: str
    type: str
    kind: str = Field(description="number, checkbox, date or filled: which keys follow")
    filled: int | None = None
    empty: int | None = None
    sum: float | None = None
    average: float | None = None
    min: float | None = None
    max: float | None = None
    checked: int | None = None
    unchecked: int | None = None
    earliest: str | None = None
    latest: str | None = None


class Totals(BaseModel):
    total: int = Field(description="Rows of the view")
    totals: list[FieldTotal]
    left_off: int = Field(0, description="Fields not totalled (over the cap of 200)")


class Group(BaseModel):
    value: Any = Field(description="The group's value (a choice, a number, a day, a user or "
                       "record id, true/false); null for the empty group")
    label: str | None = Field(description="The value as text: a user's or record's name")
    count: int
    sums: dict[str, float | None]


class OtherGroups(BaseModel):
    groups: int
    count: int
    sums: dict[str, float | None]


class Groups(BaseModel):
    field: int
    total: int
    sum_fields: list[int]
    sums: dict[str, float | None]
    groups: list[Group]
    others: OtherGroups | None = Field(description="The groups past the first 200, together")
