"""Secrets the server must read back (two-factor keys) are stored encrypted with a key derived
from the CRM's secret key: a copy of the database alone does not give them away."""
import base64
import functools

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF


@functools.cache
def _fernet(secret_key: str, purpose: str) -> Fernet:
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None,
               info=f"venture-crm {purpose}".encode()).derive(secret_key.encode())
    return Fernet(base64.urlsafe_b64encode(key))


def seal(secret_key: str, purpose: str, text: str) -> str:
    return _fernet(secret_key, purpose).encrypt(text.encode()).decode()


def unseal(secret_key: str, purpose: str, sealed: str) -> str | None:
    """The text, or None when it was sealed under another secret key (or is damaged)."""
    try:
        return _fernet(secret_key, purpose).decrypt(sealed.encode()).decode()
    except (InvalidToken, ValueError):
        return None
