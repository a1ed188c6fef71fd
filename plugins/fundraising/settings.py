"""CRM_FUNDRAISING_* settings, declared by register_settings: the core checks them at start
and `crm.plugin_settings("fundraising")` reads them."""
from typing import ClassVar

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from core.settings import FileBackedSettings

ENV_PREFIX = "CRM_FUNDRAISING_"


class FundraisingSettings(FileBackedSettings):
    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, extra="ignore")
    secrets_subdir: ClassVar[str] = "fundraising"

    member_archive_limit: int = Field(
        25, ge=0, description="rows one member's PUT /state may archive, all tables together "
                              "(admins are not capped)")
