"""Where the CRM list endpoint spends its time, measured in-process on the same database.

Phases are timed without a profiler (medians over the same offsets as the HTTP run); the
profile (cProfile, or pyinstrument when asked and installed) names the functions.
"""
import statistics
import time
from pathlib import Path

import falcon
import falcon.testing

from bench.hotspots import profile_rows
from bench.report import Row, ms

NAME = "list_page"
OUT = Path(__file__).parent / "out"
# The two statements RecordStore.page runs for a plain page (copied to time them apart).
COUNT_SQL = "SELECT count(*) FROM fundraising_investors WHERE deleted_at IS NULL"
PAGE_SQL = ("SELECT * FROM fundraising_investors WHERE deleted_at IS NULL ORDER BY id "
            "LIMIT ? OFFSET ?")


def median_time(function, offsets):
    """The median seconds of function(offset) over `offsets`."""
    times = []
    for offset in offsets:
        start = time.perf_counter()
        function(offset)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def open_crm(server):
    """The server's CRM and app, opened in this process on the same data dir."""
    # Imported here, as late as the server imported them, not when the bench started.
    from core.app import create_app
    from core.context import build_crm
    from core.settings import Settings

    # The server's rate limits too (bench/servers.py): in-process edits come from one address.
    settings = Settings(data_dir=server.data_dir, secrets_dir=server.root / "secrets",
                        secret_key=server.secret_key, plugins=None,
                        write_rate_limit=1_000_000, login_rate_limit=1_000_000)
    crm = build_crm(settings)
    return crm, create_app(crm)


def requester(app, token, limit, query=""):
    """get(offset) calls the WSGI app directly for a page of investors, `query` (such as
    "view=3&") before limit and offset; TestClient would add wsgiref's lint wrapper."""
    headers = {"Authorization": f"Bearer {token}"}

    def start_response(status, response_headers, exc_info=None):
        if not status.startswith("200"):
            raise AssertionError(f"in-process list request: {status}")

    def get(offset):
        environ = falcon.testing.create_environ(
            "/api/fundraising/investors", query_string=f"{query}limit={limit}&offset={offset}",
            headers=headers)
        return b"".join(app(environ, start_response))

    return get


def phases(crm, app, token, limit, offsets) -> list[tuple[str, float]]:
    from core.accounts import Accounts
    from plugins.fundraising.record_rows import serialize
    from plugins.fundraising.records import RecordStore

    db = crm.db
    store = RecordStore(db, "investors")
    rows_at = {o: list(db.query(PAGE_SQL, [limit, o])) for o in offsets}
    pages = {o: store.page(limit, o) for o in offsets}
    handler = app.resp_options.media_handlers[falcon.MEDIA_JSON]
    return [
        ("whole request in-process (WSGI call, no server, no socket)", median_time(
            requester(app, token, limit), offsets)),
        ("  auth: Accounts.user_for_token", median_time(
            lambda o: Accounts(crm).user_for_token(token), offsets)),
        ("  RecordStore(): load_fields", median_time(
            lambda o: RecordStore(db, "investors"), offsets)),
        ("  RecordStore.page() as a whole", median_time(
            lambda o: store.page(limit, o), offsets)),
        ("    its count(*) of live rows", median_time(
            lambda o: db.execute(COUNT_SQL).fetchone(), offsets)),
        ("    its SELECT of the page (sqlite-utils rows as dicts)", median_time(
            lambda o: list(db.query(PAGE_SQL, [limit, o])), offsets)),
        ("    its serialize() of the rows", median_time(
            lambda o: [serialize(r, store.fields) for r in rows_at[o]], offsets)),
        ("  response JSON (the app's media handler)", median_time(
            lambda o: handler.serialize(pages[o], falcon.MEDIA_JSON), offsets)),
    ]


def _profile_rows(app, token, limit, offsets, tool) -> list[Row]:
    get = requester(app, token, limit)

    def requests():
        for offset in offsets:
            get(offset)

    if tool == "pyinstrument":
        from pyinstrument import Profiler

        profiler = Profiler(interval=0.0005)
        with profiler:
            requests()
        OUT.mkdir(exist_ok=True)
        target = OUT / "list_page-pyinstrument.txt"
        target.write_text(profiler.output_text(unicode=True, show_all=False))
        return [Row(NAME, "pyinstrument profile written to", str(target))]
    return profile_rows(NAME, f"{len(offsets)} in-process requests", requests, len(offsets))


def guarded(name, make_rows, *args) -> list[Row]:
    """make_rows(*args); a failure becomes a row, so the figures above it survive."""
    try:
        return make_rows(*args)
    except Exception as exc:  # noqa: BLE001 - reported, not hidden
        return [Row(name, "where time goes: breakdown failed", f"{type(exc).__name__}: {exc}")]


def share_rows(name, measured, count) -> list[Row]:
    """(label, seconds) phases as rows, each with its share of the first (the whole)."""
    whole = measured[0][1]
    return [Row(name, f"where time goes ({count} offsets, medians, share of the in-process "
                      "request)", "")] + [Row(name, label, f"{ms(seconds)} ({seconds / whole:.0%})")
                                         for label, seconds in measured]


def run(server, limit, offsets, tool) -> list[Row]:
    return guarded(NAME, _run, server, limit, offsets, tool)


def _run(server, limit, offsets, tool) -> list[Row]:
    crm, app = open_crm(server)
    try:
        rows = share_rows(NAME, phases(crm, app, server.token, limit, offsets), len(offsets))
        return rows + _profile_rows(app, server.token, limit, offsets, tool or "cprofile")
    finally:
        crm.database.close()
