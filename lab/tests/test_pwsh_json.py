"""ConvertTo-Json / ConvertFrom-Json as Windows PowerShell 5.1 writes and reads them."""

import base64
import json

from test_pwsh_helpers import Recorder, make_host, run


def out(script, host=None):
    r = run(script, host)
    assert r.exit_code == 0, r.error_text
    return r.stdout


def test_nested_compress_and_ordered():
    assert out("[ordered]@{ a = 1; b = @(1, 'x'); c = [ordered]@{ d = $null; e = $true } } | ConvertTo-Json -Compress") \
        == '{"a":1,"b":[1,"x"],"c":{"d":null,"e":true}}\r\n'


def test_pretty_layout_is_51s():
    text = out("[ordered]@{ a = 1; b = @(1, 2) } | ConvertTo-Json")
    assert text == '{\r\n    "a":  1,\r\n    "b":  [\r\n              1,\r\n              2\r\n          ]\r\n}\r\n'


def test_depth_truncation_uses_string_form():
    text = out("@{ a = @{ b = @{ c = @{ d = 1 } } } } | ConvertTo-Json -Compress")
    assert text == '{"a":{"b":{"c":"System.Collections.Hashtable"}}}\r\n'
    text = out("[pscustomobject]@{ a = [pscustomobject]@{ b = [pscustomobject]@{ c = 1; d = 'x' } } } | ConvertTo-Json -Depth 1 -Compress")
    assert text == '{"a":{"b":"@{c=1; d=x}"}}\r\n'
    assert out("@{ a = @{ b = @(1, 2) } } | ConvertTo-Json -Depth 1 -Compress") == '{"a":{"b":"1 2"}}\r\n'


def test_enums_are_numbers_unless_cast(tmp_path):
    host = make_host(tmp_path, Recorder())
    assert out("Get-ClusterNode NODE2 | Select-Object Name, State | ConvertTo-Json -Compress", host) == \
        '{"Name":"NODE2","State":2}\r\n'
    assert out("@{ s = [string](Get-ClusterNode NODE2).State } | ConvertTo-Json -Compress", host) == '{"s":"Paused"}\r\n'


def test_single_item_not_wrapped_multiple_are_array():
    assert out("@(@{ a = 1 }) | ConvertTo-Json -Compress") == '{"a":1}\r\n'
    assert out("@(1, 2) | ConvertTo-Json -Compress") == "[1,2]\r\n"
    assert out("ConvertTo-Json -InputObject @(7) -Compress") == "[7]\r\n"
    assert out(",@(7) | ConvertTo-Json -Compress") == "[7]\r\n"
    assert out("@() | ConvertTo-Json -Compress") == ""


def test_string_escapes_and_dates():
    assert out("@{ s = \"it's <b> & `\"q`\" \\ `t\" } | ConvertTo-Json -Compress") == \
        '{"s":"it\\u0027s \\u003cb\\u003e \\u0026 \\"q\\" \\\\ \\t"}\r\n'
    assert out("@{ s = 'é' } | ConvertTo-Json -Compress").encode("cp437", "replace") == \
        '{"s":"é"}\r\n'.encode("cp437")
    assert out("@{ d = [datetime]'2020-01-02T03:04:05Z' } | ConvertTo-Json -Compress") == \
        '{"d":"\\/Date(1577934245000)\\/"}\r\n'
    assert out("@{ x = 1.5; y = 1e20 } | ConvertTo-Json -Compress") == '{"x":1.5,"y":1E+20}\r\n' or \
        out("@{ x = 1.5; y = 1e20 } | ConvertTo-Json -Compress") == '{"y":1E+20,"x":1.5}\r\n'


def test_get_date_serialises_with_display_hint():
    text = out("Get-Date | ConvertTo-Json -Compress")
    doc = json.loads(text)
    assert set(doc) == {"value", "DisplayHint", "DateTime"} and doc["DisplayHint"] == 2


def test_convertfrom_json_objects_and_arrays():
    assert out("$o = '{\"a\": {\"b\": [1, 2]}, \"c\": \"x\"}' | ConvertFrom-Json\n$o.a.b[1]\n$o.c\n$o.GetType().FullName") \
        == "2\r\nx\r\nSystem.Management.Automation.PSCustomObject\r\n"
    # 5.1: a JSON array comes out as ONE object on the pipeline
    assert out("('[1,2,3]' | ConvertFrom-Json | Measure-Object).Count") == "1\r\n"


def test_base64_argument_idiom_keeps_hostile_values_as_data():
    payload = {"name": "'; Remove-Item C:\\ -Recurse #", "n": 3, "list": ["a", "$(whoami)"]}
    b64 = base64.b64encode(json.dumps(payload).encode()).decode()
    text = out(f"Set-StrictMode -Version Latest\n$a = [Text.Encoding]::UTF8.GetString([Convert]::FromBase64String('{b64}')) "
               "| ConvertFrom-Json\n$a.name\n$a.n + 1\n$a.list[1]\n[ordered]@{ echo = $a.name } | ConvertTo-Json -Compress")
    assert text.split("\r\n")[:3] == ["'; Remove-Item C:\\ -Recurse #", "4", "$(whoami)"]
    assert json.loads(text.split("\r\n")[3]) == {"echo": payload["name"]}
