"""Request and response bodies of the fundraising routes."""
from typing import Annotated, Any, Literal

from pydantic import (BaseModel, ConfigDict, Field, field_validator,
                      model_validator)

from core.models import ChangeDetail, EntryRecord
from core.openapi import Body, Patch, Query
from plugins.fundraising.schema import FIELD_TYPES
from plugins.fundraising.board_models import (  # noqa: F401
    BoardOut, BoardQuery, BoardSettings, ViewType)
from plugins.fundraising.view_models import (  # noqa: F401 (the routes' models, in one place)
    MAX_CONDITION_VALUE, MAX_VIEW_BYTES, MAX_VIEW_CONDITIONS, MAX_VIEW_DEPTH, MAX_VIEW_REFS,
    MAX_VIEW_SORTS, VIEW_CONFIG_KEYS, Condition, FieldName, FieldRef, FieldRefs, FilterGroup,
    Filters, Sort, Sorts, Table, ViewConfig, ViewCreate, ViewList, ViewOut, ViewPatch,
    ViewsQuery, Widths, bounded_filters, check_view_size, view_limit)

FieldType = Literal[FIELD_TYPES]  # type: ignore[valid-type]
Values = dict[str, Any]
# A PUT /state holds the write lock while it runs: 20,000 changed rows held it ~5 s
# (docs/api.md), half of what other writers wait before they get a 503.
MAX_STATE_RECORDS = 20_000  # per table, and in all four tables together
MAX_STATE_FIELDS = 1_000
MAX_STATE_VIEWS = 1_000


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


class ViewQuery(Query):
    """Which records: a saved view's, or ad-hoc filters and sorts (and a search)."""
    view: int | None = Field(None, ge=1, description="A saved view's id")
    filters: str | None = Field(None, max_length=20_000, description="A filter group as JSON")
    sorts: str | None = Field(None, max_length=5_000, description="A list of sorts as JSON")
    q: str | None = Field(None, max_length=500, description="Search: records with every word "
                          "starting a word of their text fields (prefix match)")


class RecordQuery(ListQuery, ViewQuery):
    pass


class ViewExportQuery(ViewQuery):
    columns: str | None = Field(None, max_length=20_000, description="The columns to write, "
                                "in order, as a JSON list of field ids or names (by default "
                                "the view's visible columns)")


class ArchivedQuery(ListQuery):
    table: Table = "investors"


class DeleteQuery(Query):
    expected_version: int | None = Field(None, ge=1)


class HistoryEntry(BaseModel):
    model_config = ConfigDict(extra="allow")
    id: int
    at: str
    kind: str
    summary: str = Field(description="what happened, in words")
    record: EntryRecord
    details: list[ChangeDetail] = Field(description="each changed field, raw and as text")
    changes: dict = Field(description="as stored: {field: [before, after]}")


class History(BaseModel):
    entries: list[HistoryEntry]


class FieldOptions(Body):
    choices: list[Annotated[str, Field(max_length=1000)]] | None = Field(None, max_length=500)
    symbol: str | None = Field(None, max_length=8)
    precision: int | None = Field(None, ge=0, le=8)
    table: Table | None = None
    multiple: bool | None = None
    include_time: bool | None = None
    # How numbers are shown: separator false for years ("2026"); format for a number formula.
    separator: Annotated[bool, Field(strict=True)] | None = None
    format: Literal["number", "currency", "percent"] | None = None


class FieldCreate(Body):
    table: Table
    name: str = Field(min_length=1, max_length=200)
    type: FieldType
    options: FieldOptions | None = None
    formula: str | None = Field(None, max_length=10_000)


class FieldPatch(Patch):
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
    archived_at: str | None = None
    system: bool = False  # created/modified at/by: read-only, not stored as a field


class FieldList(BaseModel):
    fields: list[FieldOut]


class FieldsQuery(Query):
    table: Table | None = None
    archived: bool = Field(False, description="The archived fields instead, newest first")
    include_system: bool = Field(False, description="Add the read-only Created at/by and Last "
                                 "modified at/by columns of each table (ids -1 to -4)")



class StateRecord(BaseModel):
    model_config = ConfigDict(extra="ignore")
    id: int | None = None
    name: str | None = Field(None, max_length=1000)
    fields: Values = {}


class StateField(BaseModel):
    model_config = ConfigDict(extra="ignore")
    id: int | None = None
    table: Table
    name: str = Field(min_length=1, max_length=200)
    type: FieldType
    options: dict | None = None
    formula: str | None = Field(None, max_length=10_000)
    position: int | None = None

    @field_validator("options")
    @classmethod
    def _options(cls, value):
        if value is None:
            return None
        value = {k: v for k, v in value.items() if k != "result_type"}  # computed, not set
        return FieldOptions(**value).model_dump(exclude_none=True)


class StateView(ViewConfig):
    model_config = ConfigDict(extra="ignore")
    id: int | None = None
    table: Table
    name: str = Field(min_length=1, max_length=200)
    owner: int | None = None
    position: int = 0
    type: ViewType = "grid"
    board: BoardSettings | None = None

    def _board(self) -> dict:
        return {"board": self.board} if self.type == "board" and self.board else {}

    def _config(self):
        return {k: getattr(self, k) for k in
                ("filters", "sorts", "pinned", "hidden", "order", "widths")}

    def as_create(self) -> ViewCreate:
        return ViewCreate(table=self.table, name=self.name, personal=self.owner is not None,
                          position=self.position, type=self.type, **self._board(),
                          **self._config())

    def as_patch(self) -> ViewPatch:
        return ViewPatch(name=self.name, position=self.position, **self._board(),
                         **self._config())


StateRecords = Annotated[list[StateRecord] | None, Field(max_length=MAX_STATE_RECORDS)]


class GridState(BaseModel):
    model_config = ConfigDict(extra="forbid")
    fields: list[StateField] | None = Field(None, max_length=MAX_STATE_FIELDS)
    investors: StateRecords = None
    contacts: StateRecords = None
    funds: StateRecords = None
    commitments: StateRecords = None
    views: list[StateView] | None = Field(None, max_length=MAX_STATE_VIEWS)

    @model_validator(mode="after")
    def _total_records(self):
        total = sum(len(getattr(self, t) or ()) for t in ("investors", "contacts", "funds",
                                                           "commitments"))
        if total > MAX_STATE_RECORDS:
            raise ValueError(f"at most {MAX_STATE_RECORDS:,} records in one save, all tables "
                             f"together; this one has {total:,}")
        return self


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


class CsvExportQuery(Query):
    table: Table


class Summary(BaseModel):
    counts: dict[str, int]
    funds: list[dict]
    statuses: list[dict]
    totals: dict[str, float]


FeatureStatus = Literal["open", "planned", "in_progress", "done", "declined"]


class FeatureRequestCreate(Body):
    title: str = Field(min_length=1, max_length=300)
    description: str = Field("", max_length=20_000)


class FeatureRequestPatch(Patch):
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
