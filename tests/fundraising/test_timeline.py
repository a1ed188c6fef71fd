"""GET /api/fundraising/{table}/{id}/timeline: merged entries, newest first, paged."""
from core import hookimpl

BASE = "/api/fundraising"


def make_investor(client, headers, edits=3):
    made = client.simulate_post(f"{BASE}/investors", headers=headers, json={"name": "Acme"})
    assert made.status_code == 201, made.json
    url = f"{BASE}/investors/{made.json['id']}"
    for version in range(1, edits + 1):
        patched = client.simulate_patch(url, headers=headers, json={
            "expected_version": version, "fields": {"Check Size": version * 1000}})
        assert patched.status_code == 200, patched.json
    return made.json["id"], url


def test_record_timeline_changes_match_history_and_page(client, admin):
    h = admin["headers"]
    _, url = make_investor(client, h)
    history = client.simulate_get(f"{url}/history", headers=h).json["entries"]
    seen, cursor = [], None
    while True:
        query = "kind=change&limit=2" + (f"&before={cursor}" if cursor else "")
        page = client.simulate_get(f"{url}/timeline?{query}", headers=h)
        assert page.status_code == 200, page.json
        seen += page.json["entries"]
        cursor = page.json["next"]
        if not cursor:
            break
    assert [e["summary"] for e in seen] == [e["summary"] for e in history]
    assert {e["kind"] for e in seen} == {"change"}
    assert seen[0]["actor"]["name"] == history[0]["actor"]["name"]


def test_record_timeline_merges_plugins_with_equal_times(crm, client, admin):
    h = admin["headers"]
    record_id, url = make_investor(client, h, edits=0)
    at = "2030-01-01T00:00:00Z"

    class Notes:
        @hookimpl
        def record_timeline(self, crm, table, record_id, kinds, before, limit):
            if kinds and "note" not in kinds:
                return []
            return [{"kind": "note", "id": i, "at": at, "summary": f"n{i}",
                     "actor": admin["id"] if i else None}
                    for i in range(5) if before is None or at <= before]

    crm.pm.register(Notes(), name="test-notes")
    try:
        seen, cursor = [], None
        while True:
            query = "limit=2&kind=note" + (f"&before={cursor}" if cursor else "")
            page = client.simulate_get(f"{url}/timeline?{query}", headers=h).json
            seen += [e["summary"] for e in page["entries"]]
            cursor = page["next"]
            if not cursor:
                break
        assert sorted(seen) == [f"n{i}" for i in range(5)] and len(set(seen)) == 5
        both = client.simulate_get(f"{url}/timeline", headers=h).json["entries"]
        assert both[0]["kind"] == "note" and both[-1]["kind"] == "change"
        actors = [e["actor"] for e in both if e["kind"] == "note"]
        assert None in actors and {"id": admin["id"], "name": both[-1]["actor"]["name"]} in actors
    finally:
        crm.pm.unregister(name="test-notes")


def test_record_timeline_rejects_bad_input(client, admin):
    h = admin["headers"]
    _, url = make_investor(client, h, edits=0)
    bad = client.simulate_get(f"{url}/timeline?kind=change,bogus", headers=h)
    assert bad.status_code == 422 and bad.json["error"]["field"] == "kind"
    assert client.simulate_get(f"{url}/timeline?limit=0", headers=h).status_code == 422
    assert client.simulate_get(f"{url}/timeline?limit=201", headers=h).status_code == 422
    assert client.simulate_get(f"{BASE}/investors/99999/timeline",
                               headers=h).status_code == 404
    assert client.simulate_delete(url, headers=h).status_code == 200
    assert client.simulate_get(f"{url}/timeline", headers=h).status_code == 404


def test_record_timeline_needs_a_session(client, admin):
    record_id, url = make_investor(client, admin["headers"], edits=0)
    assert client.simulate_get(f"{url}/timeline").status_code == 401
