"""Every hook is exercised here with throwaway plugins registered on a real CRM."""
from typing import ClassVar

import click
import pytest
from click.testing import CliRunner
from falcon import testing
from pluggy import PluginValidationError
from pydantic import Field, SecretStr
from pydantic_settings import SettingsConfigDict

from core import (ActivitySource, DeliveryResult, Migration, OutgoingEmail, ScheduledTask,
                  SecurityCheck, hookimpl)
from core.app import create_app
from core.cli import build_cli
from core.hookspecs import hookspec
from core.migrations import migrate
from core.openapi import operation
from core.plugins import make_plugin_manager
from core.scheduler import collect_tasks
from core.settings import ConfigError, FileBackedSettings
from core.services import NoProvider, deliver_email, summarize_text
from tests.conftest import add_user, login


class Recorder:
    def __init__(self, name, answer=None):
        self.name, self.answer, self.seen, self.started = name, answer, [], []

    @hookimpl
    def deliver_email(self, crm, message):
        self.seen.append(message)
        if self.answer is None:
            return None
        return DeliveryResult(ok=True, transport=self.name, message_id=self.answer)

    @hookimpl
    def summarize_text(self, crm, text, instructions):
        return None if self.answer is None else f"{self.name}: {text[:5]}"

    @hookimpl
    def startup(self, crm):
        self.started.append(crm)

    @hookimpl
    def register_rule_types(self, crm):
        return [f"{self.name}-rule"]


def test_deliver_email_first_answer_wins(make_crm):
    silent, sender = Recorder("silent"), Recorder("sender", answer="<id@x>")
    crm = make_crm(extra_plugins={"sender": sender, "silent": silent})
    message = OutgoingEmail(to=["a@fund.example"], subject="Hi", text="Hello")
    result = deliver_email(crm, message)
    assert result.transport == "sender" and result.message_id == "<id@x>"
    assert silent.seen == [message] and sender.seen == [message]


def test_deliver_email_without_provider_raises(make_crm):
    crm = make_crm(extra_plugins={"silent": Recorder("silent")}, plugins=["silent"])
    with pytest.raises(NoProvider, match="smtp"):
        deliver_email(crm, OutgoingEmail(to=["a@b.c"], subject="s", text="t"))


def test_summarize_text_first_answer_wins_or_none(make_crm):
    crm = make_crm(extra_plugins={"a": Recorder("a", answer="x"), "b": Recorder("b")})
    assert summarize_text(crm, "Hello world") == "a: Hello"
    crm2 = make_crm(extra_plugins={"b": Recorder("b")}, data_dir=crm.settings.data_dir / "2")
    assert summarize_text(crm2, "Hello") is None


def test_summarizer_status_first_answer_wins_or_a_reason(make_crm, monkeypatch):
    from core.services import summarizer_status

    class Ready:
        @hookimpl
        def summarizer_status(self, crm):
            return True, "ready here"

    monkeypatch.delenv("SPARK_BASE_URL", raising=False)
    crm = make_crm(extra_plugins={"ready": Ready()})
    assert summarizer_status(crm) == (True, "ready here")
    spark_only = make_crm(data_dir=crm.settings.data_dir / "2")
    ready, detail = summarizer_status(spark_only)
    assert not ready and "SPARK_BASE_URL" in detail
    # a summarizer that says nothing of its status is taken as ready
    quiet = make_crm(extra_plugins={"b": Recorder("b")}, plugins=["b"],
                     data_dir=crm.settings.data_dir / "3")
    assert summarizer_status(quiet)[0] is True
    none = make_crm(plugins=[], data_dir=crm.settings.data_dir / "4")
    ready, detail = summarizer_status(none)
    assert not ready and "enable spark" in detail


def test_startup_runs_when_the_app_is_built(make_crm):
    plugin = Recorder("p")
    crm = make_crm(extra_plugins={"p": plugin})
    assert plugin.started == []
    create_app(crm)
    assert plugin.started == [crm]


def test_register_rule_types_collects_each_plugin(make_crm):
    crm = make_crm(extra_plugins={"a": Recorder("a"), "b": Recorder("b")}, plugins=["a", "b"])
    found = sorted(t for group in crm.pm.hook.register_rule_types(crm=crm) for t in group)
    assert found == ["a-rule", "b-rule"]


class Feed:
    def __init__(self, name, times):
        self.name, self.times = name, times

    @hookimpl
    def register_activity_sources(self, crm):
        def fetch(limit, before=None):
            entries = [{"at": t, "kind": "tick", "summary": f"{self.name} {t}"}
                       for t in sorted(self.times, reverse=True) if before is None or t <= before]
            return entries[:limit]
        return [ActivitySource(self.name, fetch)]

    @hookimpl
    def register_security_checks(self, crm):
        return [SecurityCheck(f"{self.name}_ok", "always", lambda: (True, "fine")),
                SecurityCheck(f"{self.name}_broken", "raises", lambda: 1 / 0)]


def test_register_activity_sources_merged_newest_first_with_paging(make_crm):
    a = Feed("a", ["2099-01-01T00:00:01Z", "2099-01-01T00:00:04Z"])
    b = Feed("b", ["2099-01-01T00:00:02Z", "2099-01-01T00:00:03Z", "2099-01-01T00:00:05Z"])
    crm = make_crm(extra_plugins={"a": a, "b": b})
    client = testing.TestClient(create_app(crm))
    add_user(crm, "ada@fund.example")
    headers = login(client, "ada@fund.example")
    first = client.simulate_get("/api/activity", headers=headers,
                                params={"limit": "3"}).json
    ticks = [e for e in first["entries"]]
    assert [(e["source"], e["at"][-3:-1]) for e in ticks] == [("b", "05"), ("a", "04"), ("b", "03")]
    assert first["has_more"] is True
    rest = client.simulate_get("/api/activity", headers=headers,
                               params={"limit": "3", "offset": "3"}).json["entries"]
    assert [e["at"][-3:-1] for e in rest if e["source"] in "ab"] == ["02", "01"]
    bad = client.simulate_get("/api/activity", headers=headers, params={"limit": "0"})
    assert bad.status_code == 422 and bad.json["error"]["field"] == "limit"


def test_register_security_checks_from_plugins_and_a_broken_check_fails(make_crm):
    crm = make_crm(extra_plugins={"f": Feed("f", [])})
    client = testing.TestClient(create_app(crm))
    add_user(crm, "ada@fund.example")
    report = client.simulate_get("/api/admin/security",
                                 headers=login(client, "ada@fund.example")).json
    by_name = {c["name"]: c for c in report["checks"]}
    assert by_name["f_ok"]["passed"] is True
    assert by_name["f_broken"] == {"name": "f_broken", "description": "raises", "passed": False,
                                   "detail": "check failed: ZeroDivisionError"}


class Listener:
    def __init__(self):
        self.heard = []

    @hookimpl
    def changes_committed(self, crm, changes):
        self.heard.append([(c["table_name"], c["action"]) for c in changes])


def test_changes_committed_after_the_outer_commit_only(make_crm):
    from core import audit
    listener = Listener()
    crm = make_crm(extra_plugins={"listener": listener})
    with crm.write() as db:
        audit.record_change(db, actor_id=None, plugin="x", table="t", row_id=1, action="create",
                            after={"a": 1})
        with crm.write() as inner:
            audit.record_change(inner, actor_id=None, plugin="x", table="t", row_id=2,
                                action="create", after={"a": 2})
        assert listener.heard == []
    assert listener.heard == [[("t", "create"), ("t", "create")]]
    with pytest.raises(ZeroDivisionError):
        with crm.write() as db:
            audit.record_change(db, actor_id=None, plugin="x", table="t", row_id=3,
                                action="create", after={"a": 3})
            1 / 0
    with crm.write() as db:
        db.execute("SELECT 1")
    assert len(listener.heard) == 1  # nothing announced for a rollback or an empty write


class FullListener:
    def __init__(self):
        self.heard = []

    @hookimpl
    def changes_committed(self, crm, changes):
        self.heard.append(changes)


def test_announced_changes_are_the_committed_audit_entries(make_crm):
    """What the listeners hear is exactly what audit_log holds for the write: a savepoint
    that rolled back is left out, and an import's bulk entries are in, ids and all."""
    from core import audit
    from plugins.fundraising.imports.importer import apply_import, plan_import
    listener = FullListener()
    crm = make_crm(extra_plugins={"listener": listener})
    with crm.write() as db:
        audit.record_change(db, actor_id=None, plugin="x", table="t", row_id=1, action="create",
                            after={"a": 1})
        with pytest.raises(ZeroDivisionError):
            with crm.write() as inner:  # a savepoint, undone
                audit.record_change(inner, actor_id=None, plugin="x", table="t", row_id=2,
                                    action="create", after={"a": 2})
                1 / 0
        csv = "Name,Stage\n" + "".join(f"LP {n},Intro\n" for n in range(30))
        apply_import(db, plan_import(db, "investors", csv.encode()), None)
    stored = [dict(r) for r in crm.db.query(
        "SELECT id, plugin, table_name, row_id, action, actor_id FROM audit_log ORDER BY id")]
    heard = listener.heard[0]
    assert [{k: v for k, v in c.items() if k != "fields"} for c in heard] == stored
    assert listener.heard == [heard]
    # the names each entry changed, when its writer said (the importer's bulk entries: no)
    assert heard[0]["fields"] == ["a"] and {c["fields"] for c in heard[1:]} == {None}
    assert len(stored) == 31 and stored[0]["row_id"] == "1"
    names = dict(crm.db.execute("SELECT id, name FROM fundraising_investors").fetchall())
    assert [names[int(c["row_id"])] for c in stored[1:]] == [f"LP {n}" for n in range(30)]


# Hooks are called through pluggy: an implementation may take fewer arguments than its spec.

class PingResource:
    @operation("Ping", public=True)
    def on_get(self, req, resp):
        resp.media = {"pong": True}


def _create_pings(db):
    db.execute("CREATE TABLE pings_items (id INTEGER PRIMARY KEY)")


class Bare:
    """Hook implementations that leave out arguments they do not need."""

    @hookimpl
    def register_routes(self):
        return [("/api/pings", PingResource())]

    @hookimpl
    def register_migrations(self):
        return [Migration(1, "pings table", _create_pings)]

    @hookimpl
    def register_scheduled_tasks(self):
        return [ScheduledTask("pings.tidy", lambda s: s.every(5).minutes, lambda: None)]

    @hookimpl
    def register_commands(self, cli):
        @cli.command()
        def ping():
            """Say pong."""
            click.echo("pong")


def test_register_routes_may_leave_out_crm(make_crm):
    crm = make_crm(extra_plugins={"pings": Bare()})
    client = testing.TestClient(create_app(crm))
    assert client.simulate_get("/api/pings").json == {"pong": True}
    assert "/api/pings" in client.simulate_get("/api/openapi.json").json["paths"]


def test_register_migrations_run_once_each_in_the_ledger(make_crm):
    crm = make_crm(extra_plugins={"pings": Bare()})
    assert "pings_items" in crm.db.table_names()
    ledger = crm.db.execute("SELECT plugin, version, name FROM crm_migrations "
                            "WHERE plugin = 'pings'").fetchall()
    assert ledger == [("pings", 1, "pings table")]
    assert migrate(crm.pm, crm.database) == []  # nothing pending the second time


def test_register_scheduled_tasks_collected_and_a_duplicate_name_fails(make_crm):
    crm = make_crm(extra_plugins={"pings": Bare()})
    assert "pings.tidy" in collect_tasks(crm)

    class Twin:
        @hookimpl
        def register_scheduled_tasks(self, crm):
            return [ScheduledTask("pings.tidy", lambda s: s.every(1).hours, lambda: None)]

    twins = make_crm(extra_plugins={"pings": Bare(), "twin": Twin()},
                     data_dir=crm.settings.data_dir / "2")
    with pytest.raises(ValueError, match="two scheduled tasks are named 'pings.tidy'"):
        collect_tasks(twins)


def test_register_commands_adds_to_the_crm_group(make_settings):
    cli = build_cli(make_settings(), extra_plugins={"pings": Bare()})
    result = CliRunner().invoke(cli, ["ping"])
    assert result.exit_code == 0 and result.output == "pong\n"


class NotesSettings(FileBackedSettings):
    model_config = SettingsConfigDict(env_prefix="NOTES_", extra="ignore")
    secrets_subdir: ClassVar[str] = "notes"

    limit: int = Field(5, ge=1)
    token: SecretStr | None = None


class WithSettings:
    @hookimpl
    def register_settings(self):
        return NotesSettings


def test_register_settings_read_by_plugin_settings(make_crm, monkeypatch):
    monkeypatch.delenv("NOTES_LIMIT", raising=False)
    crm = make_crm(extra_plugins={"notes": WithSettings()})
    assert crm.plugin_settings("notes").limit == 5
    monkeypatch.setenv("NOTES_LIMIT", "7")
    assert crm.plugin_settings("notes").limit == 7  # read as it is now
    folder = crm.settings.secrets_dir / "notes"
    folder.mkdir(parents=True)
    (folder / "token").write_text("from-a-file")
    assert crm.plugin_settings("notes").token.get_secret_value() == "from-a-file"
    assert crm.plugin_settings("digest").tz  # the built-in plugins' settings too
    with pytest.raises(KeyError, match="nope"):
        crm.plugin_settings("nope")


def test_register_settings_bad_value_stops_the_start_naming_it(make_crm, monkeypatch):
    monkeypatch.setenv("NOTES_LIMIT", "0")
    with pytest.raises(ConfigError, match="invalid notes setting: NOTES_LIMIT"):
        make_crm(extra_plugins={"notes": WithSettings()})
    # a disabled plugin's settings are not read
    crm = make_crm(extra_plugins={"notes": WithSettings()}, plugins=[])
    with pytest.raises(KeyError):
        crm.plugin_settings("notes")


class SharingSpecs:
    @hookspec
    def notes_shared(self, crm, note):
        """Called when a note is shared"""


class Sharing:
    @hookimpl
    def register_hookspecs(self):
        return [SharingSpecs]


class Hearer:
    @hookimpl
    def notes_shared(self, note):
        return f"heard {note}"


def test_register_hookspecs_adds_a_plugins_own_hook(make_crm):
    crm = make_crm(extra_plugins={"sharing": Sharing(), "hearer": Hearer()})
    assert crm.pm.hook.notes_shared.spec is not None
    assert crm.pm.hook.notes_shared(crm=crm, note="hi") == ["heard hi"]
    # the built-in plugins' own hooks come the same way
    assert crm.pm.hook.digest_sections.spec is not None
    assert crm.pm.hook.register_rule_types.spec is not None

    class Wrong:
        @hookimpl
        def notes_shared(self, crm, note, extra):
            return None

    with pytest.raises(PluginValidationError):
        make_plugin_manager(None, {"sharing": Sharing(), "wrong": Wrong()})


class Sections:
    @hookimpl
    def digest_sections(self, day):
        return [{"title": "Pings", "items": [f"pinged on {day}"]},
                {"title": "Nothing", "items": []}]


def test_digest_sections_from_a_plugin_are_in_the_digest(make_crm):
    from datetime import date
    from zoneinfo import ZoneInfo

    from plugins.digest.build import build_digest

    crm = make_crm(extra_plugins={"sections": Sections()})
    digest = build_digest(crm, date(2026, 3, 2), ZoneInfo("UTC"), summarize=False)
    titles = [s["title"] for s in digest["sections"]]
    assert "Pings" in titles and "Nothing" not in titles  # an empty section is left out
    assert {"title": "Pings", "items": ["pinged on 2026-03-02"]} in digest["sections"]
