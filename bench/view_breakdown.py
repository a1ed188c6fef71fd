"""Where a saved-view page spends its time, measured in-process on the same database.

The phases are what RecordStore.page runs for a view, each timed alone (medians over the
HTTP run's offsets); cProfile then names the functions of whole requests.
"""
from types import SimpleNamespace

import falcon

from bench.breakdown import guarded, median_time, open_crm, requester, share_rows
from bench.hotspots import profile_rows
from bench.report import Row

NAME = "view_page"


def phases(crm, app, token, user_id, view_id, limit, offsets) -> list[tuple[str, float]]:
    from plugins.fundraising.read_cache import state_version
    from plugins.fundraising.records import RecordStore
    from plugins.fundraising.view_query import list_arguments

    db = crm.db
    store = RecordStore(db, "investors")
    query = SimpleNamespace(view=view_id, filters=None, sorts=None)
    user = {"id": user_id}
    args = list_arguments(db, store, query, user)
    cond = f"deleted_at IS NULL AND ({args['where']})"
    ids_sql = (f"SELECT id FROM {store.sql_table} WHERE {cond} ORDER BY {args['order']} "
               "LIMIT ? OFFSET ?")
    ids_at = {o: [r[0] for r in db.execute(ids_sql, [*args["params"], limit, o])]
              for o in offsets}
    pages = {o: store.page(limit, o, **args) for o in offsets}
    handler = app.resp_options.media_handlers[falcon.MEDIA_JSON]
    return [
        ("whole request in-process (WSGI call, no server, no socket)", median_time(
            requester(app, token, limit, f"view={view_id}&"), offsets)),
        ("  list_arguments: saved view read and compiled to SQL", median_time(
            lambda o: list_arguments(db, store, query, user), offsets)),
        ("  RecordStore.page() as a whole", median_time(
            lambda o: store.page(limit, o, **args), offsets)),
        ("    its cached count (a state version read)", median_time(
            lambda o: state_version(db), offsets)),
        ("    its SELECT id ... ORDER BY ... LIMIT/OFFSET (SQLite)", median_time(
            lambda o: db.execute(ids_sql, [*args["params"], limit, o]).fetchall(), offsets)),
        ("    its by_ids(): read and serialize the page's rows", median_time(
            lambda o: store.by_ids(ids_at[o]), offsets)),
        ("  response JSON (the app's media handler)", median_time(
            lambda o: handler.serialize(pages[o], falcon.MEDIA_JSON), offsets)),
    ]


def run(server, view_id, limit, offsets) -> list[Row]:
    return guarded(NAME, _run, server, view_id, limit, offsets)


def _run(server, view_id, limit, offsets) -> list[Row]:
    crm, app = open_crm(server)
    try:
        rows = share_rows(NAME, phases(crm, app, server.token, server.user_id, view_id, limit,
                                       offsets), len(offsets))
        get = requester(app, server.token, limit, f"view={view_id}&")

        def requests():
            for offset in offsets:
                get(offset)

        return rows + profile_rows(NAME, f"{len(offsets)} in-process view requests", requests,
                                   len(offsets))
    finally:
        crm.database.close()
