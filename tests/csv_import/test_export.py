"""A whole Airtable export, generated: every cell read, parsed and checked."""
import pytest

from plugins.fundraising.imports.csv_import import (find_record_id_column, infer_field, make_parser,
                                            read_csv)
from plugins.fundraising.schema import STAGES, validate_value
from tests.csv_import.conftest import write_csv

DECK = "deck.pdf (https://dl.airtable.com/.attachments/a1/deck.pdf)"
MEMO = "memo, final.docx (https://dl.airtable.com/.attachments/b2/memo.docx)"

# name, field type, options, then each row's cell and its parsed value
COLUMNS = [
    ("Name", "text", {}, [
        ("Acme Ventures", "Acme Ventures"), ("Globex, Inc", "Globex, Inc"),
        ('The "Best" Fund', 'The "Best" Fund'), ("Zoë Capital", "Zoë Capital"),
        (" Initech ", "Initech"), ("Hooli", "Hooli")]),
    ("Notes", "long_text", {}, [
        ("Met at SaaStr.\r\nFollow up in Q3.", "Met at SaaStr.\nFollow up in Q3."),
        ("", None), ('Said "maybe",\nthen "yes"', 'Said "maybe",\nthen "yes"'),
        ("one line", "one line"), ("a\r\n\r\nb", "a\n\nb"), ("", None)]),
    ("Check Size", "currency", {"symbol": "$"}, [
        ("$1,250,000.00", 1250000), ("-$5.00", -5), ("($5.00)", -5), ("1250000", 1250000),
        ("", None), ("$0.50", 0.5)]),
    ("Ownership", "percent", {}, [
        ("12.5%", 0.125), ("-3%", -0.03), ("0.5", 0.005), ("", None), ("100%", 1),
        ("33.3%", 0.333)]),
    ("Vintage", "number", {"precision": 1}, [
        ("2019", 2019), ("1,234.5", 1234.5), ("-7", -7), ("", None), ("0", 0),
        ("1,000,000", 1000000)]),
    ("Last Contact", "date", {}, [
        ("11/25/2026", "2026-11-25"), ("2026-11-25", "2026-11-25"), ("11/25/26", "2026-11-25"),
        ("November 25, 2026", "2026-11-25"), ("", None), ("1/5/2026", "2026-01-05")]),
    ("Met At", "date", {"include_time": True}, [
        ("11/25/2026 3:04pm", "2026-11-25T15:04:00"), ("11/25/2026 15:04", "2026-11-25T15:04:00"),
        ("2026-11-25T15:04:00.000Z", "2026-11-25T15:04:00"),
        ("2026-11-25 15:04", "2026-11-25T15:04:00"), ("", None),
        ("1/5/2026 12:00am", "2026-01-05T00:00:00")]),
    ("Lead", "checkbox", {}, [
        ("checked", True), ("", False), ("checked", True), ("", False), ("", False),
        ("checked", True)]),
    ("Stage", "single_select", {"choices": STAGES}, [
        ("Prospect", "Prospect"), ("Intro", "Intro"), ("intro", "Intro"), ("", None),
        ("Intro", "Intro"), ("Prospect", "Prospect")]),
    ("Sectors", "multi_select", {"choices": ["Fintech", "Health, Bio", "AI"]}, [
        ('Fintech,"Health, Bio"', ["Fintech", "Health, Bio"]), ("Fintech", ["Fintech"]),
        ("", None), ("AI, Fintech", ["AI", "Fintech"]), ('"Health, Bio"', ["Health, Bio"]),
        ("AI,AI", ["AI"])]),
    ("Email", "email", {}, [
        ("ann@acme.vc", "ann@acme.vc"), ("bo@globex.com", "bo@globex.com"), ("", None),
        ("cy@best.fund", "cy@best.fund"), ("di@zoe.capital", "di@zoe.capital"), ("", None)]),
    ("Website", "url", {}, [
        ("https://acme.vc", "https://acme.vc"), ("globex.com", "https://globex.com"),
        ("", None), ("http://best.fund/team", "http://best.fund/team"), ("", None),
        ("https://hooli.xyz/?a=1,2", "https://hooli.xyz/?a=1,2")]),
    ("Phone", "phone", {}, [
        ("+1 (555) 123-4567", "+1 (555) 123-4567"), ("", None), ("555.123.4567", "555.123.4567"),
        ("", None), ("+44 20 7946 0958", "+44 20 7946 0958"), ("", None)]),
    ("Deck", "text", {}, [
        (DECK, DECK), (f"{DECK},{MEMO}", f"{DECK},{MEMO}"), ("", None), ("", None),
        (DECK, DECK), ("", None)]),
    ("Investors", "link", {"table": "investors"}, [
        ("Acme Ventures", ["Acme Ventures"]), ('"Globex, Inc",Initech', ["Globex, Inc", "Initech"]),
        ("", None), ("Hooli", ["Hooli"]), ("Acme Ventures,Hooli", ["Acme Ventures", "Hooli"]),
        ("", None)]),
    ("Record ID", "text", {}, [
        (f"recAAAAAAAAAAAAA{i}", f"recAAAAAAAAAAAAA{i}") for i in range(6)]),
]
INFERRED = {
    "Name": "text", "Notes": "long_text", "Check Size": "text", "Ownership": "text",
    "Vintage": "number", "Last Contact": "date", "Met At": "date", "Lead": "checkbox",
    "Stage": "single_select", "Sectors": "multi_select", "Email": "email", "Website": "text",
    "Phone": "text", "Deck": "text", "Investors": "text", "Record ID": "text",
}


def export(newline="\r\n", bom=True) -> bytes:
    header = [name for name, *_ in COLUMNS] + [""]  # Airtable-ish trailing empty column
    rows = [[cells[i][0] for *_, cells in COLUMNS] + [""] for i in range(6)]
    return write_csv(header, rows, newline=newline, bom=bom)


@pytest.mark.parametrize("newline, bom", [("\r\n", True), ("\n", False)])
def test_every_cell_of_a_generated_export_is_parsed(newline, bom):
    table = read_csv(export(newline, bom))
    assert table.header == [name for name, *_ in COLUMNS]
    assert table.row_numbers == [1, 2, 3, 4, 5, 6]
    for index, (name, field_type, options, cells) in enumerate(COLUMNS):
        parse = make_parser(field_type, options)
        for row, (text, expected) in zip(table.rows, cells):
            assert row[index] == text, name
            value = parse(row[index])
            assert value == expected and type(value) is type(expected), (name, text, value)
            if field_type != "link":  # the importer turns names into ids
                assert validate_value(field_type, options, value) == value


def test_the_record_id_column_of_the_export_is_found():
    assert find_record_id_column(read_csv(export())) == len(COLUMNS) - 1


def test_new_columns_of_the_export_are_inferred():
    table = read_csv(export())
    inferred = {name: infer_field(table.column(i))[0] for i, name in enumerate(table.header)}
    assert inferred == INFERRED  # a bare 1250000 or 0.5 among $ and % amounts makes text
    assert infer_field(table.column(1)) == ("long_text", {})
    assert infer_field(table.column(6)) == ("date", {"include_time": True})
    assert infer_field(table.column(9)) == (
        "multi_select", {"choices": ["Fintech", "Health, Bio", "AI"]})
