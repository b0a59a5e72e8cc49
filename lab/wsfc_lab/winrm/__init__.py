"""A WinRM (WS-Management / WinRS) listener for the simulated cluster nodes.

Real clients talk to it unmodified: pywinrm and ansible-core's ``winrm``
connection plugin, over NTLM with message encryption on HTTP (what a
domain-joined Windows node accepts by default) or Basic over HTTPS.

Modules, one job each:

* :mod:`.server`     - HTTP(S) listener, per-connection auth state, :class:`WinRMEndpoint`
* :mod:`.auth`       - NTLM acceptor (pyspnego) and Basic checks, user matching
* :mod:`.encryption` - the ``multipart/encrypted`` NTLM sealing framing ([MS-WSMV] 2.2.9.1.1)
* :mod:`.soap`       - request parsing, response and WSManFault envelopes
* :mod:`.shell`      - shells, commands, runner threads, Receive/timeout logic
* :mod:`.tls`        - CA + server certificate for ``basic-https``
"""

from .shell import Runner
from .server import WinRMEndpoint
from .tls import TLSMaterial, make_tls_material

__all__ = ["Runner", "TLSMaterial", "WinRMEndpoint", "make_tls_material"]
