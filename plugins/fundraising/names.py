"""Record names without their other fields: what link cells and record pickers show.

A link to a table of 100,000 investors cannot load every record before the grid draws; the
grid asks for the names it needs (?ids=), a picker for the names matching what was typed
(?q=), and a small table for all of them at once.
"""
from pydantic import BaseModel, ConfigDict, Field, field_validator

from core.openapi import operation

MAX_IDS = 1000


class NamesQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")
    ids: str | None = Field(None, max_length=12_000,
                            description=f"A comma list of up to {MAX_IDS} record ids")
    q: str | None = Field(None, min_length=1, max_length=200,
                          description="Names containing these letters (any case), "
                                      "those starting with them first")
    limit: int = Field(1000, ge=1, le=5000)

    @field_validator("ids")
    @classmethod
    def _ids(cls, value):
        if value is None:
            return None
        parts = [p.strip() for p in value.split(",") if p.strip()]
        if len(parts) > MAX_IDS or not all(p.isdigit() and len(p) < 16 for p in parts):
            raise ValueError(f"a comma list of up to {MAX_IDS} record ids")
        return value


class NameList(BaseModel):
    names: list[list[int | str]] = Field(description="[id, name] pairs of live records")
    total: int = Field(description="Live records in the table (all of them fit when "
                                   "total <= len(names) without ?ids= or ?q=)")


def _like(text: str) -> str:
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


class NamesResource:
    def __init__(self, crm, table):
        self.crm, self.table = crm, table

    @operation("Names of live records: by ?ids=, by ?q= letters, or the first ?limit= by id",
               query=NamesQuery, response=NameList)
    def on_get(self, req, resp):
        q, db, table = req.context.query, self.crm.db, f"fundraising_{self.table}"
        total = db.execute(f"SELECT count(*) FROM {table} WHERE deleted_at IS NULL").fetchone()[0]
        if q.ids is not None:
            ids = sorted({int(p) for p in q.ids.split(",") if p.strip()})
            rows = db.execute(
                f"SELECT id, name FROM {table} WHERE deleted_at IS NULL AND id IN "
                f"(SELECT value FROM json_each(?)) ORDER BY id", [str(ids)]).fetchall()
        elif q.q is not None:
            # The name index holds every name with its id: matched there, archived ones
            # dropped after, so a search never reads the records' other fields.
            rows = db.execute(
                f"SELECT id, name FROM {table} WHERE deleted_at IS NULL AND id IN "
                f"(SELECT id FROM {table} INDEXED BY {self.table}_name "
                f" WHERE name LIKE ? ESCAPE '\\') "
                f"ORDER BY lower(name) NOT LIKE lower(?) ESCAPE '\\', lower(name), id LIMIT ?",
                [_like(q.q), _like(q.q)[1:], q.limit]).fetchall()
        else:
            rows = db.execute(f"SELECT id, name FROM {table} WHERE deleted_at IS NULL "
                              f"ORDER BY id LIMIT ?", [q.limit]).fetchall()
        resp.media = {"names": [list(r) for r in rows], "total": total}
