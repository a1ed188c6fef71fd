"""Running the rules: list rules become membership changes, action rules act; one log entry.

A run is idempotent: running it again with nothing changed changes nothing. A failing rule is
recorded in its run and its list is left as it was, while the other rules go on. The graveyard
wins: its members are taken off follow-up and longshot.
"""
import logging
import weakref
from datetime import datetime, timezone

import orjson
from core.db import utcnow
from core.plugins import collect_named
from plugins.automation.tables import LISTS
from plugins.fundraising.api import fundraising

log = logging.getLogger(__name__)
# Passed or declined is final: an investor on the graveyard is on no other list.
CLOSED = "graveyard"


def rule_types(crm) -> dict:
    """name -> RuleType from every enabled plugin; a duplicate name is an error."""
    return collect_named(crm.pm.hook.register_rule_types(crm=crm), "rule types")


def fields_read(crm) -> set[int] | None:
    """The field ids the enabled list rules read; None when one may read any field (a rule
    type that does not say, or a config that no longer parses). Asked at every record edit:
    the answer is kept per process for the rules as they are (read again each time)."""
    # The rules as one text, one row whatever their number (each row fetched lets the
    # process's other threads run in between): read in full only when it differs.
    where = "FROM automation_rules WHERE enabled = 1 AND deleted_at IS NULL"
    (text,) = crm.db.execute(
        f"SELECT group_concat(id || char(31) || type || char(31) || config, char(30)) {where}"
    ).fetchone()
    known = _read_cache.get(crm)
    if known is None or known[0] != text:
        rules = crm.db.execute(f"SELECT type, config {where} ORDER BY id").fetchall()
        known = _read_cache[crm] = (text, _fields_read(rule_types(crm), rules))
    return known[1]


_read_cache = weakref.WeakKeyDictionary()  # crm -> (rules, their fields_read)


def _fields_read(types, rules) -> set[int] | None:
    read = set()
    for rule_type_name, config in rules:
        rule_type = types.get(rule_type_name)
        if rule_type is None or rule_type.members is None and rule_type.target is None:
            continue  # unknown (its run reports it) or an action rule: edits do not run it
        if rule_type.reads is None:
            return None
        try:
            read |= rule_type.reads(rule_type.config.model_validate(orjson.loads(config)))
        except Exception:  # noqa: BLE001 - a broken config is reported by its run
            return None
    return read


def _current(db, list_name, only_ids):
    sql = "SELECT investor_id FROM list_memberships WHERE list = ? AND removed_at IS NULL"
    params = [list_name]
    if only_ids is not None:
        sql += f" AND investor_id IN ({','.join('?' * len(only_ids))})"
        params += list(only_ids)
    return {r[0] for r in db.execute(sql, params)}


def _apply(db, list_name, wanted, current, rule_id, now):
    added, removed = wanted - current, current - wanted
    db.conn.executemany(
        "INSERT INTO list_memberships (investor_id, list, rule_id, added_at) VALUES (?,?,?,?)",
        [(i, list_name, rule_id, now) for i in sorted(added)])
    db.conn.executemany(
        "UPDATE list_memberships SET removed_at = ? WHERE list = ? AND investor_id = ? "
        "AND removed_at IS NULL", [(now, list_name, i) for i in sorted(removed)])
    return len(added) + len(removed)


def run_rules(crm, trigger="manual", only_ids=None, now=None, act=None) -> dict | None:
    """Run every enabled rule (list rules only for `only_ids` when given; action rules when
    `act`, by default when not scoped to `only_ids`); return the run."""
    act = only_ids is None if act is None else act
    now = now or datetime.now(timezone.utc)
    today, stamp = now.date(), utcnow()
    types = rule_types(crm)
    results, total = [], 0
    with crm.write() as db:
        rules = list(db.query("SELECT * FROM automation_rules WHERE enabled = 1 AND "
                              "deleted_at IS NULL ORDER BY position, id"))
        wanted, owner, failed = {}, {}, set()
        for rule in rules:
            rule_type = types.get(rule["type"])
            result = {"rule_id": rule["id"], "name": rule["name"], "matched": 0, "changed": 0,
                      "error": None}
            results.append(result)
            if rule_type is None:
                result["error"] = f"no plugin provides the rule type {rule['type']!r}"
                continue
            if rule_type.members is None:
                continue
            target = None
            try:
                config = rule_type.config.model_validate(orjson.loads(rule["config"]))
                target = rule_type.target(config)
                with crm.write() as inner:  # a savepoint: a failing rule undoes only itself
                    ids = rule_type.members(inner, config, today, only_ids)
                wanted.setdefault(target, set()).update(ids)
                owner.setdefault(target, result)
                result["matched"] = len(ids)
            except Exception as exc:  # one rule's failure is its own (bad config included)
                log.warning("automation rule %s failed: %s", rule["id"], exc)
                result["error"] = str(exc)[:500]
                if target:
                    failed.add(target)
        scope = fundraising(crm).select_ids("investors", only_ids=only_ids)
        currents = {name: _current(db, name, only_ids) for name in LISTS[1:]}
        finals = {name: currents[name] if name in failed else wanted.get(name, set()) & scope
                  for name in LISTS[1:]}
        for list_name in LISTS[1:]:
            if list_name != CLOSED and list_name not in failed:
                finals[list_name] -= finals[CLOSED]
        for list_name in [n for n in LISTS[1:] if n not in failed]:
            changed = _apply(db, list_name, finals[list_name], currents[list_name],
                             owner.get(list_name, {}).get("rule_id"), stamp)
            if list_name in owner:
                owner[list_name]["changed"] += changed
            total += changed
        main_rule = next((r for r in results if _type(rules, r) == "main_list"), None)
        others = set().union(*finals.values())
        main_wanted = (scope - others) if main_rule and not main_rule["error"] else set()
        changed = _apply(db, "main", main_wanted, _current(db, "main", only_ids),
                         main_rule["rule_id"] if main_rule else None, stamp)
        if main_rule:
            main_rule["matched"], main_rule["changed"] = len(main_wanted), changed
        total += changed
        if act:
            for rule, result in zip(rules, results):
                rule_type = types.get(rule["type"])
                if rule_type is None or rule_type.act is None:
                    continue
                try:
                    config = rule_type.config.model_validate(orjson.loads(rule["config"]))
                    with crm.write() as inner:
                        result["matched"], result["changed"] = rule_type.act(inner, config, now)
                    total += result["changed"]
                except Exception as exc:
                    log.warning("automation rule %s failed: %s", rule["id"], exc)
                    result["error"] = str(exc)[:500]
        errors = sum(1 for r in results if r["error"])
        if trigger == "change" and not total and not errors:
            return None  # a record edit that moved no one is not worth a log entry
        run_id = db.execute(
            "INSERT INTO automation_runs (trigger, started_at, finished_at, results, changed, "
            "errors) VALUES (?, ?, ?, ?, ?, ?)",
            [trigger, stamp, utcnow(), orjson.dumps(results).decode(), total, errors]).lastrowid
    return run_json(next(crm.db.query("SELECT * FROM automation_runs WHERE id = ?", [run_id])))


def _type(rules, result):
    return next((r["type"] for r in rules if r["id"] == result["rule_id"]), None)


def run_json(row) -> dict:
    return {"id": row["id"], "trigger": row["trigger"], "started_at": row["started_at"],
            "finished_at": row["finished_at"], "changed": row["changed"],
            "errors": row["errors"], "rules": orjson.loads(row["results"])}
