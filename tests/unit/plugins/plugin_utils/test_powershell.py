# -*- coding: utf-8 -*-
"""Script building and result parsing (plugins/plugin_utils/powershell.py)."""

from __future__ import annotations

import base64
import json
import re

import pytest

from ansible_collections.wsfc.csv.plugins.plugin_utils import powershell
from ansible_collections.wsfc.csv.plugins.plugin_utils.powershell import OperationError

HOSTILE = [
    "'; Remove-Item C:\\ -Recurse #",
    '"; $(Remove-Item C:\\) #',
    "`$env:PATH`",
    "a\r\nb\nc",
    "100%",
    "Volume ünïcødé ✓",
    "x" * 5000,
]


@pytest.mark.parametrize("value", HOSTILE)
def test_arguments_never_appear_in_script_text(value):
    body = "$WsfcArgs.name | ConvertTo-Json"
    script = powershell.build_script(body)
    # The script text does not depend on the arguments at all: they travel on stdin, as one base64 line.
    assert script == powershell.build_script(body)
    stdin = powershell.build_input({"name": value})
    assert re.fullmatch(rb"[A-Za-z0-9+/=]+\r\n", stdin)
    assert powershell.decode_arguments(stdin.decode("ascii").strip()) == {"name": value}
    assert "FromBase64String((@($input) -join '').Trim())" in script


def test_payload_is_ascii_json():
    encoded = powershell.encode_arguments({"name": "Volume ✓", "n": 3})
    raw = base64.b64decode(encoded)
    raw.decode("ascii")  # ensure_ascii keeps the JSON 7-bit
    assert json.loads(raw) == {"name": "Volume ✓", "n": 3}


def test_load_operation_rejects_path_like_names():
    with pytest.raises(ValueError):
        powershell.load_operation("../../etc/passwd")
    assert "Get-ClusterSharedVolume" in powershell.load_operation("cluster_info")


def test_parse_result_returns_last_json_document():
    stdout = "some profile noise\r\n{\"a\": 1}\r\n"
    assert powershell.parse_result("op", 0, stdout, "") == {"a": 1}


def test_parse_result_structured_error_names_node():
    stdout = json.dumps({"wsfc_error": {"message": "Cluster shared volume 'X' not found",
                                        "category": "ObjectNotFound", "error_id": "Id,Cmd", "node": "NODE2"}})
    with pytest.raises(OperationError) as info:
        powershell.parse_result("csv_owner", 1, stdout, "")
    assert str(info.value) == "csv_owner failed on NODE2: Cluster shared volume 'X' not found"
    assert info.value.category == "ObjectNotFound"


def test_parse_result_clixml_stderr_is_decoded():
    stderr = ('#< CLIXML\r\n<Objs Version="1.1.0.1" xmlns="http://schemas.microsoft.com/powershell/2004/04">'
              '<S S="Error">The term \'Get-Foo\' is not recognized_x000D__x000A_</S></Objs>')
    with pytest.raises(OperationError) as info:
        powershell.parse_result("op", 1, "", stderr)
    assert "The term 'Get-Foo' is not recognized" in str(info.value)
    assert "CLIXML" not in str(info.value)


def test_parse_result_without_json_fails_clearly():
    with pytest.raises(OperationError, match="printed no JSON"):
        powershell.parse_result("op", 0, "hello\r\n", "")


def test_parse_result_nonzero_rc_without_document():
    with pytest.raises(OperationError, match="rc=5"):
        powershell.parse_result("op", 5, "", "boom")


# ---- what is sent, and the arguments a script declares -----------------------------------------------------

def test_load_operation_sends_the_script_without_its_comments():
    source = powershell.operation_source("csv_owner_move")
    assert source.startswith("# csv_owner_move:") and "# Arguments: name, node, wait" in source
    sent = powershell.load_operation("csv_owner_move")
    assert "#" not in sent and "Move-ClusterSharedVolume -Name" in sent
    assert sent == "\n".join(line.strip() for line in source.splitlines()
                             if line.strip() and not line.startswith("#")) + "\n"


def _script(tmp_path, text, name="op"):
    (tmp_path / (name + ".ps1")).write_text(text, encoding="utf-8")
    return str(tmp_path)


@pytest.mark.parametrize("header, names", [
    ("# Arguments: name, path\n", ("name", "path")),
    ("# op: does it\n# Arguments:  a,b ,c_1\n#   a: the first\n", ("a", "b", "c_1")),
    ("# Arguments: none\n", ()),
])
def test_declared_arguments_read_from_the_header(tmp_path, header, names):
    assert powershell.declared_arguments("op", _script(tmp_path, header + "$WsfcArgs.a\n")) == names


@pytest.mark.parametrize("text, reason", [
    ("# op: no declaration\n$x = 1\n", "it has 0"),
    ("# Arguments: a\n# Arguments: b\n$x = 1\n", "it has 2"),
    ("$x = 1\n# Arguments: a\n", "it has 0"),  # after the first code it is no header
    ("# Arguments: a b\n", "must list distinct names"),
    ("# Arguments: a, A\n", "must list distinct names"),
    ("# Arguments: a,\n", "must list distinct names"),
    ("# Arguments:\n", "must list distinct names"),
])
def test_declared_arguments_refuse_a_bad_header(tmp_path, text, reason):
    with pytest.raises(ValueError, match=reason):
        powershell.declared_arguments("op", _script(tmp_path, text))


def test_check_arguments_names_the_operation_and_the_wrong_keys(tmp_path):
    folder = _script(tmp_path, "# Arguments: name, path, wait\n$WsfcArgs.name\n", name="csv_thing")
    powershell.check_arguments("csv_thing", {"name": "x", "path": None, "wait": 3}, folder)
    with pytest.raises(powershell.OperationArgumentsError) as info:
        powershell.check_arguments("csv_thing", {"name": "x", "Path": "p", "node": "n"}, folder)
    assert isinstance(info.value, TypeError) and not isinstance(info.value, OperationError)
    assert info.value.operation == "csv_thing"
    assert info.value.extra == ["Path", "node"] and info.value.missing == ["path", "wait"]
    assert str(info.value).startswith("operation csv_thing was called with the wrong argument keys (extra: Path, "
                                      "node; missing: path, wait); scripts/csv_thing.ps1 declares: name, path, wait.")
    with pytest.raises(powershell.OperationArgumentsError, match="not a dict"):
        powershell.check_arguments("csv_thing", None, folder)
