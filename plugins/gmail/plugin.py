"""Hook implementations of the gmail plugin: it reads mail and writes drafts, never sends."""
from core import ScheduledTask, hookimpl
from plugins.gmail import resources as r
from plugins.gmail.activity import email_source
from plugins.gmail.cli import register
from plugins.gmail.last_emailed import LastEmailedResource
from plugins.gmail.proposals import proposal_json
from plugins.gmail.record_drafts import record_draft_routes
from plugins.gmail.settings import GmailSettings
from plugins.gmail.sync import sync_all
from plugins.gmail.tables import MIGRATIONS
from plugins.gmail.timeline import email_entries

requires = ("fundraising",)


@hookimpl
def register_settings():
    return GmailSettings


@hookimpl
def register_migrations():
    return MIGRATIONS


@hookimpl
def register_routes(crm):
    return [
        ("/api/admin/gmail/accounts", r.AccountsResource(crm)),
        ("/api/admin/gmail/accounts/{user_id:id}", r.AccountResource(crm)),
        ("/api/gmail/proposals", r.ProposalsResource(crm)),
        ("/api/gmail/proposals/approve", r.BulkApproveResource(crm)),
        ("/api/gmail/proposals/{proposal_id:id}/approve", r.DecisionResource(crm, True)),
        ("/api/gmail/proposals/{proposal_id:id}/reject", r.DecisionResource(crm, False)),
        ("/api/gmail/activities/{activity_id:id}/undo", r.UndoResource(crm)),
        ("/api/gmail/activities/{activity_id:id}/link", r.LinkResource(crm)),
        ("/api/gmail/investors/{investor_id:id}/last-email", r.LastEmailResource(crm)),
        ("/api/gmail/last-emailed", LastEmailedResource(crm)),
        *record_draft_routes(crm),  # /api/gmail/drafts, a record's drafts and follow-up
    ]


@hookimpl
def register_scheduled_tasks(crm):
    return [ScheduledTask("gmail.sync", lambda s: s.every(15).minutes, lambda: sync_all(crm))]


@hookimpl
def register_commands(cli):
    register(cli)


@hookimpl
def register_activity_sources(crm):
    return [email_source(crm)]


@hookimpl
def register_backup_tables(register):
    # accounts (which mailboxes sync, and from where) are replaced wholesale; no tokens here
    register("gmail", {"gmail_accounts": None, "gmail_proposals": None,
                       "email_activity": "email_activity", "email_links": None,
                       "gmail_drafts": "gmail_drafts"})


@hookimpl
def my_day(crm, user):
    # proposals waiting for this user: their own mailbox's, still pending (admins too)
    rows = crm.db.query("SELECT * FROM gmail_proposals WHERE deleted_at IS NULL AND user_id = ? "
                        "AND status = 'pending' ORDER BY sent_at DESC, id LIMIT 100",
                        [user["id"]])
    return {"proposals": [proposal_json(row) for row in rows]}


@hookimpl
def record_timeline(crm, table, record_id, kinds, before, limit):
    return email_entries(crm, table, record_id, kinds, before, limit)
