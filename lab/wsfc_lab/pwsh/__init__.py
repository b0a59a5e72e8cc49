"""The lab's PowerShell engine: parse, check and run operation scripts.

Public API::

    from wsfc_lab.pwsh import run_powershell_command, run_script, ScriptResult
    from wsfc_lab.pwsh.host import Host

``run_powershell_command(command, arguments, stdin, host)`` is what the WinRM
server calls for each WinRS command (powershell.exe semantics, bytes out);
``run_script(source, host)`` runs script text and returns a
:class:`ScriptResult` (exit code, stdout text, CLIXML stderr, error records).

Modules, one job each: ``parse`` (grammar, ParserErrors), ``command_elements``
(a command's parameters and values as written), ``check`` (static command,
parameter, parameter-set and .NET method checks), ``interp`` (the
interpreter), ``values`` (types, conversions, operators), ``dotnet``
(members, properties, static properties), ``dotnet_methods`` /
``dotnet_static`` (the tables of modelled .NET methods), ``fmt`` (.NET
formatting), ``json51`` (ConvertTo/From-Json as 5.1), ``builtins`` (core
cmdlets), ``parameter_sets`` (PowerShell's parameter-set resolution),
``binding`` (binding a call and the cmdlet context), ``errors`` (error
records and their text), ``clixml`` (stderr), ``output`` (stdout
formatting), ``powershell_exe`` (the command line).
"""

from wsfc_lab.pwsh.powershell_exe import ScriptResult, run_powershell_command, run_script

__all__ = ["ScriptResult", "run_powershell_command", "run_script"]
