import pytest

from plugins.fundraising.imports.csv_import import find_record_id_column, looks_like_record_id, read_csv
from tests.csv_import.conftest import write_csv

IDS = ["recA1b2C3d4E5f6G7", "rec00000000000001", "recZZZZZZZZZZZZZZ"]


@pytest.mark.parametrize("text", IDS + [" recA1b2C3d4E5f6G7 "])
def test_record_ids(text):
    assert looks_like_record_id(text)


@pytest.mark.parametrize("text", ["", "rec", "recA1b2C3d4E5f6G", "recA1b2C3d4E5f6G78",
                                  "RECA1b2C3d4E5f6G7", "tblA1b2C3d4E5f6G7", "recA1b2C3d4E5f6-7",
                                  "recA1b2C3d4E5f6G7,recA1b2C3d4E5f6G8"])
def test_not_record_ids(text):
    assert not looks_like_record_id(text)


@pytest.mark.parametrize("name", ["Record ID", "record id", "Airtable Record ID", "AIRTABLE ID",
                                  "record_id"])
def test_a_record_id_column_found_by_its_name(name):
    table = read_csv(write_csv(["Name", name], [["Acme", "anything"]]))
    assert find_record_id_column(table) == 1


def test_a_record_id_column_found_by_its_cells():
    rows = [["Acme", IDS[0], "x"], ["Globex", "", "y"], ["Initech", IDS[1], "z"]]
    table = read_csv(write_csv(["Name", "Source", "Notes"], rows))
    assert find_record_id_column(table) == 1


def test_no_record_id_column_when_ids_repeat_or_mix_with_other_text():
    repeated = read_csv(write_csv(["Name", "Linked"], [["a", IDS[0]], ["b", IDS[0]]]))
    mixed = read_csv(write_csv(["Name", "Linked"], [["a", IDS[0]], ["b", "Acme"]]))
    empty = read_csv(write_csv(["Name", "Linked"], [["a", ""]]))
    assert find_record_id_column(repeated) is None
    assert find_record_id_column(mixed) is None
    assert find_record_id_column(empty) is None
