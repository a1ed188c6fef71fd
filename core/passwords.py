"""Changing a password, and the admin's one-time reset link for someone who forgot theirs
(an invites row with purpose 'reset': hashed token, expiry, single use)."""
import secrets

from core import audit
from core.accounts import _later, check_password_rules, token_digest
from core.db import utcnow
from core.errors import APIError, not_found, unprocessable
from core.links import app_link
from core.sessions import end_sessions


def reset_url(crm, token, req=None) -> str:
    return app_link(crm, f"/reset#token={token}", req)


class Passwords:
    def __init__(self, accounts):
        self.accounts = accounts
        self.crm = accounts.crm

    def change(self, user_id, session_id, current, new) -> int:
        """Set a new password; every other session of the user ends. Returns how many."""
        user = self.accounts.get_user(user_id)
        if not self.accounts.check_password(user, current):
            raise unprocessable("The current password is not correct", field="current_password",
                                code="wrong_password")
        check_password_rules(new, field="new_password")
        if self.accounts.check_password(user, new):
            raise unprocessable("The new password is the same as the current one",
                                field="new_password", code="same_password")
        with self.crm.write() as db:
            self._set(db, user_id, new)
            ended = end_sessions(db, user_id, keep=session_id)
            audit.record_event(db, actor_id=user_id, plugin="core", table="users",
                               row_id=user_id, event="password_changed", sessions_ended=ended)
        return ended

    def _set(self, db, user_id, password):
        db.execute("UPDATE users SET password_hash = ?, updated_at = ? WHERE id = ?",
                   [self.accounts.hasher.hash(password), utcnow(), user_id])

    def reset_link(self, user_id, actor_id) -> tuple[str, str]:
        """(token, expires_at) of a new reset link; the user's earlier unused ones lapse."""
        token = secrets.token_urlsafe(32)
        expires_at = _later(self.crm.settings.invite_hours)
        with self.crm.write() as db:
            user = db.execute("SELECT email, role, active FROM users WHERE id = ?",
                              [user_id]).fetchone()
            if not user:
                raise not_found("No such user")
            if not user[2]:
                raise unprocessable("This user is deactivated; activate them first",
                                    field="user_id", code="user_inactive")
            db.execute("UPDATE invites SET revoked_at = ? WHERE purpose = 'reset' AND "
                       "user_id = ? AND accepted_at IS NULL AND revoked_at IS NULL",
                       [utcnow(), user_id])
            link_id = db.table("invites").insert({
                "email": user[0], "role": user[1], "purpose": "reset", "user_id": user_id,
                "token_hash": token_digest(self.crm.secret_key, token),
                "created_by": actor_id, "created_at": utcnow(), "expires_at": expires_at,
                "accepted_at": None, "revoked_at": None}).last_pk
            audit.record_change(db, actor_id=actor_id, plugin="core", table="invites",
                                row_id=link_id, action="create",
                                after={"email": user[0], "purpose": "reset"})
        return token, expires_at

    def reset(self, token, password) -> dict:
        """Use a reset link: a new password, and every session of the user ends."""
        check_password_rules(password)
        with self.crm.write() as db:
            rows = list(db.query(
                "SELECT invites.id, invites.user_id, users.email FROM invites JOIN users ON "
                "users.id = invites.user_id WHERE invites.token_hash = ? AND purpose = 'reset' "
                "AND accepted_at IS NULL AND revoked_at IS NULL AND expires_at > ? AND "
                "users.active = 1", [token_digest(self.crm.secret_key, token), utcnow()]))
            if not rows:
                raise APIError("410 Gone", "link_invalid",
                               "This link is invalid, already used or expired; ask an admin "
                               "for a new one", field="token")
            link = rows[0]
            self._set(db, link["user_id"], password)
            db.execute("UPDATE invites SET accepted_at = ? WHERE id = ?", [utcnow(), link["id"]])
            ended = end_sessions(db, link["user_id"])
            audit.record_event(db, actor_id=link["user_id"], plugin="core", table="users",
                               row_id=link["user_id"], event="password_reset",
                               sessions_ended=ended)
        return {"ok": True, "email": link["email"]}
