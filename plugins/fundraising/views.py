"""Saved views: personal (owner set) or shared (owner null), stored with field ids."""
import orjson

from core import audit
from core.db import utcnow
from core.errors import forbidden, not_found, unprocessable
from plugins.fundraising.fields import PLUGIN, load_fields
from plugins.fundraising.query import index_sql, view_index_sql
from plugins.fundraising.versioning import bump_state, version_conflict


def _resolve(fieldset, ref, where):
    fdef = fieldset.resolve(ref)
    if fdef is None:
        raise unprocessable(f"{where}: no field '{ref}' in {fieldset.table}", field=where)
    return fdef.id


def normalize_config(fieldset, config: dict) -> dict:
    """Store field references as ids, so renaming a field keeps the view working."""
    def group(node, where):
        conditions = []
        for i, cond in enumerate(node.get("conditions", [])):
            path = f"{where}.conditions.{i}"
            if "conditions" in cond:
                conditions.append(group(cond, path))
            else:
                conditions.append({**cond, "field": _resolve(fieldset, cond["field"], f"{path}.field")})
        return {"op": node.get("op", "and"), "conditions": conditions}

    out = dict(config)
    if config.get("filters"):
        out["filters"] = group(config["filters"], "filters")
    out["sorts"] = [{**s, "field": _resolve(fieldset, s["field"], f"sorts.{i}.field")}
                    for i, s in enumerate(config.get("sorts", []))]
    for key in ("pinned", "hidden", "order"):
        out[key] = [_resolve(fieldset, ref, f"{key}.{i}") for i, ref in enumerate(config.get(key, []))]
    out["widths"] = {str(_resolve(fieldset, ref, f"widths.{ref}")): w
                     for ref, w in config.get("widths", {}).items()}
    return out


def _used_fields(config) -> set:
    used = {s["field"] for s in config.get("sorts", [])}
    stack = [config["filters"]] if config.get("filters") else []
    while stack:
        for cond in stack.pop().get("conditions", []):
            if "conditions" in cond:
                stack.append(cond)
            else:
                used.add(cond["field"])
    return used


def ensure_indexes(db, fieldset, config):
    """Index each JSON-stored field a saved view filters or sorts on, and the view's own
    filter-and-sort order, so a page of it is an index walk."""
    for field_id in _used_fields(config):
        sql = index_sql(fieldset.table, fieldset.by_id[field_id])
        if sql:
            db.execute(sql)
    sql = view_index_sql(fieldset.table, fieldset, config.get("filters"),
                         config.get("sorts") or [])
    if sql:
        db.execute(sql)


def view_json(row) -> dict:
    return {"id": row["id"], "table": row["table_name"], "name": row["name"],
            "owner": row["owner_id"], "version": row["version"], "position": row["position"],
            **orjson.loads(row["config"]), "created_at": row["created_at"],
            "created_by": row["created_by"], "updated_at": row["updated_at"],
            "updated_by": row["updated_by"]}


def visible_views(db, user) -> list[dict]:
    rows = db.query(
        "SELECT * FROM fundraising_views WHERE deleted_at IS NULL AND "
        "(owner_id IS NULL OR owner_id = ?) ORDER BY table_name, position, id", [user["id"]])
    return [view_json(r) for r in rows]


def _row(db, view_id, user):
    rows = list(db.query("SELECT * FROM fundraising_views WHERE id = ? AND deleted_at IS NULL",
                         [view_id]))
    if not rows or (rows[0]["owner_id"] not in (None, user["id"])):
        raise not_found("No such view")
    return rows[0]


def _may_edit(row, user):
    if row["owner_id"] is None and user["role"] != "admin" and row["created_by"] != user["id"]:
        raise forbidden("Shared views are edited by admins and their creator")


CONFIG_KEYS = ("filters", "sorts", "pinned", "hidden", "order", "widths")


def create_view(db, body, user) -> dict:
    fieldset = load_fields(db, body.table)
    config = normalize_config(fieldset, body.model_dump(include=set(CONFIG_KEYS), mode="json"))
    ensure_indexes(db, fieldset, config)
    now = utcnow()
    owner = user["id"] if body.personal else None
    view_id = db.table("fundraising_views").insert({
        "table_name": body.table, "name": body.name, "owner_id": owner,
        "config": orjson.dumps(config).decode(), "position": body.position or 0, "version": 1,
        "created_at": now, "created_by": user["id"], "updated_at": now,
        "updated_by": user["id"]}).last_pk
    audit.record_change(db, actor_id=user["id"], plugin=PLUGIN, table="views", row_id=view_id,
                        action="create", after={"name": body.name, **config})
    bump_state(db, user["id"])
    return view_json(_row(db, view_id, user))


def update_view(db, view_id, body, user) -> dict:
    row = _row(db, view_id, user)
    _may_edit(row, user)
    changes = body.model_dump(exclude_unset=True, mode="json")
    expected = changes.pop("expected_version", None)
    if expected is not None and expected != row["version"]:
        raise version_conflict(db, row, "view")
    before = orjson.loads(row["config"])
    config_changes = {k: v for k, v in changes.items() if k in CONFIG_KEYS}
    fieldset = load_fields(db, row["table_name"])
    config = {**before, **normalize_config(fieldset, {**before, **config_changes})}
    ensure_indexes(db, fieldset, config)
    update = {"config": orjson.dumps(config).decode()}
    if "name" in changes:
        update["name"] = changes["name"]
    if "position" in changes:
        update["position"] = changes["position"]
    if "personal" in changes:
        if user["role"] != "admin" and row["created_by"] != user["id"]:
            raise forbidden("Only the view's creator or an admin can change who sees it")
        update["owner_id"] = row["created_by"] if changes["personal"] else None
    update.update(version=row["version"] + 1, updated_at=utcnow(), updated_by=user["id"])
    db.table("fundraising_views").update(view_id, update)
    audit.record_change(db, actor_id=user["id"], plugin=PLUGIN, table="views", row_id=view_id,
                        action="update", before={"name": row["name"], **before},
                        after={"name": update.get("name", row["name"]), **config})
    bump_state(db, user["id"])
    return view_json(_row(db, view_id, user))


def archive_view(db, view_id, user) -> dict:
    row = _row(db, view_id, user)
    _may_edit(row, user)
    db.execute("UPDATE fundraising_views SET deleted_at = ?, version = version + 1, "
               "updated_at = ?, updated_by = ? WHERE id = ?",
               [utcnow(), utcnow(), user["id"], view_id])
    audit.record_change(db, actor_id=user["id"], plugin=PLUGIN, table="views", row_id=view_id,
                        action="archive", summary=f"archive view '{row['name']}'")
    bump_state(db, user["id"])
    return view_json(row)
