"""Ids in paths are ASCII digits only: `²` or `٣` is an unknown id (404), never a 500 and
never record 3."""
import pytest

from plugins.fundraising.records import RecordStore

PREFIX = "/api/fundraising"
SUPERSCRIPT_TWO = "%C2%B2"  # ²: str.isdigit() is true, int() fails
ARABIC_INDIC_THREE = "%D9%A3"  # ٣: str.isdigit() is true and int() gives 3


@pytest.fixture
def records(crm):
    with crm.write() as db:
        store = RecordStore(db, "investors")
        return [store.create(f"Investor {i}", {}, None) for i in range(3)]


@pytest.mark.parametrize("method, path", [
    ("GET", f"{PREFIX}/investors/{SUPERSCRIPT_TWO}"),
    ("GET", f"{PREFIX}/investors/{ARABIC_INDIC_THREE}"),
    ("PATCH", f"{PREFIX}/investors/{ARABIC_INDIC_THREE}"),
    ("DELETE", f"{PREFIX}/investors/{ARABIC_INDIC_THREE}"),
    ("GET", f"{PREFIX}/investors/{ARABIC_INDIC_THREE}/history"),
    ("POST", f"{PREFIX}/investors/{ARABIC_INDIC_THREE}/restore"),
    ("GET", f"{PREFIX}/contacts/{SUPERSCRIPT_TWO}"),
    ("PATCH", f"{PREFIX}/views/{SUPERSCRIPT_TWO}"),
    ("DELETE", f"{PREFIX}/views/{SUPERSCRIPT_TWO}"),
    ("PATCH", f"{PREFIX}/fields/{SUPERSCRIPT_TWO}"),
    ("DELETE", f"{PREFIX}/fields/{SUPERSCRIPT_TWO}"),
    ("GET", f"{PREFIX}/backups/{SUPERSCRIPT_TWO}/verify"),
    ("GET", f"{PREFIX}/backups/{ARABIC_INDIC_THREE}/verify"),
    ("PATCH", f"/api/feature-requests/{SUPERSCRIPT_TWO}"),
])
def test_non_ascii_digit_ids_are_not_found(client, admin, records, method, path):
    body = {"expected_version": 1} if method == "PATCH" else None
    result = client.simulate_request(method, path, headers=admin["headers"], json=body)
    assert result.status_code in (404, 422), (path, result.status_code, result.text)
    record = client.simulate_get(f"{PREFIX}/investors/{records[2]['id']}",
                                 headers=admin["headers"]).json
    assert record["name"] == "Investor 2" and record["version"] == 1  # not record 3


def test_arabic_indic_three_is_not_record_three(client, admin, records):
    assert records[2]["id"] == 3
    result = client.simulate_get(f"{PREFIX}/investors/{ARABIC_INDIC_THREE}",
                                 headers=admin["headers"])
    assert result.status_code == 404
    assert "Investor 2" not in result.text
