"""A day's digest as it would be sent, without sending it; and the ledger of what was sent."""
import json
from datetime import date

from plugins.digest import compose
from plugins.digest.build import build_digest
from plugins.digest.send import settings_for

RUN_COLUMNS = ("day", "status", "attempts", "last_error", "people", "investors", "model_calls",
               "rejected", "sent_at")


def preview_digest(crm, day: date, summarize: bool = True) -> dict:
    """The digest of the local `day`: its sections, subject, text and html."""
    settings = settings_for(crm)
    digest = build_digest(crm, day, settings.zone, summarize=summarize)
    return {**digest, "subject": compose.subject(digest),
            "text": compose.text(digest, settings.zone), "html": compose.html(digest, settings.zone)}


def recent_runs(db, limit: int) -> list[dict]:
    """The ledger, newest day first, each day with every admin's delivery."""
    runs = []
    for row in db.query("SELECT * FROM digest_runs ORDER BY day DESC LIMIT ?", [limit]):
        deliveries = [dict(d) for d in db.query(
            "SELECT user_id, status, message_id, updated_at FROM digest_deliveries "
            "WHERE day = ? ORDER BY user_id", [row["day"]])]
        runs.append({**{k: row[k] for k in RUN_COLUMNS}, "fallback": bool(row["fallback"]),
                     "log": json.loads(row["log"] or "[]"),
                     "deliveries": deliveries})
    return runs
