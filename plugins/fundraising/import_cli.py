"""crm import airtable FILE.csv --table investors [--key] [--dry-run] [--archive-missing]."""
import sys
from pathlib import Path

import click

from core.cli import command_group, pass_crm
from core.errors import APIError
from core.memory import gc_paused
from plugins.fundraising.importer import apply_import, plan_import

TABLES = ["investors", "contacts", "funds", "commitments"]


def _print_summary(summary, title):
    click.echo(f"{title}: {summary['rows']} rows: {summary['creates']} created, "
               f"{summary['updates']} updated, {summary['unchanged']} unchanged, "
               f"{summary['archived']} archived, {summary['skipped_archived']} skipped (archived "
               f"in the CRM), {summary['error_rows']} with errors")
    for new in summary["new_fields"]:
        click.echo(f"  new field '{new['name']}' ({new['type']}) from column '{new['column']}'")
    for error in summary["errors"][:50]:
        click.echo(f"  row {error['row']}, {error['column']}: {error['message']}")
    if len(summary["errors"]) > 50:
        click.echo(f"  ... and {len(summary['errors']) - 50} more errors")


def register_import_commands(cli):
    group = command_group(cli, "import", "Import data into the CRM.")

    @group.command()
    @click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
    @click.option("--table", type=click.Choice(TABLES), default="investors", show_default=True)
    @click.option("--key", help="Column to match rows by (default: record id, else the primary)")
    @click.option("--map", "maps", multiple=True, metavar="COLUMN=FIELD",
                  help="Map a column to a field; COLUMN= ignores the column")
    @click.option("--dry-run", is_flag=True, help="Show what would change; write nothing")
    @click.option("--archive-missing", is_flag=True, help="Archive records the file lacks")
    @click.option("--strict", is_flag=True, help="Import nothing if any row has an error")
    @pass_crm
    def airtable(crm, file, table, key, maps, dry_run, archive_missing, strict):
        """Import an Airtable CSV export; importing the same file again changes nothing."""
        mapping = {}
        for item in maps:
            column, _, field = item.partition("=")
            mapping[column] = field or None
        data = file.read_bytes()
        plan = None
        try:
            if dry_run:
                plan = plan_import(crm.db, table, data, key, mapping)
                _print_summary(plan.summary(archive_missing), "Dry run")
                return
            with gc_paused(), crm.write() as db:
                plan = plan_import(db, table, data, key, mapping)
                total = len(plan.creates) + len(plan.updates)
                with click.progressbar(length=total, label="Importing",
                                       file=sys.stderr) as bar:
                    summary = apply_import(db, plan, None, strict=strict,
                                           archive_missing=archive_missing, progress=bar.update)
                plan = None  # freed before the collector is back and the listeners run
        except APIError as exc:
            if plan is not None and exc.extra.get("errors"):
                _print_summary({**plan.summary(archive_missing)}, "Not imported")
            raise click.ClickException(exc.message) from None
        _print_summary(summary, "Imported")
