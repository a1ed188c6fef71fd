"""The plain data that plugin hooks return to the core."""
from dataclasses import dataclass, field
from typing import Any, Callable


@dataclass(frozen=True)
class Migration:
    """One schema step of a plugin; `apply(db)` runs once, inside a transaction."""

    version: int
    name: str
    apply: Callable[[Any], None]


@dataclass(frozen=True)
class ScheduledTask:
    """`when(scheduler)` returns a `schedule` job spec, e.g. `lambda s: s.every(15).minutes`;
    an `at_start` task also runs once as the scheduler starts."""

    name: str
    when: Callable[[Any], Any]
    run: Callable[[], Any]
    at_start: bool = False


@dataclass(frozen=True)
class ActivitySource:
    """`fetch(limit, before)` returns this source's newest `limit` entries whose `at` is at
    or before `before` (all when None), newest first, in the same order on every call.

    An entry is a dict with at least `at` (ISO-8601 UTC), `kind` and `summary`. An
    `admin_only` source is not shown to members (accounts, invites). `describe(entries)`,
    when given, fills in the words of the entries of one page (names, values as text) in
    place: only the entries shown are described.
    """

    name: str
    fetch: Callable[[int, str | None], list[dict]]
    admin_only: bool = False
    describe: Callable[[list[dict]], None] | None = None


@dataclass(frozen=True)
class SecurityCheck:
    """`run()` returns (passed, detail)."""

    name: str
    description: str
    run: Callable[[], tuple[bool, str]]


@dataclass
class OutgoingEmail:
    to: list[str]
    subject: str
    text: str
    html: str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    inline: list[tuple[str, bytes]] = field(default_factory=list)  # (content id, PNG) the HTML cites


@dataclass
class DeliveryResult:
    ok: bool
    transport: str
    message_id: str | None = None
    error: str | None = None  # for logs only: never shown to a client
