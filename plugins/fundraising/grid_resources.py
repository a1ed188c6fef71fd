"""Routes for the whole-grid state, export, relational summary and feature requests."""
from datetime import datetime, timezone

import orjson

from core.openapi import operation
from plugins.fundraising import feature_requests, models
from plugins.fundraising.clock_formulas import keep_current
from plugins.fundraising.csv_export import csv_chunks, export_csv
from plugins.fundraising.state import get_state, put_state
from plugins.fundraising.summary import export_snapshot, relational_summary
from plugins.fundraising.tables import RECORD_TABLES
from plugins.fundraising.view_export import ViewExport
from plugins.fundraising.xlsx_export import xlsx_chunks


class StateResource:
    def __init__(self, crm, settings):
        self.crm, self.settings = crm, settings

    @operation("The whole grid: fields, records of every table and views, with its version",
               response=models.StateOut)
    def on_get(self, req, resp):
        keep_current(self.crm, *RECORD_TABLES)
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


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class ViewExportResource:
    """GET /{table}/export.csv and /{table}/export.xlsx: what the grid shows, streamed."""

    def __init__(self, crm, table, kind):
        self.crm, self.table, self.kind = crm, table, kind

    @operation("Download a view as the grid shows it (?view=, or ?filters=, ?sorts=, ?q=; "
               "?columns= a JSON list of the visible fields in order, else the view's): "
               "values as the CSV export writes them; in XLSX numbers, money, percents and "
               "dates as typed cells. Streamed: 100,000 rows are never held in memory",
               query=models.ViewExportQuery, content_type=("text/csv", XLSX), errors=(404,))
    def on_get(self, req, resp):
        keep_current(self.crm, self.table)  # TODAY()/NOW() formulas as of today
        export = ViewExport(self.crm.db, self.table, req.context.query, req.context.user)
        stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
        name = "-".join(filter(None, [self.table, _slug(export.view_name or ""), stamp]))
        resp.downloadable_as = f"{name}.{self.kind}"
        if self.kind == "csv":
            resp.content_type = "text/csv; charset=utf-8"
            chunks = csv_chunks(export.columns, export.blocks())
            resp.stream = _encoded(chunks, first="\ufeff")  # BOM: Excel reads UTF-8
        else:
            resp.content_type = XLSX
            resp.stream = xlsx_chunks(export.columns, export.blocks(), self.table.capitalize())


def _encoded(chunks, first=""):
    for chunk in chunks:
        yield (first + chunk).encode()
        first = ""


def _slug(text: str) -> str:
    """A view's name as a safe part of a file name: 'Hot deals (Q3)' -> 'hot-deals-q3'."""
    words = "".join(c if c.isascii() and c.isalnum() else " " for c in text.lower()).split()
    return "-".join(words)[:60]


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
