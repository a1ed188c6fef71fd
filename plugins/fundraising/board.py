"""Boards: a view's records as one column per choice of a single-select field, with each
column's count and sum computed in SQL under the same WHERE as the list route."""
import orjson

from core.errors import unprocessable
from plugins.fundraising.board_models import MAX_BOARD_CARDS
from plugins.fundraising.board_settings import normalize_board
from plugins.fundraising.history_text import Names
from plugins.fundraising.query import field_sql
from plugins.fundraising.records import RecordStore
from plugins.fundraising.value_text import value_text
from plugins.fundraising.view_query import list_arguments, saved_view

MAX_BOARD_COLUMNS = 100  # columns that get cards in one answer; the rest give counts only


def _query_settings(db, table, fieldset, query, user) -> dict:
    """The board's settings: the saved view's, then what the query gives instead."""
    config = saved_view(db, query.view, table, user) if query.view else {}
    settings = dict(config.get("board") or {})
    if query.group_field is not None:
        settings["group_field"] = query.group_field
    if query.sum_field is not None:
        settings["sum_field"] = query.sum_field or None
    if query.card_fields is not None:
        try:
            refs = orjson.loads(query.card_fields)
        except orjson.JSONDecodeError:
            refs = None
        if not isinstance(refs, list) or not all(
                isinstance(r, (int, str)) and not isinstance(r, bool) for r in refs):
            raise unprocessable("card_fields: expected a JSON list of field ids or names",
                                field="card_fields")
        settings["card_fields"] = refs
    prefix = "board." if query.view and query.group_field is None else ""
    return normalize_board(fieldset, settings, prefix)


def _number(value):
    return int(value) if isinstance(value, float) and value.is_integer() else value


def read_board(db, table: str, query, user) -> dict:
    """Columns of the board with count, sum and the first `query.limit` cards each (or, with
    ?column= / ?empty=, that column only, from ?offset=)."""
    store = RecordStore(db, table)
    fieldset = store.fields
    settings = _query_settings(db, table, fieldset, query, user)
    group, cards = fieldset.by_id[settings["group_field"]], settings["card_fields"]
    summed = fieldset.by_id[settings["sum_field"]] if settings["sum_field"] else None
    args = list_arguments(db, store, query, user)
    cond, params = f"deleted_at IS NULL AND ({args['where']})", args["params"]
    expr = field_sql(group)
    total_sql = f"total({field_sql(summed)})" if summed else "NULL"
    found = {}
    for value, count, amount in db.execute(
            f"SELECT {expr}, count(*), {total_sql} FROM {store.sql_table} WHERE {cond} "
            f"GROUP BY 1", params):
        key = None if value in (None, "") else str(value)
        was = found.get(key, (0, 0))
        found[key] = (was[0] + count, (was[1] + amount) if summed else None)
    choices = list(group.options.get("choices") or [])
    extra = sorted(k for k in found if k is not None and k not in choices)  # removed choices
    columns = [{"value": None, "title": f"No {group.name}"}]
    columns += [{"value": v, "title": v} for v in [*choices, *extra]]
    for column in columns:
        count, amount = found.get(column["value"], (0, 0 if summed else None))
        column.update(count=count, sum=_number(amount) if summed else None)
    if query.empty or query.column is not None:
        wanted = None if query.empty else query.column
        columns = [c for c in columns if c["value"] == wanted]
    _fill_cards(db, store, columns, expr, cond, params, args["order"], query, group,
                [fieldset.by_id[i] for i in cards])
    return {"table": table, "group_field": group.to_json(),
            "sum_field": summed.to_json() if summed else None,
            "card_fields": [fieldset.by_id[i].to_json() for i in cards],
            "total": sum(c["count"] for c in columns),
            "sum": _number(sum(c["sum"] for c in columns)) if summed else None,
            "columns": columns}


def _fill_cards(db, store, columns, expr, cond, params, order, query, group, card_fields):
    """Each column's cards, by the view's order: one indexed query per column (at most
    MAX_BOARD_COLUMNS of them), then every card's record in one read."""
    limit = min(query.limit, MAX_BOARD_CARDS)
    ids_of = {}
    for n, column in enumerate(columns[:MAX_BOARD_COLUMNS]):
        if column["count"] <= query.offset:
            continue
        if column["value"] is None:
            match, extra = f"({expr} IS NULL OR {expr} = '')", []
        else:
            match, extra = f"{expr} = ?", [column["value"]]
        ids_of[n] = [r[0] for r in db.execute(
            f"SELECT id FROM {store.sql_table} WHERE {cond} AND {match} ORDER BY {order} "
            "LIMIT ? OFFSET ?", [*params, *extra, limit, query.offset])]
    records = {r["id"]: r for r in store.by_ids([i for ids in ids_of.values() for i in ids])}
    names = _names(db, records.values(), card_fields)
    for n, column in enumerate(columns):
        column["cards"] = [_card(records[i], group, card_fields, names)
                           for i in ids_of.get(n, [])]


def _names(db, records, card_fields) -> Names:
    """Names of the users and linked records the cards show, one query per table."""
    users, linked = set(), {}
    for record in records:
        for fdef in card_fields:
            value = record["fields"].get(fdef.name)
            ids = value if isinstance(value, list) else [value]
            if fdef.type == "user" and value is not None:
                users.update(ids)
            elif fdef.type == "link" and value is not None:
                linked.setdefault(fdef.options.get("table"), set()).update(ids)
    return Names(db, users, linked)


def _card(record, group, card_fields, names) -> dict:
    values = []
    for fdef in card_fields:
        value = record["fields"].get(fdef.name)
        text = "" if value in (None, "", []) else value_text(fdef, value, names)
        values.append({"field_id": fdef.id, "name": fdef.name, "type": fdef.type,
                       "value": value, "text": text})
    return {"id": record["id"], "version": record["version"], "name": record["name"],
            "group": record["fields"].get(group.name) or None, "values": values}
