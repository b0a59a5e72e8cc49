""".NET methods: the tables the interpreter and the static check share, and refusals before the script runs."""

from __future__ import annotations

import re

import pytest
from test_pwsh_helpers import run

from wsfc_lab.pwsh import dotnet_methods, dotnet_static

PAGE = re.compile(r"^https://learn\.microsoft\.com/(dotnet/api/[a-z0-9.`-]+\?view=netframework-4\.8|"
                  r"powershell/module/microsoft\.powershell\.core/about/about_arrays\?view=powershell-5\.1#\w+)$")


def _refused_not_modelled(r, what: str) -> None:
    assert r.refused and r.exit_code == 1 and r.stdout == "", r.stdout
    assert r.errors[0].error_id == "WsfcLabNotModelled"
    assert r.errors[0].message.startswith(f"wsfc_lab: {what} is not modelled by the lab")


def test_unmodelled_method_on_a_string_literal_is_refused_before_the_script_runs():
    _refused_not_modelled(run("Write-Output 'first'\n'x'.Frobnicate()"), "the method Frobnicate() of [System.String]")


def test_unmodelled_static_method_is_refused_before_the_script_runs():
    _refused_not_modelled(run("Write-Output 'first'\n[System.IO.File]::ReadAllBytesMagic('C:\\x')"),
                          "the static method [System.IO.File]::ReadAllBytesMagic()")
    _refused_not_modelled(run("[IO.File]::ReadAllBytes('C:\\x')"), "the static method [IO.File]::ReadAllBytes()")


def test_method_no_modelled_type_has_is_refused_whatever_the_value():
    _refused_not_modelled(run("$v = 'x'\n$v.Frobnicate()"), "the method Frobnicate() (on any .NET type)")


def test_modelled_methods_pass_the_check_and_run():
    r = run("'a,b'.Split(',')[1].ToUpper()\n[Convert]::ToBase64String([Text.Encoding]::UTF8.GetBytes('hi'))\n"
            "$h = @{ k = 1 }\n$h.ContainsKey('k')\n(Get-Date).AddDays(1).GetType().FullName")
    assert r.exit_code == 0, r.error_text
    assert r.stdout == "B\r\naGk=\r\nTrue\r\nSystem.DateTime\r\n"


def test_a_method_of_another_type_fails_when_it_runs_with_powershells_error():
    r = run("$s = 'x'\n$s.ContainsKey('k')")      # Hashtable has ContainsKey, String does not
    assert not r.refused
    assert r.errors[0].message == "Method invocation failed because [System.String] does not contain a method named " \
                                  "'ContainsKey'."
    assert r.errors[0].error_id == "MethodNotFound"


@pytest.mark.parametrize("kind", dotnet_methods.KINDS, ids=lambda k: k.type_name)
def test_every_instance_method_cites_its_page(kind):
    assert kind.methods, f"{kind.type_name}: no methods"
    for name, method in kind.methods.items():
        assert name == name.lower(), f"{kind.type_name}.{name}: table keys are lower-case"
        assert callable(method.impl)
        assert PAGE.match(method.page), f"{kind.type_name}.{name}: {method.page}"
        if method.page.startswith("https://learn.microsoft.com/dotnet/api/"):
            assert method.page.split("?")[0].endswith("." + name), f"{kind.type_name}.{name}: page of another member"


def test_every_static_method_cites_its_page():
    for (type_name, name), method in dotnet_static.STATIC_METHODS.items():
        assert type_name.startswith("System.") and name == name.lower()
        assert PAGE.match(method.page), f"[{type_name}]::{name}: {method.page}"
        assert method.page.split("?")[0].endswith(f"/{type_name.lower()}.{name}"), f"[{type_name}]::{name}"
