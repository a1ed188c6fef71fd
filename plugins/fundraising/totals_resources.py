"""Routes for a view's column totals and groups: GET /{table}/totals and /{table}/groups."""
from core.errors import unprocessable
from core.openapi import operation
from plugins.fundraising import totals
from plugins.fundraising.clock_formulas import keep_current
from plugins.fundraising.read_cache import cached, fields_version
from plugins.fundraising.records import RecordStore
from plugins.fundraising.totals_models import Groups, GroupsQuery, Totals, TotalsQuery
from plugins.fundraising.view_export import field_refs
from plugins.fundraising.view_query import list_arguments


class TotalsResource:
    def __init__(self, crm, table):
        self.crm, self.table = crm, table

    @operation("Column totals of the records a list request names (?view=, ?filters=, ?q=): "
               "per number, currency and percent field its sum, average, min, max and how "
               "many are filled; per checkbox how many are checked; per date the earliest and "
               "latest; per other field how many are filled", query=TotalsQuery,
               response=Totals, errors=(404,))
    def on_get(self, req, resp):
        q = req.context.query
        keep_current(self.crm, self.table)
        store = RecordStore(self.crm.db, self.table)
        arguments = list_arguments(self.crm.db, store, q, req.context.user, self.crm)
        every = [*store.fields.all, *store.fields.system]
        if q.fields is not None:
            fields = field_refs(store.fields, q.fields, "fields", totals.MAX_TOTAL_FIELDS)
        else:
            fields = every[:totals.MAX_TOTAL_FIELDS]
        where, params = arguments["where"], arguments["params"]
        # kept until the next write: a grid reading more blocks of the same rows asks again
        key = ("totals", self.table, fields_version(self.crm.db), tuple(f.id for f in fields),
               where, tuple(map(repr, params)))
        answer = cached(self.crm.db, key, lambda: totals.column_totals(
            self.crm.db, self.table, fields, where, params))
        resp.media = {**answer,
                      "left_off": 0 if q.fields is not None else len(every) - len(fields)}


class GroupsResource:
    def __init__(self, crm, table):
        self.crm, self.table = crm, table

    @operation("Groups of the records a list request names (?view=, ?filters=, ?q=) by one "
               "field's value (?field=): a select's choices in their order, other values in "
               "order, the empty group last; each with its count and the sums of ?sums= "
               "(a record with two choices of a multi select counts in both)",
               query=GroupsQuery, response=Groups, errors=(404,))
    def on_get(self, req, resp):
        q = req.context.query
        keep_current(self.crm, self.table)
        store = RecordStore(self.crm.db, self.table)
        fdef = totals.check_group_field(store.fields.resolve(q.field), q.field)
        if q.sums is not None:
            sums = field_refs(store.fields, q.sums, "sums", totals.MAX_GROUP_SUMS)
            for i, f in enumerate(sums):
                if totals.total_kind(f) != "number":
                    raise unprocessable(f"sums.{i}: '{f.name}' is not a number field",
                                               field=f"sums.{i}")
        else:
            sums = [f for f in store.fields.all
                    if totals.total_kind(f) == "number"][:totals.MAX_GROUP_SUMS]
        arguments = list_arguments(self.crm.db, store, q, req.context.user, self.crm)
        where, params = arguments["where"], arguments["params"]
        key = ("groups", self.table, fields_version(self.crm.db), fdef.id,
               tuple(f.id for f in sums), where, tuple(map(repr, params)))
        resp.media = cached(self.crm.db, key, lambda: totals.record_groups(
            self.crm.db, self.table, fdef, sums, where, params))
