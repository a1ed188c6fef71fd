"""A record's timeline: every plugin's `record_timeline` entries merged, newest first."""
from pydantic import BaseModel, ConfigDict, Field

from core import audit, hookimpl
from core.errors import not_found, unprocessable
from core.openapi import operation
from plugins.fundraising import history_text

KINDS = {"change", "note", "email", "task", "list", "automation"}


def _key(entry):
    return (entry["at"], entry["kind"], str(entry.get("id", "")))


def _cursor(entry) -> str:
    return "|".join(_key(entry))


@hookimpl
def record_timeline(crm, table, record_id, kinds, before, limit):
    """Field changes from the record's history, in the words GET .../history uses."""
    if kinds is not None and "change" not in kinds:
        return []
    entries = audit.history(crm.db, "fundraising", table, record_id, 10_000)
    entries = [e for e in entries if before is None or e["at"] <= before][:limit + 50]
    history_text.describe(crm.db, entries)
    return [{**e, "kind": "change", "action": e["kind"]} for e in entries]


def _with_actors(db, entries):
    """Actors given as user ids become `{id, name}`, one query for the page."""
    ids = sorted({e["actor"] for e in entries if isinstance(e.get("actor"), int)})
    names = dict(db.execute(f"SELECT id, name FROM users WHERE id IN ({','.join('?' * len(ids))})",
                            ids).fetchall()) if ids else {}
    for e in entries:
        if isinstance(e.get("actor"), int):
            e["actor"] = {"id": e["actor"], "name": names.get(e["actor"])}
    return entries


class TimelineQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")
    kind: str | None = Field(None, max_length=200, description="A comma list of kinds")
    limit: int = Field(50, ge=1, le=200)
    before: str | None = Field(None, max_length=200, description="The previous page's `next`")


class TimelineResource:
    def __init__(self, crm, table):
        self.crm, self.table = crm, table

    @operation("The record's timeline, newest first: every plugin's entries", query=TimelineQuery,
               errors=(404,))
    def on_get(self, req, resp, record_id):
        query = req.context.query
        kinds = [k for k in (query.kind or "").split(",") if k]
        if any(k not in KINDS for k in kinds):
            raise unprocessable(f"Unknown kind; known: {', '.join(sorted(KINDS))}", field="kind")
        limit = query.limit
        cursor = query.before
        cursor_key = tuple(cursor.split("|", 2)) if cursor else None
        if cursor_key and len(cursor_key) != 3:
            raise unprocessable("Bad cursor", field="before")
        found = self.crm.db.execute(
            f"SELECT 1 FROM fundraising_{self.table} WHERE id = ? AND deleted_at IS NULL",
            [record_id]).fetchone()
        if not found:
            raise not_found(f"No {self.table} record {record_id}")
        merged = []
        for answer in self.crm.pm.hook.record_timeline(
                crm=self.crm, table=self.table, record_id=record_id,
                kinds=set(kinds) or None, before=cursor_key[0] if cursor_key else None,
                limit=limit + 1):
            merged += answer or []
        merged.sort(key=_key, reverse=True)
        if cursor_key:
            merged = [e for e in merged if _key(e) < cursor_key]
        page = _with_actors(self.crm.db, merged[:limit])
        resp.media = {"entries": page,
                      "next": _cursor(page[-1]) if len(merged) > limit else None}
