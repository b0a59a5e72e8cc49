"""A real MIT Kerberos KDC on loopback for the lab: the realm the simulated nodes are joined to.

The README's real-cluster example logs in with Kerberos, as a domain member
does; to test that path the lab needs what a domain gives a node: a KDC that
issues tickets, the service principals of each node's computer account
(``HTTP/<host>``, ``WSMAN/<host>``, ``host/<host>``) whose keys the node holds,
and a user principal for the lab's account. This module runs MIT's
``krb5kdc`` from Debian's ``krb5-kdc`` package (administration with
``kdb5_util`` and ``kadmin.local`` from ``krb5-admin-server``; the client
tools ``kinit``, ``klist``, ``kvno`` from ``krb5-user``), in a directory of its own,
listening on 127.0.0.1 only, with its own ``krb5.conf`` that clients and the
lab read through ``KRB5_CONFIG``. Nothing outside that directory is used or
changed: no ``/etc/krb5.conf``, no default credential cache.

Layout of the KDC's directory: ``krb5.conf`` (clients and acceptors),
``kdc.conf`` (the KDC, through ``KRB5_KDC_PROFILE``), the database and its
stash, ``kdc.log``, and ``kdc.json`` (realm, port, pid) that
:meth:`KDC.load` reads.

Tickets: AES-256 only (the default of a Windows Server 2019 domain's
accounts), TCP (``udp_preference_limit = 1``), no DNS lookups or reverse
resolution (``dns_lookup_kdc``/``rdns`` off), and the default 5 minute clock
skew, as Windows' "Maximum tolerance for computer clock synchronization".
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from wsfc_lab.daemon import alive

DEFAULT_REALM = "LAB.TEST"
TOOLS = ("krb5kdc", "kdb5_util", "kadmin.local", "kinit", "klist", "kvno")
# Debian puts the KDC tools in /usr/sbin, which a non-login PATH may lack.
_SBIN = ("/usr/sbin", "/sbin", "/usr/local/sbin")


class KerberosUnavailable(RuntimeError):
    """The MIT Kerberos tools are not installed (``make kerberos-setup`` installs them)."""


class KerberosError(RuntimeError):
    """A Kerberos tool failed; the message holds its output (never a password)."""


def tool(name: str) -> str:
    """The path of an MIT Kerberos tool, or :class:`KerberosUnavailable`."""
    found = shutil.which(name) or shutil.which(name, path=os.pathsep.join(_SBIN))
    if found is None:
        raise KerberosUnavailable(f"wsfc_lab: the Kerberos tool {name!r} is not installed (Debian packages "
                                  "krb5-kdc, krb5-admin-server, krb5-user; `make kerberos-setup` installs them)")
    return found


def available() -> bool:
    try:
        for name in TOOLS:
            tool(name)
    except KerberosUnavailable:
        return False
    return True


def host_name(node: str, realm: str) -> str:
    """The DNS name of a node in the realm's domain (``NODE1`` in ``LAB.TEST``: ``node1.lab.test``)."""
    return f"{node.lower()}.{realm.lower()}"


def service_principals(node: str, realm: str) -> list[str]:
    """The SPNs of a node's computer account that WinRM clients ask tickets for (see ``KerberosService``)."""
    from wsfc_lab.winrm.auth import SERVICE_CLASSES
    return [f"{cls}/{host_name(node, realm)}" for cls in SERVICE_CLASSES]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class KDC:
    """One realm's KDC in ``workdir``."""

    workdir: Path
    realm: str
    port: int

    @property
    def krb5_conf(self) -> Path:
        return self.workdir / "krb5.conf"

    @property
    def kdc_conf(self) -> Path:
        return self.workdir / "kdc.conf"

    @property
    def log(self) -> Path:
        return self.workdir / "kdc.log"

    def env(self, **extra: str) -> dict[str, str]:
        """The environment for a client, acceptor or tool of this realm (the process's own, plus the configs)."""
        env = dict(os.environ, KRB5_CONFIG=str(self.krb5_conf), KRB5_KDC_PROFILE=str(self.kdc_conf))
        env.update(extra)
        return env

    # ---- making the realm -----------------------------------------------------------------------------

    @classmethod
    def create(cls, workdir: Path, realm: str = DEFAULT_REALM) -> "KDC":
        """Write the configuration and create the realm's database in ``workdir`` (must not hold one yet)."""
        workdir = Path(workdir).resolve()
        workdir.mkdir(parents=True, exist_ok=True)
        os.chmod(workdir, 0o700)
        kdc = cls(workdir, realm.upper(), _free_port())
        kdc._write_configs()
        kdc._run([tool("kdb5_util"), "create", "-s", "-r", kdc.realm, "-P", secrets.token_urlsafe(24)],
                 what="creating the realm database")
        (workdir / "kdc.json").write_text(json.dumps({"realm": kdc.realm, "port": kdc.port}))
        return kdc

    @classmethod
    def load(cls, workdir: Path) -> "KDC":
        workdir = Path(workdir).resolve()
        try:
            state = json.loads((workdir / "kdc.json").read_text())
        except (OSError, ValueError) as exc:
            raise KerberosError(f"wsfc_lab: no KDC in {workdir} ({exc}); create one with `python -m wsfc_lab "
                                "kdc up --workdir DIR`") from None
        return cls(workdir, state["realm"], int(state["port"]))

    def _write_configs(self) -> None:
        d, realm, port = self.workdir, self.realm, self.port
        self.kdc_conf.write_text(f"""\
[kdcdefaults]
    kdc_listen = 127.0.0.1:{port}
    kdc_tcp_listen = 127.0.0.1:{port}
[realms]
    {realm} = {{
        database_name = {d}/principal
        key_stash_file = {d}/stash
        acl_file = {d}/kadm5.acl
        max_life = 10h 0m 0s
        max_renewable_life = 1d 0h 0m 0s
        supported_enctypes = aes256-cts-hmac-sha1-96:normal
    }}
[logging]
    kdc = FILE:{d}/kdc.log
    default = FILE:{d}/krb5lib.log
""")
        self.krb5_conf.write_text(f"""\
[libdefaults]
    default_realm = {realm}
    default_ccache_name = FILE:{d}/ccache
    dns_lookup_kdc = false
    dns_lookup_realm = false
    dns_canonicalize_hostname = false
    rdns = false
    udp_preference_limit = 1
    permitted_enctypes = aes256-cts-hmac-sha1-96
[realms]
    {realm} = {{
        kdc = 127.0.0.1:{port}
    }}
[domain_realm]
    .{realm.lower()} = {realm}
    {realm.lower()} = {realm}
""")
        (d / "kadm5.acl").write_text("")

    def _run(self, argv: list[str], what: str, stdin: str | None = None, secret: str | None = None) -> str:
        """Run a tool of this realm; its output, with ``secret`` blanked out (kadmin echoes its queries)."""
        result = subprocess.run(argv, input=stdin, capture_output=True, text=True, env=self.env(), timeout=60,
                                check=False)
        out, err = result.stdout, result.stderr
        if secret:
            out, err = out.replace(secret, "********"), err.replace(secret, "********")
        if result.returncode != 0:
            raise KerberosError(f"wsfc_lab: {what} failed ({Path(argv[0]).name} exit {result.returncode}): "
                                f"{(err or out).strip()[-800:]}")
        return out + err

    def _kadmin(self, queries: list[str], what: str, secret: str | None = None) -> str:
        """Run kadmin.local queries, given on standard input so that passwords stay off the command line."""
        return self._run([tool("kadmin.local"), "-r", self.realm], what, stdin="\n".join(queries + ["quit", ""]),
                         secret=secret)

    def add_user(self, name: str, password: str) -> str:
        """Create (or reset the password of) a user principal; returns ``name@REALM``."""
        principal = f"{name}@{self.realm}"
        if any(c in password for c in "\n\r\"") or password != password.strip():
            raise KerberosError("wsfc_lab: a Kerberos user's password must be one line without quotes or "
                                "leading/trailing spaces")
        out = self._kadmin([f'addprinc -pw "{password}" {principal}', f'cpw -pw "{password}" {principal}'],
                           what=f"creating the user {principal}", secret=password)
        if f'Principal "{principal}" modified' not in out and f'Password for "{principal}" changed' not in out:
            raise KerberosError(f"wsfc_lab: creating the user {principal} failed: {out.strip()[-800:]}")
        return principal

    def add_services(self, principals: list[str], keytab: Path) -> Path:
        """Create service principals with random keys and write their keys to ``keytab`` (mode 0600)."""
        queries = []
        for name in principals:
            queries += [f"addprinc -randkey {name}@{self.realm}", f"ktadd -k {keytab} {name}@{self.realm}"]
        out = self._kadmin(queries, what="creating the service principals")
        for name in principals:
            if f"Entry for principal {name}@{self.realm}" not in out:
                raise KerberosError(f"wsfc_lab: the key of {name}@{self.realm} was not written to {keytab}: "
                                    f"{out.strip()[-800:]}")
        os.chmod(keytab, 0o600)
        return Path(keytab)

    # ---- running it -----------------------------------------------------------------------------------

    def start(self, timeout: float = 20.0) -> int:
        """Start ``krb5kdc`` in the background on 127.0.0.1:port; wait until it listens; return its pid."""
        log = open(self.workdir / "krb5kdc.out", "ab")
        process = subprocess.Popen([tool("krb5kdc"), "-n", "-r", self.realm, "-P", str(self.workdir / "kdc.pid")],
                                   stdin=subprocess.DEVNULL, stdout=log, stderr=log, env=self.env(),
                                   start_new_session=True)
        log.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise KerberosError(f"wsfc_lab: krb5kdc exited with {process.returncode}; see {self.log}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    break
            except OSError:
                time.sleep(0.1)
        else:
            process.kill()
            raise KerberosError(f"wsfc_lab: krb5kdc did not listen on 127.0.0.1:{self.port} within {timeout} s")
        state = json.loads((self.workdir / "kdc.json").read_text())
        state["pid"] = process.pid
        (self.workdir / "kdc.json").write_text(json.dumps(state))
        return process.pid

    def stop(self, timeout: float = 10.0) -> bool:
        """Stop the KDC started by :meth:`start` (SIGTERM, then SIGKILL); False when none was running."""
        try:
            pid = int(json.loads((self.workdir / "kdc.json").read_text()).get("pid") or 0)
        except (OSError, ValueError):
            return False
        if not pid:
            return False
        try:
            os.kill(pid, signal.SIGTERM)
        except ProcessLookupError:
            return False
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                finished, _ = os.waitpid(pid, os.WNOHANG)
            except ChildProcessError:  # not our child (another process started it): poll for its end
                finished = 0 if alive(pid) else pid
            if finished:
                return True
            time.sleep(0.05)
        os.kill(pid, signal.SIGKILL)
        return True

    # ---- clients --------------------------------------------------------------------------------------

    def kinit(self, principal: str, password: str, ccache: Path, lifetime: str | None = None) -> Path:
        """Get a ticket-granting ticket into ``ccache`` with ``kinit`` (password on standard input)."""
        argv = [tool("kinit"), "-c", f"FILE:{ccache}"]
        if lifetime:
            argv += ["-l", lifetime]
        self._run(argv + [principal], what=f"kinit {principal}", stdin=password + "\n", secret=password)
        return Path(ccache)

    def service_ticket(self, ccache: Path, principal: str) -> None:
        """Get the service ticket for ``principal`` into ``ccache`` now (``kvno``), as a first connection would."""
        self._run([tool("kvno"), "-c", f"FILE:{ccache}", principal], what=f"kvno {principal}")


def skewed_copy(source: Path, target: Path, seconds: int) -> Path:
    """A copy of a credential cache as a client whose clock is ``seconds`` off holds it.

    MIT Kerberos keeps a client's clock correction in the credential cache's
    header (the offset ``kdc_timesync`` learns from the KDC) and every
    client that opens the cache applies it; this writes that offset. A client
    whose clock is ahead of the node's by more than the 5 minute skew
    presents an authenticator the node refuses (KRB_AP_ERR_SKEW), as a
    Windows node refuses it beyond its "Maximum tolerance for computer clock
    synchronization". Needs the ``krb5`` bindings (pyspnego's kerberos extra).
    """
    import krb5  # pylint: disable=import-outside-toplevel
    ctx = krb5.init_context()
    cache = krb5.cc_resolve(ctx, f"FILE:{source}".encode())
    creds = [c for c in cache if not c.server.name.startswith(b"krb5_ccache_conf_data")]
    skewed = krb5.init_context()
    sec, usec = krb5.us_timeofday(skewed)
    krb5.set_real_time(skewed, sec + int(seconds), usec)
    copy = krb5.cc_resolve(skewed, f"FILE:{target}".encode())
    krb5.cc_initialize(skewed, copy, krb5.cc_get_principal(ctx, cache))
    for cred in creds:
        krb5.cc_store_cred(skewed, copy, cred)
    return Path(target)


