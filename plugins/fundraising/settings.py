"""CRM_FUNDRAISING_* settings, read once when the app or a CLI command starts."""
from typing import ClassVar

from pydantic import Field, ValidationError
from pydantic_settings import SettingsConfigDict

from core.context import ConfigError
from core.settings import FileBackedSettings

ENV_PREFIX = "CRM_FUNDRAISING_"


class FundraisingSettings(FileBackedSettings):
    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, extra="ignore")
    secrets_subdir: ClassVar[str] = "fundraising"

    member_archive_limit: int = Field(
        25, ge=0, description="rows one member's PUT /state may archive, all tables together "
                              "(admins are not capped)")
    manual_backup_limit: int = Field(
        20, ge=0, description="manual backups kept; taking another beyond it is refused "
                              "until one is deleted")


def load_fundraising_settings(crm) -> FundraisingSettings:
    """The plugin's settings; a bad value is a ConfigError naming its variable."""
    try:
        return FundraisingSettings.load(crm.settings.secrets_dir)
    except ValidationError as exc:
        problems = "; ".join(f"{ENV_PREFIX}{'_'.join(map(str, e['loc'])).upper()}: {e['msg']}"
                             for e in exc.errors(include_url=False))
        raise ConfigError(f"invalid fundraising setting: {problems}") from None
