"""The automation plugin's entries on an investor's timeline: tasks created and completed."""


def task_entries(crm, table, record_id, kinds, before, limit) -> list[dict]:
    if table != "investors" or (kinds is not None and "task" not in kinds):
        return []
    rows = crm.db.execute(
        "SELECT id, title, assignee_id, due_date, created_at, created_by, done, done_at, "
        "updated_by FROM tasks WHERE investor_id = ? AND deleted_at IS NULL", [record_id])
    entries = []
    for tid, title, assignee, due, created, creator, done, done_at, updater in rows:
        base = {"kind": "task", "task_id": tid, "assignee_id": assignee, "due_date": due}
        entries.append({**base, "event": "created", "at": created, "actor": creator,
                        "summary": f"Task created: {title}"})
        if done and done_at:
            entries.append({**base, "event": "completed", "at": done_at, "actor": updater,
                            "summary": f"Task completed: {title}"})
    entries = [e for e in entries if before is None or e["at"] < before]
    entries.sort(key=lambda e: (e["at"], e["event"] == "completed"), reverse=True)
    return entries[:limit]
