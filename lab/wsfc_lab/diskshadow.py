"""DiskShadow (``diskshadow.exe``) as the lab runs it: script mode, the documented commands, the lab's VSS.

"Diskshadow.exe is a tool that exposes the functionality offered by the volume shadow copy Service (VSS) ... For
script mode, type ``diskshadow -s script.txt``" (https://learn.microsoft.com/en-us/windows-server/administration/
windows-commands/diskshadow; its example runs ``diskshadow /s script.dsh``, so ``-s`` and ``/s`` are both taken).
A PowerShell script runs it as a native command (``wsfc_lab.programs``); its standard output is the lines below
and ``$LASTEXITCODE`` its exit code. Interactive mode (no script) is not modelled: nothing can type at it.

The script is read from the node's file system, one command a line; a line starting with ``#`` is a comment (the
page's example script begins with one). Words are separated by blanks. ``%name%`` is replaced by the alias or
variable of that name ("You can use an existing alias or an environment variable in place of ShadowID", expose;
``delete shadows``: "You can specify an alias by using the % symbol"); the lab knows DiskShadow's aliases only,
so any other ``%`` is an error. Microsoft documents no quoting for DiskShadow arguments, nor the encodings a
script may have: the lab refuses a line with a double quote, and a script with anything but ASCII, as not
modelled. The commands, each from its page under windows-commands/:

- ``set context {clientaccessible | persistent [nowriters] | volatile [nowriters]}`` (set-context), ``set verbose
  {on | off}`` (set-verbose), ``set`` (lists the settings). The words map to VSS_SNAPSHOT_CONTEXT by their
  descriptions ("persists across program exit", "all writers are excluded"; wsfc_lab.vss): persistent is
  AppRollback, persistent nowriters NasRollback, volatile Backup, volatile nowriters FileShareBackup. Whether
  DiskShadow's clientaccessible involves writers is not documented: the lab takes the VSS context without writers.
  Which context DiskShadow uses when none is set is not documented either: the lab assumes the least, volatile
  without writers. ``set option`` and ``set metadata`` are not modelled.
- ``add volume <volume> [provider <providerid>]`` (add-volume; ``alias <name>`` instead of ``provider``, as the
  page's example shows), ``add alias <name> <value>`` (add-alias), ``add`` (lists). Volumes are CSV mount points;
  "Each time a volume is added, it's checked to make sure VSS supports shadow copy creation for that volume". A set
  holds at most 64 volumes (VSS_SNAPSHOT_PROP, https://learn.microsoft.com/en-us/windows/win32/api/vss/
  ns-vss-vss_snapshot_prop). Any other volume is not modelled.
- ``writer verify <writer>``, ``writer exclude <writer>`` (writer): a writer's name or ID; "The backup or restore
  procedure will fail if the writer or component is not included", so ``create`` fails when a verified writer is
  excluded, unknown, or the context involves no writers.
- ``begin backup`` ("Starts a full backup session. This command overrides the default copy backup setting.") and
  ``end backup`` ("issues a BackupComplete event"); without them a set is a copy backup (diskshadow page).
- ``create`` (create_2): "Requires at least one volume in the Shadow Copy Set"; the set is made all at once
  (wsfc_lab.vss: the creation slot, limits, provider choice); each shadow copy gets the default alias
  ``VSS_SHADOW_<n>`` (add-alias) and the alias its ``add volume`` named.
- ``expose <shadowID> <mountpoint>`` (expose; drive letters and shares are not modelled), ``unexpose {<shadowID> |
  <mountpoint>}`` (unexpose).
- ``delete shadows {all | volume <volume> | oldest <volume> | set <setID> | id <shadowID> | exposed <mountpoint>}``
  (delete-shadows): of the shadow copies the node sees.
- ``list shadows {all | set <setID> | id <shadowID>}`` (list-shadows; each shadow copy's first lines are
  ``* Shadow Copy ID = {...}`` and its alias, as the add-alias page shows them), ``list providers`` (the
  format of the list-providers page), ``list writers`` (list).
- ``reset`` ("Resets Diskshadow to the default state"), ``exit``.
- ``load metadata``, ``exec``, ``begin restore``, ``end restore``, ``import``, ``mask``, ``break`` and ``revert``
  are documented but not modelled (refused). Any other word is an unknown command.

"If the script fails, an error is returned and DiskShadow quits" (exec): the lab stops at the first command that
fails. Shadow copies of a volatile context are deleted when DiskShadow exits or resets (set-context). Microsoft
documents neither DiskShadow's exit codes nor the wording of its messages: the lab exits 0 when every command
succeeded and 1 otherwise, and its messages below are the lab's own, except the documented ones named above; a
VSS failure prints the HRESULT and its documented name. Events: ``diskshadow.run``, ``snap.create``,
``snap.expose``, ``snap.unexpose``, ``snap.delete`` (tool ``diskshadow``), ``diskshadow.backup_complete``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from wsfc_lab.model import EPOCH, ModelError
from wsfc_lab.programs import ProgramNotModelled
from wsfc_lab.vss import CONTEXTS, HRESULTS, WRITERS, VssError, norm_path

MAX_VOLUMES_PER_SET = 64
_ALIAS = re.compile(r"%([A-Za-z0-9_]+)%")
_GUID = re.compile(r"^\{?[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}\}?$")
NOT_MODELLED = {"load", "exec", "import", "mask", "break", "revert"}
CONTEXT_WORDS = {("clientaccessible",): "ClientAccessible", ("persistent",): "AppRollback",
                 ("persistent", "nowriters"): "NasRollback", ("volatile",): "Backup",
                 ("volatile", "nowriters"): "FileShareBackup"}
DEFAULT_CONTEXT = "FileShareBackup"
PROVIDER_TYPE_NAMES = {1: "VSS_PROV_SYSTEM", 2: "VSS_PROV_SOFTWARE", 3: "VSS_PROV_HARDWARE"}


class CommandFailed(Exception):
    """A DiskShadow command failed; DiskShadow prints why and quits."""

    def __init__(self, message: str, vss: VssError | None = None):
        super().__init__(message)
        self.vss = vss


def _guid(text: str) -> str | None:
    return "{" + text.strip("{}").upper() + "}" if _GUID.match(text) else None


@dataclass
class Session:
    """One run of diskshadow.exe on a node."""

    model: Any
    node: str
    script: str
    out: list[str] = field(default_factory=list)
    context: str = DEFAULT_CONTEXT
    verbose: bool = False
    full_backup: bool = False
    volumes: list[dict] = field(default_factory=list)        # the set being built: {"csv", "provider", "alias"}
    aliases: dict[str, str] = field(default_factory=dict)    # lower-case name -> value
    alias_names: dict[str, str] = field(default_factory=dict)
    verify: list[str] = field(default_factory=list)
    exclude: list[str] = field(default_factory=list)
    made: list[dict] = field(default_factory=list)            # shadow copies this session created
    shadow_count: int = 0

    # ---- the script -------------------------------------------------------------------------------------------
    def run(self, text: str) -> int:
        if text.startswith("\ufeff") or any(ord(ch) > 127 for ch in text):
            raise ProgramNotModelled("a DiskShadow script with characters other than ASCII (Microsoft does not "
                                     "document which encodings DiskShadow reads)")
        code = 0
        for raw in text.replace("\r\n", "\n").split("\n"):
            line = raw.strip()
            if not line or line.startswith("#"):
                continue
            if '"' in line:
                raise ProgramNotModelled("a double quote in a DiskShadow command (Microsoft documents no quoting "
                                         f"for DiskShadow): {line!r}")
            self.out.append("-> " + line)
            try:
                if self.command(self.expand(line).split()) == "exit":
                    break
            except CommandFailed as exc:
                self.fail(exc)
                code = 1
                break
        self.release_volatile()
        return code

    def fail(self, exc: CommandFailed) -> None:
        if exc.vss is not None:
            self.out += ["The last operation failed.", f"\t- Returned HRESULT: {exc.vss.hresult:08x}",
                         f"\t- Error text: {exc.vss.name}", str(exc)]
        else:
            self.out.append(f"COMMAND ERROR: {exc}")
        self.model.log({"op": "diskshadow.error", "node": self.node, "ok": False,
                        "args": {"script": self.script}, "error": str(exc),
                        "hresult": exc.vss.name if exc.vss else None})

    def expand(self, line: str) -> str:
        def value(match: re.Match) -> str:
            name = match.group(1).lower()
            if name not in self.aliases:
                raise CommandFailed(f"The alias or environment variable %{match.group(1)}% is not set.")
            return self.aliases[name]
        expanded = _ALIAS.sub(value, line)
        if "%" in expanded:
            raise CommandFailed(f"'%' outside an alias in {line!r}.")
        return expanded

    # ---- commands ---------------------------------------------------------------------------------------------
    def command(self, words: list[str]) -> str | None:
        verb = words[0].lower()
        rest = words[1:]
        if verb in NOT_MODELLED or (verb in ("begin", "end") and rest[:1] and rest[0].lower() == "restore"):
            raise ProgramNotModelled(f"the DiskShadow command {' '.join(words[:2])}")
        handler = {"set": self.cmd_set, "add": self.cmd_add, "writer": self.cmd_writer, "begin": self.cmd_begin,
                   "end": self.cmd_end, "create": self.cmd_create, "expose": self.cmd_expose,
                   "unexpose": self.cmd_unexpose, "delete": self.cmd_delete, "list": self.cmd_list,
                   "reset": self.cmd_reset}.get(verb)
        if verb == "exit":
            return "exit"
        if handler is None:
            raise CommandFailed(f"Unknown command: {words[0]}")
        handler(rest)
        return None

    def cmd_set(self, rest: list[str]) -> None:
        if not rest:
            self.out += [f"-\tcontext: {self.context}", f"-\tverbose: {'on' if self.verbose else 'off'}",
                         f"-\tbackup type: {'full' if self.full_backup else 'copy'}"]
            return
        what = rest[0].lower()
        if what in ("option", "metadata"):
            raise ProgramNotModelled(f"set {what}")
        if what == "context":
            context = CONTEXT_WORDS.get(tuple(w.lower() for w in rest[1:]))
            if context is None:
                raise CommandFailed("set context {clientaccessible | persistent [nowriters] | volatile "
                                    "[nowriters]}: invalid context " + " ".join(rest[1:]))
            self.context = context
            return
        if what == "verbose" and len(rest) == 2 and rest[1].lower() in ("on", "off"):
            self.verbose = rest[1].lower() == "on"
            return
        raise CommandFailed("invalid set command: set " + " ".join(rest))

    def cmd_add(self, rest: list[str]) -> None:
        if not rest:
            for volume in self.volumes:
                self.out.append(f"Volume {volume['csv'].path} alias {volume['alias'] or '-'}")
            self.out.append(f"{len(self.volumes)} volume(s) in Shadow Copy Set.")
            return
        what = rest[0].lower()
        if what == "alias" and len(rest) == 3:
            self.set_alias(rest[1], rest[2])
            return
        if what != "volume" or len(rest) not in (2, 4):
            raise CommandFailed("add volume <volume> [provider <providerid>] | add alias <name> <value>: invalid "
                                "syntax: add " + " ".join(rest))
        option = rest[2].lower() if len(rest) == 4 else None
        if option not in (None, "provider", "alias"):
            raise CommandFailed(f"add volume: unknown option {rest[2]}")
        csv = self.model._csv_for_volume(rest[1])
        if csv is None or not re.match(r"^[A-Za-z]:\\", rest[1]):
            if re.match(r"^[A-Za-z]:\\?$", rest[1]):
                raise ProgramNotModelled(f"a shadow copy of {rest[1]} (the lab models the CSVs only)")
            raise CommandFailed(f"add volume: the volume {rest[1]} was not found.",
                                VssError("VSS_E_OBJECT_NOT_FOUND", f"{rest[1]} is not a volume on {self.node}."))
        if csv.state != "Online":
            raise CommandFailed(f"add volume: {csv.path} is {csv.state}.",
                                VssError("VSS_E_VOLUME_NOT_SUPPORTED", f"{csv.path} is {csv.state}."))
        if any(v["csv"].name == csv.name for v in self.volumes):
            raise CommandFailed(f"add volume: {csv.path} is already in the Shadow Copy Set.")
        if len(self.volumes) >= MAX_VOLUMES_PER_SET:
            raise CommandFailed("add volume: a Shadow Copy Set holds at most 64 volumes.")
        provider = None
        if option == "provider":
            provider = _guid(rest[3])
            if provider is None or not any(p["id"].upper() == provider for p in self.model.vss.providers()):
                raise CommandFailed(f"add volume: the provider {rest[3]} is not registered.",
                                    VssError("VSS_E_PROVIDER_NOT_REGISTERED", f"{rest[3]} is not a registered "
                                                                              f"provider."))
        self.volumes.append({"csv": csv, "provider": provider, "alias": rest[3] if option == "alias" else None})

    def set_alias(self, name: str, value: str) -> None:
        self.aliases[name.lower()] = value
        self.alias_names[name.lower()] = name

    def cmd_writer(self, rest: list[str]) -> None:
        if len(rest) < 2 or rest[0].lower() not in ("verify", "exclude"):
            raise CommandFailed("writer verify <writer> | writer exclude <writer>: invalid syntax")
        name = " ".join(rest[1:])
        (self.verify if rest[0].lower() == "verify" else self.exclude).append(name)

    def cmd_begin(self, rest: list[str]) -> None:
        if [w.lower() for w in rest] != ["backup"]:
            raise CommandFailed("begin backup: invalid syntax")
        self.full_backup = True

    def cmd_end(self, rest: list[str]) -> None:
        if [w.lower() for w in rest] != ["backup"]:
            raise CommandFailed("end backup: invalid syntax")
        if not self.full_backup:
            raise CommandFailed("end backup without begin backup.", VssError("VSS_E_BAD_STATE", "No backup session."))
        self.model.log({"op": "diskshadow.backup_complete", "node": self.node, "ok": True,
                        "args": {"shadows": [s["id"] for s in self.made]}})
        self.full_backup = False

    def _writer(self, name: str) -> dict | None:
        wanted = _guid(name) or name.lower()
        return next((w for w in WRITERS if w["id"].upper() == wanted or w["name"].lower() == wanted), None)

    def cmd_create(self, rest: list[str]) -> None:
        if rest:
            raise CommandFailed("create takes no parameters")
        if not self.volumes:
            raise CommandFailed("create: add at least one volume with add volume first.",
                                VssError("VSS_E_BAD_STATE", "The Shadow Copy Set is empty."))
        writers = CONTEXTS[self.context][1]
        for name in self.verify:
            writer = self._writer(name)
            excluded = writer is not None and any(self._writer(x) is writer for x in self.exclude)
            if writer is None or excluded or not writers:
                raise CommandFailed(f"writer verify: the writer {name} is not included in the backup.")
        model = self.model
        set_id = model.new_id()
        made: list[dict] = []
        fault = model.take_fault("snapshot_fails", node=self.node)
        try:
            if fault is not None:
                reason = fault.get("reason") or "provider_failure"
                from wsfc_lab.vss import FAILURE_ERRORS
                raise VssError(FAILURE_ERRORS[reason], f"The shadow copy could not be created ({reason}).")
            for volume in self.volumes:
                made.append(model.vss.create(self.node, volume["csv"], self.context, volume["provider"],
                                             tool="diskshadow", backup_type="full" if self.full_backup else "copy",
                                             set_id=set_id, fault_checked=True))
        except VssError as exc:
            for snap in made:  # a set is created whole or not at all
                model.snapshots.remove(snap)
            model.log({"op": "snap.create", "node": self.node, "ok": False, "error": f"{exc.name}: {exc}",
                       "args": {"volumes": [v["csv"].path for v in self.volumes], "context": self.context,
                                "tool": "diskshadow"}, "hresult": exc.name})
            raise CommandFailed(str(exc), exc) from None
        for snap, volume in zip(made, self.volumes):
            self.shadow_count += 1
            default = f"VSS_SHADOW_{self.shadow_count}"
            self.set_alias(default, snap["id"])
            self.out.append(f"Alias {default} for shadow ID {snap['id'].lower()} set as environment variable.")
            if volume["alias"]:
                self.set_alias(volume["alias"], snap["id"])
                self.out.append(f"Alias {volume['alias']} for shadow ID {snap['id'].lower()} set as environment "
                                f"variable.")
            model.log_snapshot(self.node, snap, {"volume": volume["csv"].path, "csv": snap["csv"],
                                                 "context": self.context, "tool": "diskshadow",
                                                 "script": self.script})
        self.made.extend(made)
        self.volumes = []
        self.out.append(f"The shadow copy set {set_id.lower()} was created: {len(made)} shadow copy(ies).")

    def _visible(self, shadow_id: str) -> dict:
        wanted = _guid(shadow_id)
        snap = next((s for s in self.model.snapshots if wanted and s["id"].upper() == wanted
                     and self.node in (s["node"], s.get("created_by"))), None)
        if snap is None:
            raise CommandFailed(f"The shadow copy {shadow_id} was not found.",
                                VssError("VSS_E_OBJECT_NOT_FOUND", f"No shadow copy {shadow_id} on {self.node}."))
        return snap

    def cmd_expose(self, rest: list[str]) -> None:
        if len(rest) != 2:
            raise CommandFailed("expose <ShadowID> {<Drive:> | <Share> | <MountPoint>}: invalid syntax")
        target = rest[1]
        if not re.match(r"^[A-Za-z]:\\.+", target):
            raise ProgramNotModelled(f"exposing a shadow copy as {target!r} (the lab models mounted folders only)")
        snap = self._visible(rest[0])
        try:
            self.model.vss.expose(self.node, snap, target)
        except VssError as exc:
            raise CommandFailed(f"expose: {exc}", exc) from None
        self.model.log({"op": "snap.expose", "node": self.node, "ok": True, "args": {"id": snap["id"], "path": target},
                        "csv": snap["csv"], "surfaced_on": snap["node"]})
        self.out.append(f"The shadow copy was successfully exposed as {target}.")

    def cmd_unexpose(self, rest: list[str]) -> None:
        if len(rest) != 1:
            raise CommandFailed("unexpose {<shadowID> | <drive:> | <share> | <mountpoint>}: invalid syntax")
        if _guid(rest[0]):
            snap = self._visible(rest[0])
        else:
            snap = self.model.vss.exposure(self.node, rest[0])
            if snap is not None and norm_path(snap["exposed"]["path"]) != norm_path(rest[0]):
                snap = None
        if snap is None or not snap.get("exposed") or snap["exposed"]["node"] != self.node:
            raise CommandFailed(f"unexpose: {rest[0]} is not an exposed shadow copy on {self.node}.",
                                VssError("VSS_E_OBJECT_NOT_FOUND", f"{rest[0]} is not exposed."))
        path = snap["exposed"]["path"]
        snap["exposed"] = None
        self.model.log({"op": "snap.unexpose", "node": self.node, "ok": True, "args": {"id": snap["id"], "path": path},
                        "csv": snap["csv"]})
        self.out.append(f"The shadow copy {snap['id'].lower()} is no longer exposed.")

    def cmd_delete(self, rest: list[str]) -> None:
        if not rest or rest[0].lower() != "shadows" or len(rest) < 2:
            raise CommandFailed("delete shadows [all | volume <volume> | oldest <volume> | set <setID> | id "
                                "<shadowID> | exposed {<drive> | <mountpoint>}]: invalid syntax")
        mode, args = rest[1].lower(), rest[2:]
        visible = [s for s in self.model.snapshots if self.node in (s["node"], s.get("created_by"))]
        if mode == "all" and not args:
            targets = visible
        elif mode in ("volume", "oldest") and len(args) == 1:
            csv = self.model._csv_for_volume(args[0])
            targets = [s for s in visible if csv is not None and s["csv"] == csv.name]
            if mode == "oldest":
                targets = sorted(targets, key=lambda s: s["created"])[:1]
        elif mode == "set" and len(args) == 1:
            targets = [s for s in visible if _guid(args[0]) and s.get("set_id", "").upper() == _guid(args[0])]
        elif mode == "id" and len(args) == 1:
            targets = [self._visible(args[0])]
        elif mode == "exposed" and len(args) == 1:
            snap = self.model.vss.exposure(self.node, args[0])
            targets = [snap] if snap is not None else []
        else:
            raise CommandFailed("delete shadows: invalid syntax: " + " ".join(rest))
        if not targets:
            raise CommandFailed("delete shadows: no shadow copy matches.",
                                VssError("VSS_E_OBJECT_NOT_FOUND", "No shadow copy matches."))
        for snap in targets:
            if self.model.take_fault("snapshot_delete_fails", node=self.node):
                raise CommandFailed(f"Deleting the shadow copy {snap['id']} failed.",
                                    VssError("VSS_E_UNEXPECTED", "The shadow copy stays."))
            try:
                self.model.delete_snapshot(self.node, snap["id"], tool="diskshadow")
            except ModelError as exc:
                raise CommandFailed(str(exc), VssError("VSS_E_OBJECT_NOT_FOUND", str(exc))) from None
            self.out.append(f"Deleting shadow copy {snap['id'].lower()} on volume {snap['volume']}...")
        self.out.append(f"Number of shadow copies deleted: {len(targets)}")

    def cmd_list(self, rest: list[str]) -> None:
        what = rest[0].lower() if rest else ""
        if what == "providers" and len(rest) == 1:
            providers = self.model.vss.providers()
            for p in providers:
                self.out += [f"* ProviderID: {p['id'].lower()}",
                             f"        Type: [{p['type']}] {PROVIDER_TYPE_NAMES[p['type']]}",
                             f"        Name: {p['name']}", f"        Version: {p['version']}",
                             f"        CLSID: {p['clsid'].lower()}"]
            self.out.append(f"{len(providers)} provider{'s' if len(providers) != 1 else ''} registered.")
            return
        if what == "writers" and len(rest) <= 2:
            for writer in WRITERS:
                self.out += [f"* WRITER \"{writer['name']}\"", f"    - Writer ID   = {writer['id'].lower()}"]
            self.out.append(f"{len(WRITERS)} writers listed.")
            return
        if what != "shadows" or len(rest) not in (2, 3):
            raise CommandFailed("list writers [metadata | detailed | status] | list shadows {all | set <SetID> | id "
                                "<ShadowID>} | list providers: invalid syntax")
        mode = rest[1].lower()
        visible = [s for s in self.model.snapshots if self.node in (s["node"], s.get("created_by"))]
        if mode == "all" and len(rest) == 2:
            shown = visible
        elif mode in ("set", "id") and len(rest) == 3 and _guid(rest[2]):
            key = "set_id" if mode == "set" else "id"
            shown = [s for s in visible if str(s.get(key, "")).upper() == _guid(rest[2])]
        else:
            raise CommandFailed("list shadows {all | set <setID> | id <shadowID>}: invalid syntax")
        for snap in shown:
            self.out.append(f"* Shadow Copy ID = {snap['id'].lower()}")
            for name, value in self.aliases.items():
                if value.upper() == snap["id"].upper():
                    self.out.append(f"%{self.alias_names[name]}%")
            created = EPOCH + timedelta(seconds=float(snap["created"]))
            self.out += [f"\t- Shadow copy set: {str(snap.get('set_id', '')).lower()}",
                         f"\t- Original volume name: {snap['volume']}",
                         f"\t- Creation time: {created.strftime('%m/%d/%Y %I:%M:%S %p')}",
                         f"\t- Shadow copy device name: {snap['device_object']}",
                         f"\t- Originating machine: {snap['originating_machine']}",
                         f"\t- Service machine: {snap['node']}",
                         f"\t- Provider ID: {snap['provider_id'].lower()}",
                         f"\t- Exposed name: {(snap.get('exposed') or {}).get('path') or ''}"]
        self.out.append(f"Number of shadow copies listed: {len(shown)}")

    def cmd_reset(self, rest: list[str]) -> None:
        if rest:
            raise CommandFailed("reset takes no parameters")
        self.release_volatile()
        self.context, self.verbose, self.full_backup = DEFAULT_CONTEXT, False, False
        self.volumes, self.verify, self.exclude = [], [], []
        self.aliases, self.alias_names = {}, {}

    def release_volatile(self) -> None:
        """volatile: "Deletes the shadow copy on exit or reset" (set-context)."""
        for snap in list(self.made):
            if not snap.get("persistent") and snap in self.model.snapshots:
                self.model.delete_snapshot(self.node, snap["id"], tool="diskshadow")
            self.made.remove(snap)


def run(model: Any, node: str, argv: list[str]) -> tuple[int, str]:
    """Run ``diskshadow.exe`` on ``node`` with ``argv`` (without the program); returns (exit code, standard output)."""
    if len(argv) != 2 or argv[0].lower() not in ("-s", "/s"):
        raise ProgramNotModelled(f"diskshadow.exe {' '.join(argv)} (only script mode, diskshadow -s <script>, is "
                                 f"modelled)")
    path = argv[1]
    with model._lock:
        model._tick()
        node = model._node_name(node)
        try:
            text = model.fs.read(node, path)
        except (FileNotFoundError, IsADirectoryError, ValueError):
            model.log({"op": "diskshadow.run", "node": node, "ok": False, "args": {"script": path}, "exit_code": 1,
                       "error": "script not found"})
            return 1, f"The script file {path} could not be opened.\r\n"
        session = Session(model, node, path)
        code = session.run(text)
        model.log({"op": "diskshadow.run", "node": node, "ok": code == 0, "args": {"script": path},
                   "exit_code": code, "commands": [line[3:].split()[0].lower() for line in session.out
                                                    if line.startswith("-> ")]})
        return code, "".join(line + "\r\n" for line in session.out)


__all__ = ["run", "Session", "HRESULTS"]
