"""Digest build time for 5 users × 200 emails, model time excluded, and its model calls."""
import time
from datetime import date, datetime, timedelta, timezone

from core import hookimpl
from core.accounts import Accounts
from core.context import build_crm
from core.db import utcnow
from core.settings import Settings
from plugins.digest.build import build_digest
from bench.report import Row, ms

NAME = "digest"
TARGET_SECONDS = 2.0
USERS, EMAILS_EACH, INVESTORS = 5, 200, 60
DAY = date(2026, 11, 25)
NOTES = ["the model is replaced by an in-process plugin that answers at once and counts calls, "
         "so the figure is the CRM's own work: the query, grouping, prompts and both parts"]


class CountingModel:
    """Answers every summarize_text call at once (the model's time is not the CRM's)."""

    def __init__(self):
        self.calls = 0

    @hookimpl(tryfirst=True)
    def summarize_text(self, crm, text, instructions):
        self.calls += 1
        return f"Summary {self.calls}."


def seed(crm, rng, users, emails_each, excerpts=None, investors_count=INVESTORS):
    """`users` members with `emails_each` approved emails of the day each, to random investors
    (`excerpts` picked at random, or one plain text)."""
    with crm.write() as db:
        people = [Accounts(crm).create_user(db, f"user{i}@fund.example", f"User {i}", "member",
                                            "correct horse battery")["id"] for i in range(users)]
        investors, contacts = [], []
        for i in range(investors_count):
            investors.append(db.execute(
                "INSERT INTO fundraising_investors (name, data, version, created_at, updated_at)"
                " VALUES (?, '{}', 1, ?, ?)", [f"Investor {i}", utcnow(), utcnow()]).lastrowid)
            contacts.append(db.execute(
                "INSERT INTO fundraising_contacts (name, investor_id, email, data, version, "
                "created_at, updated_at) VALUES (?, ?, ?, '{}', 1, ?, ?)",
                [f"Contact {i}", investors[-1], f"c{i}@lp{i}.example", utcnow(),
                 utcnow()]).lastrowid)
        start = datetime(2026, 11, 25, tzinfo=timezone.utc)
        rows = []
        for user in people:
            for n in range(emails_each):
                k = rng.randrange(investors_count)
                sent = start + timedelta(seconds=rng.randrange(86_400))
                rows.append((user, investors[k], contacts[k], f"m{user}-{n}", "t",
                             rng.choice(["in", "out"]), f"Subject {n}",
                             rng.choice(excerpts) if excerpts else
                             "We discussed the fund's terms. Next step is a call. " * 3,
                             sent.strftime("%Y-%m-%dT%H:%M:%SZ"), utcnow()))
        db.conn.executemany(
            "INSERT INTO email_activity (user_id, investor_id, contact_id, message_id, "
            "thread_id, direction, subject, excerpt, sent_at, created_at) "
            "VALUES (?,?,?,?,?,?,?,?,?,?)", rows)


def run(sizes, workdir, rng, args) -> list[Row]:
    scale = 1 if sizes.formula_is_full else 0.1
    emails_each = max(10, int(EMAILS_EACH * scale))
    model = CountingModel()
    folder = workdir / "digest"
    crm = build_crm(Settings(data_dir=folder, secrets_dir=folder / "secrets",
                             secret_key="k" * 40, password_memory_kib=8192,
                             password_time_cost=1), extra_plugins={"counting_model": model})
    try:
        seed(crm, rng, USERS, emails_each)
        from zoneinfo import ZoneInfo
        from plugins.digest import compose
        zone = ZoneInfo("UTC")
        timings = []
        for _ in range(3):
            calls_before = model.calls
            began = time.perf_counter()
            digest = build_digest(crm, DAY, zone)
            compose.text(digest, zone), compose.html(digest, zone)
            timings.append(time.perf_counter() - began)
            calls = model.calls - calls_before
        best = sorted(timings)[1]
        full = emails_each == EMAILS_EACH
        total = sum(len(g["messages"]) for p in digest["people"] for g in p["investors"])
        return [
            Row(NAME, f"data: {USERS} users x {emails_each} emails on one day, "
                      f"{INVESTORS} investors", ""),
            Row(NAME, f"build + compose (text and HTML), median of 3, {total} emails",
                ms(best), "<= 2000 ms", ("PASS" if best <= TARGET_SECONDS else "FAIL")
                if full else "n/a (not full size)"),
            Row(NAME, "model calls (one per user and investor)", str(calls)),
        ]
    finally:
        crm.database.close()
