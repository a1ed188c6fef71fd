"""Health, readiness, the activity feed and the OpenAPI document."""
import heapq

import falcon

from core import __version__, models
from core.migrations import pending
from core.openapi import operation


class HealthResource:
    @operation("Liveness: the process answers", response=models.Health, public=True)
    def on_get(self, req, resp):
        resp.media = {"status": "ok", "version": __version__}


class ReadyResource:
    def __init__(self, crm):
        self.crm = crm

    def _writable(self):
        db = self.crm.db
        try:
            db.conn.execute("BEGIN IMMEDIATE")
            db.conn.execute("ROLLBACK")
            return True, "write lock taken and released"
        except Exception as exc:
            return False, f"database not writable: {type(exc).__name__}"

    def _migrated(self):
        try:
            waiting = pending(self.crm.pm, self.crm.database)
        except Exception as exc:
            return False, f"cannot read migrations: {type(exc).__name__}"
        return not waiting, f"{len(waiting)} migration(s) pending"

    @operation("Readiness: database writable and migrations applied (503 otherwise)",
               response=models.Ready, public=True, errors=(503,))
    def on_get(self, req, resp):
        checks = []
        for name, check in (("database_writable", self._writable),
                            ("migrations_applied", self._migrated)):
            ok, detail = check()
            checks.append({"name": name, "ok": ok, "detail": detail})
        ready = all(c["ok"] for c in checks)
        resp.status = falcon.HTTP_200 if ready else falcon.HTTP_503
        resp.media = {"ready": ready, "checks": checks}


class ActivityResource:
    """Every enabled plugin's activity source, merged newest first."""

    def __init__(self, crm):
        self.crm = crm

    @operation("Activity feed of every enabled plugin, newest first; page on with "
               "`cursor` (accounts and invites are shown to admins only)",
               query=models.ActivityQuery, response=models.Activity)
    def on_get(self, req, resp):
        q = req.context.query
        before, seen = None, 0  # a cursor: the last entry's time, and how many at that time
        if q.cursor:
            before, seen = q.cursor.rsplit("~", 1)
            seen = int(seen)
        skip = q.offset + seen
        want = skip + q.limit + 1  # each source reads this many rows at most
        admin = req.context.user["role"] == "admin"
        streams, sources = [], {}
        for group in self.crm.pm.hook.register_activity_sources(crm=self.crm):
            for source in group or []:
                if admin or not source.admin_only:
                    sources[source.name] = source
                    streams.append([{"source": source.name, **e}
                                    for e in source.fetch(want, before)])
        merged = list(heapq.merge(*streams, key=lambda e: e["at"], reverse=True))
        page = merged[skip:skip + q.limit]
        for name, source in sources.items():  # words only for the entries shown
            shown = [e for e in page if e["source"] == name]
            if source.describe and shown:
                source.describe(shown)
        more = len(merged) > skip + q.limit
        cursor = None
        if more and page:
            last = page[-1]["at"]
            at_last = sum(1 for e in merged[:skip + q.limit] if e["at"] == last)
            cursor = f"{last}~{at_last}"
        resp.media = {"entries": page, "limit": q.limit, "offset": q.offset,
                      "has_more": more, "next_cursor": cursor}


class OpenAPIResource:
    def __init__(self, spec: dict):
        self.spec = spec

    @operation("This OpenAPI document", public=True, content_type="application/json")
    def on_get(self, req, resp):
        resp.media = self.spec
