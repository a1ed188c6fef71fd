"""view_page: one page of a saved view (a two-level filter, two sorts) over keep-alive HTTP,
CRM against datasette running the same WHERE and ORDER BY on the same SQLite file.

The datasette SQL is what the CRM's own compiler (plugins.fundraising.query) makes of the
saved view, with the parameters written in as literals. Offsets are random within the
view's matching total; the servers take turns as in list_page.
"""
import contextlib
import functools
from urllib.parse import urlencode

from bench import seed, view_breakdown
from bench.client import Http
from bench.list_page import check_same_rows, comparison_rows, measure
from bench.report import Row
from bench.servers import CrmServer, DatasetteServer, datasette_available

NAME = "view_page"
VIEWS_PATH = "/api/fundraising/views"
SELECT_FIELD = "Single Select 1"  # the first custom field seed.field_specs makes
NOTES = [
    "the saved view filters Stage is Meeting AND (Check Size >= 1,000,000 OR "
    f"{SELECT_FIELD} is Alpha) and sorts Check Size desc, Name asc (then id); the CRM looks "
    "the view up, compiles it, counts the matches (cached until the next write), pages the "
    "ids and reads those rows; datasette runs `select *` with the same WHERE / ORDER BY",
]


def view_body(select_field: str) -> dict:
    return {"table": "investors", "name": "Big meetings",
            "filters": {"op": "and", "conditions": [
                {"field": "Stage", "operator": "is", "value": "Meeting"},
                {"op": "or", "conditions": [
                    {"field": "Check Size", "operator": ">=", "value": 1_000_000},
                    {"field": select_field, "operator": "is", "value": "Alpha"}]}]},
            "sorts": [{"field": "Check Size", "direction": "desc"},
                      {"field": "Name", "direction": "asc"}]}


def _literal(value) -> str:
    if isinstance(value, bool):
        return str(int(value))
    if isinstance(value, (int, float)):
        return repr(value)
    return "'" + str(value).replace("'", "''") + "'"


def view_sql(database_path, view: dict) -> str:
    """The saved view's SELECT as the CRM compiles it, parameters as literals, no LIMIT."""
    from core.db import connect
    from plugins.fundraising.field_defs import load_fields
    from plugins.fundraising.query import Compiler, order_by

    db = connect(database_path)
    try:
        fields = load_fields(db, "investors")
        compiler = Compiler(fields)
        where = compiler.where(view["filters"])
        order = order_by(fields, view["sorts"])
    finally:
        db.close()
    pieces = where.split("?")
    if len(pieces) != len(compiler.params) + 1:
        raise AssertionError(f"cannot write the parameters into {where!r}")
    where = pieces[0] + "".join(_literal(p) + rest
                                for p, rest in zip(compiler.params, pieces[1:]))
    return (f"select * from fundraising_investors where deleted_at is null and ({where}) "
            f"order by {order}")


def crm_path(view_id, limit, offset):
    return f"/api/fundraising/investors?view={view_id}&limit={limit}&offset={offset}"


def datasette_path(name, sql, limit, offset):
    query = urlencode({"sql": f"{sql} limit {limit} offset {offset}", "_shape": "array"})
    return f"/{name}.json?{query}"


def run(sizes, workdir, rng, options) -> list[Row]:
    limit = sizes.page_limit
    custom = sizes.view_fields - seed.BUILTIN_INVESTOR_FIELDS
    with CrmServer(workdir / NAME) as crm:
        crm_http = crm.client()
        fields = seed.create_fields(crm_http, seed.field_specs(custom))
        if not any(f["name"] == SELECT_FIELD for f in fields):
            raise AssertionError(f"seed.field_specs no longer makes '{SELECT_FIELD}'")
        seed.insert_investors(crm.database_path, seed.investor_rows(
            sizes.view_investors, fields, rng, crm.user_id))
        view = crm_http.json("POST", VIEWS_PATH, view_body(SELECT_FIELD), expect=201)[0]
        crm_page = functools.partial(crm_path, view["id"], limit)
        total = crm_http.json("GET", crm_page(0))[0]["total"]
        if total < limit:
            raise AssertionError(f"the view matches {total} investors, fewer than a page")
        warm = [rng.randrange(total - limit + 1) for _ in range(sizes.view_warmup)]
        offsets = [rng.randrange(total - limit + 1) for _ in range(sizes.view_requests)]
        with contextlib.ExitStack() as stack:
            ds_http, ds_page = None, None
            if datasette_available() and not options.no_datasette:
                ds = stack.enter_context(DatasetteServer(crm.database_path,
                                                         workdir / NAME / "datasette.log"))
                ds_http = stack.enter_context(contextlib.closing(Http(ds.port)))
                ds_page = functools.partial(datasette_path, ds.name,
                                            view_sql(crm.database_path, view), limit)
                check_same_rows(crm_http, crm_page, ds_http, ds_page, limit,
                                [0, *offsets[:3], total - limit])
            measure(crm_http, crm_page, ds_http, ds_page, warm)
            crm_times, ds_times, crm_bytes, ds_bytes = measure(
                crm_http, crm_page, ds_http, ds_page, offsets)
        full = sizes.view_is_full
        what = (f"{sizes.view_investors:,} investors x {sizes.view_fields} fields, view "
                f"matching {total:,}, limit {limit}")
        rows, ok = comparison_rows(
            NAME, f"data: {what}, {len(offsets)} random offsets after {len(warm)} warm-up",
            ("CRM GET /api/fundraising/investors?view=", "datasette view SQL, _shape=array"),
            (crm_times, crm_bytes, crm_http), (ds_times, ds_bytes, ds_http), full)
        if options.profile or (full and not ok):
            rows += view_breakdown.run(crm, view["id"], limit,
                                       offsets[:options.profile_requests])
    return rows
