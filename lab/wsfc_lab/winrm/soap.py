"""WS-Management SOAP envelopes: parse what clients send, build what Windows answers.

Only the shapes that the WinRS (``windows/shell/cmd``) and PowerShell
(``powershell/<configuration>``, PSRP) resources use are modelled, because
that is all pywinrm, pypsrp and ansible's ``winrm``/``psrp`` connection
plugins speak: ``transfer/Create`` and ``transfer/Delete`` of a shell,
``shell/Command``, ``shell/Send``, ``shell/Receive``, ``shell/Signal``
([MS-WSMV] 3.1.4.x, [MS-PSRP] 3.1.5.3), plus the DMTF ``Identify`` request.

Responses copy the layout of real Windows answers (captured in pywinrm's own
test fixtures, ``winrm/tests/conftest.py``): ``s:`` / ``a:`` / ``w:`` /
``rsp:`` / ``p:`` prefixes, ``a:To`` set to the anonymous role, ``a:RelatesTo``
echoing the request's ``a:MessageID`` (pywinrm asserts on it for Delete and
Signal), upper-case GUIDs.

Faults are raised as :class:`WSManFault` and rendered with :func:`fault_envelope`;
the HTTP layer sends them with status 500, as Windows does. The constructors
below (``operation_timed_out`` and friends) carry the exact code, subcode,
reason and WSManFault code/message Windows uses; see each docstring for the
source.
"""

from __future__ import annotations

import re
import uuid
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from xml.sax.saxutils import escape, quoteattr

NS = {
    "s": "http://www.w3.org/2003/05/soap-envelope",
    "a": "http://schemas.xmlsoap.org/ws/2004/08/addressing",
    "x": "http://schemas.xmlsoap.org/ws/2004/09/transfer",
    "e": "http://schemas.xmlsoap.org/ws/2004/08/eventing",
    "n": "http://schemas.xmlsoap.org/ws/2004/09/enumeration",
    "w": "http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd",
    "p": "http://schemas.microsoft.com/wbem/wsman/1/wsman.xsd",
    "rsp": "http://schemas.microsoft.com/wbem/wsman/1/windows/shell",
    "f": "http://schemas.microsoft.com/wbem/wsman/1/wsmanfault",
    "wsmid": "http://schemas.dmtf.org/wbem/wsman/identity/1/wsmanidentity.xsd",
}

SHELL_CMD_URI = "http://schemas.microsoft.com/wbem/wsman/1/windows/shell/cmd"
ANONYMOUS = "http://schemas.xmlsoap.org/ws/2004/08/addressing/role/anonymous"

ACTION_CREATE = "http://schemas.xmlsoap.org/ws/2004/09/transfer/Create"
ACTION_DELETE = "http://schemas.xmlsoap.org/ws/2004/09/transfer/Delete"
ACTION_COMMAND = "http://schemas.microsoft.com/wbem/wsman/1/windows/shell/Command"
ACTION_SEND = "http://schemas.microsoft.com/wbem/wsman/1/windows/shell/Send"
ACTION_RECEIVE = "http://schemas.microsoft.com/wbem/wsman/1/windows/shell/Receive"
ACTION_SIGNAL = "http://schemas.microsoft.com/wbem/wsman/1/windows/shell/Signal"
ACTION_FAULT = "http://schemas.dmtf.org/wbem/wsman/1/wsman/fault"
ACTION_ADDRESSING_FAULT = "http://schemas.xmlsoap.org/ws/2004/08/addressing/fault"

SIGNAL_TERMINATE = "http://schemas.microsoft.com/wbem/wsman/1/windows/shell/signal/terminate"
SIGNAL_CTRL_C = "http://schemas.microsoft.com/wbem/wsman/1/windows/shell/signal/ctrl_c"
SIGNAL_CTRL_BREAK = "http://schemas.microsoft.com/wbem/wsman/1/windows/shell/signal/ctrl_break"

STATE_DONE = "http://schemas.microsoft.com/wbem/wsman/1/windows/shell/CommandState/Done"
STATE_RUNNING = "http://schemas.microsoft.com/wbem/wsman/1/windows/shell/CommandState/Running"


def _q(prefix: str, local: str) -> str:
    return "{%s}%s" % (NS[prefix], local)


def new_guid() -> str:
    """Windows writes ShellId / CommandId / MessageID GUIDs in upper case."""
    return str(uuid.uuid4()).upper()


# --------------------------------------------------------------------------- faults


class WSManFault(Exception):
    """A SOAP 1.2 fault with Microsoft's ``f:WSManFault`` detail."""

    def __init__(
        self,
        code: str,
        subcode: str,
        reason: str,
        wsman_code: int,
        message: str,
        *,
        fault_detail: str | None = None,
        action: str = ACTION_FAULT,
    ) -> None:
        super().__init__(f"{subcode} ({wsman_code}): {message}")
        self.code = code
        self.subcode = subcode
        self.reason = reason
        self.wsman_code = wsman_code
        self.message = message
        self.fault_detail = fault_detail
        self.action = action


def operation_timed_out() -> WSManFault:
    """Receive found no output within ``w:OperationTimeout``.

    [MS-WSMV] 3.1.4.14.2: if no output is available before the timeout the
    server MUST return a WSManFault with Code 2150858793
    (``ERROR_WSMAN_OPERATION_TIMEDOUT``, 0x80338029), subcode ``w:TimedOut``.
    pywinrm (``protocol.py``) and ansible turn exactly this code into
    ``WinRMOperationTimeoutError`` and poll again.
    """
    text = "The WS-Management service cannot complete the operation within the time specified in OperationTimeout."
    return WSManFault("s:Receiver", "w:TimedOut", text, 2150858793, text)


_INVALID_SELECTORS = (
    "The WS-Management service cannot process the request because the request contained invalid selectors for the resource."
)
_UNEXPECTED_SELECTORS_DETAIL = "http://schemas.dmtf.org/wbem/wsman/1/wsman/faultDetail/UnexpectedSelectors"


def shell_not_found(shell_id: str) -> WSManFault:
    """Unknown or deleted ShellId.

    Verbatim from a Windows capture in pywinrm's fixtures
    (``CLOSE_SHELL_RESPONSE_ALREADY_CLOSED``, HTTP 500):
    ``ERROR_WSMAN_UNEXPECTED_SELECTORS`` 2150858843 (0x8033805B).
    """
    return WSManFault(
        "s:Sender",
        "w:InvalidSelectors",
        _INVALID_SELECTORS,
        2150858843,
        f"The request for the Windows Remote Shell with ShellId {shell_id} failed because the shell was not found "
        "on the server. Possible causes are: the specified ShellId is incorrect or the shell no longer exists on the "
        "server. Provide the correct ShellId or create a new shell and retry the operation.",
        fault_detail=_UNEXPECTED_SELECTORS_DETAIL,
    )


def command_not_found() -> WSManFault:
    """Unknown or terminated CommandId in a live shell.

    Same code/subcode as an unknown shell (2150858843, ``w:InvalidSelectors``)
    with the WinRS message that pypsrp's recorded Windows responses show
    (``test_winrs_bad_cmd_id``).
    """
    return WSManFault(
        "s:Sender",
        "w:InvalidSelectors",
        _INVALID_SELECTORS,
        2150858843,
        "The Windows Remote Shell received a request to perform an operation on a command identifier that does not "
        "exist. Either the command has completed execution or the client specified an invalid command identifier.",
        fault_detail=_UNEXPECTED_SELECTORS_DETAIL,
    )


def action_not_supported(action: str) -> WSManFault:
    """An ``a:Action`` the service does not implement.

    wsman.h: ``ERROR_WSMAN_ACTION_NOT_SUPPORTED`` 0x80338013 (2150858771),
    "wsa, code=Sender, subcode=WS-Addressing ActionNotSupported".
    """
    text = "The WS-Management service does not support the action specified in the request."
    return WSManFault(
        "s:Sender",
        "a:ActionNotSupported",
        text,
        2150858771,
        text,
        action=ACTION_ADDRESSING_FAULT,
    )


def resource_not_found(resource_uri: str) -> WSManFault:
    """A ResourceURI the lab does not serve (the cmd shell and the Microsoft.PowerShell configuration are served).

    wsman.h: ``ERROR_WSMAN_RESOURCE_NOT_FOUND`` 0x80338000 (2150858752),
    reported as WS-Addressing ``DestinationUnreachable``.
    """
    text = (
        "The WS-Management service cannot process the request. The service cannot find the resource identified by "
        "the resource URI and selectors."
    )
    return WSManFault(
        "s:Sender",
        "w:DestinationUnreachable",
        text,
        2150858752,
        text,
        fault_detail="http://schemas.dmtf.org/wbem/wsman/1/wsman/faultDetail/InvalidResourceURI",
    )


def invalid_request(detail: str) -> WSManFault:
    """A request the lab cannot read (missing body element, bad base64...).

    Mapped to ``ERROR_WSMAN_INVALID_SOAP_BODY`` 0x80338027 (2150858791).
    """
    return WSManFault(
        "s:Sender",
        "w:SchemaValidationError",
        "The SOAP XML in the message does not match the corresponding XML schema definition. Change the XML and "
        "retry.",
        2150858791,
        detail,
    )


# --------------------------------------------------------------------------- requests


_DURATION = re.compile(
    r"^P(?:(?P<d>\d+(?:\.\d+)?)D)?(?:T(?:(?P<h>\d+(?:\.\d+)?)H)?(?:(?P<m>\d+(?:\.\d+)?)M)?(?:(?P<s>\d+(?:\.\d+)?)S)?)?$"
)


def parse_duration(text: str | None) -> float | None:
    """xs:duration as used by ``w:OperationTimeout`` (``PT20S``, ``PT60.000S``)."""
    if not text:
        return None
    m = _DURATION.match(text.strip())
    if not m:
        return None
    parts = {k: float(v) if v else 0.0 for k, v in m.groupdict().items()}
    return parts["d"] * 86400 + parts["h"] * 3600 + parts["m"] * 60 + parts["s"]


@dataclass
class WSManRequest:
    """The parts of a request envelope the service acts on."""

    action: str | None
    message_id: str | None
    resource_uri: str | None
    selectors: dict[str, str] = field(default_factory=dict)
    options: dict[str, str] = field(default_factory=dict)
    operation_timeout: float | None = None
    body: ET.Element | None = None

    def body_child(self, prefix: str, local: str) -> ET.Element | None:
        if self.body is None:
            return None
        return self.body.find(_q(prefix, local))


class MalformedEnvelope(ValueError):
    """The bytes are not a SOAP 1.2 envelope."""


def parse_request(data: bytes) -> WSManRequest:
    try:
        root = ET.fromstring(data)
    except ET.ParseError as exc:
        raise MalformedEnvelope(str(exc)) from None
    if root.tag != _q("s", "Envelope"):
        raise MalformedEnvelope("not a SOAP 1.2 envelope")
    header = root.find(_q("s", "Header"))
    body = root.find(_q("s", "Body"))

    def text(prefix: str, local: str) -> str | None:
        if header is None:
            return None
        el = header.find(_q(prefix, local))
        return el.text.strip() if el is not None and el.text else None

    selectors: dict[str, str] = {}
    options: dict[str, str] = {}
    if header is not None:
        for sel in header.iterfind(f"{_q('w', 'SelectorSet')}/{_q('w', 'Selector')}"):
            if sel.get("Name"):
                selectors[sel.get("Name", "")] = (sel.text or "").strip()
        for opt in header.iterfind(f"{_q('w', 'OptionSet')}/{_q('w', 'Option')}"):
            if opt.get("Name"):
                options[opt.get("Name", "")] = (opt.text or "").strip()
    return WSManRequest(
        action=text("a", "Action"),
        message_id=text("a", "MessageID"),
        resource_uri=text("w", "ResourceURI"),
        selectors=selectors,
        options=options,
        operation_timeout=parse_duration(text("w", "OperationTimeout")),
        body=body,
    )


def is_identify(req: WSManRequest) -> bool:
    return req.body_child("wsmid", "Identify") is not None


# --------------------------------------------------------------------------- responses

_ENVELOPE_NS = " ".join(
    f'xmlns:{p}="{NS[p]}"' for p in ("s", "a", "x", "w", "rsp", "p")
)
_FAULT_NS = " ".join(f'xmlns:{p}="{NS[p]}"' for p in ("s", "a", "x", "e", "n", "w", "p"))


def _envelope(action: str, relates_to: str | None, body: str, namespaces: str = _ENVELOPE_NS) -> bytes:
    relates = f"<a:RelatesTo>{escape(relates_to)}</a:RelatesTo>" if relates_to else ""
    return (
        f'<s:Envelope xml:lang="en-US" {namespaces}>'
        f"<s:Header><a:Action>{escape(action)}</a:Action>"
        f"<a:MessageID>uuid:{new_guid()}</a:MessageID>"
        f"<a:To>{ANONYMOUS}</a:To>{relates}</s:Header>"
        f"<s:Body>{body}</s:Body></s:Envelope>"
    ).encode("utf-8")


def create_response(
    req: WSManRequest,
    *,
    address: str,
    shell_id: str,
    owner: str,
    client_ip: str,
    input_streams: str,
    output_streams: str,
    resource_uri: str = SHELL_CMD_URI,
) -> bytes:
    """A shell's CreateResponse; ``resource_uri`` is the cmd shell's or, for PSRP, the session configuration's."""
    body = (
        "<x:ResourceCreated>"
        f"<a:Address>{escape(address)}</a:Address>"
        "<a:ReferenceParameters>"
        f"<w:ResourceURI>{escape(resource_uri)}</w:ResourceURI>"
        f'<w:SelectorSet><w:Selector Name="ShellId">{shell_id}</w:Selector></w:SelectorSet>'
        "</a:ReferenceParameters>"
        "</x:ResourceCreated>"
        f'<rsp:Shell xmlns:rsp="{NS["rsp"]}">'
        f"<rsp:ShellId>{shell_id}</rsp:ShellId>"
        f"<rsp:ResourceUri>{escape(resource_uri)}</rsp:ResourceUri>"
        f"<rsp:Owner>{escape(owner)}</rsp:Owner>"
        f"<rsp:ClientIP>{escape(client_ip)}</rsp:ClientIP>"
        "<rsp:IdleTimeOut>PT7200.000S</rsp:IdleTimeOut>"
        f"<rsp:InputStreams>{escape(input_streams)}</rsp:InputStreams>"
        f"<rsp:OutputStreams>{escape(output_streams)}</rsp:OutputStreams>"
        "<rsp:ShellRunTime>P0DT0H0M0S</rsp:ShellRunTime>"
        "<rsp:ShellInactivity>P0DT0H0M0S</rsp:ShellInactivity>"
        "</rsp:Shell>"
    )
    return _envelope("http://schemas.xmlsoap.org/ws/2004/09/transfer/CreateResponse", req.message_id, body)


def delete_response(req: WSManRequest) -> bytes:
    return _envelope("http://schemas.xmlsoap.org/ws/2004/09/transfer/DeleteResponse", req.message_id, "")


def command_response(req: WSManRequest, command_id: str) -> bytes:
    body = f"<rsp:CommandResponse><rsp:CommandId>{command_id}</rsp:CommandId></rsp:CommandResponse>"
    return _envelope("http://schemas.microsoft.com/wbem/wsman/1/windows/shell/CommandResponse", req.message_id, body)


def send_response(req: WSManRequest) -> bytes:
    return _envelope("http://schemas.microsoft.com/wbem/wsman/1/windows/shell/SendResponse", req.message_id, "<rsp:SendResponse/>")


def signal_response(req: WSManRequest) -> bytes:
    return _envelope(
        "http://schemas.microsoft.com/wbem/wsman/1/windows/shell/SignalResponse", req.message_id, "<rsp:SignalResponse/>"
    )


def receive_response(
    req: WSManRequest,
    command_id: str,
    streams: list[tuple[str, str, bool]],
    exit_code: int | None,
) -> bytes:
    """``streams`` is ``[(name, base64_text, end)]``; ``exit_code`` None means still running.

    Like Windows, the last chunk of each stream is followed by an empty
    ``Stream`` element with ``End="true"``, and the command state is Done
    (with ``rsp:ExitCode``) only in the response that delivers the end.
    """
    parts = ["<rsp:ReceiveResponse>"]
    for name, b64, end in streams:
        end_attr = ' End="true"' if end else ""
        parts.append(f'<rsp:Stream Name={quoteattr(name)} CommandId="{command_id}"{end_attr}>{b64}</rsp:Stream>')
    if exit_code is None:
        parts.append(f'<rsp:CommandState CommandId="{command_id}" State="{STATE_RUNNING}"/>')
    else:
        parts.append(
            f'<rsp:CommandState CommandId="{command_id}" State="{STATE_DONE}">'
            f"<rsp:ExitCode>{int(exit_code)}</rsp:ExitCode></rsp:CommandState>"
        )
    parts.append("</rsp:ReceiveResponse>")
    return _envelope(
        "http://schemas.microsoft.com/wbem/wsman/1/windows/shell/ReceiveResponse", req.message_id, "".join(parts)
    )


def psrp_receive_response(req: WSManRequest, command_id: str | None, chunks: list[str], done: bool) -> bytes:
    """A ReceiveResponse carrying PSRP data on ``stdout`` ([MS-PSRP] 3.2.5.3.8).

    ``chunks`` are base64 texts, one ``Stream`` element each. For the runspace
    pool (no ``command_id``) the streams carry no CommandId and there is no
    CommandState; for a pipeline, the response that delivers its final
    PIPELINE_STATE says ``Done`` (PSRP has no exit code: the state message
    says how the pipeline ended).
    """
    parts = ["<rsp:ReceiveResponse>"]
    for b64 in chunks:
        cid = f' CommandId="{command_id}"' if command_id else ""
        parts.append(f'<rsp:Stream Name="stdout"{cid}>{b64}</rsp:Stream>')
    if command_id:
        state = STATE_DONE if done else STATE_RUNNING
        parts.append(f'<rsp:CommandState CommandId="{command_id}" State="{state}"/>')
    parts.append("</rsp:ReceiveResponse>")
    return _envelope(
        "http://schemas.microsoft.com/wbem/wsman/1/windows/shell/ReceiveResponse", req.message_id, "".join(parts)
    )


def identify_response(authenticated: bool) -> bytes:
    """DMTF DSP0226 ``IdentifyResponse`` as Windows Server 2019 answers it.

    An unauthenticated Identify (``WSMANIDENTIFY: unauthenticated``) gets the
    OS version blanked, as Windows does.
    """
    os_version = "10.0.17763" if authenticated else "0.0.0"
    body = (
        "<wsmid:IdentifyResponse>"
        "<wsmid:ProtocolVersion>http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd</wsmid:ProtocolVersion>"
        "<wsmid:ProductVendor>Microsoft Corporation</wsmid:ProductVendor>"
        f"<wsmid:ProductVersion>OS: {os_version} SP: 0.0 Stack: 3.0</wsmid:ProductVersion>"
        "</wsmid:IdentifyResponse>"
    )
    return (
        f'<s:Envelope xmlns:s="{NS["s"]}" xmlns:wsmid="{NS["wsmid"]}">'
        f"<s:Header/><s:Body>{body}</s:Body></s:Envelope>"
    ).encode("utf-8")


def fault_envelope(fault: WSManFault, relates_to: str | None, machine: str) -> bytes:
    detail = ""
    if fault.fault_detail:
        detail += f"<w:FaultDetail>{fault.fault_detail}</w:FaultDetail>"
    detail += (
        f'<f:WSManFault xmlns:f="{NS["f"]}" Code="{fault.wsman_code}" Machine={quoteattr(machine)}>'
        f"<f:Message>{escape(fault.message)}</f:Message></f:WSManFault>"
    )
    body = (
        "<s:Fault>"
        f"<s:Code><s:Value>{fault.code}</s:Value><s:Subcode><s:Value>{fault.subcode}</s:Value></s:Subcode></s:Code>"
        f'<s:Reason><s:Text xml:lang="en-US">{escape(fault.reason)}</s:Text></s:Reason>'
        f"<s:Detail>{detail}</s:Detail>"
        "</s:Fault>"
    )
    return _envelope(fault.action, relates_to, body, _FAULT_NS)
