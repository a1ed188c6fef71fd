"""POST /api/fundraising/import/preview, /import/changes (the change list as CSV) and /import:
a CSV as JSON, text/csv or multipart."""
from typing import Literal

import orjson
from pydantic import BaseModel, Field, ValidationError

from core.accounts import Accounts
from core.errors import bad_request, unprocessable
from core.links import app_link
from core.memory import gc_paused
from core.openapi import MAX_BODY_BYTES, Body, operation, validation_error
from plugins.fundraising.field_defs import load_fields
from plugins.fundraising.imports.changes import SAMPLE, ValueText, changes_csv
from plugins.fundraising.imports.importer import apply_import, plan_import
from plugins.fundraising.imports.plan import IMPORT_TYPES

Table = Literal["investors", "contacts", "funds", "commitments"]
ImportType = Literal[IMPORT_TYPES]  # type: ignore[valid-type]


class PersonChoice(Body):
    action: Literal["user", "invite", "keep"] = Field(
        "keep", description="user: an existing user; invite: invite the email as a member "
        "(admins, on import) and keep the name as text meanwhile; keep: keep the name as text "
        "in '<field> (imported)'")
    user_id: int | None = Field(None, description="The user (action user)")
    email: str | None = Field(None, max_length=320, description="Whom to invite (action invite)")


class ImportBody(Body):
    table: Table = "investors"
    csv: str = Field(description="The CSV file's text")
    key: str | None = Field(None, description="Column to match rows by (default: record id, "
                                              "else the primary field)")
    mapping: dict[str, str | None] | None = Field(
        None, description="CSV column -> field name, or null to ignore the column")
    people: dict[str, PersonChoice] | None = Field(
        None, description="A name in a user column that is no user -> what to do with it; "
                          "a name not given is kept as text (no row is dropped)")
    types: dict[str, ImportType] | None = Field(
        None, description="A new field's CSV column -> its type (default: the inferred type)")
    archive_missing: bool = False
    strict: bool = False
    confirm: bool = False


class ImportError_(BaseModel):
    row: int
    column: str
    message: str


class NewField(BaseModel):
    name: str
    type: str
    options: dict | None
    inferred_type: str
    column: str


class Person(BaseModel):
    name: str
    column: str
    rows: int
    row_numbers: list[int]
    action: str
    user_id: int | None
    user_name: str | None
    email: str | None
    kept_in: str | None
    remembered: bool = Field(description="Mapped to the user the last import chose")


class Change(BaseModel):
    row: int
    record_id: int
    record: str
    field: str
    old: str
    new: str
    edited_in_crm: bool
    edited_at: str | None
    edited_by: str | None


class Invite(BaseModel):
    name: str
    email: str
    invite_url: str
    expires_at: str


class ImportSummary(BaseModel):
    rows: int
    creates: int
    updates: int
    unchanged: int
    skipped_archived: int
    archived: int
    new_fields: list[NewField]
    errors: list[ImportError_]
    error_rows: int
    skipped_rows: int = Field(description="Rows not imported: error_rows + skipped_archived")
    people: list[Person] = Field(description="Each name in a user column that is no user")
    kept_names: int = Field(description="Rows whose person is kept as text")
    changed_fields: int = Field(description="Fields the updates change, in all")
    overwrites: int = Field(description="Changes that overwrite an edit made in the CRM "
                                        "since the record's last import")
    overwrite_rows: int
    changes: list[Change] = Field(description=f"The first {SAMPLE} changes, old -> new; all "
                                              "of them: POST import/changes (CSV)")
    invites: list[Invite] = Field(default_factory=list, description="Invites made (import)")
    applied: bool


FORM_FIELDS = ("table", "key", "mapping", "people", "types", "archive_missing", "strict",
               "confirm")
JSON_FIELDS = ("mapping", "people", "types")


def _form_value(name, raw):
    if name in JSON_FIELDS:
        try:
            return orjson.loads(raw) if raw else None
        except orjson.JSONDecodeError:
            raise unprocessable(f"{name} is not valid JSON", field=name) from None
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


def _plan(db, body):
    people = {k: v.model_dump() for k, v in body.people.items()} if body.people else None
    return plan_import(db, body.table, body.csv.encode(), body.key, body.mapping, people,
                       body.types)


def _answer(db, plan, summary, applied) -> dict:
    display = ValueText(db, load_fields(db, plan.table))
    return {**summary, "changes": [c.answer(display) for c in plan.changes[:SAMPLE]],
            "invites": summary.get("invites", []), "applied": applied}


class ImportPreviewResource:
    def __init__(self, crm):
        self.crm = crm

    @operation("What importing a CSV would do: creates, updates (each changed field, old -> "
               "new), unchanged, new fields, unknown people and every row error; nothing is "
               "written (JSON, text/csv or multipart)",
               body=ImportBody, response=ImportSummary, parse_body=False)
    def on_post(self, req, resp):
        body = read_import_request(req)
        db = self.crm.db
        plan = _plan(db, body)
        resp.media = _answer(db, plan, plan.summary(body.archive_missing), False)


class ImportChangesResource:
    def __init__(self, crm):
        self.crm = crm

    @operation("Every field the import would change, old -> new, as a CSV file (the same "
               "bodies as import/preview)", body=ImportBody, parse_body=False)
    def on_post(self, req, resp):
        body = read_import_request(req)
        db = self.crm.db
        plan = _plan(db, body)
        display = ValueText(db, load_fields(db, plan.table))
        resp.content_type = "text/csv; charset=utf-8"
        resp.set_header("Content-Disposition",
                        f'attachment; filename="import-changes-{body.table}.csv"')
        resp.text = changes_csv(plan.changes, display)


class ImportResource:
    def __init__(self, crm):
        self.crm = crm
        self.accounts = Accounts(crm)

    def _invite(self, actor_id, req):
        def invite(email):
            token, expires_at = self.accounts.create_invite(email, "member", actor_id)
            return {"invite_url": app_link(self.crm, f"/invite#token={token}", req),
                    "expires_at": expires_at}
        return invite

    @operation("Import a CSV in one transaction (confirm must be true); with strict, any row "
               "error imports nothing; people chosen to be invited get an invite (as members)",
               body=ImportBody, response=ImportSummary, admin=True, parse_body=False)
    def on_post(self, req, resp):
        body = read_import_request(req)
        if body.confirm is not True:
            raise unprocessable("Set confirm to true to import", field="confirm")
        actor_id = req.context.user["id"]
        with gc_paused(), self.crm.write() as db:
            plan = _plan(db, body)
            summary = apply_import(db, plan, actor_id, strict=body.strict,
                                   archive_missing=body.archive_missing,
                                   invite=self._invite(actor_id, req))
            answer = _answer(db, plan, summary, True)
            del plan  # freed before the collector is back and the listeners run
        resp.media = answer
