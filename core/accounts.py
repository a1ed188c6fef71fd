"""Users, sign-in and invites: passwords hashed with argon2id, tokens stored as HMACs."""
import functools
import hashlib
import hmac
import re
import secrets
from datetime import datetime, timedelta, timezone

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from core import audit, twofactor
from core.db import utc_text, utcnow
from core.errors import APIError, conflict, not_found, unprocessable
from core.models import EMAIL_PATTERN
from core.sessions import Sessions, end_sessions
from core.twofactor import TwoFactor

ROLES = ("admin", "member")
MIN_PASSWORD = 10
_verifier = PasswordHasher()  # verification reads the cost from the stored hash
PUBLIC_USER_FIELDS = ("id", "email", "name", "role")


@functools.cache
def password_hasher(memory_kib: int, time_cost: int) -> PasswordHasher:
    """argon2id with the configured cost (memory-hard; defaults 64 MiB, 3 passes)."""
    return PasswordHasher(time_cost=time_cost, memory_cost=memory_kib, parallelism=1)


@functools.cache
def dummy_hash(memory_kib: int, time_cost: int) -> str:
    """A hash of the configured cost: an unknown email is checked against it, so it takes
    as long as a known one (users' hashes move to the configured cost at their next login)."""
    return password_hasher(memory_kib, time_cost).hash(secrets.token_urlsafe(24))


def verify_password(stored: str | None, password: str, dummy: str | None = None) -> bool:
    """True when `password` matches `stored`; with no stored hash, `dummy` is checked instead
    (and the answer is False) so that both take the same time."""
    try:
        return _verifier.verify(stored or dummy, password) and stored is not None
    except (VerificationError, InvalidHashError, TypeError):
        return False


def check_password_rules(password: str, field="password"):
    if len(password) < MIN_PASSWORD:
        raise unprocessable(f"The password needs at least {MIN_PASSWORD} characters", field=field)
    if len(password) > 1024:
        raise unprocessable("The password is too long", field=field)


def token_digest(secret_key: str, token: str) -> str:
    return hmac.new(secret_key.encode(), token.encode(), hashlib.sha256).hexdigest()


def _later(hours: int) -> str:
    return utc_text(datetime.now(timezone.utc) + timedelta(hours=hours))


def teammate(row) -> dict:
    """What every signed-in user may see of another: no role, no sign-in data."""
    return {"id": row["id"], "name": row["name"], "email": row["email"],
            "active": bool(row["active"])}


def public_user(row) -> dict:
    return {key: row[key] for key in PUBLIC_USER_FIELDS}


def admin_view(row) -> dict:
    return {**public_user(row), "active": bool(row["active"]), "created_at": row["created_at"],
            "last_login_at": row["last_login_at"], "two_factor": twofactor.is_on(row)}


class Accounts:
    """Account operations; every write is one transaction with its audit entry."""

    def __init__(self, crm):
        self.crm = crm
        s = crm.settings
        self.hasher = password_hasher(s.password_memory_kib, s.password_time_cost)
        digest = functools.partial(token_digest, crm.secret_key)
        self.sessions = Sessions(crm, digest)
        self.two_factor = TwoFactor(crm, digest)

    # users -----------------------------------------------------------------
    def get_user(self, user_id: int):
        rows = list(self.crm.db.query("SELECT * FROM users WHERE id = ?", [user_id]))
        return rows[0] if rows else None

    def find_by_email(self, email: str):
        rows = list(self.crm.db.query("SELECT * FROM users WHERE email = ? COLLATE NOCASE", [email]))
        return rows[0] if rows else None

    def count_users(self) -> int:
        return self.crm.db.execute("SELECT count(*) FROM users").fetchone()[0]

    def list_users(self):
        return list(self.crm.db.query("SELECT * FROM users ORDER BY id"))

    def active_admins(self):
        return list(self.crm.db.query(
            "SELECT * FROM users WHERE role = 'admin' AND active = 1 ORDER BY id"))

    def create_user(self, db, email, name, role, password, actor_id=None) -> dict:
        """Insert a user inside the caller's transaction."""
        if role not in ROLES:
            raise unprocessable(f"role must be one of {', '.join(ROLES)}", field="role")
        check_password_rules(password)
        if not isinstance(email, str) or len(email) > 320 or not re.fullmatch(EMAIL_PATTERN, email):
            raise unprocessable("email: not a valid email address", field="email")
        if db.execute("SELECT 1 FROM users WHERE email = ? COLLATE NOCASE", [email]).fetchone():
            raise conflict(f"A user with the email {email} already exists", code="email_taken",
                           field="email")
        now = utcnow()
        row = {"email": email, "name": name, "role": role, "active": 1,
               "password_hash": self.hasher.hash(password), "created_at": now, "updated_at": now,
               "last_login_at": None}
        user_id = db.table("users").insert(row).last_pk
        audit.record_change(db, actor_id=actor_id, plugin="core", table="users", row_id=user_id,
                            action="create", after={"email": email, "name": name, "role": role})
        return {**row, "id": user_id}

    def update_user(self, user_id, changes: dict, actor_id) -> dict:
        with self.crm.write() as db:
            user = db.execute("SELECT id FROM users WHERE id = ?", [user_id]).fetchone()
            if not user:
                raise not_found("No such user")
            before = dict(next(db.query("SELECT * FROM users WHERE id = ?", [user_id])))
            after = {**before, **changes}
            losing_admin = before["role"] == "admin" and before["active"] and (
                after["role"] != "admin" or not after["active"])
            if losing_admin:
                others = db.execute(
                    "SELECT count(*) FROM users WHERE role='admin' AND active=1 AND id != ?",
                    [user_id]).fetchone()[0]
                if others == 0:
                    raise unprocessable("The last active admin cannot be demoted or deactivated",
                                        field="active" if "active" in changes else "role",
                                        code="last_admin")
            if not changes:
                return before
            db.table("users").update(user_id, {**changes, "updated_at": utcnow()})
            if not after["active"]:
                end_sessions(db, user_id)
            keys = list(changes)
            audit.record_change(db, actor_id=actor_id, plugin="core", table="users",
                                row_id=user_id, action="update",
                                before={k: before[k] for k in keys},
                                after={k: after[k] for k in keys})
            return after

    # sign-in ---------------------------------------------------------------
    def check_password(self, user, password) -> bool:
        s = self.crm.settings
        return verify_password(user["password_hash"] if user else None, password,
                               dummy_hash(s.password_memory_kib, s.password_time_cost))

    def login(self, email, password, client=None) -> dict:
        """{token, user} or, with two-factor on, {two_factor_required, challenge}."""
        user = self.find_by_email(email)
        ok = self.check_password(user, password)
        if not (user and ok and user["active"]):
            raise APIError("401 Unauthorized", "invalid_credentials",
                           "The email or password is not correct")
        with self.crm.write() as db:
            if self.hasher.check_needs_rehash(user["password_hash"]):
                db.execute("UPDATE users SET password_hash = ? WHERE id = ?",
                           [self.hasher.hash(password), user["id"]])
            if twofactor.is_on(user):
                return {"two_factor_required": True,
                        "challenge": self.two_factor.start_challenge(db, user["id"])}
            return self._signed_in(db, user, client)

    def finish_login(self, challenge, code, client=None) -> dict:
        """The second step: a TOTP or recovery code for the challenge of the first."""
        with self.crm.write() as db:
            user, error = self.two_factor.finish_challenge(db, challenge, code)
            if user is not None:
                return self._signed_in(db, user, client)
        raise error  # after the commit: a wrong code counts

    def _signed_in(self, db, user, client) -> dict:
        token = self.sessions.create(db, user["id"], client)
        db.execute("UPDATE users SET last_login_at = ? WHERE id = ?", [utcnow(), user["id"]])
        answer = {"token": token, "user": public_user(user)}
        if twofactor.enrolment_required(self.crm.settings, user):
            answer["two_factor_enrolment_required"] = True
        return answer

    def user_for_token(self, token: str):
        return self.sessions.lookup(token)[0]

    def logout(self, token: str):
        self.sessions.end_token(token)

    # invites ---------------------------------------------------------------
    def create_invite(self, email, role, actor_id, purpose="invite") -> tuple[str, str]:
        """Return (token, expires_at); earlier pending invites for the same email lapse."""
        token = secrets.token_urlsafe(32)
        expires_at = _later(self.crm.settings.invite_hours)
        with self.crm.write() as db:
            if email and db.execute("SELECT 1 FROM users WHERE email = ? COLLATE NOCASE",
                                    [email]).fetchone():
                raise conflict(f"A user with the email {email} already exists",
                               code="email_taken", field="email")
            db.execute(
                "UPDATE invites SET revoked_at = ? WHERE accepted_at IS NULL AND revoked_at IS NULL"
                " AND purpose = ? AND (email = ? COLLATE NOCASE OR (email IS NULL AND ? IS NULL))",
                [utcnow(), purpose, email, email])
            invite_id = db.table("invites").insert({
                "email": email, "role": role, "purpose": purpose,
                "token_hash": token_digest(self.crm.secret_key, token),
                "created_by": actor_id, "created_at": utcnow(), "expires_at": expires_at,
                "accepted_at": None, "revoked_at": None, "user_id": None}).last_pk
            audit.record_change(db, actor_id=actor_id, plugin="core", table="invites",
                                row_id=invite_id, action="create",
                                after={"email": email, "role": role, "purpose": purpose})
        return token, expires_at

    def pending_invites(self):
        return list(self.crm.db.query(
            "SELECT id, email, role, purpose, created_by, created_at, expires_at FROM invites "
            "WHERE accepted_at IS NULL AND revoked_at IS NULL AND expires_at > ? ORDER BY id",
            [utcnow()]))

    def accept_invite(self, token, name, password, email=None, purpose="invite", client=None):
        """Create the user an invite names; single use. Returns (session token, user)."""
        check_password_rules(password)
        digest = token_digest(self.crm.secret_key, token)
        with self.crm.write() as db:
            rows = list(db.query(
                "SELECT * FROM invites WHERE token_hash = ? AND purpose = ? AND accepted_at IS NULL"
                " AND revoked_at IS NULL AND expires_at > ?", [digest, purpose, utcnow()]))
            if not rows:
                raise APIError("410 Gone", "invite_invalid",
                               "This link is invalid, already used or expired", field="token")
            invite = rows[0]
            if purpose == "setup" and db.execute("SELECT count(*) FROM users").fetchone()[0]:
                raise conflict("The first admin already exists; ask an admin for an invite",
                               code="setup_done")
            user = self.create_user(db, invite["email"] or email, name, invite["role"], password,
                                    actor_id=invite["created_by"])
            db.execute("UPDATE invites SET accepted_at = ?, user_id = ? WHERE id = ?",
                       [utcnow(), user["id"], invite["id"]])
            session = self.sessions.create(db, user["id"], client)
        return session, user
