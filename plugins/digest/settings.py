"""DIGEST_* settings."""
import re
from typing import ClassVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, field_validator
from pydantic_settings import SettingsConfigDict

from core.settings import FileBackedSettings


class DigestSettings(FileBackedSettings):
    model_config = SettingsConfigDict(env_prefix="DIGEST_", extra="ignore")
    secrets_subdir: ClassVar[str] = "digest"

    enabled: bool = Field(True, description="false: the daily digest is not sent (a manual "
                          "`crm digest send` still is)")
    tz: str = Field("UTC", description="the fund's time zone (IANA name)")
    send_at: str = Field("07:30", description="local HH:MM")
    send_empty: bool = False
    max_attempts: int = Field(6, ge=1, le=100)
    retry_minutes: int = Field(10, ge=1, le=1440)
    summary_seconds: float = Field(600, gt=0, le=86400, description="the time a run's model "
                                   "summaries may take in all; past it the rest use the first "
                                   "sentences of each email (marked)")

    @field_validator("tz")
    @classmethod
    def _tz(cls, value):
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r}") from None
        return value

    @field_validator("send_at")
    @classmethod
    def _time(cls, value):
        if not re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d", value):
            raise ValueError("expected HH:MM")
        return value

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.tz)
