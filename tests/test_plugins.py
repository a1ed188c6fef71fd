import importlib
import re

import pytest
from click.testing import CliRunner
from falcon import testing

from core import hookspecs
from core.app import create_app
from core.cli import build_cli
from core.plugins import list_plugins, make_plugin_manager
from core.scheduler import build_scheduler, collect_tasks
from tests.conftest import add_user, login
from tests.plugins import example_plugin

EXTRA = {"example": example_plugin}


def tables(crm):
    return set(crm.db.table_names())


def test_example_plugin_adds_route_table_task_and_command(make_crm, make_settings):
    crm = make_crm(extra_plugins=EXTRA)
    assert "example_notes" in tables(crm)
    client = testing.TestClient(create_app(crm))
    add_user(crm, "ada@fund.example")
    headers = login(client, "ada@fund.example")
    created = client.simulate_post("/api/example/notes", headers=headers, json={"text": "hi"})
    assert created.status_code == 201
    assert client.simulate_get("/api/example/notes", headers=headers).json == {
        "notes": [{"id": created.json["id"], "text": "hi"}]}
    assert "example.tidy" in collect_tasks(crm)
    assert {"example.tidy"} in [j.tags for j in build_scheduler(collect_tasks(crm)).get_jobs()]
    cli = build_cli(make_settings(), extra_plugins=EXTRA)
    result = CliRunner().invoke(cli, ["example-count"])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "1 notes"


def test_disabling_the_plugin_removes_all_four(make_crm, make_settings):
    crm = make_crm(extra_plugins=EXTRA, plugins=[])
    assert "example_notes" not in tables(crm)
    assert "example.tidy" not in collect_tasks(crm)
    client = testing.TestClient(create_app(crm))
    add_user(crm, "ada@fund.example")
    headers = login(client, "ada@fund.example")
    assert client.simulate_get("/api/example/notes", headers=headers).status_code == 404
    assert "/api/example/notes" not in client.simulate_get("/api/openapi.json").json["paths"]
    cli = build_cli(make_settings(plugins=[]), extra_plugins=EXTRA)
    result = CliRunner().invoke(cli, ["example-count"])
    assert result.exit_code == 2 and "No such command" in result.output


def test_unknown_plugin_name_is_a_clear_error():
    with pytest.raises(ValueError, match="unknown plugins: nope"):
        make_plugin_manager(["nope"], EXTRA)


def test_plugins_list_shows_version_state_and_hooks(make_settings):
    cli = build_cli(make_settings(plugins=[]), extra_plugins=EXTRA)
    out = CliRunner().invoke(cli, ["plugins", "list"]).output.splitlines()
    example = next(line for line in out if line.startswith("example"))
    assert "1.0.0" in example and "disabled" in example
    for hook in ("register_commands", "register_migrations", "register_routes",
                 "register_scheduled_tasks"):
        assert hook in example
    core = next(line for line in out if line.startswith("core"))
    assert "enabled" in core and "register_routes" in core
    infos = {i.name: i for i in list_plugins(make_plugin_manager(None, EXTRA), EXTRA)}
    assert infos["example"].enabled


def test_entry_point_plugins_are_loaded(monkeypatch):
    from importlib.metadata import EntryPoint

    import core.plugins as plugins_module
    ep = EntryPoint("outside", "tests.plugins.example_plugin", "venture_crm")
    monkeypatch.setattr(plugins_module, "entry_points",
                        lambda group: [ep] if group == "venture_crm" else [])
    pm = make_plugin_manager(None)
    assert pm.get_plugin("outside") is example_plugin
    assert make_plugin_manager(["outside"]).get_plugin("outside") is example_plugin
    assert make_plugin_manager([]).get_plugin("outside") is None


def test_duplicate_route_fails_at_start(make_crm):
    class Clash:
        @hookspecs.hookimpl
        def register_routes(self, crm):
            return [("/api/health", object())]

    crm = make_crm(extra_plugins={"clash": Clash()})
    with pytest.raises(ValueError, match="/api/health registered by both core and clash"):
        create_app(crm)


def every_hook() -> list[str]:
    """The core's hooks and those the built-in plugins add through register_hookspecs."""
    pm = make_plugin_manager(None)
    plugin_added = [n for modules in pm.hook.register_hookspecs() for module in modules
                    for n in dir(module) if hasattr(getattr(module, n), "venture_crm_spec")]
    core = [n for n in dir(hookspecs) if hasattr(getattr(hookspecs, n), "venture_crm_spec")]
    return core + plugin_added


def test_every_hook_is_documented_in_docs_plugins_md():
    text = open("docs/plugins.md").read()
    names = every_hook()
    assert len(names) >= 10
    assert {"digest_sections", "register_rule_types"} <= set(names)  # plugin-added ones too
    missing = [n for n in names if f"## {n}(" not in text]
    assert missing == []


def test_every_hook_has_a_test():
    """Like datasette's check: a hook named by no test function under tests/ fails it."""
    import ast
    from pathlib import Path

    tests = set()
    for path in Path("tests").rglob("test_*.py"):
        tests |= {node.name for node in ast.walk(ast.parse(path.read_text()))
                  if isinstance(node, ast.FunctionDef) and node.name.startswith("test_")}
    untested = [hook for hook in every_hook() if not any(hook in name for name in tests)]
    assert untested == []


def test_docs_example_is_the_tested_plugin():
    text = open("docs/plugins.md").read()
    source = importlib.util.find_spec("tests.plugins.example_plugin").origin
    assert open(source).read().strip() in text


def test_every_route_is_in_docs_api_md(crm):
    from core.app import collect_routes
    text = open("docs/api.md").read()
    missing = []
    for template, resource in collect_routes(crm):
        shown = re.sub(r"{(\w+):id}", r"{\1}", template)  # {record_id:id} reads {record_id}
        for table in ("investors", "contacts", "funds", "commitments"):
            shown = shown.replace(f"/api/fundraising/{table}", "/api/fundraising/<table>")
        for method in ("get", "post", "put", "patch", "delete"):
            if hasattr(resource, f"on_{method}") and \
                    f"| {method.upper()} | `{shown}` |" not in text:
                missing.append(f"{method.upper()} {shown}")
    assert missing == []


def test_a_plugin_whose_requirement_is_disabled_fails_the_start():
    with pytest.raises(ValueError, match="plugin digest needs gmail: add it to CRM_PLUGINS"):
        make_plugin_manager(["fundraising", "digest"])

    class Outside:
        requires = ("fundraising", "smtp")

    with pytest.raises(ValueError, match="plugin outside needs smtp"):
        make_plugin_manager(["fundraising", "outside"], {"outside": Outside()})
    assert make_plugin_manager(["fundraising", "smtp", "outside"], {"outside": Outside()})
