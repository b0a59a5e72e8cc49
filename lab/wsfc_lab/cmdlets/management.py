"""Microsoft.PowerShell.Management file cmdlets over the lab's file system (``model.fs``).

Parameters follow ``lab/reference/Microsoft.PowerShell.Management.json`` (each citing Microsoft's page). Paths are
absolute Windows paths; a CSV path is shared by every node, anything else is the node's own disk
(``wsfc_lab.filesystem``). Modelled: ``Test-Path`` (``-Path``/``-LiteralPath``, ``-PathType``), ``Get-Content``
(``-Raw``, ``-Encoding``), ``Set-Content`` (``-Value``, ``-NoNewline``, ``-Encoding``, ``-Force``, ``-WhatIf``),
``New-Item -ItemType Directory`` (``-Force``), ``Remove-Item`` (``-Recurse``, ``-Force``, ``-WhatIf``). Wildcards,
filters, streams, credentials, transactions and other item types are refused as not modelled. Set-Content writes
each value followed by CRLF unless ``-NoNewline``; Get-Content without ``-Raw`` returns the lines.
"""

from __future__ import annotations

from typing import Any, Iterable

from wsfc_lab.cmdlets.documented import Documented
from wsfc_lab.filesystem import normalize
from wsfc_lab.model import EPOCH
from wsfc_lab.pwsh.cmdlet import CmdletTable, NotModelled, PSError
from wsfc_lab.pwsh.values import to_string

TABLE = CmdletTable()
NS = "Microsoft.PowerShell.Commands."
_UNMODELLED = ("Filter", "Include", "Exclude", "Credential", "UseTransaction", "Stream", "Delimiter", "Wait",
               "ReadCount", "TotalCount", "Tail", "IsValid", "NewerThan", "OlderThan", "PassThru", "DeleteKey")


def _refuse(params: dict) -> None:
    for name in _UNMODELLED:
        if params.get(name) not in (None, False):
            raise NotModelled(f"-{name}")


def _paths(params: dict) -> tuple[list[str], bool]:
    literal = params.get("LiteralPath") is not None
    value = params.get("LiteralPath") if literal else params.get("Path")
    items = value if isinstance(value, (list, tuple)) else [value]
    out = []
    for item in items:
        text = to_string(item)
        if not literal and any(ch in text for ch in "*?["):
            raise NotModelled(f"wildcards in -Path ({text!r}); use -LiteralPath")
        try:
            out.append(normalize(text))
        except ValueError as exc:
            raise NotModelled(str(exc)) from None
    return out, literal


def _not_found(path: str, cmdlet: str) -> PSError:
    return PSError(f"Cannot find path '{path}' because it does not exist.", category="ObjectNotFound",
                   error_id=f"PathNotFound,{NS}{cmdlet}", target=path,
                   exception="System.Management.Automation.ItemNotFoundException")


def _fs(ctx: Any):
    return ctx.host.fs


@TABLE.register("Test-Path")
def test_path(ctx: Any, params: dict, input_object: Any) -> Iterable[Any]:
    _refuse(params)
    paths, _ = _paths(params)
    kind = str(params.get("PathType") or "Any").lower()
    out = []
    for path in paths:
        exists = _fs(ctx).exists(ctx.node, path)
        is_dir = exists and _fs(ctx).is_dir(ctx.node, path)
        out.append(exists and (kind == "any" or (kind == "container") == is_dir))
    return out


@TABLE.register("Get-Content")
def get_content(ctx: Any, params: dict, input_object: Any) -> Iterable[Any]:
    _refuse(params)
    encoding = str(params.get("Encoding") or "Default")
    if encoding.lower() == "byte":
        raise NotModelled("Get-Content -Encoding Byte")
    paths, _ = _paths(params)
    out: list[Any] = []
    for path in paths:
        try:
            text = _fs(ctx).read(ctx.node, path)
        except (FileNotFoundError, IsADirectoryError):
            ctx.write_error(_not_found(path, "GetContentCommand"))
            continue
        if params.get("Raw"):
            out.append(text)
        else:
            lines = text.replace("\r\n", "\n").split("\n")
            if lines and lines[-1] == "":
                lines.pop()
            out.extend(lines)
    return out


@TABLE.register("Set-Content")
def set_content(ctx: Any, params: dict, input_object: Any) -> Iterable[Any]:
    _refuse(params)
    paths, _ = _paths(params)
    values = params.get("Value")
    values = values if isinstance(values, (list, tuple)) else [values]
    newline = "" if params.get("NoNewline") else "\r\n"
    text = "".join(to_string(v) + newline for v in values)
    for path in paths:
        if not ctx.should_process(path, "Set Content"):
            continue
        try:
            _fs(ctx).write(ctx.node, path, text, parents=False)
        except FileNotFoundError:
            ctx.write_error(PSError(f"Could not find a part of the path '{path}'.", category="ObjectNotFound",
                                    error_id=f"GetContentWriterDirectoryNotFoundError,{NS}SetContentCommand",
                                    target=path, exception="System.IO.DirectoryNotFoundException"))
        except IsADirectoryError:
            ctx.write_error(PSError(f"Access to the path '{path}' is denied.", category="PermissionDenied",
                                    error_id=f"GetContentWriterUnauthorizedAccessError,{NS}SetContentCommand",
                                    target=path, exception="System.UnauthorizedAccessException"))
    return []


def _directory_object(ctx: Any, path: str) -> Any:
    name = path.rstrip("\\").rsplit("\\", 1)[-1]
    when = EPOCH
    return Documented(ctx.host.reference).make("System.IO.DirectoryInfo", {
        "Name": name, "FullName": path, "Exists": True, "Extension": "", "CreationTime": when,
        "CreationTimeUtc": when, "LastWriteTime": when, "LastWriteTimeUtc": when, "LastAccessTime": when,
        "LastAccessTimeUtc": when,
    }, to_string=name)


@TABLE.register("New-Item")
def new_item(ctx: Any, params: dict, input_object: Any) -> Iterable[Any]:
    _refuse(params)
    if str(params.get("ItemType") or "").lower() != "directory":
        raise NotModelled(f"New-Item -ItemType {params.get('ItemType')!r} (only Directory is simulated)")
    if params.get("Value") is not None:
        raise NotModelled("New-Item -Value for a directory")
    if params.get("Path") is None:
        raise NotModelled("New-Item without -Path")
    paths, _ = _paths(params)
    if params.get("Name") is not None:
        paths = [normalize(p + "\\" + to_string(params["Name"])) for p in paths]
    out = []
    for path in paths:
        fs = _fs(ctx)
        if fs.exists(ctx.node, path):
            if fs.is_dir(ctx.node, path) and params.get("Force"):
                out.append(_directory_object(ctx, path))
                continue
            ctx.write_error(PSError(f"An item with the specified name {path} already exists.", category="ResourceExists",
                                    error_id=f"DirectoryExist,{NS}NewItemCommand", target=path,
                                    exception="System.IO.IOException"))
            continue
        if not ctx.should_process(path, "Create Directory"):
            continue
        fs.mkdir(ctx.node, path, parents=True)
        out.append(_directory_object(ctx, path))
    return out


@TABLE.register("Remove-Item")
def remove_item(ctx: Any, params: dict, input_object: Any) -> Iterable[Any]:
    _refuse(params)
    paths, _ = _paths(params)
    for path in paths:
        fs = _fs(ctx)
        if not fs.exists(ctx.node, path):
            ctx.write_error(_not_found(path, "RemoveItemCommand"))
            continue
        if not ctx.should_process(path, "Remove File" if not fs.is_dir(ctx.node, path) else "Remove Directory"):
            continue
        try:
            fs.delete(ctx.node, path, recurse=bool(params.get("Recurse")))
        except OSError as exc:
            if fs.is_dir(ctx.node, path) and fs.list(ctx.node, path):
                raise NotModelled(f"Remove-Item of the non-empty directory {path} without -Recurse (Windows "
                                  f"prompts for confirmation)") from None
            ctx.write_error(PSError(str(exc), category="PermissionDenied", target=path,
                                    error_id=f"RemoveItemUnauthorizedAccessError,{NS}RemoveItemCommand",
                                    exception="System.UnauthorizedAccessException"))
    return []
