# -*- coding: utf-8 -*-
# Copyright: (c) 2026, wsfc.csv maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Action plugin of wsfc.csv.csv_snapshot_info (documentation in plugins/modules/csv_snapshot_info.py)."""

from __future__ import annotations

from ansible_collections.wsfc.csv.plugins.plugin_utils.action import WsfcActionBase
from ansible_collections.wsfc.csv.plugins.plugin_utils.snapshots import (
    PROVIDER_TYPES,
    REGISTRY_PATH,
    SHADOW_COPIES_PER_VOLUME,
    corrupt_warning,
    csv_for_volume,
    default_provider,
    match_csv,
    normalize_id,
    provider_kind,
    provider_type,
    read_registry,
    registry_owner_problem,
    shape_snapshot,
    split_existing,
    volume_shadows,
)


class ActionModule(WsfcActionBase):
    """List the VSS providers and the shadow copies of CSVs this node sees, in one round trip."""

    NEXT_STEP = ("Check that the Volume Shadow Copy service can run on the node (vssadmin list providers), "
                 "then run the task again.")

    ARGUMENT_SPEC = {
        "name": {"type": "str"},
        "path": {"type": "str"},
        "tag": {"type": "str"},
        "managed_only": {"type": "bool", "default": False},
    }
    MUTUALLY_EXCLUSIVE = [["name", "path"]]

    def execute(self, args):
        raw = self.operation("csv_snapshot_get", {"registry": REGISTRY_PATH})
        node = raw.get("node") or self.host_name
        owner = registry_owner_problem(raw.get("registry_acl"), node)
        if owner:
            return {"failed": True, "msg": owner, "node": node}
        entries, corrupt = read_registry(raw.get("registry"))
        warnings = [corrupt_warning(corrupt, node)] if corrupt else []
        csvs = raw.get("csvs") or []
        providers = raw.get("providers") or []
        shadows = raw.get("shadows") or []
        wanted = None
        if args.get("name") or args.get("path"):
            wanted = match_csv(csvs, args.get("name"), args.get("path"))
            if wanted is None:
                return {"failed": True, "node": node,
                        "msg": "The CSV %s was not found on %s (known: %s). Check the name with wsfc.csv.cluster_info."
                               % (args.get("name") or args.get("path"), node, ", ".join(c["name"] for c in csvs))}
        registry = {normalize_id(e["id"]): e for e in entries}
        out = []
        for shadow in shadows:
            csv = csv_for_volume(csvs, shadow.get("volume_name"))
            if csv is None or (wanted is not None and csv["name"] != wanted["name"]):
                continue
            entry = registry.get(normalize_id(shadow.get("id")))
            if args["managed_only"] and entry is None:
                continue
            if args.get("tag") and (entry is None or entry.get("tag") != args["tag"]):
                continue
            item = shape_snapshot(shadow, node, providers, csv["name"], entry.get("tag") if entry else None)
            item["managed"] = entry is not None
            out.append(item)
        dummy, gone = split_existing(entries, shadows)
        chosen = default_provider(providers)
        shown = [wanted] if wanted is not None else csvs
        result = {
            "changed": False, "node": node, "snapshots": out,
            "providers": [{"id": p.get("id"), "name": p.get("name"),
                           "type": PROVIDER_TYPES.get(int(p.get("type") or 0)), "kind": provider_kind(p),
                           "provider_type": provider_type(p), "version": p.get("version")} for p in providers],
            "auto_provider": {"id": chosen.get("id"), "name": chosen.get("name"), "kind": provider_kind(chosen),
                              "provider_type": provider_type(chosen)} if chosen else None,
            "volumes": [{"csv": c["name"], "shadow_copies": len(volume_shadows(c, shadows)),
                         "limit": SHADOW_COPIES_PER_VOLUME} for c in shown],
            "vanished": [e["id"] for e in gone],
        }
        if warnings:
            result["warnings"] = warnings
        return result
