"""Query strings and answers of the digest routes."""
from datetime import date
from typing import Literal

from pydantic import BaseModel, Field

from core.openapi import Query


class PreviewQuery(Query):
    date: date
    format: Literal["json", "text", "html"] = "json"
    summarize: bool = True


class RunsQuery(Query):
    limit: int = Field(30, ge=1, le=365)


class Run(BaseModel):
    day: str
    status: str
    attempts: int
    last_error: str | None
    people: int
    investors: int
    model_calls: int
    rejected: int = 0
    fallback: bool
    log: list[dict] = []  # per (person, investor): source model|extractive, and why
    sent_at: str | None
    deliveries: list[dict]


class Runs(BaseModel):
    runs: list[Run]


class ModelServer(BaseModel):
    available: bool
    detail: str


class DigestSettingsOut(BaseModel):
    tz: str
    send_at: str
    send_empty: bool
    enabled: bool = Field(description="DIGEST_ENABLED: false, no daily digest is sent")
    model_server: ModelServer
