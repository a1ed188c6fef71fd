"""The stale-investors card equals the same figure computed in Python, archived excluded."""
import random
from datetime import date, timedelta

from plugins.dashboard.cards import STALE_CAP
from plugins.fundraising.api import Condition, FilterGroup, fundraising


def _seed(crm, owners, count=40):
    api, rng, today = fundraising(crm), random.Random(7), date.today()
    made = [api.create("investors", {
        "name": f"I{n}", "owner": rng.choice([None, *owners]),
        "check_size": rng.choice([None, 1e5, 1e6]),
        "last_contact": rng.choice([None, *(str(today - timedelta(days=d))
                                           for d in (0, 5, 29, 30, 31, 45, 200))])},
        owners[0]) for n in range(count)]
    archived = {api.archive("investors", r.id, owners[0]).id for r in made[:6]}
    return [r for r in made if r.id not in archived]


def _want(investors, users, days, cap=STALE_CAP):
    cutoff = str(date.today() - timedelta(days=days))
    stale = [r for r in investors if r.value("owner") is not None
             and (r.value("last_contact") is None or r.value("last_contact") < cutoff)]
    owners = []
    for uid, name in users.items():
        mine = sorted((r for r in stale if r.value("owner") == uid),
                      key=lambda r: (r.value("last_contact") is not None,
                                     r.value("last_contact") or "", r.id))
        if mine:
            owners.append({"owner": {"id": uid, "name": name}, "count": len(mine),
                           "investors": [{"id": r.id, "name": r.name,
                                          "last_contact": r.value("last_contact")}
                                         for r in mine[:cap]]})
    return sorted(owners, key=lambda o: (-o["count"], o["owner"]["name"]))


def test_stale_matches_python(crm, client, member, admin):
    users = {member["id"]: member["name"], admin["id"]: admin["name"]}
    investors = _seed(crm, list(users))
    for days in (30, 7, 100):
        got = client.get(f"/api/dashboard/stale?days={days}", headers=member["headers"]).json
        assert got == {"owners": _want(investors, users, days)}
        assert got["owners"], days
    default = client.get("/api/dashboard/stale", headers=member["headers"]).json
    assert default == {"owners": _want(investors, users, 30)}


def test_stale_caps_each_owner(crm, client, member, monkeypatch):
    monkeypatch.setattr("plugins.dashboard.cards.STALE_CAP", 3)
    investors = _seed(crm, [member["id"]], count=60)
    got = client.get("/api/dashboard/stale", headers=member["headers"]).json["owners"]
    assert got == _want(investors, {member["id"]: member["name"]}, 30, cap=3)
    assert got[0]["count"] > 3 and len(got[0]["investors"]) == 3


def test_stale_honours_a_saved_view(crm, client, member, admin):
    users = {member["id"]: member["name"], admin["id"]: admin["name"]}
    investors = _seed(crm, list(users))
    user = {k: v for k, v in member.items() if k != "headers"}
    big = fundraising(crm).add_view("investors", "Big", user,
                                    FilterGroup((Condition("check_size", ">=", 1e6),)))
    got = client.get(f"/api/dashboard/stale?view={big['id']}", headers=member["headers"]).json
    kept = [r for r in investors if (r.value("check_size") or 0) >= 1e6]
    assert got == {"owners": _want(kept, users, 30)}
    assert 0 < sum(o["count"] for o in got["owners"]) < sum(
        o["count"] for o in _want(investors, users, 30))


def test_stale_rejects_bad_days(client, member):
    for bad in ("0", "x", "-3"):
        response = client.get(f"/api/dashboard/stale?days={bad}", headers=member["headers"])
        assert response.status_code == 422 and "days" in response.text
