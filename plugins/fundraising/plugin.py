"""Hook implementations of the fundraising plugin."""
from core import ScheduledTask, audit, hookimpl
from plugins.fundraising import clock_formulas
from plugins.fundraising import grid_resources as g
from plugins.fundraising import history_text, hookspecs, timeline
from plugins.fundraising.timeline import record_timeline  # noqa: F401 (a hookimpl)
from plugins.fundraising.imports.cli import register_import_commands
from plugins.fundraising.imports.resources import (ImportChangesResource,
                                                   ImportPreviewResource, ImportResource)
from plugins.fundraising import resources as r
from plugins.fundraising.settings import FundraisingSettings
from plugins.fundraising.tables import BACKED_UP_TABLES, MIGRATIONS, RECORD_TABLES
from plugins.fundraising.versioning import bump_state
from plugins.fundraising.batch import BatchResource
from plugins.fundraising.names import NamesResource
from plugins.fundraising.totals_resources import GroupsResource, TotalsResource

PREFIX = "/api/fundraising"


@hookimpl
def register_hookspecs():
    return [hookspecs]


@hookimpl
def register_settings():
    return FundraisingSettings


@hookimpl
def register_migrations():
    return MIGRATIONS


@hookimpl
def register_routes(crm):
    settings = crm.plugin_settings("fundraising")  # read once for the app's life
    requests, request = g.FeatureRequestsResource(crm), g.FeatureRequestResource(crm)
    routes = [
        (f"{PREFIX}/fields", r.FieldsResource(crm)),
        (f"{PREFIX}/fields/{{field_id:id}}", r.FieldResource(crm)),
        (f"{PREFIX}/fields/{{field_id:id}}/restore", r.RestoreFieldResource(crm)),
        (f"{PREFIX}/views", r.ViewsResource(crm)),
        (f"{PREFIX}/views/{{view_id:id}}", r.ViewResource(crm)),
        (f"{PREFIX}/views/{{view_id:id}}/restore", r.RestoreViewResource(crm)),
        (f"{PREFIX}/archived", r.ArchivedResource(crm)),
        (f"{PREFIX}/formula/validate", r.FormulaValidateResource(crm)),
        (f"{PREFIX}/import/preview", ImportPreviewResource(crm)),
        (f"{PREFIX}/import/changes", ImportChangesResource(crm)),
        (f"{PREFIX}/import", ImportResource(crm)),
        (f"{PREFIX}/state", g.StateResource(crm, settings)),
        (f"{PREFIX}/export", g.ExportResource(crm)),
        (f"{PREFIX}/export.csv", g.CsvExportResource(crm)),
        (f"{PREFIX}/relational-summary", g.SummaryResource(crm)),
        (f"{PREFIX}/feature-requests", requests),
        (f"{PREFIX}/feature-requests/{{request_id:id}}", request),
        ("/api/feature-requests", requests),  # the old paths, before they moved under PREFIX
        ("/api/feature-requests/{request_id:id}", request),
    ]
    for table in RECORD_TABLES:
        base = f"{PREFIX}/{table}"
        routes += [
            (base, r.RecordsResource(crm, table)),
            (f"{base}/batch", BatchResource(crm, table, settings)),
            (f"{base}/board", r.BoardResource(crm, table)),
            (f"{base}/export.csv", g.ViewExportResource(crm, table, "csv")),
            (f"{base}/export.xlsx", g.ViewExportResource(crm, table, "xlsx")),
            (f"{base}/totals", TotalsResource(crm, table)),
            (f"{base}/groups", GroupsResource(crm, table)),
            (f"{base}/names", NamesResource(crm, table)),
            (f"{base}/{{record_id:id}}", r.RecordResource(crm, table)),
            (f"{base}/{{record_id:id}}/restore", r.RestoreRecordResource(crm, table)),
            (f"{base}/{{record_id:id}}/history", r.HistoryResource(crm, table)),
            (f"{base}/{{record_id:id}}/timeline", timeline.TimelineResource(crm, table)),
        ]
    return routes


@hookimpl
def register_activity_sources(crm):
    return [audit.activity_source(crm, "fundraising", describe=history_text.describe)]


@hookimpl
def register_commands(cli):
    register_import_commands(cli)


@hookimpl
def register_backup_tables(register):
    # a restore bumps the grid's version: a client holding the old one reloads, not overwrites
    register("fundraising", {**BACKED_UP_TABLES, "feature_requests": "feature_requests"},
             after_restore=_after_restore)


def _after_restore(db, actor_id):
    bump_state(db, actor_id)
    clock_formulas.forget_computed_days(db)  # the backup's formula values are of its day


@hookimpl
def register_scheduled_tasks(crm):
    # checked every ten minutes, computed once a day: "days since" is right soon after midnight
    return [ScheduledTask("fundraising.clock_formulas", lambda s: s.every(10).minutes,
                          lambda: clock_formulas.refresh_all(crm), at_start=True)]


@hookimpl
def digest_sections(crm, start, end, day):
    names = [r[0] for r in crm.db.execute(
        "SELECT name FROM fundraising_investors WHERE deleted_at IS NULL AND created_at >= ? "
        "AND created_at < ? ORDER BY created_at", [start, end])]
    return [{"title": "New investors", "items": names}]
