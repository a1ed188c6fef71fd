"""Per-evaluation state that compiled closures read without taking it as an argument:
the frozen `now` of TODAY() and NOW(), and the deadline of regex work.

Kept in a thread-local so that formulas can be evaluated from several threads; only formulas
that use the clock or regexes set it, so ordinary formulas pay nothing for it."""
import threading
import time
from contextlib import contextmanager
from datetime import datetime, timezone

from plugins.fundraising.formula.errors import general_error
from plugins.fundraising.formula.limits import REGEX_BUDGET, REGEX_CALL_TIMEOUT


def wall_clock() -> datetime:
    return datetime.now(timezone.utc)


class _State(threading.local):
    now: datetime | None = None
    deadline: float | None = None


STATE = _State()


def current_time() -> datetime:
    """The evaluation's `now` (UTC), or the wall clock outside an evaluation."""
    return STATE.now or wall_clock()


def regex_timeout() -> float:
    """Seconds the next regex call may take; a fault once the budget is spent."""
    if STATE.deadline is None:
        return REGEX_CALL_TIMEOUT
    remaining = STATE.deadline - time.monotonic()
    if remaining <= 0:
        raise general_error("the formula's regular expressions took too long")
    return min(REGEX_CALL_TIMEOUT, remaining)


@contextmanager
def evaluation_state(now: datetime | None, regex: bool):
    """Freeze `now` and start the regex budget for one evaluation."""
    outer = STATE.now, STATE.deadline
    STATE.now = now or wall_clock()
    STATE.deadline = time.monotonic() + REGEX_BUDGET if regex else None
    try:
        yield
    finally:
        STATE.now, STATE.deadline = outer
