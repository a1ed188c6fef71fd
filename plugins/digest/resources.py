"""GET /api/admin/digest/preview, /api/admin/digest/runs and /api/admin/digest/settings."""
from datetime import date
from typing import Literal

import falcon
import orjson
from pydantic import BaseModel, Field

from core.openapi import Query, operation
from core.services import summarizer_status
from plugins.digest import compose
from plugins.digest.build import build_digest
from plugins.digest.send import settings_for


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
    fallback: bool
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
    model_server: ModelServer


def preview(crm, day, summarize=True) -> dict:
    settings = settings_for(crm)
    digest = build_digest(crm, day, settings.zone, summarize=summarize)
    return {**digest, "subject": compose.subject(digest),
            "text": compose.text(digest, settings.zone), "html": compose.html(digest, settings.zone)}


class PreviewResource:
    def __init__(self, crm):
        self.crm = crm

    @operation("The digest of a local day as it would be sent (json, text or html)",
               query=PreviewQuery, admin=True,
               content_type=("application/json", "text/plain", "text/html"))
    def on_get(self, req, resp):
        q = req.context.query
        result = preview(self.crm, q.date, q.summarize)
        if q.format == "json":
            resp.data = orjson.dumps(result, default=str)
            resp.content_type = falcon.MEDIA_JSON
        elif q.format == "text":
            resp.content_type, resp.text = "text/plain", result["text"]
        else:
            resp.content_type, resp.text = falcon.MEDIA_HTML, result["html"]


class RunsResource:
    def __init__(self, crm):
        self.crm = crm

    @operation("The digest ledger, newest day first, with each admin's delivery",
               query=RunsQuery, response=Runs, admin=True)
    def on_get(self, req, resp):
        db = self.crm.db
        runs = []
        for row in db.query("SELECT * FROM digest_runs ORDER BY day DESC LIMIT ?",
                            [req.context.query.limit]):
            deliveries = [dict(d) for d in db.query(
                "SELECT user_id, status, message_id, updated_at FROM digest_deliveries "
                "WHERE day = ? ORDER BY user_id", [row["day"]])]
            runs.append({**{k: row[k] for k in ("day", "status", "attempts", "last_error",
                                                "people", "investors", "model_calls",
                                                "sent_at")},
                         "fallback": bool(row["fallback"]), "deliveries": deliveries})
        resp.media = {"runs": runs}


class SettingsResource:
    def __init__(self, crm):
        self.crm = crm

    @operation("When the digest is sent, and whether a model server writes its summaries",
               response=DigestSettingsOut, admin=True)
    def on_get(self, req, resp):
        settings = settings_for(self.crm)
        available, detail = summarizer_status(self.crm)
        resp.media = {"tz": settings.tz, "send_at": settings.send_at,
                      "send_empty": settings.send_empty,
                      "model_server": {"available": available, "detail": detail}}
