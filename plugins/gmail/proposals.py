"""Deciding proposals: approval stores email activity and moves Last Contact forward."""
import orjson

from core import audit
from core.db import utcnow
from core.errors import APIError, conflict, not_found
from plugins.fundraising.api import fundraising

COLUMNS = ("id", "user_id", "message_id", "thread_id", "direction", "from_address", "subject",
           "excerpt", "sent_at", "investor_id", "contact_id", "status", "decided_by",
           "decided_at", "created_at")


def proposal_json(row) -> dict:
    out = {k: row[k] for k in COLUMNS}
    out["to_addresses"] = orjson.loads(row["to_addresses"])
    out["matched"] = orjson.loads(row["matched"])
    out["investor_ids"] = list(dict.fromkeys(i for _c, i in _links(row) if i is not None))
    return out


def visible(user) -> tuple[str, list]:
    """Members see their own proposals; admins see everyone's."""
    if user["role"] == "admin":
        return "1", []
    return "user_id = ?", [user["id"]]


def list_proposals(db, user, status="pending", limit=100, offset=0) -> dict:
    cond, params = visible(user)
    where = f"deleted_at IS NULL AND {cond}" + (" AND status = ?" if status != "all" else "")
    if status != "all":
        params = [*params, status]
    total = db.execute(f"SELECT count(*) FROM gmail_proposals WHERE {where}",
                       params).fetchone()[0]
    rows = db.query(f"SELECT * FROM gmail_proposals WHERE {where} ORDER BY sent_at DESC, id "
                    "LIMIT ? OFFSET ?", [*params, limit, offset])
    return {"proposals": [proposal_json(r) for r in rows], "total": total}


def _proposal(db, proposal_id, user):
    cond, params = visible(user)
    rows = list(db.query(f"SELECT * FROM gmail_proposals WHERE id = ? AND deleted_at IS NULL "
                         f"AND {cond}", [proposal_id, *params]))
    if not rows:
        raise not_found("No such proposal")
    return rows[0]


def _links(row) -> list[tuple]:
    """(contact_id, investor_id) of every contact the message matched (older rows: one)."""
    links = [tuple(link) for link in orjson.loads(row["links"] or "[]")]
    return links or ([(row["contact_id"], row["investor_id"])]
                     if row["contact_id"] or row["investor_id"] else [])


def _move_last_contact(crm, investor_id, sent_at, actor_id):
    """Last Contact (by its built-in key: people rename fields) moves forward, never back."""
    if investor_id is None:
        return
    api = fundraising(crm)
    investor = api.find("investors", investor_id)
    day = sent_at[:10]
    last = investor.value("last_contact") if investor else None
    if investor and (last is None or last < day):
        api.update("investors", investor_id, {"last_contact": day}, actor_id)
    return last  # the value before this email (kept to restore it on undo)


def link_investor(crm, db, activity_id, links, sent_at, actor_id):
    """Link an activity to (contact_id, investor_id) pairs; each investor's Last Contact moves
    forward, its value before kept on the link."""
    before = {i: _move_last_contact(crm, i, sent_at, actor_id)
              for i in dict.fromkeys(i for _c, i in links)}
    for contact_id, investor_id in links:
        db.execute("INSERT OR IGNORE INTO email_links (activity_id, contact_id, investor_id, "
                   "last_contact_before) VALUES (?, ?, ?, ?)",
                   [activity_id, contact_id, investor_id, before.get(investor_id)])


def decide(crm, proposal_id, user, approve: bool) -> dict:
    """Approve or reject one proposal, in one transaction (a savepoint inside a bulk one)."""
    with crm.write() as db:
        return _decide(crm, db, proposal_id, user, approve)


def approve_many(crm, proposal_ids, user) -> dict:
    """Approve each pending proposal of `proposal_ids` in one transaction: {approved, skipped}
    (skipped: unknown, not the user's, or already decided)."""
    approved, skipped = [], []
    with crm.write():
        for proposal_id in dict.fromkeys(proposal_ids):
            try:
                decide(crm, proposal_id, user, True)
                approved.append(proposal_id)
            except APIError:
                skipped.append(proposal_id)
    return {"approved": approved, "skipped": skipped}


def _decide(crm, db, proposal_id, user, approve):
    row = _proposal(db, proposal_id, user)
    if row["status"] != "pending":
        raise conflict(f"This proposal is already {row['status']}", code="already_decided")
    now = utcnow()
    status = "approved" if approve else "rejected"
    db.execute("UPDATE gmail_proposals SET status = ?, decided_by = ?, decided_at = ? "
               "WHERE id = ?", [status, user["id"], now, proposal_id])
    if approve:
        # an approval undone and approved again brings its archived activity back
        db.execute(
            "INSERT INTO email_activity (user_id, investor_id, contact_id, message_id, "
            "thread_id, direction, subject, excerpt, sent_at, proposal_id, created_at, "
            "created_by) VALUES (?,?,?,?,?,?,?,?,?,?,?,?) ON CONFLICT (user_id, message_id) "
            "DO UPDATE SET deleted_at = NULL, investor_id = excluded.investor_id, "
            "contact_id = excluded.contact_id, proposal_id = excluded.proposal_id",
            [row["user_id"], row["investor_id"], row["contact_id"], row["message_id"],
             row["thread_id"], row["direction"], row["subject"], row["excerpt"],
             row["sent_at"], proposal_id, now, user["id"]])
        activity_id = db.execute("SELECT id FROM email_activity WHERE user_id = ? AND "
                                 "message_id = ?", [row["user_id"], row["message_id"]]
                                 ).fetchone()[0]
        audit.record_change(db, actor_id=user["id"], plugin="gmail", table="email_activity",
                            row_id=activity_id, action="create",
                            after={"subject": row["subject"], "investor_id": row["investor_id"],
                                   "direction": row["direction"], "sent_at": row["sent_at"]},
                            summary=f"Email '{row['subject'] or '(no subject)'}' recorded")
        links = _links(row)
        db.execute("DELETE FROM email_links WHERE activity_id = ?", [activity_id])
        link_investor(crm, db, activity_id, links, row["sent_at"], user["id"])
    return proposal_json(next(db.query("SELECT * FROM gmail_proposals WHERE id = ?",
                                       [proposal_id])))
