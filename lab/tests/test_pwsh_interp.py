"""Language semantics: strict mode, errors, try/catch, exit codes, the ansible trailer, operators."""

import base64
import sys
from pathlib import Path

from hypothesis import example, given, settings, strategies as st

from test_pwsh_helpers import Recorder, make_host, run

TRAILER = ("If (-not $?) { If (Get-Variable LASTEXITCODE -ErrorAction SilentlyContinue) { exit $LASTEXITCODE } "
           "Else { exit 1 } }")


def ansible(body: str) -> str:
    """What ansible sends: strict mode, stripped lines without blanks, the $? trailer."""
    lines = [ln.strip() for ln in ("Set-StrictMode -Version Latest\n" + body + "\n" + TRAILER).splitlines()]
    return "\n".join(ln for ln in lines if ln)


def test_strict_mode_missing_property_throws():
    r = run(ansible("$o = [pscustomobject]@{ Name = 'a' }\n$o.Nmae\n'next'"))
    assert "The property 'Nmae' cannot be found on this object. Verify that the property exists." in r.error_text
    assert "+ FullyQualifiedErrorId : PropertyNotFoundStrict" in r.error_text
    assert "At line:3 char:1\n+ $o.Nmae\n+ ~~~~~~~" in r.error_text
    assert r.stdout == "next\r\n"            # statement-terminating only
    assert r.exit_code == 0


def test_without_strict_mode_missing_things_are_null():
    r = run("$o = [pscustomobject]@{ Name = 'a' }\n\"[$($o.Nmae)][$undefined]\"")
    assert r.stdout == "[][]\r\n" and r.exit_code == 0


def test_strict_mode_count_on_scalar_throws_like_51():
    r = run(ansible("$o = [pscustomobject]@{ Name = 'a' }\n$o.Count"))
    assert "The property 'Count' cannot be found" in r.error_text
    r = run(ansible("$o = [pscustomobject]@{ Name = 'a' }\n@($o).Count"))
    assert r.stdout == "1\r\n" and r.errors == []


def test_strict_mode_uninitialised_variable():
    r = run(ansible("$nope"))
    assert "The variable '$nope' cannot be retrieved because it has not been set." in r.error_text
    assert "InvalidOperation: (nope:String) [], RuntimeException" in r.error_text
    assert r.exit_code == 1                  # via the trailer: $? is false


def test_try_catch_with_error_action_stop(tmp_path):
    host = make_host(tmp_path, Recorder())
    r = run(ansible("try { Get-ClusterNode ghost -ErrorAction Stop; 'not here' }\n"
                    "catch { 'caught: ' + $_.Exception.Message; $_.FullyQualifiedErrorId; [string]$_.CategoryInfo.Category }\n"
                    "finally { 'finally' }"), host)
    assert r.stdout == ("caught: The cluster node 'ghost' was not found.\r\n"
                        "Get-ClusterNode,Microsoft.FailoverClusters.PowerShell.GetClusterNodeCommand\r\n"
                        "ObjectNotFound\r\nfinally\r\n")
    assert r.exit_code == 0 and r.errors == []


def test_throw_uncaught_exits_1_with_error_text():
    r = run("'before'\nthrow 'boom'\n'after'")
    assert r.stdout == "before\r\n" and r.exit_code == 1
    assert r.error_text.startswith("boom\nAt line:2 char:1\n+ throw 'boom'\n+ ~~~~~~~~~~~~")
    assert "+ CategoryInfo          : OperationStopped: (boom:String) [], RuntimeException" in r.error_text
    assert "+ FullyQualifiedErrorId : boom" in r.error_text


def test_catch_by_type_and_rethrow():
    r = run("try { try { 1/0 } catch [System.Management.Automation.RuntimeException] { 'inner'; throw } } "
            "catch { 'outer: ' + $_.Exception.Message }")
    assert r.stdout == "inner\r\nouter: Attempted to divide by zero.\r\n"


def test_exit_codes():
    assert run("exit 7").exit_code == 7
    assert run("'x'").exit_code == 0
    assert run(ansible("Write-Error 'bad'")).exit_code == 1
    assert run(ansible("Write-Error 'bad'\n'fine'")).exit_code == 0
    assert run("function f { exit 3 }\nf\n'never'").exit_code == 3


def test_error_action_preference_stop_makes_errors_terminating():
    r = run("$ErrorActionPreference = 'Stop'\n$x = $null.Foo()\n'after'")
    assert r.exit_code == 1 and r.stdout == ""
    assert "You cannot call a method on a null-valued expression." in r.error_text


def test_operators_and_arrays():
    r = run("(1,2,3,4 -gt 2) -join ','\n'abc' -like 'A*'\n'abc' -clike 'A*'\n"
            "if ('v-12' -match 'v-(?<n>\\d+)') { $Matches.n; $Matches[1] }\n"
            "'a,b,,c' -split ',' | Measure-Object | ForEach-Object Count\n"
            "'Hello' -replace 'l+', 'L'\n3 -in 1,2,3\n@(1,2) -contains '2'\n"
            "'{0}-{1:D3}' -f 'x', 7\n10 / 4\n10 / 5\n7 % 3\n1GB / 1MB\n'ab' * 2\n$null -eq $null")
    assert r.stdout.split("\r\n")[:-1] == ["3,4", "True", "False", "12", "12", "4", "HeLo", "True", "True",
                                           "x-007", "2.5", "2", "1", "1024", "abab", "True"]


def test_strings_and_here_strings():
    r = run("$n = 'W'\n$o = [pscustomobject]@{ P = 1 }\n\"a`tb $n $($o.P) $o.P\"\n@\"\nline $n\n\"quoted\"\n\"@\n"
            "@'\nraw $n\n'@\n'it''s'")
    assert r.stdout == "a\tb W 1 @{P=1}.P\r\nline W\n\"quoted\"\r\nraw $n\r\nit's\r\n"


def test_loops_switch_functions_scopes():
    r = run("$t = 0\nforeach ($i in 1..5) { if ($i -eq 2) { continue }; if ($i -eq 5) { break }; $t += $i }\n$t\n"
            "for ($i = 0; $i -lt 3; $i++) { $i }\n"
            "$k = 0; while ($k -lt 2) { $k++ }; $k\n"
            "switch ('b') { 'a' { 'A' } 'b' { 'B' } default { 'D' } }\n"
            "$g = 1; function Set-G { $g = 2; $script:h = 3 }; Set-G; \"$g $h\"\n"
            "$sb = { param($x) $x * 2 }; & $sb 21; $sb.Invoke(4)\n"
            "$c = 0; 1..3 | ForEach-Object { $c++ }; $c")
    assert r.stdout.split("\r\n")[:-1] == ["8", "0", "1", "2", "2", "B", "1 3", "42", "8", "3"], r.error_text


def test_hashtable_members_and_casts():
    r = run(ansible("$h = @{}\n$h.Add('a', 1)\n$h['b'] = 2\n$h.c = 3\n$h.ContainsKey('B')\n$h.Count\n$h.missing\n"
                    "[int]'42' + 1\n[int]2.5\n[int]3.5\n[bool]'false'\n[string]$null -eq ''\n"
                    "([guid]'6f9619ff-8b86-d011-b42d-00c04fc964ff').ToString()\n[long]1GB * 2"))
    assert r.stdout.split("\r\n")[:-1] == ["True", "3", "43", "2", "4", "True", "True",
                                           "6f9619ff-8b86-d011-b42d-00c04fc964ff", "2147483648"], r.error_text
    assert r.exit_code == 0


def test_select_sort_measure_where_simple_syntax():
    r = run("$d = @([pscustomobject]@{ N = 'b'; V = 2 }, [pscustomobject]@{ N = 'a'; V = 5 }, [pscustomobject]@{ N = 'c'; V = 1 })\n"
            "($d | Sort-Object V -Descending | Select-Object -First 1).N\n"
            "($d | Where-Object V -GT 1 | Measure-Object -Property V -Sum).Sum\n"
            "$d | Sort-Object N | Select-Object -ExpandProperty N\n"
            "($d | Select-Object N, @{ n = 'Double'; e = { $_.V * 2 } } | Select-Object -Last 1).Double")
    assert r.stdout.split("\r\n")[:-1] == ["a", "7", "a", "b", "c", "2"], r.error_text


def test_unsupported_construct_is_not_modelled_not_skipped():
    r = run("'before'\ntrap { 'x' }\n'after'")
    assert "is not modelled by the lab" in r.error_text and r.exit_code == 1
    assert "after" not in r.stdout


def test_collection_wrapper_runs_and_reports_errors(tmp_path):
    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "plugins" / "plugin_utils"))
    import powershell as collection
    from wsfc_lab.pwsh import run_script
    from wsfc_lab.pwsh.powershell_exe import stdin_lines
    script = collection.build_script("$n = Get-ClusterNode $WsfcArgs.node\n[ordered]@{ name = [string]$n.Name; "
                                     "state = [string]$n.State } | ConvertTo-Json -Compress")
    r = run_script(ansible(script), make_host(tmp_path, Recorder()),
                   stdin_lines(collection.build_input({"node": "NODE2"})))
    assert collection.parse_result("t", r.exit_code, r.stdout, r.stderr) == {"name": "NODE2", "state": "Paused"}
    bad = collection.build_script("Get-ClusterNode $WsfcArgs.node")
    r = run_script(ansible(bad), make_host(tmp_path, Recorder()),
                   stdin_lines(collection.build_input({"node": "ghost"})))
    assert r.exit_code == 1
    try:
        collection.parse_result("t", r.exit_code, r.stdout, r.stderr)
    except collection.OperationError as exc:
        assert exc.node == "NODE1" and exc.category == "ObjectNotFound"
        assert "ghost" in exc.reason
    else:
        raise AssertionError("expected OperationError")


TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=40)


@settings(max_examples=60, deadline=None)
@given(TEXT)
@example("\r#0")  # the grammar's scanner read this "#" as a comment (found by this test)
@example('a " #0 $x `')
def test_string_literals_round_trip(s):
    single = "'" + s.replace("'", "''").replace("\u2018", "\u2018\u2018").replace("\u2019", "\u2019\u2019") \
        .replace("\u201a", "\u201a\u201a").replace("\u201b", "\u201b\u201b") + "'"
    double = '"' + "".join("`" + c if c in '`"$\u201c\u201d\u201e' else
                           {"\n": "`n", "\r": "`r", "\t": "`t"}.get(c, c) for c in s) + '"'
    for lit in (single, double):
        r = run(f"$x = {lit}\n[Convert]::ToBase64String([Text.Encoding]::UTF8.GetBytes($x))")
        assert r.exit_code == 0, (lit, r.error_text)
        assert base64.b64decode(r.stdout.strip()).decode("utf-8") == s


def test_a_nested_pipeline_gives_foreach_object_its_own_dollar_under_back():
    # PowerShell restores $_ when a nested pipeline's block returns: the rest of the outer block sees its own item.
    r = run("@(1, 2) | ForEach-Object { $inner = @('x', 'y' | ForEach-Object { $_ }); \"$_ $($inner -join '')\" }")
    assert r.exit_code == 0 and r.stdout == "1 xy\r\n2 xy\r\n"
    r = run("@(3) | ForEach-Object { @('a' | Where-Object { $_ -eq 'a' }) | Out-Null; $_ }")
    assert r.stdout == "3\r\n"
