"""The write rows of api_throughput (issue 22, "writes that scale"), each against its target:

- PATCH of one cell: server CPU per edit, throughput as a share of GET by id measured in the
  same run, p99 at the run's connections;
- one POST /api/fundraising/investors/batch of 1,000 one-cell updates over HTTP (median of a
  few, after a warm-up);
- page p99 alone and while a second wrk PATCHes (reads under writes), measured back to back.
"""
import sqlite3
import statistics
import time

from bench.report import Row, ms, verdict
from bench.wrk import WrkResult, get_script, patch_script

NAME = "api_throughput"
TARGET_PATCH_CPU = 0.001  # seconds of server CPU per edit
TARGET_PATCH_SHARE = 0.25  # of GET-by-id throughput in the same run
TARGET_PATCH_P99 = 0.050  # at 8 connections, stated for 2 cores
TARGET_BATCH = 0.300  # one batch of BATCH_ITEMS cell changes
TARGET_READ_SLOWDOWN = 2.0  # page p99 under a PATCH load / page p99 alone
BATCH_ITEMS = 1000
BATCH_RUNS = 5  # timed, after one warm-up
NOTES = [
    "PATCH server CPU per edit is the user + sys time of every crm serve process (/proc, "
    "before and after the measured wrk run) divided by the PATCHes answered; the PATCH / GET "
    "throughput share compares two loads of the same run and shape",
    "the write lock hold is measured in process on the server's database (the server idle): "
    "from BEGIN IMMEDIATE (SQLite's trace callback) until core.db's write context returns "
    "after COMMIT, for each one-cell PATCH sent through the app as a WSGI call",
    "the batch row times one POST .../investors/batch of 1,000 updates (one number cell "
    "each, with the records' versions) from send until the response is read, over HTTP",
    "reads under writes: the page load alone, then the same page load while a second wrk "
    "(same shape) PATCHes; both share the machine's cores with the servers",
]


# --- versions in SQLite (each PATCH and batch update needs the record's version) ----------

def versions_of(database_path) -> dict[int, int]:
    db = sqlite3.connect(f"file:{database_path}?mode=ro", uri=True)
    try:
        return dict(db.execute("SELECT id, version FROM fundraising_investors"))
    finally:
        db.close()


def settled_versions(database_path, wait=0.25, limit=10.0) -> dict[int, int]:
    """The versions once no write lands any more: requests in flight when wrk stops are
    still answered (and committed) after it exits."""
    deadline = time.monotonic() + limit
    last = versions_of(database_path)
    while time.monotonic() < deadline:
        time.sleep(wait)
        now = versions_of(database_path)
        if now == last:
            break
        last = now
    return last


def _outcome(ok, full, *results: WrkResult) -> str:
    if any(r.errors for r in results):
        return "FAIL"
    return verdict(ok if full else None)


# --- 1. PATCH against GET by id ---------------------------------------------------------

def patch_rows(got: WrkResult, patched: WrkResult, connections: int, full: bool) -> list[Row]:
    """Server CPU per edit, the PATCH / GET throughput share and PATCH p99, with targets."""
    rows = []
    if patched.server_cpu is None or not patched.requests:
        rows.append(Row(NAME, "PATCH: server CPU per edit", "unknown (no /proc)",
                        f"<= {ms(TARGET_PATCH_CPU)}"))
    else:
        per_edit = patched.server_cpu / patched.requests
        rows.append(Row(NAME, "PATCH: server CPU per edit (all crm serve processes, user + "
                              "sys / PATCHes answered)", f"{per_edit * 1000:.2f} ms",
                        f"<= {ms(TARGET_PATCH_CPU)}",
                        _outcome(per_edit <= TARGET_PATCH_CPU, full, patched)))
    share = patched.rps / got.rps if got.rps else 0.0
    rows.append(Row(NAME, "PATCH throughput / GET-by-id throughput (same run)",
                    f"{share:.0%} ({patched.rps:,.0f} / {got.rps:,.0f} req/s)",
                    f">= {TARGET_PATCH_SHARE:.0%}",
                    _outcome(share >= TARGET_PATCH_SHARE, full, got, patched)))
    rows.append(Row(NAME, f"PATCH latency p99 at {connections} connections (p90; slowest)",
                    f"{ms(patched.p99)} ({ms(patched.p90)}; {ms(patched.slowest)})",
                    f"<= {ms(TARGET_PATCH_P99)} (2 cores)",
                    _outcome(patched.p99 <= TARGET_PATCH_P99, full, patched)))
    return rows


# --- 2. A batch of 1,000 cell changes ---------------------------------------------------

def batch_rows(crm, http, field_name, total, rng, full) -> list[Row]:
    """POST /investors/batch with BATCH_ITEMS one-cell updates, BATCH_RUNS times after a
    warm-up; each checked (every record back, in order, its version bumped once)."""
    count = min(BATCH_ITEMS, total)
    versions = settled_versions(crm.database_path)
    times = []
    for run in range(BATCH_RUNS + 1):
        ids = rng.sample(range(1, total + 1), count)
        base = 9_000_000_000 + run * count  # values no field had before
        body = {"updates": [{"id": i, "expected_version": versions[i],
                             "fields": {field_name: base + k}} for k, i in enumerate(ids)]}
        answer, seconds, _ = http.json("POST", "/api/fundraising/investors/batch", body)
        written = answer["updates"]
        if [r["id"] for r in written] != ids or any(
                r["version"] != versions[r["id"]] + 1 for r in written):
            raise AssertionError("the batch did not write every record once, in order")
        versions.update((r["id"], r["version"]) for r in written)
        if run:  # the first is the warm-up
            times.append(seconds)
    median = statistics.median(times)
    return [Row(NAME, f"batch: one POST /investors/batch of {count:,} one-cell updates "
                      f"(median of {len(times)}; min .. max)",
                f"{ms(median)} ({ms(min(times))} .. {ms(max(times))})",
                f"<= {ms(TARGET_BATCH)} for {BATCH_ITEMS:,}",
                verdict(median <= TARGET_BATCH if full and count == BATCH_ITEMS else None))]


# --- 3. Reads under writes --------------------------------------------------------------

def reads_under_writes(wrk, crm, pages, ids, field_name, value_base, nthreads, record_path,
                       full) -> list[Row]:
    """The page load alone, then again beside a PATCH load (a second wrk, started first and
    lasting past the page load's warm-up and measured run)."""
    def page_script(_):
        return get_script(crm.token, pages, nthreads)

    alone = wrk.measure(crm, page_script)
    sizes = wrk.sizes
    writes = wrk.start(crm.port, patch_script(
        crm.token, ids, settled_versions(crm.database_path), field_name, value_base,
        nthreads, record_path), sizes.api_warmup_seconds + sizes.api_seconds + 2)
    try:
        loaded = wrk.measure(crm, page_script)
    finally:
        beside = writes.result()
    ratio = loaded.p99 / alone.p99 if alone.p99 else float("inf")
    return [
        Row(NAME, "page p99 alone / under a concurrent PATCH load",
            f"{ms(alone.p99)} / {ms(loaded.p99)} ({alone.rps:,.0f} / {loaded.rps:,.0f} "
            "pages/s)"),
        Row(NAME, "  the PATCH load beside it: throughput, non-2xx, socket errors",
            f"{beside.rps:,.0f} req/s, {beside.non2xx}"
            + (f" ({beside.statuses})" if beside.non2xx else "")
            + f", {beside.socket_errors}; p99 {ms(beside.p99)}",
            "0 non-2xx, 0 socket errors", "FAIL" if beside.errors else "PASS"),
        Row(NAME, "reads under writes: page p99 with PATCHes / page p99 alone",
            f"{ratio:.2f}x", f"<= {TARGET_READ_SLOWDOWN:.1f}x",
            _outcome(ratio <= TARGET_READ_SLOWDOWN, full, alone, loaded)),
    ]
