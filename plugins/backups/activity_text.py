"""The backups plugin's audit entries in words, for the activity feed."""
from core.activity_text import actor_name, sentence


def describe(db, entries):
    """Put backup and policy audit entries in words, in place."""
    for entry in entries:
        who = actor_name(entry)
        if entry["table"] == "backups":  # its size and checksum are for the Backups page
            kind = entry["changes"].get("kind") or [None, None]
            kind = kind[1] or kind[0] or ""
            entry["details"] = []
            entry["summary"] = (f"{who} made a {kind} backup" if entry["kind"] == "create"
                                else sentence(entry, f"a {kind} backup"))
        else:
            entry["summary"] = f"{who} changed the backup policy"
