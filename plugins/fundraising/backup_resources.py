"""Routes for backups, restores and the backup policy under /api/fundraising."""
from core.openapi import operation
from plugins.fundraising import backup_models as models
from plugins.fundraising.backup_policy import load_policy, save_policy
from plugins.fundraising.backups import BackupStore

PREFIX = "/api/fundraising"


class BackupResource:
    def __init__(self, crm, settings):
        self.crm, self.settings = crm, settings

    @operation("Take a manual backup now; writes go on while it runs. 409 when "
               "CRM_FUNDRAISING_MANUAL_BACKUP_LIMIT manual backups are kept: delete one first",
               body=models.BackupCreate, response=models.Backup, status=201, admin=True,
               errors=(409,))
    def on_post(self, req, resp):
        store = BackupStore(self.crm, manual_limit=self.settings.manual_backup_limit)
        resp.media = store.create("manual", req.context.user["id"])


class BackupsResource:
    def __init__(self, crm):
        self.crm = crm

    @operation("Every backup, newest first", response=models.BackupList)
    def on_get(self, req, resp):
        resp.media = {"backups": BackupStore(self.crm).list_backups()}


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

    @operation("Restore the fundraising tables from a backup, after a safety backup "
               "(confirm must be true)", body=models.RestoreBody,
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
    return [
        (f"{PREFIX}/backup", BackupResource(crm, settings)),
        (f"{PREFIX}/backups", BackupsResource(crm)),
        (f"{PREFIX}/backups/{{backup_id}}", BackupItemResource(crm)),
        (f"{PREFIX}/backups/{{backup_id}}/verify", BackupVerifyResource(crm)),
        (f"{PREFIX}/restore-preview", RestorePreviewResource(crm)),
        (f"{PREFIX}/restore", RestoreResource(crm)),
        (f"{PREFIX}/backup-policy", BackupPolicyResource(crm)),
    ]
