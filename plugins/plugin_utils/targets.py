# -*- coding: utf-8 -*-
# Copyright: (c) 2026, wsfc.csv maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Backup targets and the folder of each CSV's backup under them. Pure, no I/O.

A target is where the backup tools write, as every node sees it: a UNC path to
a share (``\\\\server\\share`` and folders under it) or a path that starts with a
drive letter (``E:\\Backups``). Anything else is refused before the role or a
module changes anything, because it would not land where the user meant:

- ``\\backup01\\csv`` (one leading backslash) is a folder on the system drive of
  each node, so every node would keep its own "backup" on itself. It is what
  ``-e csv_backup_target=\\\\backup01\\csv`` becomes: Ansible's ``key=value``
  parser reads ``\\\\`` as an escaped ``\\``. Targets are passed as JSON or YAML
  extra vars instead (``-e '{"csv_backup_target": "\\\\\\\\backup01\\\\csv"}'`` or
  ``-e @vars.yml``), which keep every backslash.
- a relative path (``backup``, ``E:backup``) depends on the task's working directory.
- a device path (``\\\\?\\...``, ``\\\\.\\...``) or forward slashes are not what the
  tools' pages document for a destination.

wbadmin needs a share: its ``-backupTarget`` takes "a hard disk drive letter
(f:), a volume GUID-based path ... or a UNC path to a remote shared folder"
(https://learn.microsoft.com/en-us/windows-server/administration/windows-commands/wbadmin-start-backup),
and only a shared folder can hold the subfolder per run and CSV that keeps one
backup from overwriting another (the same page: "If you save your backup to a
remote shared folder, and then perform another backup to the same computer and
the same remote shared folder, you will overwrite your previous backup ... we
recommend creating subfolders").

Each CSV's backup goes to ``<target>\\<run id>\\<folder>``, where the folder is
the CSV's name made safe (characters outside ``[A-Za-z0-9 ._-]`` become ``_``)
and ``-`` and 8 hexadecimal digits of the SHA-256 of its cluster Id (the
cluster resource's ``Id``, a GUID; the CSV's name when no Id is known). Names
that make the same safe text (``Disk #1`` and ``Disk $1``, ``財務`` and
``人事``) keep their own folders, and the folder of a CSV stays the same from
run to run. :func:`folder_errors` checks that the folders of a run are
distinct (as Windows compares names: without case) all the same.
"""

from __future__ import annotations

import hashlib
import re

from ansible_collections.wsfc.csv.plugins.plugin_utils.backup_jobs import cmd_unsafe

_UNSAFE = re.compile(r'[^A-Za-z0-9 ._-]+')
_UNC = re.compile(r'^\\\\([^\\/?.][^\\/]*)\\([^\\/]+)(\\.*)?$')
_DRIVE = re.compile(r'^[A-Za-z]:\\')
# Characters Windows does not allow in a file or folder name (besides the separators and ':' after a drive letter).
# https://learn.microsoft.com/en-us/windows/win32/fileio/naming-a-file#naming-conventions
_NAME_FORBIDDEN = re.compile(r'[<>"|?*\x00-\x1f]')
NAME_CHARS = 40  # characters of the CSV's name kept in its folder name
SUFFIX_CHARS = 8
SHOWN = 120
HOW = ("pass the target as JSON or YAML extra vars, which keep every backslash: -e '{\"csv_backup_target\": "
       "\"\\\\\\\\backup01\\\\csv\"}' or -e @vars.yml")


def _cut(value):
    text = "%s" % (value,)
    return repr(text if len(text) <= SHOWN else text[:SHOWN - 3] + "...")


def target_kind(value):
    """``unc``, ``drive`` or None (not a usable target)."""
    text = "%s" % (value,)
    rest = text[2:] if text.startswith("\\\\") else text[3:] if _DRIVE.match(text) else None
    if rest is None or _NAME_FORBIDDEN.search(rest) or ":" in rest:
        return None
    if text.startswith("\\\\"):
        return "unc" if _UNC.match(text) and "\\\\" not in text.rstrip("\\")[2:] else None
    return "drive" if "\\\\" not in text.rstrip("\\") else None


def target_error(value, option="target", method=None):
    """Why ``value`` cannot be the backup target of ``option``, or None. ``method=wbadmin`` also needs a share.

    A value cmd.exe would read as syntax is left to :func:`backup_jobs.quote` (and the role's cmd.exe check),
    whose refusal says what is wrong with it.
    """
    text = "%s" % (value,)
    if cmd_unsafe(text):
        return None
    kind = target_kind(text)
    head = "%s %s is not a backup target:" % (option, _cut(text))
    if kind == "unc" or (kind == "drive" and method != "wbadmin"):
        return None
    if kind == "drive":
        return ("%s wbadmin writes each CSV's backup to its own subfolder, and its -backupTarget takes a folder only as "
                "a UNC path to a remote shared folder (\\\\server\\share): use a share" % head)
    if text.startswith("\\") and not text.startswith("\\\\"):
        return ("%s it starts with one backslash, so it is a folder on each node's system drive, not a share. A share "
                "given as key=value (-e %s=\\\\server\\share) loses one backslash of each pair in Ansible's key=value "
                "parsing; %s" % (head, option, HOW.replace("csv_backup_target", option)))
    if text.startswith(("\\\\?\\", "\\\\.\\")) or "/" in text:
        return ("%s use a UNC path (\\\\server\\share\\folder) or a drive-letter path (E:\\Backups) with backslashes, "
                "not a device path or forward slashes" % head)
    return ("%s use a UNC path to a share (\\\\server\\share, folders under it allowed) or a path that starts with a "
            "drive letter (E:\\Backups), without empty parts or the characters < > \" | ? * ; if backslashes went "
            "missing, %s" % (head, HOW.replace("csv_backup_target", option)))


def folder_name(item):
    """The folder of one CSV's backup (see the module doc): ``<safe name>-<8 hex digits of its Id>``."""
    if item.get("folder"):
        return str(item["folder"])
    name = str(item.get("csv") or "")
    readable = _UNSAFE.sub("_", name)[:NAME_CHARS].strip(" .") or "csv"
    key = str(item.get("id") or "").strip().lower() or "name:" + name.lower()
    return "%s-%s" % (readable, hashlib.sha256(key.encode("utf-8")).hexdigest()[:SUFFIX_CHARS])


def csv_target(target, run_id, item):
    """Where one CSV's backup goes: ``<target>\\<run id>\\<folder>``."""
    return "%s\\%s\\%s" % (str(target).rstrip("\\"), run_id, folder_name(item))


def folder_errors(items):
    """Refusals when two CSVs would share a folder (compared without case, as Windows does)."""
    seen, errors = {}, []
    for item in items:
        folder = folder_name(item)
        other = seen.setdefault(folder.lower(), item.get("csv"))
        if other != item.get("csv"):
            errors.append("the CSVs %s and %s would be backed up to the same folder %s; rename one of them"
                          % (_cut(other), _cut(item.get("csv")), _cut(folder)))
    return errors
