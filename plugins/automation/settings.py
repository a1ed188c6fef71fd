"""AUTOMATION_* settings."""
from typing import ClassVar

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from core.settings import FileBackedSettings

STALE_DAYS = 30


class AutomationSettings(FileBackedSettings):
    model_config = SettingsConfigDict(env_prefix="AUTOMATION_", extra="ignore")
    secrets_subdir: ClassVar[str] = "automation"

    stale_days: int = Field(STALE_DAYS, ge=1, le=365, description="My day lists the investors "
                            "you own with no contact for this many days (?stale_days= overrides)")
