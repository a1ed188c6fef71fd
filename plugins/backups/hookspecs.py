"""The backups plugin's own hook, for plugins whose tables a restore puts back."""
from core.hookspecs import hookspec


@hookspec
def register_backup_tables(register):
    """Call register(plugin, tables, after_restore=None) for the tables a backup covers: a
    restore puts them back and the JSON export lists them. `tables` maps each SQL table to
    its name in the plugin's audit entries (None: no entry per restored row). A table with
    `deleted_at` is restored by archiving, one without it is replaced wholesale (restore.py).
    Leave out what is the box's own or history (accounts, sessions, the audit log)."""
