"""Request and response bodies of the gmail routes."""
from typing import Literal

from pydantic import BaseModel, Field

from core.models import EmailAddress, HeaderText
from core.openapi import Body, Query


class Account(BaseModel):
    user_id: int
    email: str
    name: str
    enabled: bool
    address: str | None
    last_sync_at: str | None
    history_id: str | None
    last_error: str | None
    messages_seen: int


class AccountList(BaseModel):
    accounts: list[Account]


class AccountPut(Body):
    enabled: bool
    address: EmailAddress | None = None


class Proposal(BaseModel):
    id: int
    user_id: int
    message_id: str
    thread_id: str | None
    direction: Literal["in", "out"]
    from_address: str | None
    to_addresses: list[str]
    subject: str | None
    excerpt: str | None
    sent_at: str
    investor_id: int | None
    contact_id: int | None
    matched: list[str]
    investor_ids: list[int] = Field([], description="investors of every matched contact")
    status: Literal["pending", "approved", "rejected"]
    decided_by: int | None
    decided_at: str | None
    created_at: str


class ProposalList(BaseModel):
    proposals: list[Proposal]
    total: int


class ProposalQuery(Query):
    status: Literal["pending", "approved", "rejected", "all"] = "pending"
    limit: int = Field(100, ge=1, le=1000)
    offset: int = Field(0, ge=0)


class BulkApprove(Body):
    ids: list[int] = Field(min_length=1, max_length=1000)


class BulkResult(BaseModel):
    approved: list[int]
    skipped: list[int]


class DraftBody(Body):
    contact_id: int = Field(ge=1)
    subject: HeaderText = Field(min_length=1, max_length=500)
    body: str = Field(max_length=100_000)


class Draft(BaseModel):
    draft_id: str
    to: str


class UndoResult(BaseModel):
    id: int
    archived: bool
    proposal_id: int | None
    proposal_status: Literal["pending"]
    investor_ids: list[int]


class LinkBody(Body):
    investor_id: int = Field(ge=1)


class LinkResult(BaseModel):
    id: int
    investor_ids: list[int]
