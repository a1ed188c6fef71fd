"""Hook implementations of the notes plugin."""
from core import hookimpl
from plugins.fundraising.api import TABLES
from plugins.notes import resources as r
from plugins.notes.search import records_with_notes_matching
from plugins.notes.store import my_mentions, timeline_entries
from plugins.notes.tables import MIGRATIONS

requires = ("fundraising",)


@hookimpl
def register_migrations():
    return MIGRATIONS


@hookimpl
def register_routes(crm):
    routes = [(f"/api/fundraising/{table}/{{record_id:id}}/notes",
               r.RecordNotesResource(crm, table)) for table in TABLES]
    return routes + [("/api/notes/{note_id:id}", r.NoteResource(crm))]


@hookimpl
def record_timeline(crm, table, record_id, kinds, before, limit):
    return timeline_entries(crm, table, record_id, kinds, before, limit)


@hookimpl
def search_extra(crm, table, query):
    return records_with_notes_matching(crm, table, query)


@hookimpl
def my_day(crm, user):
    return {"mentions": my_mentions(crm, user)}


@hookimpl
def register_backup_tables(register):
    # notes are restored by archiving; mentions follow their notes wholesale
    register("notes", {"notes_notes": "notes", "notes_mentions": None})
