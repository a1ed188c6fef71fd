"""Bodies and answers of boards: a view of type board, and the board route's query."""
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from core.openapi import Body, Query

MAX_CARD_FIELDS = 6  # fields shown on a card besides its name
MAX_BOARD_CARDS = 50  # cards per column in one answer; ?offset= reads on
FieldRef = int | Annotated[str, Field(max_length=200)]  # a field by id or by name
ViewType = Literal["grid", "board"]


class BoardSettings(Body):
    group_field: FieldRef | None = Field(None, description="A single-select field of the "
                                         "table: one column per choice (default: the first)")
    card_fields: list[FieldRef] = Field(default_factory=list, max_length=MAX_CARD_FIELDS)
    sum_field: FieldRef | None = Field(None, description="A number, currency or percent field "
                                       "summed per column")


class BoardQuery(Query):
    """Which records (a view, or ad-hoc filters and a search) and how to lay them out."""
    view: int | None = Field(None, ge=1, description="A saved view's id (a board's settings "
                             "and any view's filters and sorts)")
    filters: str | None = Field(None, max_length=20_000, description="A filter group as JSON")
    sorts: str | None = Field(None, max_length=5_000, description="A list of sorts as JSON")
    q: str | None = Field(None, max_length=500, description="Search, as the list route's")
    group_field: str | None = Field(None, max_length=200, description="Field id or name, "
                                    "instead of the view's")
    sum_field: str | None = Field(None, max_length=200, description="Field id or name")
    card_fields: str | None = Field(None, max_length=5_000, description="A JSON list of field "
                                    "ids or names, at most 6")
    column: str | None = Field(None, max_length=1000, description="Only this choice's column "
                               "(more of its cards from ?offset=)")
    empty: bool = Field(False, description="Only the column of records with no value")
    limit: int = Field(25, ge=1, le=MAX_BOARD_CARDS, description="Cards per column")
    offset: int = Field(0, ge=0, le=1_000_000)


class CardValue(BaseModel):
    field_id: int
    name: str
    type: str
    value: object = None
    text: str | list[str]


class Card(BaseModel):
    id: int
    version: int
    name: str
    group: str | None
    values: list[CardValue]


class BoardColumn(BaseModel):
    value: str | None = Field(description="The choice; null for the records with no value")
    title: str
    count: int
    sum: float | None
    cards: list[Card]


class BoardOut(BaseModel):
    model_config = ConfigDict(extra="allow")
    table: str
    group_field: dict
    sum_field: dict | None
    card_fields: list[dict]
    total: int
    sum: float | None
    columns: list[BoardColumn]
