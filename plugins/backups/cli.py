"""`crm backup create | list | verify ID | restore ID [--full] --yes | delete ID | drill |
export`. list, verify and restore --full never open the database: they work when it is
broken."""
import contextlib
import json
import os

import click

from core.cli import CliState, pass_crm
from core.errors import APIError
from core.settings import ConfigError
from plugins.backups.drill import drill, record
from plugins.backups.export import export_tables
from plugins.backups.full_restore import full_restore, offline_store
from plugins.backups.store import BackupStore


@contextlib.contextmanager
def api_errors():
    """Show an API error's message as a CLI error."""
    try:
        yield
    except APIError as exc:
        raise click.ClickException(exc.message) from None


@contextlib.contextmanager
def backup_progress(label):
    """A progress bar in percent, and the callback the backup API drives it with."""
    with click.progressbar(length=100, label=label) as bar:
        def advance(done, total):
            if total:
                bar.update(done * 100 // total - bar.pos)
        yield advance


def register_backup_commands(cli):
    @cli.group()
    def backup():
        """Back up the database and restore the fundraising data."""

    @backup.command(name="create")
    @pass_crm
    def create_command(crm):
        """Take a manual backup now; the CRM can stay up."""
        try:
            limit = crm.plugin_settings("backups").manual_limit
        except ConfigError as exc:
            raise click.ClickException(str(exc)) from None
        with api_errors(), backup_progress("Backing up") as advance:
            meta = BackupStore(crm, manual_limit=limit).create("manual", progress=advance)
        click.echo(f"Created backup {meta['id']} ({meta['size']} bytes, sha256 {meta['sha256']})")

    @backup.command(name="list")
    @click.pass_obj
    def list_command(state: CliState):
        """List backups, newest first."""
        for meta in offline_store(state.settings).list_backups():
            click.echo(f"{meta['id']}  {meta['kind']:<9}  {meta['created_at']}  "
                       f"{meta['size']:>12} bytes")

    @backup.command(name="verify")
    @click.argument("backup_id")
    @click.pass_obj
    def verify_command(state: CliState, backup_id):
        """Check a backup's checksum and integrity; exits 1 when it fails."""
        with api_errors():
            result = offline_store(state.settings).verify(backup_id)
        click.echo(f"checksum: {'ok' if result['checksum_ok'] else 'MISMATCH'}")
        click.echo(f"integrity: {result['integrity']}")
        if not result["ok"]:
            raise click.ClickException(f"Backup {backup_id} failed verification")
        click.echo(f"Backup {backup_id} is good")

    @backup.command(name="restore")
    @click.argument("backup_id")
    @click.option("--yes", is_flag=True, help="Restore without asking")
    @click.option("--full", is_flag=True,
                  help="Replace the whole database file (corrupt or lost); the CRM must be "
                       "stopped, and the damaged file is kept aside")
    @click.pass_obj
    def restore_command(state: CliState, backup_id, yes, full):
        """Make every plugin's data equal a backup (a safety backup is taken first); with
        --full, put the backup in place of the database file."""
        if full:
            _full_restore(state.settings, backup_id, yes)
            return
        store = BackupStore(state.crm())
        with api_errors():
            if not yes:
                for table, counts in store.preview(backup_id)["tables"].items():
                    click.echo(_counts_line(table, counts))
                click.confirm(f"Restore backup {backup_id}?", abort=True)
            with backup_progress("Safety backup") as advance:
                result = store.restore(backup_id, None, advance)
        for table, counts in result["tables"].items():
            click.echo(_counts_line(table, counts))
        click.echo(f"Restored {backup_id}; safety backup {result['safety_backup_id']}")

    @backup.command(name="drill")
    @click.argument("backup_id", required=False)
    @pass_crm
    def drill_command(crm, backup_id):
        """Restore a backup (the newest by default) into a scratch file and check it; the
        result is kept and shown on the security status. Exits 1 when it fails."""
        with api_errors():
            if not backup_id and not BackupStore(crm, copier=False).list_backups():
                raise click.ClickException("No backup to drill: take one first")
            result = record(crm, drill(crm, backup_id))
        for table, counts in result["tables"].items():
            click.echo(f"{table:<26} backup {counts['backup']}, restored {counts['restored']}, "
                       f"live now {counts['live']}")
        click.echo(f"checksum: {'ok' if result['checksum_ok'] else 'MISMATCH'}; "
                   f"integrity: {result['integrity']}")
        if not result["ok"]:
            raise click.ClickException(f"Drill of backup {result['backup_id']} FAILED: "
                                       f"{result['error']}")
        click.echo(f"Drill of backup {result['backup_id']} passed")

    @backup.command(name="export")
    @click.option("--output", "-o", type=click.Path(dir_okay=False),
                  help="File to write (owner-only); standard output when left out")
    @pass_crm
    def export_command(crm, output):
        """Write every backed-up table of every enabled plugin as JSON."""
        text = json.dumps(export_tables(crm), default=str)
        if output is None:
            click.echo(text)
            return
        fd = os.open(output, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(text)
        click.echo(f"Exported to {output}", err=True)

    @backup.command(name="delete")
    @click.argument("backup_id")
    @pass_crm
    def delete_command(crm, backup_id):
        """Delete a backup's file and metadata (manual backups are only removed this way)."""
        with api_errors():
            meta = BackupStore(crm).delete(backup_id)
        click.echo(f"Deleted backup {backup_id} ({meta['kind']}, {meta['created_at']})")


def _counts_line(table, counts):
    return (f"{table:<26} added {counts['added']}, changed {counts['changed']}, "
            f"archived {counts['archived']}, removed {counts.get('removed', 0)}, "
            f"unchanged {counts['unchanged']}")


def _full_restore(settings, backup_id, yes):
    with api_errors():
        meta = offline_store(settings).get(backup_id)
        if not yes:
            click.confirm(f"Replace {settings.database_path} with backup {backup_id} "
                          f"({meta['kind']}, {meta['created_at']})?", abort=True)
        result = full_restore(settings, backup_id)
    click.echo(f"Restored {settings.database_path} from backup {backup_id} "
               f"(checksum and integrity verified)")
    for path in result["kept"]:
        click.echo(f"Kept the damaged file as {path}")
    click.echo("Start the CRM again (`crm serve`); it applies any newer migrations.")
