"""The backups plugin's audit entries in words, for the activity feed."""
from core.activity_text import actor_name, sentence
from plugins.backups.policy import POLICY_KEY


def _after(entry, key):
    pair = entry["changes"].get(key) or [None, None]
    return pair[1] if pair[1] is not None else pair[0]


def describe(db, entries):
    """Put backup, restore, drill and settings audit entries in words, in place."""
    for entry in entries:
        who, table = actor_name(entry), entry["table"]
        if table == "backups":  # its size and checksum are for the Backups page
            kind = _after(entry, "kind") or ""
            entry["details"] = []
            entry["summary"] = (f"{who} made a {kind} backup" if entry["kind"] == "create"
                                else sentence(entry, f"a {kind} backup"))
        elif table == "restores":
            entry["details"] = []
            how = "the whole database file" if _after(entry, "full") else "every plugin's data"
            entry["summary"] = (f"{who} restored "
                                f"{how} from backup {entry['row_id']}")
        elif table == "drills":
            entry["details"] = [] if _after(entry, "ok") else [str(_after(entry, "error"))]
            entry["summary"] = (f"Restore drill of backup {_after(entry, 'backup_id')} "
                                + ("passed" if _after(entry, "ok") else "FAILED"))
        elif entry.get("row_id") == POLICY_KEY:
            entry["summary"] = f"{who} changed the backup policy"
        else:
            entry["summary"] = sentence(entry, f"the setting {entry.get('row_id')}")
