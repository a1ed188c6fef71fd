"""Venture CRM core: app factory, configuration, database, accounts and plugin hooks."""
from core.hookspecs import hookimpl
from core.plugin_types import (
    ActivitySource,
    DeliveryResult,
    Migration,
    OutgoingEmail,
    ScheduledTask,
    SecurityCheck,
)

__version__ = "0.1.0"
__all__ = [
    "hookimpl",
    "ActivitySource",
    "DeliveryResult",
    "Migration",
    "OutgoingEmail",
    "ScheduledTask",
    "SecurityCheck",
]
