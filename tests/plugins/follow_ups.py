"""The worked example of docs/plugins.md's "Fundraising public API": an outside plugin that
uses the fundraising plugin through plugins.fundraising.api only.

GET /api/follow-ups lists investors not contacted for N days; POST /api/follow-ups/{id}
marks one contacted today; GET /api/follow-ups/contact finds a contact by email; and every
committed change to an investor is logged."""
import logging
from datetime import date, timedelta

from pydantic import Field

from core import hookimpl
from core.errors import not_found
from core.openapi import Body, Query, operation
from plugins.fundraising.api import Condition, FilterGroup, fundraising

requires = ("fundraising",)
log = logging.getLogger(__name__)


class StaleQuery(Query):
    days: int = Field(30, ge=1, le=3650)


class EmailQuery(Query):
    email: str = Field(min_length=3, max_length=320)


class TouchBody(Body):
    expected_version: int | None = Field(None, ge=1)


class FollowUpsResource:
    def __init__(self, crm):
        self.crm = crm

    @operation("Live investors not contacted in `days` days, or never", query=StaleQuery)
    def on_get(self, req, resp):
        api = fundraising(self.crm)
        cutoff = (date.today() - timedelta(days=req.context.query.days)).isoformat()
        stale = FilterGroup((Condition("last_contact", "before", cutoff),
                             Condition("last_contact", "is_empty")), op="or")
        names = api.names("investors", api.select_ids("investors", stale))
        resp.media = {"investors": [{"id": i, "name": names[i]} for i in sorted(names)]}


class FollowUpResource:
    def __init__(self, crm):
        self.crm = crm

    @operation("Mark an investor contacted today", body=TouchBody, errors=(404, 409))
    def on_post(self, req, resp, investor_id):
        record = fundraising(self.crm).update(
            "investors", investor_id, {"last_contact": date.today().isoformat()},
            req.context.user["id"], expected_version=req.context.body.expected_version)
        resp.media = {"id": record.id, "version": record.version,
                      "last_contact": record.value("last_contact")}


class ContactResource:
    def __init__(self, crm):
        self.crm = crm

    @operation("The contact with this email, and its investor", query=EmailQuery,
               errors=(404,))
    def on_get(self, req, resp):
        api = fundraising(self.crm)
        contact = api.contact_by_email(req.context.query.email)
        if contact is None:
            raise not_found("No contact with this email")
        investor = api.find("investors", contact.investor_id) if contact.investor_id else None
        resp.media = {"id": contact.id, "name": contact.name, "email": contact.email,
                      "investor": investor and {"id": investor.id, "name": investor.name,
                                                "stage": investor.value("stage")}}


@hookimpl
def register_routes(crm):
    return [("/api/follow-ups", FollowUpsResource(crm)),
            ("/api/follow-ups/contact", ContactResource(crm)),
            ("/api/follow-ups/{investor_id:id}", FollowUpResource(crm))]


@hookimpl
def changes_committed(crm, changes):
    changed = fundraising(crm).changed_ids(changes, "investors")
    if changed:
        log.info("investors changed: %s", ", ".join(map(str, sorted(changed))))
