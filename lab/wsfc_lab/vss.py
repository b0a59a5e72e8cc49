"""The Volume Shadow Copy Service of the lab's nodes: providers, contexts, the creation slot, limits, exposure.

Every requester the lab runs (``Win32_ShadowCopy.Create`` in ``cmdlets/cim.py``, DiskShadow in ``diskshadow.py``,
wbadmin in ``jobs.py``) creates, exposes and deletes shadow copies here, so the rules below hold whichever way a
snapshot is asked for. Each rule cites the Microsoft page it comes from; where Microsoft is silent the lab models
the conservative behaviour and says so.

- Contexts (``VSS_SNAPSHOT_CONTEXT``, https://learn.microsoft.com/en-us/windows/win32/api/vss/
  ne-vss-vss_snapshot_context, and "Shadow Copy Context Configurations", https://learn.microsoft.com/en-us/
  windows/win32/vss/shadow-copy-context-configurations): which are persistent and which involve writers. A
  shadow copy made with writers is application-consistent (``consistency: application``), one made without is
  crash-consistent (``crash``).
- ``VSS_CTX_CLIENT_ACCESSIBLE`` (and ``..._WRITERS``): "Only the system provider (the default provider available
  on the system) can create this type of shadow copy" (same page), whatever other provider is registered.
- Provider choice without a provider ID ("Selecting Providers", https://learn.microsoft.com/en-us/windows/win32/
  vss/selecting-providers): a hardware provider that supports the volume, else a software provider, else the
  system provider. The lab's hardware provider supports every CSV.
- Where a snapshot surfaces: a hardware one on the node that asked, a software (or system) one on the CSV's
  coordinator (``Cluster.snapshot_node``; lab/README.md, "Model of a backup read").
- One shadow copy set in creation per machine: "only one shadow copy creation operation can be in progress at one
  time" (``VSS_E_SNAPSHOT_SET_IN_PROGRESS``, IVssBackupComponents::StartSnapshotSet, https://learn.microsoft.com/
  en-us/windows/win32/api/vsbackup/nf-vsbackup-ivssbackupcomponents-startsnapshotset). The lab creates a set
  instantly, so only another product holding the slot (fault ``vss_busy``) makes a creation find it busy. Microsoft
  does not say whose slot a CSV snapshot taken from another node than the coordinator occupies: the lab
  (conservatively) needs both the requester's and, for a software snapshot, the coordinator's slot to be free.
- Limits per volume (MaxShadowCopies, https://learn.microsoft.com/en-us/windows/win32/backup/
  registry-keys-for-backup-and-restore#maxshadowcopies): at most ``vss.max_shadow_copies`` (default 64)
  client-accessible shadow copies, and 512 shadow copies of any kind. Microsoft documents the limits, not what VSS
  does past them; the lab (conservatively) refuses the creation with ``VSS_E_MAXIMUM_NUMBER_OF_SNAPSHOTS_REACHED``
  and never deletes an older shadow copy to make room.
- Exposing ("Exposing and Surfacing Shadow Copied Volumes", https://learn.microsoft.com/en-us/windows/win32/vss/
  exposing-and-surfacing-shadow-copied-volumes): "Only persistent shadow copies ... can be exposed locally", as a
  drive letter or a mounted folder. The lab models mounted folders only, on the node that exposes it; the folder
  must be an existing, empty directory on that node's own disk (Microsoft does not say what happens otherwise:
  the lab refuses). An exposed shadow copy is read through its folder (``exposure``).

Errors are :class:`VssError` with the documented HRESULT name and value (vsserror.h values as the Windows SDK
metadata publishes them, https://microsoft.github.io/windows-docs-rs/doc/windows/Win32/Storage/Vss/).
"""

from __future__ import annotations

import uuid
from typing import Any

# The providers the lab registers. The system provider's ID, name and version are those "list providers" shows
# (https://learn.microsoft.com/en-us/windows-server/administration/windows-commands/list-providers); the hardware
# provider's values are the lab's own.
SYSTEM_PROVIDER = {"id": "{B5946137-7B9F-4925-AF80-51ABD60B20D5}", "name": "Microsoft Software Shadow Copy provider 1.0",
                   "type": 1, "clsid": "{65EE1DBA-8FF4-4A58-AC1C-3470EE2F376A}", "version": "1.0.0.7",
                   "version_id": "{" + str(uuid.uuid5(uuid.NAMESPACE_URL, "wsfc-lab/vss/system/version")).upper() + "}"}
HARDWARE_PROVIDER = {"id": "{" + str(uuid.uuid5(uuid.NAMESPACE_URL, "wsfc-lab/vss/hardware")).upper() + "}",
                     "name": "Lab Hardware Shadow Copy Provider", "type": 3,
                     "clsid": "{" + str(uuid.uuid5(uuid.NAMESPACE_URL, "wsfc-lab/vss/hardware/clsid")).upper() + "}",
                     "version": "1.0", "version_id": "{" + str(uuid.uuid5(uuid.NAMESPACE_URL, "wsfc-lab/vss/hardware/version")).upper() + "}"}
# Win32_ShadowProvider.Type (1 System, 2 Software, 3 Hardware) as the lab's events and records name it.
PROVIDER_KINDS = {1: "system", 2: "software", 3: "hardware"}

# VSS_SNAPSHOT_CONTEXT -> (persistent, writers involved, client-accessible), from the two context pages above.
CONTEXTS = {
    "Backup": (False, True, False),                   # VSS_CTX_BACKUP: auto-release, nonpersistent, writers
    "FileShareBackup": (False, False, False),         # VSS_CTX_FILE_SHARE_BACKUP
    "NasRollback": (True, False, False),              # VSS_CTX_NAS_ROLLBACK: persistent, no writers
    "AppRollback": (True, True, False),               # VSS_CTX_APP_ROLLBACK: persistent, writers
    "ClientAccessible": (True, False, True),          # VSS_CTX_CLIENT_ACCESSIBLE: no writers, system provider only
    "ClientAccessibleWriters": (True, True, True),    # VSS_CTX_CLIENT_ACCESSIBLE_WRITERS
}
SHADOW_COPIES_PER_VOLUME = 512

HRESULTS = {
    "E_ACCESSDENIED": 0x80070005,
    "E_INVALIDARG": 0x80070057,
    "VSS_E_BAD_STATE": 0x80042301,
    "VSS_E_UNEXPECTED": 0x80042302,
    "VSS_E_PROVIDER_NOT_REGISTERED": 0x80042304,
    "VSS_E_PROVIDER_VETO": 0x80042306,
    "VSS_E_OBJECT_NOT_FOUND": 0x80042308,
    "VSS_E_VOLUME_NOT_SUPPORTED": 0x8004230C,
    "VSS_E_VOLUME_NOT_SUPPORTED_BY_PROVIDER": 0x8004230E,
    "VSS_E_UNEXPECTED_PROVIDER_ERROR": 0x8004230F,
    "VSS_E_SNAPSHOT_SET_IN_PROGRESS": 0x80042316,
    "VSS_E_MAXIMUM_NUMBER_OF_SNAPSHOTS_REACHED": 0x80042317,
    "VSS_E_INSUFFICIENT_STORAGE": 0x8004231F,
}
# Win32_ShadowCopy.Create return codes (lab/reference/wmi.json) of these errors.
WMI_CODES = {
    "E_ACCESSDENIED": 1, "E_INVALIDARG": 2, "VSS_E_OBJECT_NOT_FOUND": 3, "VSS_E_VOLUME_NOT_SUPPORTED": 4,
    "VSS_E_VOLUME_NOT_SUPPORTED_BY_PROVIDER": 4, "VSS_E_INSUFFICIENT_STORAGE": 6,
    "VSS_E_MAXIMUM_NUMBER_OF_SNAPSHOTS_REACHED": 8, "VSS_E_SNAPSHOT_SET_IN_PROGRESS": 9, "VSS_E_PROVIDER_VETO": 10,
    "VSS_E_PROVIDER_NOT_REGISTERED": 11, "VSS_E_UNEXPECTED_PROVIDER_ERROR": 12, "VSS_E_UNEXPECTED": 13,
}
# snapshot_fails ``reason`` -> the VSS error a requester sees. ``volume_in_use`` has no VSS error of its own that
# Microsoft documents; the lab reports VSS_E_UNEXPECTED to DiskShadow (Win32_ShadowCopy.Create keeps its code 7).
FAILURE_ERRORS = {
    "access_denied": "E_ACCESSDENIED", "volume_unsupported": "VSS_E_VOLUME_NOT_SUPPORTED",
    "diff_area_full": "VSS_E_INSUFFICIENT_STORAGE", "volume_in_use": "VSS_E_UNEXPECTED",
    "max_shadow_copies": "VSS_E_MAXIMUM_NUMBER_OF_SNAPSHOTS_REACHED", "in_progress": "VSS_E_SNAPSHOT_SET_IN_PROGRESS",
    "provider_veto": "VSS_E_PROVIDER_VETO", "provider_missing": "VSS_E_PROVIDER_NOT_REGISTERED",
    "provider_failure": "VSS_E_UNEXPECTED_PROVIDER_ERROR", "unknown": "VSS_E_UNEXPECTED",
}

# The writers every node runs: in-box writers whose names and IDs "In-Box VSS Writers" lists
# (https://learn.microsoft.com/en-us/windows/win32/vss/in-box-vss-writers). The lab models whether writers take
# part in a shadow copy (its context), not what each writer does.
WRITERS = [
    {"name": "Cluster Shared Volume VSS Writer", "id": "{1072AE1C-E5A7-4EA1-9E4A-6F7964656570}"},
    {"name": "System Writer", "id": "{E8132975-6F93-4464-A53E-1050253AE220}"},
    {"name": "Registry Writer", "id": "{AFBAB4A2-367D-4D15-A586-71DBB18F8485}"},
    {"name": "Task Scheduler Writer", "id": "{D61D61C8-D73A-4EEE-8CDD-F6F9786B7124}"},
    {"name": "WMI Writer", "id": "{A6AD56C2-B509-4E6C-BB19-49D8F43532F0}"},
    {"name": "Shadow Copy Optimization Writer", "id": "{4DC3BDD4-AB48-4D07-ADB0-3BEE2926FD7F}"},
]


class VssError(Exception):
    """A VSS operation failed: ``name`` is the documented HRESULT name, ``hresult`` its value."""

    def __init__(self, name: str, message: str):
        super().__init__(message)
        self.name = name
        self.hresult = HRESULTS[name]

    @property
    def wmi_code(self) -> int:
        return WMI_CODES.get(self.name, 13)


def provider_kind(provider: dict) -> str:
    return PROVIDER_KINDS.get(int(provider.get("type") or 0), "software")


def consistency(writers: bool) -> str:
    """Writers take part: application-consistent; no writers: crash-consistent (the context pages above)."""
    return "application" if writers else "crash"


def norm_path(path: str) -> str:
    return str(path).replace("/", "\\").rstrip("\\").lower()


class ShadowCopyService:
    """The VSS state of the lab: who holds each node's creation slot, and the rules above. Call under the model's
    lock (every Cluster method that uses it takes it)."""

    def __init__(self, model: Any):
        self.model = model
        self.busy_until: dict[str, float] = {}   # node -> modelled second until which another product holds the slot

    # ---- providers ------------------------------------------------------------------------------------------
    def providers(self) -> list[dict]:
        out = [dict(SYSTEM_PROVIDER)]
        if self.model.hardware_provider:
            out.append(dict(HARDWARE_PROVIDER))
        return out

    def provider(self, context: str, provider_id: str | None) -> dict:
        """The provider that creates a shadow copy in ``context``: the one named, else VSS's choice."""
        client_accessible = CONTEXTS[context][2]
        registered = self.providers()
        if provider_id:
            wanted = "{" + str(provider_id).strip().strip("{}").upper() + "}"
            match = next((p for p in registered if p["id"].upper() == wanted), None)
            if match is None:
                raise VssError("VSS_E_PROVIDER_NOT_REGISTERED", f"The provider {provider_id} is not registered.")
            if client_accessible and match["type"] != 1:
                raise VssError("VSS_E_VOLUME_NOT_SUPPORTED_BY_PROVIDER",
                               f"Only the system provider can create a client-accessible shadow copy, not "
                               f"{match['name']}.")
            return match
        if client_accessible:
            return dict(SYSTEM_PROVIDER)
        for wanted_type in (3, 2, 1):
            for provider in registered:
                if provider["type"] == wanted_type:
                    return provider
        return dict(SYSTEM_PROVIDER)

    # ---- the creation slot ------------------------------------------------------------------------------------
    def hold(self, node: str, seconds: float) -> None:
        """Fault ``vss_busy``: another requester holds ``node``'s slot for ``seconds`` modelled seconds from now."""
        until = self.model.seconds() + float(seconds)
        self.busy_until[node] = max(self.busy_until.get(node, 0.0), until)

    def busy(self, node: str) -> bool:
        """Whether another requester holds ``node``'s slot now; a ``vss_busy during=snapshot`` fault for the node
        starts its hold here, at the node's next creation (the other product's set began just before ours)."""
        fault = self.model.take_fault("vss_busy", node=node, during="snapshot")
        if fault is not None:
            self.hold(node, float(fault["for_s"]))
        return self.model.seconds() < self.busy_until.get(node, float("-inf"))

    def check_slot(self, requester: str, csv: Any, provider: dict) -> None:
        nodes = [requester]
        if provider["type"] != 3 and csv.owner != requester:
            nodes.append(csv.owner)
        for node in nodes:
            if self.busy(node):
                raise VssError("VSS_E_SNAPSHOT_SET_IN_PROGRESS",
                               f"The creation of a shadow copy is in progress on {node}, and only one shadow copy "
                               f"creation operation can be in progress at one time.")

    # ---- limits -----------------------------------------------------------------------------------------------
    def check_limits(self, csv: Any, context: str) -> None:
        mine = [s for s in self.model.snapshots if s["csv"] == csv.name]
        if len(mine) >= SHADOW_COPIES_PER_VOLUME:
            raise VssError("VSS_E_MAXIMUM_NUMBER_OF_SNAPSHOTS_REACHED",
                           f"{csv.path} already has {len(mine)} shadow copies, the most a volume can have.")
        if CONTEXTS[context][2]:
            accessible = [s for s in mine if s.get("client_accessible")]
            if len(accessible) >= self.model.topology.max_shadow_copies:
                raise VssError("VSS_E_MAXIMUM_NUMBER_OF_SNAPSHOTS_REACHED",
                               f"{csv.path} already has {len(accessible)} client-accessible shadow copies "
                               f"(MaxShadowCopies {self.model.topology.max_shadow_copies}).")

    # ---- creation ---------------------------------------------------------------------------------------------
    def create(self, requester: str, csv: Any, context: str, provider_id: str | None = None, *, tool: str,
               backup_type: str = "copy", set_id: str | None = None, fault_checked: bool = False) -> dict:
        """One shadow copy of ``csv`` made on ``requester``'s behalf; raises VssError (nothing is created then)."""
        if csv.state != "Online":
            raise VssError("VSS_E_OBJECT_NOT_FOUND", f"The volume {csv.path} is {csv.state}.")
        provider = self.provider(context, provider_id)
        self.check_slot(requester, csv, provider)
        if not fault_checked:
            fault = self.model.take_fault("snapshot_fails", node=requester)
            if fault is not None:
                reason = fault.get("reason") or "provider_failure"
                raise VssError(FAILURE_ERRORS[reason], f"The shadow copy could not be created ({reason}).")
        self.check_limits(csv, context)
        persistent, writers, client_accessible = CONTEXTS[context]
        kind = provider_kind(provider)
        model = self.model
        model._shadow_numbers += 1
        snap = {"id": model.new_id(), "csv": csv.name, "volume": csv.path.rstrip("\\") + "\\",
                "device_object": f"\\\\?\\GLOBALROOT\\Device\\HarddiskVolumeShadowCopy{model._shadow_numbers}",
                "node": model.snapshot_node(csv.name, requester, kind), "provider_id": provider["id"],
                "provider_type": kind, "created": round(model.seconds(), 3), "created_by": requester,
                "set_id": set_id or model.new_id(), "context": context, "originating_machine": csv.owner,
                "persistent": persistent, "writers": writers, "client_accessible": client_accessible,
                "consistency": consistency(writers), "backup_type": backup_type, "tool": tool, "exposed": None}
        model.snapshots.append(snap)
        return snap

    # ---- exposure ---------------------------------------------------------------------------------------------
    def expose(self, node: str, snap: dict, path: str) -> None:
        fs = self.model.fs
        if not snap.get("persistent"):
            raise VssError("VSS_E_BAD_STATE", "Only persistent shadow copies can be exposed locally.")
        if snap.get("exposed"):
            raise VssError("VSS_E_BAD_STATE", f"The shadow copy {snap['id']} is already exposed at "
                                              f"{snap['exposed']['path']}.")
        try:
            store = fs.store(node, path)
            empty = fs.is_dir(node, path) and not fs.list(node, path)
        except ValueError:
            store, empty = None, False
        if store != f"node:{node}" or not empty:
            raise VssError("E_INVALIDARG", f"{path} is not an empty folder on {node}'s own disk (the lab exposes "
                                           f"shadow copies only at such mounted folders).")
        if any(s.get("exposed") and s["exposed"]["node"] == node and norm_path(s["exposed"]["path"]) == norm_path(path)
               for s in self.model.snapshots):
            raise VssError("E_INVALIDARG", f"Another shadow copy is exposed at {path}.")
        snap["exposed"] = {"node": node, "path": path}

    def exposure(self, node: str, path: str) -> dict | None:
        """The shadow copy exposed on ``node`` at a folder ``path`` is in (or is), or None."""
        wanted = norm_path(path)
        for snap in self.model.snapshots:
            exposed = snap.get("exposed")
            if not exposed or exposed["node"] != node:
                continue
            root = norm_path(exposed["path"])
            if wanted == root or wanted.startswith(root + "\\"):
                return snap
        return None
