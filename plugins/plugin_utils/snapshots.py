# -*- coding: utf-8 -*-
# Copyright: (c) 2026, wsfc.csv maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Pure logic of wsfc.csv.csv_snapshot and csv_snapshot_info: no I/O.

Snapshots are taken with DiskShadow (why, and its scripts: :mod:`diskshadow`).

- Provider choice. DiskShadow's ``add volume <volume> [provider <providerid>]`` names the provider, or lets VSS
  choose as "Selecting Providers" documents (https://learn.microsoft.com/en-us/windows/win32/vss/
  selecting-providers): a hardware provider that supports the volume, else a software provider, else the system
  provider. :func:`choose_provider` turns ``provider`` (``auto``, ``hardware``, ``software`` or an ID) into the ID
  to pass (none for ``auto``) and refuses, before anything is created, one that is not registered.
- Provider types: Win32_ShadowProvider.Type 1 is ``system`` (the Microsoft Software Shadow Copy provider, VSS's
  system provider), 2 ``software`` (another software provider), 3 ``hardware``. A hardware snapshot surfaces on
  the node that asked for it; a system or software one on the CSV's coordinator (``provider_kind``: where).
- Consistency: a shadow copy made with writers (Win32_ShadowCopy ``NoWriters`` false) is application-consistent,
  one made without is crash-consistent.
- Limits: MaxShadowCopies (default 64) bounds only client-accessible shadow copies; "For other types of shadow
  copies ... The maximum number of shadow copies is 512 per volume" (Registry Keys and Values for Backup and
  Restore, https://learn.microsoft.com/en-us/windows/win32/backup/registry-keys-for-backup-and-restore). DiskShadow's
  ``persistent`` context is not client-accessible, so a new snapshot is refused (or warned about) when the volume
  already has 512.
- The registry of shadow copies this collection created (a JSON file on the node, since Win32_ShadowCopy has
  no tag): which entries identify the snapshot of a CSV and tag, which vanished, and whether a shadow copy is still
  the one recorded (same volume, same creation time) before it is deleted. Its folder must be owned by SYSTEM or
  Administrators (:func:`registry_owner_problem`: a folder someone else created could list another product's
  shadow copies as ours) and gets an explicit, protected ACL granting only those two (``REGISTRY_SDDL``, set with
  ``[System.IO.Directory]::SetAccessControl``). The file is written whole to a temporary file, then put in place
  with ``[System.IO.File]::Replace``, so a crash leaves the old registry or the new one; a registry that is not
  valid JSON anyway (:func:`read_registry`) is moved aside with a warning, and none of its entries is trusted.
- Result shaping: ``surfaced_on`` is the shadow copy's ``ServiceMachine`` (the machine whose VSS service created
  it), ``local_reads`` whether that is the node the task runs on, ``exposed_path`` the folder it is exposed at.
"""

from __future__ import annotations

import json
import re

REGISTRY_DIR = "C:\\ProgramData\\wsfc.csv"
REGISTRY_PATH = REGISTRY_DIR + "\\snapshots.json"
# Owner Administrators, group SYSTEM, a protected DACL (no inherited entries) granting full control to SYSTEM and
# Administrators only, inherited by the folder's files and subfolders (OICI). SDDL: "Security Descriptor String
# Format" and "ACE Strings" (https://learn.microsoft.com/windows/win32/secauthz/security-descriptor-string-format,
# https://learn.microsoft.com/windows/win32/secauthz/ace-strings).
REGISTRY_SDDL = "O:BAG:SYD:PAI(A;OICI;FA;;;SY)(A;OICI;FA;;;BA)"
# SYSTEM (SY, S-1-5-18) and BUILTIN\Administrators (BA, S-1-5-32-544): "Well-known SIDs"
# (https://learn.microsoft.com/windows/win32/secauthz/well-known-sids).
TRUSTED_OWNERS = ("BA", "SY", "S-1-5-32-544", "S-1-5-18")
DEFAULT_TAG = "wsfc.csv"
SHADOW_COPIES_PER_VOLUME = 512

# Win32_ShadowProvider.Type (https://learn.microsoft.com/en-us/previous-versions/windows/desktop/vsswmi/win32-shadowprovider)
PROVIDER_TYPES = {0: "Unknown", 1: "System", 2: "Software", 3: "Hardware"}

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
    """Where its snapshots surface: ``hardware`` (Type 3) on the asking node, ``software`` (system or software
    provider) on the CSV's coordinator."""
    return "hardware" if int(provider.get("type") or 0) == 3 else "software"


def provider_type(provider):
    """``system``, ``software`` or ``hardware``: the provider's Win32_ShadowProvider.Type."""
    return {1: "system", 2: "software", 3: "hardware"}.get(int(provider.get("type") or 0), "software")


def default_provider(providers):
    """The provider VSS selects for a volume when the requester names none (Selecting Providers)."""
    for wanted in (3, 2, 1):
        for provider in providers:
            if int(provider.get("type") or 0) == wanted:
                return provider
    return None


def _names(providers):
    return ", ".join("%s %s (%s)" % (p.get("name"), p.get("id"), PROVIDER_TYPES.get(int(p.get("type") or 0), "?"))
                     for p in providers) or "none"


def choose_provider(requested, providers, node, csv):
    """Return ``(provider_id, provider, note)``: the ID to give DiskShadow's ``add volume`` (None: VSS chooses), the
    provider that will (or, for auto, should) take the snapshot, and a note; raise SnapshotError when ``requested``
    (``auto``, ``hardware``, ``software`` or a provider ID) cannot be honoured on this node."""
    chosen = default_provider(providers)
    if chosen is None:
        raise SnapshotError("No VSS provider is registered on %s, so no snapshot of %s can be taken. Check the "
                            "Volume Shadow Copy service on %s." % (node, csv, node))
    req = str(requested or "auto").strip()
    if req.lower() == "auto":
        return None, chosen, "the %s provider %s (%s), chosen by VSS (provider=auto)" % (
            provider_type(chosen), chosen.get("name"), chosen.get("id"))
    if req.lower() == "hardware":
        hardware = [p for p in providers if int(p.get("type") or 0) == 3]
        if not hardware:
            raise SnapshotError("provider=hardware, but no hardware VSS provider is registered on %s (registered: %s). "
                                "Nothing was created for %s. Install the storage vendor's provider, or use "
                                "provider=auto or software." % (node, _names(providers), csv))
        if len(hardware) > 1:
            raise SnapshotError("provider=hardware, but %d hardware VSS providers are registered on %s (%s). Nothing "
                                "was created for %s. Name the one to use by its ID." % (
                                    len(hardware), node, _names(hardware), csv))
        return hardware[0]["id"], hardware[0], "the hardware provider %s (%s)" % (
            hardware[0].get("name"), hardware[0].get("id"))
    if req.lower() == "software":
        system = next((p for p in providers if int(p.get("type") or 0) == 1), None)
        if system is None:
            raise SnapshotError("provider=software, but the system provider (Microsoft Software Shadow Copy "
                                "provider) is not registered on %s (registered: %s). Nothing was created for %s. Use "
                                "provider=auto or a provider ID." % (node, _names(providers), csv))
        return system["id"], system, "the system provider %s (%s)" % (system.get("name"), system.get("id"))
    wanted = normalize_id(req)
    if wanted is None:
        raise SnapshotError("provider must be auto, hardware, software or a provider ID like "
                            "{b5946137-7b9f-4925-af80-51abd60b20d5}, got %r" % req[:120])
    match = next((p for p in providers if normalize_id(p.get("id")) == wanted), None)
    if match is None:
        raise SnapshotError("The VSS provider %s is not registered on %s (%s). Nothing was created for %s. "
                            "Use one of the registered providers or provider=auto." % (
                                wanted, node, _names(providers), csv))
    return match["id"], match, "the %s provider %s (%s)" % (provider_type(match), match.get("name"), match.get("id"))


def consistency(shadow):
    """``application`` when writers took part in the shadow copy (NoWriters false), ``crash`` when none did."""
    no_writers = shadow.get("no_writers")
    if no_writers is None:
        return None
    return "crash" if no_writers else "application"


def volume_shadows(csv, shadows):
    """The shadow copies of ``csv``'s volume among ``shadows`` (by the volume names this node gives it)."""
    names = set(str(v).rstrip("\\").lower() for v in csv.get("volume_names") or [])
    return [s for s in shadows if str(s.get("volume_name") or "").rstrip("\\").lower() in names]


def limit_problem(csv, shadows, node):
    """A message when one more shadow copy of ``csv`` would be past the per-volume limit, else None."""
    count = len(volume_shadows(csv, shadows))
    if count + 1 <= SHADOW_COPIES_PER_VOLUME:
        return None
    return ("The volume of %s already has %d shadow copies on %s; a volume keeps at most %d (Registry Keys and Values "
            "for Backup and Restore, MaxShadowCopies), so one more could not be kept, or VSS could delete an older "
            "one. Delete old shadow copies of the volume (vssadmin list shadows), or run with on_limit=warn to try "
            "anyway." % (csv["name"], count, node, SHADOW_COPIES_PER_VOLUME))


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


def read_registry(text):
    """``(entries, problem)``: the registry's entries, or ``([], why)`` when it is not valid JSON (torn by a crash of
    an older version, or edited): none of a corrupt registry's entries is trusted, so nothing it lists is deleted."""
    try:
        return parse_registry(text), None
    except SnapshotError as exc:
        return [], str(exc).split(" Fix or remove it", 1)[0]


def quarantine_path(now):
    """Where a corrupt registry is moved aside: ``snapshots.json.corrupt-<node's UTC time>``."""
    stamp = re.sub(r"[^0-9T]", "", str(now or "").split(".", 1)[0]) or "unknown"
    return REGISTRY_PATH + ".corrupt-" + stamp + "Z"


def corrupt_warning(problem, node, moved_to=None):
    where = ("it was moved aside to %s and a new one started" % moved_to if moved_to else
             "it is left as it is until the next snapshot on this node moves it aside")
    return ("%s on %s: %s. None of its entries is trusted, so no shadow copy it listed is deleted by wsfc.csv; "
            "check them by hand (vssadmin list shadows)." % (problem.rstrip("."), node, where))


def _sddl_part(sddl, key):
    match = re.search(r"(?:^|[)A-Z0-9-])(%s):((?:\([^)]*\)|[^()])*?)(?=[OGDS]:|$)" % key, str(sddl or ""))
    return match.group(2) if match else None


def registry_owner_problem(acl, node):
    """Why the registry folder must not be used (its owner is not SYSTEM or Administrators), or None.

    ``acl``: its SDDL (owner and access) as the node read it; None when the folder does not exist yet."""
    if acl is None:
        return None
    owner = _sddl_part(acl, "O")
    if owner in TRUSTED_OWNERS:
        return None
    return ("The folder %s on %s is owned by %s, not by SYSTEM or Administrators: someone else created it, so its "
            "snapshot registry cannot be trusted to say which shadow copies are wsfc.csv's. Nothing was created or "
            "deleted. Check the folder (Get-Acl %s), remove it if it is not yours, and run again." % (
                REGISTRY_DIR, node, owner or "an unknown owner", REGISTRY_DIR))


def registry_acl_is_ours(acl):
    """True when the folder has the explicit, protected ACL of ``REGISTRY_SDDL`` (SYSTEM and Administrators only)."""
    dacl = _sddl_part(acl, "D")
    if not dacl or not dacl.startswith("P"):
        return False
    aces = set(re.findall(r"\(([^)]*)\)", dacl))
    return _sddl_part(acl, "O") in TRUSTED_OWNERS and aces == set(re.findall(r"\(([^)]*)\)", REGISTRY_SDDL))


def tagged(entries, csv, tag):
    """Registry entries of ``csv`` (name, case-insensitive) with ``tag``."""
    return [e for e in entries if str(e.get("csv", "")).lower() == str(csv).lower() and e.get("tag") == tag]


def recorded_mismatch(entry, shadow, csv=None):
    """Why ``shadow`` is not the shadow copy ``entry`` recorded (another volume, another creation time), or None.

    Before deleting a shadow copy the collection checks that it is still the one it created: a registry entry
    records the volume (``volume_name``, older entries only the CSV) and the creation time (``created``)."""
    recorded = entry.get("volume_name")
    names = [recorded] if recorded else list((csv or {}).get("volume_names") or [])
    volume = str(shadow.get("volume_name") or "").rstrip("\\").lower()
    if names and volume not in [str(n).rstrip("\\").lower() for n in names]:
        return "it is a shadow copy of %s, not of %s" % (shadow.get("volume_name"), recorded or (csv or {}).get("name"))
    if entry.get("created") and shadow.get("install_date") and entry["created"] != shadow["install_date"]:
        return "it was created at %s, not at %s" % (shadow["install_date"], entry["created"])
    return None


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
        "provider_type": provider_type(provider) if provider else None,
        "consistency": consistency(shadow),
        "exposed_path": str(shadow.get("exposed_name") or "").rstrip("\\") or None,
        "originating_machine": shadow.get("originating_machine"),
        "service_machine": shadow.get("service_machine"),
        "surfaced_on": short_name(surfaced).upper() if surfaced else None,
        "local_reads": same_machine(surfaced, node),
        "created": shadow.get("install_date"),
        "client_accessible": shadow.get("client_accessible"),
        "persistent": shadow.get("persistent"),
    }
    if csv is not None:
        out["csv"] = csv
    if tag is not None:
        out["tag"] = tag
    return out


def same_path(a, b):
    return bool(a) and bool(b) and str(a).rstrip("\\").lower() == str(b).rstrip("\\").lower()


def csv_for_volume(csvs, volume_name):
    """The CSV whose volume GUID path (Get-ClusterSharedVolumeState VolumeName) is ``volume_name``."""
    want = str(volume_name or "").rstrip("\\").lower()
    for csv in csvs:
        if want and any(str(v).rstrip("\\").lower() == want for v in csv.get("volume_names") or []):
            return csv
    return None


def coordinator_moved(csv, expected, node, nothing="took no snapshot of it"):
    """The refusal when ``csv`` is not coordinated by ``expected`` (None when it is, or when nothing is expected).

    A backup that planned to read a software snapshot where it is surfaced
    (the coordinator) checks the coordinator in the same round trip as the
    snapshot: the CSV balancer moves CSVs by itself ("Cluster Shared Volumes
    overview": on CSV failover, node rejoin, node add, node restart and cluster
    start), so the owner the plan saw may have changed since.
    """
    owner = csv.get("owner")
    if not expected or not owner or str(owner).lower() == str(expected).lower():
        return None
    return ("%s is coordinated by %s, not by %s as expected (the CSV balancer or a failover moved it), so %s %s. "
            "Move it back with wsfc.csv.csv_owner (or leave coordinator unset to read it over SMB), then run again."
            % (csv["name"], owner, expected, node, nothing))
