"""The team's Airtable export (tests/fixtures/airtable_investors.csv): owners without an
account are mapped, never dropped; the preview lists each change old -> new, lets a new
column's type be chosen, and warns before overwriting an edit made in the CRM."""
import csv
import io
from collections import Counter
from pathlib import Path

from click.testing import CliRunner

from core.cli import build_cli

FIXTURE = Path(__file__).parent.parent / "fixtures" / "airtable_investors.csv"
OWNERS = Counter(row["Owner"] for row in csv.DictReader(FIXTURE.open(encoding="utf-8")))
PRIYA_ROWS, TOM_ROWS = OWNERS["Priya Shah"], OWNERS["Tom Okafor"]  # 7 and 10 of 40


def fixture_text():
    return FIXTURE.read_text(encoding="utf-8")


def post(client, headers, path, **body):
    return client.simulate_post(f"/api/fundraising/{path}", headers=headers,
                                json={"table": "investors", "csv": fixture_text(), **body})


def records(client, headers):
    answer = client.simulate_get("/api/fundraising/investors", headers=headers,
                                 params={"limit": "1000"}).json
    return {r["name"]: r for r in answer["records"]}


def test_every_row_imports_and_unknown_owners_are_kept_by_default(client, admin, member):
    h = admin["headers"]
    preview = post(client, h, "import/preview")
    assert preview.status_code == 200, preview.json
    assert preview.json["creates"] == 40 and preview.json["error_rows"] == 0
    people = {p["name"]: p for p in preview.json["people"]}
    assert set(people) == {"Priya Shah", "Tom Okafor"}
    assert people["Priya Shah"]["rows"] == PRIYA_ROWS and people["Tom Okafor"]["rows"] == TOM_ROWS
    assert people["Priya Shah"]["action"] == "keep"
    assert people["Priya Shah"]["kept_in"] == "Owner (imported)"
    assert preview.json["kept_names"] == PRIYA_ROWS + TOM_ROWS
    assert {"name": "Owner (imported)", "type": "text", "options": {}, "inferred_type": "text",
            "column": "Owner"} in preview.json["new_fields"]

    done = post(client, h, "import", confirm=True)
    assert done.status_code == 200, done.json
    assert (done.json["creates"], done.json["skipped_rows"], done.json["applied"]) == (40, 0, True)
    stored = records(client, h)
    assert len(stored) == 40
    lp00 = stored["LP 00 Partners"]["fields"]  # owner Tom Okafor
    assert lp00.get("Owner") is None and lp00["Owner (imported)"] == "Tom Okafor"
    lp01 = stored["LP 01 Family Office"]["fields"]  # owner Max Member, a user
    assert lp01["Owner"] == member["id"] and lp01.get("Owner (imported)") is None


def test_unknown_owners_mapped_to_a_user_invited_or_kept(client, admin, member):
    h = admin["headers"]
    people = {"Priya Shah": {"action": "user", "user_id": admin["id"]},
              "Tom Okafor": {"action": "invite", "email": "tom@fund.example"}}
    preview = post(client, h, "import/preview", people=people)
    by_name = {p["name"]: p for p in preview.json["people"]}
    assert by_name["Priya Shah"]["user_name"] == "Ada Admin"
    assert by_name["Tom Okafor"]["action"] == "invite"
    assert preview.json["kept_names"] == TOM_ROWS

    done = post(client, h, "import", confirm=True, people=people)
    assert done.status_code == 200, done.json
    assert done.json["creates"] == 40
    [invite] = done.json["invites"]
    assert invite["email"] == "tom@fund.example" and "/invite#token=" in invite["invite_url"]
    pending = client.simulate_get("/api/admin/invites", headers=h).json["invites"]
    assert [i["email"] for i in pending] == ["tom@fund.example"]
    assert pending[0]["role"] == "member"
    stored = records(client, h)
    assert len(stored) == 40
    priya_owned = [r for r in stored.values() if r["fields"].get("Owner") == admin["id"]]
    tom_kept = [r for r in stored.values() if r["fields"].get("Owner (imported)") == "Tom Okafor"]
    assert len(tom_kept) == TOM_ROWS
    assert not any(r["fields"].get("Owner (imported)") == "Priya Shah" for r in stored.values())
    assert len(priya_owned) == PRIYA_ROWS + OWNERS["Ada Admin"]
    # the invitee accepts: Tom is a user now, and the next import can map his rows
    token = invite["invite_url"].split("token=")[1]
    accepted = client.simulate_post("/api/auth/accept-invite", json={
        "token": token, "name": "Tom Okafor", "password": "correct horse battery"})
    assert accepted.status_code in (200, 201), accepted.json
    again = post(client, h, "import/preview", people=people)
    assert [p["name"] for p in again.json["people"]] == ["Priya Shah"]  # Tom is a user now
    assert again.json["updates"] == TOM_ROWS  # Owner set, Owner (imported) cleared
    fields = {c["field"] for c in again.json["changes"]}
    assert fields == {"Owner", "Owner (imported)"}


def test_bad_people_choices_are_named(client, admin, member):
    h = admin["headers"]
    bad_user = post(client, h, "import/preview",
                    people={"Priya Shah": {"action": "user", "user_id": 999}})
    assert bad_user.status_code == 422 and bad_user.json["error"]["field"] == "people.Priya Shah"
    no_email = post(client, h, "import/preview", people={"Tom Okafor": {"action": "invite"}})
    assert no_email.status_code == 422 and no_email.json["error"]["field"] == "people.Tom Okafor"
    # inviting someone who already has an account uses that account
    existing = post(client, h, "import/preview",
                    people={"Tom Okafor": {"action": "invite", "email": "MAX@fund.example"}})
    tom = next(p for p in existing.json["people"] if p["name"] == "Tom Okafor")
    assert (tom["action"], tom["user_id"]) == ("user", member["id"])


def test_members_cannot_invite_through_an_import(client, admin, member):
    answer = post(client, member["headers"], "import", confirm=True,
                  people={"Tom Okafor": {"action": "invite", "email": "tom@fund.example"}})
    assert answer.status_code == 403
    assert client.simulate_get("/api/admin/invites", headers=admin["headers"]).json[
        "invites"] == []


def test_type_of_a_new_column_can_be_chosen(client, admin):
    h = admin["headers"]
    inferred = post(client, h, "import/preview").json["new_fields"]
    vintage = next(f for f in inferred if f["name"] == "Vintage")
    assert (vintage["type"], vintage["inferred_type"]) == ("number", "number")
    chosen = post(client, h, "import/preview", types={"Vintage": "single_select",
                                                      "Website": "text"})
    fields = {f["name"]: f for f in chosen.json["new_fields"]}
    assert fields["Vintage"]["type"] == "single_select"
    assert fields["Vintage"]["inferred_type"] == "number"
    assert "2026" in fields["Vintage"]["options"]["choices"]
    assert fields["Website"]["type"] == "text"
    done = post(client, h, "import", confirm=True, types={"Vintage": "single_select"})
    assert done.status_code == 200 and done.json["creates"] == 40
    listed = client.simulate_get("/api/fundraising/fields", headers=h,
                                 params={"table": "investors"}).json["fields"]
    assert next(f for f in listed if f["name"] == "Vintage")["type"] == "single_select"
    assert records(client, h)["LP 01 Family Office"]["fields"]["Vintage"] == "2021"
    wrong = post(client, h, "import/preview", types={"Stage": "number"})
    assert wrong.status_code == 422 and wrong.json["error"]["field"] == "types.Stage"
    bad_type = post(client, h, "import/preview", types={"Vintage": "formula"})
    assert bad_type.status_code == 422


def edited_file():
    """The fixture with LP 01's stage and LP 02's check size changed, as a later export."""
    rows = list(csv.reader(io.StringIO(fixture_text())))
    header = rows[0]
    stage, check = header.index("Stage"), header.index("Check Size")
    rows[2][stage] = "Diligence"  # LP 01: Committed -> Diligence
    rows[3][check] = "$600,000"  # LP 02: $500,000 -> $600,000
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue()


def test_change_list_and_overwrite_warning(client, admin):
    h = admin["headers"]
    assert post(client, h, "import", confirm=True).json["creates"] == 40
    stored = records(client, h)
    lp01, lp02 = stored["LP 01 Family Office"], stored["LP 02 Foundation"]
    # a teammate edits LP 01's stage in the CRM after the import
    edit = client.simulate_patch(f"/api/fundraising/investors/{lp01['id']}", headers=h,
                                 json={"fields": {"Stage": "Meeting"},
                                       "expected_version": lp01["version"]})
    assert edit.status_code == 200, edit.json
    preview = post(client, h, "import/preview", csv=edited_file())
    assert preview.json["updates"] == 2 and preview.json["unchanged"] == 38
    changes = {(c["record"], c["field"]): c for c in preview.json["changes"]}
    assert set(changes) == {("LP 01 Family Office", "Stage"), ("LP 02 Foundation", "Check Size")}
    stage = changes[("LP 01 Family Office", "Stage")]
    assert (stage["old"], stage["new"]) == ("Meeting", "Diligence")
    assert stage["edited_in_crm"] is True and stage["edited_by"] == "Ada Admin"
    check = changes[("LP 02 Foundation", "Check Size")]
    assert (check["old"], check["new"], check["edited_in_crm"]) == ("$500,000", "$600,000", False)
    assert check["record_id"] == lp02["id"] and check["row"] == 3
    assert (preview.json["overwrites"], preview.json["overwrite_rows"]) == (1, 1)
    # the full list as CSV
    full = post(client, h, "import/changes", csv=edited_file())
    assert full.status_code == 200 and full.headers["content-type"].startswith("text/csv")
    lines = list(csv.reader(io.StringIO(full.text)))
    assert lines[0][:6] == ["Row", "Record id", "Record", "Field", "Old value", "New value"]
    assert sorted(line[3] for line in lines[1:]) == ["Check Size", "Stage"]
    # once imported, the import's own update is not a CRM edit
    assert post(client, h, "import", confirm=True, csv=edited_file()).json["updates"] == 2
    rows = list(csv.reader(io.StringIO(fixture_text())))
    rows[2][rows[0].index("Stage")] = "Committed"
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    back = post(client, h, "import/preview", csv=out.getvalue())
    assert back.json["overwrites"] == 0 and back.json["changed_fields"] == 2


def test_cli_keeps_unknown_owners_and_takes_choices(make_settings, admin):
    runner = CliRunner()
    cli = build_cli(make_settings())
    result = runner.invoke(cli, ["import", "airtable", str(FIXTURE), "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "40 rows: 40 created" in result.output
    assert "'Priya Shah' (7 rows): kept as text in 'Owner (imported)'" in result.output
    result = runner.invoke(cli, ["import", "airtable", str(FIXTURE), "--owner",
                                 "Priya Shah=ada@fund.example", "--owner", "Tom Okafor=keep"])
    assert result.exit_code == 0, result.output
    assert "40 created" in result.output
    assert "'Priya Shah' (7 rows): Ada Admin" in result.output
    bad = runner.invoke(cli, ["import", "airtable", str(FIXTURE), "--owner", "Priya Shah"])
    assert bad.exit_code != 0 and "NAME=USER" in bad.output


def test_a_reimport_maps_people_as_the_last_import_did(client, admin):
    h = admin["headers"]
    people = {"Priya Shah": {"action": "user", "user_id": admin["id"]}}
    assert post(client, h, "import", confirm=True, people=people).json["creates"] == 40
    again = post(client, h, "import/preview")  # no choices: the last import's mapping holds
    priya = next(p for p in again.json["people"] if p["name"] == "Priya Shah")
    assert (priya["action"], priya["user_id"], priya["remembered"]) == ("user", admin["id"], True)
    assert (again.json["updates"], again.json["unchanged"]) == (0, 40)
    # choosing to keep the name as text is a change, listed old -> new, and is remembered
    kept = post(client, h, "import", confirm=True, people={"Priya Shah": {"action": "keep"}})
    assert kept.json["updates"] == PRIYA_ROWS
    owner = [c for c in kept.json["changes"] if c["field"] == "Owner"]
    assert {(c["old"], c["new"]) for c in owner} == {("Ada Admin", "")}
    last = post(client, h, "import/preview").json
    assert next(p for p in last["people"] if p["name"] == "Priya Shah")["action"] == "keep"
    assert last["updates"] == 0
