"""A real SMTP server (aiosmtpd) with certificates the tests make."""
import datetime
import ipaddress
import socket
import ssl
import threading
from dataclasses import dataclass, field

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

USER, PASSWORD = "crm@fund.example", "s3cret-Pass-word!"


def _name(cn):
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])


def make_ca(tmp_path, label):
    key = ec.generate_private_key(ec.SECP256R1())
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(_name(f"{label} CA")).issuer_name(_name(f"{label} CA"))
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=30))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(True, False, False, False, False, True, True, False, False),
                           critical=True)
            .sign(key, hashes.SHA256()))
    path = tmp_path / f"{label}-ca.pem"
    path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return key, cert, path


def make_server_cert(tmp_path, ca_key, ca_cert, label):
    key = ec.generate_private_key(ec.SECP256R1())
    now = datetime.datetime.now(datetime.timezone.utc)
    san = x509.SubjectAlternativeName([x509.DNSName("localhost"),
                                       x509.IPAddress(ipaddress.ip_address("127.0.0.1"))])
    cert = (x509.CertificateBuilder().subject_name(_name("localhost")).issuer_name(ca_cert.subject)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=30))
            .add_extension(san, critical=False)
            .add_extension(x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]),
                           critical=False)
            .sign(ca_key, hashes.SHA256()))
    cert_path, key_path = tmp_path / f"{label}.pem", tmp_path / f"{label}.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                           serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert_path, key_path)
    return context


@dataclass
class Inbox:
    messages: list = field(default_factory=list)
    logins: list = field(default_factory=list)
    passwords: list = field(default_factory=list)
    echo_password: bool = False

    async def handle_DATA(self, server, session, envelope):
        if self.echo_password:  # a badly behaved server that repeats the credential
            secret = self.passwords[-1]
            return f"554 5.7.1 refused for {USER} with password {secret}"
        self.messages.append(envelope)
        return "250 Message accepted"

    def authenticate(self, server, session, envelope, mechanism, auth_data):
        self.logins.append(mechanism)
        self.passwords.append(auth_data.password.decode())
        ok = auth_data.login.decode() == USER and auth_data.password.decode() == PASSWORD
        return AuthResult(success=ok, handled=False)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def certs(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("certs")
    ca_key, ca_cert, ca_path = make_ca(tmp, "trusted")
    rogue_key, rogue_cert, _ = make_ca(tmp, "rogue")
    return {"ca_file": ca_path,
            "trusted": make_server_cert(tmp, ca_key, ca_cert, "trusted"),
            "rogue": make_server_cert(tmp, rogue_key, rogue_cert, "rogue")}


@pytest.fixture
def smtp_server(certs):
    """start(mode='starttls'|'tls'|'none', cert='trusted'|'rogue', exclude=[...]) -> (inbox, port)."""
    controllers = []

    def start(mode="starttls", cert="trusted", exclude=()):
        inbox = Inbox()
        port = free_port()
        context = certs[cert]
        kwargs = dict(authenticator=inbox.authenticate, auth_exclude_mechanism=list(exclude))
        if mode == "starttls":
            kwargs.update(tls_context=context, require_starttls=True, auth_require_tls=True)
        elif mode == "tls":
            kwargs.update(ssl_context=context, auth_require_tls=False)
        else:
            kwargs.update(auth_require_tls=False)
        controller = Controller(inbox, hostname="127.0.0.1", port=port, **kwargs)
        controller.start()
        controllers.append(controller)
        return inbox, port

    yield start
    for controller in controllers:
        controller.stop()


@pytest.fixture
def silent_server():
    """Accepts connections and never says a word."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    held = []
    stop = threading.Event()

    def accept():
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(listener.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield listener.getsockname()[1]
    stop.set()
    thread.join()
    for conn in held:
        conn.close()
    listener.close()
