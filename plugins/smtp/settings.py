"""SMTP_* settings: the environment wins over per-field files in CRM_SECRETS_DIR/smtp/."""
import os
from pathlib import Path
from typing import ClassVar, Literal

from pydantic import AliasChoices, Field, SecretStr, field_validator, model_validator
from pydantic_settings import SettingsConfigDict

from core.models import one_line
from core.settings import FileBackedSettings

Security = Literal["starttls", "tls", "none"]
DEFAULT_PORTS = {"starttls": 587, "tls": 465, "none": 25}
ALIASES = (("SMTP_USER", "SMTP_USERNAME"), ("SMTP_PASS", "SMTP_PASSWORD"))
FILE_FIELDS = ("host", "port", "from", "username", "password", "security")


class SmtpSettings(FileBackedSettings):
    model_config = SettingsConfigDict(env_prefix="SMTP_", extra="ignore", populate_by_name=True)
    secrets_subdir: ClassVar[str] = "smtp"

    host: str | None = None
    port: int | None = Field(None, ge=1, le=65535)
    from_address: str | None = Field(None, validation_alias=AliasChoices("smtp_from", "from",
                                                                         "from_address"))
    # SMTP_USER and SMTP_PASS are read too (the names many hosting notes use)
    username: str | None = Field(None, validation_alias=AliasChoices(
        "smtp_username", "smtp_user", "username"))
    password: SecretStr | None = Field(None, validation_alias=AliasChoices(
        "smtp_password", "smtp_pass", "password"))
    security: Security = "starttls"
    timeout: float = Field(20.0, gt=0, le=300)
    ca_file: Path | None = None

    @model_validator(mode="before")
    @classmethod
    def _one_name_each(cls, values):
        """SMTP_USER beside SMTP_USERNAME (or SMTP_PASS beside SMTP_PASSWORD) with another
        value: which one is meant is unknowable, so the start stops naming both."""
        for alias, name in ALIASES:
            given = os.environ.get(alias)
            if given is not None and os.environ.get(name) not in (None, given):
                raise ValueError(f"{alias} and {name} are both set, to different values; "
                                 f"keep one ({alias} is another name for {name})")
        return values

    @field_validator("from_address", "host", "username")
    @classmethod
    def _one_line(cls, value):
        return value if value is None else one_line(value)

    @property
    def configured(self) -> bool:
        return bool(self.host and self.from_address)

    @property
    def effective_port(self) -> int:
        return self.port or DEFAULT_PORTS[self.security]
