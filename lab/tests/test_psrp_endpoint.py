"""PSRP (PowerShell Remoting Protocol) on the lab's WinRM endpoint, against the real pypsrp client.

pypsrp opens a runspace pool on the ``Microsoft.PowerShell`` configuration and
runs pipelines the way ansible-core's ``psrp`` connection plugin does (a script
added with ``add_script``, its input as pipeline input, the exit code through
the host's ``SetShouldExit``). The scripts run in the lab's PowerShell engine,
so what comes back is what the engine did: objects on the output stream, error
records, warnings, host output, and the pipeline's final state.
"""

from __future__ import annotations

import threading
import time

import pytest
from pypsrp.complex_objects import GenericComplexObject, PSInvocationState
from pypsrp.exceptions import AuthenticationError, WSManFaultError
from pypsrp.host import PSHost, PSHostUserInterface
from pypsrp.powershell import PowerShell, RunspacePool
from pypsrp.wsman import WSMan

from wsfc_lab.cmdlets import build_cmdlet_table
from wsfc_lab.pwsh.host import Host
from wsfc_lab.pwsh.pipeline_host import run_pipeline_script
from wsfc_lab.pwsh.powershell_exe import run_script
from wsfc_lab.reference import Reference
from wsfc_lab.winrm import WinRMEndpoint

USER = "labadmin"
PASSWORD = "Ps-Rem0ting pa55"
_REFERENCE = Reference.load_default()
_CMDLETS = build_cmdlet_table()


def engine(node: str, script: str, input_objects: list) -> object:
    """The lab's engine with the core cmdlets, and no cluster model behind it."""
    host = Host(node=node, cmdlets=_CMDLETS, reference=_REFERENCE, env={"COMPUTERNAME": node, "USERNAME": USER},
                sleep=lambda s: time.sleep(min(s, 3.0)))
    return run_pipeline_script(script, host, input_objects)


_BASELINE: set[threading.Thread] = set()


def _threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name.startswith("winrm-") and t not in _BASELINE]


@pytest.fixture(autouse=True, scope="module")
def thread_baseline():
    _BASELINE.update(t for t in threading.enumerate() if t.name.startswith("winrm-"))
    yield


@pytest.fixture
def events() -> list[dict]:
    return []


@pytest.fixture
def endpoint(events):
    ep = WinRMEndpoint("NODE1", lambda *a: (1, b"", b"no WinRS here\r\n"), {USER: PASSWORD},
                       on_event=events.append, operation_timeout_cap=1.0, psrp_runner=engine)
    ep.start()
    yield ep
    ep.stop()
    assert _threads() == []


def _wsman(ep: WinRMEndpoint, auth: str = "negotiate", password: str = PASSWORD, **kw) -> WSMan:
    kw.setdefault("operation_timeout", 5)
    kw.setdefault("read_timeout", 10)
    return WSMan("127.0.0.1", port=ep.port, ssl=False, username=USER, password=password, auth=auth,
                 cert_validation=False, no_proxy=True, **kw)


def _host() -> PSHost:
    """A client host that records host output and the exit code, as ansible's psrp plugin's does."""
    return PSHost(None, None, False, "wsfc-lab test host", None, PSHostUserInterface(), None)


def _invoke(pool: RunspacePool, script: str, lines: list[str] | None = None) -> PowerShell:
    ps = PowerShell(pool)
    ps.add_script(script)
    ps.invoke(input=lines)
    return ps


# --------------------------------------------------------------------------- pipeline input and output


@pytest.mark.parametrize("auth", ["negotiate", "ntlm"])
def test_a_script_reads_its_pipeline_input_and_returns_objects(endpoint, events, auth):
    host = _host()
    with RunspacePool(_wsman(endpoint, auth=auth), host=host) as pool:
        ps = _invoke(pool, "$lines = @($input)\n"
                           "'received ' + $lines.Count\n"
                           "foreach ($l in $lines) { $l.ToUpper() }\n"
                           "[pscustomobject]@{Node = $env:COMPUTERNAME; Count = $lines.Count; Big = 5000000000}\n"
                           "@{answer = 42}", ["alpha", "beta"])
    assert ps.state == PSInvocationState.COMPLETED
    assert not ps.had_errors
    assert ps.output[:3] == ["received 2", "ALPHA", "BETA"]
    custom = ps.output[3]
    assert isinstance(custom, GenericComplexObject)
    assert custom.types == ["System.Management.Automation.PSCustomObject", "System.Object"]
    assert custom.extended_properties == {"Node": "NODE1", "Count": 2, "Big": 5000000000}
    assert ps.output[4] == {"answer": 42}
    assert host.rc is None  # no `exit`: the host is not asked to exit
    commands = [e for e in events if e["op"] == "winrm.command"]
    assert commands == [{"op": "winrm.command", "node": "NODE1", "protocol": "psrp", "auth": "ntlm", "ok": True,
                         "rc": 0, "command": "PowerShell.AddScript", "outputs": 5, "errors": 0, "stopped": False}]


def test_exit_asks_the_host_to_exit_with_the_code(endpoint, events):
    host = _host()
    with RunspacePool(_wsman(endpoint), host=host) as pool:
        ps = _invoke(pool, "'before'; exit 7")
        assert ps.output == ["before"]
        assert ps.state == PSInvocationState.COMPLETED
        assert host.rc == 7
        host.rc = None
        again = _invoke(pool, "$x = 1; 'still open ' + $x")  # the pool outlives its pipelines
    assert again.output == ["still open 1"]
    assert [e["rc"] for e in events if e["op"] == "winrm.command"] == [7, 0]


def test_warnings_verbose_and_host_output_travel_as_their_own_records(endpoint):
    host = _host()
    with RunspacePool(_wsman(endpoint), host=host) as pool:
        ps = _invoke(pool, "Write-Warning 'disk nearly full'\n"
                           "Write-Verbose 'detail' -Verbose\n"
                           "Write-Host 'to the console'\n"
                           "'out'")
    assert ps.output == ["out"]
    assert [w.message for w in ps.streams.warning] == ["disk nearly full"]
    assert [v.message for v in ps.streams.verbose] == ["detail"]
    assert host.ui.stdout == ["to the console\r\n"]


# --------------------------------------------------------------------------- errors in Windows' shapes


def test_a_non_terminating_error_is_an_error_record_and_the_script_goes_on(endpoint):
    with RunspacePool(_wsman(endpoint)) as pool:
        ps = _invoke(pool, "Write-Error 'the disk is gone'\n'after the error'")
    assert ps.state == PSInvocationState.COMPLETED
    assert ps.output == ["after the error"]
    [error] = ps.streams.error
    assert str(error) == "the disk is gone"
    assert error.fq_error == "Microsoft.PowerShell.Commands.WriteErrorException"
    assert error.message == "NotSpecified: (:) [Write-Error], WriteErrorException"
    assert error.exception.adapted_properties["Message"] == "the disk is gone"


def test_a_terminating_error_fails_the_pipeline_with_its_record(endpoint, events):
    with RunspacePool(_wsman(endpoint)) as pool:
        ps = _invoke(pool, "'first'\nthrow 'cluster service not running'\n'never'")
    assert ps.state == PSInvocationState.FAILED
    assert ps.had_errors
    assert ps.output == ["first"]
    [error] = ps.streams.error
    assert str(error) == "cluster service not running"
    assert error.fq_error == "cluster service not running"
    assert error.message == "OperationStopped: (cluster service not running:String) [], RuntimeException"
    assert error.invocation_position_message.startswith("At line:2 char:1")
    [command] = [e for e in events if e["op"] == "winrm.command"]
    assert (command["ok"], command["rc"], command["errors"]) == (False, 1, 1)


def test_a_script_that_does_not_parse_fails_before_anything_runs(endpoint):
    script = "'never printed'\nif ($true {"
    with RunspacePool(_wsman(endpoint)) as pool:
        ps = _invoke(pool, script)
    assert ps.state == PSInvocationState.FAILED
    assert ps.output == []
    [error] = ps.streams.error
    # The same parse errors the engine reports for the script under WinRS, as one ParseException.
    winrs = run_script(script, Host(node="NODE1", cmdlets=_CMDLETS, reference=_REFERENCE))
    assert winrs.refused and winrs.errors
    assert error.fq_error == winrs.errors[0].error_id
    assert error.message == "ParserError: (:) [], ParseException"
    assert error.exception.types[0] == "System.Management.Automation.ParseException"
    for record in winrs.errors:
        assert record.message in str(error)
    assert "At line:2 char:" in str(error)


def test_an_unknown_cmdlet_is_refused_as_powershell_refuses_it(endpoint):
    with RunspacePool(_wsman(endpoint)) as pool:
        ps = _invoke(pool, "'never printed'\nGet-ClusterFrobnicator")
    assert ps.state == PSInvocationState.FAILED
    assert ps.output == []
    [error] = ps.streams.error
    assert error.fq_error == "CommandNotFoundException"
    assert "The term 'Get-ClusterFrobnicator' is not recognized" in str(error)


def test_only_a_script_pipeline_is_modelled(endpoint):
    with RunspacePool(_wsman(endpoint)) as pool:
        ps = PowerShell(pool)
        ps.add_cmdlet("Get-Date")
        ps.invoke()
    assert ps.state == PSInvocationState.FAILED
    assert "only a pipeline of one script" in str(ps.streams.error[0])


# --------------------------------------------------------------------------- the protocol around it


def test_a_slow_pipeline_is_polled_until_it_ends(endpoint):
    # operation_timeout_cap=1.0: Receive answers OperationTimeout every second; pypsrp polls again.
    with RunspacePool(_wsman(endpoint)) as pool:
        started = time.monotonic()
        ps = _invoke(pool, "Start-Sleep -Seconds 3; 'awake'")
    assert ps.output == ["awake"]
    assert time.monotonic() - started >= 3


def test_a_large_output_comes_in_several_receives(endpoint):
    with RunspacePool(_wsman(endpoint)) as pool:
        ps = _invoke(pool, "'x' * 300000; 'y' * 200000")
    assert [len(o) for o in ps.output] == [300000, 200000]


def test_a_running_pipeline_is_stopped_by_the_client(endpoint, events):
    with RunspacePool(_wsman(endpoint)) as pool:
        ps = PowerShell(pool)
        ps.add_script("Start-Sleep -Seconds 3; 'too late'")
        ps.begin_invoke()
        ps.stop()
        assert ps.state == PSInvocationState.STOPPED
        after = _invoke(pool, "'next'")
    assert after.output == ["next"]
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and len([e for e in events if e["op"] == "winrm.command"]) < 2:
        time.sleep(0.1)
    stopped = [e["stopped"] for e in events if e["op"] == "winrm.command"]
    assert sorted(stopped) == [False, True]


def test_another_session_configuration_is_not_found(endpoint):
    pool = RunspacePool(_wsman(endpoint), configuration_name="Microsoft.Exchange")
    with pytest.raises(WSManFaultError) as err:
        pool.open()
    assert err.value.code == 2150858752


def test_a_wrong_password_is_refused_with_401(endpoint, events):
    with pytest.raises(AuthenticationError):
        RunspacePool(_wsman(endpoint, password="not-it")).open()
    refused = [e for e in events if e["op"] == "winrm.auth"]
    assert refused and not refused[0]["ok"] and refused[0]["user"].endswith(USER)
    assert "not-it" not in repr(events)


def test_no_script_or_input_text_in_the_events(endpoint, events):
    with RunspacePool(_wsman(endpoint)) as pool:
        _invoke(pool, "$secret = @($input)[0]; 'done'", ["hunter2-password"])
    assert "hunter2" not in repr(events)
    assert "$secret" not in repr(events)


def test_a_script_larger_than_one_fragment_arrives_whole(endpoint):
    # CREATE_PIPELINE then spans the Command's first fragment and further Sends ([MS-PSRP] 3.1.5.3.3, 3.1.5.3.5).
    payload = "y" * 200000
    with RunspacePool(_wsman(endpoint)) as pool:
        ps = _invoke(pool, f"$s = '{payload}'\n$s.Length\n@($input).Count", [str(i) for i in range(3000)])
    assert ps.output == [200000, 3000]
