"""The dashboard API at 100,000 investors with a year of history: every card, in process."""
import statistics
import time
from datetime import datetime, timedelta, timezone

from falcon import testing

from bench.report import Row, ms, verdict
from bench.seed import investor_rows
from core.accounts import Accounts
from core.app import create_app
from core.context import build_crm
from core.settings import Settings
from plugins.dashboard import cards
from plugins.fundraising.api import Condition, FilterGroup, fundraising
from plugins.fundraising.schema import COMMITMENT_STATUSES, STAGES

NAME = "dashboard_cards"
TARGET_SECONDS = 0.2
MOVES_EACH, OTHER_EDITS_EACH = 3, 1  # audit entries per investor over the year
ARCHIVED_SHARE, FUNDS, COMMITMENTS, EMAILS, USERS = 0.01, 6, 20_000, 50_000, 8
WEEKS, DAYS, RUNS = 52, 365, 7
VIEW_MIN = 1e7  # the saved view: investors with Check Size >= $10M
PASSWORD = "correct horse battery"
NOTES = ["the cards are fetched one after the other through the app in process (routing, "
         "session, JSON) over one year (weeks=52, stale days=30); the median of "
         f"{RUNS} rounds after one warm-up; data seeded once per run (not cached)"]


def _stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _seed(crm, count, rng):
    """Investors created over the year, their Stage moved MOVES_EACH times, funds,
    commitments, emails, 1% archived; the history goes in through the audit_log triggers."""
    now, scale = datetime.now(timezone.utc), count / 100_000
    commitments, emails = max(50, int(COMMITMENTS * scale)), max(50, int(EMAILS * scale))
    with crm.write() as db:
        users = [Accounts(crm).create_user(db, f"user{i}@fund.example", f"User {i}",
                                           "admin" if i == 0 else "member", PASSWORD)["id"]
                 for i in range(USERS)]
        rows = []
        for row in investor_rows(count, [], rng, users[0]):
            row["created_at"] = _stamp(now - timedelta(seconds=rng.randrange(DAYS * 86_400)))
            row["owner_id"] = rng.choice(users) if row["owner_id"] else None
            rows.append(row)
        db["fundraising_investors"].insert_all(rows, batch_size=500)
        stage = db.execute("SELECT name FROM fundraising_fields WHERE table_name = 'investors' "
                           "AND builtin = 'stage'").fetchone()[0]
        history = []
        for investor in range(1, count + 1):
            moments = sorted(now - timedelta(seconds=rng.randrange(DAYS * 86_400))
                             for _ in range(MOVES_EACH + OTHER_EDITS_EACH))
            current = rng.choice(STAGES)
            for n, moment in enumerate(moments):
                if n < MOVES_EACH:
                    new = rng.choice([s for s in STAGES if s != current])
                    changes, current = f'{{"{stage}":["{current}","{new}"]}}', new
                else:
                    changes = '{"Check Size":[100000.0,250000.0]}'
                history.append((_stamp(moment), users[0], str(investor), changes))
        history.sort()
        db.conn.executemany(
            "INSERT INTO audit_log (at, actor_id, plugin, table_name, row_id, action, changes) "
            "VALUES (?, ?, 'fundraising', 'investors', ?, 'update', ?)", history)
        gone = rng.sample(range(1, count + 1), int(count * ARCHIVED_SHARE))
        db.conn.executemany("UPDATE fundraising_investors SET deleted_at = ? WHERE id = ?",
                            [(_stamp(now), i) for i in gone])
        funds = [db.execute("INSERT INTO fundraising_funds (name, target_size, data, version, "
                            "created_at, updated_at) VALUES (?, ?, '{}', 1, ?, ?)",
                            [f"Fund {n}", 5e7 * n, _stamp(now), _stamp(now)]).lastrowid
                 for n in range(1, FUNDS + 1)]
        db.conn.executemany(
            "INSERT INTO fundraising_commitments (name, investor_id, fund_id, amount, status, "
            "data, version, created_at, updated_at) VALUES (?, ?, ?, ?, ?, '{}', 1, ?, ?)",
            [(f"C{n}", rng.randrange(1, count + 1), rng.choice(funds),
              float(rng.randrange(1, 100) * 50_000), rng.choice(COMMITMENT_STATUSES),
              _stamp(now), _stamp(now)) for n in range(commitments)])
        sent = [(rng.choice(users), rng.randrange(1, count + 1), f"m{n}", "out",
                   _stamp(now - timedelta(seconds=rng.randrange(DAYS * 86_400))), _stamp(now))
                  for n in range(emails)]
        db.conn.executemany(
            "INSERT INTO email_activity (user_id, investor_id, message_id, direction, sent_at, "
            "created_at) VALUES (?, ?, ?, ?, ?, ?)", sent)
        db.execute("INSERT INTO email_links (activity_id, investor_id) "
                   "SELECT id, investor_id FROM email_activity")
    return users, len(history), commitments, emails


def _paths(view):
    suffix = "" if view is None else f"&view={view}"
    return [f"/api/dashboard/funnel?{suffix[1:]}", "/api/dashboard/funds",
            f"/api/dashboard/stale?days=30{suffix}", f"/api/dashboard/movements?weeks={WEEKS}{suffix}",
            f"/api/dashboard/emails?weeks={WEEKS}{suffix}",
            f"/api/dashboard/new?weeks={WEEKS}{suffix}"]


def _rounds(client, headers, paths):
    """(median seconds of all cards together, {path: median seconds})."""
    totals, each = [], {p: [] for p in paths}
    for n in range(RUNS + 1):
        began = time.perf_counter()
        for path in paths:
            start = time.perf_counter()
            response = client.simulate_get(path, headers=headers)
            assert response.status_code == 200, (path, response.text[:200])
            each[path].append(time.perf_counter() - start)
        if n:  # the first round warms the caches
            totals.append(time.perf_counter() - began)
    return statistics.median(totals), {p: statistics.median(t[1:]) for p, t in each.items()}


def run(sizes, workdir, rng, args) -> list[Row]:
    count = sizes.list_investors
    full = count == 100_000
    folder = workdir / "dashboard"
    crm = build_crm(Settings(data_dir=folder, secrets_dir=folder / "secrets",
                             secret_key="k" * 40, password_memory_kib=8192,
                             password_time_cost=1))
    try:
        began = time.perf_counter()
        users, entries, commitments, emails = _seed(crm, count, rng)
        seeded = time.perf_counter() - began
        client = testing.TestClient(create_app(crm))
        login = client.simulate_post("/api/auth/login", json={
            "email": "user0@fund.example", "password": PASSWORD})
        headers = {"Authorization": f"Bearer {login.json['token']}"}
        user = crm.db.execute("SELECT * FROM users WHERE id = ?", [users[0]]).fetchone()
        user = dict(zip([c[0] for c in crm.db.execute("SELECT * FROM users LIMIT 0")
                         .description], user))
        view = fundraising(crm).add_view("investors", "Big", user,
                                         FilterGroup((Condition("check_size", ">=", VIEW_MIN),)))
        kept = crm.db.execute("SELECT AVG(check_size >= ?) FROM fundraising_investors WHERE "
                              "deleted_at IS NULL", [VIEW_MIN]).fetchone()[0]
        plain, plain_each = _rounds(client, headers, _paths(None))
        viewed, viewed_each = _rounds(client, headers, _paths(view["id"]))
        stage = fundraising(crm).field("investors", "stage")
        start = time.perf_counter()
        cards.movements_exact(crm.db, WEEKS, stage.id, stage.name)
        exact = time.perf_counter() - start
        label = f"dashboard API at {count:,} investors with a year of history: all cards together"
        rows = [
            Row(NAME, f"data: {count:,} investors ({ARCHIVED_SHARE:.0%} archived), {entries:,} "
                      f"history entries over {DAYS} days, {commitments:,} commitments, "
                      f"{emails:,} emails; seeded in {seeded:.0f} s", ""),
            Row(NAME, label, ms(plain), "<= 200 ms", verdict(plain <= TARGET_SECONDS if full
                                                              else None)),
            Row(NAME, label + f", with a saved view (Check Size >= {VIEW_MIN:,.0f}, {kept:.0%} of them)", ms(viewed),
                "<= 200 ms", verdict(viewed <= TARGET_SECONDS if full else None)),
        ]
        for kind, each in (("", plain_each), (" with the view", viewed_each)):
            for path, seconds in each.items():
                card = path.split("/")[-1].split("?")[0]
                rows.append(Row(NAME, f"  {card}{kind}", ms(seconds)))
        rows.append(Row(NAME, "  movements read from the history itself (before: no kept "
                              "counts), no view", ms(exact)))
        return rows
    finally:
        crm.database.close()
