"""Routes for the whole-grid state, export, relational summary and feature requests."""
from datetime import datetime, timezone

import orjson

from core.openapi import operation
from plugins.fundraising import feature_requests, models
from plugins.fundraising.csv_export import export_csv
from plugins.fundraising.state import get_state, put_state
from plugins.fundraising.summary import export_snapshot, relational_summary


class StateResource:
    def __init__(self, crm, settings):
        self.crm, self.settings = crm, settings

    @operation("The whole grid: fields, records of every table and views, with its version",
               response=models.StateOut)
    def on_get(self, req, resp):
        resp.media = get_state(self.crm.db, req.context.user)

    @operation("Save the whole grid if expected_version is current; only changed rows are "
               "written and missing rows are archived. Fields change for admins only (403); "
               "a member's save archives at most CRM_FUNDRAISING_MEMBER_ARCHIVE_LIMIT rows "
               "(422)", body=models.StatePut, response=models.StatePutOut,
               errors=(403, 409))
    def on_put(self, req, resp):
        with self.crm.write() as db:
            resp.media = put_state(db, req.context.body, req.context.user,
                                   self.settings.member_archive_limit)


class ExportResource:
    def __init__(self, crm):
        self.crm = crm

    @operation("Download a JSON snapshot of everything", query=models.ExportQuery,
               content_type="application/json")
    def on_get(self, req, resp):
        q = req.context.query
        snapshot = export_snapshot(self.crm.db, req.context.user, q.include_archived)
        stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
        resp.content_type = "application/json"
        resp.downloadable_as = f"venture-crm-export-{stamp}.json"
        resp.data = orjson.dumps({"exported_at": stamp, **snapshot}, default=str)


class CsvExportResource:
    def __init__(self, crm):
        self.crm = crm

    @operation("Download one table's live records as CSV, as Airtable exports them (a percent "
               "as 12.5%); importing the file back changes nothing", query=models.CsvExportQuery,
               content_type="text/csv")
    def on_get(self, req, resp):
        table = req.context.query.table
        stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
        resp.content_type = "text/csv; charset=utf-8"
        resp.downloadable_as = f"{table}-{stamp}.csv"
        resp.data = ("\ufeff" + export_csv(self.crm.db, table)).encode()  # BOM: Excel reads UTF-8


class SummaryResource:
    def __init__(self, crm):
        self.crm = crm

    @operation("Counts per table; committed and pipeline totals per fund and per status",
               response=models.Summary)
    def on_get(self, req, resp):
        resp.media = relational_summary(self.crm.db)


class FeatureRequestsResource:
    def __init__(self, crm):
        self.crm = crm

    @operation("Feature requests, most votes first", response=models.FeatureRequestList)
    def on_get(self, req, resp):
        resp.media = {"feature_requests": feature_requests.list_requests(self.crm.db)}

    @operation("Ask for a feature", body=models.FeatureRequestCreate,
               response=models.FeatureRequest, status=201)
    def on_post(self, req, resp):
        with self.crm.write() as db:
            body = req.context.body
            resp.media = feature_requests.create_request(db, body.title, body.description,
                                                         req.context.user["id"])


class FeatureRequestResource:
    def __init__(self, crm):
        self.crm = crm

    @operation("Change a feature request's status, votes or text",
               body=models.FeatureRequestPatch, response=models.FeatureRequest,
               errors=(404, 409))
    def on_patch(self, req, resp, request_id):
        with self.crm.write() as db:
            changes = req.context.body.model_dump(exclude_unset=True)
            resp.media = feature_requests.update_request(db, request_id, changes,
                                                         req.context.user["id"])
