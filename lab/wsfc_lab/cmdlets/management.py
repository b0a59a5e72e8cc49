"""Microsoft.PowerShell.Management file cmdlets over the lab's file system (``model.fs``).

Parameters follow the documented signatures (the shared cmdlets.json, from Microsoft's 5.1 pages). Paths are
absolute Windows paths; a CSV path is shared by every node, anything else is the node's own disk
(``wsfc_lab.filesystem``). Modelled: ``Test-Path`` (``-Path``/``-LiteralPath``, ``-PathType``), ``Get-Content``
(``-Raw``, ``-Encoding``), ``Set-Content`` (``-Value``, ``-NoNewline``, ``-Encoding``, ``-Force``, ``-WhatIf``),
``New-Item -ItemType Directory`` (``-Force``), ``Remove-Item`` (``-Recurse``, ``-Force``, ``-WhatIf``), ``Get-Item``
(files: ``System.IO.FileInfo`` with ``Length`` and the last write time; directories: ``DirectoryInfo``),
``Get-ChildItem`` of one folder (``-File``, ``-Directory``, ``-Force``; not recursive). Wildcards,
filters, streams, credentials, transactions and other item types are refused as not modelled. Set-Content writes
each value followed by CRLF unless ``-NoNewline``; Get-Content without ``-Raw`` returns the lines (``-Tail N``: the
last N). ``Stop-Process -Id -Force`` ends the processes of the lab's scheduled tasks (``wsfc_lab.jobs``).
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
               "ReadCount", "TotalCount", "IsValid", "NewerThan", "OlderThan", "PassThru", "DeleteKey")


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
    tail = None if params.get("Tail") is None else int(params["Tail"])
    if tail is not None and (tail < 0 or params.get("Raw")):
        raise NotModelled("Get-Content -Tail with a negative count or with -Raw")
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
            if tail is not None:
                # -Tail: "Gets the specified number of lines from the end of a file" (5.1 page; since 3.0).
                lines = lines[max(len(lines) - tail, 0):] if tail > 0 else []
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
    if str(params.get("ItemType") or "").lower() == "file":
        return _new_files(ctx, params)
    if str(params.get("ItemType") or "").lower() != "directory":
        raise NotModelled(f"New-Item -ItemType {params.get('ItemType')!r} (only Directory and File are simulated)")
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


def _file_object(ctx: Any, path: str) -> Any:
    """A System.IO.FileInfo: times are the file system's last write (the lab keeps no creation/access times)."""
    fs = _fs(ctx)
    name = path.rsplit("\\", 1)[-1]
    when = fs.modified(ctx.node, path) or EPOCH
    folder = path.rsplit("\\", 1)[0] if path.count("\\") > 1 else path[:3]
    return Documented(ctx.host.reference).make("System.IO.FileInfo", {
        "Name": name, "FullName": path, "Exists": True, "Extension": ("." + name.rsplit(".", 1)[-1]) if "." in name else "",
        "DirectoryName": folder, "Directory": _directory_object(ctx, folder), "IsReadOnly": False,
        "Length": len(fs.read(ctx.node, path).encode("utf-8")), "CreationTime": when, "CreationTimeUtc": when,
        "LastWriteTime": when, "LastWriteTimeUtc": when, "LastAccessTime": when, "LastAccessTimeUtc": when,
    }, to_string=path)


@TABLE.register("Get-Item")
def get_item(ctx: Any, params: dict, input_object: Any) -> Iterable[Any]:
    """Get-Item of files and directories (FileInfo / DirectoryInfo); a missing path is a non-terminating error."""
    _refuse(params)
    paths, _ = _paths(params)
    out = []
    for path in paths:
        fs = _fs(ctx)
        if not fs.exists(ctx.node, path):
            ctx.write_error(_not_found(path, "GetItemCommand"))
        elif fs.is_dir(ctx.node, path):
            out.append(_directory_object(ctx, path))
        else:
            out.append(_file_object(ctx, path))
    return out


@TABLE.register("Get-ChildItem")
def get_child_item(ctx: Any, params: dict, input_object: Any) -> Iterable[Any]:
    """Get-ChildItem of one folder, not recursive: its files (FileInfo) and folders (DirectoryInfo).

    The 5.1 page (MicrosoftDocs/PowerShell-Docs reference/5.1/Microsoft.PowerShell.Management/Get-ChildItem.md):
    "gets the items in one or more specified locations. If the item is a container, it gets the items inside the
    container"; -File "To get a list of files", -Directory "To get a list of directories"; -Force gets hidden and
    system items too (the lab has none, so it changes nothing). A file path gives that file; a missing path is the
    ItemNotFoundException error "Cannot find path '<path>' because it does not exist." The order is the one the
    page's examples 1 and 5 show: folders first, then files, each by name. -Recurse, -Depth, -Name, -Attributes, -Hidden,
    -ReadOnly, -System, filters and wildcards are refused as not modelled. (The shared cmdlets.json lists -File and
    -Directory in the Items parameter set only, so the engine refuses them with -LiteralPath; use -Path.)
    """
    _refuse(params)
    for name in ("Recurse", "Depth", "Name", "Attributes", "Hidden", "ReadOnly", "System"):
        if params.get(name) not in (None, False):
            raise NotModelled(f"Get-ChildItem -{name}")
    if params.get("Path") is None and params.get("LiteralPath") is None:
        raise NotModelled("Get-ChildItem without -Path or -LiteralPath (the current location)")
    paths, _ = _paths(params)
    want_files, want_dirs = bool(params.get("File")), bool(params.get("Directory"))
    if not want_files and not want_dirs:
        want_files = want_dirs = True
    fs, out = _fs(ctx), []
    for path in paths:
        if not fs.exists(ctx.node, path):
            ctx.write_error(_not_found(path, "GetChildItemCommand"))
            continue
        if not fs.is_dir(ctx.node, path):
            if want_files:
                out.append(_file_object(ctx, path))
            continue
        entries = fs.list(ctx.node, path)
        folders = sorted((e for e in entries if fs.is_dir(ctx.node, e)), key=str.lower)
        files = sorted((e for e in entries if not fs.is_dir(ctx.node, e)), key=str.lower)
        out.extend(_directory_object(ctx, e) for e in (folders if want_dirs else []))
        out.extend(_file_object(ctx, e) for e in (files if want_files else []))
    return out


def _new_files(ctx: Any, params: dict) -> list[Any]:
    """New-Item -ItemType File [-Value] [-Force].

    As the FileSystem provider does it (PowerShell's FileSystemProvider.NewItem): the file is opened with
    FileMode.CreateNew, or FileMode.Create with -Force (the 5.1 page, example 9: -Force overwrites an existing file;
    example 3: -Force also creates missing directories), and -Value is written as its string (UTF-8, no BOM, nothing
    appended). CreateNew is atomic, so of two writers exactly one creates the file: the lab uses
    ``fs.write(..., exclusive=True)``. An existing file is the .NET IOException "The file '<path>' already exists."
    reported as error NewItemIOError in category WriteError; a missing directory the DirectoryNotFoundException
    (also NewItemIOError); a directory at the path UnauthorizedAccessException (NewItemUnauthorizedAccessError).
    """
    if params.get("Path") is None:
        raise NotModelled("New-Item without -Path")
    paths, _ = _paths(params)
    if params.get("Name") is not None:
        paths = [normalize(p + "\\" + to_string(params["Name"])) for p in paths]
    value = params.get("Value")
    text = "" if value is None else to_string(value)
    force = bool(params.get("Force"))
    out = []
    for path in paths:
        if not ctx.should_process(path, "Create File"):
            continue
        try:
            _fs(ctx).write(ctx.node, path, text, parents=force, exclusive=not force)
        except FileExistsError:
            ctx.write_error(PSError(f"The file '{path}' already exists.", category="WriteError",
                                    error_id=f"NewItemIOError,{NS}NewItemCommand", target=path,
                                    exception="System.IO.IOException"))
            continue
        except FileNotFoundError:
            ctx.write_error(PSError(f"Could not find a part of the path '{path}'.", category="WriteError",
                                    error_id=f"NewItemIOError,{NS}NewItemCommand", target=path,
                                    exception="System.IO.DirectoryNotFoundException"))
            continue
        except IsADirectoryError:
            ctx.write_error(PSError(f"Access to the path '{path}' is denied.", category="PermissionDenied",
                                    error_id=f"NewItemUnauthorizedAccessError,{NS}NewItemCommand", target=path,
                                    exception="System.UnauthorizedAccessException"))
            continue
        out.append(_file_object(ctx, path))
    return out


@TABLE.register("Stop-Process")
def stop_process(ctx: Any, params: dict, input_object: Any) -> Iterable[Any]:
    """Stop-Process -Id <pid[]> -Force: the processes of the lab's scheduled tasks (wsfc_lab.jobs).

    The page (https://learn.microsoft.com/en-us/powershell/module/microsoft.powershell.management/stop-process):
    "By default, Stop-Process prompts for confirmation before stopping any process that isn't owned by the current
    user"; a task's processes run as its account, so without -Force the lab refuses (a prompt is not modelled).
    An id no process has is a non-terminating error, "Cannot find a process with the process identifier <id>.".
    -Name, -InputObject and -PassThru are not modelled.
    """
    from wsfc_lab.jobs import scheduler
    for name in ("Name", "InputObject", "PassThru"):
        if params.get(name) is not None and params.get(name) is not False:
            raise NotModelled(f"Stop-Process -{name}")
    if not params.get("Force"):
        raise NotModelled("Stop-Process without -Force (it prompts for processes of other users)")
    ids = params.get("Id")
    ids = list(ids) if isinstance(ids, (list, tuple)) else [ids]
    for value in ids:
        pid = int(value)
        if not ctx.should_process(f"({pid})", "Stop-Process"):
            continue
        if not scheduler(ctx.host).kill(ctx.node, pid):
            ctx.write_error(PSError(f"Cannot find a process with the process identifier {pid}.",
                                    category="ObjectNotFound", target=pid,
                                    error_id=f"NoProcessFoundForGivenId,{NS}StopProcessCommand",
                                    exception="Microsoft.PowerShell.Commands.ProcessCommandException"))
    return []
