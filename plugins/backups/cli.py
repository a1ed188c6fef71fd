"""`crm backup create | list | verify ID | restore ID --yes | delete ID`."""
import contextlib

import click

from core.cli import pass_crm
from core.errors import APIError
from core.settings import ConfigError
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
    @pass_crm
    def list_command(crm):
        """List backups, newest first."""
        for meta in BackupStore(crm).list_backups():
            click.echo(f"{meta['id']}  {meta['kind']:<9}  {meta['created_at']}  "
                       f"{meta['size']:>12} bytes")

    @backup.command(name="verify")
    @click.argument("backup_id")
    @pass_crm
    def verify_command(crm, backup_id):
        """Check a backup's checksum and integrity; exits 1 when it fails."""
        with api_errors():
            result = BackupStore(crm).verify(backup_id)
        click.echo(f"checksum: {'ok' if result['checksum_ok'] else 'MISMATCH'}")
        click.echo(f"integrity: {result['integrity']}")
        if not result["ok"]:
            raise click.ClickException(f"Backup {backup_id} failed verification")
        click.echo(f"Backup {backup_id} is good")

    @backup.command(name="restore")
    @click.argument("backup_id")
    @click.option("--yes", is_flag=True, help="Restore without asking")
    @pass_crm
    def restore_command(crm, backup_id, yes):
        """Make the fundraising data equal a backup (a safety backup is taken first)."""
        store = BackupStore(crm)
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
            f"archived {counts['archived']}, unchanged {counts['unchanged']}")
