"""powershell.exe command lines as WinRM clients send them, and CLIXML stderr."""

import base64

from ansible.plugins.shell.powershell import _parse_clixml

from test_pwsh_helpers import Recorder, make_host
from wsfc_lab.pwsh import run_powershell_command


def enc(script: str) -> str:
    return base64.b64encode(script.encode("utf-16-le")).decode()


def test_pywinrm_single_string_command(tmp_path):
    rc, out, err = run_powershell_command(f"powershell -encodedcommand {enc('$env:COMPUTERNAME')}", [], b"",
                                          make_host(tmp_path))
    assert (rc, out, err) == (0, b"NODE1\r\n", b"")


def test_ansible_argument_list_and_abbreviations(tmp_path):
    for switch in ("-EncodedCommand", "-enc", "-e", "-ec", "-EncodedC"):
        rc, out, err = run_powershell_command(
            "PowerShell", ["-NoProfile", "-NonInteractive", "-ExecutionPolicy", "Unrestricted", switch,
                           enc("'a'; 1 + 1")], b"", make_host(tmp_path))
        assert (rc, out) == (0, b"a\r\n2\r\n"), switch


def test_command_from_stdin(tmp_path):
    rc, out, _ = run_powershell_command("powershell.exe", ["-NoProfile", "-Command", "-"], b"'x'\r\nexit 4\r\n",
                                        make_host(tmp_path))
    assert (rc, out) == (4, b"x\r\n")


def test_not_powershell_is_refused_plainly(tmp_path):
    rc, out, err = run_powershell_command("cmd.exe /c dir", [], b"", make_host(tmp_path))
    assert rc == 1 and out == b"" and b"not modelled by the lab" in err
    rc, _, err = run_powershell_command("powershell", ["-OutputFormat", "xml", "-Command", "1"], b"",
                                        make_host(tmp_path))
    assert rc == 1 and b"not modelled" in err


def test_stderr_is_clixml_that_ansible_parses(tmp_path):
    rc, out, err = run_powershell_command("powershell", ["-EncodedCommand", enc("Get-Nope\n'ok'")], b"",
                                          make_host(tmp_path))
    assert rc == 1 and out == b""
    assert err.startswith(b'#< CLIXML\r\n<Objs Version="1.1.0.1" xmlns="http://schemas.microsoft.com/powershell/2004/04">'
                          b'<S S="Error">Get-Nope : The term \'Get-Nope\' is not recognized')
    assert b"_x000D__x000A_</S>" in err
    text = _parse_clixml(err).decode()
    assert text.splitlines()[:4] == [
        "Get-Nope : The term 'Get-Nope' is not recognized as the name of a cmdlet, function, script file, or "
        "operable program. ",
        "Check the spelling of the name, or if a path was included, verify that the path is correct and try again.",
        "At line:1 char:1", "+ Get-Nope"]
    assert "    + FullyQualifiedErrorId : CommandNotFoundException" in text


def test_runtime_errors_and_output_interleave(tmp_path):
    rc, out, err = run_powershell_command("powershell", ["-EncodedCommand", enc(
        "'one'\nWrite-Error 'two' -Category InvalidData\nWrite-Host 'three'")], b"", make_host(tmp_path, Recorder()))
    assert rc == 0 and out == b"one\r\nthree\r\n"
    text = _parse_clixml(err).decode()
    assert ": two" in text and "+ CategoryInfo          : InvalidData: (:) [Write-Error], WriteErrorException" in text
    assert "+ FullyQualifiedErrorId : Microsoft.PowerShell.Commands.WriteErrorException" in text


def test_stdout_uses_oem_code_page_unless_script_changes_it(tmp_path):
    _, out, _ = run_powershell_command("powershell", ["-EncodedCommand", enc("'é€'")], b"", make_host(tmp_path))
    assert out == "é?\r\n".encode("cp437")
    _, out, _ = run_powershell_command("powershell", ["-EncodedCommand", enc(
        "[Console]::OutputEncoding = [Text.Encoding]::UTF8\n'é€'")], b"", make_host(tmp_path))
    assert out == "é€\r\n".encode("utf-8")


def test_stdin_is_input_of_an_encoded_command(tmp_path):
    # ansible-core's winrm plugin sends in_data as stdin of `PowerShell ... -EncodedCommand`; the script reads it
    # through $input, one item per line (its bootstrap wrapper does `foreach ($in in $input)`).
    script = "$lines = @($input)\n$lines.Count\n($lines -join '|')\n($input | Out-String).Length"
    rc, out, err = run_powershell_command("PowerShell", ["-NoProfile", "-NonInteractive", "-EncodedCommand",
                                                         enc(script)], b"abc\r\ndef\nghi\r\n", make_host(tmp_path))
    assert (rc, err) == (0, b"")
    assert out.split(b"\r\n")[:2] == [b"3", b"abc|def|ghi"]


def test_no_stdin_means_empty_input(tmp_path):
    rc, out, err = run_powershell_command("PowerShell", ["-EncodedCommand", enc(
        "Set-StrictMode -Version Latest\n@($input).Count")], b"", make_host(tmp_path))
    assert (rc, out, err) == (0, b"0\r\n", b"")


def test_input_out_string_round_trips_a_base64_line(tmp_path):
    payload = base64.b64encode("{\"a\":\"'; Remove-Item C:\\\\ -Recurse #\"}".encode()).decode()
    script = ("$t = ($input | Out-String).Trim()\n"
              "([System.Text.Encoding]::UTF8.GetString([System.Convert]::FromBase64String($t)) | ConvertFrom-Json).a")
    rc, out, err = run_powershell_command("PowerShell", ["-EncodedCommand", enc(script)],
                                          payload.encode() + b"\r\n", make_host(tmp_path))
    assert (rc, err) == (0, b"")
    assert out == b"'; Remove-Item C:\\ -Recurse #\r\n"


def test_stdin_lines_split_like_readline():
    from wsfc_lab.pwsh.powershell_exe import stdin_lines
    assert stdin_lines(b"") == []
    assert stdin_lines(b"a\r\nb\rc\nd") == ["a", "b", "c", "d"]
    assert stdin_lines(b"a\r\n\r\n") == ["a", ""]
    assert stdin_lines("\u00e9\r\n".encode("cp437")) == ["\u00e9"]


def test_a_script_block_does_not_see_the_callers_input(tmp_path):
    rc, out, _ = run_powershell_command("PowerShell", ["-EncodedCommand", enc(
        "& { @($input).Count }\n'x' | & { @($input).Count }")], b"a\r\nb\r\n", make_host(tmp_path))
    assert (rc, out) == (0, b"0\r\n1\r\n")


def test_xml_input_format_with_stdin_is_not_modelled(tmp_path):
    rc, _, err = run_powershell_command("PowerShell", ["-InputFormat", "xml", "-EncodedCommand", enc("1")],
                                        b"<Objs/>\r\n", make_host(tmp_path))
    assert rc == 1 and b"not modelled" in err


def _wrapped_again(command_line: str) -> list[str]:
    """What ansible-core 2.16-2.18's winrm plugin sends for a command that is already an encoded PowerShell line:
    ``PowerShell ... -EncodedCommand <that line>`` (``_encode_script(cmd, strict_mode=False, preserve_rc=False)``)."""
    return ["PowerShell", "-NoProfile", "-NonInteractive", "-ExecutionPolicy", "Unrestricted", "-EncodedCommand",
            enc(command_line)]


def test_a_powershell_started_by_the_script_inherits_stdin_and_streams(tmp_path):
    inner = "PowerShell -NoProfile -NonInteractive -ExecutionPolicy Unrestricted -EncodedCommand " + enc(
        "[Console]::OutputEncoding = [Text.Encoding]::UTF8\n(@($input) -join '|')\nWrite-Error 'late'\n'é'")
    argv = _wrapped_again(inner)
    rc, out, err = run_powershell_command(argv[0], argv[1:], b"abc\r\ndef\r\n", make_host(tmp_path))
    assert rc == 0
    assert out == "abc|def\r\né\r\n".encode("utf-8")  # the child's own output encoding, not the parent's OEM page
    assert ": late" in _parse_clixml(err).decode()


def test_the_parent_exits_1_for_any_failing_child(tmp_path):
    for child_script, expected in (("exit 0", 0), ("exit 1", 1), ("exit 7", 1), ("throw 'x'", 1)):
        argv = _wrapped_again("powershell.exe -EncodedCommand " + enc(child_script))
        rc, _, _ = run_powershell_command(argv[0], argv[1:], b"", make_host(tmp_path))
        assert rc == expected, child_script


def test_a_script_that_does_more_than_start_powershell_is_still_refused(tmp_path):
    inner = enc("'x'")
    for script in ("PowerShell -EncodedCommand %s; 'more'" % inner, "$out = PowerShell -EncodedCommand %s" % inner,
                   "'a' | PowerShell -EncodedCommand %s" % inner, "cmd.exe /c dir"):
        rc, out, err = run_powershell_command("PowerShell", ["-EncodedCommand", enc(script)], b"",
                                              make_host(tmp_path))
        assert rc == 1 and out == b"", script
        assert b"not recognized" in err or b"not modelled" in err or b"running the program" in err, script
