"""list_page: one page of investors over keep-alive HTTP, CRM against datasette.

Both servers read the same SQLite file in the same minute, at the same random offsets,
taking turns request by request (which goes first alternates).
"""
import contextlib
import functools
from urllib.parse import urlencode

from bench import breakdown, seed
from bench.client import Http
from bench.report import Row, ms, percentile, size, verdict
from bench.servers import CrmServer, DatasetteServer, datasette_available

NAME = "list_page"
TARGET_P50_SECONDS = 0.015
NOTES = [
    "the CRM answers with records whose custom fields are decoded and named, plus `total` "
    "(a count(*) of live rows, cached until the next write); datasette runs only the page SQL "
    "and returns "
    "`data` as the raw JSON text: no count",
    "datasette serves the same file with its default read-only connections (not immutable), "
    "sql_time_limit_ms=10000, max_returned_rows=1000",
]
PAGE_SQL = ("select * from fundraising_investors where deleted_at is null order by id "
            "limit {limit} offset {offset}")


def crm_path(limit, offset):
    return f"/api/fundraising/investors?limit={limit}&offset={offset}"


def datasette_path(name, limit, offset):
    query = urlencode({"sql": PAGE_SQL.format(limit=limit, offset=offset), "_shape": "array"})
    return f"/{name}.json?{query}"


def check_same_rows(crm_http, crm_page, ds_http, ds_page, limit, offsets):
    """Both servers must answer each sample offset with the same `limit` ids, in the same
    order; `crm_page` and `ds_page` give each server's path for an offset."""
    for offset in offsets:
        crm_ids = [r["id"] for r in crm_http.json("GET", crm_page(offset))[0]["records"]]
        ds_ids = [r["id"] for r in ds_http.json("GET", ds_page(offset))[0]]
        if crm_ids != ds_ids or len(crm_ids) != limit:
            raise AssertionError(f"offset {offset}: CRM and datasette return different rows")


def _time(http, path):
    status, body, seconds = http.request("GET", path)
    if status != 200:
        raise AssertionError(f"GET {path}: {status} {body[:300]!r}")
    return seconds, len(body)


def measure(crm_http, crm_page, ds_http, ds_page, offsets):
    """(CRM times, datasette times, CRM bytes, datasette bytes) over `offsets`, the servers
    taking turns request by request (which goes first alternates); no datasette if None."""
    crm_times, ds_times, crm_bytes, ds_bytes = [], [], [], []
    for i, offset in enumerate(offsets):
        turns = [("crm", crm_http, crm_page(offset))]
        if ds_http:
            turns.append(("ds", ds_http, ds_page(offset)))
        for who, http, path in (turns if i % 2 == 0 else reversed(turns)):
            seconds, nbytes = _time(http, path)
            (crm_times if who == "crm" else ds_times).append(seconds)
            (crm_bytes if who == "crm" else ds_bytes).append(nbytes)
    return crm_times, ds_times, crm_bytes, ds_bytes


def percentile_rows(bench, label, times):
    return [Row(bench, f"{label} p{q}", ms(percentile(times, q))) for q in (50, 90, 99)]


def comparison_rows(bench, data, labels, crm, ds, full) -> tuple[list[Row], bool]:
    """The rows of a page timed on the CRM and on datasette: percentiles, the ratio of the
    medians and the CRM's target; and whether the CRM met it. `crm` and `ds` are (times,
    bytes, Http), datasette's times empty when it did not run."""
    (crm_times, crm_bytes, crm_http), (ds_times, ds_bytes, ds_http) = crm, ds
    crm_p50 = percentile(crm_times, 50)
    rows = [Row(bench, data, "")]
    rows += percentile_rows(bench, f"{labels[0]} ({size(mean(crm_bytes))})", crm_times)
    if ds_times:
        ds_p50 = percentile(ds_times, 50)
        rows += percentile_rows(bench, f"{labels[1]} ({size(mean(ds_bytes))})", ds_times)
        rows.append(Row(bench, "CRM p50 / datasette p50", f"{crm_p50 / ds_p50:.2f}x",
                        "<= 1.00x", verdict(crm_p50 <= ds_p50 if full else None)))
    else:
        rows.append(Row(bench, "datasette", "skipped (not installed or --no-datasette)"))
    ok = crm_p50 <= TARGET_P50_SECONDS and (not ds_times or crm_p50 <= ds_p50)
    rows.append(Row(bench, "CRM p50 target", ms(crm_p50),
                    f"<= {TARGET_P50_SECONDS * 1000:.0f} ms, not slower than datasette",
                    verdict(ok if full else None)))
    rows.append(Row(bench, "HTTP connections opened (CRM, datasette)",
                    f"{crm_http.connections}, {ds_http.connections if ds_http else '-'}"))
    return rows, ok


def run(sizes, workdir, rng, options) -> list[Row]:
    limit = sizes.page_limit
    custom = sizes.list_fields - seed.BUILTIN_INVESTOR_FIELDS
    with CrmServer(workdir / NAME) as crm:
        crm_http = crm.client()
        fields = seed.create_fields(crm_http, seed.field_specs(custom))
        total = seed.insert_investors(crm.database_path, seed.investor_rows(
            sizes.list_investors, fields, rng, crm.user_id))
        page = crm_http.json("GET", crm_path(limit, 0))[0]
        if page["total"] != total or len(page["records"][0]["fields"]) < custom // 2:
            raise AssertionError("the CRM does not list the seeded investors and fields")
        warm = [rng.randrange(total - limit + 1) for _ in range(sizes.list_warmup)]
        offsets = [rng.randrange(total - limit + 1) for _ in range(sizes.list_requests)]
        with contextlib.ExitStack() as stack:
            ds_http, ds_name = None, None
            if datasette_available() and not options.no_datasette:
                ds = stack.enter_context(DatasetteServer(crm.database_path,
                                                         workdir / NAME / "datasette.log"))
                ds_http, ds_name = stack.enter_context(contextlib.closing(Http(ds.port))), ds.name
            crm_page = functools.partial(crm_path, limit)
            ds_page = functools.partial(datasette_path, ds_name, limit)
            if ds_http:
                check_same_rows(crm_http, crm_page, ds_http, ds_page, limit,
                                [0, *offsets[:3], total - limit])
            measure(crm_http, crm_page, ds_http, ds_page, warm)
            crm_times, ds_times, crm_bytes, ds_bytes = measure(
                crm_http, crm_page, ds_http, ds_page, offsets)
        what = f"{total:,} investors x {sizes.list_fields} fields, limit {limit}"
        rows, ok = comparison_rows(
            NAME, f"data: {what}, {len(offsets)} random offsets after {len(warm)} warm-up",
            ("CRM GET /api/fundraising/investors", "datasette page SQL, _shape=array"),
            (crm_times, crm_bytes, crm_http), (ds_times, ds_bytes, ds_http),
            sizes.list_is_full)
        if options.profile or (sizes.list_is_full and not ok):
            rows += breakdown.run(crm, limit, offsets[:options.profile_requests], options.profile)
    return rows


def mean(values):
    return sum(values) / len(values)
