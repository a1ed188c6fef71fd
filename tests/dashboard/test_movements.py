"""Stage movements per week equal the same figure computed in Python from the changes made."""
import random
from collections import Counter
from datetime import datetime, timedelta, timezone

from plugins.fundraising.api import fundraising
from tests.dashboard.views import big_view


def _backdate(crm, investor_id, day):
    """Move the investor's newest audit entry to `day` (a date), as if it happened then."""
    with crm.write() as db:
        db.execute("UPDATE audit_log SET at = ? WHERE id = (SELECT MAX(id) FROM audit_log "
                   "WHERE plugin = 'fundraising' AND table_name = 'investors' AND row_id = ?)",
                   [f"{day}T12:00:00.000000Z", str(investor_id)])


def _seed(crm, client, admin):
    """Investors whose Stage moves over 20 weeks; the field is renamed half way."""
    api, rng = fundraising(crm), random.Random(11)
    stage = api.field("investors", "stage")
    choices, today = stage.options["choices"], datetime.now(timezone.utc).date()
    investors = [api.create("investors", {"name": f"I{n}", "stage": choices[0],
                                          "check_size": rng.choice([1e5, 1e6])}, admin["id"])
                 for n in range(12)]
    current, moves = {r.id: choices[0] for r in investors}, []
    for n in range(60):
        if n == 30:  # history keeps the name the field had at the time
            renamed = client.patch(f"/api/fundraising/fields/{stage.id}", json={"name": "Phase"},
                                   headers=admin["headers"])
            assert renamed.status_code == 200, renamed.text
        record, day = rng.choice(investors), today - timedelta(days=rng.randrange(0, 140))
        if n % 7 == 0:  # not a stage change
            api.update("investors", record.id, {"check_size": rng.choice([2e5, 3e6])}, admin["id"])
        else:
            new = rng.choice([s for s in choices if s != current[record.id]])
            api.update("investors", record.id, {"stage": new}, admin["id"])
            moves.append((record.id, current[record.id], new, day))
            current[record.id] = new
        _backdate(crm, record.id, day)
    archived = {api.archive("investors", r.id, admin["id"]).id for r in investors[:2]}
    live = [api.get("investors", r.id) for r in investors if r.id not in archived]
    return live, moves, today


def _want(moves, ids, today, weeks):
    monday = today - timedelta(days=today.weekday())
    starts = [monday - timedelta(weeks=back) for back in range(weeks - 1, -1, -1)]
    counts = Counter((str(day - timedelta(days=day.weekday())), src, dst)
                     for rid, src, dst, day in moves if rid in ids and day >= starts[0])
    return {"weeks": [{"week": str(week), "moves": [
        {"from": src, "to": dst, "count": n}
        for (w, src, dst), n in sorted(counts.items()) if w == str(week)]} for week in starts]}


def test_movements_match_python(crm, client, admin, member):
    investors, moves, today = _seed(crm, client, admin)
    ids = {r.id for r in investors}
    for weeks in (12, 1, 30):
        got = client.get(f"/api/dashboard/movements?weeks={weeks}", headers=member["headers"])
        assert got.json == _want(moves, ids, today, weeks)
        assert len(got.json["weeks"]) == weeks
    got = client.get("/api/dashboard/movements", headers=member["headers"]).json
    assert got == _want(moves, ids, today, 12)
    counted = sum(m["count"] for w in got["weeks"] for m in w["moves"])
    assert 0 < counted < len(moves)  # archived investors and older weeks are left out
    names = {m["from"] for w in got["weeks"] for m in w["moves"]}
    assert len(names) > 2


def test_movements_honour_a_saved_view(crm, client, admin, member):
    investors, moves, today = _seed(crm, client, admin)
    big, kept = big_view(crm, member, investors)
    got = client.get(f"/api/dashboard/movements?weeks=20&view={big['id']}",
                     headers=member["headers"]).json
    assert got == _want(moves, kept, today, 20)
    assert any(w["moves"] for w in got["weeks"])


def test_movements_reject_bad_weeks(client, member):
    for bad in ("0", "105", "x"):
        response = client.get(f"/api/dashboard/movements?weeks={bad}", headers=member["headers"])
        assert response.status_code == 422 and "weeks" in response.text
