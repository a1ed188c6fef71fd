"""The columns of an import: what each CSV column feeds, and its cells parsed column by column.

A column parser (csv_import.make_parser) checks a cell's format and returns the value the
field stores, so only what it leaves to the importer is checked again here: whether a select
value is one of the field's choices, and the shape of link and user ids.
"""
from dataclasses import dataclass

from core.errors import unprocessable
from plugins.fundraising.imports.csv_import import CellError, find_record_id_column, make_parser
from plugins.fundraising.imports.csv_import.infer import infer_field, options_for
from plugins.fundraising.imports.csv_import.parallel import ColumnJob, run_columns
from plugins.fundraising.field_defs import FieldDef
from plugins.fundraising.schema import FieldValueError

# Field types whose parsed values still need FieldDef.validate: choices and ids; the other
# parsers give only values validate would accept as they are.
CHECKED_TYPES = {"single_select", "multi_select", "link", "user"}
# Field types whose parser looks records up in the database, so it runs in this process.
LOOKUP_TYPES = {"link", "user"}
MAX_CHOICES = 500  # as models.FieldOptions
# the types a new column can be given (links, users and formulas need more than its cells)
IMPORT_TYPES = ("text", "long_text", "number", "currency", "percent", "date", "checkbox",
                "single_select", "multi_select", "email", "url", "phone")


@dataclass
class Column:
    index: int
    header: str
    role: str  # "name", "external_id", "field", "new" or "ignore"
    field: FieldDef | None = None
    new: dict | None = None  # {"name", "type", "options"} of a field to create
    parse: object = None

    @property
    def target(self) -> str:
        """The field name this column's values go to ("field" and "new" columns)."""
        return self.field.name if self.field is not None else self.new["name"]


class NameIndex:
    """Live records of a table by primary name (case-insensitive), for links by name."""

    def __init__(self, db, table):
        self.ids: dict[str, list[int]] = {}
        for record_id, name in db.execute(
                f"SELECT id, name FROM fundraising_{table} WHERE deleted_at IS NULL"):
            self.ids.setdefault(name.strip().casefold(), []).append(record_id)

    def resolve(self, name):
        found = self.ids.get(name.strip().casefold(), [])
        if len(found) != 1:
            raise CellError(f"no record named '{name}'" if not found
                            else f"{len(found)} records are named '{name}'")
        return found[0]


def _user_index(db):
    users = {}
    for user_id, email, name in db.execute("SELECT id, email, name FROM users"):
        users[email.casefold()] = user_id
        users.setdefault(name.casefold(), user_id)
    return users


def _column_parser(db, fdef_type, options, indexes):
    base = make_parser(fdef_type, options)
    if fdef_type == "link":
        target = options.get("table")
        index = indexes.setdefault(target, NameIndex(db, target))
        multiple = options.get("multiple", True)

        def parse_link(text):
            names = base(text)
            if not names:
                return [] if multiple else None
            ids = [index.resolve(n) for n in names]
            if not multiple and len(ids) > 1:
                raise CellError("this field links one record")
            return ids if multiple else ids[0]
        return parse_link
    if fdef_type == "user":
        users = indexes.setdefault("users", _user_index(db))

        def parse_user(text):  # a name that is nobody's stays text (imports.people)
            text = text.strip()
            if not text:
                return None
            return users.get(text.casefold(), text)
        return parse_user
    return base


def _system_field(fieldset, name):
    """The read-only column (Created at, Last modified by...) of that name, or None."""
    return next((f for f in fieldset.system if f.name.casefold() == name.casefold()), None)


def plan_columns(db, table, csv_table, fieldset, mapping, types=None):
    """How each CSV column is used; `mapping` maps a header to a field name or None, `types`
    a new field's column to the type chosen for it (else it is inferred)."""
    mapping, types = mapping or {}, dict(types or {})
    record_id_col = find_record_id_column(csv_table)
    name_field = next(f for f in fieldset.all if f.builtin == "name")
    columns, indexes, taken = [], {}, set()
    for i, header in enumerate(csv_table.header):
        target = mapping.get(header, header)
        if i == record_id_col and header not in mapping:
            columns.append(Column(i, header, "external_id"))
            continue
        if target is None:
            columns.append(Column(i, header, "ignore"))
            continue
        fdef = fieldset.get(target)
        if fdef is not None and fdef.id in taken:
            raise unprocessable(f"Two columns map to the field '{fdef.name}'", field="mapping")
        if fdef is not None and fdef.builtin == "name":
            taken.add(fdef.id)
            columns.append(Column(i, header, "name", fdef, parse=str.strip))
        elif fdef is not None and fdef.type == "formula":
            columns.append(Column(i, header, "ignore", fdef))  # computed here, not imported
        elif fdef is None and (kept := _system_field(fieldset, target)) is not None:
            columns.append(Column(i, header, "ignore", kept))  # Created at...: kept by writes
        elif fdef is not None:
            taken.add(fdef.id)
            parse = _column_parser(db, fdef.type, fdef.options, indexes)
            columns.append(Column(i, header, "field", fdef, parse=parse))
        else:  # its type is inferred from its cells as they are parsed (parse_rows)
            chosen = types.pop(header, None)
            if chosen is not None and chosen not in IMPORT_TYPES:
                raise unprocessable(f"A new field cannot be made a {chosen} field from a "
                                    f"column; choose one of {', '.join(IMPORT_TYPES)}",
                                    field=f"types.{header}")
            new = {"name": target, "type": None, "options": None, "chosen_type": chosen}
            columns.append(Column(i, header, "new", new=new))
    for header in types:
        raise unprocessable(f"'{header}' is not the column of a new field", field=f"types.{header}")
    if not any(c.role == "name" for c in columns):
        raise unprocessable(f"The file has no '{name_field.name}' column (the primary field); "
                            "map one with `mapping`", field="mapping")
    return columns


def key_column(columns, key):
    """The column that matches rows to records: the record id column, else `key`."""
    if key is None:
        ext = next((c for c in columns if c.role == "external_id"), None)
        return ext or next(c for c in columns if c.role == "name")
    for c in columns:
        if c.header.casefold() == key.casefold() or (
                c.field is not None and c.field.name.casefold() == key.casefold()):
            if c.role in ("ignore", "new"):
                break
            return c
    raise unprocessable(f"No column '{key}' to match rows by", field="key")


@dataclass
class ParsedRows:
    """Every row's primary name, record id and field values, column by column."""
    names: list
    external_ids: list
    targets: list  # field names, in column order
    values: list  # one list of values per target
    errors: dict  # row index -> [(header, message)], in column order
    kept: list | None = None  # (header, user field, names kept as text or None) per column


def parse_rows(columns, cells: list[tuple], people=None) -> ParsedRows:
    """Each used column's cells (CsvTable.columns) parsed in one pass (parse_column), a new
    column's type inferred first, then checked where the parser leaves it to the importer;
    bad cells are collected by row. A large file's columns are shared with a helper
    process (csv_import.parallel)."""
    count = len(cells[0]) if cells else 0
    names, external_ids = [None] * count, [None] * count
    used = []
    for c in columns:
        if c.role == "name":
            names = list(map(str.strip, cells[c.index]))
        elif c.role == "external_id":
            external_ids = [text.strip() or None for text in cells[c.index]]
        elif c.role != "ignore":
            used.append(c)
    results = run_columns([_job(c, cells[c.index]) for c in used], count)
    targets, values, errors, kept = [], [], {}, []
    for c, (field_type, options, parsed, bad) in zip(used, results):
        if c.role == "new":
            c.new.update(type=field_type, options=options)
            c.new.setdefault("inferred_type", field_type)
        if c.field is not None and c.field.type == "user" and people is not None:
            kept.append((c.header, c.field.name, people.settle(c.header, c.field.name, parsed)))
        if c.field is not None and c.field.type in CHECKED_TYPES:
            _check_values(c.field, parsed, bad)
        for index in sorted(bad):
            errors.setdefault(index, []).append((c.header, bad[index]))
        targets.append(c.target)
        values.append(parsed)
    return ParsedRows(names, external_ids, targets, values, errors, kept)


def _job(column, texts) -> ColumnJob:
    if column.role == "new":
        chosen = column.new["chosen_type"]
        if chosen is None:
            return ColumnJob(None, None, texts)  # inferred with the parsing (maybe in parallel)
        inferred, options = infer_field(texts)
        column.new["inferred_type"] = inferred
        if chosen == inferred:
            return ColumnJob(inferred, options, texts)
        options = options_for(chosen, texts)
        if len(options.get("choices") or ()) > MAX_CHOICES:
            raise unprocessable(f"'{column.header}' holds {len(options['choices']):,} distinct "
                                f"values; a select field holds at most {MAX_CHOICES}",
                                field=f"types.{column.header}")
        return ColumnJob(chosen, options, texts)
    fdef = column.field
    local = column.parse if fdef.type in LOOKUP_TYPES else None
    return ColumnJob(fdef.type, fdef.options, texts, parse=local)


def _check_values(fdef, parsed, bad):
    """FieldDef.validate on each distinct parsed value a parser could not check (choices,
    ids); the cells whose value fails join `bad`. Passing values stay as parsed (validate
    returns them unchanged)."""
    verdicts = {}  # value (a list as a tuple) -> None, or why it does not fit
    for index, value in enumerate(parsed):
        if value is None or index in bad:
            continue
        seen = tuple(value) if value.__class__ is list else value
        if seen in verdicts:
            message = verdicts[seen]
        else:
            try:
                fdef.validate(value)
                message = None
            except FieldValueError as exc:
                message = str(exc)
            verdicts[seen] = message
        if message is not None:
            parsed[index] = None
            bad[index] = message
