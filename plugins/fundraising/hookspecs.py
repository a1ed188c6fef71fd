"""The fundraising plugin's own hooks, for other plugins."""
from core.hookspecs import hookspec


@hookspec
def record_timeline(crm, table, record_id, kinds, before, limit):
    """Return this plugin's entries on the timeline of record `record_id` of `table`: a list
    of dicts `{kind, at, actor, summary, ...}` (`at` a stored timestamp, `actor` a user id or
    None), newest first, at most `limit`, each older than `before` (a timestamp) when it is
    given; `kinds` is the set of kinds asked for, or None for all"""


@hookspec
def search_extra(crm, table, query):
    """Return the ids of `table`'s records that the search text `query` finds in what this
    plugin keeps about them (a note's text, say): the records' search (`?q=`) lists them too"""
