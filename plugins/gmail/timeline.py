"""Approved emails on a record's timeline (investors: emails linked to it; contacts: theirs).
The share level applies at sync: what it withheld (subject, excerpt) was never stored."""
import orjson

from plugins.gmail.last_emailed import last_emails

COLUMN = {"investors": "investor_id", "contacts": "contact_id"}


def email_entries(crm, table, record_id, kinds, before, limit) -> list[dict]:
    if table not in COLUMN or (kinds is not None and "email" not in kinds):
        return []
    rows = crm.db.execute(
        "SELECT e.id, e.sent_at, e.user_id, e.subject, e.excerpt, e.direction, e.investor_id, "
        "e.contact_id, p.from_address, p.to_addresses FROM email_activity e "
        "LEFT JOIN gmail_proposals p ON p.id = e.proposal_id "
        "WHERE e.deleted_at IS NULL AND e.id IN (SELECT activity_id FROM email_links "
        f"WHERE {COLUMN[table]} = ?) "
        "AND (? IS NULL OR e.sent_at < ?) ORDER BY e.sent_at DESC, e.id DESC LIMIT ?",
        [record_id, before, before, limit]).fetchall()
    return [{"kind": "email", "at": sent_at, "actor": user_id, "summary": subject, "id": id_,
             "subject": subject, "snippet": excerpt, "direction": direction,
             "investor_id": investor_id, "contact_id": contact_id, "from": from_address,
             "to": orjson.loads(to) if to else []}
            for (id_, sent_at, user_id, subject, excerpt, direction, investor_id, contact_id,
                 from_address, to) in rows]


def last_email(crm, investor_id) -> dict:
    """Who on the team sent or received the investor's latest approved email."""
    return {"investor_id": investor_id,
            "last_email": last_emails(crm.db, [investor_id]).get(investor_id)}
