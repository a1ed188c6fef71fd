"""Routes of drafts made from a record: create one (in the writer's own Gmail, never sent),
list a record's drafts, and ask Spark for a follow-up draft to edit first."""
from typing import Literal

from pydantic import BaseModel, Field, field_validator

from core.openapi import Body, operation
from plugins.gmail import models
from plugins.gmail.drafts import (RECORD_TABLES, create_contact_draft, record_contacts,
                                 record_drafts)
from plugins.gmail.follow_up import draft_follow_up


class RecordDraftBody(models.DraftBody):
    record_table: Literal["investors", "contacts"] | None = Field(
        None, description="the record the draft was written on: it is then listed there")
    record_id: int | None = Field(None, ge=1, validate_default=True)
    origin: Literal["person", "spark"] = Field(
        "person", description="spark: the body began as a Spark draft the person edited")

    @field_validator("record_id")
    @classmethod
    def _record_whole(cls, value, info):
        if (info.data.get("record_table") is None) != (value is None):
            raise ValueError("give record_table and record_id together, or neither")
        return value


class RecordDraftCreated(models.Draft):
    id: int | None = Field(None, description="the draft's row on the record, when one was given")


class DraftUser(BaseModel):
    id: int | None
    name: str | None


class RecordDraft(BaseModel):
    id: int
    user: DraftUser
    created_at: str
    contact_id: int | None
    contact_name: str | None
    to: str
    subject: str
    origin: Literal["person", "spark"]
    body: str | None = Field(description="only on your own drafts; null on a teammate's")


class DraftContact(BaseModel):
    id: int
    name: str
    email: str


class RecordDraftList(BaseModel):
    drafts: list[RecordDraft]
    contacts: list[DraftContact] = Field(description="whom a draft from this record may go to")


class FollowUpBody(Body):
    contact_id: int | None = Field(None, ge=1, description="whom the draft is to; on a contact's "
                                   "record, that contact by default")


class FollowUp(BaseModel):
    subject: str
    body: str
    model_written: Literal[True] = True
    sources: int = Field(description="the emails, notes and tasks the model was given")


class DraftsResource:
    def __init__(self, crm):
        self.crm = crm

    @operation("Create a draft to a contact in your own Gmail (nothing is ever sent); with "
               "record_table and record_id it is listed on that record",
               body=RecordDraftBody, response=RecordDraftCreated, status=201,
               errors=(404, 502))
    def on_post(self, req, resp):
        body = req.context.body
        record = (body.record_table, body.record_id) if body.record_table else None
        resp.media = create_contact_draft(self.crm, req.context.user, body.contact_id,
                                          body.subject, body.body, record, body.origin)


class RecordDraftsResource:
    def __init__(self, crm, table):
        self.crm, self.table = crm, table

    @operation("Drafts made from this record, newest first: who, when, to whom, the subject "
               "(the body only on your own)", response=RecordDraftList, errors=(404,))
    def on_get(self, req, resp, record_id):
        drafts = record_drafts(self.crm, self.table, record_id, req.context.user)
        resp.media = {"drafts": drafts,
                      "contacts": record_contacts(self.crm, self.table, record_id)}


class FollowUpResource:
    def __init__(self, crm, table):
        self.crm, self.table = crm, table

    @operation("Ask Spark (the fund's own model server) for a follow-up draft from the record's "
               "recent approved emails, notes and tasks; returned to edit, never stored or sent",
               body=FollowUpBody, response=FollowUp, errors=(404, 422, 502, 503))
    def on_post(self, req, resp, record_id):
        resp.media = draft_follow_up(self.crm, self.table, record_id, req.context.user,
                                     req.context.body.contact_id)


def record_draft_routes(crm) -> list:
    routes = [("/api/gmail/drafts", DraftsResource(crm))]
    for table in RECORD_TABLES:
        routes += [(f"/api/gmail/records/{table}/{{record_id:id}}/drafts",
                    RecordDraftsResource(crm, table)),
                   (f"/api/gmail/records/{table}/{{record_id:id}}/follow-up",
                    FollowUpResource(crm, table))]
    return routes
