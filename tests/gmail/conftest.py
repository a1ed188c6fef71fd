"""Fixtures: a started fake Gmail, a service-account key it trusts, and the real client."""
import json
import os
import secrets
from pathlib import Path
from typing import NamedTuple
from urllib.parse import quote

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from google.oauth2 import service_account
from googleapiclient.discovery import build

from tests.gmail.fake_gmail import GMAIL_COMPOSE, GMAIL_READONLY, FakeGmail

GMAIL_SCOPES = (GMAIL_READONLY, GMAIL_COMPOSE)
SERVICE_ACCOUNT_EMAIL = "crm-gmail-capture@venture-crm-test.iam.gserviceaccount.com"


class ServiceAccountKey(NamedTuple):
    path: Path
    email: str


def write_service_account_key(path, token_uri, email=SERVICE_ACCOUNT_EMAIL, key_id=None):
    """Write a service-account JSON key file (fresh RSA key, mode 0600) as Google issues it."""
    private_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = private_key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                    serialization.NoEncryption()).decode()
    info = {
        "type": "service_account",
        "project_id": "venture-crm-test",
        "private_key_id": key_id or secrets.token_hex(20),
        "private_key": pem,
        "client_email": email,
        "client_id": str(100000000000000000000 + secrets.randbelow(10**20)),
        "auth_uri": "https://accounts.google.com/o/oauth2/auth",
        "token_uri": token_uri,
        "auth_provider_x509_cert_url": "https://www.googleapis.com/oauth2/v1/certs",
        "client_x509_cert_url": "https://www.googleapis.com/robot/v1/metadata/x509/"
                                + quote(email),
        "universe_domain": "googleapis.com",
    }
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as key_file:
        json.dump(info, key_file, indent=2)
    return ServiceAccountKey(path, email)


def gmail_client(key_path, subject, endpoint):
    """The real Gmail client as the plugin builds it: service account + delegation to subject."""
    credentials = service_account.Credentials.from_service_account_file(
        str(key_path), scopes=GMAIL_SCOPES).with_subject(subject)
    return build("gmail", "v1", credentials=credentials, static_discovery=True,
                 client_options={"api_endpoint": endpoint})


@pytest.fixture(autouse=True)
def no_retry_waits(monkeypatch):
    """The client's retries wait GMAIL_RETRY_BACKOFF_SECONDS; none here, so no test sleeps."""
    monkeypatch.setenv("GMAIL_RETRY_BACKOFF_SECONDS", "0")


@pytest.fixture
def fake_gmail():
    """A started FakeGmail on a free loopback port, stopped after the test."""
    gmail = FakeGmail()
    gmail.start()
    yield gmail
    gmail.stop()


@pytest.fixture
def service_account_key(tmp_path, fake_gmail):
    """(path, email) of a key file whose token_uri is fake_gmail's /token, trusted by it."""
    key = write_service_account_key(tmp_path / "service-account.json", fake_gmail.token_uri)
    fake_gmail.trust_service_account(key.path)
    return key


# the CRM wired to the fake Gmail (Acme and its contact Jo) and its enabled mailboxes, shared
# by every gmail test module
from tests.gmail.test_capture import gmail_crm, synced  # noqa: E402, F401
