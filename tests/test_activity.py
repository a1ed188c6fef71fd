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
