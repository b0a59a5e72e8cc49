"""Static refusals: parse errors, unknown commands/parameters, not-modelled cmdlets. Nothing runs."""

from test_pwsh_helpers import Recorder, make_host, run


def test_parse_error_missing_brace_is_refused_before_anything_runs(tmp_path):
    rec = Recorder()
    r = run("Get-ClusterNode\nif ($true) {\n'x'", make_host(tmp_path, rec))
    assert r.exit_code == 1 and r.refused
    assert r.stdout == "" and rec.calls == []
    text = r.error_text
    assert text.startswith("At line:2 char:12\n+ if ($true) {\n+            ~\n")
    assert "Missing closing '}' in statement block or type definition." in text
    assert "+ CategoryInfo          : ParserError: (:) [], ParentContainsErrorRecordException" in text
    assert "+ FullyQualifiedErrorId : MissingEndCurlyBrace" in text


def test_parse_error_unexpected_token():
    r = run("Write-Output 'a' )")
    assert r.exit_code == 1
    assert "Unexpected token ')' in expression or statement." in r.error_text
    assert "FullyQualifiedErrorId : UnexpectedToken" in r.error_text


def test_pipeline_chain_operators_are_not_windows_powershell_51():
    r = run("Write-Output a && Write-Output b")
    assert r.exit_code == 1 and "is not a valid statement separator in this version." in r.error_text


def test_one_line_function_with_param_block_parses():
    r = run("function f { param($x) \"got $x\" }\nf 1")
    assert r.exit_code == 0 and r.stdout == "got 1\r\n"


def test_unknown_cmdlet_refused_with_command_not_found(tmp_path):
    r = run("Write-Output 'first'\nGet-ClusterNodes", make_host(tmp_path))
    assert r.exit_code == 1 and r.stdout == ""
    lines = r.error_text.split("\n")
    # the host wraps the message at its width (119), keeping the trailing blank, as captured from Windows
    at = lines.index("At line:2 char:1")
    assert "".join(lines[:at]) == ("Get-ClusterNodes : The term 'Get-ClusterNodes' is not recognized as the name of a "
                                   "cmdlet, function, script file, or operable program. Check the spelling of the name,"
                                   " or if a path was included, verify that the path is correct and try again.")
    assert all(ln.endswith(" ") and len(ln) <= 119 for ln in lines[:at - 1])
    assert lines[at:at + 3] == ["At line:2 char:1", "+ Get-ClusterNodes", "+ ~~~~~~~~~~~~~~~~"]
    assert "+ CategoryInfo          : ObjectNotFound: (Get-ClusterNodes:String) [], CommandNotFoundException" in r.error_text
    assert "+ FullyQualifiedErrorId : CommandNotFoundException" in r.error_text


def test_unknown_parameter_refused(tmp_path):
    r = run("Get-ClusterNode -Nmae x", make_host(tmp_path))
    assert r.exit_code == 1
    assert r.error_text.startswith("Get-ClusterNode : A parameter cannot be found that matches parameter name 'Nmae'.")
    assert "At line:1 char:17" in r.error_text
    assert "+ CategoryInfo          : InvalidArgument: (:) [Get-ClusterNode], ParameterBindingException" in r.error_text
    assert ("+ FullyQualifiedErrorId : NamedParameterNotFound,"
            "Microsoft.FailoverClusters.PowerShell.GetClusterNodeCommand") in r.error_text


def test_ambiguous_parameter_prefix_refused(tmp_path):
    assert run("Suspend-ClusterNode NODE1 -Dr", make_host(tmp_path)).exit_code == 0   # unique prefix
    r2 = run("Suspend-ClusterNode -W", make_host(tmp_path))
    assert r2.exit_code == 1
    assert "is ambiguous. Possible matches \ninclude: -Wait -WarningAction -WarningVariable -WhatIf." in r2.error_text
    assert "AmbiguousParameter," in r2.error_text


def test_documented_but_unimplemented_cmdlet_is_not_modelled(tmp_path):
    r = run("Remove-Cluster -Force", make_host(tmp_path))
    assert r.exit_code == 1
    assert "Remove-Cluster is not modelled by the lab" in r.error_text
    assert "WsfcLabNotModelled" in r.error_text


def test_common_and_whatif_parameters_resolve(tmp_path):
    r = run("Suspend-ClusterNode NODE1 -WhatIf -ea Stop", make_host(tmp_path))
    assert r.exit_code == 0, r.error_text


def test_functions_defined_later_in_the_script_are_known(tmp_path):
    r = run("function Get-Thing { 'thing' }\nGet-Thing", make_host(tmp_path))
    assert r.stdout == "thing\r\n"


def test_programs_are_not_modelled():
    r = run("C:\\Windows\\System32\\cluster.exe node")
    assert r.exit_code == 1 and "is not modelled" in r.error_text
