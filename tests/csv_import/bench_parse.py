"""Timing the CSV reader and cell parsers on a generated export of 30 mixed columns.

    .venv/bin/python -m tests.csv_import.bench_parse [rows]     # 100,000 rows by default

Columns are of every importable type, some with few distinct values (stages, tags, round
amounts, days) and some all distinct (names, emails, amounts with cents, date-times)."""
import csv
import gc
import io
import random
import sys
import time

from plugins.fundraising.imports.csv_import import (CellError, infer_field, make_parser, parse_column,
                                            read_csv)

TAGS = ["Fintech", "SaaS", "Health, Bio", "Climate", "AI", "Consumer", "Crypto", "Deep Tech"]
STAGES = ["Prospect", "Intro", "Meeting", "Diligence", "Soft Circle", "Committed", "Passed"]
FUNDS = [f"Fund {i}" for i in range(500)]


def _day(rng):
    return f"{rng.randint(1, 12)}/{rng.randint(1, 28)}/{rng.randint(2019, 2026)}"


def _tags(rng):
    return ",".join(f'"{t}"' if "," in t else t for t in rng.sample(TAGS, rng.randint(0, 3)))


# field type, options, cell maker(row index, random)
KINDS = [
    ("text", {}, lambda i, r: f"Investor {i}"),
    ("long_text", {}, lambda i, r: f"Met at event {i}.\r\nFollow up in Q3." if i % 3 else ""),
    ("number", {}, lambda i, r: f"{r.randint(0, 10**6):,}.{r.randint(0, 99):02d}"),
    ("number", {"precision": 0}, lambda i, r: str(r.randint(1990, 2026))),
    ("currency", {"symbol": "$"}, lambda i, r: f"${r.choice([25, 50, 100, 250, 500]) * 1000:,}"),
    ("currency", {"symbol": "$"}, lambda i, r: f"${r.randint(0, 10**7):,}.{r.randint(0, 99):02d}"),
    ("percent", {}, lambda i, r: f"{r.randint(0, 1000) / 10}%"),
    ("date", {}, lambda i, r: _day(r)),
    ("date", {"include_time": True},
     lambda i, r: f"{_day(r)} {r.randint(1, 12)}:{r.randint(0, 59):02d}{r.choice(['am', 'pm'])}"),
    ("date", {"include_time": True},
     lambda i, r: f"2026-{r.randint(1, 12):02d}-{r.randint(1, 28):02d}T"
                  f"{r.randint(0, 23):02d}:{r.randint(0, 59):02d}:00.000Z"),
    ("checkbox", {}, lambda i, r: "checked" if i % 2 else ""),
    ("single_select", {"choices": STAGES}, lambda i, r: r.choice(STAGES)),
    ("multi_select", {}, lambda i, r: _tags(r)),
    ("email", {}, lambda i, r: f"person{i}@fund{i % 100}.com"),
    ("url", {}, lambda i, r: f"https://acme{i}.com/team"),
    ("phone", {}, lambda i, r: f"+1 (555) {r.randint(100, 999)}-{r.randint(1000, 9999)}"),
    ("link", {}, lambda i, r: ",".join(r.sample(FUNDS, r.randint(1, 2)))),
    ("link", {"multiple": False}, lambda i, r: r.choice(FUNDS)),
]


def generate(rows: int, columns: int = 30, seed: int = 1) -> tuple[bytes, list]:
    """A CSV export of rows x columns cells, and each column's (field type, options)."""
    rng = random.Random(seed)
    kinds = [KINDS[j % len(KINDS)] for j in range(columns)]
    out = io.StringIO(newline="")
    writer = csv.writer(out)
    writer.writerow([f"{kind[0]} {j}" for j, kind in enumerate(kinds)])
    for i in range(rows):
        writer.writerow([make(i, rng) for _, _, make in kinds])
    return ("\ufeff" + out.getvalue()).encode(), [(t, o) for t, o, _ in kinds]


def parse_by_rows(table, fields) -> int:
    """Every cell parsed row by row, a try around each; the count of bad cells."""
    parsers = [make_parser(field_type, options) for field_type, options in fields]
    errors = 0
    for row in table.rows:
        parsed = []
        for parse, text in zip(parsers, row):
            try:
                parsed.append(parse(text))
            except CellError:
                errors += 1
                parsed.append(None)
    return errors


def parse_by_columns(table, fields) -> int:
    """Every cell parsed column by column with parse_column; the count of bad cells."""
    errors = 0
    for index, (field_type, options) in enumerate(fields):
        _, bad = parse_column(make_parser(field_type, options), table.column(index))
        errors += len(bad)
    return errors


def main(rows: int = 100_000):
    data, fields = generate(rows)
    print(f"{rows:,} rows x {len(fields)} columns, {len(data) / 1e6:.1f} MB")
    for label, pause_gc in (("gc on", False), ("gc paused", True)):
        if pause_gc:
            gc.disable()
        start = time.perf_counter()
        table = read_csv(data)
        timings = [time.perf_counter() - start]
        for parse in (parse_by_columns, parse_by_rows):
            start = time.perf_counter()
            errors = parse(table, fields)
            timings.append(time.perf_counter() - start)
        gc.enable()
        print(f"{label:9}  read_csv {timings[0]:.2f} s  parse by columns {timings[1]:.2f} s"
              f"  by rows {timings[2]:.2f} s  ({errors} bad cells)")
    slowest = 0.0
    start = time.perf_counter()
    for index in range(len(fields)):
        column_start = time.perf_counter()
        infer_field(table.column(index))
        slowest = max(slowest, time.perf_counter() - column_start)
    print(f"infer_field on {len(fields)} columns {time.perf_counter() - start:.2f} s, "
          f"slowest column {slowest:.2f} s")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000)
