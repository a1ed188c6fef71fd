"""The plugin hooks of Venture CRM: one place, one line of doc each."""
from pluggy import HookimplMarker, HookspecMarker

hookspec = HookspecMarker("venture_crm")
hookimpl = HookimplMarker("venture_crm")


@hookspec
def register_hookspecs():
    """Return a list of modules of @hookspec functions: this plugin's own hooks, for others"""


@hookspec
def register_settings():
    """Return this plugin's pydantic settings class, read by crm.plugin_settings(name)"""


@hookspec
def register_migrations():
    """Return a list of Migration(version, name, apply) for this plugin's tables"""


@hookspec
def register_routes(crm):
    """Return a list of (uri_template, resource) pairs to add to the web app"""


@hookspec
def register_scheduled_tasks(crm):
    """Return a list of ScheduledTask(name, when, run) for the scheduler loop"""


@hookspec
def register_commands(cli):
    """Add click commands to the `crm` command group"""


@hookspec
def register_activity_sources(crm):
    """Return a list of ActivitySource(name, fetch) feeding GET /api/activity"""


@hookspec
def register_security_checks(crm):
    """Return a list of SecurityCheck(name, description, run) for the go-live page"""


@hookspec(firstresult=True)
def deliver_email(crm, message):
    """Send one OutgoingEmail; return a DeliveryResult (the first plugin to answer wins)"""


@hookspec(firstresult=True)
def summarize_text(crm, text, instructions):
    """Summarize text; return a str, or None to let the next plugin answer"""


@hookspec(firstresult=True)
def summarizer_status(crm):
    """Return (ready, detail) if this plugin summarizes text, or None to let the next answer"""


@hookspec
def changes_committed(crm, changes):
    """Called after a write commits, with the audit entries it made (a list of dicts)"""


@hookspec
def startup(crm):
    """Called once when the app starts, after migrations have run"""


@hookspec
def my_day(crm, user, params):
    """Return this plugin's parts of `user`'s My day page (`GET /api/me/day`): a dict of
    lists, e.g. {"tasks_due": [...], "proposals": [...]}. `params`: the request's query
    parameters (a dict of text), for a plugin's own options (a bad one: a 422 naming it)."""
