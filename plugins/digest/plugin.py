"""Hook implementations of the digest plugin.

The digest is the one automated email: an internal report to the fund's own admins. It never
writes to an investor, so the rule that investor email is only ever drafted still holds."""
from core import ScheduledTask, hookimpl
from plugins.digest import hookspecs
from plugins.digest.cli import register
from plugins.digest.resources import PreviewResource, RunsResource, SettingsResource
from plugins.digest.send import tick
from plugins.digest.settings import DigestSettings
from plugins.digest.tables import MIGRATIONS

requires = ("fundraising", "gmail")


@hookimpl
def register_hookspecs():
    return [hookspecs]


@hookimpl
def register_settings():
    return DigestSettings


@hookimpl
def register_migrations():
    return MIGRATIONS


@hookimpl
def register_routes(crm):
    return [("/api/admin/digest/preview", PreviewResource(crm)),
            ("/api/admin/digest/runs", RunsResource(crm)),
            ("/api/admin/digest/settings", SettingsResource(crm))]


@hookimpl
def register_scheduled_tasks(crm):
    return [ScheduledTask("digest.send", lambda s: s.every(1).minutes, lambda: tick(crm))]


@hookimpl
def register_commands(cli):
    register(cli)


@hookimpl
def register_backup_tables(register):
    """Nothing: the ledger says which days' digests went out; an older one put back would
    send a day's digest twice."""
