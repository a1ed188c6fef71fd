"""Routes of the notes plugin: a record's notes, and one note's edit and soft delete."""
from core.openapi import operation
from plugins.fundraising.api import fundraising
from plugins.notes import models, store


class RecordNotesResource:
    def __init__(self, crm, table):
        self.crm, self.table = crm, table

    @operation("The record's notes, newest first", response=models.NoteList, errors=(404,))
    def on_get(self, req, resp, record_id):
        fundraising(self.crm).get(self.table, record_id)
        resp.media = {"notes": store.record_notes(self.crm, self.table, record_id)}

    @operation("Add a markdown note to the record; @Name or @email mentions a teammate",
               body=models.NoteCreate, response=models.NoteOut, status=201, errors=(404,))
    def on_post(self, req, resp, record_id):
        resp.media = store.create_note(self.crm, self.table, record_id, req.context.body.body,
                                       req.context.user)


class NoteResource:
    def __init__(self, crm):
        self.crm = crm

    @operation("Edit a note (its author or an admin)", body=models.NotePatch,
               response=models.NoteOut, errors=(403, 404, 409))
    def on_patch(self, req, resp, note_id):
        body = req.context.body
        resp.media = store.update_note(self.crm, note_id, body.body, body.expected_version,
                                       req.context.user)

    @operation("Delete a note (its author or an admin); it stays in the history",
               query=models.NoteDeleteQuery, response=models.Deleted, errors=(403, 404, 409))
    def on_delete(self, req, resp, note_id):
        resp.media = store.delete_note(self.crm, note_id, req.context.query.expected_version,
                                       req.context.user)
