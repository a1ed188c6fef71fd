"""Sessions: a random token per sign-in, stored as an HMAC, with the device and address it
came from and when it was last used; a person or an admin can end any of them."""
import secrets
from datetime import datetime, timedelta, timezone

from core.db import utc_text, utcnow
from core.errors import not_found

SEEN_EVERY = timedelta(seconds=60)  # last_seen_at is written at most once a minute
SECRET_COLUMNS = {"password_hash", "totp_secret", "totp_pending"}  # kept out of req.context
PUBLIC = ("id", "user_id", "user_agent", "ip", "created_at", "last_seen_at", "expires_at")


def client_of(req) -> dict:
    """What a session keeps of the request that made it."""
    return {"user_agent": (req.user_agent or "")[:300] or None,
            "ip": getattr(req.context, "client_ip", None)}


def _later(hours: int) -> str:
    return utc_text(datetime.now(timezone.utc) + timedelta(hours=hours))


class Sessions:
    def __init__(self, crm, digest):
        self.crm = crm
        self.digest = digest  # token -> stored HMAC

    def create(self, db, user_id, client=None) -> str:
        """A new session inside the caller's transaction; returns its token."""
        token = secrets.token_urlsafe(32)
        now = utcnow()
        db.table("sessions").insert({
            "token_hash": self.digest(token), "user_id": user_id, "created_at": now,
            "expires_at": _later(self.crm.settings.session_hours), "last_seen_at": now,
            **(client or {})})
        return token

    def lookup(self, token: str):
        """(user row, session id) of a live session of an active user, or (None, None)."""
        found = self.crm.db.one(
            "SELECT users.*, sessions.id AS session_id, sessions.last_seen_at AS session_seen "
            "FROM sessions JOIN users ON users.id = sessions.user_id "
            "WHERE sessions.token_hash = ? AND sessions.expires_at > ? AND users.active = 1",
            [self.digest(token), utcnow()])
        if found is None:
            return None, None
        row = {k: v for k, v in found.items() if k not in SECRET_COLUMNS}
        session_id, seen = row.pop("session_id"), row.pop("session_seen")
        now = datetime.now(timezone.utc)
        if not seen or datetime.fromisoformat(seen) < now - SEEN_EVERY:
            with self.crm.write() as db:
                db.execute("UPDATE sessions SET last_seen_at = ? WHERE id = ?",
                           [utc_text(now), session_id])
        return row, session_id

    def end_token(self, token: str):
        with self.crm.write() as db:
            db.execute("DELETE FROM sessions WHERE token_hash = ?", [self.digest(token)])

    def of_user(self, user_id, current_id=None) -> list[dict]:
        rows = self.crm.db.query(
            f"SELECT {', '.join(PUBLIC)} FROM sessions WHERE user_id = ? AND expires_at > ? "
            "ORDER BY last_seen_at DESC, id DESC", [user_id, utcnow()])
        return [{**row, "current": row["id"] == current_id} for row in rows]

    def owner_of(self, session_id) -> int:
        row = self.crm.db.execute("SELECT user_id FROM sessions WHERE id = ?",
                                  [session_id]).fetchone()
        if not row:
            raise not_found("No such session")
        return row[0]


def end_sessions(db, user_id, keep=None) -> int:
    """End the user's sessions (all, or all but `keep`) inside the caller's transaction."""
    cursor = db.execute("DELETE FROM sessions WHERE user_id = ? AND id IS NOT ?",
                        [user_id, keep])
    return cursor.rowcount
