"""A PATCH answers with the record as a GET reads it afterwards, for every kind of field:
the answer is built from the values written, not read back, so it must not drift."""
from bench.seed import field_specs

VALUES = {
    "text": "Family office", "long_text": "Line one\nline two", "number": 12.0,
    "currency": 2_500_000, "percent": 0.125, "date": "2026-03-04", "checkbox": True,
    "single_select": "Alpha", "multi_select": ["Beta", "Alpha"], "email": "lp@fund.example",
    "url": "https://fund.example/lp", "phone": "+1 555 0100", "user": None,
}


def test_the_answer_is_the_record_a_get_reads(client, admin):
    h = admin["headers"]
    fields = []
    for spec in field_specs(len(VALUES) + 2):
        made = client.simulate_post("/api/fundraising/fields", headers=h, json=spec)
        assert made.status_code == 201, made.json
        fields.append(made.json)
    made = client.simulate_post("/api/fundraising/investors", headers=h,
                                json={"name": "Birch", "fields": {}})
    record = made.json
    other = client.simulate_post("/api/fundraising/investors", headers=h,
                                 json={"name": "Cedar"}).json
    edits = []
    for field in fields:
        if field["type"] == "link":
            edits.append({field["name"]: [other["id"]]})
        elif field["type"] == "user":
            edits.append({field["name"]: admin["id"]})
        elif field["type"] in VALUES:
            edits.append({field["name"]: VALUES[field["type"]]})
    edits += [{"Stage": "Intro", "Check Size": 250_000}, {fields[0]["name"]: None}]
    for edit in edits:
        answer = client.simulate_patch(f"/api/fundraising/investors/{record['id']}",
                                       headers=h, json={"expected_version": record["version"],
                                                        "fields": edit})
        assert answer.status_code == 200, (edit, answer.json)
        record = answer.json
        read = client.simulate_get(f"/api/fundraising/investors/{record['id']}", headers=h)
        assert record == read.json, edit
    assert record["fields"]["Stage"] == "Intro"
    assert fields[0]["name"] not in record["fields"]
