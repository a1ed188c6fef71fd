"""import_csv: an Airtable CSV export of 30 columns into an empty CRM, against sqlite-utils.

The export is generated once per run in the run directory: the shapes Airtable writes
(`$1,250,000.00`, `11/25/2026`, `11/25/2026 3:04pm`, `12.5%`, `checked`, multi-selects with
quoted members, attachments, long text with line breaks, commas and quotes, a Record ID
column, an empty trailing column). About half its columns are fields the CRM already has
(created on the empty table beforehand); the others are new, so their types are inferred.

The CRM import is `plan_import` + `apply_import` in one `crm.write()` in this process, what
`crm import airtable` does: every cell parsed to its field's type and checked. The
comparison is the sqlite-utils CLI (`insert --csv --detect-types`, which also types its
columns; sqlite-utils 4 detects types by default and has no such flag, so it is left out
there) run as a subprocess into a fresh database. A re-import of the same file is timed
too, and must create and update nothing.
"""
import csv
import io
import shutil
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from bench.hotspots import profile_rows
from bench.report import Row, size, verdict

NAME = "import_csv"
TARGET_SECONDS = 10.0
NOTES = ["the CRM import is read, parse, infer, check and write of every cell in one "
         "transaction (plan_import + apply_import in crm.write(), as `crm import airtable`), "
         "then the changes_committed listeners crm.write() calls after the commit; "
         "sqlite-utils insert --csv (--detect-types before sqlite-utils 4, which detects types "
         "by default) runs as a subprocess, its Python start-up included"]

STAGES = ["Prospect", "Intro", "Meeting", "Diligence", "Soft Circle", "Committed", "Passed",
          "Declined"]
SECTORS = ["Fintech", "SaaS", "Health, Bio", "Climate", "AI", "Consumer", "Crypto",
           "Deep Tech", "Marketplaces", "Security, Identity"]
REGIONS = ["North America", "Europe", "Asia", "LatAm", "Africa", "Middle East"]
FUND_TYPES = ["VC", "Family Office", "Corporate", "Angel", "Fund of Funds", "Endowment",
              "Pension", "Sovereign"]
CO_INVESTORS = ["Sequoia", "a16z", "Accel, Europe", "Index", "Benchmark", "Greylock",
                "Lightspeed", "General Catalyst", "Founders Fund", "Balderton, London",
                "Atomico", "Northzone"]
FIRST = ["Ada", "Ben", "Chloe", "Dev", "Elena", "Farid", "Grace", "Hugo", "Ines", "Jon",
         "Kemi", "Liam", "Maya", "Noah", "Olga", "Priya", "Quinn", "Rosa", "Sam", "Tara"]
LAST = ["Adams", "Baker", "Chen", "Diaz", "Evans", "Fischer", "Garcia", "Huang", "Ito",
        "Jones", "Khan", "Lopez", "Moreau", "Novak", "Okafor", "Patel", "Rossi", "Singh"]
FIRMS = ["Acme", "Birch", "Cedar", "Delta", "Ember", "Fjord", "Granite", "Harbor", "Iris",
         "Juniper", "Kestrel", "Lumen", "Maple", "Nimbus", "Orbit", "Pine", "Quarry", "Ridge"]
KINDS = ["Capital", "Ventures", "Partners", "LP", "Family Office", "Holdings"]
EVENTS = ["SOSV demo day", "Web Summit", "a dinner in Berlin", "the LP summit", "Slush"]
ALPHANUMERIC = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

# Investor fields the CRM has before the import (Name, Stage, Check Size and Last Contact
# are built in); every other column of the file is new to it.
EXISTING_FIELDS = [
    ("Sectors", "multi_select", {"choices": SECTORS}),
    ("Fee %", "percent", {}),
    ("Strategic", "checkbox", {}),
    ("Website", "url", {}),
    ("Notes", "long_text", {}),
    ("Deck", "text", {}),
    ("Next Meeting", "date", {"include_time": True}),
    ("Employees", "number", {"precision": 0}),
    ("Region", "single_select", {"choices": REGIONS}),
    ("Partner", "text", {}),
    ("Email", "email", {}),
]


def _maybe(rng, share, make):
    return make() if rng.random() < share else ""


def _day(rng):
    return f"{rng.randint(1, 12)}/{rng.randint(1, 28)}/{rng.randint(2019, 2026)}"


def _moment(rng):
    return f"{_day(rng)} {rng.randint(1, 12)}:{rng.randint(0, 59):02d}{rng.choice(['am', 'pm'])}"


def _members(rng, names, most):
    picked = rng.sample(names, rng.randint(1, most))
    return ",".join(f'"{n}"' if "," in n else n for n in picked)


def _person(rng):
    return f"{rng.choice(FIRST)} {rng.choice(LAST)}"


def _slug(i):
    return f"{FIRMS[i % len(FIRMS)].lower()}-{i}"


def _attachments(rng, i, kind):
    files = [f"{kind}-{i}.pdf", f"{kind}-{i}-appendix.png"][:rng.randint(1, 2)]
    return ",".join(f"{name} (https://dl.airtable.com/.attachments/{rng.getrandbits(64):016x}/"
                    f"{name})" for name in files)


def _note(rng, i):
    return (f"Met {rng.choice(FIRST)} at {rng.choice(EVENTS)}.\n"
            f"Follow up in Q{rng.randint(1, 4)}, \"warm\" intro; ticket {i % 97}, not before "
            f"the {rng.choice(['seed', 'Series A', 'Series B'])} close.")


def _thesis(rng):
    return (f"Backs {rng.choice(SECTORS).lower()} founders, {rng.randint(2, 20)} a year.\n"
            f"Says \"no\" to {rng.choice(SECTORS)}.")


def _record_id(rng):
    return "rec" + "".join(rng.choices(ALPHANUMERIC, k=14))


# header, cell maker(row index, random); 28 columns, then Record ID and an empty column.
COLUMNS = [
    ("Name", lambda i, r: f"{FIRMS[i % len(FIRMS)]} {r.choice(KINDS)} {i + 1}"),
    ("Stage", lambda i, r: r.choice(STAGES)),
    ("Check Size", lambda i, r: f"${r.randrange(4, 1000) * 25_000 + r.choice([0, 0, 0.5]):,.2f}"),
    ("Last Contact", lambda i, r: _maybe(r, 0.8, lambda: _day(r))),
    ("Sectors", lambda i, r: _maybe(r, 0.9, lambda: _members(r, SECTORS, 3))),
    ("Fee %", lambda i, r: f"{r.randint(5, 300) / 10:g}%"),
    ("Strategic", lambda i, r: "checked" if r.random() < 0.3 else ""),
    ("Website", lambda i, r: f"https://{_slug(i)}.example.com"),
    ("Notes", lambda i, r: _maybe(r, 0.7, lambda: _note(r, i))),
    ("Deck", lambda i, r: _maybe(r, 0.5, lambda: _attachments(r, i, "deck"))),
    ("Next Meeting", lambda i, r: _maybe(r, 0.6, lambda: _moment(r))),
    ("Employees", lambda i, r: str(r.randint(1, 400))),
    ("Region", lambda i, r: r.choice(REGIONS)),
    ("Partner", lambda i, r: _person(r)),
    ("Email", lambda i, r: f"{r.choice(FIRST).lower()}.{i}@{_slug(i)}.example.com"),
    ("Co-investors", lambda i, r: _maybe(r, 0.6, lambda: _members(r, CO_INVESTORS, 4))),
    ("Ownership %", lambda i, r: _maybe(r, 0.7, lambda: f"{r.randint(1, 250) / 10:g}%")),
    ("Lead Investor", lambda i, r: "checked" if r.random() < 0.2 else ""),
    ("LinkedIn", lambda i, r: f"https://www.linkedin.com/company/{_slug(i)}"),
    ("Thesis", lambda i, r: _maybe(r, 0.5, lambda: _thesis(r))),
    ("Memo", lambda i, r: _maybe(r, 0.3, lambda: _attachments(r, i, "memo"))),
    ("Created", lambda i, r: _moment(r)),
    ("AUM", lambda i, r: f"${r.randint(10, 50_000) * 1_000_000 + r.randint(0, 99) / 100:,.2f}"),
    ("Founded", lambda i, r: str(r.randint(1950, 2024))),
    ("Portfolio Size", lambda i, r: f"{r.randint(1, 2500):,}"),
    ("Fund Type", lambda i, r: r.choice(FUND_TYPES)),
    ("Source", lambda i, r: f"Intro from {_person(r)}"),
    ("Assistant Email", lambda i, r: _maybe(r, 0.4, lambda: f"assistant.{i}@{_slug(i)}.example")),
]
HEADER = [name for name, _ in COLUMNS] + ["Record ID", ""]


def write_export(path: Path, rows: int, rng) -> int:
    """Write the export (UTF-8 with a BOM, CRLF, as Airtable does); its size in bytes."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(HEADER)
    ids = set()
    for i in range(rows):
        record_id = _record_id(rng)
        while record_id in ids:
            record_id = _record_id(rng)
        ids.add(record_id)
        writer.writerow([make(i, rng) for _, make in COLUMNS] + [record_id, ""])
    data = ("\ufeff" + out.getvalue()).encode("utf-8")
    path.write_bytes(data)
    return len(data)


def open_crm(root: Path):
    from core.context import build_crm
    from core.settings import Settings

    return build_crm(Settings(data_dir=root, secrets_dir=root, secret_key="k" * 40,
                              plugins=None))


def create_existing_fields(crm):
    from plugins.fundraising.field_defs import FieldSpec
    from plugins.fundraising.fields import create_field

    with crm.write() as db:
        for name, ftype, options in EXISTING_FIELDS:
            create_field(db, FieldSpec("investors", name, ftype, options or {}), None)


@dataclass
class Timed:
    """One CRM import: its summary and seconds, in all and by phase."""
    summary: dict
    seconds: float
    plan: float
    apply: float
    after: float  # the commit, then the changes_committed listeners crm.write() calls


def crm_import(crm, path: Path) -> Timed:
    """One import of the file as `crm import airtable` runs it (read, plan, apply, commit)."""
    from plugins.fundraising.imports.importer import apply_import, plan_import

    from core.memory import gc_paused

    start = time.perf_counter()
    data = path.read_bytes()
    with gc_paused(), crm.write() as db:
        plan = plan_import(db, "investors", data)
        planned = time.perf_counter()
        summary = apply_import(db, plan, None)
        applied = time.perf_counter()
        del plan
    end = time.perf_counter()
    return Timed(summary, end - start, planned - start, applied - planned, end - applied)


def sqlite_utils_command(path: Path, database: Path) -> list[str]:
    """`sqlite-utils insert DB investors FILE --csv --detect-types`, without the flag where
    the installed sqlite-utils has none (4.x: types are detected unless --no-detect-types)."""
    exe = Path(sys.executable).parent / "sqlite-utils"
    command = str(exe) if exe.exists() else shutil.which("sqlite-utils")
    if command is None:
        raise SystemExit("import_csv: the sqlite-utils CLI is not installed")
    usage = subprocess.run([command, "insert", "--help"], capture_output=True, text=True).stdout
    flags = ["--detect-types"] if "--detect-types" in usage.replace("--no-detect-types", "") \
        else []
    return [command, "insert", str(database), "investors", str(path), "--csv", *flags]


def sqlite_utils_insert(command: list[str]) -> float:
    """Seconds of the sqlite-utils CLI inserting the file, its columns typed."""
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if done.returncode:
        raise SystemExit(f"import_csv: {' '.join(command)} failed: {done.stderr[-1000:]}")
    return seconds


def sqlite_utils_version(command: str) -> str:
    done = subprocess.run([command, "--version"], capture_output=True, text=True)
    return done.stdout.strip().rpartition(" ")[2] or "?"


def count_rows(database: Path, table: str) -> int:
    import sqlite3

    conn = sqlite3.connect(database)
    try:
        return conn.execute(f"SELECT count(*) FROM [{table}]").fetchone()[0]
    finally:
        conn.close()


def check_summary(summary: dict, rows: int, creates: int, what: str):
    if summary["error_rows"] or summary["rows"] != rows or summary["creates"] != creates:
        raise AssertionError(f"{what}: {summary['rows']} rows, {summary['creates']} created, "
                             f"{summary['error_rows']} with errors, first errors "
                             f"{summary['errors'][:3]}")


def rate(rows: int, seconds: float) -> str:
    return f"{rows / seconds:,.0f} rows/s"


def run(sizes, workdir, rng, options) -> list[Row]:
    root = workdir / NAME
    root.mkdir(parents=True, exist_ok=True)
    rows = sizes.import_rows
    export = root / "airtable_export.csv"
    nbytes = write_export(export, rows, rng)
    full = sizes.import_is_full
    crm = open_crm(root / "crm")
    try:
        create_existing_fields(crm)
        first = crm_import(crm, export)
        check_summary(first.summary, rows, rows, "first import")
        again = crm_import(crm, export)
        check_summary(again.summary, rows, 0, "re-import")
        if again.summary["updates"] or again.summary["unchanged"] != rows:
            raise AssertionError(f"re-import: {again.summary['updates']} updated, "
                                 f"{again.summary['unchanged']} unchanged of {rows}")
    finally:
        crm.database.close()
    su_db = root / "sqlite_utils.db"
    command = sqlite_utils_command(export, su_db)
    su_s = sqlite_utils_insert(command)
    if count_rows(su_db, "investors") != rows:
        raise AssertionError("sqlite-utils did not insert every row")
    new = first.summary["new_fields"]
    kinds = Counter(f["type"] + ("+time" * bool(f["options"].get("include_time")))
                    for f in new)
    detect = "--detect-types" if "--detect-types" in command else "(detects types by default)"
    ok = first.seconds <= TARGET_SECONDS
    faster = first.seconds < su_s
    result = [
        Row(NAME, f"data: {rows:,} rows x {len(HEADER)} columns ({size(nbytes)}), "
                  f"{len(EXISTING_FIELDS) + 4} columns of existing fields, {len(new)} new", ""),
        Row(NAME, "  types inferred for the new fields: " + ", ".join(
            f"{kind}{f' x{n}' * (n > 1)}" for kind, n in sorted(kinds.items())), ""),
        Row(NAME, f"CRM import into an empty table ({first.summary['creates']:,} created, "
                  f"{len(new)} fields made), in crm.write()", f"{first.seconds:.2f} s",
            f"<= {TARGET_SECONDS:.0f} s", verdict(ok if full else None)),
        Row(NAME, "  CRM import rate", rate(rows, first.seconds)),
        Row(NAME, "  of which plan_import / apply_import / commit + changes_committed "
                  "listeners", phases(first)),
        Row(NAME, f"sqlite-utils {sqlite_utils_version(command[0])} insert --csv {detect}, "
                  "fresh database (subprocess)", f"{su_s:.2f} s", "informational"),
        Row(NAME, "  sqlite-utils rate", rate(rows, su_s)),
        Row(NAME, "CRM import / sqlite-utils", f"{first.seconds / su_s:.2f}x", "< 1.00x",
            verdict(faster if full else None)),
        Row(NAME, f"CRM re-import of the same file ({again.summary['creates']} created, "
                  f"{again.summary['updates']} updated, {again.summary['unchanged']:,} "
                  "unchanged)", f"{again.seconds:.2f} s", "informational"),
        Row(NAME, "  CRM re-import rate", rate(rows, again.seconds)),
        Row(NAME, "  of which plan_import / apply_import / commit + changes_committed "
                  "listeners", phases(again)),
    ]
    if options.profile or (full and not (ok and faster)):
        crm = open_crm(root / "profiled")
        try:
            create_existing_fields(crm)
            result += profile_rows(NAME, f"CRM import of {rows:,} rows into an empty table",
                                   lambda: crm_import(crm, export), rows, unit="row",
                                   per=lambda s: f"{s * 1e6:.1f} µs")
        finally:
            crm.database.close()
    return result


def phases(timed: Timed) -> str:
    return f"{timed.plan:.2f} / {timed.apply:.2f} / {timed.after:.2f} s"
