"""POST /v1/chat/completions on the fund's own model server (vLLM, Ollama, llama.cpp, NIM).

Only loopback and private addresses are called, unless SPARK_ALLOW_HOSTS names the host: the
digest carries un-anonymized LP names and email substance, which must stay on the fund's own
hardware."""
import http.client
import ipaddress
import json
import logging
import socket
import ssl
from typing import Annotated, ClassVar
from urllib.parse import urlparse

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import NoDecode, SettingsConfigDict

from core.settings import FileBackedSettings

log = logging.getLogger(__name__)
MAX_ANSWER_BYTES = 4 * 1024 * 1024


class SparkSettings(FileBackedSettings):
    model_config = SettingsConfigDict(env_prefix="SPARK_", extra="ignore")
    secrets_subdir: ClassVar[str] = "spark"

    base_url: str | None = Field(None, description="e.g. http://192.168.1.20:8000/v1")
    model: str | None = None
    api_key: SecretStr | None = None
    timeout: float = Field(60.0, gt=0, le=600)
    allow_hosts: Annotated[list[str], NoDecode] = []
    allow_networks: Annotated[list[ipaddress.IPv4Network | ipaddress.IPv6Network], NoDecode] = \
        Field([], description="more private ranges the model server may be in, as CIDRs: "
              "e.g. Tailscale's 100.64.0.0/10")
    max_tokens: int = Field(400, ge=16, le=8000)

    @field_validator("allow_hosts", mode="before")
    @classmethod
    def _split(cls, value):
        if isinstance(value, str):
            value = value.split(",")
        return [h.strip().lower() for h in value or [] if h.strip()]


    @field_validator("allow_networks", mode="before")
    @classmethod
    def _networks(cls, value):
        if isinstance(value, str):
            value = value.split(",")
        networks = []
        for part in value or []:
            part = str(part).strip()
            if not part:
                continue
            try:
                network = ipaddress.ip_network(part)
            except ValueError:
                raise ValueError(f"{part!r} is not a network such as 100.64.0.0/10") from None
            if network.is_global:
                raise ValueError(f"{part} is a public range: digest text must stay on the "
                                 "fund's own network (name one host in SPARK_ALLOW_HOSTS)")
            networks.append(network)
        return networks


class SparkRefused(Exception):
    """The endpoint is not on the fund's own network and not explicitly allowed."""


class SparkFailed(Exception):
    """The model server answered, but not with a completion."""


def _own_network(address, allowed) -> bool:
    if any(address in network for network in allowed):
        return True
    return (address.is_loopback or address.is_private) and not address.is_global


def endpoint(settings: SparkSettings) -> tuple[str, str]:
    """(chat completions URL, the address to connect to): the host is resolved once here, and
    that checked address is the one the request goes to (no second lookup to rebind)."""
    parsed = urlparse(settings.base_url or "")
    if parsed.scheme not in ("http", "https") or not parsed.hostname:
        raise SparkRefused("SPARK_BASE_URL is not an http(s) URL")
    host = parsed.hostname.lower()
    default_port = 443 if parsed.scheme == "https" else 80
    try:
        infos = socket.getaddrinfo(host, parsed.port or default_port, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, ValueError):
        raise SparkRefused(f"cannot resolve {host}") from None
    addresses = [info[4][0] for info in infos]
    if host not in settings.allow_hosts:
        for text in addresses:
            address = ipaddress.ip_address(text.split("%")[0])
            if not _own_network(address, settings.allow_networks):
                raise SparkRefused(f"{host} is not a loopback or private address; add its range "
                                   "to SPARK_ALLOW_NETWORKS (e.g. 100.64.0.0/10 for Tailscale) "
                                   "or the host to SPARK_ALLOW_HOSTS if it really is the fund's "
                                   "own server")
    return settings.base_url.rstrip("/") + "/chat/completions", addresses[0]


def check_endpoint(settings: SparkSettings) -> str:
    """The chat completions URL, after making sure the host is local or allowed."""
    return endpoint(settings)[0]


class _PinnedHTTP(http.client.HTTPConnection):
    """Connects to the address that was checked; Host stays the configured name."""

    def __init__(self, host, port, address, timeout):
        super().__init__(host, port, timeout=timeout)
        self.address = address

    def connect(self):
        self.sock = socket.create_connection((self.address, self.port), self.timeout)


class _PinnedHTTPS(http.client.HTTPSConnection):
    def __init__(self, host, port, address, timeout):
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self.address = address

    def connect(self):
        sock = socket.create_connection((self.address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


def _post(url: str, address: str, body: bytes, headers: dict, timeout: float) -> dict:
    """One POST; any answer but 200 is an error (a redirect is never followed: the API key
    would go with it)."""
    parsed = urlparse(url)
    kind = _PinnedHTTPS if parsed.scheme == "https" else _PinnedHTTP
    conn = kind(parsed.hostname, parsed.port, address, timeout)
    try:
        conn.request("POST", parsed.path or "/", body=body, headers=headers)
        response = conn.getresponse()
        data = response.read(MAX_ANSWER_BYTES + 1)
        if response.status != 200:
            raise SparkFailed(f"HTTP {response.status}")
        if len(data) > MAX_ANSWER_BYTES:
            raise SparkFailed("answer too large")
        return json.loads(data)
    finally:
        conn.close()


def chat(settings: SparkSettings, system: str, user: str) -> str:
    """One completion, with one retry; raises on failure (the caller falls back)."""
    url, address = endpoint(settings)
    body = json.dumps({"model": settings.model or "default", "temperature": 0.2,
                       "max_tokens": settings.max_tokens,
                       "messages": [{"role": "system", "content": system},
                                    {"role": "user", "content": user}]}).encode()
    headers = {"Content-Type": "application/json"}
    if settings.api_key:
        headers["Authorization"] = f"Bearer {settings.api_key.get_secret_value()}"
    last = None
    for _attempt in range(2):
        try:
            answer = _post(url, address, body, headers, settings.timeout)
            text = answer["choices"][0]["message"]["content"].strip()
            if text:
                return text
            last = ValueError("empty answer")
        except SparkFailed as exc:
            if str(exc) == "HTTP 400":  # e.g. context_length_exceeded: same body fails again
                raise
            last = exc
        except (http.client.HTTPException, OSError, TimeoutError, ValueError,
                KeyError, IndexError, TypeError, AttributeError) as exc:
            last = exc
    raise last
