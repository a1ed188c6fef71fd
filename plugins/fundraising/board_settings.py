"""A board's settings (which field groups the columns, which show on cards, which is summed),
checked against the table's fields; apart from board.py so that views import no records."""
from core.errors import unprocessable
from plugins.fundraising.board_models import MAX_CARD_FIELDS
from plugins.fundraising.field_defs import FieldSet
from plugins.fundraising.query import NUMBER_TYPES


def _field(fieldset: FieldSet, ref, where, wanted, check):
    fdef = fieldset.resolve(ref)
    if fdef is None or not check(fdef):
        raise unprocessable(f"{where}: '{ref}' is not {wanted} of {fieldset.table}",
                            field=where)
    return fdef


def _summable(fdef) -> bool:
    return fdef.type in NUMBER_TYPES or (fdef.type == "formula" and
                                         fdef.options.get("result_type") == "number")


def normalize_board(fieldset: FieldSet, settings: dict, prefix="board.") -> dict:
    """A board's settings with fields as ids: a live single-select to group by (by default
    the table's first), at most MAX_CARD_FIELDS card fields, a numeric field to sum or none.
    422 naming the setting when a field does not fit."""
    group = settings.get("group_field")
    if group is None:
        first = next((f for f in fieldset.all if f.type == "single_select"), None)
        if first is None:
            raise unprocessable(f"{prefix}group_field: {fieldset.table} has no single-select "
                                "field to group by", field=f"{prefix}group_field")
        group = first.id
    group = _field(fieldset, group, f"{prefix}group_field", "a single-select field",
                   lambda f: f.type == "single_select" and not f.system).id
    refs = settings.get("card_fields") or []
    if len(refs) > MAX_CARD_FIELDS:  # before any is looked up
        raise unprocessable(f"{prefix}card_fields: at most {MAX_CARD_FIELDS} fields on a card",
                            field=f"{prefix}card_fields")
    cards = []
    for i, ref in enumerate(refs):
        fdef = _field(fieldset, ref, f"{prefix}card_fields.{i}", "a field", lambda f: True)
        if fdef.id not in cards and fdef.builtin != "name":  # the name heads every card
            cards.append(fdef.id)
    total = settings.get("sum_field")
    if total is not None:
        total = _field(fieldset, total, f"{prefix}sum_field", "a number, currency or percent "
                       "field", _summable).id
    return {"group_field": group, "card_fields": cards, "sum_field": total}
