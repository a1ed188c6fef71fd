"""POST /api/admin/spark/check: the "Test the model server" button of the Digest page."""
from pydantic import BaseModel

from core.openapi import operation
from plugins.spark.check import run_check


class CheckBody(BaseModel):
    model_config = {"extra": "forbid"}


class CheckResult(BaseModel):
    ok: bool
    reachable: bool
    model_listed: bool
    models: list[str]
    context_tokens: int | None
    context_source: str | None
    seconds: float | None
    completion_tokens: int | None
    tokens_per_second: float | None
    advice: str


class CheckResource:
    def __init__(self, crm):
        self.crm = crm

    @operation("Check the fund's model server: reachable, the model listed, its context "
               "window, a timed tiny completion (advice only: the server's own error text is "
               "logged, never returned)", body=CheckBody, response=CheckResult, admin=True)
    def on_post(self, req, resp):
        resp.media = run_check(self.crm.plugin_settings("spark"))
