"""Request and response bodies of the notes routes."""
from pydantic import BaseModel, Field

from core.openapi import Body, Query

MAX_BODY = 20_000  # characters of a note's markdown


class NoteCreate(Body):
    body: str = Field(min_length=1, max_length=MAX_BODY)


class NotePatch(Body):
    body: str = Field(min_length=1, max_length=MAX_BODY)
    expected_version: int | None = Field(None, ge=1)


class NoteDeleteQuery(Query):
    expected_version: int | None = Field(None, ge=1)


class UserRef(BaseModel):
    id: int | None
    name: str | None


class NoteOut(BaseModel):
    id: int
    table: str
    record_id: int
    version: int
    body: str
    html: str
    mentions: list[UserRef]
    author: UserRef
    created_at: str
    updated_at: str


class NoteList(BaseModel):
    notes: list[NoteOut]


class Deleted(BaseModel):
    id: int
    deleted: bool
