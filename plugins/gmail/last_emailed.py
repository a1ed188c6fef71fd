"""Who on the team last emailed each investor: the mailbox owner of the investor's latest
approved email (sent or received), for many investors at once (the grid's visible rows)."""
from pydantic import Field

from core.errors import unprocessable
from core.openapi import Query, operation
from plugins.fundraising.api import fundraising

MAX_IDS = 500  # rows a grid shows at once, with room to spare


class LastEmailedQuery(Query):
    ids: str = Field(max_length=10_000, description="Investor ids, comma-separated (at most "
                     f"{MAX_IDS})")


def last_emails(db, investor_ids) -> dict[int, dict]:
    """{investor id: {id, at, direction, subject, user_id, user_name}} of each investor's
    latest approved, not undone email; investors with none are left out."""
    ids = sorted(set(investor_ids))
    if not ids:
        return {}
    rows = db.execute(
        "SELECT investor_id, id, sent_at, direction, subject, user_id, user_name FROM ("
        " SELECT l.investor_id, e.id, e.sent_at, e.direction, e.subject, u.id AS user_id,"
        "  u.name AS user_name, row_number() OVER (PARTITION BY l.investor_id"
        "  ORDER BY e.sent_at DESC, e.id DESC) AS n"
        " FROM email_links l JOIN email_activity e ON e.id = l.activity_id"
        " JOIN users u ON u.id = e.user_id"
        f" WHERE l.investor_id IN ({','.join('?' * len(ids))}) AND e.deleted_at IS NULL"
        ") WHERE n = 1", ids)
    return {investor: {"id": id_, "at": at, "direction": direction, "subject": subject,
                       "user_id": user_id, "user_name": user_name}
            for investor, id_, at, direction, subject, user_id, user_name in rows}


def parse_ids(text: str) -> list[int]:
    parts = [p.strip() for p in text.split(",") if p.strip()]
    if not parts or not all(p.isdigit() for p in parts):
        raise unprocessable("ids: a comma-separated list of investor ids", field="ids")
    if len(parts) > MAX_IDS:
        raise unprocessable(f"ids: at most {MAX_IDS} at once", field="ids")
    return [int(p) for p in parts]


class LastEmailedResource:
    def __init__(self, crm):
        self.crm = crm

    @operation("Who on the team last emailed each investor (the grid's 'Last emailed by'): "
               "the latest approved email of each live investor of ?ids=, or null",
               query=LastEmailedQuery)
    def on_get(self, req, resp):
        ids = parse_ids(req.context.query.ids)
        live = sorted(fundraising(self.crm).live_ids("investors", ids))
        found = last_emails(self.crm.db, live)
        resp.media = {"investors": [{"investor_id": i, "last_email": found.get(i)}
                                    for i in live]}
