# -*- coding: utf-8 -*-
# Copyright: (c) 2026, wsfc.csv maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Action plugin of wsfc.csv.csv_snapshot (documentation in plugins/modules/csv_snapshot.py)."""

from __future__ import annotations

from ansible_collections.wsfc.csv.plugins.plugin_utils.action import WsfcActionBase
from ansible_collections.wsfc.csv.plugins.plugin_utils.snapshots import (
    DEFAULT_TAG,
    REGISTRY_DIR,
    REGISTRY_PATH,
    SnapshotError,
    choose_provider,
    create_error,
    match_csv,
    normalize_id,
    parse_registry,
    provider_kind,
    same_machine,
    shape_snapshot,
    split_existing,
    tagged,
)


class ActionModule(WsfcActionBase):
    """Create or delete a VSS snapshot of a CSV on the node the task runs on."""

    NEXT_STEP = ("Check the node's Volume Shadow Copy service and providers (vssadmin list providers, "
                 "vssadmin list shadowstorage), "
                 "then run the task again.")

    ARGUMENT_SPEC = {
        "name": {"type": "str"},
        "path": {"type": "str"},
        "state": {"type": "str", "default": "present", "choices": ["present", "absent"]},
        "provider": {"type": "str", "default": "auto"},
        "tag": {"type": "str"},
        "id": {"type": "str"},
    }
    MUTUALLY_EXCLUSIVE = [["name", "path"]]
    REQUIRED_ONE_OF = [["name", "path", "id"]]

    def execute(self, args):
        raw = self.operation("csv_snapshot_get", {"registry": REGISTRY_PATH})
        node = raw.get("node") or self.host_name
        try:
            entries = parse_registry(raw.get("registry"))
            if args["state"] == "present":
                return self._present(args, raw, node, entries)
            return self._absent(args, raw, node, entries)
        except SnapshotError as exc:
            return {"failed": True, "msg": str(exc), "node": node}

    # ---- present --------------------------------------------------------------------------------------
    def _present(self, args, raw, node, entries):
        if args.get("id"):
            raise SnapshotError("id is only used with state=absent; to take a snapshot name the CSV with name or path")
        csvs = raw.get("csvs") or []
        label = args.get("name") or args.get("path")
        csv = match_csv(csvs, args.get("name"), args.get("path"))
        if csv is None:
            raise SnapshotError("The CSV %s was not found on %s (known: %s). Nothing was created. Check the name with "
                                "wsfc.csv.cluster_info." % (label, node, ", ".join(c["name"] for c in csvs) or "none"))
        if csv.get("state") != "Online":
            raise SnapshotError("The CSV %s is %s, so %s cannot snapshot it. Nothing was created. Bring it Online "
                                "(Start-ClusterResource) and run the task again." % (csv["name"], csv.get("state"), node))
        tag = args.get("tag") or DEFAULT_TAG
        shadows = raw.get("shadows") or []
        providers = raw.get("providers") or []
        alive, dummy = split_existing(entries, shadows)
        mine = tagged(alive, csv["name"], tag)
        before = {"csv": csv["name"], "tag": tag, "snapshots": [e["id"] for e in mine]}
        if mine:
            shadow = next(s for s in shadows if normalize_id(s.get("id")) == normalize_id(mine[0]["id"]))
            snapshot = shape_snapshot(shadow, node, providers, csv["name"], tag)
            result = {"changed": False, "snapshot": snapshot, "node": node, "csv": csv["name"],
                      "diff": {"before": before, "after": before},
                      "msg": "%s already has the snapshot %s tagged %s (surfaced on %s)" % (
                          csv["name"], snapshot["id"], tag, snapshot["surfaced_on"])}
            wanted = str(args["provider"]).lower()
            if wanted in ("hardware", "software") and snapshot["provider_type"] != wanted:
                result["warnings"] = ["the existing snapshot %s was taken with a %s provider, not %s; delete it "
                                      "(state=absent) to take a new one" % (snapshot["id"], snapshot["provider_type"],
                                                                            wanted)]
            return result
        provider, note = choose_provider(args["provider"], providers, node, csv["name"])
        kind = provider_kind(provider)
        predicted = node if kind == "hardware" else csv["owner"]
        after = dict(before, snapshots=["(new %s snapshot)" % kind])
        if self._task.check_mode:
            return {"changed": True, "node": node, "csv": csv["name"], "provider": note,
                    "diff": {"before": before, "after": after},
                    "snapshot": {"csv": csv["name"], "tag": tag, "provider_id": provider.get("id"),
                                 "provider_name": provider.get("name"), "provider_type": kind,
                                 "surfaced_on": predicted.upper(), "local_reads": same_machine(predicted, node)},
                    "msg": "would create a snapshot of %s on %s with %s; it would be surfaced on %s" % (
                        csv["name"], node, note, predicted)}
        volume = csv["path"].rstrip("\\") + "\\"
        made = self.operation("csv_snapshot_create", {
            "volume": volume, "provider_id": provider.get("id") or "", "registry": REGISTRY_PATH,
            "registry_dir": REGISTRY_DIR, "csv": csv["name"], "tag": tag, "entries": entries}, read_only=False)
        code = int(made.get("return_code") or 0)
        if code:
            raise SnapshotError(create_error(code, node, csv["name"]))
        if made.get("removed") or not made.get("shadow"):
            raise SnapshotError("The snapshot of %s on %s was not kept: %s. Nothing was left behind. Run the task "
                                "again; if it repeats, check the VSS providers with wsfc.csv.csv_snapshot_info."
                                % (csv["name"], node, made.get("reason") or "it could not be read back"))
        snapshot = shape_snapshot(made["shadow"], node, providers, csv["name"], tag)
        after = dict(before, snapshots=[snapshot["id"]])
        reads = "locally" if snapshot["local_reads"] else "over SMB from %s" % snapshot["surfaced_on"]
        return {"changed": True, "node": node, "csv": csv["name"], "provider": note, "snapshot": snapshot,
                "diff": {"before": before, "after": after},
                "msg": "created snapshot %s of %s with %s; surfaced on %s, so %s reads it %s" % (
                    snapshot["id"], csv["name"], note, snapshot["surfaced_on"], node, reads)}

    # ---- absent ---------------------------------------------------------------------------------------
    def _absent(self, args, raw, node, entries):
        shadows = raw.get("shadows") or []
        if args.get("id"):
            wanted = normalize_id(args["id"])
            if wanted is None:
                raise SnapshotError("id must be a shadow copy ID like {3f2504e0-4f89-11d3-9a0c-0305e82c3301}, got %r"
                                    % args["id"])
            targets = [e for e in entries if normalize_id(e.get("id")) == wanted]
            if not targets and any(normalize_id(s.get("id")) == wanted for s in shadows):
                raise SnapshotError("The shadow copy %s on %s was not created by wsfc.csv (it is not in %s), so it is "
                                    "left alone. Delete it with the tool that created it." % (wanted, node,
                                                                                              REGISTRY_PATH))
            label = wanted
        else:
            csv = match_csv(raw.get("csvs") or [], args.get("name"), args.get("path"))
            name = csv["name"] if csv else (args.get("name") or args.get("path"))
            targets = [e for e in entries if str(e.get("csv", "")).lower() == str(name).lower()
                       and (not args.get("tag") or e.get("tag") == args["tag"])]
            label = name
        alive, gone = split_existing(targets, shadows)
        keep = [e for e in entries if e not in alive and e not in gone]
        before = {"snapshots": [e["id"] for e in targets if e in alive]}
        result = {"changed": bool(alive), "node": node, "removed": [e["id"] for e in alive],
                  "vanished": [e["id"] for e in gone], "diff": {"before": before, "after": {"snapshots": []}}}
        if gone:
            vanished = ", ".join(result["vanished"])
            result["warnings"] = ["%d snapshot(s) wsfc.csv created for %s no longer exist on %s (deleted outside "
                                  "wsfc.csv or lost when a node went down): %s" % (len(gone), label, node, vanished)]
        if not alive and not gone:
            result["msg"] = "no snapshot of %s created by wsfc.csv exists on %s" % (label, node)
            return result
        if self._task.check_mode:
            result["msg"] = "would delete %d snapshot(s) of %s on %s" % (len(alive), label, node)
            return result
        done = self.operation("csv_snapshot_remove", {"ids": [e["id"] for e in alive], "keep": keep,
                                                      "registry": REGISTRY_PATH, "registry_dir": REGISTRY_DIR},
                              read_only=False)
        missing = [normalize_id(i) for i in done.get("missing") or []]
        result["removed"] = [normalize_id(i) for i in done.get("removed") or []]
        result["vanished"] += missing
        result["changed"] = bool(result["removed"])
        result["msg"] = "deleted %d snapshot(s) of %s on %s" % (len(result["removed"]), label, node)
        if result["vanished"]:
            result["msg"] += "; %d recorded snapshot(s) no longer existed and were dropped from the registry: %s" % (
                len(result["vanished"]), ", ".join(result["vanished"]))
        return result
