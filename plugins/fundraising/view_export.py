"""What the grid shows, as a file: the records of a view (or of ad-hoc filters, sorts and
search) in its order, its visible columns in their order, values as the CSV export writes
them. Records are read a block at a time while the file is written, so a download of
100,000 rows never holds them all."""
from collections.abc import Iterator

import orjson
from pydantic import TypeAdapter, ValidationError

from core.errors import unprocessable
from core.openapi import validation_error
from plugins.fundraising.csv_export import NameBook, export_column
from plugins.fundraising.field_defs import FieldDef, FieldSet
from plugins.fundraising.models import FieldRefs
from plugins.fundraising.records import RecordStore
from plugins.fundraising.view_query import list_arguments, saved_view

BLOCK = 250  # records read per query (and held at a time)
_refs = TypeAdapter(FieldRefs)


def view_layout(fieldset: FieldSet, config: dict) -> list[FieldDef]:
    """The visible columns as the grid lays a view out (columns.js buildColumns): the view's
    order, then the rest by position (the read-only columns last); the primary field and
    pinned columns first, as the grid freezes them on the left; hidden ones left out."""
    fields = [*fieldset.all, *fieldset.system]
    order = [getattr(fieldset.resolve(ref), "id", None) for ref in config.get("order") or ()]
    pinned = {getattr(fieldset.resolve(ref), "id", None) for ref in config.get("pinned") or ()}
    hidden = {getattr(fieldset.resolve(ref), "id", None) for ref in config.get("hidden") or ()}

    def rank(f):
        return order.index(f.id) if f.id in order else 1000 + f.position
    shown = sorted((f for f in fields if f.id not in hidden or f.builtin == "name"), key=rank)
    frozen = [f for f in shown if f.builtin == "name" or f.id in pinned]
    return frozen + [f for f in shown if f not in frozen]


def field_refs(fieldset: FieldSet, text: str, name: str, cap: int | None = None) -> list[FieldDef]:
    """The fields of a JSON list of ids or names (?columns=, ?fields=, ?sums=), in its order,
    each once, at most `cap`; a 422 naming `name` or the failing item."""
    try:
        refs = _refs.validate_python(orjson.loads(text))
    except orjson.JSONDecodeError:
        raise unprocessable(f"{name} is not valid JSON", field=name) from None
    except ValidationError as exc:
        raise validation_error(exc, prefix=name) from None
    if cap is not None and len(refs) > cap:
        raise unprocessable(f"{name}: at most {cap} fields", field=name)
    chosen = []
    for i, ref in enumerate(refs):
        fdef = fieldset.resolve(ref)
        if fdef is None:
            raise unprocessable(f"{name}.{i}: no field '{ref}' in {fieldset.table}",
                                field=f"{name}.{i}")
        if fdef not in chosen:
            chosen.append(fdef)
    return chosen


def chosen_columns(fieldset: FieldSet, text: str) -> list[FieldDef]:
    """The fields of ?columns= (a JSON list of ids or names), in its order, each once."""
    chosen = field_refs(fieldset, text, "columns")
    if not chosen:
        raise unprocessable("columns: name at least one field", field="columns")
    return chosen


def _blocks(store: RecordStore, ids: list[int]) -> Iterator[list[dict]]:
    """The live records of `ids` in that order, BLOCK at a time (one archived meanwhile is
    left out)."""
    for start in range(0, len(ids), BLOCK):
        yield store.by_ids(ids[start:start + BLOCK], live=True)


class ViewExport:
    """One export's columns and records, checked (4xx) before any byte is sent."""

    def __init__(self, db, table: str, query, user):
        store = RecordStore(db, table)
        arguments = list_arguments(db, store, query, user)
        config = saved_view(db, query.view, table, user) if query.view else {}
        if query.columns is not None:
            fields = chosen_columns(store.fields, query.columns)
        else:
            fields = view_layout(store.fields, config)
        book = NameBook(db)
        self.table = table
        self.view_name = db.execute("SELECT name FROM fundraising_views WHERE id = ?",
                                    [query.view]).fetchone()[0] if query.view else None
        self.columns = [export_column(fdef, book) for fdef in fields]
        # the ids only, in the view's order; records are read a block at a time as written
        self.ids = [r[0] for r in db.execute(
            f"SELECT id FROM {store.sql_table} WHERE deleted_at IS NULL AND "
            f"({arguments['where']}) ORDER BY {arguments['order']}", arguments["params"])]
        self.store = store

    def blocks(self) -> Iterator[list[dict]]:
        return _blocks(self.store, self.ids)
