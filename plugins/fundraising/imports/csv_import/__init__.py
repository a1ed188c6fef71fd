"""Reading Airtable CSV exports: the file into a header and rows, and each cell into the
value stored for its field (formats as in schema.py). Pure functions on the standard library
and schema.py's limits.

    table = read_csv(data)                 # CsvError when the file cannot be read
    parse = make_parser("currency", {"symbol": "$"})
    parse("($1,250.00)")                   # -1250; CellError("'$12x' is not a ...")
    values, errors = parse_column(parse, table.column(3))   # errors: {row index: message}
    infer_field(table.column(3))           # ('multi_select', {'choices': [...]})
    find_record_id_column(table)           # index of the recXXXXXXXXXXXXXX column, or None
"""
from plugins.fundraising.imports.csv_import.cells import (make_parser, parse_cell, parse_column,
                                                  split_members)
from plugins.fundraising.imports.csv_import.errors import CellError, CsvError
from plugins.fundraising.imports.csv_import.infer import infer_field
from plugins.fundraising.imports.csv_import.reader import CsvTable, read_csv
from plugins.fundraising.imports.csv_import.record_ids import find_record_id_column, looks_like_record_id

__all__ = ["CellError", "CsvError", "CsvTable", "find_record_id_column", "infer_field",
           "looks_like_record_id", "make_parser", "parse_cell", "parse_column", "read_csv",
           "split_members"]
