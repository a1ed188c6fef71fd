import pytest

from plugins.fundraising.imports.csv_import import CsvError, read_csv
from tests.csv_import.conftest import write_csv


@pytest.mark.parametrize("bom", [True, False])
@pytest.mark.parametrize("newline", ["\r\n", "\n"])
def test_reads_utf8_with_or_without_bom_and_either_line_ending(bom, newline):
    data = write_csv(["Name", "Stage"], [["Ångström Capital", "Intro"], ["Zoë", ""]],
                     bom=bom, newline=newline)
    table = read_csv(data)
    assert table.header == ["Name", "Stage"]
    assert table.rows == [["Ångström Capital", "Intro"], ["Zoë", ""]]
    assert table.row_numbers == [1, 2]


def test_str_input_and_its_bom():
    table = read_csv("\ufeffName,Stage\nAcme,Intro\n")
    assert table.header == ["Name", "Stage"]
    assert table.rows == [["Acme", "Intro"]]


def test_quoted_cells_with_commas_doubled_quotes_and_line_breaks_written_by_hand():
    data = ('Name,Notes,Sectors\r\n'
            '"Acme, Inc","He said ""yes""\r\nthen ""no""",Fintech\r\n'
            'Globex,"line one\nline two\n\nline four","Fintech,""Health, Bio"""\r\n'
            'Initech,,\r\n').encode()
    table = read_csv(data)
    assert table.rows == [
        ["Acme, Inc", 'He said "yes"\r\nthen "no"', "Fintech"],
        ["Globex", "line one\nline two\n\nline four", 'Fintech,"Health, Bio"'],
        ["Initech", "", ""],
    ]
    # five physical lines of data, three rows
    assert table.row_numbers == [1, 2, 3]


def test_row_numbers_count_rows_not_lines_and_keep_blank_rows_counted():
    rows = [["a", "x\ny\nz"], ["b", ""], ["", ""], ["c", "multi\r\nline"]]
    table = read_csv(write_csv(["Name", "Notes"], rows) + b"\r\n\r\n")
    assert [row[0] for row in table.rows] == ["a", "b", "c"]
    assert table.row_numbers == [1, 2, 4]


def test_excel_blank_lines_and_comma_only_rows_are_skipped():
    table = read_csv(b"Name,Stage\r\nAcme,Intro\r\n\r\n,\r\nGlobex,Meeting\r\n,,\r\n")
    assert table.rows == [["Acme", "Intro"], ["Globex", "Meeting"]]
    assert table.row_numbers == [1, 4]


def test_short_rows_are_padded_and_long_rows_truncated_with_a_note():
    table = read_csv(b"Name,Stage,Owner\nAcme\nGlobex,Intro,Ann,,\nInitech,Intro,Bo,extra\n")
    assert table.rows == [["Acme", "", ""], ["Globex", "Intro", "Ann"],
                          ["Initech", "Intro", "Bo"]]
    assert table.truncated == [3]


def test_empty_trailing_columns_are_dropped():
    table = read_csv(b"Name,Stage,,\r\nAcme,Intro,,\r\nGlobex,,,\r\n")
    assert table.header == ["Name", "Stage"]
    assert table.rows == [["Acme", "Intro"], ["Globex", ""]]


def test_an_unnamed_column_holding_data_is_named_by_its_position():
    table = read_csv(b"Name,,Stage,,\nAcme,,Intro,note,\nGlobex,,,,\n")
    assert table.header == ["Name", "Stage", "Column 4"]
    assert table.rows == [["Acme", "Intro", "note"], ["Globex", "", ""]]


def test_a_generated_name_never_collides_with_a_real_one():
    table = read_csv(b"Column 2,\na,b\n")
    assert table.header == ["Column 2", "Column 2 (2)"]


def test_blank_lines_before_the_header_are_skipped():
    assert read_csv(b"\r\n\nName\nAcme\n").rows == [["Acme"]]


def test_a_header_of_blank_names_names_the_columns_holding_data():
    table = read_csv(b",,\nAcme,,x\n")
    assert table.header == ["Column 1", "Column 3"]
    assert table.rows == [["Acme", "x"]]


def test_header_names_are_trimmed():
    assert read_csv(b" Name , Stage\n").header == ["Name", "Stage"]


def test_header_only_file_has_no_rows():
    table = read_csv(write_csv(["Name", "Stage"], []))
    assert table.header == ["Name", "Stage"]
    assert table.rows == [] and table.row_numbers == []


def test_column_returns_each_rows_cell():
    table = read_csv(b"Name,Stage\nAcme,Intro\nGlobex,Meeting\n")
    assert table.column(1) == ["Intro", "Meeting"]


def test_a_cell_longer_than_the_csv_module_default_limit_is_read():
    notes = "x" * (131_072 + 10)
    table = read_csv(write_csv(["Name", "Notes"], [["Acme", notes]]))
    assert table.rows[0][1] == notes


@pytest.mark.parametrize("data", [b"", b"\xef\xbb\xbf", b"\r\n\r\n", "  \n".encode(), ""])
def test_an_empty_file_is_refused(data):
    with pytest.raises(CsvError, match="the file is empty"):
        read_csv(data)


def test_a_header_of_blank_names_without_data_is_refused():
    with pytest.raises(CsvError, match="no column names"):
        read_csv(b",,\n,,\n")


def test_duplicate_column_names_are_refused_naming_them():
    with pytest.raises(CsvError) as caught:
        read_csv(b"Name,Stage,name,Owner,Stage\nAcme,Intro,x,Ann,y\n")
    message = str(caught.value)
    assert "duplicate column names" in message
    assert "'name'" in message and "'Stage'" in message and "Owner" not in message


def test_latin1_bytes_are_refused_with_the_offset_and_line():
    data = "Name,City\nAcme,Paris\nGlobex,Zürich\n".encode("latin-1")
    with pytest.raises(CsvError) as caught:
        read_csv(data)
    message = str(caught.value)
    assert "not UTF-8" in message
    offset = data.index("ü".encode("latin-1"))
    assert f"offset {offset}" in message and "line 3" in message
    assert "0xFC" in message


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be", "utf-32"])
def test_utf16_with_a_byte_order_mark_is_refused_by_name(encoding):
    data = "Name,Stage\nAcme,Intro\n".encode(encoding)
    if encoding == "utf-16-be":
        data = b"\xfe\xff" + data
    with pytest.raises(CsvError, match="UTF-16"):
        read_csv(data)


def test_utf16_without_a_byte_order_mark_is_refused_for_its_nul_bytes():
    with pytest.raises(CsvError, match="NUL"):
        read_csv("Name,Stage\nAcme,Intro\n".encode("utf-16-le"))


def test_an_unterminated_quote_is_refused_with_its_row_and_line():
    with pytest.raises(CsvError) as caught:
        read_csv(b'Name,Notes\nAcme,ok\nGlobex,"never closed\nInitech,x\n')
    assert "row 2" in str(caught.value) and "line" in str(caught.value)


def test_text_after_a_closing_quote_is_refused():
    with pytest.raises(CsvError, match="row 1"):
        read_csv(b'Name,Notes\nAcme,"quoted"tail\n')
