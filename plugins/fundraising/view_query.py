"""Which rows a list request wants: a saved view, or ad-hoc filters and sorts, as SQL."""
import orjson
from pydantic import TypeAdapter, ValidationError

from core.errors import not_found, unprocessable
from core.openapi import validation_error
from plugins.fundraising.models import FilterGroup, Sort
from plugins.fundraising.query import Compiler, order_by

_sorts = TypeAdapter(list[Sort])


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
    return orjson.loads(row[0])


def list_arguments(db, store, query, user) -> dict:
    """keyword arguments for RecordStore.page from ?view=, ?filters= and ?sorts=."""
    config = saved_view(db, query.view, store.table, user) if query.view else {}
    filters = config.get("filters")
    sorts = config.get("sorts") or []
    if query.filters is not None:
        filters = _json_param(query.filters, TypeAdapter(FilterGroup), "filters")
    if query.sorts is not None:
        sorts = _json_param(query.sorts, _sorts, "sorts")
    compiler = Compiler(store.fields, user_id=user["id"])
    where = compiler.where(filters) if filters else "1"
    return {"where": where, "params": compiler.params, "order": order_by(store.fields, sorts)}
