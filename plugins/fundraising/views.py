"""Saved views: personal (owner set) or shared (owner null), stored with field ids.

Shared views are indexed (sync_indexes); personal views never are, so a member's views cost
no index, and an index no live shared view uses is dropped."""
import orjson

from core import audit
from core.db import utcnow
from core.errors import forbidden, not_found, unprocessable
from plugins.fundraising.board_settings import normalize_board
from plugins.fundraising.field_defs import PLUGIN, load_fields
from plugins.fundraising.models import MAX_VIEW_BYTES
from plugins.fundraising.query import MAX_VIEW_INDEXES, index_sql, is_view_index, view_index_sql
from core.versioning import check_version
from plugins.fundraising.versioning import bump_state


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


def _used_fields(config) -> list:
    """Field ids a view sorts on, then those it filters on, each once."""
    used = {s["field"]: None for s in config.get("sorts", [])}
    stack = [config["filters"]] if config.get("filters") else []
    while stack:
        for cond in stack.pop().get("conditions", []):
            if "conditions" in cond:
                stack.append(cond)
            else:
                used.setdefault(cond["field"], None)
    return list(used)


def _check_size(config):
    """The stored settings within the limit of a view body (a PATCH adds to what is there)."""
    sizes = {key: len(orjson.dumps(value)) for key, value in config.items()}
    if sum(sizes.values()) > MAX_VIEW_BYTES:
        largest = max(sizes, key=sizes.get)
        raise unprocessable(f"{largest}: a view's settings are at most {MAX_VIEW_BYTES:,} bytes "
                            f"of JSON; these would be {sum(sizes.values()):,}", field=largest)


def view_indexes(fieldset, config) -> list[tuple[str, str]]:
    """(name, SQL) of the indexes a view is served best by, the most useful first: its own
    filter-and-sort index, then one per JSON-stored field it sorts or filters on."""
    wanted = [view_index_sql(fieldset.table, fieldset, config.get("filters"),
                             config.get("sorts") or [])]
    wanted += [index_sql(fieldset.table, fieldset.by_id[field_id])
               for field_id in _used_fields(config)]
    return [index for index in wanted if index]


def sync_indexes(db, table):
    """Make the view-made indexes of `table` those its live shared views use: older views'
    first, at most MAX_VIEW_INDEXES (a view beyond is served unindexed), and none for a
    personal view or for a view on an archived field. Runs in the caller's transaction."""
    fieldset = load_fields(db, table)
    wanted = {}
    for (text,) in db.execute(
            "SELECT config FROM fundraising_views WHERE table_name = ? AND owner_id IS NULL "
            "AND deleted_at IS NULL ORDER BY id", [table]):
        config = orjson.loads(text)
        if all(field_id in fieldset.by_id for field_id in _used_fields(config)):
            for name, sql in view_indexes(fieldset, config):
                wanted.setdefault(name, sql)
    existing = {name for (name,) in db.execute(
        "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = ?",
        [f"fundraising_{table}"]) if is_view_index(table, name)}
    keep = [name for name in wanted if name in existing][:MAX_VIEW_INDEXES]
    keep += [name for name in wanted if name not in existing][:MAX_VIEW_INDEXES - len(keep)]
    for name in existing.difference(keep):
        db.execute(f"DROP INDEX IF EXISTS {name}")
    for name in keep:
        if name not in existing:
            db.execute(wanted[name])


def view_json(row) -> dict:
    return {"id": row["id"], "table": row["table_name"], "name": row["name"],
            "type": row["type"], "owner": row["owner_id"], "version": row["version"],
            "position": row["position"],
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


def create_view(db, table: str, name: str, config: dict, user: dict, personal: bool = False,
                position: int = 0, view_type: str = "grid", board: dict | None = None) -> dict:
    """Save a view of `table` (`config`: its CONFIG_KEYS as JSON values, fields by name or
    id); a personal one only `user` sees; a board groups by `board`'s field (board.py).
    In the caller's transaction."""
    fieldset = load_fields(db, table)
    given = {"filters": None, **{k: v for k, v in config.items() if k in CONFIG_KEYS}}
    config = normalize_config(fieldset, given)
    if view_type == "board":
        config["board"] = normalize_board(fieldset, board or {})
    elif board is not None:
        raise unprocessable("board: only a view of type board has board settings", field="board")
    _check_size(config)
    now = utcnow()
    owner = user["id"] if personal else None
    view_id = db.table("fundraising_views").insert({
        "table_name": table, "name": name, "owner_id": owner, "type": view_type,
        "config": orjson.dumps(config).decode(), "position": position or 0, "version": 1,
        "created_at": now, "created_by": user["id"], "updated_at": now,
        "updated_by": user["id"]}).last_pk
    audit.record_change(db, actor_id=user["id"], plugin=PLUGIN, table="views", row_id=view_id,
                        action="create", after={"name": name, **config})
    if owner is None:
        sync_indexes(db, table)
    bump_state(db, user["id"])
    return view_json(_row(db, view_id, user))


def update_view(db, view_id: int, changes: dict, user: dict) -> dict:
    """Change a view: `changes` holds only what changes (name, personal, position, config
    keys as JSON values, expected_version). In the caller's transaction."""
    row = _row(db, view_id, user)
    _may_edit(row, user)
    changes = dict(changes)
    check_version(db, row, changes.pop("expected_version", None), "view")
    before = orjson.loads(row["config"])
    config_changes = {k: v for k, v in changes.items() if k in CONFIG_KEYS}
    fieldset = load_fields(db, row["table_name"])
    config = {**before, **normalize_config(fieldset, {**before, **config_changes})}
    if changes.get("board") is not None:
        if row["type"] != "board":
            raise unprocessable("board: only a view of type board has board settings",
                                field="board")
        config["board"] = normalize_board(fieldset, {**before.get("board", {}), **changes["board"]})
    _check_size(config)
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
    if row["owner_id"] is None or update.get("owner_id", row["owner_id"]) is None:
        sync_indexes(db, row["table_name"])  # shared before or after: its indexes may change
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
    if row["owner_id"] is None:
        sync_indexes(db, row["table_name"])
    bump_state(db, user["id"])
    return view_json(row)


def archived_views(db, user) -> list[dict]:
    """Archived views `user` may restore (shared ones, and their own personal ones), the most
    recently archived first."""
    rows = db.query("SELECT * FROM fundraising_views WHERE deleted_at IS NOT NULL AND "
                    "(owner_id IS NULL OR owner_id = ?) ORDER BY deleted_at DESC, id DESC",
                    [user["id"]])
    return [{**view_json(r), "archived_at": r["deleted_at"]} for r in rows
            if r["owner_id"] is not None or user["role"] == "admin"
            or r["created_by"] == user["id"]]


def restore_view(db, view_id, user) -> dict:
    """Bring an archived view back (who may edit it may restore it); its references to fields
    archived meanwhile are left as they are, as for a live view. In the caller's transaction."""
    rows = list(db.query("SELECT * FROM fundraising_views WHERE id = ?", [view_id]))
    if not rows or rows[0]["owner_id"] not in (None, user["id"]):
        raise not_found("No such view")
    row = rows[0]
    if row["deleted_at"] is None:
        raise not_found(f"View {view_id} is not archived")
    _may_edit(row, user)
    db.execute("UPDATE fundraising_views SET deleted_at = NULL, version = version + 1, "
               "updated_at = ?, updated_by = ? WHERE id = ?", [utcnow(), user["id"], view_id])
    audit.record_change(db, actor_id=user["id"], plugin=PLUGIN, table="views", row_id=view_id,
                        action="restore", summary=f"restore view '{row['name']}'")
    if row["owner_id"] is None:
        sync_indexes(db, row["table_name"])
    bump_state(db, user["id"])
    return view_json(_row(db, view_id, user))
