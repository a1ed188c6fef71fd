"""The notes plugin: notes on records, safe markdown, @mentions, timeline and My day."""
import pytest

from core.audit import history


def _record(client, headers, table="investors", name="Acme LP"):
    answer = client.simulate_post(f"/api/fundraising/{table}", headers=headers,
                                  json={"name": name, "fields": {}})
    assert answer.status_code == 201, answer.json
    return answer.json


def _note(client, headers, record_id, body, table="investors", status=201):
    answer = client.simulate_post(f"/api/fundraising/{table}/{record_id}/notes",
                                  headers=headers, json={"body": body})
    assert answer.status_code == status, answer.json
    return answer.json


def test_a_note_is_added_edited_and_deleted_with_its_history(crm, client, admin):
    h = admin["headers"]
    investor = _record(client, h)
    note = _note(client, h, investor["id"], "Met at **SuperReturn**")
    assert note["version"] == 1 and note["body"] == "Met at **SuperReturn**"
    assert "<strong>SuperReturn</strong>" in note["html"] and note["mentions"] == []
    assert note["author"] == {"id": admin["id"], "name": "Ada Admin"}
    listed = client.simulate_get(f"/api/fundraising/investors/{investor['id']}/notes",
                                 headers=h).json["notes"]
    assert [n["id"] for n in listed] == [note["id"]]
    edited = client.simulate_patch(f"/api/notes/{note['id']}", headers=h,
                                   json={"body": "Met at SuperReturn Berlin",
                                         "expected_version": 1})
    assert edited.status_code == 200, edited.json
    assert edited.json["version"] == 2 and edited.json["body"] == "Met at SuperReturn Berlin"
    deleted = client.simulate_delete(f"/api/notes/{note['id']}?expected_version=2", headers=h)
    assert deleted.status_code == 200, deleted.json
    assert client.simulate_get(f"/api/fundraising/investors/{investor['id']}/notes",
                               headers=h).json["notes"] == []
    again = client.simulate_patch(f"/api/notes/{note['id']}", headers=h, json={"body": "x"})
    assert again.status_code == 404
    entries = history(crm.db, "notes", "notes", note["id"])
    assert sorted(e["kind"] for e in entries) == ["create", "delete", "update"]
    update = next(e for e in entries if e["kind"] == "update")
    assert update["actor"]["id"] == admin["id"]
    assert update["changes"]["body"] == ["Met at **SuperReturn**",
                                         "Met at SuperReturn Berlin"]


def test_a_note_on_a_missing_or_archived_record_is_a_404(client, admin):
    h = admin["headers"]
    _note(client, h, 999_999, "nobody", status=404)
    investor = _record(client, h)
    archived = client.simulate_delete(f"/api/fundraising/investors/{investor['id']}", headers=h)
    assert archived.status_code in (200, 204), archived.json
    _note(client, h, investor["id"], "too late", status=404)


def test_only_the_author_or_an_admin_changes_a_note(client, admin, member, crm):
    from tests.conftest import add_user, login
    add_user(crm, "eve@fund.example", "member", "Eve Other")
    other = login(client, "eve@fund.example")
    investor = _record(client, admin["headers"])
    note = _note(client, member["headers"], investor["id"], "mine")
    refused = client.simulate_patch(f"/api/notes/{note['id']}", headers=other,
                                    json={"body": "theirs"})
    assert refused.status_code == 403
    assert client.simulate_delete(f"/api/notes/{note['id']}", headers=other).status_code == 403
    by_admin = client.simulate_patch(f"/api/notes/{note['id']}", headers=admin["headers"],
                                     json={"body": "fixed by admin", "expected_version": 1})
    assert by_admin.status_code == 200 and by_admin.json["version"] == 2


def test_a_stale_edit_is_a_409_naming_who_changed_the_note_and_when(client, admin, member):
    investor = _record(client, admin["headers"])
    note = _note(client, admin["headers"], investor["id"], "first")
    client.simulate_patch(f"/api/notes/{note['id']}", headers=admin["headers"],
                          json={"body": "second", "expected_version": 1})
    stale = client.simulate_patch(f"/api/notes/{note['id']}", headers=admin["headers"],
                                  json={"body": "third", "expected_version": 1})
    assert stale.status_code == 409
    error = stale.json["error"]
    assert error["code"] == "version_conflict" and error["current_version"] == 2
    assert error["updated_by"]["id"] == admin["id"] and error["updated_at"]
    gone = client.simulate_delete(f"/api/notes/{note['id']}?expected_version=1",
                                  headers=admin["headers"])
    assert gone.status_code == 409


def test_a_body_over_20000_characters_is_a_422_naming_body(client, admin, crm):
    investor = _record(client, admin["headers"])
    answer = _note(client, admin["headers"], investor["id"], "x" * 20_001, status=422)
    assert answer["error"]["field"] == "body"
    empty = _note(client, admin["headers"], investor["id"], "", status=422)
    assert empty["error"]["field"] == "body"
    assert crm.db.execute("SELECT count(*) FROM notes_notes").fetchone()[0] == 0
    _note(client, admin["headers"], investor["id"], "y" * 20_000)


@pytest.mark.parametrize("body, banned", [
    ("<script>alert(1)</script>", "<script"),
    ('<img src=x onerror="alert(1)">', "<img"),
    ("[click](javascript:alert(1))", "href=\"javascript"),
    ('<a href="javascript:alert(1)">x</a>', "<a "),
    ("[ok](JaVaScRiPt:alert(1))", "href=\"javascript"),
    ("![pixel](https://tracker.example/p.png)", "<img"),
])
def test_note_markdown_is_rendered_without_active_html(client, admin, body, banned):
    investor = _record(client, admin["headers"])
    note = _note(client, admin["headers"], investor["id"], body)
    assert banned not in note["html"].lower()
    assert note["body"] == body  # the text is kept as written


def test_safe_markdown_links_stay(client, admin):
    investor = _record(client, admin["headers"])
    note = _note(client, admin["headers"], investor["id"], "[deck](https://fund.example/deck)")
    assert 'href="https://fund.example/deck"' in note["html"]
    assert 'rel="noopener noreferrer"' in note["html"]


def test_mentions_by_name_or_email_of_active_users_only(client, admin, member, crm):
    from tests.conftest import add_user
    gone = add_user(crm, "old@fund.example", "member", "Old Timer")
    with crm.write() as db:
        db.execute("UPDATE users SET active = 0 WHERE id = ?", [gone["id"]])
    investor = _record(client, admin["headers"])
    note = _note(client, admin["headers"], investor["id"],
                 "Ask @max member, cc @ada@fund.example and @Old Timer; not @Maxwell.")
    assert {m["id"] for m in note["mentions"]} == {member["id"], admin["id"]}
    edited = client.simulate_patch(f"/api/notes/{note['id']}", headers=admin["headers"],
                                   json={"body": "Only @Ada Admin now"})
    assert [m["id"] for m in edited.json["mentions"]] == [admin["id"]]
    assert crm.db.execute("SELECT user_id FROM notes_mentions WHERE note_id = ?",
                          [note["id"]]).fetchall() == [(admin["id"],)]


def test_record_timeline_note_entries_newest_first_with_kind_filter(crm, client, admin):
    h = admin["headers"]
    investor, other = _record(client, h), _record(client, h, name="Other LP")
    first = _note(client, h, investor["id"], "first note")
    second = _note(client, h, investor["id"], "second note\nmore")
    _note(client, h, other["id"], "elsewhere")
    dropped = _note(client, h, investor["id"], "dropped")
    client.simulate_delete(f"/api/notes/{dropped['id']}", headers=h)
    with crm.write() as db:  # distinct times, so the order is by time and not by id
        for note, at in ((first, "2026-01-01T10:00:00Z"), (second, "2026-01-02T10:00:00Z")):
            db.execute("UPDATE notes_notes SET created_at = ? WHERE id = ?", [at, note["id"]])
    answer = client.simulate_get(f"/api/fundraising/investors/{investor['id']}/timeline"
                                 "?kind=note", headers=h)
    assert answer.status_code == 200, answer.json
    notes = answer.json["entries"]
    assert [e["id"] for e in notes] == [second["id"], first["id"]]
    assert notes[0]["kind"] == "note" and notes[0]["summary"] == "second note"
    assert notes[0]["actor"] == {"id": admin["id"], "name": "Ada Admin"}
    hooked = crm.pm.hook.record_timeline(crm=crm, table="investors", record_id=investor["id"],
                                         kinds={"note"}, before="2026-01-01T10:00:00Z", limit=5)
    mine = [e for part in hooked for e in part if e["kind"] == "note"]
    assert [e["id"] for e in mine] == [first["id"]]  # `before` is inclusive
    none = crm.pm.hook.record_timeline(crm=crm, table="investors", record_id=investor["id"],
                                       kinds={"task"}, before=None, limit=5)
    assert [e for part in none for e in part if e["kind"] == "note"] == []
    paged = client.simulate_get(f"/api/fundraising/investors/{investor['id']}/timeline"
                                "?kind=note&limit=1", headers=h).json
    rest = client.simulate_get(f"/api/fundraising/investors/{investor['id']}/timeline"
                               f"?kind=note&limit=1&before={paged['next']}", headers=h).json
    assert [e["id"] for e in paged["entries"] + rest["entries"]] == [second["id"], first["id"]]


def test_my_day_mentions_list_live_notes_on_live_records(client, admin, member):
    h = admin["headers"]
    live, archived = _record(client, h), _record(client, h, name="Gone LP")
    contact = _record(client, h, table="contacts", name="Jo Contact")
    kept = _note(client, h, live["id"], "@Max Member please call")
    on_contact = _note(client, h, contact["id"], "@max@fund.example intro", table="contacts")
    deleted = _note(client, h, live["id"], "@Max Member never mind")
    client.simulate_delete(f"/api/notes/{deleted['id']}", headers=h)
    _note(client, h, archived["id"], "@Max Member about Gone LP")
    client.simulate_delete(f"/api/fundraising/investors/{archived['id']}", headers=h)
    _note(client, h, live["id"], "no mention of anyone")
    day = client.simulate_get("/api/me/day", headers=member["headers"])
    assert day.status_code == 200, day.json
    mentions = day.json["mentions"]
    assert {m["id"] for m in mentions} == {kept["id"], on_contact["id"]}
    by_id = {m["id"]: m for m in mentions}
    assert by_id[kept["id"]]["record_name"] == "Acme LP"
    assert by_id[on_contact["id"]]["table"] == "contacts"
    assert client.simulate_get("/api/me/day", headers=h).json["mentions"] == []


def test_notes_routes_need_a_session(client, admin):
    investor = _record(client, admin["headers"])
    assert client.simulate_post(f"/api/fundraising/investors/{investor['id']}/notes",
                                json={"body": "x"}).status_code == 401


def test_a_restore_brings_back_a_deleted_note_and_its_mentions(make_crm):
    from plugins.backups.store import BackupStore
    from plugins.fundraising.api import fundraising
    from plugins.notes import store
    from tests.conftest import add_user
    crm = make_crm(plugins=["fundraising", "backups", "notes"])
    ada = add_user(crm, "ada@fund.example", "admin", "Ada Admin")
    investor = fundraising(crm).create("investors", {"name": "Acme LP"}, ada["id"])
    note = store.create_note(crm, "investors", investor.id, "hi @Ada Admin", ada)
    backups = BackupStore(crm)
    meta = backups.create("manual")
    store.delete_note(crm, note["id"], None, ada)
    assert store.record_notes(crm, "investors", investor.id) == []
    backups.restore(meta["id"], ada["id"])
    back = store.record_notes(crm, "investors", investor.id)
    assert [(n["id"], n["body"]) for n in back] == [(note["id"], "hi @Ada Admin")]
    assert [m["id"] for m in back[0]["mentions"]] == [ada["id"]]
