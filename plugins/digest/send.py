"""Sending a day's digest exactly once: a ledger per day, a delivery row per admin.

A delivery is marked `sending` and committed before the mail goes out; one left `sending` by
a crash is not retried on its own (it may have been delivered), so nobody gets it twice.
Failed deliveries are retried on later ticks, a bounded number of times."""
import json
import logging
from datetime import date, datetime, timedelta, timezone

from core.accounts import Accounts
from core.db import utc_text, utcnow
from core.plugin_types import OutgoingEmail
from core.services import NoProvider, deliver_email
from plugins.digest import compose
from plugins.digest.build import build_digest
from plugins.digest.settings import DigestSettings

log = logging.getLogger(__name__)


def settings_for(crm) -> DigestSettings:
    return crm.plugin_settings("digest")


def run_row(db, day: date):
    rows = list(db.query("SELECT * FROM digest_runs WHERE day = ?", [day.isoformat()]))
    return rows[0] if rows else None


def _ensure_run(crm, day):
    with crm.write() as db:
        db.execute("INSERT OR IGNORE INTO digest_runs (day, status, created_at, updated_at) "
                   "VALUES (?, 'pending', ?, ?)", [day.isoformat(), utcnow(), utcnow()])


def _delivery(db, day, user_id):
    row = db.execute("SELECT status FROM digest_deliveries WHERE day = ? AND user_id = ?",
                     [day.isoformat(), user_id]).fetchone()
    return row[0] if row else None


def _mark(crm, day, user_id, status, message_id=None, error=None):
    with crm.write() as db:
        db.execute("INSERT INTO digest_deliveries (day, user_id, status, message_id, error, "
                   "updated_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(day, user_id) DO UPDATE "
                   "SET status = excluded.status, message_id = excluded.message_id, "
                   "error = excluded.error, updated_at = excluded.updated_at",
                   [day.isoformat(), user_id, status, message_id, error, utcnow()])


def send_digest_for_day(crm, day: date, force=False, now=None, settings=None) -> dict:
    """Build and send `day`'s digest to every active admin; returns the ledger row."""
    settings = settings or settings_for(crm)
    now = now or datetime.now(timezone.utc)
    _ensure_run(crm, day)
    run = run_row(crm.db, day)
    if run["status"] in ("sent", "skipped") and not force:
        return dict(run)
    digest = build_digest(crm, day, settings.zone)
    status, error = "sent", None
    if not digest["people"] and not settings.send_empty and not force:
        status = "skipped"
    else:
        images = compose.inline_images(digest)
        message = dict(subject=compose.subject(digest), text=compose.text(digest, settings.zone),
                       html=compose.html(digest, settings.zone, [cid for cid, _ in images]),
                       inline=images)
        failures = 0
        for admin in Accounts(crm).active_admins():
            state = _delivery(crm.db, day, admin["id"])
            if state in ("sent", "sending") and not force:
                if state == "sending":
                    log.warning("digest %s to user %s may have gone out before a stop; not "
                                "sending it again", day, admin["id"])
                continue
            _mark(crm, day, admin["id"], "sending")
            try:
                result = deliver_email(crm, OutgoingEmail(to=[admin["email"]], **message))
            except NoProvider as exc:
                result, error = None, str(exc)
            except Exception as exc:  # a plugin's failure is this delivery's failure
                log.exception("digest delivery to user %s failed", admin["id"])
                result, error = None, type(exc).__name__
            if result is not None and result.ok:
                _mark(crm, day, admin["id"], "sent", message_id=result.message_id)
            else:
                failures += 1
                error = error or (result.error if result else "no delivery")
                _mark(crm, day, admin["id"], "failed", error=(error or "")[:300])
        if failures:
            status = "failed"
    with crm.write() as db:
        attempts = run["attempts"] + (0 if status == "skipped" else 1)
        db.execute(
            "UPDATE digest_runs SET status = ?, attempts = ?, last_error = ?, people = ?, "
            "investors = ?, model_calls = model_calls + ?, rejected = rejected + ?, fallback = ?, "
            "log = ?, updated_at = ?, "
            "next_attempt_at = ?, sent_at = CASE WHEN ? = 'sent' THEN ? ELSE sent_at END "
            "WHERE day = ?",
            [status, attempts, error if status == "failed" else None, digest["people_count"],
             digest["investor_count"], digest["model_calls"], digest.get("rejected", 0),
             int(digest["fallback"]), json.dumps(digest.get("log") or []),
             utcnow(), utc_text(now + timedelta(minutes=settings.retry_minutes))
             if status == "failed" else None, status, utcnow(), day.isoformat()])
    return dict(run_row(crm.db, day))


def due_day(settings: DigestSettings, now: datetime) -> date | None:
    """Yesterday (local) once today's send time has passed, else None."""
    local = now.astimezone(settings.zone)
    hour, minute = map(int, settings.send_at.split(":"))
    if (local.hour, local.minute) < (hour, minute):
        return None
    return local.date() - timedelta(days=1)


def tick(crm, now=None) -> dict | None:
    """The scheduled check: send yesterday's digest once, retry a failure a few times."""
    settings = settings_for(crm)
    if not settings.enabled:
        return None
    now = now or datetime.now(timezone.utc)
    day = due_day(settings, now)
    if day is None:
        return None
    run = run_row(crm.db, day)
    if run is not None:
        if run["status"] in ("sent", "skipped"):
            return None
        if run["status"] == "failed" and (run["attempts"] >= settings.max_attempts or
                                          (run["next_attempt_at"] or "") > utc_text(now)):
            return None
    return send_digest_for_day(crm, day, now=now, settings=settings)
