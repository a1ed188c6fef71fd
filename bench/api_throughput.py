"""api_throughput: requests per second under concurrent load, Debian's `wrk` on loopback.

Three loads against one `crm serve` with a worker process per usable core (its own data,
seeded as list_page seeds it):
  1. GET /api/fundraising/investors/{id} over random ids;
  2. GET /api/fundraising/investors?limit=100&offset=N over random offsets, then datasette's
     `?sql=` page (list_page's SQL, _shape=array) on the same SQLite file, right after;
  3. PATCH /api/fundraising/investors/{id} changing one number field (a real write each),
     then the write rows of bench/write_load.py (PATCH against GET, a batch of 1,000, pages
     under a PATCH load) and the write lock hold of bench/edit_breakdown.py (in process).
Each load is a short warm-up wrk run, then the measured one (bench/wrk.py drives wrk and
keeps the bearer token out of its argv).
"""
import dataclasses
import os
import shutil
import subprocess
import sys
import time
from itertools import count

from bench import breakdown, edit_breakdown, seed, write_load
from bench.client import Http
from bench.hotspots import profile_rows
from bench.list_page import check_same_rows, crm_path, datasette_path
from bench.report import Row, ms, percentile, size, verdict
from bench.servers import CrmServer, DatasetteServer, datasette_available
from bench.write_load import settled_versions, versions_of
from bench.wrk import Wrk, WrkResult, get_script, patch_script

NAME = "api_throughput"
TARGET_GET_RPS = 1_000
TARGET_PAGE_RATIO = 1.2
SKIPPED = "skipped (wrk not installed: apt-get install wrk)"
RECORD_PATH = "/api/fundraising/investors/"
NOTES = [
    "CRM paths are under /api/fundraising; ids and offsets are random (the same offsets for "
    "the CRM and datasette, which serves the same SQLite file right after the CRM's run)",
    "wrk runs on the same cores as the servers (loopback), so a share of the CPU is the load "
    "generator's; the GET target (>= 1,000 req/s) is stated for 2 cores",
    "PATCH sends the record's current expected_version (RecordPatch requires it): the script "
    "reads the new version from each 2xx response, and every PATCH sets a value the field "
    "never had, so each one is a committed write (checked against the versions in SQLite)",
    "crm serve runs with one worker process per usable core (CRM_WORKERS, pre-fork on one "
    "listening socket), as docs/operations.md advises for a deployment; the page load is also "
    "run against one process, as datasette serves, for comparison; server CPU sums the "
    "processes",
    "any non-2xx response or socket error (connect, read, write, timeout) fails its row",
    "server CPU per request is the server process's user + sys time over the measured run "
    "divided by its requests: steadier than req/s on a busy machine",
    *write_load.NOTES,
]


# --- the benchmark -----------------------------------------------------------------------

def waitress_threads(crm) -> str:
    """settings.threads as `crm serve` reads it (same environment and working directory)."""
    try:
        done = subprocess.run(
            [sys.executable, "-c",
             "from core.settings import load_settings; print(load_settings().threads)"],
            env=crm.env(), cwd=crm.root, capture_output=True, text=True, timeout=60)
        return done.stdout.strip() or "unknown"
    except (OSError, subprocess.SubprocessError):
        return "unknown"


def load_rows(label, result: WrkResult, target="", ok=None) -> list[Row]:
    """Throughput (with its target, failed by any error), latency and the error count."""
    clean = result.errors == 0
    outcome = "FAIL" if not clean else (verdict(ok) if target else "")
    return [
        Row(NAME, f"{label}: throughput", f"{result.rps:,.0f} req/s", target, outcome),
        Row(NAME, f"{label}: latency p50 / p99", f"{ms(result.p50)} / {ms(result.p99)}"),
        Row(NAME, f"{label}: server CPU per request (user + sys)",
            "unknown" if result.server_cpu is None or not result.requests else
            f"{ms(result.server_cpu / result.requests)} ({result.server_cpu / result.seconds:.2f}"
            " cores busy)"),
        Row(NAME, f"{label}: requests, non-2xx, socket errors",
            f"{result.requests:,}, {result.non2xx}"
            + (f" ({result.statuses})" if result.non2xx else "")
            + f", {result.socket_errors}; {size(result.nbytes / max(result.requests, 1))}/resp",
            "0 non-2xx, 0 socket errors", "PASS" if clean else "FAIL"),
    ]


def run(sizes, workdir, rng, options) -> list[Row]:
    binary = shutil.which("wrk")
    if not binary:
        return [Row(NAME, "wrk load generator", SKIPPED)]
    root = workdir / NAME
    limit = sizes.page_limit
    custom = sizes.api_fields - seed.BUILTIN_INVESTOR_FIELDS
    nthreads = sizes.api_threads
    full = sizes.api_is_full
    needed = seed.BUILTIN_INVESTOR_FIELDS + seed.CUSTOM_TYPES.index("number") + 1
    if sizes.api_fields < needed:  # PATCH changes the first number field
        raise SystemExit(f"{NAME}: --api-fields must be at least {needed}")
    workers = usable_cores()
    with CrmServer(root, workers=workers) as crm:
        http = crm.client()
        fields = seed.create_fields(http, seed.field_specs(custom))
        number = next(f["name"] for f in fields if f["type"] == "number")
        total = seed.insert_investors(crm.database_path, seed.investor_rows(
            sizes.api_investors, fields, rng, crm.user_id))
        http.close()  # idle through the seeding: waitress may have closed it (channel_timeout)
        ids = rng.sample(range(1, total + 1), min(total, sizes.api_ids))
        if len(ids) < 2 * sizes.api_connections * 4:  # PATCH runs take half each
            raise SystemExit(f"{NAME}: too few ids for {sizes.api_connections} connections")
        offsets = [rng.randrange(total - limit + 1) for _ in range(sizes.api_offsets)]
        one = http.json("GET", f"{RECORD_PATH}{ids[0]}")[0]
        if one["id"] != ids[0] or len(one["fields"]) < custom // 2:
            raise AssertionError("the CRM does not serve the seeded investor and its fields")
        page = http.json("GET", crm_path(limit, 0))[0]
        if page["total"] != total:
            raise AssertionError("the CRM does not list the seeded investors")
        wrk = Wrk(binary, root, sizes)
        rows = [Row(NAME, f"data: {total:,} investors x {sizes.api_fields} fields; "
                          f"{wrk.shape} after a {sizes.api_warmup_seconds} s warm-up", ""),
                Row(NAME, "crm serve processes (CRM_WORKERS: one per usable core) x waitress "
                          "threads each (settings.threads)", f"{workers} x {waitress_threads(crm)}"),
                Row(NAME, "CPUs usable by this process (wrk shares them)", str(usable_cores()))]

        # 1. One record by id.
        get_paths = [f"{RECORD_PATH}{i}" for i in ids]
        got = wrk.measure(crm, lambda _: get_script(crm.token, get_paths, nthreads))
        rows += load_rows(f"CRM GET /investors/{{id}} ({len(ids):,} ids)", got,
                          f">= {TARGET_GET_RPS:,} req/s", got.rps >= TARGET_GET_RPS
                          if full else None)

        # 2. A page of records, then datasette's page SQL on the same file.
        crm_pages = [crm_path(limit, o) for o in offsets]
        crm_page = wrk.measure(crm, lambda _: get_script(crm.token, crm_pages, nthreads))
        ds_page = None
        if datasette_available() and not options.no_datasette:
            with DatasetteServer(crm.database_path, root / "datasette.log") as ds:
                ds_http = Http(ds.port)
                try:
                    check_same_rows(http, lambda o: crm_path(limit, o), ds_http,
                                    lambda o: datasette_path(ds.name, limit, o), limit,
                                    [0, *offsets[:3], total - limit])
                finally:
                    ds_http.close()
                ds_pages = [datasette_path(ds.name, limit, o) for o in offsets]
                ds_page = wrk.measure(ds, lambda _: get_script(None, ds_pages, nthreads))
        # The same pages from one process, as datasette serves them: for comparison only.
        crm.restart(workers=1)
        one_page = wrk.measure(crm, lambda _: get_script(crm.token, crm_pages, nthreads))
        crm.restart(workers=workers)
        page_label = f"CRM GET /investors?limit={limit}&offset=N ({len(offsets):,} offsets)"
        rows += load_rows(f"{page_label}, {workers} processes", crm_page)
        rows += load_rows(f"{page_label}, 1 process", one_page)
        if ds_page:
            rows += load_rows("datasette ?sql= page SQL, _shape=array (1 process)", ds_page)
            rows += ratio_rows(crm_page, one_page, ds_page, workers, full)
        else:
            rows.append(Row(NAME, "datasette", "skipped (not installed or --no-datasette)"))

        # 3. PATCH one field: last, so the reads above see the data as seeded. The warm-up
        # and the measured run take disjoint halves of the ids, each with fresh versions.
        before = versions_of(crm.database_path)
        value_bases = count(1_000_000, 10_000_000)  # a fresh value range per wrk run
        patched = wrk.measure(crm, lambda warmup: patch_script(
            crm.token, ids[warmup::2], settled_versions(crm.database_path), number,
            next(value_bases), nthreads, RECORD_PATH))
        after = settled_versions(crm.database_path)
        bumps = sum(after[i] - before[i] for i in ids)
        answered = sum(r.requests - r.non2xx for r in (wrk.warmup, patched))
        rows += load_rows(f"CRM PATCH /investors/{{id}} ('{number}', {len(ids) // 2:,} ids)",
                          patched)
        # Requests still in flight when wrk stops may commit unanswered: bumps >= answered.
        rows.append(Row(NAME, "PATCH version bumps in SQLite / 2xx answers (with warm-up)",
                        f"{bumps:,} / {answered:,}", "bumps >= 2xx answers",
                        "PASS" if bumps >= answered else "FAIL"))
        writes = write_load.patch_rows(got, patched, sizes.api_connections, full)
        rows += writes
        batch_http = crm.client()  # the server's port changed with the restart above
        try:
            rows += write_load.batch_rows(crm, batch_http, number, total, rng, full)
        finally:
            batch_http.close()
        rows += write_load.reads_under_writes(wrk, crm, crm_pages, ids, number,
                                              next(value_bases), nthreads, RECORD_PATH, full)
        edit_ids = rng.sample(range(1, total + 1),
                              min(total, sizes.api_edits + edit_breakdown.WARMUP_EDITS))
        rows += edit_breakdown.run(
            crm, edit_ids, settled_versions(crm.database_path), number, RECORD_PATH, full,
            options.profile or (full and any(row.result == "FAIL" for row in writes)))

        if options.profile or (full and got.errors == 0 and got.rps < TARGET_GET_RPS):
            rows += get_profile(crm, ids[:options.profile_requests * 10])
        if ds_page and (options.profile or (full and crm_page.rps
                                            < TARGET_PAGE_RATIO * ds_page.rps)):
            rows += [dataclasses.replace(row, bench=NAME) for row in breakdown.run(
                crm, limit, offsets[:options.profile_requests], options.profile)]
    return rows


def usable_cores() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()


def ratio_rows(crm_page, one_page, ds_page, workers, full) -> list[Row]:
    """The page target (CRM as deployed, one process per core) and the one-process ratio."""
    def ratio(result):
        return result.rps / ds_page.rps if ds_page.rps else 0.0
    clean = crm_page.errors == 0 and ds_page.errors == 0
    return [
        Row(NAME, f"page throughput: CRM ({workers} processes) / datasette",
            f"{ratio(crm_page):.2f}x", f">= {TARGET_PAGE_RATIO:.2f}x",
            verdict(ratio(crm_page) >= TARGET_PAGE_RATIO if full else None)
            if clean else "FAIL"),
        Row(NAME, "page throughput: CRM (1 process) / datasette", f"{ratio(one_page):.2f}x",
            "informational"),
    ]


def get_profile(crm, ids) -> list[Row]:
    """Where one GET /investors/{id} spends its time, in-process (no server, no socket)."""
    try:
        return _get_profile(crm, ids)
    except Exception as exc:  # noqa: BLE001 - reported, not hidden
        return [Row(NAME, "where GET {id} time goes: failed", f"{type(exc).__name__}: {exc}")]


def _get_profile(crm, ids) -> list[Row]:
    import falcon.testing

    server_crm, app = breakdown.open_crm(crm)
    headers = {"Authorization": f"Bearer {crm.token}"}

    def start_response(status, response_headers, exc_info=None):
        if not status.startswith("200"):
            raise AssertionError(f"in-process GET: {status}")

    def get(record_id):
        environ = falcon.testing.create_environ(f"{RECORD_PATH}{record_id}", headers=headers)
        return b"".join(app(environ, start_response))

    try:
        times = []
        for record_id in ids:
            start = time.perf_counter()
            get(record_id)
            times.append(time.perf_counter() - start)
        rows = [Row(NAME, f"GET {{id}} in-process WSGI call, median of {len(ids)} "
                          "(no server, no socket)", ms(percentile(times, 50)))]
        rows += profile_rows(NAME, f"{len(ids)} in-process GET {{id}}",
                             lambda: [get(i) for i in ids], len(ids))
        return rows
    finally:
        server_crm.database.close()
