"""Each dashboard card equals the same figure computed in Python, archived records excluded."""
import random

from plugins.fundraising.api import Condition, FilterGroup, fundraising


def _stages(crm):
    return fundraising(crm).field("investors", "stage").options["choices"]


def _seed(crm, uid):
    api, rng, STAGES = fundraising(crm), random.Random(26), _stages(crm)
    investors = [api.create("investors", {"name": f"I{n}", "stage": rng.choice(STAGES),
                                          "check_size": rng.choice([None, 1e5, 2.5e5, 1e6])}, uid)
                 for n in range(30)]
    funds = [api.create("funds", {"name": f"Fund {n}", "target_size": 5e7}, uid) for n in (1, 2)]
    commitments = [api.create("commitments", {
        "name": f"C{n}", "investor": rng.choice(investors).id, "fund": rng.choice(funds).id,
        "amount": rng.choice([5e5, 1e6, 2e6]),
        "status": rng.choice(["Prospective", "Soft Circle", "Committed", "Funded", "Declined"])},
        uid) for n in range(40)]
    archived = {api.archive("investors", r.id, uid).id for r in investors[:5]}
    api.archive("commitments", commitments[-1].id, uid)
    live_inv = [api.get("investors", r.id) for r in investors if r.id not in archived]
    live_com = [c for c in commitments[:-1] if c.value("investor") not in archived]
    return live_inv, funds, live_com


def test_funnel_and_funds_match_python(crm, client, member):
    investors, funds, commitments = _seed(crm, member["id"])
    STAGES = _stages(crm)
    got = client.get("/api/dashboard/funnel", headers=member["headers"]).json
    want = [{"stage": s, "count": sum(1 for r in investors if r.value("stage") == s),
             "amount": sum(r.value("check_size") or 0 for r in investors
                           if r.value("stage") == s)} for s in STAGES]
    assert got == {"stages": want}
    assert sum(s["count"] for s in got["stages"]) == len(investors)

    got = client.get("/api/dashboard/funds", headers=member["headers"]).json["funds"]

    def total(fund, statuses):
        return sum(c.value("amount") for c in commitments
                   if c.value("fund") == fund.id and c.value("status") in statuses)
    assert got == [{"id": f.id, "name": f.name, "target": 5e7,
                    "committed": total(f, ("Committed", "Funded")),
                    "soft_circled": total(f, ("Soft Circle",)),
                    "pipeline": total(f, ("Prospective",)),
                    "first_close": None, "final_close": None} for f in funds]


def test_cards_need_a_session(client):
    assert client.get("/api/dashboard/funnel").status_code == 401


def test_cards_honour_a_saved_view(crm, client, member):
    investors, funds, commitments = _seed(crm, member["id"])
    STAGES = _stages(crm)
    api, user = fundraising(crm), {k: v for k, v in member.items() if k != "headers"}
    big = api.add_view("investors", "Big", user,
                       FilterGroup((Condition("check_size", ">=", 250000),)))
    got = client.get(f"/api/dashboard/funnel?view={big['id']}", headers=member["headers"]).json
    kept = [r for r in investors if (r.value("check_size") or 0) >= 250000]
    assert got == {"stages": [{"stage": s, "count": sum(1 for r in kept if r.value("stage") == s),
                               "amount": sum(r.value("check_size") for r in kept
                                             if r.value("stage") == s)} for s in STAGES]}
    assert 0 < len(kept) < len(investors)
    committed = api.add_view("commitments", "Firm", user,
                             FilterGroup((Condition("status", "is", "Committed"),)))
    got = client.get(f"/api/dashboard/funds?view={committed['id']}", headers=member["headers"]).json["funds"]
    assert [(f["committed"], f["soft_circled"]) for f in got] == [
        (sum(c.value("amount") for c in commitments
             if c.value("fund") == f.id and c.value("status") == "Committed"), 0) for f in funds]
    wrong = client.get(f"/api/dashboard/funds?view={big['id']}", headers=member["headers"])
    assert wrong.status_code == 422 and "view" in wrong.text
