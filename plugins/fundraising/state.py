"""The whole-grid state: assembled from the relational tables, and synced back incrementally."""
import falcon

from core.errors import APIError, unprocessable
from core.versioning import check_version, user_ref
from plugins.fundraising import fields as field_store
from plugins.fundraising import views as view_store
from plugins.fundraising.field_defs import FieldSpec
from plugins.fundraising.record_rows import serialize
from plugins.fundraising.records import LinkChecker, RecordStore
from plugins.fundraising.tables import RECORD_TABLES

SYNC_ORDER = ("investors", "funds", "contacts", "commitments")


def state_meta(db) -> dict:
    row = next(db.query("SELECT * FROM fundraising_state WHERE id = 1"))
    return {"version": row["version"], "updated_at": row["updated_at"],
            "updated_by": user_ref(db, row["updated_by"])}


def get_state(db, user) -> dict:
    state = {"fields": field_store.list_fields(db)}
    for table in RECORD_TABLES:
        store = RecordStore(db, table)
        rows = db.query(f"SELECT * FROM fundraising_{table} WHERE deleted_at IS NULL ORDER BY id")
        state[table] = [serialize(r, store.fields) for r in rows]
    state["views"] = view_store.visible_views(db, user)
    return {**state_meta(db), "state": state}


def _field_plan(current: dict, incoming) -> tuple[list, list]:
    """What a field list asks of the `current` fields ({id: field json}), in list order:
    (steps, ids to archive); a step is ("create", item) or ("update", id, changes)."""
    steps, seen = [], set()
    for i, item in enumerate(incoming):
        if item.id is None:
            steps.append(("create", item))
            continue
        if item.id not in current or item.id in seen:
            raise unprocessable(f"state.fields.{i}.id: unknown or repeated field id {item.id}",
                                field=f"state.fields.{i}.id")
        seen.add(item.id)
        old = current[item.id]
        options = item.options
        if old["type"] == "formula":
            options = None  # a formula's options are its computed result type
        changes = {k: v for k, v in (("name", item.name), ("options", options),
                                     ("position", item.position), ("type", item.type),
                                     ("formula", item.formula))
                   if v is not None and v != old[k]}
        if changes:
            steps.append(("update", item.id, changes))
    return steps, [field_id for field_id in current if field_id not in seen]


def _check_field_permission(plan, user):
    """Fields are changed by admins only, as on the field routes."""
    steps, archived = plan
    if (steps or archived) and user["role"] != "admin":
        raise APIError(falcon.HTTP_403, "forbidden",
                       "state.fields: only admins add, rename, retype, reorder or archive "
                       "fields; send the field list unchanged or leave it out",
                       field="state.fields")


def _sync_fields(db, plan, actor_id, counts):
    steps, archived = plan
    for step in steps:
        if step[0] == "create":
            item = step[1]
            spec = FieldSpec(item.table, item.name, item.type, item.options or {}, item.formula)
            field_store.create_field(db, spec, actor_id)
            counts["created"] += 1
        else:
            field_store.update_field(db, step[1], step[2], actor_id)
            counts["updated"] += 1
    for field_id in archived:
        field_store.archive_field(db, field_id, actor_id)
        counts["archived"] += 1


def _check_archive_limit(db, state, limit: int):
    """Refuse (422) a save that would archive more than `limit` live records in all."""
    would = {}
    for table in SYNC_ORDER:
        incoming = getattr(state, table)
        if incoming is None:
            continue
        kept = {item.id for item in incoming if item.id is not None}
        live = db.execute(f"SELECT id FROM fundraising_{table} WHERE deleted_at IS NULL")
        would[table] = sum(1 for (record_id,) in live if record_id not in kept)
    total = sum(would.values())
    if total <= limit:
        return
    table = max(would, key=would.get)
    parts = ", ".join(f"{t} {n}" for t, n in would.items() if n)
    raise unprocessable(
        f"state.{table}: this save would archive {total} records ({parts}); a member may "
        f"archive at most {limit} in one save. Leave out the tables you did not change, "
        "archive records one at a time, or ask an admin.",
        field=f"state.{table}", code="archive_limit", would_archive=total, limit=limit)


def _sync_records(db, table, incoming, actor_id, checker, counts):
    store = RecordStore(db, table)
    rows = {r["id"]: r for r in db.query(f"SELECT * FROM fundraising_{table}")}
    seen = set()
    blank = {f.name: None for f in store.fields.values if f.type != "formula"}
    for i, item in enumerate(incoming):
        if item.id is None:
            store.create(item.name, item.fields, actor_id, checker, skip_computed=True)
            counts["created"] += 1
            continue
        row = rows.get(item.id)
        if row is None or item.id in seen:
            raise unprocessable(f"state.{table}.{i}.id: unknown or repeated record id {item.id}",
                                field=f"state.{table}.{i}.id")
        seen.add(item.id)
        if row["deleted_at"]:
            store.restore(item.id, actor_id)
            counts["restored"] += 1
            row = next(db.query(f"SELECT * FROM fundraising_{table} WHERE id = ?", [item.id]))
        current = serialize(row, store.fields)
        name = item.name if item.name is not None else current["name"]
        if name == current["name"] and item.fields == current["fields"]:
            continue
        store.update(item.id, None, name, {**blank, **item.fields}, actor_id, checker, row=row,
                     skip_computed=True)
        counts["updated"] += 1
    for record_id, row in rows.items():
        if record_id not in seen and not row["deleted_at"]:
            store.archive(record_id, actor_id)
            counts["archived"] += 1
    checker._ids.pop(table, None)  # ids changed: reload on next use


def _sync_views(db, incoming, user, counts):
    current = {v["id"]: v for v in view_store.visible_views(db, user)}
    seen = set()
    for i, item in enumerate(incoming):
        if item.id is None:
            new = item.as_create()
            board = new.board.model_dump(exclude_unset=True) if new.board else None
            view_store.create_view(db, new.table, new.name, new.config(), user, new.personal,
                                   new.position or 0, new.type, board)
            counts["created"] += 1
            continue
        if item.id not in current or item.id in seen:
            raise unprocessable(f"state.views.{i}.id: unknown or repeated view id {item.id}",
                                field=f"state.views.{i}.id")
        seen.add(item.id)
        old = current[item.id]
        wanted = item.as_patch().model_dump(exclude_unset=True, mode="json")
        if any(old.get(k) != v for k, v in wanted.items()):
            view_store.update_view(db, item.id, wanted, user)
            counts["updated"] += 1
    for view_id in current:
        if view_id not in seen:
            view_store.archive_view(db, view_id, user)
            counts["archived"] += 1


def put_state(db, body, user, member_archive_limit: int) -> dict:
    """Apply a whole state if `expected_version` is current; only what differs is written.

    Checked before anything is written: only admins change fields (403), and a member's
    save archives at most `member_archive_limit` records (422)."""
    row = next(db.query("SELECT * FROM fundraising_state WHERE id = 1"))
    check_version(db, row, body.expected_version, "grid")
    state = body.state
    plan = None
    if state.fields is not None:
        current = {f["id"]: f for f in field_store.list_fields(db)}
        plan = _field_plan(current, state.fields)
        _check_field_permission(plan, user)
    if user["role"] != "admin":
        _check_archive_limit(db, state, member_archive_limit)
    changes = {}
    counts = changes.setdefault("fields", _counts())
    if plan is not None:
        _sync_fields(db, plan, user["id"], counts)
    checker = LinkChecker(db)
    for table in SYNC_ORDER:
        incoming = getattr(state, table)
        if incoming is not None:
            _sync_records(db, table, incoming, user["id"], checker,
                          changes.setdefault(table, _counts()))
    if state.views is not None:
        _sync_views(db, state.views, user, changes.setdefault("views", _counts()))
    return {**state_meta(db), "changes": changes}


def _counts():
    return {"created": 0, "updated": 0, "archived": 0, "restored": 0}
