"""GET /api/me/day: the signed-in user's My day, merged from every plugin's `my_day` hook.

The core knows no investor: it only merges the lists each plugin returns, key by key."""
import logging

from pydantic import BaseModel, ConfigDict

from core.openapi import operation

log = logging.getLogger(__name__)

# Keys always present in the answer (empty lists when no plugin fills them).
DAY_KEYS = ("tasks_due", "tasks_overdue", "stale_investors", "mentions", "proposals")


class MyDay(BaseModel):
    model_config = ConfigDict(extra="allow")
    tasks_due: list = []
    tasks_overdue: list = []
    stale_investors: list = []
    mentions: list = []
    proposals: list = []


def merge_day(parts) -> dict:
    """Merge the dicts of lists the plugins return; keys as lists, missing keys empty."""
    day = {key: [] for key in DAY_KEYS}
    for part in parts:
        for key, items in (part or {}).items():
            day.setdefault(key, []).extend(items or [])
    return day


class MyDayResource:
    def __init__(self, crm):
        self.crm = crm

    @operation("My day: my tasks due and overdue, stale investors, mentions, proposals",
               response=MyDay)
    def on_get(self, req, resp):
        user = req.context.user
        parts = self.crm.pm.hook.my_day(crm=self.crm, user=user, params=dict(req.params))
        resp.media = merge_day(parts)
