"""New investors per week equal the same count in Python, archived ones excluded."""
import random
from collections import Counter
from datetime import datetime, timedelta, timezone

from plugins.fundraising.api import fundraising
from tests.dashboard.views import big_view


def _seed(crm, uid):
    """Investors created over 20 weeks (created_at set back), three of them archived."""
    api, rng = fundraising(crm), random.Random(3)
    today = datetime.now(timezone.utc).date()
    investors = [api.create("investors", {"name": f"I{n}", "check_size": rng.choice([1e5, 2e6])},
                            uid) for n in range(40)]
    created = {}
    with crm.write() as db:
        for record in investors:
            created[record.id] = today - timedelta(days=rng.randrange(0, 140))
            db.execute("UPDATE fundraising_investors SET created_at = ? WHERE id = ?",
                       [f"{created[record.id]}T09:30:00.000000Z", record.id])
    archived = {api.archive("investors", r.id, uid).id for r in investors[:3]}
    return [r for r in investors if r.id not in archived], created, today


def _want(ids, created, today, weeks):
    monday = today - timedelta(days=today.weekday())
    starts = [monday - timedelta(weeks=back) for back in range(weeks - 1, -1, -1)]
    counts = Counter(created[i] - timedelta(days=created[i].weekday()) for i in ids)
    return {"weeks": [{"week": str(week), "count": counts[week]} for week in starts]}


def test_new_investors_match_python(crm, client, member):
    investors, created, today = _seed(crm, member["id"])
    ids = {r.id for r in investors}
    for weeks in (12, 1, 25):
        got = client.get(f"/api/dashboard/new?weeks={weeks}", headers=member["headers"]).json
        assert got == _want(ids, created, today, weeks)
    got = client.get("/api/dashboard/new", headers=member["headers"]).json
    assert got == _want(ids, created, today, 12)
    assert 0 < sum(w["count"] for w in got["weeks"]) < len(created)
    assert sum(w["count"] for w in client.get("/api/dashboard/new?weeks=25", headers=member[
        "headers"]).json["weeks"]) == len(ids)  # all live ones, none of the archived


def test_new_investors_honour_a_saved_view(crm, client, member):
    investors, created, today = _seed(crm, member["id"])
    view, kept = big_view(crm, member, investors)
    got = client.get(f"/api/dashboard/new?weeks=25&view={view['id']}",
                     headers=member["headers"]).json
    assert got == _want(kept, created, today, 25)
    assert 0 < sum(w["count"] for w in got["weeks"]) < len(investors)


def test_new_investors_reject_bad_input(client, member):
    for bad in ("weeks=0", "weeks=105", "weeks=x", "view=0"):
        response = client.get(f"/api/dashboard/new?{bad}", headers=member["headers"])
        assert response.status_code == 422 and bad.split("=")[0] in response.text
    assert client.get("/api/dashboard/new").status_code == 401
