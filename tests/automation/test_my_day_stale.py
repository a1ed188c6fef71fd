"""My day's stale investors: `stale_days` from ?stale_days= (1..365) or the
AUTOMATION_STALE_DAYS setting."""
from datetime import date, timedelta

import pytest

from core.errors import APIError
from core.settings import ConfigError
from plugins.automation.my_day import tasks_of_day



def _owned(client, admin, ages):
    ids = {}
    for ago in ages:
        fields = {"Owner": admin["id"],
                  "Last Contact": (date.today() - timedelta(days=ago)).isoformat()}
        made = client.simulate_post("/api/fundraising/investors", headers=admin["headers"],
                                    json={"name": f"{ago} days", "fields": fields})
        assert made.status_code == 201, made.json
        ids[ago] = made.json["id"]
    return ids


def _stale(part):
    return {s["id"] for s in part["stale_investors"]}


def test_stale_days_comes_from_the_setting_or_the_parameter(crm, client, admin, monkeypatch):
    ids = _owned(client, admin, (10, 40, 100))
    assert _stale(tasks_of_day(crm, admin)) == {ids[40], ids[100]}  # the default: 30
    monkeypatch.setenv("AUTOMATION_STALE_DAYS", "7")
    assert _stale(tasks_of_day(crm, admin)) == set(ids.values())
    assert _stale(tasks_of_day(crm, admin, {"stale_days": "60"})) == {ids[100]}
    assert _stale(tasks_of_day(crm, admin, {"stale_days": "365"})) == set()
    for bad in ("0", "366", "-3", "ten", "1.5", ""):
        with pytest.raises(APIError) as caught:
            tasks_of_day(crm, admin, {"stale_days": bad})
        assert caught.value.field == "stale_days" and caught.value.status.startswith("422")


def test_a_bad_stale_days_setting_stops_the_start(make_crm, monkeypatch):
    monkeypatch.setenv("AUTOMATION_STALE_DAYS", "400")
    with pytest.raises(ConfigError, match="AUTOMATION_STALE_DAYS"):
        make_crm()


def test_my_day_route_takes_stale_days(crm, client, admin):
    ids = _owned(client, admin, (10, 40))
    h = admin["headers"]
    day = client.simulate_get("/api/me/day", headers=h, params={"stale_days": "5"})
    assert day.status_code == 200 and _stale(day.json) == set(ids.values())
    bad = client.simulate_get("/api/me/day", headers=h, params={"stale_days": "0"})
    assert bad.status_code == 422 and bad.json["error"]["field"] == "stale_days"


def test_a_long_stale_list_shows_the_longest_without_contact_first(crm, client, admin):
    ids = _owned(client, admin, [40 + n for n in range(55)])
    never = client.simulate_post("/api/fundraising/investors", headers=admin["headers"],
                                 json={"name": "Never", "fields": {"Owner": admin["id"]}})
    part = tasks_of_day(crm, admin, {"stale_days": "30"})
    shown = [s["id"] for s in part["stale_investors"]]
    oldest_first = [ids[ago] for ago in sorted(ids, reverse=True)]
    assert shown == [never.json["id"], *oldest_first][:50]
