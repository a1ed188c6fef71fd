"""Approved emails per week per member equal the same figure computed in Python."""
import random
from collections import Counter
from datetime import datetime, timedelta, timezone

from plugins.fundraising.api import fundraising
from tests.dashboard.views import big_view


def _seed(crm, client, people):
    """Proposals (as gmail sync makes them) over 16 weeks, some approved through the API,
    one approval undone, some rejected or left pending; two investors archived."""
    api, rng = fundraising(crm), random.Random(5)
    today = datetime.now(timezone.utc).date()
    investors = [api.create("investors", {"name": f"I{n}", "check_size": rng.choice([1e5, 1e6])},
                            people[0]["id"]) for n in range(8)]
    proposals = []
    with crm.write() as db:
        for n in range(45):
            person, investor = rng.choice(people), rng.choice([*investors, None])
            day = today - timedelta(days=rng.randrange(0, 110))
            proposal_id = db.execute(
                "INSERT INTO gmail_proposals (user_id, message_id, direction, sent_at, "
                "investor_id, created_at) VALUES (?, ?, 'out', ?, ?, ?)",
                [person["id"], f"m{n}", f"{day}T09:30:00.000000Z",
                 investor and investor.id, f"{today}T00:00:00.000000Z"]).lastrowid
            proposals.append((proposal_id, person, investor and investor.id, day))
    approved = []
    for proposal_id, person, investor_id, day in proposals:
        decision = rng.choice(["approve", "approve", "approve", "reject", None])
        if decision:
            done = client.post(f"/api/gmail/proposals/{proposal_id}/{decision}",
                               headers=person["headers"])
            assert done.status_code == 200, done.text
        if decision == "approve":
            approved.append((person, investor_id, day))
    undone = approved.pop(0)
    activity = crm.db.execute("SELECT id FROM email_activity WHERE user_id = ? AND "
                              "sent_at LIKE ?", [undone[0]["id"], f"{undone[2]}%"]).fetchone()[0]
    assert client.post(f"/api/gmail/activities/{activity}/undo",
                       headers=undone[0]["headers"]).status_code == 200
    archived = {api.archive("investors", r.id, people[0]["id"]).id for r in investors[-2:]}
    live = [api.get("investors", r.id) for r in investors if r.id not in archived]
    return live, approved, today


def _want(approved, keep, today, weeks):
    """`keep(investor_id)`: whether an email of that investor (or of none) counts."""
    monday = today - timedelta(days=today.weekday())
    starts = [str(monday - timedelta(weeks=back)) for back in range(weeks - 1, -1, -1)]
    counts = Counter((str(day - timedelta(days=day.weekday())), person["id"], person["name"])
                     for person, investor_id, day in approved
                     if keep(investor_id) and str(day) >= starts[0])
    return {"weeks": [{"week": week, "members": [
        {"user": {"id": uid, "name": name}, "count": n}
        for (w, uid, name), n in sorted(counts.items(), key=lambda i: (i[0][0], i[0][2]))
        if w == week]} for week in starts]}


def _people(member, admin):
    return [member, admin]


def test_emails_match_python(crm, client, member, admin):
    investors, approved, today = _seed(crm, client, _people(member, admin))
    live = {r.id for r in investors}
    keep = lambda investor_id: investor_id is None or investor_id in live  # noqa: E731
    for weeks in (12, 1, 20):
        got = client.get(f"/api/dashboard/emails?weeks={weeks}", headers=member["headers"]).json
        assert got == _want(approved, keep, today, weeks)
    got = client.get("/api/dashboard/emails", headers=member["headers"]).json
    assert got == _want(approved, keep, today, 12)
    people = {m["user"]["id"] for w in got["weeks"] for m in w["members"]}
    assert people == {member["id"], admin["id"]}
    assert 0 < sum(m["count"] for w in got["weeks"] for m in w["members"]) < len(approved)


def test_emails_honour_a_saved_view(crm, client, member, admin):
    investors, approved, today = _seed(crm, client, _people(member, admin))
    big, kept = big_view(crm, member, investors)
    got = client.get(f"/api/dashboard/emails?weeks=20&view={big['id']}",
                     headers=member["headers"]).json
    assert got == _want(approved, lambda investor_id: investor_id in kept, today, 20)
    assert any(w["members"] for w in got["weeks"])


def test_emails_without_gmail_are_empty(make_crm):
    from falcon import testing

    from core.app import create_app
    from tests.conftest import add_user, login

    crm = make_crm(plugins=["fundraising", "dashboard"])
    client = testing.TestClient(create_app(crm))
    add_user(crm, "max@fund.example", "member", "Max")
    headers = login(client, "max@fund.example")
    got = client.get("/api/dashboard/emails?weeks=4", headers=headers)
    assert got.status_code == 200 and got.json == {"weeks": []}
    assert client.get("/api/dashboard/movements?weeks=4", headers=headers).json["weeks"]
