"""Exports of what the grid shows: GET /api/fundraising/<table>/export.csv and .xlsx."""
import csv
import io
import json
import tracemalloc
import zipfile
from datetime import datetime

import pytest
from falcon import testing
from openpyxl import load_workbook

from tests.fundraising.test_records import create

EXPORT = "/api/fundraising/investors/export"


@pytest.fixture
def seeded(client, admin, member):
    h = admin["headers"]
    for body in (
        {"name": "Probability", "type": "percent"},
        {"name": "Sectors", "type": "multi_select",
         "options": {"choices": ["Fintech", "Health, Bio", "AI"]}},
        {"name": "Phone", "type": "phone"},
        {"name": "Notes", "type": "text"},
    ):
        made = client.simulate_post("/api/fundraising/fields", headers=h,
                                    json={"table": "investors", **body})
        assert made.status_code == 201, made.json
    rows = [
        ("Acme Capital", "Meeting", 5_000_000, 0.125, ["Fintech", "Health, Bio"], admin["id"]),
        ("Birch Partners", "Meeting", 250_000.5, 0.4, ["AI"], member["id"]),
        ("Cedar LP", "Intro", 1_000_000, None, [], None),
        ("Dune Ventures", "Meeting", 9_000_000, 1, ["Fintech"], admin["id"]),
    ]
    made = {}
    for name, stage, check, probability, sectors, owner in rows:
        fields = {"Stage": stage, "Check Size": check, "Probability": probability,
                  "Sectors": sectors or None, "Owner": owner, "Last Contact": "2026-11-25"}
        made[name] = create(client, h, "investors", name,
                            **{k: v for k, v in fields.items() if v is not None})
    return made


def get(client, headers, kind="csv", **params):
    query = {k: v if isinstance(v, str) else json.dumps(v) for k, v in params.items()}
    return client.simulate_get(f"{EXPORT}.{kind}", headers=headers, params=query)


def csv_rows(result) -> list[list[str]]:
    assert result.status_code == 200, result.text
    assert result.headers["content-type"] == "text/csv; charset=utf-8"
    assert result.content.startswith("\ufeff".encode())  # Excel reads it as UTF-8
    return list(csv.reader(io.StringIO(result.content.decode("utf-8-sig"), newline="")))


def xlsx_sheet(result):
    assert result.status_code == 200, result.text
    assert result.headers["content-type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    assert 'filename="investors-' in result.headers["content-disposition"]
    return load_workbook(io.BytesIO(result.content)).worksheets[0]


def saved_view(client, headers, **config):
    made = client.simulate_post("/api/fundraising/views", headers=headers,
                                json={"table": "investors", "name": "Hot (Q3)", **config})
    assert made.status_code == 201, made.json
    return made.json["id"]


def hot_view(client, h):
    """Meeting only, biggest check first; Owner and Notes hidden; Check Size, then Stage."""
    return saved_view(
        client, h, filters={"conditions": [{"field": "Stage", "operator": "is",
                                            "value": "Meeting"}]},
        sorts=[{"field": "Check Size", "direction": "desc"}],
        hidden=["Owner", "Notes", "Phone", -1, -2, -3, -4],
        order=["Name", "Check Size", "Stage", "Probability", "Sectors", "Last Contact"])


def test_csv_of_a_saved_view_has_its_rows_order_and_visible_columns(client, admin,
                                                                      member, seeded):
    view = hot_view(client, admin["headers"])
    result = get(client, member["headers"], view=str(view))
    assert 'filename="investors-hot-q3-' in result.headers["content-disposition"]
    rows = csv_rows(result)
    assert rows == [
        ["Name", "Check Size", "Stage", "Probability", "Sectors", "Last Contact"],
        ["Dune Ventures", "$9,000,000.00", "Meeting", "100%", "Fintech", "2026-11-25"],
        ["Acme Capital", "$5,000,000.00", "Meeting", "12.5%", 'Fintech,"Health, Bio"',
         "2026-11-25"],
        ["Birch Partners", "$250,000.50", "Meeting", "40%", "AI", "2026-11-25"],
    ]


def test_ad_hoc_filters_sorts_and_columns_win_over_the_view(client, admin, seeded):
    h = admin["headers"]
    view = hot_view(client, h)
    rows = csv_rows(get(
        client, h, view=str(view),
        filters={"op": "or", "conditions": [
            {"field": "Stage", "operator": "is", "value": "Intro"},
            {"field": "Check Size", "operator": "<", "value": 1_000_000}]},
        sorts=[{"field": "Name", "direction": "desc"}],
        columns=["Owner", "Name", -2, "created_at"]))
    assert rows[0] == ["Owner", "Name", "Created by", "Created at"]
    assert [r[:3] for r in rows[1:]] == [["", "Cedar LP", "Ada Admin"],
                                         ["Max Member", "Birch Partners", "Ada Admin"]]
    created = seeded["Cedar LP"]["created_at"]  # 2026-01-02T03:04:05.000006Z, UTC
    assert rows[1][3] == f"{created[:10]} {created[11:19]}"


def test_without_a_view_every_field_then_the_read_only_ones(client, admin, seeded):
    header = csv_rows(get(client, admin["headers"]))[0]
    assert header == ["Name", "Stage", "Owner", "Check Size", "Last Contact", "Probability",
                      "Sectors", "Phone", "Notes", "Created at", "Created by",
                      "Last modified at", "Last modified by"]


def test_pinned_columns_come_first_as_the_grid_freezes_them(client, admin, seeded):
    h = admin["headers"]
    view = saved_view(client, h, pinned=["Probability"], hidden=[-1, -2, -3, -4, "Notes"],
                      order=["Stage", "Name", "Owner", "Probability"])
    header = csv_rows(get(client, h, view=str(view)))[0]
    assert header[:4] == ["Name", "Probability", "Stage", "Owner"]
    assert "Notes" not in header and "Created at" not in header


def test_formula_looking_text_is_guarded_and_the_table_export_reads_back(client, admin,
                                                                          seeded):
    h = admin["headers"]
    evil = create(client, h, "investors", '=HYPERLINK("http://x.example","Click")',
                  Phone="+1 555 0100", Notes="@SUM(A1)", Stage="Intro",
                  **{"Check Size": -5})
    create(client, h, "investors", "Quoted", Notes="'=already quoted", Phone="555 0100")
    rows = {r[0]: r for r in csv_rows(get(client, h, columns=["Name", "Phone", "Notes",
                                                                 "Check Size"]))}
    assert rows["'" + evil["name"]] == ["'" + evil["name"], "'+1 555 0100", "'@SUM(A1)",
                                       "-$5.00"]  # a number is not text: no apostrophe
    assert rows["Quoted"] == ["Quoted", "555 0100", "''=already quoted", ""]

    before = {r["name"]: r["fields"] for r in client.simulate_get(
        "/api/fundraising/investors", headers=h, params={"limit": "100"}).json["records"]}
    table_csv = client.simulate_get("/api/fundraising/export.csv", headers=h,
                                    params={"table": "investors"})
    text = table_csv.content.decode("utf-8-sig")
    assert "'+1 555 0100" in text and "''=already quoted" in text
    again = client.simulate_post("/api/fundraising/import", headers=h, json={
        "table": "investors", "csv": text, "confirm": True})
    assert again.status_code == 200, again.json
    assert (again.json["creates"], again.json["updates"]) == (0, 0)
    after = {r["name"]: r["fields"] for r in client.simulate_get(
        "/api/fundraising/investors", headers=h, params={"limit": "100"}).json["records"]}
    assert after == before
    assert after[evil["name"]]["Notes"] == "@SUM(A1)"
    assert after["Quoted"]["Notes"] == "'=already quoted"


def test_a_view_export_imports_back_without_its_read_only_columns(client, admin, seeded):
    h = admin["headers"]
    text = get(client, h).content.decode("utf-8-sig")
    assert "Last modified by" in text.splitlines()[0]
    again = client.simulate_post("/api/fundraising/import", headers=h, json={
        "table": "investors", "csv": text, "confirm": True})
    assert again.status_code == 200, again.json
    assert (again.json["creates"], again.json["updates"], again.json["new_fields"]) == (0, 0, [])


def test_xlsx_has_typed_cells_in_the_fields_formats(client, admin, seeded):
    h = admin["headers"]
    view = hot_view(client, h)
    create(client, h, "investors", "=1+1", Stage="Meeting", Notes="-2+3", **{"Check Size": 1})
    sheet = xlsx_sheet(get(client, h, "xlsx", view=str(view),
                           columns=["Name", "Check Size", "Probability", "Sectors", "Owner",
                                    "Last Contact", "Notes", "Last modified at"]))
    assert sheet.title == "Investors" and sheet.freeze_panes == "A2"
    rows = list(sheet.iter_rows())
    assert [c.value for c in rows[0]] == ["Name", "Check Size", "Probability", "Sectors",
                                          "Owner", "Last Contact", "Notes", "Last modified at"]
    assert rows[0][0].font.b
    assert [r[0].value for r in rows[1:]] == ["Dune Ventures", "Acme Capital",
                                              "Birch Partners", "=1+1"]
    dune, acme, birch, formula = rows[1:]
    assert (acme[1].value, acme[1].number_format) == (5_000_000, '"$"#,##0.00')
    assert (birch[1].value, birch[1].number_format) == (250_000.5, '"$"#,##0.00')
    assert (acme[2].value, acme[2].number_format) == (0.125, "0.0%")
    assert (dune[2].value, dune[2].number_format) == (1, "0%")
    assert acme[3].value == 'Fintech,"Health, Bio"'
    assert (acme[4].value, birch[4].value) == ("Ada Admin", "Max Member")
    assert acme[5].value == datetime(2026, 11, 25) and acme[5].number_format == "yyyy-mm-dd"
    stamp = datetime.strptime(seeded["Acme Capital"]["updated_at"][:19], "%Y-%m-%dT%H:%M:%S")
    assert acme[7].value == stamp
    for cell in (formula[0], formula[6]):  # text, never a formula; Excel's ' kept on edit
        assert cell.data_type == "s" and cell.quotePrefix
    assert (formula[0].value, formula[6].value) == ("=1+1", "-2+3")


def test_bad_input_is_a_422_naming_the_parameter(client, admin, member, seeded):
    h = member["headers"]
    assert get(client, {}).status_code == 401
    cases = [({"columns": "[1,"}, "columns"), ({"columns": "[]"}, "columns"),
             ({"columns": '["Name", "Nope"]'}, "columns.1"),
             ({"columns": '{"a": 1}'}, "columns"),
             ({"sorts": '[{"field": "Nope"}]'}, "sorts.0.field"),
             ({"filters": "{"}, "filters"), ({"colour": "red"}, "colour")]
    for params, field in cases:
        result = client.simulate_get(f"{EXPORT}.xlsx", headers=h, params=params)
        assert result.status_code == 422, (params, result.text)
        assert result.json["error"]["field"] == field, params
    assert get(client, h, view="9999").status_code == 404


def many_investors(crm, count):
    """`count` investors with a few fields each, written as an import writes rows."""
    stamp = "2026-01-02T03:04:05.000006Z"
    rows = [{"name": f"Investor {i:05d} with a longish name", "stage": "Meeting",
             "check_size": 1000 * i, "last_contact": "2026-11-25", "data": "{}",
             "version": 1, "created_at": stamp, "updated_at": stamp} for i in range(count)]
    with crm.write() as db:
        db.table("fundraising_investors").insert_all(rows, batch_size=1000)


def streamed(client, admin, kind, out):
    """(the WSGI body, its chunks, the peak memory traced while it was sent to `out`)."""
    env = testing.create_environ(
        path=f"{EXPORT}.{kind}", headers=admin["headers"],
        query_string="sorts=" + json.dumps([{"field": "Check Size", "direction": "desc"}]))
    started = {}
    body = client.app(env, lambda status, headers, exc_info=None: started.update(status=status))
    assert started["status"].startswith("200")
    chunks = 0
    tracemalloc.start()
    try:
        for chunk in body:
            out.write(chunk)
            chunks += 1
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    out.flush()
    return body, chunks, peak


@pytest.mark.slow
def test_a_20k_row_export_is_streamed_not_built_in_memory(crm, client, admin, tmp_path):
    many_investors(crm, 20_000)
    with open(tmp_path / "export.csv", "wb") as out:
        body, chunks, peak = streamed(client, admin, "csv", out)
    assert not isinstance(body, (bytes, list, tuple))  # an iterator, filled as it is read
    assert chunks >= 20_000 // 250
    rows = list(csv.reader(open(tmp_path / "export.csv", encoding="utf-8-sig", newline="")))
    assert len(rows) == 20_001 and rows[1][0] == "Investor 19999 with a longish name"
    size = (tmp_path / "export.csv").stat().st_size
    assert size > 2_000_000 and peak < size / 3  # a block of records at a time, not all

    with open(tmp_path / "export.xlsx", "wb") as out:
        body, chunks, peak = streamed(client, admin, "xlsx", out)
    assert not isinstance(body, (bytes, list, tuple)) and chunks > 1
    with zipfile.ZipFile(tmp_path / "export.xlsx") as archive:
        sheet_xml = archive.getinfo("xl/worksheets/sheet1.xml").file_size
    assert peak < sheet_xml / 4  # rows went to a temporary file, the zip to another
    sheet = load_workbook(tmp_path / "export.xlsx", read_only=True).worksheets[0]
    names = [row[0] for row in sheet.iter_rows(min_col=1, max_col=1, values_only=True)]
    assert len(names) == 20_001 and names[1] == "Investor 19999 with a longish name"
