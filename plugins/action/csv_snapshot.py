# -*- coding: utf-8 -*-
# Copyright: (c) 2026, wsfc.csv maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Action plugin of wsfc.csv.csv_snapshot (documentation in plugins/modules/csv_snapshot.py)."""

from __future__ import annotations

import time

from ansible_collections.wsfc.csv.plugins.plugin_utils.action import WsfcActionBase
from ansible_collections.wsfc.csv.plugins.plugin_utils.diskshadow import (
    IN_PROGRESS,
    SCRIPT_DIR,
    UnsafeValue,
    create_lines,
    error_message,
    exposure_name,
    exposure_path,
    remove_lines,
    script_path,
    vss_error,
)
from ansible_collections.wsfc.csv.plugins.plugin_utils.snapshots import (
    DEFAULT_TAG,
    REGISTRY_DIR,
    REGISTRY_PATH,
    REGISTRY_SDDL,
    SnapshotError,
    choose_provider,
    coordinator_moved,
    limit_problem,
    match_csv,
    normalize_id,
    corrupt_warning,
    provider_kind,
    provider_type,
    quarantine_path,
    read_registry,
    recorded_mismatch,
    registry_acl_is_ours,
    registry_owner_problem,
    same_machine,
    shape_snapshot,
    split_existing,
    tagged,
)

FIRST_WAIT = 2.0   # seconds before the first retry of a creation another requester kept waiting
LONGEST_WAIT = 30.0


class ActionModule(WsfcActionBase):
    """Create or delete a VSS snapshot of a CSV on the node the task runs on, with DiskShadow."""

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
        "busy_timeout": {"type": "int", "default": 300},
        "on_limit": {"type": "str", "default": "refuse", "choices": ["refuse", "warn"]},
        "coordinator": {"type": "str"},
    }
    MUTUALLY_EXCLUSIVE = [["name", "path"]]
    REQUIRED_ONE_OF = [["name", "path", "id"]]

    _corrupt = None
    _quarantined = None

    def execute(self, args):
        if args["busy_timeout"] < 0:
            return {"failed": True, "msg": "busy_timeout must be 0 or more, got %d" % args["busy_timeout"]}
        raw = self.operation("csv_snapshot_get", {"registry": REGISTRY_PATH})
        node = raw.get("node") or self.host_name
        try:
            owner = registry_owner_problem(raw.get("registry_acl"), node)
            if owner:
                raise SnapshotError(owner)
            entries, self._corrupt = read_registry(raw.get("registry"))
            if args["state"] == "present":
                result = self._present(args, raw, node, entries)
            else:
                result = self._absent(args, raw, node, entries)
        except SnapshotError as exc:
            return {"failed": True, "msg": str(exc), "node": node}
        if self._corrupt and not getattr(self, "_quarantined", None):
            result.setdefault("warnings", []).append(corrupt_warning(self._corrupt, node))
        return result

    def _prepare_registry(self, raw, node):
        """Before a snapshot is recorded: the registry folder with its own ACL, a corrupt registry moved aside."""
        self._quarantined = None
        if not self._corrupt and registry_acl_is_ours(raw.get("registry_acl")):
            return []
        aside = quarantine_path(raw.get("now")) if self._corrupt else ""
        done = self.operation("csv_snapshot_registry", {"registry": REGISTRY_PATH, "registry_dir": REGISTRY_DIR,
                                                        "sddl": REGISTRY_SDDL, "quarantine": aside}, read_only=False)
        if registry_owner_problem(done.get("acl"), node):
            raise SnapshotError(registry_owner_problem(done.get("acl"), node))
        if self._corrupt:
            self._quarantined = done.get("quarantined") or aside
            return [corrupt_warning(self._corrupt, node, moved_to=self._quarantined)]
        return []

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
                                "(Start-ClusterResource) and run the task again." % (
                                    csv["name"], csv.get("state"), node))
        moved = coordinator_moved(csv, args.get("coordinator"), node)
        if moved:
            return {"failed": True, "msg": moved, "node": node, "csv": csv["name"], "coordinator_now": csv.get("owner")}
        tag = args.get("tag") or DEFAULT_TAG
        shadows = raw.get("shadows") or []
        providers = raw.get("providers") or []
        alive, dummy = split_existing(entries, shadows)
        mine = tagged(alive, csv["name"], tag)
        before = {"csv": csv["name"], "tag": tag, "snapshots": [e["id"] for e in mine]}
        if mine:
            return self._existing(args, mine[0], shadows, providers, node, csv, tag, before)
        provider_id, provider, note = choose_provider(args["provider"], providers, node, csv["name"])
        mount = exposure_path(csv["name"], tag)
        try:
            lines = create_lines(csv["path"], provider_id, mount)
        except UnsafeValue as exc:
            raise SnapshotError("The snapshot of %s on %s was refused: %s. Nothing was created." % (
                csv["name"], node, exc))
        warnings = []
        problem = limit_problem(csv, shadows, node)
        if problem and args["on_limit"] == "refuse":
            raise SnapshotError(problem + " Nothing was created.")
        if problem:
            warnings.append(problem)
        kind = provider_kind(provider)
        predicted = node if kind == "hardware" else csv["owner"]
        after = dict(before, snapshots=["(new %s snapshot)" % provider_type(provider)])
        if self._task.check_mode:
            return {"changed": True, "node": node, "csv": csv["name"], "provider": note, "warnings": warnings,
                    "diff": {"before": before, "after": after},
                    "snapshot": {"csv": csv["name"], "tag": tag, "provider_id": provider.get("id"),
                                 "provider_name": provider.get("name"), "provider_type": provider_type(provider),
                                 "consistency": "application", "exposed_path": mount,
                                 "surfaced_on": predicted.upper(), "local_reads": same_machine(predicted, node)},
                    "msg": "would create an application-consistent snapshot of %s on %s with %s; it would be "
                           "surfaced on %s and exposed at %s" % (csv["name"], node, note, predicted, mount)}
        warnings += self._prepare_registry(raw, node)
        if self._corrupt:
            entries = []
        made, attempts = self._create(args, lambda: self.operation("csv_snapshot_create", {
            "csv": csv["name"], "tag": tag, "mount": mount, "script_dir": SCRIPT_DIR,
            "script": script_path(exposure_name(csv["name"], tag), "create"),
            "cleanup_script": script_path(exposure_name(csv["name"], tag), "cleanup"), "lines": lines,
            "provider_id": provider_id or "", "registry": REGISTRY_PATH, "entries": entries}, read_only=False),
            node, csv["name"])
        snapshot = shape_snapshot(made["shadow"], node, providers, csv["name"], tag)
        if snapshot["consistency"] != "application":
            warnings.append("the snapshot %s of %s is crash-consistent: no VSS writer took part in it" % (
                snapshot["id"], csv["name"]))
        if attempts > 1:
            warnings.append("%s: another shadow copy operation kept %s busy; the snapshot was taken at attempt %d" % (
                csv["name"], node, attempts))
        after = dict(before, snapshots=[snapshot["id"]])
        reads = "locally" if snapshot["local_reads"] else "over SMB from %s" % snapshot["surfaced_on"]
        return {"changed": True, "node": node, "csv": csv["name"], "provider": note, "snapshot": snapshot,
                "attempts": attempts, "warnings": warnings, "diff": {"before": before, "after": after},
                "msg": "created %s snapshot %s of %s with %s; exposed at %s, surfaced on %s, so %s reads it %s" % (
                    "an %s-consistent" % snapshot["consistency"] if snapshot["consistency"] else "a",
                    snapshot["id"], csv["name"], note, snapshot["exposed_path"],
                    snapshot["surfaced_on"], node, reads)}

    def _existing(self, args, entry, shadows, providers, node, csv, tag, before):
        """The snapshot of the CSV with the tag exists: nothing to do (warnings when it is not what is asked)."""
        shadow = next(s for s in shadows if normalize_id(s.get("id")) == normalize_id(entry["id"]))
        snapshot = shape_snapshot(shadow, node, providers, csv["name"], tag)
        result = {"changed": False, "snapshot": snapshot, "node": node, "csv": csv["name"], "warnings": [],
                  "diff": {"before": before, "after": before},
                  "msg": "%s already has the snapshot %s tagged %s (surfaced on %s)" % (
                      csv["name"], snapshot["id"], tag, snapshot["surfaced_on"])}
        wanted = str(args["provider"]).lower()
        kinds = {"hardware": ("hardware",), "software": ("system",)}
        if wanted in kinds and snapshot["provider_type"] not in kinds[wanted]:
            result["warnings"].append("the existing snapshot %s was taken with a %s provider, not %s; delete it "
                                      "(state=absent) to take a new one" % (snapshot["id"], snapshot["provider_type"],
                                                                            wanted))
        if not snapshot["exposed_path"]:
            result["warnings"].append("the existing snapshot %s is not exposed (an earlier version of wsfc.csv took "
                                      "it with Win32_ShadowCopy, crash-consistent); delete it (state=absent) and take "
                                      "a new one" % snapshot["id"])
        return result

    @staticmethod
    def _create(args, create, node, csv):
        """Run csv_snapshot_create (``create()``), again after a wait while another requester holds the node's VSS
        creation slot (VSS_E_SNAPSHOT_SET_IN_PROGRESS: "Either wait to try again or return with a failure error
        code"), for up to ``busy_timeout`` seconds. Returns (the answer, attempts)."""
        deadline = time.monotonic() + args["busy_timeout"]
        wait, attempts = FIRST_WAIT, 0
        while True:
            attempts += 1
            made = create()
            output = made.get("output") or []
            created = [normalize_id(i) for i in made.get("created_ids") or []]
            if made.get("shadow") and not made.get("reason"):
                return made, attempts
            left = [i for i in created if i not in [normalize_id(r) for r in made.get("removed") or []]]
            if left:
                raise SnapshotError("The snapshot of %s on %s was not kept (%s) and the shadow copies DiskShadow "
                                    "created could not all be deleted: %s stay. Delete them with DiskShadow "
                                    "(delete shadows id ...) or vssadmin delete shadows /shadow=..., then run the task "
                                    "again." % (csv, node, made.get("reason") or "DiskShadow failed", ", ".join(left)))
            if made.get("reason"):
                raise SnapshotError("The snapshot of %s on %s was not kept: %s. Nothing was left behind. Run the task "
                                    "again; if it repeats, check the VSS providers with wsfc.csv.csv_snapshot_info."
                                    % (csv, node, made["reason"]))
            if vss_error(output) != IN_PROGRESS:
                raise SnapshotError(error_message(output, made.get("exit_code"), node, csv))
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise SnapshotError(
                    "Creating a snapshot of %s on %s failed: another shadow copy operation was in progress on %s for "
                    "%d s (%d attempt(s), VSS_E_SNAPSHOT_SET_IN_PROGRESS: only one shadow copy creation can be in "
                    "progress at a time). Nothing was created. Next: wait for the other backup or snapshot on %s to "
                    "finish (the node's Application event log names it), then run the task again, or raise "
                    "busy_timeout."
                    % (csv, node, node, args["busy_timeout"], attempts, node))
            time.sleep(min(wait, remaining))
            wait = min(wait * 2, LONGEST_WAIT)

    # ---- absent ---------------------------------------------------------------------------------------
    def _absent(self, args, raw, node, entries):
        shadows = raw.get("shadows") or []
        csvs = raw.get("csvs") or []
        if args.get("id"):
            wanted = normalize_id(args["id"])
            if wanted is None:
                raise SnapshotError("id must be a shadow copy ID like {3f2504e0-4f89-11d3-9a0c-0305e82c3301}, got %r"
                                    % args["id"][:120])
            targets = [e for e in entries if normalize_id(e.get("id")) == wanted]
            if not targets and any(normalize_id(s.get("id")) == wanted for s in shadows):
                raise SnapshotError("The shadow copy %s on %s was not created by wsfc.csv (it is not in %s), so it is "
                                    "left alone. Delete it with the tool that created it." % (wanted, node,
                                                                                              REGISTRY_PATH))
            label = wanted
        else:
            csv = match_csv(csvs, args.get("name"), args.get("path"))
            name = csv["name"] if csv else (args.get("name") or args.get("path"))
            targets = [e for e in entries if str(e.get("csv", "")).lower() == str(name).lower()
                       and (not args.get("tag") or e.get("tag") == args["tag"])]
            label = name
        alive, gone = split_existing(targets, shadows)
        by_id = dict((normalize_id(s.get("id")), s) for s in shadows)
        mismatched = []
        for entry in list(alive):
            why = recorded_mismatch(entry, by_id[normalize_id(entry["id"])], match_csv(csvs, entry.get("csv")))
            if why:
                mismatched.append("%s (%s)" % (entry["id"], why))
                alive.remove(entry)
        keep = [e for e in entries if e not in alive and e not in gone]
        before = {"snapshots": [e["id"] for e in targets if e in alive]}
        result = {"changed": bool(alive), "node": node, "removed": [e["id"] for e in alive],
                  "vanished": [e["id"] for e in gone], "diff": {"before": before, "after": {"snapshots": []}}}
        if gone:
            vanished = ", ".join(result["vanished"])
            result["warnings"] = ["%d snapshot(s) wsfc.csv created for %s no longer exist on %s (deleted outside "
                                  "wsfc.csv or lost when a node went down): %s" % (len(gone), label, node, vanished)]
        if not alive and not gone and not mismatched:
            result["msg"] = "no snapshot of %s created by wsfc.csv exists on %s" % (label, node)
            return result
        if self._task.check_mode:
            result["msg"] = "would delete %d snapshot(s) of %s on %s" % (len(alive), label, node)
            return self._mismatched(result, mismatched, node)
        removed, failed = [], []
        if alive or gone:
            done = self.operation("csv_snapshot_remove", {
                "targets": [self._target(e, csvs) for e in alive], "keep": keep, "script_dir": SCRIPT_DIR,
                "registry": REGISTRY_PATH}, read_only=False)
            removed = [normalize_id(i) for i in done.get("removed") or []]
            result["vanished"] += [normalize_id(i) for i in done.get("missing") or []]
            mismatched += ["%s (it is no longer the one recorded)" % m.get("id") for m in done.get("mismatched") or []]
            failed = done.get("failed") or []
        result["removed"] = removed
        result["changed"] = bool(removed)
        result["msg"] = "deleted %d snapshot(s) of %s on %s" % (len(removed), label, node)
        if result["vanished"]:
            result["msg"] += "; %d recorded snapshot(s) no longer existed and were dropped from the registry: %s" % (
                len(result["vanished"]), ", ".join(result["vanished"]))
        if failed:
            reasons = "; ".join("%s: %s" % (f.get("id"), error_message(
                f.get("output"), f.get("exit_code"), node, label).split(": ", 1)[-1]) for f in failed)
            result.update(failed=True, msg="%s. Deleting %d snapshot(s) of %s on %s failed, they stay recorded: %s"
                          % (result["msg"], len(failed), label, node, reasons))
        return self._mismatched(result, mismatched, node)

    @staticmethod
    def _mismatched(result, mismatched, node):
        if mismatched:
            result.update(failed=True, msg="%s. Left alone on %s, because they are not the shadow copies wsfc.csv "
                          "recorded: %s. Check %s by hand" % (result["msg"], node, "; ".join(mismatched),
                                                              REGISTRY_PATH))
        return result

    @staticmethod
    def _target(entry, csvs):
        """What csv_snapshot_remove needs to delete one recorded shadow copy, and to check it is still that one."""
        csv = match_csv(csvs, entry.get("csv")) or {}
        names = [entry["volume_name"]] if entry.get("volume_name") else list(csv.get("volume_names") or [])
        return {"entry": entry, "lines": remove_lines(entry["id"], False),
                "lines_exposed": remove_lines(entry["id"], True), "volume_names": names,
                "created": entry.get("created") or "", "script": script_path(entry["id"], "remove")}
