"""Parameter sets and mandatory parameters, bound as Windows PowerShell 5.1's binder binds them.

Real cmdlets with their documented signatures (the shared cmdlets.json) on a
lab model: an impossible combination is AmbiguousParameterSet, a missing
mandatory parameter in the non-interactive host is MissingMandatoryParameter,
both refused before the script runs when the call alone decides it and at bind
time otherwise (splatting); pipeline input can supply mandatory parameters.
"""

from __future__ import annotations

import pytest

from wsfc_lab.cmdlets import build_cmdlet_table
from wsfc_lab.model import Cluster
from wsfc_lab.pwsh.host import Host
from wsfc_lab.pwsh.powershell_exe import run_script
from wsfc_lab.reference import Reference
from wsfc_lab.topology import parse_topology

REFERENCE = Reference.load_default()
AMBIGUOUS = "Parameter set cannot be resolved using the specified named parameters."
BINDING = "ParameterBindingException"


@pytest.fixture()
def run():
    topo = parse_topology({"cluster": "C1", "time_scale": 1, "nodes": [
        {"name": n, "nics": [{"name": "A", "gbps": 10}]} for n in ("N1", "N2")],
        "csvs": [{"name": "D1", "path": "C:\\ClusterStorage\\Volume1", "size_gb": 100, "used_gb": 10,
                  "owner": "N1"}]})
    model = Cluster(topo, reference=REFERENCE, ticker=False)

    def _run(source: str):
        host = Host(node="N1", cmdlets=build_cmdlet_table(), reference=REFERENCE, env={"COMPUTERNAME": "N1"},
                    now=model.now, context=model)
        return run_script(source, host)
    yield _run
    model.close()


def _only_error(r):
    assert len(r.errors) == 1, r.error_text
    return r.errors[0]


# ---- AmbiguousParameterSet -------------------------------------------------------------------------------

def test_parameters_of_two_sets_are_refused_before_the_script_runs(run):
    r = run("Write-Output 'first'\nGet-Item -Path C:\\ -LiteralPath C:\\")
    assert r.refused and r.exit_code == 1 and r.stdout == ""
    err = _only_error(r)
    assert err.message == AMBIGUOUS
    assert err.error_id == "AmbiguousParameterSet,Microsoft.PowerShell.Commands.GetItemCommand"
    assert err.category_info() == f"InvalidArgument: (:) [Get-Item], {BINDING}"
    assert r.error_text.startswith(f"Get-Item : {AMBIGUOUS}\nAt line:2 char:1\n")


def test_splatted_parameters_of_two_sets_are_refused_when_the_statement_runs(run):
    r = run("$p = @{ Path = 'C:\\'; LiteralPath = 'C:\\' }\nGet-Item @p\n'after'")
    assert not r.refused
    assert r.stdout == "after\r\n"          # statement-terminating: the script goes on
    err = _only_error(r)
    assert err.message == AMBIGUOUS and err.error_id.startswith("AmbiguousParameterSet,")


def test_builtin_cmdlets_have_their_documented_sets(run):
    r = run("Get-Date -Format o -UFormat %s")   # -Format is in the 'net' set only, -UFormat in 'UFormat'
    assert r.refused
    assert _only_error(r).error_id == "AmbiguousParameterSet,Microsoft.PowerShell.Commands.GetDateCommand"


def test_no_default_set_and_nothing_to_choose_by_is_ambiguous(run):
    # Remove-NetLbfoTeam's page marks no default set; each set has an unbound mandatory parameter
    r = run("Remove-NetLbfoTeam -Confirm:$false")
    assert r.refused
    assert _only_error(r).error_id == "AmbiguousParameterSet,Remove-NetLbfoTeam"   # a CDXML function


# ---- MissingMandatoryParameter ---------------------------------------------------------------------------

def test_missing_mandatory_parameter_is_refused_as_the_non_interactive_host_does(run):
    r = run("Get-CimInstance")
    assert r.refused
    err = _only_error(r)
    assert err.message == "Cannot process command because of one or more missing mandatory parameters: ClassName."
    assert err.error_id == ("MissingMandatoryParameter,"
                            "Microsoft.Management.Infrastructure.CimCmdlets.GetCimInstanceCommand")
    assert err.category_info() == f"InvalidArgument: (:) [Get-CimInstance], {BINDING}"


def test_the_default_set_breaks_the_tie(run):
    # -Force is in both of Get-Item's sets; the default set (Path) is chosen, so -Path is what is missing
    r = run("Get-Item -Force")
    assert _only_error(r).message.endswith("missing mandatory parameters: Path.")


def test_every_missing_mandatory_parameter_is_named(run):
    r = run("Set-Content")
    message = _only_error(r).message
    assert message.startswith("Cannot process command because of one or more missing mandatory parameters: ")
    assert sorted(message.rstrip(".").split(": ", 1)[1].split(" ")) == ["Path", "Value"]


def test_missing_mandatory_parameter_after_splatting_is_refused_when_the_statement_runs(run):
    r = run("$p = @{ Force = $true }\nGet-Item @p\n'after'")
    assert not r.refused and r.stdout == "after\r\n"
    assert _only_error(r).error_id.startswith("MissingMandatoryParameter,")


def test_pipeline_input_cannot_supply_a_parameter_that_takes_none(run):
    # -Execute is mandatory and takes no pipeline input: no input object can fill it
    r = run("'x' | New-ScheduledTaskAction")
    assert r.refused
    assert _only_error(r).message.endswith("missing mandatory parameters: Execute.")


# ---- binding that works ----------------------------------------------------------------------------------

def test_pipeline_input_by_value_satisfies_a_mandatory_parameter(run):
    r = run("'C:\\' | Get-Item | ForEach-Object { $_.FullName }")
    assert r.exit_code == 0 and r.errors == [], r.error_text
    assert r.stdout == "C:\\\r\n"


def test_pipeline_input_by_property_name_satisfies_a_mandatory_parameter(run):
    r = run("[pscustomobject]@{ Path = 'C:\\ClusterStorage\\Volume1' } | Test-Path")
    assert r.errors == [] and r.stdout == "True\r\n", r.error_text


def test_an_input_object_missing_a_mandatory_parameter_is_an_error_for_that_object(run):
    # -Value binds from the string, -Path (ByPropertyName) finds no property: written per object, not fatal
    r = run("'text' | Set-Content\n'after'")
    assert r.stdout == "after\r\n"
    err = _only_error(r)
    assert err.message == ("The input object cannot be bound because it did not contain the information required to "
                           "bind all mandatory parameters:  Path")
    assert err.error_id == "InputObjectMissingMandatory,Microsoft.PowerShell.Commands.SetContentCommand"
    assert err.target == "text"


def test_an_input_object_no_parameter_takes_is_an_error_for_that_object(run):
    r = run("1 | Get-SmbClientConfiguration\n'after'")
    assert r.stdout == "after\r\n"
    assert _only_error(r).error_id == "InputObjectNotBound,Get-SmbClientConfiguration"


def test_a_single_remaining_set_wins(run):
    r = run("(Get-Item -LiteralPath C:\\ClusterStorage\\Volume1).FullName")
    assert r.errors == [] and r.stdout == "C:\\ClusterStorage\\Volume1\r\n", r.error_text


def test_positional_values_bind_by_their_type_in_the_candidate_sets(run):
    # a script block is FilterScript (ScriptBlockSet), a word is Property (EqualSet, the default set)
    r = run("1, 2, 3 | Where-Object { $_ -gt 1 }\n"
            "[pscustomobject]@{ A = 1 }, [pscustomobject]@{ A = 0 } | Where-Object A | ForEach-Object { 'A' + $_.A }")
    assert r.errors == [] and r.stdout == "2\r\n3\r\nA1\r\n", r.error_text


def test_values_the_check_cannot_see_are_left_to_bind_time(run):
    r = run("$where = 'C:\\'\n(Get-Item $where).FullName")
    assert r.errors == [] and r.stdout == "C:\\\r\n", r.error_text


def test_positions_the_page_gives_twice_are_not_modelled(run):
    # Register-ScheduledTask's page puts -User and -Trigger both at position 3 in the User set
    r = run("$a = New-ScheduledTaskAction -Execute cmd.exe\nRegister-ScheduledTask t \\ $a someone\n'after'")
    assert r.exit_code == 1 and r.stdout == ""      # not modelled stops the script
    err = _only_error(r)
    assert err.error_id == "WsfcLabNotModelled" and "-User and -Trigger the same position 3" in err.message


def test_another_providers_dynamic_parameter_is_not_modelled(run):
    r = run("Get-Item -Path C:\\ -CodeSigningCert")
    assert r.refused and "dynamic parameter of the Certificate provider" in r.error_text


def test_common_parameters_are_windows_powershell_51s(run):
    assert run("Get-Item C:\\ -ErrorAction Stop | Out-Null").errors == []
    r = run("Get-Item C:\\ -ProgressAction SilentlyContinue")     # PowerShell 7.4's
    assert r.refused
    assert _only_error(r).message == "A parameter cannot be found that matches parameter name 'ProgressAction'."
