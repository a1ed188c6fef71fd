"""Routes for records, fields and views under /api/fundraising."""
from core.openapi import operation
from plugins.fundraising import fields as field_store
from plugins.fundraising import history_text, models, views
from plugins.fundraising.board import read_board
from plugins.fundraising.clock_formulas import keep_current
from plugins.fundraising.field_defs import FieldSpec, load_fields
from plugins.fundraising.formula import validate
from plugins.fundraising.formula_fields import field_types
from plugins.fundraising.records import RecordStore
from plugins.fundraising.view_query import list_arguments

RECORD_ERRORS = (404, 409)


class RecordsResource:
    def __init__(self, crm, table):
        self.crm, self.table = crm, table

    @operation("List live records: oldest first, or as a saved view (?view=) or ad-hoc "
               "?filters= and ?sorts= (JSON) say", query=models.RecordQuery,
               response=models.RecordList, errors=(404,))
    def on_get(self, req, resp):
        q = req.context.query
        keep_current(self.crm, self.table)
        store = RecordStore(self.crm.db, self.table)
        resp.media = store.page(q.limit, q.offset,
                                **list_arguments(self.crm.db, store, q, req.context.user,
                                                 self.crm))

    @operation("Create a record", body=models.RecordCreate, response=models.Record, status=201)
    def on_post(self, req, resp):
        body = req.context.body
        with self.crm.write() as db:
            resp.media = RecordStore(db, self.table).create(body.name, body.fields,
                                                            req.context.user["id"])


class RecordResource:
    def __init__(self, crm, table):
        self.crm, self.table = crm, table

    @operation("One live record", response=models.Record, errors=(404,))
    def on_get(self, req, resp, record_id):
        keep_current(self.crm, self.table)
        resp.media = RecordStore(self.crm.db, self.table).get(record_id)

    @operation("Change a record if expected_version is current (else 409 with who and when)",
               body=models.RecordPatch, response=models.Record, errors=RECORD_ERRORS)
    def on_patch(self, req, resp, record_id):
        body = req.context.body
        with self.crm.write() as db:
            resp.media = RecordStore(db, self.table).update(
                record_id, body.expected_version, body.name, body.fields,
                req.context.user["id"])

    @operation("Archive a record (soft delete; restore brings it back)", query=models.DeleteQuery,
               response=models.Record, errors=RECORD_ERRORS)
    def on_delete(self, req, resp, record_id):
        with self.crm.write() as db:
            resp.media = RecordStore(db, self.table).archive(
                record_id, req.context.user["id"], req.context.query.expected_version)


class RestoreRecordResource:
    def __init__(self, crm, table):
        self.crm, self.table = crm, table

    @operation("Restore an archived record", response=models.Record, errors=(404,))
    def on_post(self, req, resp, record_id):
        with self.crm.write() as db:
            resp.media = RecordStore(db, self.table).restore(record_id,
                                                             req.context.user["id"])


class HistoryResource:
    def __init__(self, crm, table):
        self.crm, self.table = crm, table

    @operation("A record's changes, newest first: who, when, a summary, each field's "
               "before/after raw and as text",
               query=models.ListQuery, response=models.History, errors=(404,))
    def on_get(self, req, resp, record_id):
        q = req.context.query
        entries = RecordStore(self.crm.db, self.table).history(record_id, q.limit, q.offset)
        history_text.describe(self.crm.db, entries)
        resp.media = {"entries": entries}


class ArchivedResource:
    def __init__(self, crm):
        self.crm = crm

    @operation("Archived records of one table", query=models.ArchivedQuery,
               response=models.RecordList)
    def on_get(self, req, resp):
        q = req.context.query
        resp.media = RecordStore(self.crm.db, q.table).page(q.limit, q.offset, archived=True)


class FieldsResource:
    def __init__(self, crm):
        self.crm = crm

    @operation("Fields of every table, or of one (?archived=true: the archived ones)",
               query=models.FieldsQuery,
               response=models.FieldList)
    def on_get(self, req, resp):
        q = req.context.query
        listed = field_store.list_archived_fields if q.archived else field_store.list_fields
        system = (field_store.list_system_fields(q.table)
                  if q.include_system and not q.archived else [])
        resp.media = {"fields": listed(self.crm.db, q.table) + system}

    @operation("Add a field", body=models.FieldCreate, response=models.FieldOut, status=201,
               admin=True, errors=(409,))
    def on_post(self, req, resp):
        body = req.context.body
        options = body.options.model_dump(exclude_none=True) if body.options else {}
        spec = FieldSpec(body.table, body.name, body.type, options, body.formula)
        fdef = field_store.add_field(self.crm, spec, req.context.user["id"])
        resp.media = fdef.to_json()


class FieldResource:
    def __init__(self, crm):
        self.crm = crm

    @operation("Rename a field or change its options", body=models.FieldPatch,
               response=models.FieldOut, admin=True, errors=(404, 409))
    def on_patch(self, req, resp, field_id):
        changes = req.context.body.model_dump(exclude_unset=True)
        if changes.get("options") is not None:
            changes["options"] = req.context.body.options.model_dump(exclude_none=True)
        fdef = field_store.change_field(self.crm, field_id, changes, req.context.user["id"])
        resp.media = fdef.to_json()

    @operation("Archive a custom field (built-in fields cannot be deleted)",
               response=models.FieldOut, admin=True, errors=(404, 422))
    def on_delete(self, req, resp, field_id):
        with self.crm.write() as db:
            resp.media = field_store.archive_field(db, field_id,
                                                   req.context.user["id"]).to_json()


class ViewsResource:
    def __init__(self, crm):
        self.crm = crm

    @operation("Shared views and the caller's personal views (?archived=true: the archived "
               "ones the caller may restore)", query=models.ViewsQuery, response=models.ViewList)
    def on_get(self, req, resp):
        listed = views.archived_views if req.context.query.archived else views.visible_views
        resp.media = {"views": listed(self.crm.db, req.context.user)}

    @operation("Save a view (personal: only you see it)", body=models.ViewCreate,
               response=models.ViewOut, status=201)
    def on_post(self, req, resp):
        with self.crm.write() as db:
            body = req.context.body
            board = body.board.model_dump(exclude_unset=True) if body.board else None
            resp.media = views.create_view(db, body.table, body.name, body.config(),
                                           req.context.user, body.personal, body.position or 0,
                                           body.type, board)


class ViewResource:
    def __init__(self, crm):
        self.crm = crm

    @operation("Change a view", body=models.ViewPatch, response=models.ViewOut,
               errors=(403, 404, 409))
    def on_patch(self, req, resp, view_id):
        with self.crm.write() as db:
            changes = req.context.body.model_dump(exclude_unset=True, mode="json")
            resp.media = views.update_view(db, view_id, changes, req.context.user)

    @operation("Archive a view", response=models.ViewOut, errors=(403, 404))
    def on_delete(self, req, resp, view_id):
        with self.crm.write() as db:
            resp.media = views.archive_view(db, view_id, req.context.user)


class RestoreFieldResource:
    def __init__(self, crm):
        self.crm = crm

    @operation("Restore an archived field with the values its records kept (409 when a live "
               "field has its name)", response=models.FieldOut, admin=True, errors=(404, 409))
    def on_post(self, req, resp, field_id):
        resp.media = field_store.restore_field(self.crm, field_id,
                                               req.context.user["id"]).to_json()


class RestoreViewResource:
    def __init__(self, crm):
        self.crm = crm

    @operation("Restore an archived view", response=models.ViewOut, errors=(403, 404))
    def on_post(self, req, resp, view_id):
        with self.crm.write() as db:
            resp.media = views.restore_view(db, view_id, req.context.user)


class FormulaValidateResource:
    def __init__(self, crm):
        self.crm = crm

    @operation("Check a formula as it is typed: its result type, or the error and where it is",
               body=models.FormulaCheck, response=models.FormulaCheckResult)
    def on_post(self, req, resp):
        body = req.context.body
        fieldset = load_fields(self.crm.db, body.table)
        resp.media = validate(body.expression, field_types(fieldset))


class BoardResource:
    """GET /{table}/board: a board's columns, counts, sums and first cards."""

    def __init__(self, crm, table):
        self.crm, self.table = crm, table

    @operation("A board of live records: one column per choice of a single-select field (a "
               "board view's, ?group_field=, or the first) and one for no value, each with "
               "its count, the sum of ?sum_field= and its first ?limit= cards (at most 50) in "
               "the view's order; the same filters, sorts and search as the list route. "
               "?column= (or ?empty=true) with ?offset= reads more of one column",
               query=models.BoardQuery, response=models.BoardOut, errors=(404,))
    def on_get(self, req, resp):
        keep_current(self.crm, self.table)
        resp.media = read_board(self.crm.db, self.table, req.context.query, req.context.user)
