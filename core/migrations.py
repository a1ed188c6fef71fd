"""Apply each enabled plugin's migrations once, each in its own transaction."""
import logging

from core.db import Database, utcnow
from core.plugins import call_each

log = logging.getLogger(__name__)


def _plugin_migrations(pm):
    """Yield (plugin name, [Migration]) in registration order."""
    for plugin, migrations in call_each(pm, "register_migrations"):
        yield plugin, list(migrations)


def ensure_ledger(database: Database):
    with database.write() as db:
        db.execute(
            "CREATE TABLE IF NOT EXISTS crm_migrations ("
            " plugin TEXT NOT NULL, version INTEGER NOT NULL, name TEXT NOT NULL,"
            " applied_at TEXT NOT NULL, PRIMARY KEY (plugin, version))"
        )


def applied_versions(database: Database) -> set[tuple[str, int]]:
    rows = database.db.execute("SELECT plugin, version FROM crm_migrations").fetchall()
    return {(plugin, version) for plugin, version in rows}


def pending(pm, database: Database) -> list[tuple[str, object]]:
    ensure_ledger(database)
    done = applied_versions(database)
    result = []
    for plugin, migrations in _plugin_migrations(pm):
        versions = [m.version for m in migrations]
        if len(set(versions)) != len(versions):
            raise ValueError(f"plugin {plugin!r} declares a migration version twice")
        for migration in sorted(migrations, key=lambda m: m.version):
            if (plugin, migration.version) not in done:
                result.append((plugin, migration))
    return result


def migrate(pm, database: Database) -> list[str]:
    """Run what is pending; return the names of the steps applied."""
    applied = []
    for plugin, migration in pending(pm, database):
        with database.write() as db:
            # Re-check inside the lock: another process may have just applied it.
            if db.execute(
                "SELECT 1 FROM crm_migrations WHERE plugin = ? AND version = ?",
                [plugin, migration.version],
            ).fetchone():
                continue
            migration.apply(db)
            db.execute(
                "INSERT INTO crm_migrations (plugin, version, name, applied_at) VALUES (?,?,?,?)",
                [plugin, migration.version, migration.name, utcnow()],
            )
        label = f"{plugin}:{migration.version} {migration.name}"
        log.info("applied migration %s", label)
        applied.append(label)
    return applied
