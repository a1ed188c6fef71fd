"""Routes under /api/automation (rules, runs, lists, tasks); lists and tasks also answer at
their old paths /api/fundraising/lists/{list} and /api/tasks."""
import orjson
from pydantic import ValidationError

from core.db import utcnow
from core.errors import not_found, unprocessable
from core.openapi import operation, validation_error
from core.versioning import check_version
from plugins.automation import models, tasks
from plugins.automation.engine import rule_types, run_json, run_rules
from plugins.automation.tables import LISTS
from plugins.fundraising.api import fundraising


def rule_json(row) -> dict:
    return {"id": row["id"], "type": row["type"], "name": row["name"],
            "config": orjson.loads(row["config"]), "enabled": bool(row["enabled"]),
            "position": row["position"], "version": row["version"],
            "updated_at": row["updated_at"], "updated_by": row["updated_by"]}


def checked_config(rule_type, config: dict) -> dict:
    try:
        return rule_type.config.model_validate(config).model_dump(mode="json")
    except ValidationError as exc:
        raise validation_error(exc, prefix="config") from None


class RulesResource:
    def __init__(self, crm):
        self.crm = crm

    @operation("Rules and the rule types that plugins offer", response=models.RuleList)
    def on_get(self, req, resp):
        rows = self.crm.db.query("SELECT * FROM automation_rules WHERE deleted_at IS NULL "
                                 "ORDER BY position, id")
        types = [{"name": t.name, "description": t.description,
                  "kind": "action" if t.act else "list",
                  "config_schema": t.config.model_json_schema()}
                 for t in rule_types(self.crm).values()]
        resp.media = {"rules": [rule_json(r) for r in rows], "types": types}

    @operation("Add a rule of a registered type", body=models.RuleCreate,
               response=models.RuleOut, status=201, admin=True)
    def on_post(self, req, resp):
        body = req.context.body
        rule_type = rule_types(self.crm).get(body.type)
        if rule_type is None:
            raise unprocessable(f"No rule type {body.type!r}", field="type")
        config = checked_config(rule_type, body.config)
        now, user = utcnow(), req.context.user["id"]
        with self.crm.write() as db:
            position = db.execute("SELECT coalesce(max(position), 0) + 1 FROM "
                                  "automation_rules").fetchone()[0]
            rule_id = db.execute(
                "INSERT INTO automation_rules (type, name, config, enabled, position, "
                "created_at, created_by, updated_at, updated_by) VALUES (?,?,?,?,?,?,?,?,?)",
                [body.type, body.name, orjson.dumps(config).decode(), int(body.enabled),
                 position, now, user, now, user]).lastrowid
            resp.media = rule_json(next(db.query("SELECT * FROM automation_rules WHERE id = ?",
                                                 [rule_id])))
        run_rules(self.crm, "rule_change")


class RuleResource:
    def __init__(self, crm):
        self.crm = crm

    @operation("Turn a rule on or off, rename it or change its config; the rules run again",
               body=models.RulePatch, response=models.RuleOut, admin=True, errors=(404, 409))
    def on_patch(self, req, resp, rule_id):
        changes = req.context.body.model_dump(exclude_unset=True)
        with self.crm.write() as db:
            rows = list(db.query("SELECT * FROM automation_rules WHERE id = ? AND "
                                 "deleted_at IS NULL", [rule_id]))
            if not rows:
                raise not_found("No such rule")
            row = rows[0]
            check_version(db, row, changes.pop("expected_version", None), "rule")
            if changes.get("config") is not None:
                rule_type = rule_types(self.crm).get(row["type"])
                if rule_type is None:
                    raise unprocessable(f"No plugin provides {row['type']!r}", field="config")
                changes["config"] = orjson.dumps(checked_config(rule_type,
                                                                changes["config"])).decode()
            if "enabled" in changes:
                changes["enabled"] = int(changes["enabled"])
            changes = {k: v for k, v in changes.items() if v is not None and row[k] != v}
            if changes:
                db.table("automation_rules").update(row["id"], {
                    **changes, "version": row["version"] + 1, "updated_at": utcnow(),
                    "updated_by": req.context.user["id"]})
            resp.media = rule_json(next(db.query("SELECT * FROM automation_rules WHERE id = ?",
                                                 [row["id"]])))
        if changes:
            run_rules(self.crm, "rule_change")


class RunResource:
    def __init__(self, crm):
        self.crm = crm

    @operation("Run every enabled rule now", response=models.Run, admin=True)
    def on_post(self, req, resp):
        resp.media = run_rules(self.crm, "manual")


class RunsResource:
    def __init__(self, crm):
        self.crm = crm

    @operation("The run log, newest first", query=models.PageQuery, response=models.RunList)
    def on_get(self, req, resp):
        q = req.context.query
        db = self.crm.db
        rows = db.query("SELECT * FROM automation_runs ORDER BY id DESC LIMIT ? OFFSET ?",
                        [q.limit, q.offset])
        total = db.execute("SELECT count(*) FROM automation_runs").fetchone()[0]
        resp.media = {"runs": [run_json(r) for r in rows], "total": total}


class ListResource:
    def __init__(self, crm):
        self.crm = crm

    @operation("Investors on a list (main, follow_up, graveyard, longshot) or all of them",
               query=models.PageQuery, response=models.ListPage, errors=(404,))
    def on_get(self, req, resp, list_name):
        if list_name not in (*LISTS, "all"):
            raise not_found(f"No list {list_name!r}")
        q, api = req.context.query, fundraising(self.crm)
        if list_name == "all":
            page = api.page_json("investors", q.limit, q.offset)
        else:
            members = [r[0] for r in self.crm.db.execute(
                "SELECT investor_id FROM list_memberships WHERE list = ? AND removed_at IS NULL",
                [list_name])]
            page = api.page_json("investors", q.limit, q.offset, ids=members)
        resp.media = {"list": list_name, **page}


class TasksResource:
    def __init__(self, crm):
        self.crm = crm

    @operation("Tasks: open by default; ?due=overdue|today, ?assignee=me", query=models.TaskQuery,
               response=models.TaskList)
    def on_get(self, req, resp):
        q = req.context.query
        assignee = req.context.user["id"] if q.assignee == "me" else q.assignee
        resp.media = tasks.list_tasks(self.crm.db, q.status, assignee, q.investor_id, q.due,
                                      limit=q.limit, offset=q.offset)

    @operation("Add a task for an investor or a contact", body=models.TaskCreate,
               response=models.Task, status=201)
    def on_post(self, req, resp):
        values = req.context.body.model_dump(mode="json", exclude_none=True)
        resp.media = tasks.create_task(self.crm, values, req.context.user["id"])


class TaskResource:
    def __init__(self, crm):
        self.crm = crm

    @operation("Change a task's title, notes, due date and zone, assignee, repeat or done; "
               "completing a recurring task makes the next one", body=models.TaskPatch,
               response=models.TaskChanged, errors=(404, 409))
    def on_patch(self, req, resp, task_id):
        changes = req.context.body.model_dump(mode="json", exclude_unset=True)
        resp.media = tasks.update_task(self.crm, task_id, changes, req.context.user["id"])

    @operation("Archive a task (it leaves every list; restore brings it back)",
               query=models.TaskDeleteQuery, response=models.Task, errors=(404, 409))
    def on_delete(self, req, resp, task_id):
        resp.media = tasks.archive_task(self.crm, task_id, req.context.user["id"],
                                        req.context.query.expected_version)


class RestoreTaskResource:
    def __init__(self, crm):
        self.crm = crm

    @operation("Restore an archived task", response=models.Task, errors=(404,))
    def on_post(self, req, resp, task_id):
        resp.media = tasks.restore_task(self.crm, task_id, req.context.user["id"])
