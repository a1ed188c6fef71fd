"""Approved email activity in the activity feed."""
from core import ActivitySource
from plugins.fundraising.api import fundraising


def _entry(activity_id, sent_at, direction, subject, user, investor, investor_id) -> dict:
    return {"at": sent_at, "kind": f"email_{direction}", "activity_id": activity_id,
            "summary": f"{user} {'emailed' if direction == 'out' else 'heard from'} "
                       f"{investor or 'a contact'}: {subject or '(no subject)'}",
            "record": {"table": "investors", "id": investor_id, "name": investor,
                       "url": f"#/grid/investors/{investor_id}"} if investor_id else None}


def email_source(crm) -> ActivitySource:
    def fetch(limit, before=None):
        """The newest `limit` emails, leaving out those of archived investors (read in
        pages until enough are kept)."""
        api, entries, offset = fundraising(crm), [], 0
        while len(entries) < limit:
            rows = crm.db.execute(
                "SELECT e.id, e.sent_at, e.direction, e.subject, u.name, e.investor_id "
                "FROM email_activity e JOIN users u ON u.id = e.user_id "
                "WHERE e.deleted_at IS NULL AND e.sent_at <= coalesce(?, e.sent_at) "
                "ORDER BY e.sent_at DESC, e.id DESC LIMIT ? OFFSET ?",
                [before, limit, offset]).fetchall()
            names = api.names("investors", [row[5] for row in rows], archived=False)
            entries += [_entry(*row[:5], names.get(row[5]), row[5]) for row in rows
                        if row[5] is None or row[5] in names]
            if len(rows) < limit:
                break
            offset += limit
        return entries[:limit]
    return ActivitySource("email", fetch)
