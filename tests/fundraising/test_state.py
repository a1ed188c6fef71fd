import copy
import io
import re

import orjson
from openpyxl import load_workbook

from core.app import collect_routes
from tests.fundraising.test_records import create


def xlsx_text(data: bytes) -> str:
    """Every cell of a workbook's first sheet, as text."""
    sheet = load_workbook(io.BytesIO(data), read_only=True).worksheets[0]
    return " ".join(str(v) for row in sheet.iter_rows(values_only=True) for v in row)


def audit_count(crm):
    return crm.db.execute("SELECT count(*) FROM audit_log").fetchone()[0]


def seed(client, h):
    acme = create(client, h, "investors", "Acme", **{"Stage": "Intro", "Check Size": 500000})
    beta = create(client, h, "investors", "Beta", **{"Stage": "Meeting"})
    fund = create(client, h, "funds", "Fund I", **{"Target Size": 50_000_000})
    create(client, h, "contacts", "Jo", **{"Investor": acme["id"], "Email": "jo@acme.example"})
    create(client, h, "commitments", "Acme in Fund I",
           **{"Investor": acme["id"], "Fund": fund["id"], "Amount": 500000, "Status": "Committed"})
    create(client, h, "commitments", "Beta in Fund I",
           **{"Investor": beta["id"], "Fund": fund["id"], "Amount": 250000,
              "Status": "Soft Circle"})
    client.simulate_post("/api/fundraising/views", headers=h, json={
        "table": "investors", "name": "All", "sorts": [{"field": "Name"}]})
    return acme, beta, fund


def test_get_then_put_same_state_changes_nothing(crm, client, admin):
    h = admin["headers"]
    seed(client, h)
    got = client.simulate_get("/api/fundraising/state", headers=h).json
    assert set(got["state"]) == {"fields", "investors", "contacts", "funds", "commitments",
                                 "views"}
    assert got["updated_by"] == {"id": admin["id"], "name": "Ada Admin"}
    before = audit_count(crm)
    put = client.simulate_put("/api/fundraising/state", headers=h,
                              json={"expected_version": got["version"], "state": got["state"]})
    assert put.status_code == 200, put.json
    assert put.json["version"] == got["version"]
    assert all(v == 0 for counts in put.json["changes"].values() for v in counts.values())
    assert audit_count(crm) == before
    assert client.simulate_get("/api/fundraising/state", headers=h).json == got


def test_put_writes_only_what_changed_and_archives_missing(crm, client, admin, member):
    h = admin["headers"]
    acme, beta, _ = seed(client, h)
    got = client.simulate_get("/api/fundraising/state", headers=h).json
    state = got["state"]
    state["investors"][0]["fields"]["Stage"] = "Diligence"
    state["investors"] = [r for r in state["investors"] if r["id"] != beta["id"]]
    state["investors"].append({"name": "Gamma", "fields": {"Stage": "Prospect"}})
    before = audit_count(crm)
    put = client.simulate_put("/api/fundraising/state", headers=member["headers"],
                              json={"expected_version": got["version"], "state": state})
    assert put.status_code == 200, put.json
    assert put.json["changes"]["investors"] == {"created": 1, "updated": 1, "archived": 1,
                                                "restored": 0}
    assert audit_count(crm) == before + 3
    assert put.json["version"] > got["version"]
    names = [r["name"] for r in client.simulate_get("/api/fundraising/investors",
                                                    headers=h).json["records"]]
    assert names == ["Acme", "Gamma"]
    archived = client.simulate_get("/api/fundraising/archived", headers=h).json["records"]
    assert [r["name"] for r in archived] == ["Beta"]
    history = client.simulate_get(f"/api/fundraising/investors/{acme['id']}/history",
                                  headers=h).json["entries"]
    assert history[0]["changes"] == {"Stage": ["Intro", "Diligence"]}
    assert history[0]["actor"]["id"] == member["id"]


def test_stale_state_put_is_409_with_metadata(client, admin, member):
    h = admin["headers"]
    rec = create(client, h, "investors", "Acme")
    got = client.simulate_get("/api/fundraising/state", headers=h).json
    client.simulate_patch(f"/api/fundraising/investors/{rec['id']}", headers=member["headers"],
                          json={"expected_version": 1, "fields": {"Stage": "Intro"}})
    stale = client.simulate_put("/api/fundraising/state", headers=h,
                                json={"expected_version": got["version"], "state": got["state"]})
    assert stale.status_code == 409
    error = stale.json["error"]
    assert error["code"] == "version_conflict" and error["current_version"] == got["version"] + 1
    assert error["updated_by"] == {"id": member["id"], "name": "Max Member"}
    assert client.simulate_get(f"/api/fundraising/investors/{rec['id']}",
                               headers=h).json["fields"] == {"Stage": "Intro"}


def test_bad_state_is_refused_whole(client, admin):
    h = admin["headers"]
    seed(client, h)
    got = client.simulate_get("/api/fundraising/state", headers=h).json
    state = copy.deepcopy(got["state"])
    state["investors"][0]["fields"]["Stage"] = "Diligence"
    state["investors"][1]["fields"]["Check Size"] = "lots"
    result = client.simulate_put("/api/fundraising/state", headers=h,
                                 json={"expected_version": got["version"], "state": state})
    assert result.status_code == 422
    assert result.json["error"]["field"] == "fields.Check Size"
    assert client.simulate_get("/api/fundraising/state", headers=h).json == got
    state["investors"][1]["fields"]["Check Size"] = 1
    state["investors"][1]["id"] = 999
    unknown = client.simulate_put("/api/fundraising/state", headers=h,
                                  json={"expected_version": got["version"], "state": state})
    assert unknown.status_code == 422 and unknown.json["error"]["field"] == "state.investors.1.id"


def test_export_and_summary(client, admin):
    h = admin["headers"]
    acme, beta, fund = seed(client, h)
    client.simulate_delete(f"/api/fundraising/investors/{beta['id']}", headers=h)
    export = client.simulate_get("/api/fundraising/export", headers=h)
    assert export.status_code == 200
    assert "attachment" in export.headers["content-disposition"]
    data = orjson.loads(export.content)
    assert [r["name"] for r in data["investors"]] == ["Acme"]
    assert len(data["commitments"]) == 2 and data["funds"][0]["name"] == "Fund I"
    full = orjson.loads(client.simulate_get("/api/fundraising/export", headers=h,
                                            params={"include_archived": "1"}).content)
    assert sorted(r["name"] for r in full["investors"]) == ["Acme", "Beta"]
    summary = client.simulate_get("/api/fundraising/relational-summary", headers=h).json
    assert summary["counts"] == {"investors": 1, "contacts": 1, "funds": 1, "commitments": 2}
    # Beta is archived, so its soft-circled commitment is not in the pipeline.
    assert summary["funds"] == [{"fund_id": fund["id"], "fund": "Fund I", "commitments": 1,
                                 "committed": 500000, "pipeline": 0}]
    assert summary["totals"] == {"committed": 500000, "pipeline": 0}
    assert summary["statuses"] == [{"status": "Committed", "count": 1, "amount": 500000}]


def test_archived_records_appear_on_no_read_route(crm, client, admin):
    """Walks every fundraising GET route; an archived record shows only where asked for."""
    h = admin["headers"]
    seed(client, h)
    ghost = create(client, h, "investors", "Archived Ghost Capital", **{"Stage": "Intro"})
    contact = create(client, h, "contacts", "Ghost Contact", **{"Investor": ghost["id"]})
    client.simulate_delete(f"/api/fundraising/investors/{ghost['id']}", headers=h)
    client.simulate_delete(f"/api/fundraising/contacts/{contact['id']}", headers=h)
    asked_for = {"/api/fundraising/archived", "/api/fundraising/investors/{record_id}/history",
                 "/api/fundraising/contacts/{record_id}/history"}
    checked = 0
    for template, resource in collect_routes(crm):
        if not template.startswith(("/api/fundraising", "/api/feature")) or \
                not hasattr(resource, "on_get") or template in asked_for:
            continue
        table = "contacts" if "/contacts/" in template else "investors"
        record_id = contact["id"] if table == "contacts" else ghost["id"]
        path = re.sub(r"{record_id}", str(record_id), template)
        if "{" in path:
            continue
        result = client.simulate_get(path, headers=h)
        text = xlsx_text(result.content) if path.endswith(".xlsx") else result.text
        assert "Ghost" not in text, path
        checked += 1
    assert checked >= 10
    assert "Ghost" in client.simulate_get("/api/fundraising/archived", headers=h).text


def test_feature_requests(client, member, admin):
    made = client.simulate_post("/api/feature-requests", headers=member["headers"],
                                json={"title": "Dark mode", "description": "Please"})
    assert made.status_code == 201 and made.json["status"] == "open"
    url = f"/api/feature-requests/{made.json['id']}"
    voted = client.simulate_patch(url, headers=admin["headers"],
                                  json={"votes": 3, "status": "planned", "expected_version": 1})
    assert voted.json["votes"] == 3 and voted.json["version"] == 2
    stale = client.simulate_patch(url, headers=member["headers"],
                                  json={"votes": 4, "expected_version": 1})
    assert stale.status_code == 409
    bad = client.simulate_patch(url, headers=member["headers"], json={"status": "someday"})
    assert bad.status_code == 422 and bad.json["error"]["field"] == "status"
    listed = client.simulate_get("/api/feature-requests", headers=member["headers"]).json
    assert [r["title"] for r in listed["feature_requests"]] == ["Dark mode"]
