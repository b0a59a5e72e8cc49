# -*- coding: utf-8 -*-
# Copyright: (c) 2026, wsfc.csv maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The DiskShadow scripts wsfc.csv.csv_snapshot runs on a node, and what it reads from DiskShadow's output. No I/O.

Why DiskShadow: ``Win32_ShadowCopy.Create`` documents one context, ``ClientAccessible``, which VSS_SNAPSHOT_CONTEXT
says "is created without writer involvement" and "Only the system provider ... can create"
(https://learn.microsoft.com/en-us/windows/win32/api/vss/ne-vss-vss_snapshot_context): no application-consistent
snapshot, no hardware provider. DiskShadow, the VSS requester that ships with Windows Server
(https://learn.microsoft.com/en-us/windows-server/administration/windows-commands/diskshadow), takes
``set context persistent`` (a persistent shadow copy with writers: VSS_CTX_APP_ROLLBACK), lets the requester name
the provider (``add volume <volume> [provider <providerid>]``) and exposes the shadow copy as a mounted folder
(``expose``), which is how a program such as robocopy reads it ("Exposing and Surfacing Shadow Copied Volumes").
No ``begin backup``: without it DiskShadow makes a copy backup (diskshadow page), which, like wbadmin's default
``-vssCopy``, leaves the writers' backup history (and logs) alone, so it does not disturb another backup product.

The script is data built from validated values, never from a CSV's name:

- DiskShadow's pages document no quoting of an argument, and DiskShadow reads ``%name%`` as an alias or variable
  and ``#`` at the start of a line as a comment (diskshadow page example). A CSV path is therefore passed only when
  it is a drive path of ASCII letters, digits, ``.``, ``_`` and ``-`` (``C:\\ClusterStorage\\Volume1\\``); anything
  else (a space, a quote, ``%``, a non-ASCII letter) is refused before anything is created, with what to change.
- Provider and shadow copy IDs are GUIDs (``{...}``), re-formatted here; the mounted folder is wsfc.csv's own
  (``C:\\ProgramData\\wsfc.csv\\exposed\\snap-<hex>``, the hex a digest of the CSV's name and the tag).

Reading the output: Microsoft documents neither DiskShadow's exit codes nor its messages, except what its pages
show. ``list shadows`` prints ``* Shadow Copy ID = {...}`` for each shadow copy (add-alias page), so the script
lists the new one by its default alias ``VSS_SHADOW_1`` (add-alias: "the default alias, VSS_SHADOW_x"; expose:
``expose %vss_shadow_1% x:``) before exposing it, and the ID is read from that line. Failures are recognised by
the documented VSS error names or their HRESULTs anywhere in the output (vsserror.h values as the Windows SDK
metadata publishes them, https://microsoft.github.io/windows-docs-rs/doc/windows/Win32/Storage/Vss/).
"""

from __future__ import annotations

import hashlib
import re

EXPOSE_DIR = "C:\\ProgramData\\wsfc.csv\\exposed"
SCRIPT_DIR = "C:\\ProgramData\\wsfc.csv\\diskshadow"
CONTEXT = "persistent"

_SAFE_VOLUME = re.compile(r"^[A-Za-z]:\\(?:[A-Za-z0-9._-]+\\)*$")
_GUID = re.compile(r"^\{?([0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12})\}?$")
_SHADOW_LINE = re.compile(r"Shadow Copy ID = (\{[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-"
                          r"[0-9A-Fa-f]{12}\})")
_EXPOSURE = re.compile(r"^snap-[0-9a-f]{20}$")

# The VSS errors a creation can end with: name -> (HRESULT, meaning, what to do next). The meanings are those of the
# pages of IVssBackupComponents::StartSnapshotSet, AddToSnapshotSet and DoSnapshotSet.
VSS_ERRORS = {
    "VSS_E_SNAPSHOT_SET_IN_PROGRESS": (0x80042316, "another shadow copy operation was in progress (only one shadow "
                                       "copy creation can be in progress at a time)",
                                       "wait for the other backup or snapshot on the node to finish (its "
                                       "Application event log names it), then run the task again, or raise "
                                       "busy_timeout"),
    "VSS_E_MAXIMUM_NUMBER_OF_SNAPSHOTS_REACHED": (0x80042317, "the volume has the most shadow copies it can keep",
                                                  "delete old shadow copies of the volume, then run the task again"),
    "VSS_E_INSUFFICIENT_STORAGE": (0x8004231F, "the system or provider has insufficient storage space",
                                   "enlarge the shadow storage (vssadmin resize shadowstorage) or delete old "
                                   "shadow copies, then run the task again"),
    "VSS_E_PROVIDER_VETO": (0x80042306, "the provider vetoed the operation",
                            "read the provider's entries in the node's Application event log, fix the cause, then "
                            "run the task again"),
    "VSS_E_PROVIDER_NOT_REGISTERED": (0x80042304, "the provider is not registered",
                                      "install or re-register the VSS provider, or use provider=auto"),
    "VSS_E_VOLUME_NOT_SUPPORTED_BY_PROVIDER": (0x8004230E, "the provider does not support the volume",
                                               "use another provider (provider=auto lets VSS choose)"),
    "VSS_E_VOLUME_NOT_SUPPORTED": (0x8004230C, "the volume is not supported", "check that the CSV is Online"),
    "VSS_E_UNEXPECTED_PROVIDER_ERROR": (0x8004230F, "unexpected provider error",
                                        "read the VSS and provider entries in the node's Application event log"),
    "VSS_E_OBJECT_NOT_FOUND": (0x80042308, "the volume or shadow copy was not found",
                               "check that the CSV is Online and mounted on this node"),
    "VSS_E_BAD_STATE": (0x80042301, "VSS was asked out of sequence", "this is a bug in wsfc.csv; report it"),
    "VSS_E_UNEXPECTED": (0x80042302, "unexpected VSS error",
                         "read the VSS entries in the node's Application event log"),
    "E_ACCESSDENIED": (0x80070005, "access denied", "run the task as an account in the node's local "
                                                    "Administrators group (DiskShadow needs it)"),
}
IN_PROGRESS = "VSS_E_SNAPSHOT_SET_IN_PROGRESS"


class UnsafeValue(ValueError):
    """A value DiskShadow could read as syntax; the message says what to change."""


def guid(value):
    """``{ABC...}`` upper case, or None when ``value`` is not a GUID."""
    match = _GUID.match(str(value or "").strip())
    return "{" + match.group(1).upper() + "}" if match else None


def safe_volume(path):
    """The CSV's mount point with a trailing backslash, if DiskShadow can be given it as data; else UnsafeValue."""
    volume = str(path or "").rstrip("\\") + "\\"
    if not _SAFE_VOLUME.match(volume):
        raise UnsafeValue(
            "the CSV's path %r cannot be passed to DiskShadow as data: DiskShadow's documentation shows no way to "
            "quote a path, and reads '%%' as an alias and '#' as a comment, so wsfc.csv passes only paths of ASCII "
            "letters, digits, '.', '_' and '-' (such as C:\\ClusterStorage\\Volume1). Rename the CSV's folder "
            "under C:\\ClusterStorage to such a name" % (str(path)[:120],))
    return volume


def exposure_name(csv, tag):
    """The folder name a snapshot of ``csv`` with ``tag`` is exposed at: stable (idempotence), safe, unique."""
    digest = hashlib.sha256(("%s\0%s" % (str(csv).lower(), tag)).encode("utf-8")).hexdigest()
    return "snap-" + digest[:20]


def exposure_path(csv, tag):
    return EXPOSE_DIR + "\\" + exposure_name(csv, tag)


def script_path(name, step):
    """Where one DiskShadow script of a snapshot (``name``: its exposure name or shadow copy ID) is written."""
    name = guid(name).strip("{}").lower() if guid(name) else str(name)
    if not re.match(r"^[A-Za-z0-9-]+$", name) or not re.match(r"^[a-z]+$", step):
        raise UnsafeValue("the script name %r is not wsfc.csv's own" % (name[:120],))
    return "%s\\%s-%s.dsh" % (SCRIPT_DIR, name, step)


def create_lines(volume, provider_id, mount):
    """The DiskShadow script that snapshots one CSV volume with writers and exposes it at ``mount``."""
    volume = safe_volume(volume)
    add = "add volume " + volume
    if provider_id:
        wanted = guid(provider_id)
        if wanted is None:
            raise UnsafeValue("the provider ID %r is not a GUID" % (str(provider_id)[:120],))
        add += " provider " + wanted
    if not mount.startswith(EXPOSE_DIR + "\\") or not _EXPOSURE.match(mount[len(EXPOSE_DIR) + 1:]):
        raise UnsafeValue("the exposure folder %r is not wsfc.csv's own" % (mount[:120],))
    return ["# wsfc.csv: an application-consistent shadow copy of one CSV volume, exposed for the backup job",
            "set context " + CONTEXT, "set verbose on", add, "create", "list shadows id %VSS_SHADOW_1%",
            "expose %VSS_SHADOW_1% " + mount + "\\"]


def remove_lines(shadow_id, exposed):
    """The DiskShadow script that deletes one shadow copy of ours, unexposing it first when it is exposed."""
    wanted = guid(shadow_id)
    if wanted is None:
        raise UnsafeValue("the shadow copy ID %r is not a GUID" % (str(shadow_id)[:120],))
    lines = ["# wsfc.csv: delete one shadow copy wsfc.csv created"]
    if exposed:
        lines.append("unexpose " + wanted)
    return lines + ["delete shadows id " + wanted]


def shadow_ids(output):
    """The shadow copy IDs DiskShadow listed (``* Shadow Copy ID = {...}``), upper case, in order."""
    ids = []
    for line in output or []:
        for match in _SHADOW_LINE.finditer(str(line)):
            value = guid(match.group(1))
            if value not in ids:
                ids.append(value)
    return ids


def vss_error(output):
    """The first documented VSS error the output names (by name or HRESULT), or None."""
    text = "\n".join(str(line) for line in output or [])
    found = []
    for name, (hresult, dummy, dummy2) in VSS_ERRORS.items():
        # the name as a word, or the HRESULT as a number of its own (not a piece of a GUID)
        pattern = (r"(?<![A-Za-z0-9_])%s(?![A-Za-z0-9_])|(?<![0-9A-Fa-f{-])(?:0x)?%08x(?![0-9A-Fa-f}-])"
                   % (name, hresult))
        match = re.search(pattern, text, re.IGNORECASE)
        if match:
            found.append((match.start(), name))
    return min(found)[1] if found else None


def error_message(output, exit_code, node, csv):
    """Why DiskShadow did not make the snapshot of ``csv`` on ``node``, and what to do next."""
    name = vss_error(output)
    if name:
        dummy, meaning, step = VSS_ERRORS[name]
        return ("Creating a snapshot of %s on %s failed: %s (%s). Nothing was created. Next: %s." % (
            csv, node, meaning, name, step))
    tail = " | ".join(str(line).strip() for line in (output or [])[-4:] if str(line).strip())
    return ("Creating a snapshot of %s on %s failed: DiskShadow exited with %s (%s). Nothing was created. Next: read "
            "the VSS entries in the node's Application event log, then run the task again." % (
                csv, node, exit_code, tail[:400] or "no output"))
