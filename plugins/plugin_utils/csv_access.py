# -*- coding: utf-8 -*-
# Copyright: (c) 2026, wsfc.csv maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""How each node reaches a CSV, and what that means for a backup: direct, structural, transient or fatal.

Pure functions, no I/O. ``Get-ClusterSharedVolumeState`` reports, per CSV
and per node, a state (``Direct``, ``File System Redirected``, ``Block
Redirected``) and a reason. A redirect is not one thing: on a ReFS CSV every
node is redirected forever and backups still work; a node that lost its
path to the disk is a storage fault. So each reason is sorted into a class,
and a CSV's class is the worst of its nodes'.

The reasons are the members of ``CLUSTER_SHARED_VOLUME_STATE_INFO_EX``
(https://learn.microsoft.com/windows/win32/api/clusapi/ns-clusapi-cluster_shared_volume_state_info_ex):
``RedirectedIOReason`` (file-system redirection) and
``VolumeRedirectedIOReason`` (block redirection), both bit masks. The
``Get-ClusterSharedVolumeState`` page shows them by name without their prefix
(``NotRedirected``, ``UserRequest``, ``NoDiskConnectivity``); Windows Server
2016 and later print some with other names (``IncompatibleFileSystemFilter``,
``FileSystemReFs``), which are read as aliases. A reason this table does not
know is *fatal*: Microsoft documents no other, so nothing can be said about
it, and a backup that refuses is safer than one that moves a CSV it does not
understand.
"""

from __future__ import annotations

# Classes, from the least to the most serious.
DIRECT = "direct"
STRUCTURAL = "structural"   # redirected for as long as the volume is built this way; backups work, through the coordinator
TRANSIENT = "transient"     # redirected for a while; wait for it (with a timeout) before moving or reading
FATAL = "fatal"             # a fault: refuse to move or back up the CSV until someone fixes it
ORDER = (DIRECT, STRUCTURAL, TRANSIENT, FATAL)

FILE_SYSTEM = "file_system"
BLOCK = "block"

# Each documented reason: (kind, canonical name, class, why). The page behind every row is the clusapi structure
# above; the class and its why are ours, from the page named in the why.
_OVERVIEW = "Cluster Shared Volumes overview (learn.microsoft.com/windows-server/failover-clustering/failover-cluster-csvs)"
REASONS = (
    (FILE_SYSTEM, "UserRequest", TRANSIENT,
     "someone turned redirected access on (Failover Cluster Manager's 'Turn on redirected access', done for "
     "maintenance); it lasts until they turn it off"),
    (FILE_SYSTEM, "UnsafeFileSystemFilter", STRUCTURAL,
     "a file system filter driver on that node is not compatible with direct I/O (" + _OVERVIEW + "); the node's I/O "
     "goes to the coordinator until the filter is updated or removed, which a backup on the coordinator does not need"),
    (FILE_SYSTEM, "UnsafeVolumeFilter", FATAL,
     "a volume filter driver on that node is not compatible with CSV; remove or update it (check fltmc filters and "
     "the storage vendor's drivers), then run again"),
    (FILE_SYSTEM, "FileSystemTiering", STRUCTURAL,
     "the volume uses tiered storage, which CSV always serves in file system redirected mode"),
    (FILE_SYSTEM, "BitLockerInitializing", TRANSIENT,
     "BitLocker is encrypting the volume; redirection ends when the encryption does"),
    (FILE_SYSTEM, "ReFs", STRUCTURAL,
     "the volume is ReFS, which CSV always runs in file system redirected mode (all writes go to the coordinator, "
     + _OVERVIEW + "); read where it is coordinated"),
    (BLOCK, "NoDiskConnectivity", FATAL,
     "that node has lost its path to the disk; fix the storage connection (MPIO paths, cabling, the SAN's zoning) "
     "and run again"),
    (BLOCK, "StorageSpaceNotAttached", STRUCTURAL,
     "on Storage Spaces Direct the virtual disk is attached on its coordinator only, so other nodes reach it by "
     "block redirection"),
    (BLOCK, "VolumeReplicationEnabled", STRUCTURAL,
     "Storage Replica replicates the volume, which keeps block I/O going through the coordinator while replication "
     "is on"),
)
# Other names Windows prints for the same bits (compared without case): the 2016+ enum names and the clusapi names.
_ALIASES = {
    "incompatiblefilesystemfilter": "UnsafeFileSystemFilter",
    "incompatiblevolumefilter": "UnsafeVolumeFilter",
    "filesystemrefs": "ReFs",
    "refs": "ReFs",
}
_BY_NAME = dict((name.lower(), (kind, name, cls, why)) for kind, name, cls, why in REASONS)
_PREFIXES = ("volumeredirectedioreason", "redirectedioreason")
# Values that mean "no reason": the documented NotRedirected and the 2016+ Not...Redirected names.
_NONE = ("", "none", "notredirected", "notfilesystemredirected", "notblockredirected", "0")
_STATE_KIND = {"filesystemredirected": FILE_SYSTEM, "blockredirected": BLOCK}

# The redirect a backup itself causes: "redirection happens when CSV snapshots are taken by a backup application"
# (the overview page). Windows gives it no reason bit of its own, so it is told by the CSV being in backup while the
# node is redirected without a documented reason.
SNAPSHOT = "Snapshot"
_SNAPSHOT_WHY = ("a backup holds the CSV (a VSS snapshot is being taken or exists), which redirects the other nodes' "
                 "I/O for as long as it lasts (" + _OVERVIEW + ")")
# A redirected state without any reason bit and without a backup state: Microsoft documents no such case but the
# snapshot's own redirect ("redirection happens when CSV snapshots are taken by a backup application"), whose
# BackupState is not documented to be set for every kind of snapshot. So it is taken as that redirect, transient:
# waited for (the slower path), neither refused nor ignored.
UNSPECIFIED = "Unspecified"
_UNSPECIFIED_WHY = ("redirected without a documented reason, which Microsoft describes only while a snapshot of the "
                    "CSV exists (" + _OVERVIEW + "); it is waited for")


def _compact(text):
    return "".join(str(text if text is not None else "").split()).lower()


def reason_names(value):
    """The canonical names in one reported reason (a flags enum prints several joined by commas)."""
    names = []
    for part in str(value if value is not None else "").split(","):
        key = _compact(part)
        if key in _NONE:
            continue
        for prefix in _PREFIXES:
            if key.startswith(prefix) and key != prefix:
                key = key[len(prefix):]
        canonical = _ALIASES.get(key)
        if canonical is None:
            canonical = _BY_NAME[key][1] if key in _BY_NAME else part.strip()
        if canonical not in names:
            names.append(canonical)
    return names


def describe_reason(name):
    """``(kind, class, why)`` of one canonical reason name; an unknown one is fatal."""
    if name == SNAPSHOT:
        return FILE_SYSTEM, TRANSIENT, _SNAPSHOT_WHY
    if name == UNSPECIFIED:
        return None, TRANSIENT, _UNSPECIFIED_WHY
    found = _BY_NAME.get(str(name).lower())
    if found is None:
        return None, FATAL, ("%r is not a redirected I/O reason Microsoft documents, so this collection cannot tell "
                             "whether a backup is safe; find why with Get-ClusterSharedVolumeState" % (name,))
    return found[0], found[2], found[3]


def worst(classes):
    """The most serious of some classes (``direct`` for none)."""
    ranked = [ORDER.index(c) for c in classes if c in ORDER]
    return ORDER[max(ranked)] if ranked else DIRECT


def classify_entry(entry, in_backup=False):
    """One node's access entry (``node``, ``state``, ``reason``) with ``kind``, ``reasons``, ``class`` and ``why``.

    A redirected state with no reason is the snapshot-caused redirect
    (``Snapshot``) when the CSV is in backup (``in_backup``), and otherwise
    ``Unspecified``: transient too, see :data:`UNSPECIFIED`.
    """
    state = entry.get("state")
    kind = _STATE_KIND.get(_compact(state))
    names = reason_names(entry.get("reason")) if kind else []
    if kind and not names:
        names = [SNAPSHOT] if in_backup else [UNSPECIFIED]
    reasons = []
    for name in names:
        reason_kind, cls, why = describe_reason(name)
        reasons.append({"name": name, "kind": reason_kind or kind, "class": cls, "why": why})
    cls = worst(r["class"] for r in reasons)
    return {
        "node": entry.get("node"),
        "state": state,
        "redirected": kind is not None,
        "kind": kind,
        "reason": ", ".join(names) if names else None,
        "reasons": reasons,
        "class": cls,
    }


def classify_csv(access, in_backup=False):
    """A CSV's class from its classified entries: ``(class, detail)``; ``detail`` names each node and reason."""
    entries = [e if "class" in e else classify_entry(e, in_backup) for e in access or []]
    cls = worst(e["class"] for e in entries)
    if cls == DIRECT:
        return cls, None
    parts = []
    for entry in entries:
        for reason in entry["reasons"]:
            if reason["class"] == cls:
                parts.append("%s on %s (%s: %s)" % (entry["state"], entry["node"], reason["name"], reason["why"]))
    return cls, "; ".join(parts)


def new_redirects(before, after):
    """Entries of ``after`` that have a transient or fatal reason their node did not have in ``before``.

    What a move must not leave behind: structural redirects come and go with
    the coordinator (on Storage Spaces Direct the old coordinator becomes
    block redirected), so only a redirect that is neither structural nor
    already there before the move means the move is not finished or broke
    something.
    """
    had = {}
    for entry in before or []:
        had[str(entry.get("node")).lower()] = set(r["name"] for r in entry.get("reasons") or [])
    found = []
    for entry in after or []:
        known = had.get(str(entry.get("node")).lower(), set())
        extra = [r for r in entry.get("reasons") or [] if r["class"] in (TRANSIENT, FATAL) and r["name"] not in known]
        if extra:
            found.append(dict(entry, reasons=extra))
    return found


def describe_entries(entries):
    """'File System Redirected on NODE2 (UserRequest)' for each entry, joined."""
    return "; ".join("%s on %s (%s)" % (e.get("state"), e.get("node"), ", ".join(r["name"] for r in e["reasons"]))
                     for e in entries)


# CLUSTER_SHARED_VOLUME_BACKUP_STATE (clusapi.h: VolumeBackupNone = 0, VolumeBackupInProgress = 1;
# https://learn.microsoft.com/windows/win32/api/clusapi/ne-clusapi-cluster_shared_volume_backup_state), the
# BackupState of CLUS_CSV_VOLUME_INFO ([MS-CMRP] 2.2.3.18). The FailoverClusters wrapper's rendering is not documented,
# so the number, the member name with or without its prefix, and a boolean are all read.
_IN_BACKUP = ("1", "true", "inprogress", "backupinprogress", "volumebackupinprogress")


def in_backup(value):
    """True when a CSV's reported BackupState says a backup holds it."""
    return _compact(value) in _IN_BACKUP
