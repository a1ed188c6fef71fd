"""Hook implementations of the backups plugin: snapshots of the whole database, and restores
of the tables other plugins register through `register_backup_tables`."""
from core import audit, hookimpl
from plugins.backups import activity_text, hookspecs
from plugins.backups.cli import register_backup_commands
from plugins.backups.drill import drill_check, drill_tasks
from plugins.backups.offsite import offsite_security_check
from plugins.backups.policy import backup_security_checks, backup_tasks
from plugins.backups.resources import backup_routes
from plugins.backups.settings import BackupSettings
from plugins.backups.tables import MIGRATIONS


@hookimpl
def register_hookspecs():
    return [hookspecs]


@hookimpl
def register_settings():
    return BackupSettings


@hookimpl
def register_migrations():
    return MIGRATIONS


@hookimpl
def register_routes(crm):
    return backup_routes(crm, crm.plugin_settings("backups"))


@hookimpl
def register_scheduled_tasks(crm):
    return [*backup_tasks(crm), *drill_tasks(crm)]


@hookimpl
def register_commands(cli):
    register_backup_commands(cli)


@hookimpl
def register_backup_tables(register):
    # the backup policy and the fundraising settings (both plugins make this table)
    register("backups", {"app_settings": "app_settings"})


@hookimpl
def register_security_checks(crm):
    return [*backup_security_checks(crm), drill_check(crm), offsite_security_check(crm)]


@hookimpl
def register_activity_sources(crm):
    return [audit.activity_source(crm, "backups", describe=activity_text.describe)]
