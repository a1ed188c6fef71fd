"""Hook implementations of the gmail plugin: it reads mail and writes drafts, never sends."""
from core import ScheduledTask, hookimpl
from plugins.gmail import resources as r
from plugins.gmail.activity import email_source
from plugins.gmail.cli import register
from plugins.gmail.settings import GmailSettings
from plugins.gmail.sync import sync_all
from plugins.gmail.tables import MIGRATIONS

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
        ("/api/gmail/drafts", r.DraftsResource(crm)),
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
                       "email_activity": "email_activity"})
