"""The fundraising plugin's own hooks, for other plugins."""
from core.hookspecs import hookspec


@hookspec
def record_timeline(crm, table, record_id, kinds, before, limit):
    """Return this plugin's entries on the timeline of record `record_id` of `table`: a list
    of dicts `{kind, at, actor, summary, ...}` (`at` a stored timestamp, `actor` a user id or
    None), newest first, at most `limit`, each older than `before` (a timestamp) when it is
    given; `kinds` is the set of kinds asked for, or None for all"""
