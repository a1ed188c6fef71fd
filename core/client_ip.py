"""The address a request comes from: its peer's, or behind trusted reverse proxies the client's
they name in X-Forwarded-For.

Each proxy appends the address it was connected from, so the header is read from the right:
the entries a trusted proxy wrote are believed, and the first address that is not itself a
trusted proxy is the client. Everything left of it came from that client and may be forged.
"""
import functools
import ipaddress
from collections.abc import Iterable

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


@functools.lru_cache(maxsize=4096)  # the same few peers ask again and again
def parse_address(text: str) -> IPAddress | None:
    """An address from a peer or an X-Forwarded-For entry (`a.b.c.d`, `a.b.c.d:port`, `v6`,
    `[v6]:port`); IPv4-mapped IPv6 as IPv4; None when it is not one."""
    text = text.strip()
    if text.startswith("["):
        text = text[1:].partition("]")[0]
    elif text.count(":") == 1:
        text = text.partition(":")[0]
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    if address.version == 6 and address.ipv4_mapped:
        return address.ipv4_mapped
    return address


def _trusted(address: IPAddress, trusted: Iterable[IPNetwork]) -> bool:
    return any(address in network for network in trusted)


def client_address(peer: str | None, forwarded_for: str | None,
                   trusted: Iterable[IPNetwork]) -> str:
    """The client's address: the peer's unless the peer is a trusted proxy; then, walking
    X-Forwarded-For from the right, the first address that is not a trusted proxy. A malformed
    entry ends the walk at the last address known good (a trusted hop)."""
    address = parse_address(peer or "")
    if address is None:
        return peer or "unknown"
    trusted = tuple(trusted)
    if trusted and forwarded_for:
        for entry in reversed(forwarded_for.split(",")):
            if not _trusted(address, trusted):
                break
            hop = parse_address(entry)
            if hop is None:  # nothing left of it can be believed
                break
            address = hop
    return str(address)


class ClientAddressMiddleware:
    """Puts the client's address in `req.context.client_ip`, once per request; first of the
    middleware, so rate limits and logs all see the same address."""

    def __init__(self, trusted: Iterable[IPNetwork]):
        self.trusted = tuple(trusted)

    def process_request(self, req, resp):
        req.context.client_ip = client_address(
            req.remote_addr, req.get_header("X-Forwarded-For"), self.trusted)
