"""Request and response bodies of the account routes: passwords, two-factor, sessions."""
from pydantic import BaseModel, Field

from core.models import User
from core.openapi import Body, Patch, Query

Code = Field(min_length=1, max_length=40, description="a 6-digit code from the app, or a "
             "recovery code")


class LoginAnswer(BaseModel):
    token: str | None = Field(None, description="absent when a second step is needed")
    user: User | None = None
    two_factor_required: bool | None = Field(
        None, description="true: send a code with `challenge` to /api/auth/login/2fa")
    challenge: str | None = None
    two_factor_enrolment_required: bool | None = Field(
        None, description="true: the session may only set up two-factor until it is on")


class LoginCodeBody(Body):
    challenge: str = Field(min_length=1, max_length=200)
    code: str = Code


class TwoFactorStatus(BaseModel):
    enabled: bool
    required: bool = Field(description="CRM_REQUIRE_2FA covers this user")
    enrolment_required: bool = Field(description="required and not on: other routes answer "
                                     "403 two_factor_enrolment_required")
    recovery_codes_left: int


class MeAnswer(BaseModel):
    user: User
    two_factor: TwoFactorStatus


class MePatch(Patch):
    name: str = Field(min_length=1, max_length=200)


class Teammate(BaseModel):
    id: int
    name: str
    email: str
    active: bool


class Teammates(BaseModel):
    users: list[Teammate]


class PasswordBody(Body):
    current_password: str = Field(min_length=1, max_length=1024)
    new_password: str = Field(min_length=1, max_length=1024)


class PasswordChanged(BaseModel):
    ok: bool
    sessions_ended: int


class ResetLink(BaseModel):
    reset_url: str
    reset_token: str
    expires_at: str


class ResetBody(Body):
    token: str = Field(min_length=1, max_length=200)
    password: str = Field(min_length=1, max_length=1024)


class ResetDone(BaseModel):
    ok: bool
    email: str


class Enrolment(BaseModel):
    secret: str = Field(description="base32, for typing into an authenticator app")
    otpauth_uri: str
    qr_svg: str = Field(description="an SVG document of the otpauth URI's QR code")


class CodeBody(Body):
    code: str = Code


class RecoveryCodes(BaseModel):
    recovery_codes: list[str] = Field(description="shown once; each works once")


class SessionInfo(BaseModel):
    id: int
    user_id: int
    user_agent: str | None
    ip: str | None
    created_at: str
    last_seen_at: str | None
    expires_at: str
    current: bool


class SessionList(BaseModel):
    sessions: list[SessionInfo]


class SessionsQuery(Query):
    user_id: int | None = Field(None, ge=1, le=2**53, description="admins: another user's")


class Ended(BaseModel):
    ended: int
