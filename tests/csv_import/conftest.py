"""Helpers of the CSV import tests: writing CSV files as Airtable and spreadsheets do."""
import csv
import io

import pytest

from plugins.fundraising.imports.csv_import import CellError, parse_cell


def write_csv(header: list[str], rows: list[list[str]], *, bom: bool = True,
              newline: str = "\r\n") -> bytes:
    """A CSV file written with the csv module: UTF-8, with Airtable's byte-order mark."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator=newline)
    writer.writerow(header)
    writer.writerows(rows)
    return ("\ufeff" if bom else "").encode() + out.getvalue().encode()


@pytest.fixture
def cell_error():
    """cell_error(text, field_type, options=None) -> the CellError message of a bad cell."""
    def cell_error(text, field_type, options=None):
        with pytest.raises(CellError) as caught:
            value = parse_cell(text, field_type, options)
            pytest.fail(f"{text!r} as {field_type} gave {value!r}")
        return str(caught.value)
    return cell_error
