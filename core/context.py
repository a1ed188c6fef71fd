"""The running CRM: settings, plugins and database, handed to every hook and resource."""
import contextlib
import logging
import os
import secrets
from pathlib import Path

from core.db import Database
from core.files import write_owner_only
from core.memory import gc_paused
from core.plugins import make_plugin_manager, settings_models
from core.settings import ConfigError, Settings, load_settings, read_plugin_settings

log = logging.getLogger(__name__)
BULK_CHANGES = 10_000  # from this many changes, the listeners run with the collector paused


def write_secret_file(path: Path, value: str):
    """Write a secret owner-only (0600) in an owner-only (0700) folder, atomically."""
    path.parent.mkdir(parents=True, exist_ok=True)
    os.chmod(path.parent, 0o700)
    write_owner_only(path, value)


def resolve_secret_key(settings: Settings) -> str:
    """The configured secret key; in development one is generated once and kept."""
    if settings.secret_key is not None and settings.secret_key.get_secret_value():
        return settings.secret_key.get_secret_value()
    if settings.env == "production":
        raise ConfigError(
            "CRM_ENV=production needs a secret key: set CRM_SECRET_KEY or write it to "
            f"{settings.secrets_dir / 'secret_key'} (mode 0600)"
        )
    path = settings.secrets_dir / "secret_key"
    if path.exists():
        return path.read_text().strip()
    key = secrets.token_urlsafe(48)
    write_secret_file(path, key)
    log.info("generated a development secret key in %s", path)
    return key


class CRM:
    """What hooks and resources receive: `crm.settings`, `crm.pm`, `crm.database`."""

    def __init__(self, settings: Settings, pm, database: Database, secret_key: str):
        self.settings = settings
        self.pm = pm
        self.database = database
        self.secret_key = secret_key
        self.settings_models = settings_models(pm)  # plugin name -> its settings class

    @property
    def db(self):
        """This thread's sqlite_utils.Database."""
        return self.database.db

    @contextlib.contextmanager
    def write(self):
        """A write transaction: `with crm.write() as db: ...`.

        After the outermost one commits, plugins hear of its audit entries through the
        changes_committed hook (automation reacts to record changes this way)."""
        if self.database.db.conn.in_transaction:
            with self.database.write() as db:
                yield db
            return
        with self.database.write() as db:
            yield db
        journal, db.journal = db.journal, []
        if journal:
            self._announce(journal)

    def _announce(self, journal):
        with gc_paused() if len(journal) >= BULK_CHANGES else contextlib.nullcontext():
            changes = [entry.as_dict() for entry in journal]
            try:
                self.pm.hook.changes_committed(crm=self, changes=changes)
            except Exception:  # the write stands; a listener's failure is only logged
                log.exception("a changes_committed listener failed")

    def plugin_enabled(self, name: str) -> bool:
        return self.pm.get_plugin(name) is not None

    def plugin_settings(self, name: str):
        """Plugin `name`'s settings (the class its register_settings returns), read now from
        the environment and its secret files; a bad value is a ConfigError naming it."""
        model = self.settings_models.get(name)
        if model is None:
            raise KeyError(f"plugin {name!r} is not enabled or declares no settings")
        return read_plugin_settings(name, model, self.settings.secrets_dir)

    def check_plugin_settings(self):
        """Read every plugin's settings once: a bad value stops the start, naming it."""
        for name, model in self.settings_models.items():
            read_plugin_settings(name, model, self.settings.secrets_dir)


def build_crm(settings: Settings | None = None, pm=None, extra_plugins=None) -> CRM:
    """Load settings and plugins, open the database and apply pending migrations."""
    from core.migrations import migrate

    settings = settings or load_settings()
    secret_key = resolve_secret_key(settings)
    pm = pm or make_plugin_manager(settings.plugins, extra_plugins)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    # worker processes all write: no memory map then (core.db.MMAP_BYTES)
    database = Database(settings.database_path, memory_map=settings.workers == 1)
    crm = CRM(settings, pm, database, secret_key)
    crm.check_plugin_settings()  # before migrations: a bad setting changes nothing
    migrate(pm, crm.database)
    return crm
