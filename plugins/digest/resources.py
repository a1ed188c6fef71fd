"""GET /api/admin/digest/preview, /api/admin/digest/runs and /api/admin/digest/settings."""
import falcon
import orjson

from core.openapi import operation
from core.services import summarizer_status
from plugins.digest.models import DigestSettingsOut, PreviewQuery, Runs, RunsQuery
from plugins.digest.preview import preview_digest, recent_runs
from plugins.digest.send import settings_for


class PreviewResource:
    def __init__(self, crm):
        self.crm = crm

    @operation("The digest of a local day as it would be sent (json, text or html)",
               query=PreviewQuery, admin=True,
               content_type=("application/json", "text/plain", "text/html"))
    def on_get(self, req, resp):
        q = req.context.query
        result = preview_digest(self.crm, q.date, q.summarize)
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
        resp.media = {"runs": recent_runs(self.crm.db, req.context.query.limit)}


class SettingsResource:
    def __init__(self, crm):
        self.crm = crm

    @operation("When the digest is sent, and whether a model server writes its summaries",
               response=DigestSettingsOut, admin=True)
    def on_get(self, req, resp):
        settings = settings_for(self.crm)
        available, detail = summarizer_status(self.crm)
        resp.media = {"enabled": settings.enabled, "tz": settings.tz, "send_at": settings.send_at,
                      "send_empty": settings.send_empty,
                      "model_server": {"available": available, "detail": detail}}
