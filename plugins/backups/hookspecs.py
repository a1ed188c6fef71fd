"""The backups plugin's own hook, for plugins whose tables a restore puts back."""
from core.hookspecs import hookspec


@hookspec
def register_backup_tables(register):
    """Call register(plugin, tables, after_restore=None) for the tables a restore puts back"""
