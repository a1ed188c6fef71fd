"""Undo an approval, or move an approved email to another investor; Last Contact recomputed.

Undo archives the email activity and puts its proposal back to "pending": the message is in
the approver's queue again, to approve (perhaps after a fix) or reject."""
from core import audit
from core.db import utcnow
from core.errors import forbidden, not_found
from plugins.fundraising.api import fundraising
from plugins.gmail.proposals import link_investor


def _activity(db, activity_id, user):
    rows = list(db.query("SELECT * FROM email_activity WHERE id = ? AND deleted_at IS NULL",
                         [activity_id]))
    if not rows:
        raise not_found("No such email activity")
    if user["role"] != "admin" and rows[0]["created_by"] != user["id"]:
        raise forbidden("Only who approved this email, or an admin, can change it")
    return rows[0]


def _first_before(db, investor_id):
    """Last Contact before any approved email touched it (None first: it was empty)."""
    first = db.execute("SELECT last_contact_before FROM email_links WHERE investor_id = ? "
                       "ORDER BY last_contact_before IS NOT NULL, last_contact_before LIMIT 1",
                       [investor_id]).fetchone()
    return first[0] if first else None


def recompute_last_contact(crm, db, investor_id, day, actor_id, before=None):
    """After the email of `day` left the investor: if it was what set Last Contact, Last
    Contact becomes the latest remaining approved email, else the value before any email
    (empty when there was none)."""
    api = fundraising(crm)
    investor = api.find("investors", investor_id)
    if investor is None:
        return
    current = investor.value("last_contact")
    if current is not None and str(current) != day:
        return  # a later email or a person set it since: leave it
    latest = db.execute("SELECT max(substr(e.sent_at, 1, 10)) FROM email_activity e JOIN "
                        "email_links l ON l.activity_id = e.id WHERE l.investor_id = ? AND "
                        "e.deleted_at IS NULL", [investor_id]).fetchone()[0]
    candidates = [d for d in (latest, before or _first_before(db, investor_id)) if d]
    value = max(candidates) if candidates else None
    if value != current:
        api.update("investors", investor_id, {"last_contact": value}, actor_id)


def _investors(db, activity_id):
    return [r[0] for r in db.execute("SELECT DISTINCT investor_id FROM email_links WHERE "
                                     "activity_id = ? AND investor_id IS NOT NULL",
                                     [activity_id])]


def undo(crm, activity_id, user) -> dict:
    with crm.write() as db:
        row = _activity(db, activity_id, user)
        now = utcnow()
        db.execute("UPDATE email_activity SET deleted_at = ? WHERE id = ?", [now, activity_id])
        if row["proposal_id"]:
            db.execute("UPDATE gmail_proposals SET status = 'pending', decided_by = NULL, "
                       "decided_at = NULL WHERE id = ?", [row["proposal_id"]])
        audit.record_change(db, actor_id=user["id"], plugin="gmail", table="email_activity",
                            row_id=activity_id, action="archive",
                            before={"subject": row["subject"], "investor_id": row["investor_id"],
                                    "sent_at": row["sent_at"]},
                            summary=f"Email '{row['subject'] or '(no subject)'}' approval undone")
        investors = _investors(db, activity_id)
        for investor_id in investors:
            recompute_last_contact(crm, db, investor_id, row["sent_at"][:10], user["id"])
    return {"id": activity_id, "archived": True, "proposal_id": row["proposal_id"],
            "proposal_status": "pending", "investor_ids": investors}


def link(crm, activity_id, investor_id, user) -> dict:
    """The email belongs to `investor_id` only (its contacts of other investors dropped)."""
    with crm.write() as db:
        row = _activity(db, activity_id, user)
        if not fundraising(crm).live_ids("investors", [investor_id]):
            raise not_found("No such investor", code="investor_not_found")
        old = {i: _first_before(db, i) for i in _investors(db, activity_id) if i != investor_id}
        db.execute("DELETE FROM email_links WHERE activity_id = ? AND (investor_id IS NULL OR "
                   "investor_id != ?)", [activity_id, investor_id])
        if db.execute("SELECT count(*) FROM email_links WHERE activity_id = ?",
                      [activity_id]).fetchone()[0] == 0:
            link_investor(crm, db, activity_id, [(None, investor_id)], row["sent_at"],
                          user["id"])
        keep_contact = db.execute("SELECT contact_id FROM email_links WHERE activity_id = ? "
                                  "AND contact_id IS NOT NULL", [activity_id]).fetchone()
        db.execute("UPDATE email_activity SET investor_id = ?, contact_id = ? WHERE id = ?",
                   [investor_id, keep_contact[0] if keep_contact else None, activity_id])
        audit.record_change(db, actor_id=user["id"], plugin="gmail", table="email_activity",
                            row_id=activity_id, action="update",
                            before={"investor_id": row["investor_id"]},
                            after={"investor_id": investor_id},
                            summary=f"Email '{row['subject'] or '(no subject)'}' moved")
        for old_id, before in old.items():
            recompute_last_contact(crm, db, old_id, row["sent_at"][:10], user["id"], before)
    return {"id": activity_id, "investor_ids": [investor_id]}
