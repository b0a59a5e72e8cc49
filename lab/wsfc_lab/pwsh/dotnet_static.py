"""The .NET static methods the lab models (``[Convert]::FromBase64String(...)``): type -> method -> implementation.

Like :mod:`wsfc_lab.pwsh.dotnet_methods` for instance methods: each entry
names the Microsoft Learn page of the member it models (.NET Framework 4.8,
what Windows PowerShell 5.1 runs on), and the static check reads this table,
so ``[System.IO.File]::ReadAllBytes(...)`` (not modelled) is refused before
the script runs. Type names are the canonical ones (``[string]`` is
``System.String``, see ``wsfc_lab.pwsh.values.canonical_type``).
"""

from __future__ import annotations

import base64
import binascii
import math
import ntpath
import uuid
from dataclasses import dataclass
from datetime import timedelta, timezone
from typing import Any, Callable

from wsfc_lab.pwsh.dotnet_methods import _void, api, method_error
from wsfc_lab.pwsh.errors import ErrorRecord, PSRuntimeError, not_modelled
from wsfc_lab.pwsh.fmt import composite_format
from wsfc_lab.pwsh.objects import PSEnum
from wsfc_lab.pwsh.values import LOCAL, TypeRef, as_list, cast, to_bool, to_datetime, to_int, to_number, to_string

StaticImpl = Callable[[Any, list[Any]], Any]        # (interp, args) -> result


@dataclass(frozen=True)
class StaticMethod:
    impl: StaticImpl
    page: str


def _from_base64(s: Any) -> bytes:
    text = "".join(to_string(s).split())
    try:
        if len(text) % 4:
            raise binascii.Error("bad length")
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise method_error("FromBase64String", [s], "The input is not a valid Base-64 string as it contains a "
                           "non-base 64 character, more than two padding characters, or an illegal character among "
                           "the padding characters. ", "System.FormatException") from None


def _to_base64(data: Any) -> str:
    if isinstance(data, list):
        data = bytes(to_int(x, "System.Byte") for x in data)
    if not isinstance(data, (bytes, bytearray)):
        raise method_error("ToBase64String", [data], "Value cannot be null.\r\nParameter name: inArray",
                           "System.ArgumentNullException")
    return base64.b64encode(bytes(data)).decode("ascii")


def _round(args: list[Any]) -> Any:
    x = to_number(args[0])
    digits = to_int(args[1]) if len(args) > 1 and not isinstance(args[1], str) else 0
    mode = to_string(args[-1]).lower() if len(args) > 1 and isinstance(args[-1], (str, PSEnum)) else "toeven"
    if mode == "awayfromzero":
        from decimal import ROUND_HALF_UP, Decimal
        q = Decimal(1).scaleb(-digits)
        r = float(Decimal(repr(float(x))).quantize(q, rounding=ROUND_HALF_UP))
    else:
        r = round(float(x), digits)
    return r


def _path_combine(args: list[Any]) -> str:
    parts = [to_string(a) for a in (args[0] if len(args) == 1 and isinstance(args[0], list) else args)]
    result = ""
    for p in parts:
        if not p:
            continue
        if ntpath.isabs(p) or (len(p) > 1 and p[1] == ":"):
            result = p
        elif result and not result.endswith(("\\", "/", ":")):
            result = result + "\\" + p
        else:
            result = result + p
    return result


def _guid_parse(args: list[Any]) -> uuid.UUID:
    return cast(args[0], "guid")


def _int_parse(t: str) -> Callable[[list[Any]], Any]:
    def parse(args: list[Any]) -> Any:
        s = to_string(args[0]).strip()
        try:
            v = int(s)
        except ValueError:
            raise method_error("Parse", args, "Input string was not in a correct format.",
                               "System.FormatException") from None
        return to_int(v, t)
    return parse


def _regex_escape(s: str) -> str:
    out = []
    for ch in s:
        if ch in "\\*+?|{[()^$.# ":
            out.append("\\" + ch)
        elif ch == "\t":
            out.append("\\t")
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\r":
            out.append("\\r")
        elif ch == "\f":
            out.append("\\f")
        else:
            out.append(ch)
    return "".join(out)


def _env(i: Any, a: list[Any]) -> Any:
    return next((v for k, v in i.env().items() if k.lower() == to_string(a[0]).lower()), None)


def _file_call(name: str, operation: str) -> StaticImpl:
    """``[System.IO.File]::Move(source, dest)`` / ``::Replace(source, dest, $null)`` on the lab's file system.

    File.Move (https://learn.microsoft.com/dotnet/api/system.io.file.move?view=netframework-4.8) "moves a specified
    file to a new location": it throws IOException when "destFileName already exists" (it never overwrites) and
    FileNotFoundException when "sourceFileName was not found", so of two callers renaming one file only the first
    finds it. File.Replace (https://learn.microsoft.com/dotnet/api/system.io.file.replace?view=netframework-4.8)
    "replaces the contents of a specified file with the contents of another file, deleting the original file"; it
    throws FileNotFoundException when "the file described by the sourceFileName or destinationFileName parameter
    could not be found". Both take place within one volume here; Microsoft's pages do not promise that a rename or
    a replace is atomic, the lab makes each one step (the NTFS rename the scripts rely on) and the scripts check
    what they renamed before acting on it. Across volumes (a copy), with a backup file name (Replace's third
    argument other than $null) and the four-argument Replace are not modelled. Each call is an event
    ``fs.move`` / ``fs.replace`` (node, source, dest, ok, error).
    """
    def call(i: Any, a: list[Any]) -> Any:
        model = getattr(i.host, "context", None)
        fs = getattr(model, "fs", None)
        if fs is None:
            raise not_modelled(f"[System.IO.File]::{name}() outside a lab node")
        if len(a) != (3 if name == "Replace" else 2):
            raise not_modelled(f"[System.IO.File]::{name}() with {len(a)} arguments")
        if name == "Replace" and a[2] is not None:
            raise not_modelled("[System.IO.File]::Replace() with a backup file name")
        source, dest = to_string(a[0]), to_string(a[1])
        event = {"op": "fs." + name.lower(), "node": i.host.node, "args": {"source": source, "dest": dest}}
        try:
            getattr(fs, operation)(i.host.node, source, dest)
        except (ValueError, NotImplementedError) as exc:
            raise not_modelled(f"[System.IO.File]::{name}(): {exc}") from None
        except FileNotFoundError as exc:
            model.log(dict(event, ok=False, error="not found: %s" % exc))
            raise method_error(name, a, f"Could not find file '{exc}'.", "System.IO.FileNotFoundException") from None
        except FileExistsError as exc:
            model.log(dict(event, ok=False, error="exists: %s" % exc))
            raise method_error(name, a, "Cannot create a file when that file already exists.\r\n",
                               "System.IO.IOException") from None
        model.log(dict(event, ok=True))
        return _void()  # both methods return void: nothing is written to the pipeline
    return call


def _file_text(name: str) -> StaticImpl:
    """``[System.IO.File]::ReadAllText(path)`` / ``::WriteAllText(path, contents)`` / ``::Delete(path)`` on the lab's
    file system (.NET Framework 4.8, one argument list each; an encoding argument is not modelled).

    ReadAllText (https://learn.microsoft.com/dotnet/api/system.io.file.readalltext?view=netframework-4.8) "opens a
    text file, reads all the text in the file, and then closes the file": FileNotFoundException when "the file
    specified in path was not found". WriteAllText
    (https://learn.microsoft.com/dotnet/api/system.io.file.writealltext?view=netframework-4.8) "creates a new file,
    writes the specified string to the file, and then closes the file. If the target file already exists, it is
    overwritten"; DirectoryNotFoundException when "the specified path is invalid (for example, it is on an unmapped
    drive)": the lab raises it when the folder does not exist. Delete
    (https://learn.microsoft.com/dotnet/api/system.io.file.delete?view=netframework-4.8) "deletes the specified
    file"; "If the file to be deleted does not exist, no exception is thrown", but DirectoryNotFoundException when
    its folder does not exist. WriteAllText and Delete are events ``fs.write`` / ``fs.delete`` (node, path, ok).
    """
    def call(i: Any, a: list[Any]) -> Any:
        model = getattr(i.host, "context", None)
        fs = getattr(model, "fs", None)
        if fs is None:
            raise not_modelled(f"[System.IO.File]::{name}() outside a lab node")
        if len(a) != (2 if name == "WriteAllText" else 1):
            raise not_modelled(f"[System.IO.File]::{name}() with {len(a)} arguments")
        path, node = to_string(a[0]), i.host.node
        event = {"op": "fs." + ("write" if name == "WriteAllText" else name.lower()), "node": node,
                 "args": {"path": path}}
        folder = ntpath.dirname(path.rstrip("\\"))
        try:
            if name == "ReadAllText":
                return fs.read(node, path)
            if not fs.is_dir(node, folder):
                model.log(dict(event, ok=False, error="folder not found"))
                raise method_error(name, a, f"Could not find a part of the path '{path}'.",
                                   "System.IO.DirectoryNotFoundException")
            if name == "WriteAllText":
                fs.write(node, path, "" if a[1] is None else to_string(a[1]), parents=False)
            elif fs.exists(node, path):
                fs.delete(node, path)
        except ValueError as exc:
            raise not_modelled(f"[System.IO.File]::{name}(): {exc}") from None
        except FileNotFoundError:
            raise method_error(name, a, f"Could not find file '{path}'.", "System.IO.FileNotFoundException") from None
        except OSError:  # a folder where a file was meant (IsADirectoryError)
            raise method_error(name, a, f"Access to the path '{path}' is denied.",
                               "System.UnauthorizedAccessException") from None
        model.log(dict(event, ok=True))
        return _void()
    return call


def _directory_acl(name: str) -> StaticImpl:
    """``[System.IO.Directory]::GetAccessControl(path)`` / ``::SetAccessControl(path, $security)`` (.NET Framework
    4.8: https://learn.microsoft.com/dotnet/api/system.io.directory.getaccesscontrol?view=netframework-4.8, "Gets a
    DirectorySecurity object that encapsulates the access control list (ACL) entries for a specified directory";
    https://learn.microsoft.com/dotnet/api/system.io.directory.setaccesscontrol?view=netframework-4.8, "Applies
    access control list (ACL) entries described by a DirectorySecurity object to the specified directory"). A
    directory that does not exist is DirectoryNotFoundException. The lab keeps the descriptor's SDDL (event
    ``fs.acl`` for a set); the overload with AccessControlSections is not modelled.
    """
    def call(i: Any, a: list[Any]) -> Any:
        from wsfc_lab.pwsh.dotnet import DirectorySecurity
        model = getattr(i.host, "context", None)
        fs = getattr(model, "fs", None)
        if fs is None:
            raise not_modelled(f"[System.IO.Directory]::{name}() outside a lab node")
        if len(a) != (2 if name == "SetAccessControl" else 1):
            raise not_modelled(f"[System.IO.Directory]::{name}() with {len(a)} arguments")
        path = to_string(a[0])
        try:
            if name == "GetAccessControl":
                return DirectorySecurity(fs.security(i.host.node, path))
            if not isinstance(a[1], DirectorySecurity):
                raise not_modelled("[System.IO.Directory]::SetAccessControl() with something else than a "
                                   "DirectorySecurity")
            fs.set_security(i.host.node, path, a[1].sddl)
        except ValueError as exc:
            raise not_modelled(f"[System.IO.Directory]::{name}(): {exc}") from None
        except FileNotFoundError:
            raise method_error(name, a, f"Could not find a part of the path '{path}'.",
                               "System.IO.DirectoryNotFoundException") from None
        model.log({"op": "fs.acl", "node": i.host.node, "ok": True, "args": {"path": path, "sddl": a[1].sddl}})
        return _void()
    return call


def _m(type_name: str, member: str, impl: StaticImpl) -> tuple[tuple[str, str], StaticMethod]:
    return (type_name, member.lower()), StaticMethod(impl, api(type_name, member))


STATIC_METHODS: dict[tuple[str, str], StaticMethod] = dict([
    _m("System.Convert", "FromBase64String", lambda i, a: _from_base64(a[0])),
    _m("System.Convert", "ToBase64String", lambda i, a: _to_base64(a[0])),
    _m("System.Convert", "ToInt32", lambda i, a: int(to_string(a[0]), to_int(a[1])) if len(a) > 1 else to_int(a[0])),
    _m("System.Convert", "ToInt64", lambda i, a: to_int(a[0], "System.Int64")),
    _m("System.Convert", "ToString", lambda i, a: to_string(a[0])),
    _m("System.Convert", "ToBoolean", lambda i, a: to_bool(a[0])),
    _m("System.Guid", "NewGuid", lambda i, a: uuid.uuid4()),
    _m("System.Guid", "Parse", lambda i, a: _guid_parse(a)),
    _m("System.DateTime", "Parse", lambda i, a: to_datetime(to_string(a[0]))),
    _m("System.DateTime", "SpecifyKind", lambda i, a: a[0].replace(
        tzinfo=timezone.utc if to_string(a[1]).lower() == "utc" else LOCAL)),
    _m("System.Math", "Round", lambda i, a: _round(a)),
    _m("System.Math", "Max", lambda i, a: max(to_number(a[0]), to_number(a[1]))),
    _m("System.Math", "Min", lambda i, a: min(to_number(a[0]), to_number(a[1]))),
    _m("System.Math", "Floor", lambda i, a: float(math.floor(to_number(a[0])))),
    _m("System.Math", "Ceiling", lambda i, a: float(math.ceil(to_number(a[0])))),
    _m("System.Math", "Abs", lambda i, a: abs(to_number(a[0]))),
    _m("System.Math", "Truncate", lambda i, a: float(math.trunc(to_number(a[0])))),
    _m("System.Math", "Pow", lambda i, a: float(to_number(a[0])) ** float(to_number(a[1]))),
    _m("System.Math", "Sqrt", lambda i, a: math.sqrt(to_number(a[0]))),
    _m("System.String", "IsNullOrEmpty", lambda i, a: a[0] is None or to_string(a[0]) == ""),
    _m("System.String", "IsNullOrWhiteSpace", lambda i, a: a[0] is None or to_string(a[0]).strip() == ""),
    _m("System.String", "Join", lambda i, a: to_string(a[0]).join(
        to_string(x) for x in (as_list(a[1]) if len(a) == 2 else a[1:]))),
    _m("System.String", "Format", lambda i, a: composite_format(to_string(a[0]), (
        as_list(a[1]) if len(a) == 2 and isinstance(a[1], list) else list(a[1:])))),
    _m("System.String", "Concat", lambda i, a: "".join(to_string(x) for x in a)),
    _m("System.String", "Equals", lambda i, a: to_string(a[0]) == to_string(a[1]) if len(a) == 2 else (
        to_string(a[0]).lower() == to_string(a[1]).lower())),
    _m("System.Int32", "Parse", lambda i, a: _int_parse("System.Int32")(a)),
    _m("System.Int64", "Parse", lambda i, a: _int_parse("System.Int64")(a)),
    _m("System.Environment", "GetEnvironmentVariable", _env),
    _m("System.IO.File", "Move", _file_call("Move", "rename")),
    _m("System.IO.Directory", "GetAccessControl", _directory_acl("GetAccessControl")),
    _m("System.IO.Directory", "SetAccessControl", _directory_acl("SetAccessControl")),
    _m("System.IO.File", "Replace", _file_call("Replace", "replace")),
    _m("System.IO.File", "ReadAllText", _file_text("ReadAllText")),
    _m("System.IO.File", "WriteAllText", _file_text("WriteAllText")),
    _m("System.IO.File", "Delete", _file_text("Delete")),
    _m("System.IO.Path", "Combine", lambda i, a: _path_combine(a)),
    _m("System.IO.Path", "GetFileName", lambda i, a: ntpath.basename(to_string(a[0]))),
    _m("System.IO.Path", "GetDirectoryName", lambda i, a: ntpath.dirname(to_string(a[0]))),
    _m("System.IO.Path", "GetExtension", lambda i, a: ntpath.splitext(to_string(a[0]))[1]),
    _m("System.IO.Path", "GetFileNameWithoutExtension", lambda i, a: ntpath.splitext(
        ntpath.basename(to_string(a[0])))[0]),
    _m("System.Text.RegularExpressions.Regex", "Escape", lambda i, a: _regex_escape(to_string(a[0]))),
    _m("System.TimeSpan", "FromSeconds", lambda i, a: timedelta(seconds=float(to_number(a[0])))),
    _m("System.TimeSpan", "FromMinutes", lambda i, a: timedelta(minutes=float(to_number(a[0])))),
    _m("System.TimeSpan", "FromMilliseconds", lambda i, a: timedelta(milliseconds=float(to_number(a[0])))),
    _m("System.TimeSpan", "FromHours", lambda i, a: timedelta(hours=float(to_number(a[0])))),
])


def static_method(type_name: str, name: str) -> StaticMethod | None:
    """The modelled ``[type_name]::name()``, also when the type is written without ``System.``."""
    hit = STATIC_METHODS.get((type_name, name.lower()))
    if hit is None and not type_name.startswith("System."):
        hit = STATIC_METHODS.get(("System." + type_name, name.lower()))
    return hit


def invoke_static(interp: Any, target: Any, name: str, args: list[Any]) -> Any:
    """``[T]::Name(args)``."""
    if not isinstance(target, TypeRef):
        raise not_modelled("static member access on a non-type value")
    t = target.name
    if name.lower() == "new":
        raise not_modelled(f"[{t}]::new()")
    method = static_method(t, name)
    if method is None:
        raise not_modelled(f"the static method [{t}]::{name}()")
    try:
        return method.impl(interp, args)
    except IndexError:
        raise PSRuntimeError(ErrorRecord(
            f'Cannot find an overload for "{name}" and the argument count: "{len(args)}".', "NotSpecified",
            "MethodCountCouldNotFindBest", "System.Management.Automation.MethodException")) from None
