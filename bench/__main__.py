"""`python -m bench`: run the benchmarks and print one table, the machine at the top."""
import argparse
import dataclasses
import os
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

from bench import (api_throughput, dashboard_cards, digest_build, formula_columns,
                   grid_browser, import_csv, list_page, machine, sizes, spark_real, state_put,
                   view_page)
from bench.report import render

BENCHMARKS = {"state_put": state_put, "list_page": list_page,
              "formulas": formula_columns, "view_page": view_page, "import_csv": import_csv,
              "digest": digest_build, "api_throughput": api_throughput,
              "grid_browser": grid_browser, "spark_real": spark_real,
              "dashboard_cards": dashboard_cards}
OUT = Path(__file__).parent / "out"
OVERRIDES = {  # flag -> Sizes field
    "state_investors": "state_investors", "state_changes": "state_changes", "reps": "state_reps",
    "list_investors": "list_investors", "list_fields": "list_fields",
    "requests": "list_requests", "warmup": "list_warmup",
    "formula_rows": "formula_rows", "edits": "formula_edits",
    "view_investors": "view_investors", "view_fields": "view_fields",
    "view_requests": "view_requests", "import_rows": "import_rows",
    "api_investors": "api_investors", "api_fields": "api_fields", "api_seconds": "api_seconds",
    "api_connections": "api_connections", "api_edits": "api_edits",
}


def parse_args(argv):
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--quick", action="store_true",
                        help="small sizes for a smoke run (same as BENCH_SCALE=quick)")
    parser.add_argument("--only", action="append", choices=sorted(BENCHMARKS),
                        help="run only this benchmark (repeatable)")
    for flag in OVERRIDES:
        parser.add_argument(f"--{flag.replace('_', '-')}", type=int, metavar="N")
    parser.add_argument("--seed", type=int, default=1, help="random seed of data and offsets")
    parser.add_argument("--no-datasette", action="store_true",
                        help="skip the datasette comparison in list_page, view_page and "
                             "api_throughput")
    parser.add_argument("--profile", nargs="?", const="cprofile",
                        choices=["cprofile", "pyinstrument"],
                        help="also show where time goes in list_page, view_page, formulas and "
                             "api_throughput (automatic where a target is missed at full size)")
    parser.add_argument("--profile-requests", type=int, default=50, metavar="N")
    parser.add_argument("--keep", action="store_true", help="keep the data under bench/out/")
    parser.add_argument("--strict", action="store_true",
                        help="exit 1 when a target applicable at these sizes fails")
    return parser.parse_args(argv)


def choose_sizes(args, environ) -> sizes.Sizes:
    chosen = sizes.QUICK if args.quick else sizes.from_scale(environ.get("BENCH_SCALE"))
    given = {field: getattr(args, flag) for flag, field in OVERRIDES.items()
             if getattr(args, flag) is not None}
    return dataclasses.replace(chosen, **given)


def main(argv=None, environ=os.environ) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    chosen = choose_sizes(args, environ)
    code_before = machine.source_hashes()
    print("\n".join(machine.describe()), flush=True)
    if os.getloadavg()[0] > 0.5 * (os.cpu_count() or 1):
        print("WARNING:  the machine is busy before the run starts (load average above): "
              "other processes compete with the servers for the CPU", flush=True)
    print(f"Sizes:    {dataclasses.asdict(chosen)}", flush=True)
    OUT.mkdir(exist_ok=True)
    workdir = Path(tempfile.mkdtemp(prefix="run-", dir=OUT))
    rng = random.Random(args.seed)
    rows, began = [], time.monotonic()
    try:
        for name in args.only or list(BENCHMARKS):
            print(f"... {name}", file=sys.stderr, flush=True)
            rows += BENCHMARKS[name].run(chosen, workdir, rng, args)
    finally:
        if args.keep:
            print(f"Data kept in {workdir}", file=sys.stderr)
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    print(f"Took:     {time.monotonic() - began:.0f} s, load average at the end "
          f"{machine.load_average()}")
    changed = machine.changed_sources(code_before, machine.source_hashes())
    if changed:
        shown = ", ".join(changed[:8]) + (f" and {len(changed) - 8} more" * (len(changed) > 8))
        print(f"WARNING:  {len(changed)} product source file(s) changed during the run ({shown}): "
              "the figures may mix code versions; run again")
    print()
    print(render(rows))
    for name in args.only or list(BENCHMARKS):
        for note in getattr(BENCHMARKS[name], "NOTES", ()):
            print(f"Note ({name}): {note}")
    failed = any(row.result == "FAIL" for row in rows)
    return 1 if failed and args.strict else 0


if __name__ == "__main__":
    sys.exit(main())
