import time

from plugins.fundraising.imports.csv_import import make_parser, parse_column, read_csv
from tests.csv_import.bench_parse import KINDS, generate, parse_by_columns


def test_parse_column_gives_values_and_no_errors_when_every_cell_fits():
    parse = make_parser("currency", {"symbol": "$"})
    assert parse_column(parse, ["$5", "", "($1,000.50)"]) == ([5, None, -1000.5], {})


def test_parse_column_reports_each_bad_cell_by_index_and_parses_the_rest():
    parse = make_parser("date", {})
    values, errors = parse_column(parse, ["11/25/2026", "soon", "", "2/30/2026", "1/5/26"])
    assert values == ["2026-11-25", None, None, None, "2026-01-05"]
    assert errors == {1: "'soon' is not a date", 3: "'2/30/2026' is not a date"}


def test_a_generated_export_of_every_kind_parses_without_a_bad_cell():
    data, fields = generate(2_000, columns=len(KINDS))
    table = read_csv(data)
    assert len(table.rows) == 2_000 and table.row_numbers[-1] == 2_000
    start = time.perf_counter()
    assert parse_by_columns(table, fields) == 0
    # 36,000 cells; about 0.1 s on a slow machine, so only a runaway would fail this
    assert time.perf_counter() - start < 2.0
