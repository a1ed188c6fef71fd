"""The activity feed: members never see accounts and invites; deep pages cost one page."""
from falcon import testing

from core import hookimpl
from core.app import create_app
from core.plugin_types import ActivitySource
from tests.conftest import add_user, login


class Ticks:
    """A source of `count` entries, several sharing each timestamp; records each fetch."""

    def __init__(self, name, count, per_second=3):
        self.name = name
        self.entries = [{"at": f"2099-01-01T00:{i // per_second // 60:02d}:"
                               f"{i // per_second % 60:02d}.000000Z", "kind": "tick",
                         "summary": f"{name} {i}", "n": i} for i in range(count)][::-1]
        self.fetched = []

    @hookimpl
    def register_activity_sources(self, crm):
        def fetch(limit, before=None):
            self.fetched.append(limit)
            return [e for e in self.entries if before is None or e["at"] <= before][:limit]
        return [ActivitySource(self.name, fetch)]


def test_members_do_not_see_accounts_or_invites(crm, client, admin, member):
    invite = client.simulate_post("/api/admin/invites", headers=admin["headers"],
                                  json={"email": "lp-secret@fund.example", "role": "admin"})
    assert invite.status_code == 201
    as_admin = client.simulate_get("/api/activity", headers=admin["headers"]).json["entries"]
    assert any(e["source"] == "accounts" for e in as_admin)
    assert "lp-secret@fund.example" in str(as_admin)
    as_member = client.simulate_get("/api/activity", headers=member["headers"])
    assert as_member.status_code == 200
    assert not [e for e in as_member.json["entries"] if e["source"] == "accounts"]
    assert "lp-secret@fund.example" not in as_member.text and '"role"' not in as_member.text


def test_cursor_pages_give_every_entry_once_and_read_one_page(make_crm):
    a, b = Ticks("a", 700), Ticks("b", 500, per_second=2)
    crm = make_crm(extra_plugins={"a": a, "b": b})
    client = testing.TestClient(create_app(crm))
    add_user(crm, "ada@fund.example")
    headers = login(client, "ada@fund.example")
    seen, cursor, pages = [], None, 0
    while True:
        params = {"limit": "37"} | ({"cursor": cursor} if cursor else {})
        page = client.simulate_get("/api/activity", headers=headers, params=params).json
        seen += [(e["source"], e["n"]) for e in page["entries"] if e["source"] in ("a", "b")]
        pages += 1
        cursor = page["next_cursor"]
        assert (cursor is not None) == page["has_more"]
        if not cursor:
            break
    assert sorted(seen) == sorted([("a", i) for i in range(700)] + [("b", i) for i in range(500)])
    assert len(seen) == len(set(seen)) == 1200 and pages == 33
    # however deep the page, a source is asked for a page's worth, plus the entries of the
    # cursor's timestamp already shown (at most 3 + 2 share one here)
    assert max(a.fetched) <= 37 + 5 + 1 and max(b.fetched) <= 37 + 5 + 1


def test_deep_offsets_are_refused(client, admin):
    result = client.simulate_get("/api/activity", headers=admin["headers"],
                                 params={"offset": "100000"})
    assert result.status_code == 422 and result.json["error"]["field"] == "offset"
    bad = client.simulate_get("/api/activity", headers=admin["headers"],
                              params={"cursor": "x' OR 1=1 --~1"})
    assert bad.status_code == 422 and bad.json["error"]["field"] == "cursor"


def test_entries_name_people_records_and_fields(client, admin, member):
    """No "update investors 14": who, which record (with its link), values as text."""
    h = admin["headers"]
    field = client.simulate_post("/api/fundraising/fields", headers=h, json={
        "table": "investors", "name": "Sectors", "type": "multi_select",
        "options": {"choices": ["AI, ML", "Fintech"]}})
    assert field.status_code == 201
    made = client.simulate_post("/api/fundraising/investors", headers=member["headers"],
                                json={"name": "Acme Capital"}).json
    url = f"/api/fundraising/investors/{made['id']}"
    assert client.simulate_patch(url, headers=h, json={"expected_version": 1, "fields": {
        "Owner": member["id"], "Sectors": ["AI, ML", "Fintech"],
        "Last Contact": "2025-03-12"}}).status_code == 200
    assert client.simulate_delete(url, headers=h).status_code == 200
    assert client.simulate_post("/api/admin/invites", headers=h, json={
        "email": "bo@fund.example", "role": "member"}).status_code == 201
    feed = client.simulate_get("/api/activity", headers=h).json["entries"]
    said = [e["summary"] for e in feed]
    assert "Ada Admin added the field Sectors (multi select) to investors" in said
    assert "Max Member created investor Acme Capital" in said
    assert "Ada Admin archived investor Acme Capital" in said
    assert "Ada Admin invited bo@fund.example as member" in said
    assert "The system added Max Member (member)" in said  # made by the test, not by Ada
    update = next(e for e in feed if e["kind"] == "update" and e["source"] == "fundraising")
    assert update["summary"] == ("Ada Admin changed Owner, Last Contact and Sectors of "
                                 "investor Acme Capital")
    assert update["record"] == {"table": "investors", "id": made["id"], "name": "Acme Capital",
                                "archived": True, "url": f"#/grid/investors/{made['id']}"}
    details = {d["field"]: d for d in update["details"]}
    assert details["Owner"]["after_text"] == "Max Member" and details["Owner"]["after"] == \
        member["id"]
    assert details["Sectors"]["after_items"] == ["AI, ML", "Fintech"]
    assert details["Last Contact"]["after_text"] == "12 Mar 2025"
    assert not [s for s in said if s.split()[0] in ("create", "update", "archive")]
    as_member = client.simulate_get("/api/activity", headers=member["headers"]).json["entries"]
    assert update["summary"] in [e["summary"] for e in as_member]
    assert not [e for e in as_member if e["source"] == "accounts"]


def test_account_changes_in_words(client, admin, member):
    h = admin["headers"]
    assert client.simulate_patch(f"/api/admin/users/{member['id']}", headers=h,
                                 json={"role": "admin"}).status_code == 200
    feed = client.simulate_get("/api/activity", headers=h).json["entries"]
    change = next(e for e in feed if e["source"] == "accounts" and e["kind"] == "update")
    assert change["summary"] == "Ada Admin changed role of Max Member"
    assert [(d["field"], d["before_text"], d["after_text"]) for d in change["details"]] == [
        ("Role", "member", "admin")]
    assert change["changes"] == {"role": ["member", "admin"]}


def test_task_entries_name_people_and_link_the_investor(client, admin, member):
    h = admin["headers"]
    acme = client.simulate_post("/api/fundraising/investors", headers=h,
                                json={"name": "Acme Capital"}).json
    made = client.simulate_post("/api/tasks", headers=h, json={
        "title": "Call back", "due_date": "2026-11-20", "investor_id": acme["id"],
        "assignee_id": member["id"]})
    assert made.status_code == 201, made.json
    feed = client.simulate_get("/api/activity", headers=h).json["entries"]
    task = next(e for e in feed if e["source"] == "tasks")
    details = {d["field"]: d["after_text"] for d in task["details"]}
    assert details["Assignee"] == "Max Member" and details["Investor"] == "Acme Capital"
    assert details["Due"] == "20 Nov 2026"
    assert task["record"]["url"] == f"#/grid/investors/{acme['id']}"
