"""CRM_BACKUPS_* settings, declared through register_settings and read by the core."""
from pathlib import Path

from pydantic import AliasChoices, Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

LIMIT_VARIABLES = ("CRM_BACKUPS_MANUAL_LIMIT",
                   "CRM_FUNDRAISING_MANUAL_BACKUP_LIMIT")  # its name before backups had a plugin


class BackupSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CRM_BACKUPS_", extra="ignore",
                                      populate_by_name=True)

    manual_limit: int = Field(
        20, validation_alias=AliasChoices(*LIMIT_VARIABLES),
        description="manual backups kept; taking another beyond it is refused until one is "
                    "deleted")

    copy_dir: Path | None = Field(
        None, description="a folder on another disk or a network share that gets a copy of "
                          "every verified backup (off-box copies); unset: none")
    copy_keep: int = Field(14, ge=1, le=10000,
                           description="copies kept in CRM_BACKUPS_COPY_DIR, newest first")

    @field_validator("copy_dir")
    @classmethod
    def _absolute(cls, value: Path | None) -> Path | None:
        if value is not None and not value.is_absolute():
            raise ValueError("must be an absolute path (CRM_BACKUPS_COPY_DIR)")
        return value

    @field_validator("manual_limit")
    @classmethod
    def _not_negative(cls, value: int) -> int:
        if value < 0:
            raise ValueError(f"must be 0 or more ({' or '.join(LIMIT_VARIABLES)})")
        return value
