# -*- coding: utf-8 -*-
# Copyright: (c) 2026, wsfc.csv maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Pure logic of wsfc.csv.csv_snapshot and csv_snapshot_info: no I/O.

- Provider choice. ``Win32_ShadowCopy.Create`` takes only ``Volume`` and ``Context``, so VSS chooses the
  provider itself, as documented in "Selecting Providers"
  (https://learn.microsoft.com/en-us/windows/win32/vss/selecting-providers): a hardware provider if one is
  available, else a software provider, else the system provider. :func:`choose_provider` predicts that choice
  from ``Win32_ShadowProvider`` and refuses a request it cannot honour (``hardware`` with none registered,
  ``software`` or a provider ID that VSS would not pick) before anything is created.
- Return codes of ``Win32_ShadowCopy.Create`` (0-13, from the method's page) as readable errors.
- The registry of shadow copies this collection created (a JSON file on the node, since Win32_ShadowCopy has
  no tag): which entries identify the snapshot of a CSV and tag, which vanished.
- Result shaping: ``surfaced_on`` is the shadow copy's ``ServiceMachine`` (the machine whose VSS service created
  it), ``local_reads`` whether that is the node the task runs on.
"""

from __future__ import annotations

import json
import re

REGISTRY_DIR = "C:\\ProgramData\\wsfc.csv"
REGISTRY_PATH = REGISTRY_DIR + "\\snapshots.json"
DEFAULT_TAG = "wsfc.csv"
CONTEXT = "ClientAccessible"

# Win32_ShadowProvider.Type (https://learn.microsoft.com/en-us/previous-versions/windows/desktop/vsswmi/win32-shadowprovider)
PROVIDER_TYPES = {0: "Unknown", 1: "System", 2: "Software", 3: "Hardware"}

# Win32_ShadowCopy.Create return codes
# (https://learn.microsoft.com/en-us/previous-versions/windows/desktop/vsswmi/create-method-in-class-win32-shadowcopy)
# with what to do next.
CREATE_RETURN_CODES = {
    1: ("Access denied", "run the task as an account in the node's local Administrators or Backup Operators group"),
    2: ("Invalid argument", "check the CSV path"),
    3: ("Specified volume not found", "check that the CSV is Online and mounted on this node"),
    4: ("Specified volume not supported", "the provider does not support this volume; try another provider"),
    5: ("Unsupported shadow copy context", "this is a bug in wsfc.csv; report it"),
    6: ("Insufficient storage", "the shadow storage (diff area) is full: enlarge it with vssadmin resize "
                                "shadowstorage or delete old shadow copies, then run the task again"),
    7: ("Volume is in use", "wait for the other operation on the volume to finish, then run the task again"),
    8: ("Maximum number of shadow copies reached", "delete old shadow copies (state=absent), then run the task again"),
    9: ("Another shadow copy operation is already in progress", "wait until the other backup or snapshot finishes, "
                                                                "then run the task again"),
    10: ("Shadow copy provider vetoed the operation", "read the provider's entries in the node's Application event "
                                                      "log, fix the cause, then run the task again"),
    11: ("Shadow copy provider not registered", "install or re-register the VSS provider on this node, or use "
                                                "provider=auto"),
    12: ("Shadow copy provider failure", "read the VSS and provider entries in the node's Application event log"),
    13: ("Unknown error", "read the VSS entries in the node's Application event log"),
}

_GUID = re.compile(r"^\{?[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}\}?$")


class SnapshotError(Exception):
    """A request the module refuses or a failure it reports; the message names node, CSV and next step."""


def short_name(machine):
    """``NODE1.contoso.com`` -> ``node1``: Windows reports machines by FQDN, the cluster by node name."""
    return str(machine or "").split(".", 1)[0].lower()


def same_machine(a, b):
    return bool(a) and bool(b) and short_name(a) == short_name(b)


def normalize_id(value):
    """``{abc...}`` in upper case, or None when ``value`` is not a GUID."""
    text = str(value or "").strip()
    if not _GUID.match(text):
        return None
    return "{" + text.strip("{}").upper() + "}"


def provider_kind(provider):
    """``hardware`` for Type 3, ``software`` for the system (1) and software (2) providers."""
    return "hardware" if int(provider.get("type") or 0) == 3 else "software"


def default_provider(providers):
    """The provider VSS selects for a volume when the requester names none (Selecting Providers)."""
    for wanted in (3, 2, 1):
        for provider in providers:
            if int(provider.get("type") or 0) == wanted:
                return provider
    return None


def choose_provider(requested, providers, node, csv):
    """Return ``(provider, note)``: the provider Create will use, or raise SnapshotError when it cannot honour
    ``requested`` (``auto``, ``hardware``, ``software`` or a provider ID)."""
    chosen = default_provider(providers)
    names = ", ".join("%s %s (%s)" % (p.get("name"), p.get("id"), PROVIDER_TYPES.get(int(p.get("type") or 0), "?"))
                      for p in providers) or "none"
    if chosen is None:
        raise SnapshotError("No VSS provider is registered on %s, so no snapshot of %s can be taken. Check the "
                            "Volume Shadow Copy service on %s." % (node, csv, node))
    req = str(requested or "auto").strip()
    kind = provider_kind(chosen)
    if req.lower() == "auto":
        return chosen, "the %s provider %s (%s), chosen by VSS (provider=auto)" % (kind, chosen.get("name"), chosen.get("id"))
    if req.lower() == "hardware":
        if kind != "hardware":
            raise SnapshotError("provider=hardware, but no hardware VSS provider is registered on %s (registered: %s). "
                                "Nothing was created for %s. Install the storage vendor's provider, or use "
                                "provider=auto or software." % (node, names, csv))
        return chosen, "the hardware provider %s (%s)" % (chosen.get("name"), chosen.get("id"))
    if req.lower() == "software":
        if kind != "software":
            raise SnapshotError("provider=software, but the hardware provider %s is registered on %s and "
                                "Win32_ShadowCopy.Create lets VSS choose, which prefers hardware. Nothing was created "
                                "for %s. Use provider=auto or hardware, or run the task on a node without the "
                                "hardware provider." % (chosen.get("name"), node, csv))
        return chosen, "the software provider %s (%s)" % (chosen.get("name"), chosen.get("id"))
    wanted = normalize_id(req)
    if wanted is None:
        raise SnapshotError("provider must be auto, hardware, software or a provider ID like "
                            "{b5946137-7b9f-4925-af80-51abd60b20d5}, got %r" % req)
    match = next((p for p in providers if normalize_id(p.get("id")) == wanted), None)
    if match is None:
        raise SnapshotError("The VSS provider %s is not registered on %s (%s). Nothing was created for %s. "
                            "Use one of the registered providers or provider=auto." % (wanted, node, names, csv))
    if normalize_id(chosen.get("id")) != wanted:
        raise SnapshotError("VSS would use %s (%s) on %s, not the requested provider %s: Win32_ShadowCopy.Create "
                            "cannot select a provider. Nothing was created for %s. Use provider=auto or %s."
                            % (chosen.get("name"), chosen.get("id"), node, wanted, csv, chosen.get("id")))
    return chosen, "the %s provider %s (%s)" % (kind, chosen.get("name"), chosen.get("id"))


def create_error(code, node, csv):
    """The message for a non-zero Win32_ShadowCopy.Create return code."""
    meaning, step = CREATE_RETURN_CODES.get(int(code), ("Undocumented return code", "read the node's event log"))
    return ("Creating a snapshot of %s on %s failed: Win32_ShadowCopy.Create returned %s (%s). Nothing was "
            "created. Next: %s." % (csv, node, code, meaning, step))


# ---- the registry of our shadow copies --------------------------------------------------------------------

def parse_registry(text):
    """Entries of the registry file's text (``None`` or empty: no entries). Raises SnapshotError if corrupt."""
    if text is None or not str(text).strip():
        return []
    try:
        data = json.loads(str(text).lstrip("\ufeff"))
    except ValueError as exc:
        raise SnapshotError("The snapshot registry %s is not valid JSON (%s). Fix or remove it; wsfc.csv will not "
                            "guess which shadow copies are its own." % (REGISTRY_PATH, exc))
    entries = data.get("snapshots") if isinstance(data, dict) else None
    if entries is None:
        return []
    if isinstance(entries, dict):
        entries = [entries]
    return [e for e in entries if isinstance(e, dict) and normalize_id(e.get("id"))]


def tagged(entries, csv, tag):
    """Registry entries of ``csv`` (name, case-insensitive) with ``tag``."""
    return [e for e in entries if str(e.get("csv", "")).lower() == str(csv).lower() and e.get("tag") == tag]


def split_existing(entries, shadows):
    """(entries whose shadow copy still exists, entries whose shadow copy vanished)."""
    ids = {normalize_id(s.get("id")) for s in shadows}
    alive = [e for e in entries if normalize_id(e.get("id")) in ids]
    gone = [e for e in entries if normalize_id(e.get("id")) not in ids]
    return alive, gone


# ---- results ----------------------------------------------------------------------------------------------

def match_csv(csvs, name=None, path=None):
    """The entry of ``csvs`` with this name or volume path (case-insensitive), or None when there is none."""
    want_path = str(path or "").rstrip("\\").lower()
    for csv in csvs:
        if name and str(csv.get("name", "")).lower() == str(name).lower():
            return csv
        if want_path and str(csv.get("path", "")).rstrip("\\").lower() == want_path:
            return csv
    return None


def shape_snapshot(shadow, node, providers, csv=None, tag=None):
    """The module's view of one Win32_ShadowCopy, as read on ``node``."""
    provider = next((p for p in providers if normalize_id(p.get("id")) == normalize_id(shadow.get("provider_id"))),
                    None)
    surfaced = shadow.get("service_machine") or shadow.get("originating_machine")
    out = {
        "id": normalize_id(shadow.get("id")) or shadow.get("id"),
        "set_id": shadow.get("set_id"),
        "device_object": shadow.get("device_object"),
        "volume_name": shadow.get("volume_name"),
        "provider_id": shadow.get("provider_id"),
        "provider_name": provider.get("name") if provider else None,
        "provider_type": provider_kind(provider) if provider else None,
        "originating_machine": shadow.get("originating_machine"),
        "service_machine": shadow.get("service_machine"),
        "surfaced_on": short_name(surfaced).upper() if surfaced else None,
        "local_reads": same_machine(surfaced, node),
        "created": shadow.get("install_date"),
        "client_accessible": shadow.get("client_accessible"),
    }
    if csv is not None:
        out["csv"] = csv
    if tag is not None:
        out["tag"] = tag
    return out


def registry_entry(snapshot, csv, volume, tag):
    """What the registry records for a snapshot this collection created."""
    return {"id": snapshot["id"], "csv": csv, "volume": volume, "tag": tag, "provider_id": snapshot.get("provider_id"),
            "provider_type": snapshot.get("provider_type"), "device_object": snapshot.get("device_object"),
            "created": snapshot.get("created")}


def csv_for_volume(csvs, volume_name):
    """The CSV whose volume GUID path (Get-ClusterSharedVolumeState VolumeName) is ``volume_name``."""
    want = str(volume_name or "").rstrip("\\").lower()
    for csv in csvs:
        if want and any(str(v).rstrip("\\").lower() == want for v in csv.get("volume_names") or []):
            return csv
    return None
