"""The core's commands: serve, users, plugins, tasks, migrate."""
import gc
import logging
import sys
import warnings

import click

from core.accounts import Accounts
from core.cli import CliState, pass_crm, read_secret
from core.context import ConfigError, build_crm
from core.errors import APIError
from core.links import app_link
from core.migrations import migrate
from core.plugins import list_plugins
from core.scheduler import SchedulerThread, build_scheduler, collect_tasks, run_task
from core.workers import reserve_port, supervise, worker_socket

SEND_BYTES = 64 * 1024  # waitress's send_bytes (see _serve_here)


def setup_link(crm) -> str | None:
    """A fresh one-time link for the first admin, or None when users exist."""
    accounts = Accounts(crm)
    if accounts.count_users():
        return None
    token, _expires = accounts.create_invite(None, "admin", None, purpose="setup")
    return app_link(crm, f"/setup#token={token}")


def _announcement(crm, settings, port) -> str:
    """Where the server listens and, with no users yet, a fresh link for the first admin:
    printed on a console only, since a service's output ends up in log files."""
    if not settings.public_url:
        crm.settings = settings.model_copy(update={"port": port})
    workers = f" ({settings.workers} processes)" if settings.workers > 1 else ""
    lines = [f"Venture CRM serving on http://{settings.host}:{port}{workers}"]
    if Accounts(crm).count_users():
        return lines[0]
    if sys.stderr.isatty():
        lines += ["No users yet. Open this one-time link to create the first admin:",
                  f"  {setup_link(crm)}"]
    else:
        lines.append("No users yet. Get the one-time link for the first admin with "
                     "`crm users setup-link` (kept out of this log)")
    return "\n".join(lines)


def _serve_here(crm, settings, number, no_scheduler, sock=None, ready=None):
    """Serve in this process (a worker: on its `sock`, calling ready() once it listens); the
    first one runs the scheduler."""
    from waitress.server import create_server

    from core.app import create_app
    from core.dispatcher import SpillDispatcher
    from core.openapi import MAX_BODY_BYTES

    app = create_app(crm)
    where = {"sockets": [sock]} if sock else {"host": settings.host, "port": settings.port}
    # waitress refuses a larger body from its Content-Length, before reading (and buffering)
    # it or calling the app; it refuses `>=` its limit, the app only `>` MAX_BODY_BYTES.
    # It deletes every X-Forwarded-* header by default; with trusted proxies they reach the
    # app, where core.client_ip believes X-Forwarded-For from those proxies only.
    dispatcher = SpillDispatcher()  # which thread takes a request: core/dispatcher.py
    dispatcher.set_thread_count(settings.threads)
    # send_bytes: waitress sends as soon as it holds this much, and by default (1) sends a
    # response's headers and its body apart, two system calls and TCP segments where one
    # does (measured: a GET of one record cost 0.38 ms of server CPU, 0.27 with one send).
    # It is deprecated but kept in waitress 3.0.2 (pinned); the rest goes out at the end.
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "send_bytes", DeprecationWarning)
        server = create_server(app, threads=settings.threads, ident="venture-crm",
                               _dispatcher=dispatcher, send_bytes=SEND_BYTES,
                               max_request_body_size=MAX_BODY_BYTES + 1,
                               clear_untrusted_proxy_headers=not settings.trusted_proxies,
                               **where)
    if sock is None:
        click.echo(_announcement(crm, settings, server.effective_port), err=True)
    else:
        ready()
    gc.freeze()  # start-up's objects are kept for good: collections need not walk them
    scheduler = None
    if number == 0 and not no_scheduler:
        tasks = collect_tasks(crm)
        scheduler = SchedulerThread(build_scheduler(tasks),
                                    at_start=[t for t in tasks.values() if t.at_start])
        scheduler.start()
    try:
        server.run()
    except KeyboardInterrupt:
        pass
    finally:
        if scheduler:
            scheduler.stop()


def register(cli):
    @cli.command()
    @click.option("--host", help="Interface to listen on (CRM_HOST)")
    @click.option("--port", type=int, help="Port to listen on, 0 for any free one (CRM_PORT)")
    @click.option("--workers", type=click.IntRange(1, 64),
                  help="Server processes; one per CPU core serves the most (CRM_WORKERS)")
    @click.option("--no-scheduler", is_flag=True, help="Do not run scheduled tasks")
    @click.pass_context
    def serve(ctx, host, port, workers, no_scheduler):
        """Serve the web app and API with waitress."""
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
        # waitress warns of every request that waits for a free thread: a line per request
        # under load, and nothing an operator can act on
        logging.getLogger("waitress.queue").setLevel(logging.ERROR)
        state = ctx.find_object(CliState)
        settings = state.settings
        updates = {k: v for k, v in (("host", host), ("port", port), ("workers", workers))
                   if v is not None}
        if updates:
            settings = settings.model_copy(update=updates)
        from core.app import collect_routes

        try:
            crm = build_crm(settings, state.pm)  # reads every plugin's settings
            collect_routes(crm)  # two plugins claiming one route stop the start here
        except ConfigError as exc:
            click.echo(f"Error: {exc}", err=True)
            sys.exit(1)
        if settings.workers == 1:
            _serve_here(crm, settings, 0, no_scheduler)
            return
        reserved = reserve_port(settings.host, settings.port)
        port = reserved.getsockname()[1]
        announcement = _announcement(crm, settings, port)  # the link is made before the fork
        crm.database.close()  # no connection or thread crosses the fork

        def run_worker(number, ready):
            _serve_here(build_crm(crm.settings, state.pm), settings, number, no_scheduler,
                        worker_socket(settings.host, port), ready)
        sys.exit(supervise(settings.workers, run_worker,
                           lambda: click.echo(announcement, err=True)))

    @cli.command(name="migrate")
    @pass_crm
    def migrate_command(crm):
        """Apply pending migrations (serve does this too)."""
        applied = migrate(crm.pm, crm.database)
        click.echo("\n".join(applied) if applied else "Nothing to migrate")

    @cli.group()
    def users():
        """Manage user accounts."""

    @users.command(name="create-admin")
    @click.option("--email", required=True)
    @click.option("--name", required=True)
    @pass_crm
    def create_admin(crm, email, name):
        """Create an admin; the password is read from stdin, never from arguments."""
        password = read_secret("Password")
        try:
            with crm.write() as db:
                user = Accounts(crm).create_user(db, email, name, "admin", password)
        except APIError as exc:
            raise click.ClickException(exc.message) from None
        click.echo(f"Created admin {user['email']} (id {user['id']})")

    @users.command(name="list")
    @pass_crm
    def list_users(crm):
        """List users."""
        for user in Accounts(crm).list_users():
            state = "active" if user["active"] else "inactive"
            click.echo(f"{user['id']:>4}  {user['email']:<32} {user['role']:<7} {state}  {user['name']}")

    def _user(crm, email):
        user = Accounts(crm).find_by_email(email)
        if user is None:
            raise click.ClickException(f"No user with the email {email}")
        return user

    @users.command(name="reset-link")
    @click.option("--email", required=True)
    @pass_crm
    def reset_link_command(crm, email):
        """Print a one-time password reset link for a user (for an admin locked out, too)."""
        from core.passwords import Passwords, reset_url

        try:
            token, expires_at = Passwords(Accounts(crm)).reset_link(_user(crm, email)["id"],
                                                                     None)
        except APIError as exc:
            raise click.ClickException(exc.message) from None
        click.echo(reset_url(crm, token))
        click.echo(f"Works once, until {expires_at}; using it ends the user's sessions.",
                   err=True)

    @users.command(name="reset-2fa")
    @click.option("--email", required=True)
    @pass_crm
    def reset_two_factor(crm, email):
        """Turn off a user's two-factor (a lost phone) and end their sessions."""
        from core.sessions import end_sessions
        from core.twofactor import reset_by_admin

        user = _user(crm, email)
        with crm.write() as db:
            reset_by_admin(db, user["id"], None)
            ended = end_sessions(db, user["id"])
        click.echo(f"Two-factor is off for {user['email']}; {ended} session(s) ended. They set "
                   "it up again at their next sign-in when CRM_REQUIRE_2FA covers them.")

    @users.command(name="setup-link")
    @pass_crm
    def setup_link_command(crm):
        """Print a fresh one-time link for the first admin (only while there are no users)."""
        link = setup_link(crm)
        if not link:
            raise click.ClickException("Users exist already; an admin can invite people instead")
        click.echo(link)

    @cli.group()
    def plugins():
        """Inspect plugins."""

    @plugins.command(name="list")
    @click.pass_context
    def list_command(ctx):
        """Each plugin: version, enabled or not, and the hooks it implements."""
        state = ctx.find_object(CliState)
        for info in list_plugins(state.pm, state.extra_plugins):
            mark = "enabled " if info.enabled else "disabled"
            click.echo(f"{info.name:<14} {info.version:<9} {mark} {info.source:<11} "
                       f"{', '.join(info.hooks)}")

    @cli.group()
    def tasks():
        """Scheduled tasks of the enabled plugins."""

    @tasks.command(name="list")
    @pass_crm
    def list_tasks(crm):
        """List scheduled tasks and when they run next."""
        scheduler = build_scheduler(collect_tasks(crm))
        for job in scheduler.get_jobs():
            when = f"every {job.interval} {job.unit}"
            if job.at_time:
                when += f" at {job.at_time}"
            click.echo(f"{next(iter(job.tags)):<30} {when:<28} next {job.next_run:%Y-%m-%d %H:%M}")

    @tasks.command(name="run")
    @click.argument("name")
    @pass_crm
    def run_named(crm, name):
        """Run one scheduled task now."""
        found = collect_tasks(crm)
        if name not in found:
            raise click.ClickException(f"No scheduled task named {name!r}")
        if not run_task(found[name]):
            raise click.ClickException(f"Task {name} failed; see the log")
        click.echo(f"Ran {name}")
