"""Request and response bodies of the core's routes."""
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, Field, StringConstraints

from core.openapi import Body, Query

Role = Literal["admin", "member"]
EMAIL_PATTERN = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"
EmailAddress = Annotated[
    str, StringConstraints(strip_whitespace=True, max_length=320, pattern=EMAIL_PATTERN)
]


def one_line(value: str) -> str:
    """A value bound for an email header: a line break there would start a header of its own."""
    if any(c in value for c in "\r\n\x00"):
        raise ValueError("must be one line (no line breaks)")
    return value


HeaderText = Annotated[str, AfterValidator(one_line)]  # an email subject, a display name


class User(BaseModel):
    id: int
    email: str
    name: str
    role: Role


class AdminUser(User):
    active: bool
    created_at: str
    last_login_at: str | None
    two_factor: bool


class LoginBody(Body):
    email: str = Field(min_length=3, max_length=320)
    password: str = Field(min_length=1, max_length=1024)


class Session(BaseModel):
    token: str
    user: User


class Ok(BaseModel):
    ok: bool


class InviteBody(Body):
    email: EmailAddress
    role: Role = "member"


class Invite(BaseModel):
    invite_token: str
    invite_url: str
    expires_at: str


class PendingInvite(BaseModel):
    id: int
    email: str | None
    role: Role
    created_at: str
    expires_at: str


class PendingInvites(BaseModel):
    invites: list[PendingInvite]


class AcceptInviteBody(Body):
    token: str = Field(min_length=1, max_length=200)
    name: str = Field(min_length=1, max_length=200)
    password: str = Field(min_length=1, max_length=1024)


class SetupBody(AcceptInviteBody):
    email: EmailAddress


class Users(BaseModel):
    users: list[AdminUser]


class UserPatch(Body):
    role: Role | None = None
    active: bool | None = None
    name: str | None = Field(None, min_length=1, max_length=200)


class PublicUrl(BaseModel):
    public_url: str | None = Field(description="CRM_PUBLIC_URL; null: links use the address "
                                   "of the request that made them")
    links_base: str = Field(description="what links made by this request would start with")
    secure_cookie: bool


class Health(BaseModel):
    status: Literal["ok"]
    version: str


class ReadyCheck(BaseModel):
    name: str
    ok: bool
    detail: str


class Ready(BaseModel):
    ready: bool
    checks: list[ReadyCheck]


class SecurityItem(BaseModel):
    name: str
    description: str
    passed: bool
    detail: str


class SecurityReport(BaseModel):
    passed: bool
    checks: list[SecurityItem]


class ActivityQuery(Query):
    limit: int = Field(50, ge=1, le=500)
    offset: int = Field(0, ge=0, le=1000, description="for the first pages; then `cursor`")
    cursor: str | None = Field(None, max_length=64, pattern=r"^[0-9T:.Z+-]{10,40}~[0-9]{1,9}$",
                               description="next_cursor of the page before")


class EntryRecord(BaseModel):
    model_config = {"extra": "allow"}
    table: str
    id: int
    name: str = Field(description="the record's name now, archived or not")
    url: str = Field(description="the web app's address of the record: #/grid/<table>/<id>")


class ChangeDetail(BaseModel):
    model_config = {"extra": "allow"}
    field: str
    before: Any = Field(None, description="the stored value")
    after: Any = None
    before_text: str = Field(description='the value as people read it ("empty" for none)')
    after_text: str
    before_items: list[str] | None = Field(None, description="one text per value of a list")
    after_items: list[str] | None = None


class ActivityEntry(BaseModel):
    model_config = {"extra": "allow"}
    at: str
    source: str
    kind: str
    summary: str = Field(description="what happened, in words")
    record: EntryRecord | None = None
    details: list[ChangeDetail] | None = None


class Activity(BaseModel):
    entries: list[ActivityEntry]
    limit: int
    offset: int
    has_more: bool
    next_cursor: str | None


class RegisterBody(Body):
    model_config = {"extra": "allow"}
