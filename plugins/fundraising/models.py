"""Request and response bodies of the fundraising routes."""
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from core.openapi import Body, Query
from plugins.fundraising.schema import FIELD_TYPES

Table = Literal["investors", "contacts", "funds", "commitments"]
FieldType = Literal[FIELD_TYPES]  # type: ignore[valid-type]
Values = dict[str, Any]


class Record(BaseModel):
    id: int
    version: int
    name: str
    fields: Values
    created_at: str
    created_by: int | None
    updated_at: str
    updated_by: int | None


class RecordList(BaseModel):
    records: list[Record]
    total: int


class RecordCreate(Body):
    name: str | None = None
    fields: Values = {}


class RecordPatch(Body):
    expected_version: int = Field(ge=1)
    name: str | None = None
    fields: Values = {}


class ListQuery(Query):
    limit: int = Field(100, ge=1, le=1000)
    offset: int = Field(0, ge=0)


class RecordQuery(ListQuery):
    view: int | None = Field(None, ge=1, description="A saved view's id")
    filters: str | None = Field(None, max_length=20_000, description="A filter group as JSON")
    sorts: str | None = Field(None, max_length=5_000, description="A list of sorts as JSON")


class ArchivedQuery(ListQuery):
    table: Table = "investors"


class DeleteQuery(Query):
    expected_version: int | None = Field(None, ge=1)


class HistoryEntry(BaseModel):
    model_config = ConfigDict(extra="allow")
    id: int
    at: str
    kind: str
    changes: dict


class History(BaseModel):
    entries: list[HistoryEntry]


class FieldOptions(Body):
    choices: list[str] | None = Field(None, max_length=500)
    symbol: str | None = Field(None, max_length=8)
    precision: int | None = Field(None, ge=0, le=8)
    table: Table | None = None
    multiple: bool | None = None
    include_time: bool | None = None


class FieldCreate(Body):
    table: Table
    name: str = Field(min_length=1, max_length=200)
    type: FieldType
    options: FieldOptions | None = None
    formula: str | None = Field(None, max_length=10_000)


class FieldPatch(Body):
    expected_version: int | None = Field(None, ge=1)
    name: str | None = Field(None, min_length=1, max_length=200)
    type: FieldType | None = None
    options: FieldOptions | None = None
    formula: str | None = Field(None, max_length=10_000)
    position: int | None = Field(None, ge=0)


class FieldOut(BaseModel):
    id: int
    table: Table
    name: str
    type: str
    options: dict
    formula: str | None
    builtin: str | None
    position: int
    version: int


class FieldList(BaseModel):
    fields: list[FieldOut]


class FieldsQuery(Query):
    table: Table | None = None


FieldRef = int | str


class Condition(Body):
    field: FieldRef
    operator: str = Field(min_length=1, max_length=20)
    value: Any = None


class FilterGroup(Body):
    op: Literal["and", "or"] = "and"
    conditions: list["Condition | FilterGroup"] = Field(default_factory=list, max_length=100)


class Sort(Body):
    field: FieldRef
    direction: Literal["asc", "desc"] = "asc"


class ViewConfig(Body):
    filters: FilterGroup | None = None
    sorts: list[Sort] = Field(default_factory=list, max_length=10)
    pinned: list[FieldRef] = []
    hidden: list[FieldRef] = []
    order: list[FieldRef] = []
    widths: dict[str, int] = {}


class ViewCreate(ViewConfig):
    table: Table
    name: str = Field(min_length=1, max_length=200)
    personal: bool = False
    position: int | None = Field(None, ge=0)


class ViewPatch(Body):
    expected_version: int | None = Field(None, ge=1)
    name: str | None = Field(None, min_length=1, max_length=200)
    personal: bool | None = None
    position: int | None = Field(None, ge=0)
    filters: FilterGroup | None = None
    sorts: list[Sort] | None = Field(None, max_length=10)
    pinned: list[FieldRef] | None = None
    hidden: list[FieldRef] | None = None
    order: list[FieldRef] | None = None
    widths: dict[str, int] | None = None


class ViewOut(BaseModel):
    model_config = ConfigDict(extra="allow")
    id: int
    table: Table
    name: str
    owner: int | None
    version: int


class ViewList(BaseModel):
    views: list[ViewOut]


class StateRecord(BaseModel):
    model_config = ConfigDict(extra="ignore")
    id: int | None = None
    name: str | None = None
    fields: Values = {}


class StateField(BaseModel):
    model_config = ConfigDict(extra="ignore")
    id: int | None = None
    table: Table
    name: str = Field(min_length=1, max_length=200)
    type: FieldType
    options: dict | None = None
    formula: str | None = None
    position: int | None = None

    @field_validator("options")
    @classmethod
    def _options(cls, value):
        if value is None:
            return None
        value = {k: v for k, v in value.items() if k != "result_type"}  # computed, not set
        return FieldOptions(**value).model_dump(exclude_none=True)


class StateView(BaseModel):
    model_config = ConfigDict(extra="ignore")
    id: int | None = None
    table: Table
    name: str = Field(min_length=1, max_length=200)
    owner: int | None = None
    position: int = 0
    filters: FilterGroup | None = None
    sorts: list[Sort] = []
    pinned: list[FieldRef] = []
    hidden: list[FieldRef] = []
    order: list[FieldRef] = []
    widths: dict[str, int] = {}

    def _config(self):
        return {k: getattr(self, k) for k in
                ("filters", "sorts", "pinned", "hidden", "order", "widths")}

    def as_create(self) -> ViewCreate:
        return ViewCreate(table=self.table, name=self.name, personal=self.owner is not None,
                          position=self.position, **self._config())

    def as_patch(self) -> ViewPatch:
        return ViewPatch(name=self.name, position=self.position, **self._config())


class GridState(BaseModel):
    model_config = ConfigDict(extra="forbid")
    fields: list[StateField] | None = None
    investors: list[StateRecord] | None = None
    contacts: list[StateRecord] | None = None
    funds: list[StateRecord] | None = None
    commitments: list[StateRecord] | None = None
    views: list[StateView] | None = None


class StatePut(Body):
    expected_version: int = Field(ge=1)
    state: GridState


class UserRef(BaseModel):
    id: int
    name: str | None


class StateOut(BaseModel):
    version: int
    updated_at: str
    updated_by: UserRef | None
    state: dict


class StatePutOut(BaseModel):
    version: int
    updated_at: str
    updated_by: UserRef | None
    changes: dict[str, dict[str, int]]


class ExportQuery(Query):
    include_archived: bool = False


class Summary(BaseModel):
    counts: dict[str, int]
    funds: list[dict]
    statuses: list[dict]
    totals: dict[str, float]


FeatureStatus = Literal["open", "planned", "in_progress", "done", "declined"]


class FeatureRequestCreate(Body):
    title: str = Field(min_length=1, max_length=300)
    description: str = Field("", max_length=20_000)


class FeatureRequestPatch(Body):
    expected_version: int | None = Field(None, ge=1)
    title: str | None = Field(None, min_length=1, max_length=300)
    description: str | None = Field(None, max_length=20_000)
    status: FeatureStatus | None = None
    votes: int | None = Field(None, ge=0, le=1_000_000)


class FeatureRequest(BaseModel):
    id: int
    version: int
    title: str
    description: str
    status: FeatureStatus
    votes: int
    created_at: str
    created_by: int | None
    updated_at: str
    updated_by: int | None


class FeatureRequestList(BaseModel):
    feature_requests: list[FeatureRequest]


class FormulaCheck(Body):
    table: Table
    expression: str = Field(max_length=10_000)


class FormulaCheckError(BaseModel):
    message: str
    position: int


class FormulaCheckResult(BaseModel):
    ok: bool
    type: str | None = None
    error: FormulaCheckError | None = None
