"""Routes for backups, restores and the backup policy under /api/backups.

The paths they had under /api/fundraising, before backups had a plugin of their own, stay as
aliases: the same resources, listed last in backup_routes."""
import orjson

from core.errors import not_found
from core.openapi import operation
from plugins.backups import models
from plugins.backups.drill import recent_drills, run_drill
from plugins.backups.export import export_tables
from plugins.backups.offsite import offsite_status
from plugins.backups.policy import load_policy, save_policy
from plugins.backups.store import BackupStore

PREFIX = "/api/backups"
OLD_PREFIX = "/api/fundraising"


class ManualBackupResource:
    def __init__(self, crm, settings):
        self.crm, self.settings = crm, settings

    @operation("Take a manual backup now; writes go on while it runs. 409 when "
               "CRM_BACKUPS_MANUAL_LIMIT manual backups are kept: delete one first",
               body=models.BackupCreate, response=models.Backup, status=201, admin=True,
               errors=(409,))
    def on_post(self, req, resp):
        store = BackupStore(self.crm, manual_limit=self.settings.manual_limit)
        resp.media = store.create("manual", req.context.user["id"])


class BackupListResource:
    def __init__(self, crm):
        self.crm = crm

    @operation("Every backup, newest first", response=models.BackupList)
    def on_get(self, req, resp):
        resp.media = {"backups": BackupStore(self.crm).list_backups()}


class BackupsResource(BackupListResource, ManualBackupResource):
    """GET lists the backups, POST takes a manual one."""

    def __init__(self, crm, settings):
        ManualBackupResource.__init__(self, crm, settings)


class BackupItemResource:
    def __init__(self, crm):
        self.crm = crm

    @operation("Delete a backup (any kind): its file and metadata; audited",
               response=models.Backup, admin=True, errors=(404,))
    def on_delete(self, req, resp, backup_id):
        resp.media = BackupStore(self.crm).delete(backup_id, req.context.user["id"])


class BackupVerifyResource:
    def __init__(self, crm):
        self.crm = crm

    @operation("Recompute a backup's checksum and check the file's integrity",
               response=models.Verification, errors=(404,))
    def on_get(self, req, resp, backup_id):
        resp.media = BackupStore(self.crm).verify(backup_id)


class RestorePreviewResource:
    def __init__(self, crm):
        self.crm = crm

    @operation("Per table, what a restore would add, change, archive and leave unchanged",
               body=models.RestorePreviewBody, response=models.RestorePreview, admin=True,
               errors=(404,))
    def on_post(self, req, resp):
        resp.media = BackupStore(self.crm).preview(req.context.body.backup_id)


class RestoreResource:
    def __init__(self, crm):
        self.crm = crm

    @operation("Restore the tables plugins register (the fundraising data) from a backup, "
               "after a safety backup (confirm must be true)", body=models.RestoreBody,
               response=models.RestoreResult, admin=True, errors=(404, 409))
    def on_post(self, req, resp):
        body = req.context.body
        resp.media = BackupStore(self.crm).restore(body.backup_id, req.context.user["id"])


class BackupPolicyResource:
    def __init__(self, crm):
        self.crm = crm

    @operation("When scheduled backups run and how many are kept", response=models.BackupPolicy)
    def on_get(self, req, resp):
        resp.media = load_policy(self.crm.db).model_dump()

    @operation("Change the backup policy", body=models.BackupPolicyPatch,
               response=models.BackupPolicy, admin=True)
    def on_patch(self, req, resp):
        changes = req.context.body.model_dump(exclude_unset=True)
        with self.crm.write() as db:
            resp.media = save_policy(db, changes, req.context.user["id"]).model_dump()


def backup_routes(crm, settings) -> list[tuple[str, object]]:
    item, verify = BackupItemResource(crm), BackupVerifyResource(crm)
    preview, restore = RestorePreviewResource(crm), RestoreResource(crm)
    policy = BackupPolicyResource(crm)
    return [
        (PREFIX, BackupsResource(crm, settings)),
        (f"{PREFIX}/{{backup_id}}", item),
        (f"{PREFIX}/{{backup_id}}/verify", verify),
        (f"{PREFIX}/restore-preview", preview),
        (f"{PREFIX}/restore", restore),
        (f"{PREFIX}/policy", policy),
        (f"{PREFIX}/drills", DrillsResource(crm)),
        (f"{PREFIX}/export", ExportResource(crm)),
        # the old paths, which scripts and bookmarks may use
        (f"{OLD_PREFIX}/backup", ManualBackupResource(crm, settings)),
        (f"{OLD_PREFIX}/backups", BackupListResource(crm)),
        (f"{OLD_PREFIX}/backups/{{backup_id}}", item),
        (f"{OLD_PREFIX}/backups/{{backup_id}}/verify", verify),
        (f"{OLD_PREFIX}/restore-preview", preview),
        (f"{OLD_PREFIX}/restore", restore),
        (f"{OLD_PREFIX}/backup-policy", policy),
    ]


class DrillsResource:
    def __init__(self, crm):
        self.crm = crm

    @operation("The last restore drills, newest first, and the off-box copy's status",
               response=models.DrillList)
    def on_get(self, req, resp):
        resp.media = {"drills": recent_drills(self.crm.db), "offsite": offsite_status(self.crm)}

    @operation("Run a restore drill of the newest backup now (the live data is not touched); "
               "404 when there is no backup", body=models.BackupCreate, response=models.Drill,
               status=201, admin=True, errors=(404,))
    def on_post(self, req, resp):
        result = run_drill(self.crm, req.context.user["id"])
        if result is None:
            raise not_found("No backup to drill: take one first")
        resp.media = result


class ExportResource:
    def __init__(self, crm):
        self.crm = crm

    @operation("Download every table a backup covers, of every enabled plugin, as JSON "
               "(docs/operations.md describes the format)", admin=True,
               content_type="application/json")
    def on_get(self, req, resp):
        doc = export_tables(self.crm)
        stamp = doc["exported_at"][:19].replace("-", "").replace(":", "")
        resp.content_type = "application/json"
        resp.downloadable_as = f"venture-crm-full-export-{stamp}Z.json"
        resp.data = orjson.dumps(doc, default=str)
