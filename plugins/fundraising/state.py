"""The whole-grid state: assembled from the relational tables, and synced back incrementally."""
from core.errors import unprocessable
from plugins.fundraising import fields as field_store
from plugins.fundraising import views as view_store
from plugins.fundraising.records import LinkChecker, RecordStore, serialize
from plugins.fundraising.tables import RECORD_TABLES
from plugins.fundraising.versioning import user_ref, version_conflict

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


def _sync_fields(db, incoming, actor_id, counts):
    current = {f["id"]: f for f in field_store.list_fields(db)}
    seen = set()
    for i, item in enumerate(incoming):
        if item.id is None:
            field_store.create_field(db, item, actor_id)
            counts["created"] += 1
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
            field_store.update_field(db, item.id, changes, actor_id)
            counts["updated"] += 1
    for field_id, old in current.items():
        if field_id not in seen:
            field_store.archive_field(db, field_id, actor_id)
            counts["archived"] += 1


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
            view_store.create_view(db, item.as_create(), user)
            counts["created"] += 1
            continue
        if item.id not in current or item.id in seen:
            raise unprocessable(f"state.views.{i}.id: unknown or repeated view id {item.id}",
                                field=f"state.views.{i}.id")
        seen.add(item.id)
        old = current[item.id]
        patch = item.as_patch()
        wanted = patch.model_dump(exclude_unset=True, mode="json")
        if any(old.get(k) != v for k, v in wanted.items()):
            view_store.update_view(db, item.id, patch, user)
            counts["updated"] += 1
    for view_id in current:
        if view_id not in seen:
            view_store.archive_view(db, view_id, user)
            counts["archived"] += 1


def put_state(db, body, user) -> dict:
    """Apply a whole state if `expected_version` is current; only what differs is written."""
    row = next(db.query("SELECT * FROM fundraising_state WHERE id = 1"))
    if row["version"] != body.expected_version:
        raise version_conflict(db, row, "grid")
    state = body.state
    changes = {}
    counts = changes.setdefault("fields", _counts())
    if state.fields is not None:
        _sync_fields(db, state.fields, user["id"], counts)
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
