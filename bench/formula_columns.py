"""formulas: three formula columns recalculated in full, our engine against the `formulas`
package (Excel's semantics, in its fastest mode: each column as one numpy array); then, on a
real database, a column recomputed and one-cell edits (formula_edits.py).

In-process, no server: the values are prepared beforehand and each engine is timed over
them alone, median of a few runs.
"""
import re
import statistics
import sys
import time

from bench import formula_edits, seed
from bench.hotspots import profile_rows
from bench.report import Row, us, verdict
from plugins.fundraising.formula import compile_formula

NAME = "formulas"
FIELD_TYPES = {"Name": "text", "Stage": "single_select", "Check Size": "currency"}
EXPRESSIONS = ["{Check Size} * 0.02", 'IF({Stage} = "Committed", {Check Size}, 0)',
               'CONCAT({Name}, " - ", {Stage})']
CELLS = {"Check Size": "A1", "Stage": "B1", "Name": "C1"}  # where Excel reads each field
TARGET_SECONDS_PER_EVALUATION = 2e-6
TARGET_SPEEDUP = 10
SAMPLE = 1_000
NOTES = [
    "the formulas package gets each column as one numpy array, one call per formula (its "
    "fastest mode); our engine evaluates record by record, Formula.evaluate on one dict of "
    "values, as recompute_column and every write do",
    "recompute_column and the edits run in this process on a fresh database (build_crm in the "
    "run directory): an edit is BEGIN IMMEDIATE, RecordStore(...).update and COMMIT, audit "
    "and version bump included",
]


def value_dicts(count: int, rng) -> list[dict]:
    """{Name, Stage, Check Size} per row, drawn as seed.py draws investors."""
    return [{"Name": r["name"], "Stage": r["stage"], "Check Size": r["check_size"]}
            for r in seed.investor_rows(count, [], rng, None)]


def excel(expression: str) -> str:
    """Our formula in Excel's syntax: {Field} becomes its cell, CONCAT becomes CONCATENATE."""
    text = re.sub(r"\{([^}]*)\}", lambda m: CELLS[m.group(1)], expression)
    return "=" + re.sub(r"\bCONCAT\(", "CONCATENATE(", text)


def compile_theirs(expression: str):
    """(compiled function, the field names of its inputs in the order it takes them)."""
    import formulas

    func = formulas.Parser().ast(excel(expression))[1].compile()
    field_of = {cell: name for name, cell in CELLS.items()}
    return func, [field_of[cell.upper()] for cell in func.inputs]


def columns(rows: list[dict]) -> dict:
    """Each field as one numpy array (text as Python strings, amounts as floats)."""
    import numpy

    return {"Name": numpy.array([r["Name"] for r in rows], dtype=object),
            "Stage": numpy.array([r["Stage"] for r in rows], dtype=object),
            "Check Size": numpy.array([r["Check Size"] for r in rows], dtype=float)}


def run_ours(compiled, rows):
    return [[evaluate(values) for values in rows] for evaluate in (f.evaluate for f in compiled)]


def run_theirs(compiled, arrays):
    return [func(*(arrays[name] for name in inputs)) for func, inputs in compiled]


def _same(ours, theirs) -> bool:
    if isinstance(ours, str):
        return ours == str(theirs)
    try:
        return float(ours) == float(theirs)
    except (TypeError, ValueError):
        return False


def mismatches(ours_compiled, theirs_compiled, rows, arrays, picks) -> int:
    """Values on which the two engines disagree, over the rows at `picks` and every formula."""
    theirs = run_theirs(theirs_compiled, arrays)
    return sum(not _same(formula.evaluate(rows[i]), column[i])
               for formula, column in zip(ours_compiled, theirs) for i in picks)


def median_seconds(functions, runs: int) -> list[float]:
    """The median seconds of each function over `runs`, run in turns (a, b, a, b, ...) so
    that a busy moment of the machine does not fall on one engine only."""
    times = [[] for _ in functions]
    for _ in range(runs):
        for function, taken in zip(functions, times):
            start = time.perf_counter()
            function()
            taken.append(time.perf_counter() - start)
    return [statistics.median(taken) for taken in times]


def run(sizes, workdir, rng, options) -> list[Row]:
    n = sizes.formula_rows
    rows = value_dicts(n, rng)
    ours = [compile_formula(e, FIELD_TYPES) for e in EXPRESSIONS]
    theirs = [compile_theirs(e) for e in EXPRESSIONS]
    arrays = columns(rows)
    picks = rng.sample(range(n), min(SAMPLE, n))
    wrong = mismatches(ours, theirs, rows, arrays, picks)
    print(f"formulas: {wrong} mismatches between our engine and the formulas package on "
          f"{len(picks):,} sample rows x {len(EXPRESSIONS)} formulas", file=sys.stderr,
          flush=True)
    ours_s, theirs_s = median_seconds([lambda: run_ours(ours, rows),
                                       lambda: run_theirs(theirs, arrays)], sizes.formula_runs)
    evaluations = len(EXPRESSIONS) * n
    ours_each, theirs_each = ours_s / evaluations, theirs_s / evaluations
    full = sizes.formula_is_full
    speed_ok = ours_each <= TARGET_SECONDS_PER_EVALUATION and theirs_s >= TARGET_SPEEDUP * ours_s
    what = (f"{len(EXPRESSIONS)} formulas x {n:,} rows, median of {sizes.formula_runs} "
            "runs taken in turns")
    result = [
        Row(NAME, f"data: {what}; {', '.join(EXPRESSIONS)}", ""),
        Row(NAME, f"same values, our engine vs formulas ({len(picks):,} sample rows x "
                  f"{len(EXPRESSIONS)})", f"{wrong} mismatches", "0", verdict(wrong == 0)),
        Row(NAME, "our engine: full recalculation, total", f"{ours_s:.3f} s"),
        Row(NAME, "our engine: per evaluation", us(ours_each),
            f"<= {us(TARGET_SECONDS_PER_EVALUATION)}",
            verdict(ours_each <= TARGET_SECONDS_PER_EVALUATION if full else None)),
        Row(NAME, "formulas package (numpy columns, one call per formula): total",
            f"{theirs_s:.3f} s"),
        Row(NAME, "formulas package: per evaluation", us(theirs_each)),
        Row(NAME, "ours / formulas (time per evaluation)",
            f"{ours_s / theirs_s:.3f}x ({theirs_s / ours_s:.1f}x faster)",
            f"<= {1 / TARGET_SPEEDUP:.2f}x", verdict(theirs_s >= TARGET_SPEEDUP * ours_s
                                                     if full else None)),
    ]
    if options.profile or (full and not speed_ok):
        result += profile_rows(NAME, f"our engine, {evaluations:,} evaluations",
                               lambda: run_ours(ours, rows), evaluations, "eval", us)
    return result + formula_edits.run(sizes, workdir / NAME, rng, options)
