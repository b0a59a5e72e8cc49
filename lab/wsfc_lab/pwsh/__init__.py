"""The lab's PowerShell engine: parse, check and run operation scripts.

Public API::

    from wsfc_lab.pwsh import run_powershell_command, run_script, ScriptResult
    from wsfc_lab.pwsh.host import Host

``run_powershell_command(command, arguments, stdin, host)`` is what the WinRM
server calls for each WinRS command (powershell.exe semantics, bytes out);
``run_script(source, host)`` runs script text and returns a
:class:`ScriptResult` (exit code, stdout text, CLIXML stderr, error records).

Modules, one job each: ``parse`` (grammar, ParserErrors), ``check`` (static
command/parameter checks), ``interp`` (the interpreter), ``values`` (types,
conversions, operators), ``dotnet`` (members, methods, static members),
``fmt`` (.NET formatting), ``json51`` (ConvertTo/From-Json as 5.1),
``builtins`` (core cmdlets), ``binding`` (parameter binding and the cmdlet
context), ``errors`` (error records and their text), ``clixml`` (stderr),
``output`` (stdout formatting), ``powershell_exe`` (the command line).
"""

from wsfc_lab.pwsh.powershell_exe import ScriptResult, run_powershell_command, run_script

__all__ = ["ScriptResult", "run_powershell_command", "run_script"]
