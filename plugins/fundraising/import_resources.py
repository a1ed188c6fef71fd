"""POST /api/fundraising/import/preview and /import: a CSV as JSON, text/csv or multipart."""
from typing import Literal

import orjson
from pydantic import BaseModel, Field, ValidationError

from core.errors import bad_request, unprocessable
from core.memory import gc_paused
from core.openapi import MAX_BODY_BYTES, Body, operation, validation_error
from plugins.fundraising.importer import apply_import, plan_import

Table = Literal["investors", "contacts", "funds", "commitments"]


class ImportBody(Body):
    table: Table = "investors"
    csv: str = Field(description="The CSV file's text")
    key: str | None = Field(None, description="Column to match rows by (default: record id, "
                                              "else the primary field)")
    mapping: dict[str, str | None] | None = Field(
        None, description="CSV column -> field name, or null to ignore the column")
    archive_missing: bool = False
    strict: bool = False
    confirm: bool = False


class ImportError_(BaseModel):
    row: int
    column: str
    message: str


class ImportSummary(BaseModel):
    rows: int
    creates: int
    updates: int
    unchanged: int
    skipped_archived: int
    archived: int
    new_fields: list[dict]
    errors: list[ImportError_]
    error_rows: int
    applied: bool


FORM_FIELDS = ("table", "key", "mapping", "archive_missing", "strict", "confirm")


def _form_value(name, raw):
    if name == "mapping":
        try:
            return orjson.loads(raw) if raw else None
        except orjson.JSONDecodeError:
            raise unprocessable("mapping is not valid JSON", field="mapping") from None
    if name in ("archive_missing", "strict", "confirm"):
        return raw.strip().lower() in ("1", "true", "yes", "on")
    return raw or None


def read_import_request(req) -> ImportBody:
    """The same fields from a JSON body, a text/csv body with query parameters, or a form."""
    if (req.content_length or 0) > MAX_BODY_BYTES:
        raise bad_request("The file is too large", code="body_too_large")
    ctype = (req.content_type or "").split(";")[0].strip().lower()
    try:
        if ctype == "text/csv":
            raw = req.bounded_stream.read()
            values = {k: _form_value(k, v) for k, v in req.params.items() if k in FORM_FIELDS}
            return ImportBody(csv=raw.decode("utf-8", errors="strict") if raw else "", **values)
        if ctype == "multipart/form-data":
            values = {}
            for part in req.get_media():
                if part.name == "file":
                    values["csv"] = part.stream.read().decode("utf-8", errors="strict")
                elif part.name in FORM_FIELDS:
                    values[part.name] = _form_value(part.name, part.text)
            return ImportBody(**values)
        raw = req.bounded_stream.read() or b"{}"
        return ImportBody.model_validate_json(raw)
    except UnicodeDecodeError as exc:
        raise unprocessable(f"The file is not UTF-8 (byte {exc.start})", field="file",
                            code="bad_csv") from None
    except ValidationError as exc:
        raise validation_error(exc) from None


class ImportPreviewResource:
    def __init__(self, crm):
        self.crm = crm

    @operation("What importing a CSV would do: creates, updates, unchanged, new fields and "
               "every row error; nothing is written (JSON, text/csv or multipart)",
               body=ImportBody, response=ImportSummary, parse_body=False)
    def on_post(self, req, resp):
        body = read_import_request(req)
        plan = plan_import(self.crm.db, body.table, body.csv.encode(), body.key, body.mapping)
        resp.media = {**plan.summary(body.archive_missing), "applied": False}


class ImportResource:
    def __init__(self, crm):
        self.crm = crm

    @operation("Import a CSV in one transaction (confirm must be true); with strict, any row "
               "error imports nothing", body=ImportBody, response=ImportSummary, admin=True,
               parse_body=False)
    def on_post(self, req, resp):
        body = read_import_request(req)
        if body.confirm is not True:
            raise unprocessable("Set confirm to true to import", field="confirm")
        with gc_paused(), self.crm.write() as db:
            plan = plan_import(db, body.table, body.csv.encode(), body.key, body.mapping)
            summary = apply_import(db, plan, req.context.user["id"], strict=body.strict,
                                   archive_missing=body.archive_missing)
            del plan  # freed before the collector is back and the listeners run
        resp.media = {**summary, "applied": True}
