"""Configuration: environment (wins), per-field secret files, then an optional crm.toml."""
import ipaddress
import os
from pathlib import Path
from typing import Annotated, ClassVar, Literal

from pydantic import Field, IPvAnyNetwork, SecretStr, ValidationError, field_validator
from pydantic_settings import (
    BaseSettings,
    NoDecode,
    PydanticBaseSettingsSource,
    SecretsSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)


class ConfigError(Exception):
    """The configuration cannot run; the message says what to change."""


def secrets_root(environ=os.environ) -> Path:
    """CRM_SECRETS_DIR, else /data/secrets when it exists, else ./data/secrets."""
    if environ.get("CRM_SECRETS_DIR"):
        return Path(environ["CRM_SECRETS_DIR"])
    if Path("/data/secrets").is_dir():
        return Path("/data/secrets")
    return Path("data/secrets")


def _comma_list(value):
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    return value


class FileBackedSettings(BaseSettings):
    """Settings read from the environment first, then from one secret file per field.

    Subclasses set `env_prefix` and `secrets_subdir` (a folder under CRM_SECRETS_DIR whose
    files are named after the fields without prefix, e.g. `smtp/password`).
    """

    secrets_subdir: ClassVar[str] = ""

    @classmethod
    def load(cls, secrets_dir: Path | None = None, **overrides):
        """Read the settings; `secrets_dir` is the CRM's secrets root (CRM_SECRETS_DIR)."""
        root = secrets_dir if secrets_dir is not None else secrets_root()
        return cls(_secrets_dir=root / cls.secrets_subdir, **overrides)

    @classmethod
    def settings_customise_sources(
        cls, settings_cls, init_settings, env_settings, dotenv_settings, file_secret_settings
    ):
        given = getattr(file_secret_settings, "secrets_dir", None)
        folder = Path(given) if given else secrets_root() / cls.secrets_subdir
        sources: list[PydanticBaseSettingsSource] = [init_settings, env_settings]
        if folder.is_dir():
            sources.append(SecretsSettingsSource(settings_cls, secrets_dir=folder, env_prefix=""))
        if settings_cls.model_config.get("toml_file"):
            sources.append(TomlConfigSettingsSource(settings_cls))
        return tuple(sources)


def default_threads() -> int:
    """2 to 4 worker threads (one per usable CPU core): the first serves the requests in
    turn, the others step in while it is held up by a long request such as an import or a
    backup (core.dispatcher). Python runs one thread at a time: more only contend for it."""
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return max(2, min(4, usable or 1))


class Settings(FileBackedSettings):
    model_config = SettingsConfigDict(
        env_prefix="CRM_", toml_file="crm.toml", extra="ignore", validate_default=True
    )

    env: Literal["development", "production"] = "development"
    secret_key: SecretStr | None = None
    data_dir: Path = Path("data")
    secrets_dir: Path = Field(default_factory=secrets_root)
    host: str = "127.0.0.1"
    port: int = Field(8080, ge=0, le=65535)
    public_url: str | None = None
    plugins: Annotated[list[str] | None, NoDecode] = None
    cors_origin: Annotated[list[str], NoDecode] = []
    trusted_proxies: Annotated[list[IPvAnyNetwork], NoDecode] = Field(
        [], description="reverse proxies (CIDRs) whose X-Forwarded-For names the client")
    login_rate_limit: int = Field(10, ge=1, description="login attempts per minute per IP")
    write_rate_limit: int = Field(600, ge=1, description="writes per minute per IP")
    session_hours: int = Field(24 * 14, ge=1)
    invite_hours: int = Field(72, ge=1)
    threads: int = Field(default_factory=lambda: default_threads(), ge=1,
                         description="web server worker threads")
    workers: int = Field(1, ge=1, le=64, description="server processes (crm serve); one per "
                         "CPU core serves the most")
    password_memory_kib: int = Field(65536, ge=8192, description="argon2id memory cost")
    password_time_cost: int = Field(3, ge=1, le=20, description="argon2id passes")
    require_2fa: Literal["admins", "all", "none"] | None = Field(
        None, description="who must use two-factor: admins, all or none (default: admins "
        "in production, none in development)")

    @field_validator("plugins", "cors_origin", mode="before")
    @classmethod
    def _split(cls, value):
        return _comma_list(value)

    @field_validator("trusted_proxies", mode="before")
    @classmethod
    def _networks(cls, value):
        networks = []
        for part in _comma_list(value) or []:
            try:
                networks.append(ipaddress.ip_network(part))
            except (TypeError, ValueError) as exc:
                raise ValueError(f"trusted_proxies: {part!r} is not a network such as "
                                 f"10.0.3.1/32 ({exc})") from None
        return networks

    @property
    def two_factor_policy(self) -> str:
        """require_2fa as set, else `admins` in production and `none` in development."""
        if self.require_2fa:
            return self.require_2fa
        return "admins" if self.env == "production" else "none"

    @property
    def database_path(self) -> Path:
        return self.data_dir / "crm.db"

    @property
    def base_url(self) -> str:
        if self.public_url:
            return self.public_url.rstrip("/")
        return f"http://{self.host}:{self.port}"


def load_settings(**overrides) -> Settings:
    """Read the configuration; keyword overrides win over every source (tests use them)."""
    return Settings(**overrides)


def variable_name(model, field: str) -> str:
    """The environment variable a settings field reads: an alias as it is, else the model's
    env_prefix and the field's name (SMTP_FROM, DIGEST_TZ)."""
    info = model.model_fields.get(field)
    if info is None or info.alias or info.validation_alias:
        return field.upper()
    return f"{model.model_config.get('env_prefix', '')}{field}".upper()


def read_plugin_settings(name: str, model, secrets_dir: Path):
    """The settings of plugin `name` as they are now; a bad value is a ConfigError naming
    each variable at fault."""
    try:
        if issubclass(model, FileBackedSettings):
            return model.load(secrets_dir)
        return model()
    except ValidationError as exc:
        problems = "; ".join(
            f"{variable_name(model, str(e['loc'][0])) if e['loc'] else name}: {e['msg']}"
            for e in exc.errors(include_url=False))
        raise ConfigError(f"invalid {name} setting: {problems}") from None
