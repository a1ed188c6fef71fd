"""GMAIL_* settings; the service account key lives in CRM_SECRETS_DIR/gmail/."""
import re
from typing import Annotated, ClassVar, Literal

from pydantic import AliasChoices, Field, field_validator
from pydantic_settings import NoDecode, SettingsConfigDict

from core.settings import FileBackedSettings

SCOPES = ["https://www.googleapis.com/auth/gmail.readonly",
          "https://www.googleapis.com/auth/gmail.compose"]
KEY_FILE = "service_account.json"


def _domains(value):
    if isinstance(value, str):
        value = value.split(",")
    return [d.strip().lower().lstrip("@") for d in value or [] if d and d.strip()]


class GmailSettings(FileBackedSettings):
    model_config = SettingsConfigDict(env_prefix="GMAIL_", extra="ignore", populate_by_name=True)
    secrets_subdir: ClassVar[str] = "gmail"

    api_endpoint: str | None = Field(None, description="Gmail API base URL (default Google's)")
    first_window_days: int = Field(30, ge=1, le=3650)
    share_level: Literal["full", "subject", "metadata"] = "full"
    blocked_domains: Annotated[list[str], NoDecode] = []
    fund_domains: Annotated[list[str] | None, NoDecode] = Field(
        None, validation_alias=AliasChoices("crm_fund_domains", "gmail_fund_domains",
                                            "fund_domains"))
    workspace_domain: str | None = Field(
        None, description="the Google Workspace domain the service account may read; a "
        "mailbox outside it cannot be synced")
    # messages per history.list / messages.list page; each page is stored in one transaction
    page_size: int = Field(500, ge=1, le=500)
    excerpt_chars: int = Field(2000, ge=100, le=20000)
    timeout: float = Field(30.0, gt=0, le=300)
    # retry n of a throttled or failed call waits up to this x 2^n seconds (random jitter,
    # as google-api-python-client does); tests set 0 so they never sleep
    retry_backoff_seconds: float = Field(1.0, ge=0, le=60)

    @field_validator("workspace_domain", mode="before")
    @classmethod
    def _domain(cls, value):
        if value is None or not str(value).strip():
            return None
        domain = str(value).strip().lower().lstrip("@")
        if not re.fullmatch(r"[a-z0-9-]+(\.[a-z0-9-]+)+", domain):
            raise ValueError(f"{value!r} is not a domain such as fund.example")
        return domain

    def in_workspace(self, address: str) -> bool:
        """True when no Workspace domain is set, or `address` is in it (or a subdomain)."""
        if not self.workspace_domain:
            return True
        domain = address.rpartition("@")[2].lower()
        return domain == self.workspace_domain or domain.endswith("." + self.workspace_domain)

    @field_validator("blocked_domains", "fund_domains", mode="before")
    @classmethod
    def _split(cls, value):
        return None if value is None else _domains(value)
