"""A stored row as the API shows a record: built-in columns and `data` into named fields."""
import orjson

from plugins.fundraising.field_defs import FieldSet

NUMERIC = {"number", "currency", "percent"}


def _layout(fieldset: FieldSet):
    """(built-in columns as (name, column, numeric), {data key: name} of the other fields),
    computed once per field set."""
    if fieldset.layout is None:
        columns = [(f.name, f.column, f.type in NUMERIC) for f in fieldset.values if f.column]
        stored = {str(f.id): f.name for f in fieldset.values if not f.column}
        fieldset.layout = (columns, stored)
    return fieldset.layout


def serialize(row, fieldset: FieldSet, data: dict | None = None) -> dict:
    """The API shape of a record: {id, version, name, fields, created_*, updated_*}.

    `row` is a mapping of column name to value (a dict, or a RowView over a tuple); `data`,
    when the caller holds it, is row["data"] parsed (not changed here). Fields come built-in
    columns first, then the others as the record stores them; empty ones and what a deleted
    field left in `data` are left out."""
    columns, stored = _layout(fieldset)
    values = {}
    for name, column, numeric in columns:
        value = row[column]
        if value is not None:
            if numeric and value.__class__ is float and value.is_integer():
                value = int(value)
            values[name] = value
    if data is None:
        data = orjson.loads(row["data"])
    values.update({stored[k]: v for k, v in data.items() if v is not None and k in stored})
    return {"id": row["id"], "version": row["version"], "name": row["name"], "fields": values,
            "created_at": row["created_at"], "created_by": row["created_by"],
            "updated_at": row["updated_at"], "updated_by": row["updated_by"]}


class RowView:
    """A tuple row read by column name, without building a dict per row."""

    __slots__ = ("values", "index")

    def __init__(self, values, index):
        self.values, self.index = values, index

    def __getitem__(self, column):
        return self.values[self.index[column]]
