"""Who may change what through the whole-grid PUT, its size limits, manual backups and
field names unique by casefold()."""
import copy
import time

import pytest
from click.testing import CliRunner
from falcon import testing

from core.app import create_app
from core.cli import build_cli
from core.context import ConfigError
from plugins.fundraising import models
from plugins.backups.store import BackupStore
from plugins.fundraising.records import RecordStore

PREFIX = "/api/fundraising"
STATE = f"{PREFIX}/state"


def grid(client, user):
    result = client.simulate_get(STATE, headers=user["headers"])
    assert result.status_code == 200, result.json
    return result.json


def put(client, user, version, state):
    return client.simulate_put(STATE, headers=user["headers"],
                               json={"expected_version": version, "state": state})


def add_field(client, admin, name, table="investors", ftype="text", **extra):
    result = client.simulate_post(f"{PREFIX}/fields", headers=admin["headers"],
                                  json={"table": table, "name": name, "type": ftype, **extra})
    assert result.status_code == 201, result.json
    return result.json


def seed_investors(crm, count, prefix="Investor"):
    with crm.write() as db:
        store = RecordStore(db, "investors")
        return [store.create(f"{prefix} {i}", {}, None)["id"] for i in range(count)]


def live_count(crm, table="investors"):
    return crm.db.execute(f"SELECT count(*) FROM fundraising_{table} "
                          "WHERE deleted_at IS NULL").fetchone()[0]


@pytest.fixture
def configured(crm, monkeypatch):
    """A client of an app started with the given CRM_FUNDRAISING_* settings."""
    def make(**settings):
        for name, value in settings.items():
            monkeypatch.setenv(f"CRM_FUNDRAISING_{name.upper()}", str(value))
        return testing.TestClient(create_app(crm))
    return make


# 1. Fields change only for admins, also through PUT /state


def test_member_cannot_change_fields_through_state(crm, client, admin, member):
    sector = add_field(client, admin, "Sector")
    add_field(client, admin, "Region")
    seed_investors(crm, 1)
    got = grid(client, member)
    fields_before = copy.deepcopy(got["state"]["fields"])

    def changed(edit):
        state = copy.deepcopy(got["state"])
        state["investors"][0]["fields"]["Stage"] = "Intro"  # a record edit in the same PUT
        edit(state["fields"])
        return state

    def by_name(fields, name):
        return next(f for f in fields if f["name"] == name)

    edits = {
        "create": lambda fs: fs.append({"table": "investors", "name": "Secret", "type": "text"}),
        "rename": lambda fs: by_name(fs, "Sector").update(name="Industry"),
        "retype": lambda fs: by_name(fs, "Sector").update(type="number"),
        "reorder": lambda fs: by_name(fs, "Sector").update(position=99),
        "options": lambda fs: by_name(fs, "Stage").update(options={"choices": ["Only"]}),
        "archive": lambda fs: fs.remove(by_name(fs, "Region")),
    }
    for what, edit in edits.items():
        result = put(client, member, got["version"], changed(edit))
        assert result.status_code == 403, (what, result.json)
        error = result.json["error"]
        assert error["field"] == "state.fields", what
        assert "admin" in error["message"] and "state.fields" in error["message"], what
    after = grid(client, admin)
    assert after["version"] == got["version"]  # nothing applied, not even the record edit
    assert after["state"]["fields"] == fields_before
    assert "Stage" not in after["state"]["investors"][0]["fields"]
    assert by_name(after["state"]["fields"], "Sector")["id"] == sector["id"]


def test_member_may_send_the_field_list_back_unchanged(crm, client, admin, member):
    add_field(client, admin, "Sector")
    add_field(client, admin, "Fee", ftype="formula", formula="{Check Size} * 0.02")
    seed_investors(crm, 2)
    got = grid(client, member)
    state = copy.deepcopy(got["state"])
    state["investors"][0]["fields"]["Sector"] = "Fintech"
    result = put(client, member, got["version"], state)
    assert result.status_code == 200, result.json
    assert result.json["changes"]["fields"] == {"created": 0, "updated": 0, "archived": 0,
                                                "restored": 0}
    assert result.json["changes"]["investors"]["updated"] == 1


def test_admin_still_changes_fields_through_state(client, admin):
    got = grid(client, admin)
    state = {"fields": [*got["state"]["fields"],
                        {"table": "investors", "name": "Sector", "type": "text"}]}
    result = put(client, admin, got["version"], state)
    assert result.status_code == 200, result.json
    assert result.json["changes"]["fields"]["created"] == 1


# 2. A member's PUT archives at most CRM_FUNDRAISING_MEMBER_ARCHIVE_LIMIT rows


def test_member_put_of_empty_table_is_refused_over_the_default_limit(crm, client, member):
    seed_investors(crm, 30)
    got = grid(client, member)
    result = put(client, member, got["version"], {"investors": []})
    assert result.status_code == 422, result.json
    error = result.json["error"]
    assert error["field"] == "state.investors" and error["code"] == "archive_limit"
    assert "30" in error["message"] and "25" in error["message"]
    assert (error["would_archive"], error["limit"]) == (30, 25)
    assert live_count(crm) == 30
    assert grid(client, member)["version"] == got["version"]


def test_member_archive_limit_is_a_setting_summed_over_tables(crm, admin, member,
                                                             configured):
    client = configured(member_archive_limit=2)
    seed_investors(crm, 3)
    with crm.write() as db:
        RecordStore(db, "funds").create("Fund I", {}, None)
    got = grid(client, member)
    state = got["state"]
    three = put(client, member, got["version"], {"investors": []})
    assert three.status_code == 422 and three.json["error"]["limit"] == 2
    assert three.json["error"]["would_archive"] == 3
    # 2 investors + 1 fund: 3 rows in all, over the limit; the bigger table is named
    mixed = put(client, member, got["version"],
                {"investors": state["investors"][:1], "funds": []})
    assert mixed.status_code == 422, mixed.json
    assert mixed.json["error"]["field"] == "state.investors"
    assert mixed.json["error"]["would_archive"] == 3
    assert live_count(crm) == 3 and live_count(crm, "funds") == 1
    two = put(client, member, got["version"], {"investors": state["investors"][:1]})
    assert two.status_code == 200, two.json
    assert two.json["changes"]["investors"]["archived"] == 2


def test_admin_is_not_capped_by_the_member_archive_limit(crm, client, admin):
    seed_investors(crm, 30)
    got = grid(client, admin)
    result = put(client, admin, got["version"], {"investors": []})
    assert result.status_code == 200, result.json
    assert result.json["changes"]["investors"]["archived"] == 30


@pytest.mark.parametrize("value", ["-1", "many"])
def test_bad_archive_limit_stops_the_start_naming_the_setting(crm, monkeypatch, value):
    monkeypatch.setenv("CRM_FUNDRAISING_MEMBER_ARCHIVE_LIMIT", value)
    with pytest.raises(ConfigError, match="CRM_FUNDRAISING_MEMBER_ARCHIVE_LIMIT"):
        create_app(crm)


# 3. Size limits of PUT /state, checked before any work


def test_too_many_rows_are_refused_before_any_work(crm, client, admin):
    got = grid(client, admin)
    rows = [{"name": f"Row {i}"} for i in range(models.MAX_STATE_RECORDS + 1)]
    started = time.perf_counter()
    result = put(client, admin, got["version"], {"investors": rows})
    assert result.status_code == 422, result.json
    assert result.json["error"]["field"] == "state.investors"
    assert time.perf_counter() - started < 5
    assert live_count(crm) == 0
    half = [{"name": f"Row {i}"} for i in range(models.MAX_STATE_RECORDS // 2 + 1)]
    total = put(client, admin, got["version"], {"investors": half, "contacts": half})
    assert total.status_code == 422, total.json
    assert total.json["error"]["field"] == "state"
    assert str(models.MAX_STATE_RECORDS) in total.json["error"]["message"].replace(",", "")
    assert live_count(crm) == 0 and live_count(crm, "contacts") == 0


@pytest.mark.parametrize("state, field", [
    ({"investors": [{"name": "x" * 1001}]}, "state.investors.0.name"),
    ({"fields": [{"table": "investors", "name": "F", "type": "formula",
                  "formula": "1" * 10_001}]}, "state.fields.0.formula"),
    ({"fields": [{"table": "investors", "name": "S", "type": "single_select",
                  "options": {"choices": ["c" * 1001]}}]}, "state.fields.0.options.choices.0"),
    ({"views": [{"table": "investors", "name": "V", "hidden": ["h" * 201]}]},
     "state.views.0.hidden.0"),
    ({"views": [{"table": "investors", "name": "V", "order": list(range(1001))}]},
     "state.views.0.order"),
    ({"fields": [{"table": "investors", "name": f"F{i}", "type": "text"}
                 for i in range(1001)]}, "state.fields"),
])
def test_oversized_strings_and_lists_are_422_naming_the_field(client, admin, state, field):
    got = grid(client, admin)
    result = put(client, admin, got["version"], state)
    assert result.status_code == 422, result.json
    assert result.json["error"]["field"].startswith(field)  # a union adds its branch
    assert grid(client, admin)["version"] == got["version"]


# 4. Manual backups: admins only, a capped number, and deletable


def test_members_cannot_take_manual_backups(client, member):
    result = client.simulate_post(f"{PREFIX}/backup", headers=member["headers"])
    assert result.status_code == 403
    assert client.simulate_get(f"{PREFIX}/backups", headers=member["headers"]).json == {
        "backups": []}


def test_manual_backups_beyond_the_limit_are_refused_until_one_is_deleted(crm, admin,
                                                                          configured):
    client = configured(manual_backup_limit=2)
    h = admin["headers"]
    first, second = (client.simulate_post(f"{PREFIX}/backup", headers=h) for _ in range(2))
    assert (first.status_code, second.status_code) == (201, 201)
    BackupStore(crm).create("scheduled")  # other kinds do not count
    third = client.simulate_post(f"{PREFIX}/backup", headers=h)
    assert third.status_code == 409, third.json
    error = third.json["error"]
    assert error["code"] == "manual_backup_limit" and error["limit"] == 2
    assert "delete" in error["message"].lower() and "2" in error["message"]
    assert len(BackupStore(crm).list_backups()) == 3
    deleted = client.simulate_delete(f"{PREFIX}/backups/{first.json['id']}", headers=h)
    assert deleted.status_code == 200, deleted.json
    assert client.simulate_post(f"{PREFIX}/backup", headers=h).status_code == 201


def test_delete_backup_removes_files_and_is_audited(crm, client, admin, member):
    made = client.simulate_post(f"{PREFIX}/backup", headers=admin["headers"]).json
    folder = crm.settings.data_dir / "backups"
    url = f"{PREFIX}/backups/{made['id']}"
    assert client.simulate_delete(url, headers=member["headers"]).status_code == 403
    result = client.simulate_delete(url, headers=admin["headers"])
    assert result.status_code == 200, result.json
    assert result.json["id"] == made["id"] and result.json["kind"] == "manual"
    assert not (folder / f"{made['id']}.db").exists()
    assert not (folder / f"{made['id']}.json").exists()
    assert client.simulate_get(f"{PREFIX}/backups", headers=admin["headers"]).json == {
        "backups": []}
    entry = crm.db.execute("SELECT action, actor_id FROM audit_log WHERE table_name = "
                           "'backups' AND row_id = ? ORDER BY id DESC", [made["id"]]).fetchone()
    assert tuple(entry) == ("delete", admin["id"])
    assert client.simulate_delete(url, headers=admin["headers"]).status_code == 404


@pytest.mark.parametrize("backup_id", [
    "20261126T113800Z-ab12cd", "..", "%2e%2e", "..%2F..%2Fcrm", "crm.db", "%C2%B2",
    # Arabic-Indic digits in the place of ASCII ones
    "%D9%A2%D9%A0%D9%A2%D9%A6%D9%A1%D9%A1%D9%A2%D9%A6T113800Z-ab12cd",
    "20261126T113800Z-ab12cd%0A", "9" * 40])
def test_delete_unknown_or_odd_backup_id_is_404(client, admin, backup_id):
    client.simulate_post(f"{PREFIX}/backup", headers=admin["headers"])
    result = client.simulate_delete(f"{PREFIX}/backups/{backup_id}", headers=admin["headers"])
    assert result.status_code == 404, (backup_id, result.json)


def test_cli_backup_delete(make_settings):
    settings = make_settings()

    def run(*args):
        return CliRunner().invoke(build_cli(settings), list(args))

    created = run("backup", "create")
    backup_id = created.output.split("Created backup ")[1].split()[0]
    deleted = run("backup", "delete", backup_id)
    assert deleted.exit_code == 0, deleted.output
    assert f"Deleted backup {backup_id}" in deleted.output
    assert backup_id not in run("backup", "list").output
    again = run("backup", "delete", backup_id)
    assert again.exit_code == 1 and "No backup" in again.output
    assert run("backup", "delete", "../crm").exit_code == 1


def test_cli_backup_create_keeps_to_the_manual_limit(make_settings, monkeypatch):
    monkeypatch.setenv("CRM_FUNDRAISING_MANUAL_BACKUP_LIMIT", "1")
    settings = make_settings()
    first = CliRunner().invoke(build_cli(settings), ["backup", "create"])
    assert first.exit_code == 0, first.output
    second = CliRunner().invoke(build_cli(settings), ["backup", "create"])
    assert second.exit_code == 1 and "crm backup delete" in second.output
    monkeypatch.setenv("CRM_FUNDRAISING_MANUAL_BACKUP_LIMIT", "-1")
    bad = CliRunner().invoke(build_cli(settings), ["backup", "create"])
    assert bad.exit_code == 1 and "CRM_FUNDRAISING_MANUAL_BACKUP_LIMIT" in bad.output


# 5. Field names are unique by str.casefold()


@pytest.mark.parametrize("first, second", [("Énergie", "énergie"), ("Straße", "STRASSE"),
                                           ("Sector", "sector")])
def test_field_names_collide_by_casefold(client, admin, first, second):
    add_field(client, admin, first)
    clash = client.simulate_post(f"{PREFIX}/fields", headers=admin["headers"],
                                 json={"table": "investors", "name": second, "type": "text"})
    assert clash.status_code == 409, clash.json
    assert clash.json["error"]["field"] == "name"
    other = add_field(client, admin, "Other")
    renamed = client.simulate_patch(f"{PREFIX}/fields/{other['id']}", headers=admin["headers"],
                                    json={"name": second})
    assert renamed.status_code == 409 and renamed.json["error"]["field"] == "name"
    own = client.simulate_patch(f"{PREFIX}/fields/{other['id']}", headers=admin["headers"],
                                json={"name": "OTHER"})
    assert own.status_code == 200, own.json  # a field may change the case of its own name
    assert add_field(client, admin, second, table="funds")["name"] == second  # other table


def test_state_put_refuses_casefold_duplicate_field(client, admin):
    add_field(client, admin, "Énergie")
    got = grid(client, admin)
    state = {"fields": [*got["state"]["fields"],
                        {"table": "investors", "name": "énergie", "type": "text"}]}
    result = put(client, admin, got["version"], state)
    assert result.status_code == 409 and result.json["error"]["field"] == "name"
    assert grid(client, admin)["version"] == got["version"]


def test_import_maps_a_casefold_header_to_the_field_and_refuses_twin_new_fields(client, admin):
    sector = add_field(client, admin, "Straße")
    h = admin["headers"]
    body = {"table": "investors", "csv": "Name,STRASSE\nAcme,Main\n", "confirm": True}
    done = client.simulate_post(f"{PREFIX}/import", headers=h, json=body)
    assert done.status_code == 200, done.json
    assert done.json["new_fields"] == []
    records = client.simulate_get(f"{PREFIX}/investors", headers=h).json["records"]
    assert records[0]["fields"] == {"Straße": "Main"}
    twins = client.simulate_post(f"{PREFIX}/import", headers=h, json={
        "table": "investors", "csv": "Name,A,B\nBirch,x,y\n", "confirm": True,
        "mapping": {"A": "Énergie", "B": "énergie"}})
    assert twins.status_code in (409, 422), twins.json
    assert twins.json["error"]["field"] in ("name", "mapping")
    names = [f["name"] for f in client.simulate_get(f"{PREFIX}/fields", headers=h,
                                                    params={"table": "investors"}).json["fields"]]
    assert "Énergie" not in names and "énergie" not in names and sector["name"] in names
