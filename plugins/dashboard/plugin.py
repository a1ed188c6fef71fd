"""The pipeline dashboard: one read-only route per card."""
from pydantic import BaseModel, Field

from core import hookimpl
from core.openapi import operation
from plugins.dashboard import cards, indexes, moves, pipeline_digest
from plugins.fundraising.api import fundraising

requires = ("fundraising",)


class CardQuery(BaseModel):
    view: int | None = Field(None, ge=1, description="A saved view whose filters apply")


class StaleQuery(CardQuery):
    days: int = Field(30, ge=1, le=3650, description="No contact for more than this many days")


class WeeksQuery(CardQuery):
    weeks: int = Field(12, ge=1, le=104, description="This week and the ones before it")


def _funnel(crm, query, where, params):
    stages = fundraising(crm).field("investors", "stage").options.get("choices", [])
    return cards.funnel(crm.db, where, params, stages)  # in the Stage field's choice order


CLOSES = ("first_close", "final_close")  # a fund's built-in close dates, once it has them


def _funds(crm, query, where, params):
    result = cards.funds(crm.db, None if query.view is None else where, params)
    api = fundraising(crm)
    keys = [key for key in CLOSES if api.field("funds", key) is not None]
    for fund in result["funds"]:  # a handful of funds, read through the public API
        record = api.find("funds", fund["id"]) if keys else None
        fund.update({key: record.value(key) if key in keys else None for key in CLOSES})
    return result


def _stale(crm, query, where, params):
    return cards.stale(crm.db, query.days, where, params)


def _movements(crm, query, where, params):
    return cards.movements(crm.db, query.weeks, None if query.view is None else where, params)


def _new(crm, query, where, params):
    return cards.new_investors(crm.db, query.weeks, where, params)


def _emails(crm, query, where, params):
    if crm.pm.get_plugin("gmail") is None:  # no email activity without plugin gmail
        return {"weeks": []}
    return cards.emails(crm.db, query.weeks, None if query.view is None else where, params)


CARDS = {  # name: (query model, table a view filters, card)
    "funnel": (CardQuery, "investors", _funnel),
    "funds": (CardQuery, "commitments", _funds),
    "stale": (StaleQuery, "investors", _stale),
    "movements": (WeeksQuery, "investors", _movements),
    "emails": (WeeksQuery, "investors", _emails),
    "new": (WeeksQuery, "investors", _new),
}


def card_resource(crm, name):
    model, table, card = CARDS[name]

    class CardResource:
        @operation(f"The dashboard's {name} card, optionally over a saved view", query=model,
                   errors=(404,))
        def on_get(self, req, resp):
            query = req.context.query
            where, params = ("1", []) if query.view is None else fundraising(crm).view_where(
                table, query.view, req.context.user)
            resp.media = card(crm, query, where, params)

    return CardResource()


@hookimpl
def register_migrations():
    return moves.MIGRATIONS + indexes.MIGRATIONS


@hookimpl
def register_routes(crm):
    return [(f"/api/dashboard/{name}", card_resource(crm, name)) for name in CARDS]


@hookimpl
def digest_sections(crm, start, end, day):
    """The digest's pipeline section (plugin digest's hook; a chart goes with it)."""
    found = pipeline_digest.section(crm.db, start, end)
    return [found] if found else []
