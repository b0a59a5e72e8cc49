"""A WinRM (WS-Management: WinRS and PSRP) listener for the simulated cluster nodes.

Real clients talk to it unmodified: pywinrm, pypsrp and ansible-core's
``winrm`` and ``psrp`` connection plugins, over NTLM or Kerberos (Negotiate)
with message encryption on HTTP (what a domain-joined Windows node accepts
by default) or Basic over HTTPS.

Modules, one job each:

* :mod:`.server`      - HTTP(S) listener, per-connection auth state, :class:`WinRMEndpoint`
* :mod:`.auth`        - Negotiate acceptor (NTLM, SPNEGO, Kerberos through pyspnego) and Basic checks
* :mod:`.encryption`  - the ``multipart/encrypted`` sealing framing ([MS-WSMV] 2.2.9.1.1)
* :mod:`.soap`        - request parsing, response and WSManFault envelopes
* :mod:`.shell`       - WinRS shells, commands, runner threads, Receive/timeout logic
* :mod:`.psrp`        - PSRP runspace pools and pipelines (psrpcore), pipeline threads
* :mod:`.psrp_values` - the engine's values and error records as PSRP's CLIXML types
* :mod:`.tls`         - CA + server certificate for ``basic-https``
"""

from .shell import Runner
from .server import WinRMEndpoint
from .tls import TLSMaterial, make_tls_material

__all__ = ["Runner", "TLSMaterial", "WinRMEndpoint", "make_tls_material"]
