"""POST /v1/chat/completions on the fund's own model server (vLLM, Ollama, llama.cpp, NIM).

Only loopback and private addresses are called, unless SPARK_ALLOW_HOSTS names the host: the
digest carries un-anonymized LP names and email substance, which must stay on the fund's own
hardware."""
import ipaddress
import json
import logging
import socket
import urllib.error
import urllib.request
from typing import Annotated, ClassVar
from urllib.parse import urlparse

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import NoDecode, SettingsConfigDict

from core.settings import FileBackedSettings

log = logging.getLogger(__name__)


class SparkSettings(FileBackedSettings):
    model_config = SettingsConfigDict(env_prefix="SPARK_", extra="ignore")
    secrets_subdir: ClassVar[str] = "spark"

    base_url: str | None = Field(None, description="e.g. http://192.168.1.20:8000/v1")
    model: str | None = None
    api_key: SecretStr | None = None
    timeout: float = Field(60.0, gt=0, le=600)
    allow_hosts: Annotated[list[str], NoDecode] = []
    max_tokens: int = Field(400, ge=16, le=8000)

    @field_validator("allow_hosts", mode="before")
    @classmethod
    def _split(cls, value):
        if isinstance(value, str):
            value = value.split(",")
        return [h.strip().lower() for h in value or [] if h.strip()]


class SparkRefused(Exception):
    """The endpoint is not on the fund's own network and not explicitly allowed."""


def check_endpoint(settings: SparkSettings) -> str:
    """The chat completions URL, after making sure the host is local or allowed."""
    parsed = urlparse(settings.base_url or "")
    if parsed.scheme not in ("http", "https") or not parsed.hostname:
        raise SparkRefused("SPARK_BASE_URL is not an http(s) URL")
    host = parsed.hostname.lower()
    if host not in settings.allow_hosts:
        try:
            infos = socket.getaddrinfo(host, parsed.port or 80, proto=socket.IPPROTO_TCP)
        except socket.gaierror:
            raise SparkRefused(f"cannot resolve {host}") from None
        for info in infos:
            address = ipaddress.ip_address(info[4][0].split("%")[0])
            if not (address.is_loopback or address.is_private) or address.is_global:
                raise SparkRefused(f"{host} is not a loopback or private address; add it to "
                                   "SPARK_ALLOW_HOSTS if it really is the fund's own server")
    return settings.base_url.rstrip("/") + "/chat/completions"


def chat(settings: SparkSettings, system: str, user: str) -> str:
    """One completion, with one retry; raises on failure (the caller falls back)."""
    url = check_endpoint(settings)
    body = json.dumps({"model": settings.model or "default", "temperature": 0.2,
                       "max_tokens": settings.max_tokens,
                       "messages": [{"role": "system", "content": system},
                                    {"role": "user", "content": user}]}).encode()
    headers = {"Content-Type": "application/json"}
    if settings.api_key:
        headers["Authorization"] = f"Bearer {settings.api_key.get_secret_value()}"
    last = None
    for _attempt in range(2):
        request = urllib.request.Request(url, data=body, headers=headers, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=settings.timeout) as response:
                answer = json.loads(response.read())
            text = answer["choices"][0]["message"]["content"].strip()
            if text:
                return text
            last = ValueError("empty answer")
        except (urllib.error.URLError, OSError, TimeoutError, ValueError, KeyError,
                IndexError) as exc:
            last = exc
    raise last
