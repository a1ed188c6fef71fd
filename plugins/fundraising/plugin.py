"""Hook implementations of the fundraising plugin."""
from core import audit, hookimpl
from plugins.fundraising import grid_resources as g
from plugins.fundraising import history_text
from plugins.fundraising.backup_cli import register_backup_commands
from plugins.fundraising.backup_policy import backup_security_checks, backup_tasks
from plugins.fundraising.backup_resources import backup_routes
from plugins.fundraising.import_cli import register_import_commands
from plugins.fundraising.import_resources import (ImportChangesResource,
                                                   ImportPreviewResource, ImportResource)
from plugins.fundraising import resources as r
from plugins.fundraising.settings import load_fundraising_settings
from plugins.fundraising.tables import MIGRATIONS, RECORD_TABLES

PREFIX = "/api/fundraising"


@hookimpl
def register_migrations():
    return MIGRATIONS


@hookimpl
def register_routes(crm):
    settings = load_fundraising_settings(crm)  # read once; a bad value stops the start
    routes = [
        (f"{PREFIX}/fields", r.FieldsResource(crm)),
        (f"{PREFIX}/fields/{{field_id:id}}", r.FieldResource(crm)),
        (f"{PREFIX}/views", r.ViewsResource(crm)),
        (f"{PREFIX}/views/{{view_id:id}}", r.ViewResource(crm)),
        (f"{PREFIX}/archived", r.ArchivedResource(crm)),
        (f"{PREFIX}/formula/validate", r.FormulaValidateResource(crm)),
        (f"{PREFIX}/import/preview", ImportPreviewResource(crm)),
        (f"{PREFIX}/import/changes", ImportChangesResource(crm)),
        (f"{PREFIX}/import", ImportResource(crm)),
        (f"{PREFIX}/state", g.StateResource(crm, settings)),
        (f"{PREFIX}/export", g.ExportResource(crm)),
        (f"{PREFIX}/export.csv", g.CsvExportResource(crm)),
        (f"{PREFIX}/relational-summary", g.SummaryResource(crm)),
        ("/api/feature-requests", g.FeatureRequestsResource(crm)),
        ("/api/feature-requests/{request_id:id}", g.FeatureRequestResource(crm)),
    ]
    for table in RECORD_TABLES:
        base = f"{PREFIX}/{table}"
        routes += [
            (base, r.RecordsResource(crm, table)),
            (f"{base}/{{record_id:id}}", r.RecordResource(crm, table)),
            (f"{base}/{{record_id:id}}/restore", r.RestoreRecordResource(crm, table)),
            (f"{base}/{{record_id:id}}/history", r.HistoryResource(crm, table)),
        ]
    return routes + backup_routes(crm, settings)


@hookimpl
def register_activity_sources(crm):
    return [audit.activity_source(crm, "fundraising", describe=history_text.describe)]


@hookimpl
def register_scheduled_tasks(crm):
    return backup_tasks(crm)


@hookimpl
def register_commands(cli):
    register_backup_commands(cli)
    register_import_commands(cli)


@hookimpl
def register_security_checks(crm):
    return backup_security_checks(crm)


@hookimpl
def digest_sections(crm, start, end, day):
    names = [r[0] for r in crm.db.execute(
        "SELECT name FROM fundraising_investors WHERE deleted_at IS NULL AND created_at >= ? "
        "AND created_at < ? ORDER BY created_at", [start, end])]
    return [{"title": "New investors", "items": names}]
