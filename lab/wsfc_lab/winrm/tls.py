"""TLS material for the ``basic-https`` transport.

A Windows HTTPS listener presents a certificate that the client validates.
Turning validation off in the tests would hide exactly the class of mistakes
(wrong host name, wrong CA path) that a real deployment hits, so the lab makes
its own small PKI instead: a CA (``ca.pem``) and a server certificate signed by
it (``server.pem`` + ``server.key``) whose subjectAltName lists the host names
and IP addresses the clients will use. Clients trust ``ca.pem``
(``ca_trust_path`` in pywinrm, ``ansible_winrm_ca_trust_path`` in Ansible)
and keep validation on.

Keys are ECDSA P-256: quick to generate, accepted by OpenSSL's default
security level, and signed with SHA-256. The extensions (basicConstraints,
keyUsage, extendedKeyUsage, subject/authority key identifiers) are the ones
strict X.509 verification (Python 3.13's ``VERIFY_X509_STRICT``) requires.
"""

from __future__ import annotations

import datetime as _dt
import ipaddress
import os
import ssl
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

__all__ = ["TLSMaterial", "make_tls_material"]


@dataclass(frozen=True)
class TLSMaterial:
    """Paths of the generated PEM files.

    ``ca_cert`` is what clients trust; ``cert``/``key`` are what the server
    presents (``cert`` holds the server certificate only, the CA is not
    chained in, as a Windows listener bound by thumbprint does not send it
    either when the CA is a private root).
    """

    ca_cert: Path
    cert: Path
    key: Path

    @property
    def ca_path(self) -> Path:
        """Alias of ``ca_cert`` (the file clients pass as their CA trust path)."""
        return self.ca_cert

    def server_context(self) -> ssl.SSLContext:
        """An ``SSLContext`` for the server side of a listener."""
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.minimum_version = ssl.TLSVersion.TLSv1_2
        ctx.load_cert_chain(str(self.cert), str(self.key))
        return ctx


def _name(common_name: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "wsfc_lab"),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def _write_private(path: Path, data: bytes) -> None:
    """Write a file readable by the owner only (it may hold a private key)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)


def make_tls_material(
    directory: Path,
    hostnames: Iterable[str] = ("localhost",),
    ips: Iterable[str] = ("127.0.0.1",),
) -> TLSMaterial:
    """Generate ``ca.pem``, ``server.pem`` and ``server.key`` in *directory*.

    The server certificate's subjectAltName carries every name in
    *hostnames* (DNS entries) and every address in *ips* (IP entries), so a
    client connecting to ``https://127.0.0.1:PORT/wsman`` validates it with
    hostname checking on.
    """
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    hostnames = list(hostnames)
    ips = list(ips)
    now = _dt.datetime.now(_dt.timezone.utc)
    not_before = now - _dt.timedelta(minutes=5)
    not_after = now + _dt.timedelta(days=30)

    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = _name("wsfc_lab test CA")
    ca_ski = x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key())
    ca_cert = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(ca_ski, critical=False)
        .sign(ca_key, hashes.SHA256())
    )

    server_key = ec.generate_private_key(ec.SECP256R1())
    sans: list[x509.GeneralName] = [x509.DNSName(h) for h in hostnames]
    sans += [x509.IPAddress(ipaddress.ip_address(i)) for i in ips]
    server_cert = (
        x509.CertificateBuilder()
        .subject_name(_name(hostnames[0] if hostnames else (ips[0] if ips else "wsfc-lab")))
        .issuer_name(ca_name)
        .public_key(server_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=True,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.SubjectAlternativeName(sans), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(server_key.public_key()), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ca_ski), critical=False
        )
        .sign(ca_key, hashes.SHA256())
    )

    material = TLSMaterial(
        ca_cert=directory / "ca.pem",
        cert=directory / "server.pem",
        key=directory / "server.key",
    )
    material.ca_cert.write_bytes(ca_cert.public_bytes(serialization.Encoding.PEM))
    material.cert.write_bytes(server_cert.public_bytes(serialization.Encoding.PEM))
    _write_private(
        material.key,
        server_key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ),
    )
    return material
