"""The worked example of docs/plugins.md: a route, a table, a scheduled task, a CLI command."""
import click

from core import Migration, ScheduledTask, hookimpl
from core.cli import pass_crm
from core.openapi import Body, operation

__version__ = "1.0.0"


class NoteBody(Body):
    text: str


class NotesResource:
    def __init__(self, crm):
        self.crm = crm

    @operation("List notes")
    def on_get(self, req, resp):
        resp.media = {"notes": list(self.crm.db.query("SELECT id, text FROM example_notes"))}

    @operation("Add a note", body=NoteBody, status=201)
    def on_post(self, req, resp):
        with self.crm.write() as db:
            note_id = db.table("example_notes").insert({"text": req.context.body.text}).last_pk
        resp.media = {"id": note_id}


def _create_notes(db):
    db.execute("CREATE TABLE example_notes (id INTEGER PRIMARY KEY, text TEXT NOT NULL)")


def count_notes(crm):
    return crm.db.execute("SELECT count(*) FROM example_notes").fetchone()[0]


@hookimpl
def register_migrations():
    return [Migration(1, "notes table", _create_notes)]


@hookimpl
def register_routes(crm):
    return [("/api/example/notes", NotesResource(crm))]


@hookimpl
def register_scheduled_tasks(crm):
    def tidy():
        with crm.write() as db:
            db.execute("DELETE FROM example_notes WHERE text = ''")

    return [ScheduledTask("example.tidy", lambda s: s.every(10).minutes, tidy)]


@hookimpl
def register_commands(cli):
    @cli.command(name="example-count")
    @pass_crm
    def example_count(crm):
        """Print how many notes there are."""
        click.echo(f"{count_notes(crm)} notes")
