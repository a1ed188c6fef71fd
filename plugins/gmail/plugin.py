"""Hook implementations of the gmail plugin: it reads mail and writes drafts, never sends."""
from core import ActivitySource, ScheduledTask, hookimpl
from plugins.gmail import resources as r
from plugins.gmail.cli import register
from plugins.gmail.sync import sync_all
from plugins.gmail.tables import MIGRATIONS

requires = ("fundraising",)


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
    def fetch(limit, before=None):
        rows = crm.db.execute(
            "SELECT e.id, e.sent_at, e.direction, e.subject, u.name, i.name, i.id "
            "FROM email_activity e "
            "JOIN users u ON u.id = e.user_id LEFT JOIN fundraising_investors i ON "
            "i.id = e.investor_id WHERE e.deleted_at IS NULL AND (i.id IS NULL OR "
            "i.deleted_at IS NULL) AND e.sent_at <= coalesce(?, e.sent_at) "
            "ORDER BY e.sent_at DESC, e.id DESC LIMIT ?", [before, limit])
        return [{"at": sent_at, "kind": f"email_{direction}", "activity_id": activity_id,
                 "summary": f"{user} {'emailed' if direction == 'out' else 'heard from'} "
                            f"{investor or 'a contact'}: {subject or '(no subject)'}",
                 "record": {"table": "investors", "id": investor_id, "name": investor,
                            "url": f"#/grid/investors/{investor_id}"} if investor_id else None}
                for activity_id, sent_at, direction, subject, user, investor, investor_id
                in rows]
    return [ActivitySource("email", fetch)]
