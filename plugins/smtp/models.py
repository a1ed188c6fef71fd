"""Request and response bodies of the smtp routes."""
from pydantic import BaseModel, Field

from core.openapi import Body


class TestEmailBody(Body):
    to: list[str] | str | None = Field(None, description="Active admins' emails; default: you")


class TestEmailSent(BaseModel):
    sent: bool
    to: list[str]
    message_id: str | None
