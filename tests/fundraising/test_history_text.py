"""Record history in words: people's names, values as the grid shows them, record links."""
import pytest

BASE = "/api/fundraising"


def add_field(client, headers, table, name, ftype, **options):
    body = {"table": table, "name": name, "type": ftype} | ({"options": options} if options
                                                              else {})
    result = client.simulate_post(f"{BASE}/fields", headers=headers, json=body)
    assert result.status_code == 201, result.json
    return result.json


@pytest.fixture
def acme(client, admin, member):
    """An investor edited by Ada (owner, sectors, date, amount, percent), then archived,
    its owner deactivated and the percent field deleted: history still names and formats
    them all."""
    h = admin["headers"]
    add_field(client, h, "investors", "Sectors", "multi_select", choices=["AI, ML", "Fintech",
                                                                          "Climate"])
    probability = add_field(client, h, "investors", "Probability", "percent")
    made = client.simulate_post(f"{BASE}/investors", headers=member["headers"],
                                json={"name": "Acme Capital", "fields": {"Sectors": ["Climate"]}})
    assert made.status_code == 201
    url = f"{BASE}/investors/{made.json['id']}"
    patched = client.simulate_patch(url, headers=h, json={"expected_version": 1, "fields": {
        "Owner": member["id"], "Sectors": ["AI, ML", "Fintech"], "Last Contact": "2025-03-12",
        "Check Size": 1250000, "Probability": 0.125}})
    assert patched.status_code == 200, patched.json
    contact = client.simulate_post(f"{BASE}/contacts", headers=h, json={
        "name": "Jo Smith", "fields": {"Investor": made.json["id"]}})
    assert contact.status_code == 201
    assert client.simulate_delete(url, headers=h).status_code == 200
    assert client.simulate_delete(f"{BASE}/fields/{probability['id']}",
                                  headers=h).status_code == 200
    gone = client.simulate_patch(f"/api/admin/users/{member['id']}", headers=h,
                                 json={"active": False})
    assert gone.status_code == 200
    return {"id": made.json["id"], "url": url, "contact": contact.json["id"]}


def by_field(entry):
    return {d["field"]: d for d in entry["details"]}


def test_history_names_people_and_formats_values(client, admin, member, acme):
    entries = client.simulate_get(f"{acme['url']}/history", headers=admin["headers"]).json[
        "entries"]
    assert [e["kind"] for e in entries] == ["archive", "update", "create"]
    archived, update, create = entries
    record = {"table": "investors", "id": acme["id"], "name": "Acme Capital", "archived": True,
              "url": f"#/grid/investors/{acme['id']}"}
    assert update["record"] == record and create["record"] == record
    # raw values stay for API clients
    assert update["changes"]["Owner"] == [None, member["id"]]
    assert update["changes"]["Sectors"] == [["Climate"], ["AI, ML", "Fintech"]]
    changed = by_field(update)
    assert list(changed) == ["Owner", "Check Size", "Last Contact", "Sectors", "Probability"]
    assert (changed["Owner"]["before_text"], changed["Owner"]["after_text"]) == (
        "empty", "Max Member")
    assert changed["Sectors"]["before_items"] == ["Climate"]
    assert changed["Sectors"]["after_items"] == ["AI, ML", "Fintech"]  # a comma stays one item
    assert changed["Last Contact"]["after_text"] == "12 Mar 2025"
    assert changed["Check Size"]["after_text"] == "$1,250,000"
    assert changed["Probability"]["after_text"] == "12.5%"
    assert changed["Probability"]["before"] is None and changed["Probability"]["after"] == 0.125
    assert update["summary"] == ("Ada Admin changed Owner, Check Size, Last Contact and 2 more "
                                 "of investor Acme Capital")
    assert create["summary"] == "Max Member created investor Acme Capital"
    assert by_field(create)["Sectors"]["after_items"] == ["Climate"]
    assert archived["summary"] == "Ada Admin archived investor Acme Capital"
    text = str(entries)
    assert "update investors" not in text and "2025-03-12T" not in text


def test_links_name_their_records_even_archived(client, admin, acme):
    entries = client.simulate_get(f"{BASE}/contacts/{acme['contact']}/history",
                                  headers=admin["headers"]).json["entries"]
    investor = by_field(entries[-1])["Investor"]
    assert investor["after"] == acme["id"]
    assert investor["after_text"] == "Acme Capital" and investor["after_items"] == [
        "Acme Capital"]
    assert entries[-1]["summary"] == "Ada Admin created contact Jo Smith"
    assert entries[-1]["record"]["url"] == f"#/grid/contacts/{acme['contact']}"


def test_values_as_the_grid_shows_them(crm):
    from plugins.fundraising.field_defs import FieldDef
    from plugins.fundraising.value_text import value_text

    def text(ftype, value, **options):
        fdef = FieldDef(1, "investors", "F", ftype, options, None, None, None, 1, 1)
        return value_text(fdef, value, None)

    assert text("currency", -5, symbol="$") == "\u2212$5"
    assert text("currency", 1250.5, symbol="€") == "€1,250.50"
    assert text("percent", 0.07) == "7%" and text("percent", 1.5) == "150%"
    assert text("number", 2026, precision=0, separator=False) == "2026"
    assert text("number", 2026, precision=0) == "2026" and text("number", 12000) == "12,000"
    assert text("percent", 0.123456) == "12.35%"
    assert text("number", 1234.5678) == "1,234.5678"
    assert text("date", "2025-03-12T14:05:00+00:00", include_time=True) == \
        "12 Mar 2025, 14:05 UTC"
    assert text("checkbox", False) == "no" and text("text", "") == "empty"
    assert text("multi_select", []) == "empty"


def test_imported_records_and_field_changes_in_words(client, admin):
    h = admin["headers"]
    csv = "Name,Stage,Fee %\r\nAcme Capital,Intro,12.5%\r\n"
    done = client.simulate_post(f"{BASE}/import", headers=h, json={
        "table": "investors", "csv": csv, "confirm": True})
    assert done.status_code == 200, done.json
    acme = client.simulate_get(f"{BASE}/investors", headers=h).json["records"][0]
    entries = client.simulate_get(f"{BASE}/investors/{acme['id']}/history",
                                  headers=h).json["entries"]
    assert entries[-1]["summary"] == "Ada Admin imported investor Acme Capital"
    assert by_field(entries[-1])["Fee %"]["after_text"] == "12.5%"
    assert client.simulate_patch(f"{BASE}/investors/{acme['id']}", headers=h, json={
        "expected_version": 1, "fields": {"Fee %": 0.2}}).status_code == 200
    fee = next(f for f in client.simulate_get(f"{BASE}/fields", headers=h,
                                              params={"table": "investors"}).json["fields"]
               if f["name"] == "Fee %")
    renamed = client.simulate_patch(f"{BASE}/fields/{fee['id']}", headers=h,
                                    json={"name": "Fee"})
    assert renamed.status_code == 200, renamed.json
    feed = client.simulate_get("/api/activity", headers=h).json["entries"]
    said = [e["summary"] for e in feed]
    assert "Ada Admin renamed the field Fee % to Fee in investors" in said
    entries = client.simulate_get(f"{BASE}/investors/{acme['id']}/history",
                                  headers=h).json["entries"]
    fee_change = by_field(entries[0])["Fee"]  # written as "Fee %": its name now, its format
    assert (fee_change["before_text"], fee_change["after_text"]) == ("12.5%", "20%")
    assert entries[0]["changes"] == {"Fee %": [0.125, 0.2]}
    assert entries[0]["summary"] == "Ada Admin changed Fee of investor Acme Capital"
    assert "Ada Admin added the field Fee % (percent) to investors" in said
    assert not [s for s in said if s.startswith(("create ", "update ", "import "))]
