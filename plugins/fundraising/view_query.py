"""Which rows a list request wants: a saved view, or ad-hoc filters and sorts, as SQL."""
import orjson
from pydantic import TypeAdapter, ValidationError
from pydantic_core import PydanticCustomError

from core.errors import not_found, unprocessable
from core.openapi import validation_error
from plugins.fundraising.models import (MAX_VIEW_BYTES, MAX_VIEW_SORTS, Filters, Sorts,
                                        bounded_filters)
from plugins.fundraising.query import Compiler, order_by
from plugins.fundraising.search import extra_ids, search_condition

_sorts = TypeAdapter(Sorts)
_filters = TypeAdapter(Filters)


def _json_param(text, adapter, name):
    try:
        return adapter.dump_python(adapter.validate_python(orjson.loads(text)), mode="json")
    except orjson.JSONDecodeError:
        raise unprocessable(f"{name} is not valid JSON", field=name) from None
    except ValidationError as exc:
        raise validation_error(exc, prefix=name) from None


def saved_view(db, view_id, table, user) -> dict:
    row = db.execute(
        "SELECT config FROM fundraising_views WHERE id = ? AND table_name = ? AND "
        "deleted_at IS NULL AND (owner_id IS NULL OR owner_id = ?)",
        [view_id, table, user["id"]]).fetchone()
    if row is None:
        raise not_found(f"No view {view_id} for {table}")
    return _within_limits(view_id, row[0])


def _within_limits(view_id, text: str) -> dict:
    """A stored view's settings, refused (422) when over the limits of a view body: a view
    saved before them must not cost seconds on every read."""
    problem = None
    if len(text) > MAX_VIEW_BYTES:
        problem = f"its settings are {len(text):,} bytes of JSON, over {MAX_VIEW_BYTES:,}"
    else:
        config = orjson.loads(text)
        try:
            bounded_filters(config.get("filters"))
        except PydanticCustomError as exc:
            problem = str(exc)
        if len(config.get("sorts") or ()) > MAX_VIEW_SORTS:
            problem = f"it has more than {MAX_VIEW_SORTS} sorts"
    if problem:
        raise unprocessable(f"view {view_id} is over the limits of a view ({problem}); change "
                            "or archive it", field="view", code="view_too_large")
    return config


def list_arguments(db, store, query, user, crm=None) -> dict:
    """keyword arguments for RecordStore.page from ?view=, ?filters=, ?sorts= and ?q=; with
    `crm`, ?q= also finds the records other plugins find for it (hook search_extra)."""
    config = saved_view(db, query.view, store.table, user) if query.view else {}
    filters = config.get("filters")
    sorts = config.get("sorts") or []
    if query.filters is not None:
        filters = _json_param(query.filters, _filters, "filters")
    if query.sorts is not None:
        sorts = _json_param(query.sorts, _sorts, "sorts")
    compiler = Compiler(store.fields, user_id=user["id"])
    where = compiler.where(filters) if filters else "1"
    params = compiler.params
    text = getattr(query, "q", None)
    found, found_params = search_condition(store.table, text, extra_ids(crm, store.table, text))
    if found_params:
        where, params = f"({where}) AND {found}", [*params, *found_params]
    return {"where": where, "params": params, "order": order_by(store.fields, sorts)}
