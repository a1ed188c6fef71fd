"""POST /v1/chat/completions on the fund's own model server (vLLM, Ollama, llama.cpp, NIM).

Only loopback and private addresses are called, unless SPARK_ALLOW_HOSTS names the host: the
digest carries un-anonymized LP names and email substance, which must stay on the fund's own
hardware."""
import http.client
import ipaddress
import json
import logging
import re
import socket
import ssl
import time
from dataclasses import dataclass
from typing import Annotated, ClassVar
from urllib.parse import urlparse

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import NoDecode, SettingsConfigDict

from core.settings import FileBackedSettings
from plugins.spark.gate import one_at_a_time

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
    max_tokens: int = Field(400, ge=1, le=8000)
    context_tokens: int | None = Field(None, ge=256, le=10_000_000, description=(
        "the model's context window in tokens, used when the server does not say (vLLM's "
        "max_model_len, llama.cpp's n_ctx); default 8192"))

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


class ContextTooLong(SparkFailed):
    """HTTP 400, e.g. context_length_exceeded: the same prompt fails again. `window` and
    `prompt_tokens` are the numbers the server gave, when it gave them."""

    def __init__(self, window: int | None = None, prompt_tokens: int | None = None):
        super().__init__("HTTP 400")
        self.window, self.prompt_tokens = window, prompt_tokens


@dataclass
class Completion:
    text: str
    finish_reason: str | None
    completion_tokens: int | None


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


_WINDOW_TEXT = re.compile(r"(?:maximum context length is|context window of) (\d+)")
_PROMPT_TEXT = re.compile(r"(\d+) in the messages|Requested tokens \((\d+)\)")


def _too_long(data: bytes) -> ContextTooLong:
    """The window and prompt size a 400 names (llama-cpp-python and vLLM say them in the
    message, llama.cpp's own server as n_ctx and n_prompt_tokens). Only numbers are kept."""
    try:
        error = json.loads(data).get("error") or {}
    except (ValueError, AttributeError):
        error = {}
    if not isinstance(error, dict):
        error = {}
    message = str(error.get("message") or "")
    window = error.get("n_ctx") if isinstance(error.get("n_ctx"), int) else None
    prompt = error.get("n_prompt_tokens") if isinstance(error.get("n_prompt_tokens"), int) \
        else None
    if window is None and (match := _WINDOW_TEXT.search(message)):
        window = int(match.group(1))
    if prompt is None and (match := _PROMPT_TEXT.search(message)):
        prompt = int(match.group(1) or match.group(2))
    return ContextTooLong(window, prompt)


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
        if response.status == 400:
            raise _too_long(data[:65536])
        if response.status != 200:
            raise SparkFailed(f"HTTP {response.status}")
        if len(data) > MAX_ANSWER_BYTES:
            raise SparkFailed("answer too large")
        return json.loads(data)
    finally:
        conn.close()


def _headers(settings: SparkSettings) -> dict:
    headers = {"Content-Type": "application/json"}
    if settings.api_key:
        headers["Authorization"] = f"Bearer {settings.api_key.get_secret_value()}"
    return headers


def _completion(answer: dict) -> Completion:
    choice = answer["choices"][0]
    text = choice["message"]["content"]
    if not isinstance(text, str):
        raise TypeError("content is not text")
    tokens = (answer.get("usage") or {}).get("completion_tokens")
    return Completion(text.strip(), choice.get("finish_reason"),
                      tokens if isinstance(tokens, int) else None)


def complete(settings: SparkSettings, system: str | None, user: str,
             max_tokens: int | None = None, temperature: float = 0.2) -> Completion:
    """One completion, one request at a time per endpoint (a llama.cpp server serves one at a
    time and keeps generating for a client that gave up). A refused connection or a 5xx is
    retried once; a 400 (ContextTooLong) or a timeout is not: the same prompt fails again, and
    a timed-out server is still busy with it."""
    url, address = endpoint(settings)
    messages = ([{"role": "system", "content": system}] if system else []) + \
        [{"role": "user", "content": user}]
    body = json.dumps({"model": settings.model or "default", "temperature": temperature,
                       "max_tokens": max_tokens or settings.max_tokens,
                       "messages": messages}).encode()
    last = None
    with one_at_a_time(settings.base_url, time.monotonic() + settings.timeout):
        for _attempt in range(2):
            try:
                return _completion(_post(url, address, body, _headers(settings),
                                         settings.timeout))
            except (ContextTooLong, TimeoutError):
                raise
            except (SparkFailed, http.client.HTTPException, OSError, ValueError, KeyError,
                    IndexError, TypeError, AttributeError) as exc:
                last = exc
    raise last


def chat(settings: SparkSettings, system: str, user: str) -> str:
    """The text of one completion; raises on failure or an empty answer (the caller falls
    back)."""
    text = complete(settings, system, user).text
    if not text:
        raise SparkFailed("empty answer")
    return text
