"""A small virtual file system for the lab's nodes.

Each node has its own local files (``C:\\ProgramData\\...``, ``C:\\Windows\\Temp\\...``), while everything under a
CSV's path (``C:\\ClusterStorage\\Volume1\\...``) is one store shared by every node, as a Cluster Shared Volume is:
a file one node writes there is the file every other node reads. Paths are Windows paths: absolute (``C:\\...``),
``\\`` or ``/`` as separators, compared case-insensitively, each name keeping the spelling it was created with.

The API is deliberately small (``node`` is a node name, ``path`` an absolute Windows path):

- ``read(node, path) -> str``                        ``FileNotFoundError`` / ``IsADirectoryError``
- ``write(node, path, text, parents=True, exclusive=False, when=None)``
                                                     ``parents=False``: the directory must exist
                                                     (``FileNotFoundError``); ``exclusive=True``: the file must not
                                                     exist yet (``FileExistsError``), atomically, so a lock file
                                                     on a CSV can be taken by one node only
- ``exists(node, path) -> bool``  ``is_dir(node, path) -> bool``
- ``mkdir(node, path, parents=True)``                creates a directory (no error if it exists)
- ``delete(node, path, recurse=False)``              ``FileNotFoundError``; ``OSError`` for a non-empty
                                                     directory without ``recurse``
- ``rename(node, source, dest)``                     moves a file to a new name in the same store, atomically:
                                                     ``FileNotFoundError`` when ``source`` is not a file (so of two
                                                     renamers of one file exactly one succeeds), ``FileExistsError``
                                                     when ``dest`` exists (nothing is overwritten)
- ``replace(node, source, dest)``                    ``dest`` gets ``source``'s text and ``source`` is gone, atomically;
                                                     ``FileNotFoundError`` when either is not a file
- ``list(node, path) -> list[str]``                  full paths of the directory's entries, sorted
- ``security(node, path) -> str``                    a directory's security descriptor (SDDL): the one set with
                                                     ``set_security``, else ``INHERITED_SDDL``
- ``set_security(node, path, sddl)``                 ``FileNotFoundError`` when the directory does not exist
- ``store(node, path) -> str``                       ``"node:NAME"`` or ``"csv:C:\\ClusterStorage\\VolumeN"``
- ``modified(node, path) -> datetime | None``        when the file was last written (``clock()`` at that write;
                                                     None when the file system has no clock), for
                                                     ``LastWriteTimeUtc``

Every method takes the file system's own lock, so WinRM threads and the job scheduler can share it.
Paths the lab does not model (relative paths, UNC and device paths such as ``\\\\?\\GLOBALROOT\\...``) raise
``ValueError``.
"""

from __future__ import annotations

import re
import threading

# Directories every node has from the start (each node its own copy).
DEFAULT_DIRECTORIES = ("C:\\", "C:\\ProgramData", "C:\\Windows", "C:\\Windows\\Temp", "C:\\ClusterStorage")

# The descriptor the lab reports for a directory nobody set one on (created with New-Item, inheriting from its
# parent): owned by BUILTIN\\Administrators (the "System objects: Default owner for objects created by members of the
# Administrators group" policy, whose server default is the Administrators group:
# https://learn.microsoft.com/previous-versions/windows/it-pro/windows-10/security/threat-protection/security-policy-settings/system-objects-default-owner-for-objects-created-by-members-of-the-administrators-group),
# with inherited entries that also let Users read. Microsoft documents no fixed ACL for C:\\ProgramData, so this is
# the conservative stand-in: an inherited ACL is never the explicit SYSTEM-and-Administrators one a script sets.
INHERITED_SDDL = "O:BAG:SYD:AI(A;OICIID;FA;;;SY)(A;OICIID;FA;;;BA)(A;OICIID;0x1200a9;;;BU)"

_ABSOLUTE = re.compile(r"^[A-Za-z]:(\\|$)")


def normalize(path: str) -> str:
    """``c:/ProgramData//x\\`` -> ``c:\\ProgramData\\x``; ``C:`` -> ``C:\\``. Raises ValueError if not modelled."""
    text = str(path).replace("/", "\\")
    if text.startswith("\\\\"):
        raise ValueError(f"the path {path!r} (UNC or device path) is not modelled by the lab's file system")
    if not _ABSOLUTE.match(text):
        raise ValueError(f"the path {path!r} is not an absolute path with a drive letter")
    drive, rest = text[:2], text[2:]
    parts = [p for p in rest.split("\\") if p not in ("", ".")]
    if ".." in parts:
        raise ValueError(f"the path {path!r} contains '..', which the lab's file system does not resolve")
    return drive.upper() + "\\" + "\\".join(parts)


def parent(path: str) -> str | None:
    """The parent directory of a normalized path, or None for a drive root."""
    if len(path) <= 3:
        return None
    head = path.rsplit("\\", 1)[0]
    return head if len(head) > 2 else head + "\\"


class _Store:
    """One tree: a node's local disk, or one CSV."""

    def __init__(self) -> None:
        self.files: dict[str, tuple[str, str]] = {}   # lower path -> (spelling, text)
        self.dirs: dict[str, str] = {}                # lower path -> spelling
        self.modified: dict[str, object] = {}         # lower path -> clock() at the last write of the file
        self.security: dict[str, str] = {}            # lower path -> SDDL set on the directory


class FileSystem:
    """Local files per node, one shared store per CSV path."""

    def __init__(self, nodes: list[str], csv_paths: list[str]):
        self._lock = threading.RLock()
        # The model's clock (a callable taking the writing node and returning an aware UTC datetime: that node's
        # clock), set by the model; None: no times.
        self.clock = None
        self._nodes = {n.lower(): n for n in nodes}
        self._local = {n.lower(): _Store() for n in nodes}
        self._csvs: dict[str, tuple[str, _Store]] = {}
        for name in nodes:
            for directory in DEFAULT_DIRECTORIES:
                self._local[name.lower()].dirs[directory.lower()] = directory
        for csv_path in csv_paths:
            root = normalize(csv_path)
            store = _Store()
            store.dirs[root.lower()] = root
            self._csvs[root.lower()] = (root, store)

    # ---- where a path lives -----------------------------------------------------------------------
    def _locate(self, node: str, path: str) -> tuple[str, _Store, str]:
        norm = normalize(path)
        low = norm.lower()
        for root_low, (root, store) in self._csvs.items():
            if low == root_low or low.startswith(root_low + "\\"):
                return f"csv:{root}", store, norm
        key = str(node).lower()
        if key not in self._local:
            raise KeyError(f"no node named {node!r}")
        return f"node:{self._nodes[key]}", self._local[key], norm

    def store(self, node: str, path: str) -> str:
        with self._lock:
            return self._locate(node, path)[0]

    def _csv_root(self, norm: str) -> bool:
        return norm.lower() in self._csvs

    # ---- queries ----------------------------------------------------------------------------------
    def exists(self, node: str, path: str) -> bool:
        with self._lock:
            _, store, norm = self._locate(node, path)
            return norm.lower() in store.files or norm.lower() in store.dirs

    def is_dir(self, node: str, path: str) -> bool:
        with self._lock:
            _, store, norm = self._locate(node, path)
            return norm.lower() in store.dirs

    def read(self, node: str, path: str) -> str:
        with self._lock:
            _, store, norm = self._locate(node, path)
            if norm.lower() in store.dirs:
                raise IsADirectoryError(norm)
            if norm.lower() not in store.files:
                raise FileNotFoundError(norm)
            return store.files[norm.lower()][1]

    def list(self, node: str, path: str) -> list[str]:
        with self._lock:
            _, store, norm = self._locate(node, path)
            if norm.lower() not in store.dirs:
                if norm.lower() in store.files:
                    raise NotADirectoryError(norm)
                raise FileNotFoundError(norm)
            out = [spelling for key, (spelling, _) in store.files.items() if parent(key) == norm.lower()]
            out += [spelling for key, spelling in store.dirs.items() if parent(key) == norm.lower()]
            if norm.lower() == "c:\\clusterstorage":
                out += [root for root in (r for r, _ in self._csvs.values()) if parent(root.lower()) == norm.lower()]
            return sorted(out, key=str.lower)

    def csv_files(self) -> dict[str, list[str]]:
        """Every file on every CSV, by CSV root path: what a run left on the shared volumes (a lock file, say)."""
        with self._lock:
            return {root: sorted((spelling for spelling, _ in store.files.values()), key=str.lower)
                    for root, store in self._csvs.values()}

    def security(self, node: str, path: str) -> str:
        with self._lock:
            _, store, norm = self._locate(node, path)
            if norm.lower() not in store.dirs:
                raise FileNotFoundError(norm)
            return store.security.get(norm.lower(), INHERITED_SDDL)

    def set_security(self, node: str, path: str, sddl: str) -> None:
        with self._lock:
            _, store, norm = self._locate(node, path)
            if norm.lower() not in store.dirs:
                raise FileNotFoundError(norm)
            store.security[norm.lower()] = str(sddl)

    def modified(self, node: str, path: str):
        """When the file was last written (the clock's time then), or None without a clock."""
        with self._lock:
            _, store, norm = self._locate(node, path)
            if norm.lower() not in store.files:
                raise FileNotFoundError(norm)
            return store.modified.get(norm.lower())

    # ---- changes ----------------------------------------------------------------------------------
    def mkdir(self, node: str, path: str, parents: bool = True) -> None:
        with self._lock:
            _, store, norm = self._locate(node, path)
            if norm.lower() in store.files:
                raise FileExistsError(norm)
            if norm.lower() in store.dirs:
                return
            up = parent(norm)
            if up is not None and not self.is_dir(node, up):
                if not parents:
                    raise FileNotFoundError(up)
                self.mkdir(node, up, parents=True)
            store.dirs[norm.lower()] = norm

    def write(self, node: str, path: str, text: str, parents: bool = True, exclusive: bool = False,
              when=None) -> None:
        with self._lock:
            _, store, norm = self._locate(node, path)
            if norm.lower() in store.dirs:
                raise IsADirectoryError(norm)
            if exclusive and norm.lower() in store.files:
                raise FileExistsError(norm)
            up = parent(norm)
            if up is not None and not self.is_dir(node, up):
                if not parents:
                    raise FileNotFoundError(up)
                self.mkdir(node, up, parents=True)
            spelling = store.files.get(norm.lower(), (norm, ""))[0]
            store.files[norm.lower()] = (spelling, str(text))
            # ``when``: the write's time when the writer knows it better than the clock (a tool's last output at
            # the modelled moment it ended); otherwise the clock's time now.
            store.modified[norm.lower()] = when if when is not None else (self.clock(node) if self.clock else None)

    def _same_store(self, node: str, source: str, dest: str) -> tuple[_Store, str, str]:
        where, store, src = self._locate(node, source)
        other, dummy, dst = self._locate(node, dest)
        if where != other:
            raise NotImplementedError(f"moving a file from {where} to {other} (a copy across volumes, not a rename)")
        return store, src, dst

    def rename(self, node: str, source: str, dest: str) -> None:
        """A file's new name in the same store, in one step under the file system's lock (a rename: the data is not
        written, so the file keeps its last write time)."""
        with self._lock:
            store, src, dst = self._same_store(node, source, dest)
            if src.lower() not in store.files:
                raise FileNotFoundError(src)
            if dst.lower() in store.files or dst.lower() in store.dirs:
                raise FileExistsError(dst)
            up = parent(dst)
            if up is not None and up.lower() not in store.dirs:
                raise FileNotFoundError(up)
            dummy, text = store.files.pop(src.lower())
            store.files[dst.lower()] = (dst, text)
            store.modified[dst.lower()] = store.modified.pop(src.lower(), None)

    def replace(self, node: str, source: str, dest: str) -> None:
        """``dest`` takes ``source``'s content (and last write time) and ``source`` is gone, in one step."""
        with self._lock:
            store, src, dst = self._same_store(node, source, dest)
            for path in (src, dst):
                if path.lower() not in store.files:
                    raise FileNotFoundError(path)
            dummy, text = store.files.pop(src.lower())
            store.files[dst.lower()] = (store.files[dst.lower()][0], text)
            store.modified[dst.lower()] = store.modified.pop(src.lower(), None)

    def delete(self, node: str, path: str, recurse: bool = False) -> None:
        with self._lock:
            _, store, norm = self._locate(node, path)
            low = norm.lower()
            if low in store.files:
                del store.files[low]
                store.modified.pop(low, None)
                return
            if low not in store.dirs:
                raise FileNotFoundError(norm)
            if parent(norm) is None or self._csv_root(norm):
                raise PermissionError(f"{norm} is a drive or CSV root and cannot be removed")
            inside = [k for k in list(store.files) + list(store.dirs) if k.startswith(low + "\\")]
            if inside and not recurse:
                raise OSError(f"the directory {norm} is not empty")
            for key in inside:
                store.files.pop(key, None)
                store.modified.pop(key, None)
                store.dirs.pop(key, None)
                store.security.pop(key, None)
            del store.dirs[low]
            store.security.pop(low, None)
