"""Saved views' bodies: filter groups, sorts and layout, bounded before any work is done."""
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator
from pydantic_core import PydanticCustomError

from core.openapi import Body, Patch, Query
from plugins.fundraising.board_models import BoardSettings, ViewType

Table = Literal["investors", "contacts", "funds", "commitments"]
MAX_VIEW_REFS = 1_000  # pinned, hidden, order, widths of one view

# A saved view is compiled on every read of it and indexed when shared: bounded before any
# of that work (100,000 conditions once made each read take 2.7 s).
MAX_VIEW_CONDITIONS = 100  # entries of the filter groups (conditions and groups), all levels
MAX_VIEW_DEPTH = 5  # levels of filter groups, the top one counted
MAX_VIEW_SORTS = 10
MAX_CONDITION_VALUE = 2_000  # characters of a condition's value (of a list's items together)
MAX_VIEW_BYTES = 64 * 1024  # a view's filters, sorts, pinned, hidden, order, widths as JSON
VIEW_CONFIG_KEYS = ("filters", "sorts", "pinned", "hidden", "order", "widths")
FieldName = Annotated[str, Field(max_length=200)]  # as a field's name is
FieldRef = int | FieldName  # a field by id or by name


def view_limit(kind: str, message: str, **context):
    return PydanticCustomError(kind, message, context)


def bounded_filters(value):
    """Check a filter tree's entries, levels and values as sent, before its models are built."""
    if not isinstance(value, dict):
        return value  # None, or a FilterGroup already checked
    entries, stack = 0, [(value, 1, "conditions")]
    while stack:
        group, depth, path = stack.pop()
        if depth > MAX_VIEW_DEPTH:
            raise view_limit("filters_too_deep", "filter groups nest at most {max} levels deep",
                             max=MAX_VIEW_DEPTH)
        conditions = group.get("conditions")
        if not isinstance(conditions, list):
            continue  # the models say what is wrong with it
        entries += len(conditions)
        if entries > MAX_VIEW_CONDITIONS:
            raise view_limit("too_many_conditions", "a view's filters hold at most {max} "
                             "conditions, groups counted, across all levels",
                             max=MAX_VIEW_CONDITIONS)
        for i, cond in enumerate(conditions):
            if isinstance(cond, dict) and "conditions" in cond:
                stack.append((cond, depth + 1, f"{path}.{i}.conditions"))
            elif isinstance(cond, dict) and _value_size(cond.get("value")) > MAX_CONDITION_VALUE:
                raise view_limit("value_too_large", "{path}: a condition's value is at most "
                                 "{max} characters (a list: its items together)",
                                 path=f"{path}.{i}.value", max=f"{MAX_CONDITION_VALUE:,}")
    return value


def _value_size(value) -> int:
    """Characters of a condition's value, a list's or object's items together (one level)."""
    if isinstance(value, str):
        return len(value)
    if not isinstance(value, (list, dict)):
        return 1
    size = len(value)
    for item in value.values() if isinstance(value, dict) else value:
        if isinstance(item, (list, dict)):
            return MAX_CONDITION_VALUE + 1
        size += len(item) if isinstance(item, str) else 1
        if size > MAX_CONDITION_VALUE:
            break
    return size


class Condition(Body):
    field: FieldRef
    operator: str = Field(min_length=1, max_length=20)
    value: Any = None  # its size is checked by bounded_filters


class FilterGroup(Body):
    op: Literal["and", "or"] = "and"
    conditions: list["Condition | FilterGroup"] = Field(default_factory=list,
                                                        max_length=MAX_VIEW_CONDITIONS)


class Sort(Body):
    field: FieldRef
    direction: Literal["asc", "desc"] = "asc"


Filters = Annotated[FilterGroup | None, BeforeValidator(bounded_filters)]
Sorts = Annotated[list[Sort], Field(max_length=MAX_VIEW_SORTS)]
FieldRefs = Annotated[list[FieldRef], Field(max_length=MAX_VIEW_REFS)]
Widths = Annotated[dict[FieldName, int], Field(max_length=MAX_VIEW_REFS)]


def check_view_size(view: BaseModel):
    """A view body's settings, as JSON, within MAX_VIEW_BYTES."""
    sizes = {key: len(view.model_dump_json(include={key})) for key in VIEW_CONFIG_KEYS}
    if sum(sizes.values()) > MAX_VIEW_BYTES:
        raise view_limit("view_too_large", "a view's settings are at most {max} bytes of JSON; "
                         "these are {size} (the most in {largest})",
                         max=f"{MAX_VIEW_BYTES:,}", size=f"{sum(sizes.values()):,}",
                         largest=max(sizes, key=sizes.get))
    return view


class ViewConfig(Body):
    filters: Filters = None
    sorts: Sorts = Field(default_factory=list)
    pinned: FieldRefs = []
    hidden: FieldRefs = []
    order: FieldRefs = []
    widths: Widths = {}

    @model_validator(mode="after")
    def _size(self):
        return check_view_size(self)

    def config(self) -> dict:
        """The view's settings as JSON values, as views.create_view takes them."""
        return self.model_dump(include={"filters", "sorts", "pinned", "hidden", "order",
                                        "widths"}, mode="json")


class ViewCreate(ViewConfig):
    table: Table
    name: str = Field(min_length=1, max_length=200)
    personal: bool = False
    position: int | None = Field(None, ge=0)
    type: ViewType = "grid"
    board: BoardSettings | None = Field(None, description="A board's group field, card fields "
                                        "and sum field (type board only)")


class ViewPatch(Patch):
    nullable = frozenset({"filters"})  # null: no filters
    expected_version: int | None = Field(None, ge=1)
    name: str | None = Field(None, min_length=1, max_length=200)
    personal: bool | None = None
    position: int | None = Field(None, ge=0)
    filters: Filters = None
    sorts: Sorts | None = None
    pinned: FieldRefs | None = None
    hidden: FieldRefs | None = None
    order: FieldRefs | None = None
    widths: Widths | None = None
    board: BoardSettings | None = None

    @model_validator(mode="after")
    def _size(self):
        return check_view_size(self)


class ViewOut(BaseModel):
    model_config = ConfigDict(extra="allow")
    id: int
    table: Table
    name: str
    owner: int | None
    version: int
    type: ViewType = "grid"


class ViewList(BaseModel):
    views: list[ViewOut]


class ViewsQuery(Query):
    archived: bool = Field(False, description="The archived views the caller can restore, "
                           "newest first")
