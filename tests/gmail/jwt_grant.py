"""Checking a service account's JWT-bearer assertion as Google's token endpoint does."""
import json
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from google.auth import exceptions, jwt

GOOGLE_TOKEN_URI = "https://oauth2.googleapis.com/token"
JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer"


class GrantError(Exception):
    """A refused token request: Google's HTTP status, OAuth error code and description."""

    def __init__(self, status, error, description):
        super().__init__(f"{error}: {description}")
        self.status, self.error, self.description = status, error, description

    def to_dict(self):
        return {"error": self.error, "error_description": self.description}


@dataclass(frozen=True)
class TrustedKey:
    """A service-account public key registered with the fake (as Google holds it)."""
    email: str
    key_id: str
    public_pem: bytes


def trusted_key_from_file(key_path):
    """The TrustedKey of a service-account JSON key file (its public half)."""
    info = json.loads(Path(key_path).read_text(encoding="utf-8"))
    private = serialization.load_pem_private_key(info["private_key"].encode(), password=None)
    public_pem = private.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    return TrustedKey(info["client_email"], info["private_key_id"], public_pem)


def verify_assertion(assertion, trusted_keys, audiences):
    """The claims of an RS256 assertion signed by a trusted key, unexpired, for one of audiences.

    Raises GrantError with Google's answers: a bad signature or unknown key is
    400 invalid_grant "Invalid JWT Signature.", and so on.
    """
    certs = {key.key_id: key.public_pem for key in trusted_keys}
    try:
        claims = jwt.decode(assertion, certs=certs, audience=list(audiences))
    except (exceptions.GoogleAuthError, ValueError) as error:
        text = str(error)
        if "expired" in text or "too early" in text:
            raise GrantError(400, "invalid_grant", "Invalid JWT: Token must be a short-lived "
                             "token (60 minutes) and in a reasonable timeframe. Check your iat "
                             "and exp values in the JWT claim.") from error
        if "audience" in text.lower():
            raise GrantError(400, "invalid_grant", "Invalid JWT: Failed audience check.") from error
        raise GrantError(400, "invalid_grant", "Invalid JWT Signature.") from error
    key_id = jwt.decode_header(assertion).get("kid")
    owner = next(key.email for key in trusted_keys if key.key_id == key_id)
    if claims.get("iss") != owner:
        raise GrantError(400, "invalid_grant", "Invalid grant: account not found")
    return claims
