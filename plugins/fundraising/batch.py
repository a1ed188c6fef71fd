"""Many record writes as one: creates, updates and archives of one table in one transaction,
all or nothing. Every item is tried (each in a savepoint) so that a refusal names every
failing item by its index; any failure rolls the whole batch back."""
import falcon
from pydantic import BaseModel, Field, model_validator

from core.errors import APIError, unprocessable
from core.openapi import Body, operation
from plugins.fundraising.models import Record, Values
from plugins.fundraising.records import LinkChecker, RecordStore

MAX_ITEMS = 1000


class BatchCreate(BaseModel):
    model_config = {"extra": "forbid"}
    name: str | None = None
    fields: Values = {}


class BatchUpdate(BaseModel):
    model_config = {"extra": "forbid"}
    id: int = Field(ge=1, le=2**53)
    expected_version: int = Field(ge=1)
    name: str | None = None
    fields: Values = {}


class BatchArchive(BaseModel):
    model_config = {"extra": "forbid"}
    id: int = Field(ge=1, le=2**53)
    expected_version: int = Field(ge=1)


class BatchBody(Body):
    creates: list[BatchCreate] = []
    updates: list[BatchUpdate] = []
    archives: list[BatchArchive] = []

    @model_validator(mode="after")
    def _size(self):
        total = len(self.creates) + len(self.updates) + len(self.archives)
        if total > MAX_ITEMS:
            raise ValueError(f"at most {MAX_ITEMS} items in one batch ({total} given)")
        if not total:
            raise ValueError("nothing to do: give creates, updates or archives")
        ids = [u.id for u in self.updates] + [a.id for a in self.archives]
        if len(ids) != len(set(ids)):
            raise ValueError("a record may appear once in a batch")
        return self


class BatchResult(BaseModel):
    creates: list[Record]
    updates: list[Record]
    archives: list[Record]


def apply_batch(crm, table, body: BatchBody, user, member_archive_limit: int) -> dict:
    """The records written, in order; raises one 409 or 422 naming every failing item."""
    if user["role"] != "admin" and len(body.archives) > member_archive_limit:
        raise unprocessable(f"A member may archive at most {member_archive_limit} records at "
                            "once; ask an admin", field="archives", code="archive_limit")
    done = {"creates": [], "updates": [], "archives": []}
    failures = []
    with crm.write() as db:
        store, checker = RecordStore(db, table), LinkChecker(db)
        work = [("creates", i, lambda item: store.create(item.name, item.fields, user["id"],
                                                          checker), item)
                for i, item in enumerate(body.creates)]
        work += [("updates", i, lambda item: store.update(
            item.id, item.expected_version, item.name, item.fields, user["id"], checker), item)
            for i, item in enumerate(body.updates)]
        work += [("archives", i, lambda item: store.archive(item.id, user["id"],
                                                            item.expected_version), item)
                 for i, item in enumerate(body.archives)]
        for kind, index, write, item in work:
            try:
                if failures:  # the batch is refused: each item in a savepoint of its own,
                    with crm.write():  # so that every failing one is named as it stands
                        done[kind].append(write(item))
                else:  # an item refuses before it writes; any failure rolls all back
                    done[kind].append(write(item))
            except APIError as exc:
                failures.append(_failure(kind, index, item, exc))
        if failures:
            raise _refusal(failures)  # rolls the whole batch back
    return done


def _failure(kind, index, item, exc) -> dict:
    failure = {"op": kind, "index": index, "status": int(exc.status.split()[0]),
               **exc.to_dict()["error"]}
    if getattr(item, "id", None) is not None:
        failure["id"] = item.id
    if exc.field:
        failure["field"] = f"{kind}.{index}.{exc.field}"
    return failure


def _refusal(failures) -> APIError:
    conflict = any(f["status"] == 409 for f in failures)
    first = failures[0]
    return APIError(falcon.HTTP_409 if conflict else falcon.HTTP_422,
                    "batch_conflict" if conflict else "batch_invalid",
                    f"{len(failures)} item(s) of the batch failed, so none was written; the "
                    f"first: {first['op']}[{first['index']}]: {first['message']}",
                    field=first.get("field") or f"{first['op']}.{first['index']}",
                    failures=failures)


class BatchResource:
    def __init__(self, crm, table, settings):
        self.crm, self.table, self.settings = crm, table, settings

    @operation(f"Create, change and archive up to {MAX_ITEMS} records in one transaction, "
               "all or nothing; a refusal lists every failing item by index",
               body=BatchBody, response=BatchResult, errors=(404, 409))
    def on_post(self, req, resp):
        resp.media = apply_batch(self.crm, self.table, req.context.body, req.context.user,
                                 self.settings.member_archive_limit)
