"""Per-connection memo of reads that only a write can change, keyed by the grid version (or,
for field definitions, by the fields' own version).

Every fundraising write bumps `fundraising_state.version` in its own transaction, so a value
computed at version N stays right until the version moves. Inside a transaction a cached value
is still used while the version is the committed one, but nothing new is stored: a version
that transaction moved may yet roll back.
"""
import weakref

MAX_ENTRIES = 256
_caches: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()


def state_version(db) -> int:
    return db.execute("SELECT version FROM fundraising_state WHERE id = 1").fetchone()[0]


def fields_version(db) -> int:
    """Moves only when a field definition changes (a trigger on fundraising_fields)."""
    return db.execute("SELECT version FROM fundraising_fields_version WHERE id = 1").fetchone()[0]


def last(db, key):
    """The value `cached` last kept for `key` on this connection, whatever the version now;
    None when it kept none."""
    hit = _caches.get(db, {}).get(key)
    return None if hit is None else hit[1]


def cached(db, key, compute, version_of=state_version, version=None):
    """compute() once per `version_of(db)` (the grid version unless told otherwise), or per
    `version` when the caller read it already."""
    version = version_of(db) if version is None else version
    cache = _caches.setdefault(db, {})
    hit = cache.get(key)
    if hit is not None and hit[0] == version:
        return hit[1]
    value = compute()
    if db.conn.in_transaction:
        return value
    if len(cache) >= MAX_ENTRIES:
        cache.clear()
    cache[key] = (version, value)
    return value
