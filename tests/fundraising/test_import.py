"""Airtable CSV exports in, cell by cell; the same file twice changes nothing."""
import csv
import io

import pytest
from click.testing import CliRunner

from core.cli import build_cli

HEADER = ["Name", "Stage", "Check Size", "Last Contact", "Sectors", "Fee %", "Strategic",
          "Website", "Notes", "Deck", "Record ID", ""]


def export(rows, header=HEADER, bom=True, crlf=True):
    """Bytes shaped like Airtable's CSV export."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n" if crlf else "\n")
    writer.writerow(header)
    writer.writerows(rows)
    text = out.getvalue()
    return (("\ufeff" if bom else "") + text).encode("utf-8")


def sample_rows(n=6):
    rows = [
        ["Acme Capital", "Intro", "$1,250,000.00", "11/25/2026", 'Fintech,"Health, Bio"',
         "12.5%", "checked", "https://acme.example", "Met at SOSV.\nFollow up in Q1, \"warm\".",
         "deck.pdf (https://dl.airtable.com/x/deck.pdf)", "recAAAAAAAAAAAA01", ""],
        ["Birch Partners", "Meeting", "-$5.00", "2026-11-24", '"Health, Bio",Fintech', "-3%", "",
         "", "", "", "recAAAAAAAAAAAA02", ""],
        ["Cedar LP", "", "", "", "", "", "", "", "", "", "recAAAAAAAAAAAA03", ""],
    ]
    for i in range(3, n):
        rows.append([f"Fund {i}", "Prospect", f"${i * 100_000:,}.00", f"1/{i}/2026", "Climate",
                     "1%", "checked" if i % 2 else "", "", f"note {i}", "",
                     f"recAAAAAAAAAAAA{i + 1:02d}", ""])
    return rows


def preview(client, headers, data, **extra):
    return client.simulate_post("/api/fundraising/import/preview", headers=headers,
                                json={"table": "investors", "csv": data.decode("utf-8-sig"),
                                      **extra})


def apply(client, headers, data, **extra):
    return client.simulate_post("/api/fundraising/import", headers=headers,
                                json={"table": "investors", "csv": data.decode("utf-8-sig"),
                                      "confirm": True, **extra})


def by_name(client, headers):
    records = client.simulate_get("/api/fundraising/investors", headers=headers,
                                  params={"limit": "1000"}).json["records"]
    return {r["name"]: r for r in records}


def test_preview_then_import_every_cell(client, admin):
    h = admin["headers"]
    data = export(sample_rows())
    pre = preview(client, h, data)
    assert pre.status_code == 200, pre.json
    assert (pre.json["rows"], pre.json["creates"], pre.json["updates"]) == (6, 6, 0)
    new = {f["name"]: f for f in pre.json["new_fields"]}
    assert new["Sectors"]["type"] == "multi_select"
    assert new["Fee %"]["type"] == "percent" and new["Strategic"]["type"] == "checkbox"
    assert new["Website"]["type"] == "url" and new["Notes"]["type"] == "long_text"
    assert "Record ID" not in new and "" not in new
    assert by_name(client, h) == {}  # preview wrote nothing
    done = apply(client, h, data)
    assert done.status_code == 200, done.json
    assert done.json["creates"] == 6 and done.json["applied"] is True
    got = by_name(client, h)
    acme = got["Acme Capital"]["fields"]
    assert acme["Stage"] == "Intro" and acme["Check Size"] == 1250000
    assert acme["Last Contact"] == "2026-11-25"
    assert acme["Sectors"] == ["Fintech", "Health, Bio"]
    assert acme["Fee %"] == pytest.approx(0.125) and acme["Strategic"] is True
    assert acme["Website"] == "https://acme.example"
    assert acme["Notes"] == "Met at SOSV.\nFollow up in Q1, \"warm\"."
    assert acme["Deck"] == "deck.pdf (https://dl.airtable.com/x/deck.pdf)"
    birch = got["Birch Partners"]["fields"]
    assert birch["Check Size"] == -5 and birch["Fee %"] == pytest.approx(-0.03)
    assert birch["Strategic"] is False and birch["Last Contact"] == "2026-11-24"
    cedar = got["Cedar LP"]["fields"]
    assert "Stage" not in cedar and "Check Size" not in cedar
    assert got["Fund 4"]["fields"]["Last Contact"] == "2026-01-04"


def test_same_file_twice_changes_nothing(client, admin, crm):
    h = admin["headers"]
    data = export(sample_rows())
    apply(client, h, data)
    audit_before = crm.db.execute("SELECT count(*) FROM audit_log").fetchone()[0]
    again = apply(client, h, data)
    assert (again.json["creates"], again.json["updates"], again.json["unchanged"]) == (0, 0, 6)
    assert again.json["new_fields"] == []
    assert crm.db.execute("SELECT count(*) FROM audit_log").fetchone()[0] == audit_before


def test_reexport_with_ten_edits_gives_ten_updates_with_history(client, admin):
    h = admin["headers"]
    rows = sample_rows(30)
    apply(client, h, export(rows))
    edited = [list(r) for r in rows]
    for i in range(10, 20):
        edited[i][1] = "Diligence"
    result = apply(client, h, export(edited))
    assert (result.json["creates"], result.json["updates"], result.json["unchanged"]) == (0, 10, 20)
    record = by_name(client, h)["Fund 12"]
    history = client.simulate_get(f"/api/fundraising/investors/{record['id']}/history",
                                  headers=h).json["entries"]
    assert history[0]["changes"] == {"Stage": ["Prospect", "Diligence"]}


def test_matching_by_key_without_record_ids(client, admin):
    h = admin["headers"]
    header = ["Name", "Stage"]
    apply(client, h, export([["Acme", "Intro"], ["Birch", "Meeting"]], header=header))
    result = apply(client, h, export([["ACME ", "Meeting"], ["Birch", "Meeting"]],
                                     header=header))
    assert (result.json["creates"], result.json["updates"], result.json["unchanged"]) == (0, 1, 1)


def test_missing_rows_left_alone_unless_archive_missing(client, admin):
    h = admin["headers"]
    rows = sample_rows()
    apply(client, h, export(rows))
    shorter = export(rows[:4])
    assert apply(client, h, shorter).json["archived"] == 0
    assert len(by_name(client, h)) == 6
    archived = apply(client, h, shorter, archive_missing=True)
    assert archived.json["archived"] == 2
    assert sorted(by_name(client, h)) == ["Acme Capital", "Birch Partners", "Cedar LP", "Fund 3"]


def test_bad_rows_are_listed_and_strict_writes_nothing(client, admin):
    h = admin["headers"]
    rows = sample_rows()
    rows[1][2] = "$12x"
    rows[3][1] = "Maybe"
    pre = preview(client, h, export(rows))
    errors = {(e["row"], e["column"]) for e in pre.json["errors"]}
    assert errors == {(2, "Check Size"), (4, "Stage")}
    strict = apply(client, h, export(rows), strict=True)
    assert strict.status_code == 422 and by_name(client, h) == {}
    assert {(e["row"], e["column"]) for e in strict.json["error"]["errors"]} == errors
    loose = apply(client, h, export(rows))
    assert loose.json["creates"] == 4 and loose.json["error_rows"] == 2
    assert "Birch Partners" not in by_name(client, h)


def test_contacts_link_to_investors_by_name(client, admin):
    h = admin["headers"]
    apply(client, h, export([["Acme", "Intro"]], header=["Name", "Stage"]))
    contacts = export([["Jo Smith", "Acme", "jo@acme.example"], ["Ghost", "Nobody", ""]],
                      header=["Name", "Investor", "Email"])
    result = client.simulate_post("/api/fundraising/import", headers=h, json={
        "table": "contacts", "csv": contacts.decode("utf-8-sig"), "confirm": True})
    assert result.json["creates"] == 1
    assert result.json["errors"][0]["row"] == 2 and result.json["errors"][0]["column"] == "Investor"
    jo = client.simulate_get("/api/fundraising/contacts", headers=h).json["records"][0]
    acme = by_name(client, h)["Acme"]
    assert jo["fields"] == {"Investor": acme["id"], "Email": "jo@acme.example"}


def test_text_csv_and_multipart_bodies(client, admin):
    h = admin["headers"]
    data = export(sample_rows(4))
    raw = client.simulate_post("/api/fundraising/import/preview", headers={
        **h, "Content-Type": "text/csv"}, body=data, params={"table": "investors"})
    assert raw.status_code == 200 and raw.json["creates"] == 4
    boundary = "XyZ"
    form = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"table\"\r\n\r\ninvestors\r\n"
            f"--{boundary}\r\nContent-Disposition: form-data; name=\"confirm\"\r\n\r\ntrue\r\n"
            f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; "
            f"filename=\"export.csv\"\r\nContent-Type: text/csv\r\n\r\n").encode() + data + \
        f"\r\n--{boundary}--\r\n".encode()
    done = client.simulate_post("/api/fundraising/import", headers={
        **h, "Content-Type": f"multipart/form-data; boundary={boundary}"}, body=form)
    assert done.status_code == 200, done.json
    assert done.json["creates"] == 4


def test_import_needs_confirm_and_admin(client, admin, member):
    data = export(sample_rows(3))
    assert apply(client, member["headers"], data).status_code == 403
    no_confirm = client.simulate_post("/api/fundraising/import", headers=admin["headers"],
                                      json={"table": "investors", "csv": data.decode()})
    assert no_confirm.status_code == 422 and no_confirm.json["error"]["field"] == "confirm"
    not_csv = preview(client, admin["headers"], b"")
    assert not_csv.status_code == 422 and not_csv.json["error"]["field"] == "file"
    latin = client.simulate_post("/api/fundraising/import/preview", headers={
        **admin["headers"], "Content-Type": "text/csv"}, body="Name\nCaf\xe9\n".encode("latin-1"))
    assert latin.status_code == 422 and latin.json["error"]["field"] == "file"


def test_cli_import_dry_run_then_real(make_settings, tmp_path):
    settings = make_settings()
    path = tmp_path / "export.csv"
    path.write_bytes(export(sample_rows()))
    runner = CliRunner()
    dry = runner.invoke(build_cli(settings), ["import", "airtable", str(path), "--table",
                                              "investors", "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "6 created" in dry.output and "new field 'Sectors' (multi_select)" in dry.output
    real = runner.invoke(build_cli(settings), ["import", "airtable", str(path)])
    assert real.exit_code == 0 and "Imported: 6 rows: 6 created" in real.output
    again = runner.invoke(build_cli(settings), ["import", "airtable", str(path)])
    assert "0 created, 0 updated, 6 unchanged" in again.output


def test_history_of_an_imported_record_shows_its_imported_values(client, admin, crm):
    """An import's create entry keeps no values (imports.insert.NO_VALUES); history works them
    out from the record and its later changes, as a create entry by hand lists them."""
    h = admin["headers"]
    apply(client, h, export(sample_rows(6)))
    record = by_name(client, h)["Acme Capital"]
    path = f"/api/fundraising/investors/{record['id']}"
    imported = {"Name": record["name"], **record["fields"]}
    client.simulate_patch(path, headers=h, json={"expected_version": 1, "name": "Acme Cap",
                                                  "fields": {"Stage": "Meeting", "Fee %": None}})
    client.simulate_patch(path, headers=h, json={"expected_version": 2,
                                                  "fields": {"Stage": "Diligence",
                                                             "Fee %": 0.2}})
    stored = crm.db.execute("SELECT changes FROM audit_log WHERE action = 'create' AND "
                            "table_name = 'investors' AND row_id = ?",
                            [str(record["id"])]).fetchone()[0]
    assert stored == "{}"
    history = client.simulate_get(f"{path}/history", headers=h).json["entries"]
    assert [e["kind"] for e in history] == ["update", "update", "create"]
    assert history[-1]["changes"] == {k: [None, v] for k, v in sorted(imported.items())}
    assert history[-1]["changes"]["Fee %"] == [None, 0.125]  # 12.5%
    assert history[-1]["changes"]["Name"] == [None, "Acme Capital"]
    # by hand: the create entry holds the values itself, and history gives them as stored
    made = client.simulate_post("/api/fundraising/investors", headers=h,
                                json={"name": "Dune", "fields": {"Stage": "Intro"}}).json
    hand = client.simulate_get(f"/api/fundraising/investors/{made['id']}/history",
                               headers=h).json["entries"]
    assert hand[-1]["changes"] == {"Name": [None, "Dune"], "Stage": [None, "Intro"]}


def test_imported_create_entries_name_the_import(client, admin, crm):
    h = admin["headers"]
    apply(client, h, export([["O'Hara \"Big\" Fund", "Intro"], ["Plain", ""]],
                            header=["Name", "Stage"]))
    rows = crm.db.execute("SELECT a.row_id, a.action, a.changes, a.summary, a.at, i.created_at "
                          "FROM audit_log a JOIN fundraising_investors i ON a.row_id = "
                          "CAST(i.id AS TEXT) WHERE a.table_name = 'investors' "
                          "ORDER BY a.id").fetchall()
    assert [(r[1], r[2], r[3]) for r in rows] == [
        ("create", "{}", "import investors 'O'Hara \"Big\" Fund'"),
        ("create", "{}", "import investors 'Plain'")]
    assert all(r[4] == r[5] for r in rows)  # stamped when the record was created
