"""Two-factor sign-in with TOTP (RFC 6238): enrolment with a QR code, codes that work once,
ten recovery codes, and the short-lived challenge between password and code."""
import io
import logging
import re
import secrets
from datetime import datetime, timedelta, timezone

import pyotp
import segno

from core import audit
from core.db import utc_text, utcnow
from core.errors import APIError, conflict
from core.secretbox import seal, unseal

log = logging.getLogger(__name__)
ISSUER = "Venture CRM"
PURPOSE = "totp"
RECOVERY_CODES = 10
RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i
CHALLENGE_MINUTES = 5
CHALLENGE_TRIES = 5  # wrong codes before a challenge is void
USER_FAILURES = 10  # wrong codes per user in FAILURE_WINDOW, over all challenges
FAILURE_WINDOW = timedelta(minutes=15)


def required_for(settings, user) -> bool:
    policy = settings.two_factor_policy
    return policy == "all" or (policy == "admins" and user["role"] == "admin")


def is_on(user) -> bool:
    return bool(user["totp_enabled_at"])


def enrolment_required(settings, user) -> bool:
    return required_for(settings, user) and not is_on(user)


def new_recovery_code() -> str:
    raw = "".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(12))
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"


def _normal(code) -> str:
    return re.sub(r"[\s-]", "", str(code or "")).lower()


def invalid_code(status="422 Unprocessable Entity"):
    return APIError(status, "invalid_code", "That code is not right (or was used already)",
                    field="code")


def qr_svg(uri: str) -> str:
    out = io.BytesIO()
    segno.make(uri, error="m").save(out, kind="svg", scale=5, border=4, xmldecl=False,
                                    title="Two-factor QR code")
    return out.getvalue().decode()


class TwoFactor:
    def __init__(self, crm, digest):
        self.crm = crm
        self.digest = digest  # text -> keyed hash (recovery codes, challenges)

    def _row(self, db, user_id):
        return dict(next(db.query("SELECT * FROM users WHERE id = ?", [user_id])))

    def status(self, user) -> dict:
        left = self.crm.db.execute(
            "SELECT count(*) FROM recovery_codes WHERE user_id = ? AND used_at IS NULL",
            [user["id"]]).fetchone()[0]
        settings = self.crm.settings
        return {"enabled": is_on(user), "required": required_for(settings, user),
                "enrolment_required": enrolment_required(settings, user),
                "recovery_codes_left": left}

    # enrolment ---------------------------------------------------------------
    def enroll(self, user_id) -> dict:
        secret = pyotp.random_base32()
        with self.crm.write() as db:
            user = self._row(db, user_id)
            if is_on(user):
                raise conflict("Two-factor is on already; turn it off first to set up a new "
                               "device", code="two_factor_on")
            db.execute("UPDATE users SET totp_pending = ? WHERE id = ?",
                       [seal(self.crm.secret_key, PURPOSE, secret), user_id])
        uri = pyotp.TOTP(secret).provisioning_uri(name=user["email"], issuer_name=ISSUER)
        return {"secret": secret, "otpauth_uri": uri, "qr_svg": qr_svg(uri)}

    def confirm(self, user_id, code) -> list[str]:
        with self.crm.write() as db:
            user = self._row(db, user_id)
            if is_on(user):
                raise conflict("Two-factor is on already", code="two_factor_on")
            secret = user["totp_pending"] and unseal(self.crm.secret_key, PURPOSE,
                                                     user["totp_pending"])
            if not secret:
                raise conflict("Start the set-up first (POST /api/auth/2fa/enroll)",
                               code="not_enrolling")
            step = _matching_step(secret, _normal(code), None)
            if step is None:
                raise invalid_code()
            db.execute("UPDATE users SET totp_secret = totp_pending, totp_pending = NULL, "
                       "totp_enabled_at = ?, totp_last_step = ? WHERE id = ?",
                       [utcnow(), step, user_id])
            codes = self._new_codes(db, user_id)
            audit.record_event(db, actor_id=user_id, plugin="core", table="users",
                               row_id=user_id, event="two_factor_on")
        return codes

    def _new_codes(self, db, user_id) -> list[str]:
        db.execute("DELETE FROM recovery_codes WHERE user_id = ?", [user_id])
        codes = [new_recovery_code() for _ in range(RECOVERY_CODES)]
        now = utcnow()
        db.table("recovery_codes").insert_all(
            [{"user_id": user_id, "code_hash": self.digest("recovery:" + _normal(c)),
              "created_at": now, "used_at": None} for c in codes])
        return codes

    # codes -------------------------------------------------------------------
    def check_code(self, db, user, code) -> str | None:
        """'totp' or 'recovery' when `code` is good (and now used), else None; inside the
        caller's transaction. A TOTP code counts once: its time step must be later than the
        last one used."""
        code = _normal(code)
        secret = user["totp_secret"] and unseal(self.crm.secret_key, PURPOSE,
                                                user["totp_secret"])
        if secret and re.fullmatch(r"\d{6}", code):
            step = _matching_step(secret, code, user["totp_last_step"])
            if step is None:
                return None
            db.execute("UPDATE users SET totp_last_step = ? WHERE id = ?", [step, user["id"]])
            return "totp"
        if len(code) == 12:
            used = db.execute(
                "UPDATE recovery_codes SET used_at = ? WHERE user_id = ? AND code_hash = ? AND "
                "used_at IS NULL", [utcnow(), user["id"], self.digest("recovery:" + code)])
            if used.rowcount:
                left = db.execute("SELECT count(*) FROM recovery_codes WHERE user_id = ? AND "
                                  "used_at IS NULL", [user["id"]]).fetchone()[0]
                audit.record_event(db, actor_id=user["id"], plugin="core", table="users",
                                   row_id=user["id"], event="recovery_code_used",
                                   codes_left=left)
                return "recovery"
        return None

    def _with_code(self, user_id, code, work):
        """Run work(db, user) when `code` is good; a wrong one is a 422 (its use is kept)."""
        with self.crm.write() as db:
            user = self._row(db, user_id)
            if not is_on(user):
                raise conflict("Two-factor is off", code="two_factor_off")
            good = self.check_code(db, user, code)
            if good:
                return work(db, user)
        raise invalid_code()

    def new_recovery_codes(self, user_id, code) -> list[str]:
        def renew(db, user):
            codes = self._new_codes(db, user_id)
            audit.record_event(db, actor_id=user_id, plugin="core", table="users",
                               row_id=user_id, event="recovery_codes_renewed")
            return codes
        return self._with_code(user_id, code, renew)

    def turn_off(self, user_id, code):
        def off(db, user):
            _clear(db, user_id)
            audit.record_event(db, actor_id=user_id, plugin="core", table="users",
                               row_id=user_id, event="two_factor_off")
        self._with_code(user_id, code, off)

    # login challenges --------------------------------------------------------
    def start_challenge(self, db, user_id) -> str:
        token = secrets.token_urlsafe(32)
        now = datetime.now(timezone.utc)
        db.table("login_challenges").insert({
            "token_hash": self.digest("challenge:" + token), "user_id": user_id,
            "created_at": utc_text(now),
            "expires_at": utc_text(now + timedelta(minutes=CHALLENGE_MINUTES)),
            "failures": 0, "used_at": None})
        db.execute("DELETE FROM login_challenges WHERE expires_at < ?",
                   [utc_text(now - FAILURE_WINDOW)])
        return token

    def finish_challenge(self, db, token, code):
        """The user row when the challenge is live and the code good; raises otherwise (the
        caller commits the failure count before the error goes out)."""
        rows = list(db.query(
            "SELECT * FROM login_challenges WHERE token_hash = ? AND used_at IS NULL AND "
            "expires_at > ? AND failures < ?",
            [self.digest("challenge:" + str(token)), utcnow(), CHALLENGE_TRIES]))
        if not rows:
            return None, APIError("410 Gone", "challenge_invalid",
                                  "This sign-in expired; enter your password again",
                                  field="challenge")
        challenge = rows[0]
        user = self._row(db, challenge["user_id"])
        since = utc_text(datetime.now(timezone.utc) - FAILURE_WINDOW)
        failures = db.execute("SELECT coalesce(sum(failures), 0) FROM login_challenges WHERE "
                              "user_id = ? AND created_at > ?", [user["id"], since]).fetchone()[0]
        if failures >= USER_FAILURES:
            log.warning("two-factor code step of user %s locked: %s wrong codes in 15 minutes",
                        user["id"], failures)
            return None, APIError("429 Too Many Requests", "too_many_codes",
                                  "Too many wrong codes for this account; wait 15 minutes",
                                  headers={"Retry-After": "900"})
        if user["active"] and is_on(user) and self.check_code(db, user, code):
            db.execute("UPDATE login_challenges SET used_at = ? WHERE id = ?",
                       [utcnow(), challenge["id"]])
            return user, None
        db.execute("UPDATE login_challenges SET failures = failures + 1 WHERE id = ?",
                   [challenge["id"]])
        log.warning("wrong two-factor code for user %s (%s in the last 15 minutes)",
                    user["id"], failures + 1)
        return None, invalid_code("401 Unauthorized")


def _clear(db, user_id):
    db.execute("UPDATE users SET totp_secret = NULL, totp_pending = NULL, totp_enabled_at = "
               "NULL, totp_last_step = NULL WHERE id = ?", [user_id])
    db.execute("DELETE FROM recovery_codes WHERE user_id = ?", [user_id])


def reset_by_admin(db, user_id, actor_id):
    """Turn off a user's two-factor (a lost phone) inside the caller's transaction."""
    _clear(db, user_id)
    audit.record_event(db, actor_id=actor_id, plugin="core", table="users", row_id=user_id,
                       event="two_factor_reset")


def _matching_step(secret, code, last_step):
    """The time step (now, or one either side for clock drift) whose code is `code`, if it is
    later than `last_step`."""
    if not re.fullmatch(r"\d{6}", code):
        return None
    totp = pyotp.TOTP(secret)
    now = totp.timecode(datetime.now(timezone.utc))
    for step in (now - 1, now, now + 1):
        if (last_step is None or step > last_step) and \
                secrets.compare_digest(totp.generate_otp(step), code):
            return step
    return None
