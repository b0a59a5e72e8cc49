# -*- coding: utf-8 -*-
# Copyright: (c) 2026, wsfc.csv maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Check the backup planner's inputs and options, and select the CSVs to back up.

Pure functions, no I/O. Options arrive from role variables (``csv_backup_*``),
often as strings from ``-e``; every check here raises a ValueError that names
the option and the value it got, so a playbook run says what to fix before any
CSV moves. Node names are matched case-insensitively, as Windows matches them,
and reported in the cluster's spelling.
"""

from __future__ import annotations

import math
import re

try:
    import jmespath
    from jmespath.exceptions import JMESPathError
except ImportError:  # the planner still works without it, except for ``select``
    jmespath = None
    JMESPathError = Exception

from ansible_collections.wsfc.csv.plugins.plugin_utils.plan.model import Write
from ansible_collections.wsfc.csv.plugins.plugin_utils.plan.strategies import Volume

STRATEGIES = ("balanced", "coordinator", "consolidate", "remote", "all")
PROVIDERS = ("software", "hardware")
DEFAULTS = {
    "strategy": "balanced",
    "select": None,
    "backup_nodes": None,
    "backup_node": None,
    "provider": "software",
    "concurrency": 2,
    "read_gbps": 8.0,
    "target_gbps": None,
    "target": None,
    "targets": None,
    "cross_site": False,
    "busy_csvs": "fail",
}
BUSY_CSVS = ("fail", "skip")
DEFAULT_READ_GBPS = 8.0
# Internal site keys: a site the facts name, or a node without a site that stands alone (see _sites).
SITE = "site:"
NO_SITE = "node:"
# How each CSV can be read, as the facts classify it per CSV (plugin_utils.csv_access): "direct" and "structural"
# (always redirected by design, such as ReFS) are planned; "transient" is planned and the run waits for the
# redirect to end; "fatal" is skipped.
ACCESS_CLASSES = ("direct", "structural", "transient", "fatal")


class PlanInputs:
    """Everything the planner needs, checked: options, nodes, read rates, network facts and volumes."""

    def __init__(self, **fields):
        self.strategy = fields["strategy"]
        self.provider = fields["provider"]
        self.concurrency = fields["concurrency"]
        self.target_gbps = fields["target_gbps"]
        self.write = fields.get("write")          # plan.model.Write, or None: the target's bandwidth is unknown
        self.allowed = fields["allowed"]          # nodes that may run backups, Up, sorted
        self.up = fields["up"]                    # every Up node
        self.backup_node = fields["backup_node"]  # None: the planner picks
        self.read_gbps = fields["read_gbps"]      # {node: Gb/s} for every cluster node
        self.network = fields["network"]          # {node: facts} in the cluster's spelling
        self.volumes = fields["volumes"]          # [Volume] to back up
        self.selected = fields["selected"]        # their names, in selection order
        self.skipped = fields["skipped"]          # [{"csv", "reason"}]
        self.warnings = fields["warnings"]
        self.cross_site = fields.get("cross_site", False)
        self.sites = fields.get("sites")          # {node: site key} for every node, or None: the cluster has no sites
        self.site_names = fields.get("site_names") or {}  # {node: site as the facts name it, or None}
        self.csv_facts = fields.get("csv_facts") or {}    # {selected CSV: its facts}, for the plan's notes and findings
        self.cluster_csvs = fields.get("cluster_csvs", 0)  # how many CSVs the cluster has, selected or not
        self.storage = fields.get("storage")      # "s2d", "san" or None (unknown)

    def constrained(self):
        """True when the plan must keep each CSV in its coordinator's site: sites, more than one, and no cross_site."""
        return bool(self.sites) and not self.cross_site and len(set(self.sites.values())) > 1

    def homes(self):
        """Each volume's site: its coordinator's (a coordinator that is not a node is a site of its own)."""
        sites = self.sites or {}
        return dict((v.name, sites.get(v.owner, NO_SITE + str(v.owner))) for v in self.volumes)


def to_plain(value):
    """Copy ``value`` into plain dict/list/str/int/float/bool/None.

    Templated Ansible data are subclasses (tagged strings, lazy containers);
    JMESPath checks function arguments by exact type name, so they must be
    plain before it sees them.
    """
    if isinstance(value, dict):
        return dict((to_plain(k), to_plain(v)) for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return [to_plain(item) for item in value]
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, str):
        return str.__str__(value)  # an exact str, whatever the subclass
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return float(value)
    return value


def _choice(options, name, choices):
    value = options[name]
    if not isinstance(value, str) or value.lower() not in choices:
        raise ValueError("%s must be one of %s; got %r" % (name, ", ".join(choices), value))
    return value.lower()


def _positive_number(value, name):
    """A number > 0 from a number or a numeric string; ValueError naming ``name`` otherwise."""
    if isinstance(value, bool):
        raise ValueError("%s must be a number of Gb/s greater than 0; got %r" % (name, value))
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ValueError("%s must be a number of Gb/s greater than 0; got %r" % (name, value)) from None
    if math.isnan(number) or number <= 0 or math.isinf(number):
        raise ValueError("%s must be a number of Gb/s greater than 0; got %r" % (name, value))
    return number


def _bool(value, name):
    """A boolean from a boolean or the strings Ansible accepts for one; ValueError naming ``name`` otherwise."""
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower() if isinstance(value, (str, int)) else None
    if text in ("true", "yes", "on", "1"):
        return True
    if text in ("false", "no", "off", "0"):
        return False
    raise ValueError("%s must be true or false; got %r" % (name, value))


def _concurrency(value):
    if isinstance(value, bool):
        raise ValueError("concurrency must be an integer >= 1; got %r" % (value,))
    try:
        number = int(value) if not isinstance(value, float) or value.is_integer() else None
    except (TypeError, ValueError):
        number = None
    if number is None or number < 1:
        raise ValueError("concurrency must be an integer >= 1; got %r" % (value,))
    return number


class _Names:
    """The cluster's node names, looked up case-insensitively."""

    def __init__(self, nodes):
        self.canonical = dict((n["name"].lower(), n["name"]) for n in nodes)
        self.state = dict((n["name"], n.get("state")) for n in nodes)

    def get(self, name, short=False):
        """The cluster's spelling of ``name``; with ``short``, an FQDN also matches its host part."""
        if not isinstance(name, str):
            return None
        key = name.lower()
        if key not in self.canonical and short:
            key = key.split(".", 1)[0]
        return self.canonical.get(key)

    def require(self, name, option):
        node = self.get(name)
        if node is None:
            raise ValueError("%s: %r is not a node of this cluster (nodes: %s)" % (option, name, ", ".join(sorted(self.state))))
        return node

    def up(self):
        return sorted(name for name, state in self.state.items() if state == "Up")


def _sites(nodes, cross_site, warnings):
    """Each node's site key and its site as the facts name it; (None, {}) when no node has a site.

    A cluster without site fault domains is one site. When some nodes have a
    site and others not, a node without one is taken as a site of its own (it
    may be anywhere), so no CSV moves to or from it unless cross_site allows.
    """
    named = dict((n["name"], n.get("site") if isinstance(n.get("site"), str) and n.get("site").strip() else None) for n in nodes)
    if not any(named.values()):
        return None, {}
    alone = sorted(node for node, site in named.items() if site is None)
    if alone and not cross_site:
        warnings.append("%s %s no site while other nodes do: each is taken as a site of its own, so no CSV moves to or "
                        "from it, nor is read over SMB across it (set csv_backup_cross_site: true to allow it, or give "
                        "it a site with New-ClusterFaultDomain -Type Site and Set-ClusterFaultDomain)"
                        % (", ".join(alone), "has" if len(alone) == 1 else "have"))
    keys = dict((node, SITE + site if site else NO_SITE + node) for node, site in named.items())
    return keys, named


def _allowed(names, value, warnings):
    """Nodes that may run backups: the listed ones that are Up (default: every Up node)."""
    if value is None:
        allowed = names.up()
    else:
        listed = [part.strip() for part in value.split(",")] if isinstance(value, str) else value
        if not isinstance(listed, list) or not listed:
            raise ValueError("backup_nodes must be a non-empty list of node names; got %r" % (value,))
        allowed = []
        for name in listed:
            node = names.require(name, "backup_nodes")
            if names.state[node] != "Up":
                warnings.append("%s is %s, not Up: it will not run backups" % (node, names.state[node]))
            elif node not in allowed:
                allowed.append(node)
        allowed.sort()
    if not allowed:
        raise ValueError("no node can run backups: backup_nodes has no node that is Up (node states: %s)"
                         % ", ".join("%s=%s" % item for item in sorted(names.state.items())))
    return allowed


def _backup_node(names, value, allowed):
    if value is None:
        return None
    node = names.require(value, "backup_node")
    if node not in allowed:
        raise ValueError("backup_node: %s may not run backups (it is %s; nodes that may: %s)"
                         % (node, names.state[node], ", ".join(allowed)))
    return node


def _network(names, network, warnings):
    """Per-node network facts keyed by the cluster's node names."""
    if network is None:
        return {}
    if not isinstance(network, dict):
        raise ValueError("network must be the result of wsfc.csv.network_info (a dict with 'nodes'); got %r" % (type(network).__name__,))
    nodes = network.get("nodes") or {}
    if not isinstance(nodes, dict):
        raise ValueError("network: 'nodes' must map node names to their facts; got %r" % (type(nodes).__name__,))
    facts = {}
    for name, entry in nodes.items():
        node = names.get(name, short=True)
        if node is None:
            warnings.append("network facts for %r ignored: not a node of this cluster" % (name,))
        elif isinstance(entry, dict):
            facts[node] = entry
    return facts


def _read_gbps(names, option, network):
    """Every node's local read throughput: the network facts' ``read_gbps``, else the option, else 8 Gb/s."""
    per_node = {}
    if isinstance(option, dict):
        for name, gbps in option.items():
            per_node[names.require(name, "read_gbps")] = _positive_number(gbps, "read_gbps[%r]" % (name,))
        default = DEFAULT_READ_GBPS
    else:
        default = _positive_number(option, "read_gbps")
    rates = {}
    for node in names.state:
        fact = network.get(node, {}).get("read_gbps")
        if fact is not None:
            rates[node] = _positive_number(fact, "network facts of %s: read_gbps" % node)
        else:
            rates[node] = per_node.get(node, default)
    return rates


_DRIVE = re.compile(r"^[A-Za-z]:(\\|$)")
TARGET_KEYS = ("path", "gbps", "node")


def _target_kind(path):
    """``"share"`` for a UNC path, ``"local"`` for a drive-letter path, else None."""
    if path.startswith("\\\\") and len(path.strip("\\")) > 0:
        return "share"
    return "local" if _DRIVE.match(path) else None


def _path_key(path):
    """A target path as Windows compares it: case-insensitive, ``/`` as ``\\``, no trailing separator."""
    return path.replace("/", "\\").rstrip("\\").lower()


def _targets(names, value):
    """The listed targets, checked: ``[(kind, path, gbps, node or None)]``."""
    if value is None:
        return []
    if not isinstance(value, list):
        raise ValueError("targets must be a list of {path, gbps[, node]}; got %r" % (value,))
    checked = []
    for index, entry in enumerate(value):
        where = "targets[%d]" % index
        if not isinstance(entry, dict):
            raise ValueError("%s must be a dictionary {path, gbps[, node]}; got %r" % (where, entry))
        unknown = sorted(set(entry) - set(TARGET_KEYS))
        if unknown:
            raise ValueError("%s: unknown key(s) %s (known: %s)" % (where, ", ".join(unknown), ", ".join(TARGET_KEYS)))
        path = entry.get("path")
        kind = _target_kind(path) if isinstance(path, str) else None
        if kind is None:
            raise ValueError("%s.path must be a share (\\\\server\\share) or a folder on a drive (E:\\Backups); got %r. A "
                             "single leading backslash is what key=value extra vars leave of \\\\: pass targets as YAML "
                             "or JSON" % (where, path))
        gbps = _positive_number(entry.get("gbps"), "%s.gbps" % where)
        node = entry.get("node")
        if node is not None:
            if kind == "share":
                raise ValueError("%s: node is only for a folder on a node's drive; %r is a share" % (where, path))
            node = names.require(node, "%s.node" % where)
        checked.append((kind, path, gbps, node))
    return checked


def _write(names, target, targets, warnings):
    """The target the writes go to, when its bandwidth is listed (:class:`plan.model.Write`), else None.

    The target is the listed path that ``target`` is (or is under; the longest
    such path wins), or with no ``target`` the only path listed. For a folder
    on the nodes' drives, entries with a ``node`` give that node's write rate
    and one without gives every other node's.
    """
    listed = _targets(names, targets)
    if not listed:
        return None
    if target is not None and not isinstance(target, str):
        raise ValueError("target must be the path backups go to; got %r" % (target,))
    paths = []
    for kind, path, dummy, dummy_node in listed:
        if _path_key(path) not in [_path_key(p) for p in paths]:
            paths.append(path)
    if not target:
        if len(paths) != 1:
            warnings.append("no target given and %d targets listed: the plan counts no write path" % len(paths))
            return None
        key = _path_key(paths[0])
    else:
        wanted = _path_key(target)
        under = [p for p in paths if wanted == _path_key(p) or wanted.startswith(_path_key(p) + "\\")]
        if not under:
            warnings.append("target %r is not under any listed target (%s): the plan counts no write path"
                            % (target, ", ".join(paths)))
            return None
        key = _path_key(max(under, key=lambda p: len(_path_key(p))))
    chosen = [entry for entry in listed if _path_key(entry[1]) == key]
    kind, path = chosen[0][0], chosen[0][1]
    if kind == "share":
        if len(chosen) > 1:
            raise ValueError("targets: %r is listed %d times; list a share once, with its ingress" % (path, len(chosen)))
        return Write("share", path, gbps=chosen[0][2])
    default = [entry[2] for entry in chosen if entry[3] is None]
    per_node = dict((entry[3], entry[2]) for entry in chosen if entry[3] is not None)
    if len(default) > 1 or len(per_node) != len([entry for entry in chosen if entry[3] is not None]):
        raise ValueError("targets: %r is listed more than once for the same node (or more than once without one)" % (path,))
    return Write("local", path, gbps=default[0] if default else None, node_gbps=per_node)


def _used_bytes(csv):
    """Bytes a backup reads: ``used_bytes``, or size minus free for facts that lack it."""
    if csv.get("used_bytes") is not None:
        return _bytes(csv["used_bytes"], csv)
    if csv.get("size_bytes") is not None and csv.get("free_bytes") is not None:
        return max(_bytes(csv["size_bytes"], csv) - _bytes(csv["free_bytes"], csv), 0)
    raise ValueError("CSV %r has no used_bytes (nor size_bytes and free_bytes)" % (csv.get("name"),))


def _bytes(value, csv):
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise ValueError("CSV %r: byte counts must be integers; got %r" % (csv.get("name"), value)) from None
    if number < 0:
        raise ValueError("CSV %r: byte counts cannot be negative; got %r" % (csv.get("name"), value))
    return number


def _search(expression, csvs):
    """Names of the CSVs a JMESPath expression picks from the CSV facts."""
    if not isinstance(expression, str) or not expression.strip():
        raise ValueError("select must be a JMESPath expression (a non-empty string); got %r" % (expression,))
    if jmespath is None:
        raise ValueError("select needs the Python package jmespath on the controller (pip install jmespath)")
    try:
        found = jmespath.search(expression, csvs)
    except JMESPathError as exc:
        raise ValueError("select: %r is not a valid JMESPath expression over the CSV list: %s" % (expression, exc)) from None
    if not isinstance(found, list):
        raise ValueError("select: %r must give a list of CSVs or CSV names; it gave %r" % (expression, found))
    names = []
    for item in found:
        name = item.get("name") if isinstance(item, dict) else item
        if not isinstance(name, str):
            raise ValueError("select: %r must give a list of CSVs or CSV names; it gave an item %r" % (expression, item))
        if name not in names:
            names.append(name)
    if not names:
        raise ValueError("select: %r matched no CSV (CSVs: %s)" % (expression, ", ".join(c.get("name") or "?" for c in csvs)))
    return names


def _busy(csv, busy_csvs, skipped, warnings):
    """Whether another backup holds the CSV; with ``busy_csvs=fail`` that refuses the run, with ``skip`` only the CSV.

    A CSV another product's VSS backup holds reports it (its BackupState,
    CLUSTER_SHARED_VOLUME_BACKUP_STATE); moving or snapshotting it while it
    does races that backup, and moving the coordinator of a CSV VSS holds can
    take it offline. A backup that crashed keeps the state for 30 minutes
    (ClusterClearBackupStateForSharedVolume), which this collection waits out
    rather than forces.
    """
    if not csv.get("backup_in_progress"):
        return False
    why = ("another backup holds it (its BackupState is in progress: another product's VSS backup, or one that "
           "crashed less than 30 minutes ago)")
    if busy_csvs == "fail":
        raise ValueError("%s cannot be backed up now: %s; wait for that backup to end, or set csv_backup_busy_csvs: "
                         "skip to back up the other CSVs without it" % (csv["name"], why))
    skipped.append({"csv": csv["name"], "reason": why})
    warnings.append("%s is skipped: %s (csv_backup_busy_csvs is skip); nothing of it is moved or snapshotted"
                    % (csv["name"], why))
    return True


def _select(csvs, expression, names, warnings, busy_csvs="fail"):
    """Volumes to back up, their names, and the CSVs skipped with why."""
    by_name = dict((c.get("name"), c) for c in csvs)
    if expression is None:
        chosen = [c["name"] for c in csvs if c.get("state") == "Online"]
        if not chosen:
            raise ValueError("no CSV is Online, so there is nothing to back up (CSVs: %s)"
                             % ", ".join("%s=%s" % (c.get("name"), c.get("state")) for c in csvs))
    else:
        chosen = _search(expression, csvs)
        unknown = [name for name in chosen if name not in by_name]
        if unknown:
            raise ValueError("select: %r gave names that are not CSVs of this cluster: %s" % (expression, ", ".join(unknown)))
    volumes, selected, skipped = [], [], []
    for csv in csvs:
        if csv["name"] not in chosen:
            reason = "not selected" if expression is not None or csv.get("state") == "Online" else "state is %s, not Online" % csv.get("state")
            skipped.append({"csv": csv["name"], "reason": reason})
    for name in chosen:
        csv = by_name[name]
        if csv.get("state") != "Online":
            skipped.append({"csv": name, "reason": "state is %s, not Online" % csv.get("state")})
        elif _busy(csv, busy_csvs, skipped, warnings) or not _accessible(csv, skipped, warnings):
            continue
        else:
            owner = names.get(csv.get("owner")) or csv.get("owner")
            volumes.append(Volume(name, _used_bytes(csv), owner))
            selected.append(name)
    if not volumes:
        reasons = "; ".join("%s: %s" % (s["csv"], s["reason"]) for s in skipped if s["csv"] in chosen)
        raise ValueError("none of the selected CSVs can be backed up: %s" % reasons)
    return volumes, selected, skipped


def _accessible(csv, skipped, warnings):
    """Whether a CSV's access lets it be planned; a refusal goes to ``skipped`` and ``warnings`` with what to do.

    With ``access_class`` (facts that classify each node's redirect reason),
    ``direct`` and ``structural`` are planned, ``transient`` is planned with a
    warning (the run waits for the redirect to end), ``fatal`` is skipped.
    Facts without it keep the old rule: any redirected CSV is skipped.
    """
    name, access = csv["name"], csv.get("access_class")
    detail = csv.get("access_detail") or csv.get("redirected_reason") or "reason unknown"
    if access is None:
        if not csv.get("redirected"):
            return True
        reason = "in redirected access (%s)" % (csv.get("redirected_reason") or "reason unknown")
        skipped.append({"csv": name, "reason": reason})
        warnings.append("%s is skipped: it is %s; fix that first or its backup runs slow" % (name, reason))
        return False
    if access not in ACCESS_CLASSES:
        raise ValueError("CSV %r: access_class must be one of %s; got %r" % (name, ", ".join(ACCESS_CLASSES), access))
    if access == "transient":
        warnings.append("%s is redirected for now (%s): it is planned, and the run waits for the redirect to end "
                        "before its snapshot" % (name, detail))
    if access != "fatal":
        return True
    # the detail names each node and reason with what to fix (csv_access.REASONS)
    skipped.append({"csv": name, "reason": "cannot be read: %s" % detail})
    warnings.append("%s is skipped: %s" % (name, detail))
    return False


def _site_filter(volumes, selected, skipped, sites, allowed, warnings):
    """Volumes whose site has a node that may back them up; the others are skipped, with what to do."""
    homes = dict((v.name, sites.get(v.owner, NO_SITE + str(v.owner))) for v in volumes)
    reachable = set(sites[node] for node in allowed)
    kept = [v for v in volumes if homes[v.name] in reachable]
    for volume in volumes:
        if homes[volume.name] in reachable:
            continue
        where = homes[volume.name]
        if where.startswith(SITE):
            site = "%s is in site %s" % (volume.owner, where[len(SITE):])
        else:
            site = "%s has no site, so it is a site of its own" % volume.owner
        reason = "no node of its coordinator's site may back it up (%s)" % site
        skipped.append({"csv": volume.name, "reason": reason})
        warnings.append("%s is skipped: %s; allow a node there (csv_backup_nodes) or set csv_backup_cross_site: true to "
                        "read it from another site" % (volume.name, reason))
    return kept, [name for name in selected if name in set(v.name for v in kept)]


def _cluster_lists(cluster):
    if not isinstance(cluster, dict) or not isinstance(cluster.get("nodes"), list) or not isinstance(cluster.get("csvs"), list):
        raise ValueError("cluster must be the result of wsfc.csv.cluster_info (a dict with 'nodes' and 'csvs' lists)")
    for kind in ("nodes", "csvs"):
        for entry in cluster[kind]:
            if not isinstance(entry, dict) or not isinstance(entry.get("name"), str):
                raise ValueError("cluster: every entry of %r must be a dict with a 'name'; got %r" % (kind, entry))
    return cluster["nodes"], cluster["csvs"]


def prepare(cluster, network, options):
    """Check everything and return :class:`PlanInputs`; ValueError names the first problem found."""
    unknown = sorted(set(options) - set(DEFAULTS))
    if unknown:
        raise ValueError("unknown option(s): %s (known: %s)" % (", ".join(unknown), ", ".join(sorted(DEFAULTS))))
    opts = dict(DEFAULTS)
    opts.update((k, v) for k, v in to_plain(options).items() if v is not None)
    nodes, csvs = _cluster_lists(to_plain(cluster))
    names, warnings = _Names(nodes), []
    strategy = _choice(opts, "strategy", STRATEGIES)
    provider = _choice(opts, "provider", PROVIDERS)
    concurrency = _concurrency(opts["concurrency"])
    target = None if opts["target_gbps"] is None else _positive_number(opts["target_gbps"], "target_gbps")
    allowed = _allowed(names, opts["backup_nodes"], warnings)
    backup_node = _backup_node(names, opts["backup_node"], allowed)
    facts = _network(names, to_plain(network), warnings)
    read_gbps = _read_gbps(names, opts["read_gbps"], facts)
    cross_site = _bool(opts["cross_site"], "cross_site")
    sites, site_names = _sites(nodes, cross_site, warnings)
    busy_csvs = _choice(opts, "busy_csvs", BUSY_CSVS)
    volumes, selected, skipped = _select(csvs, opts["select"], names, warnings, busy_csvs)
    if sites and not cross_site and len(set(sites.values())) > 1:
        volumes, selected = _site_filter(volumes, selected, skipped, sites, allowed, warnings)
        if not volumes:
            raise ValueError("none of the selected CSVs can be backed up within its site: %s"
                             % "; ".join("%s: %s" % (s["csv"], s["reason"]) for s in skipped))
    write = _write(names, opts["target"], opts["targets"], warnings)
    storage = cluster.get("storage") if isinstance(cluster, dict) else None
    return PlanInputs(
        strategy=strategy, provider=provider, concurrency=concurrency, target_gbps=target, write=write, allowed=allowed,
        up=names.up(), backup_node=backup_node, read_gbps=read_gbps, network=facts, volumes=volumes,
        selected=selected, skipped=skipped, warnings=warnings, cross_site=cross_site, sites=sites,
        site_names=site_names, csv_facts=dict((c["name"], c) for c in csvs if c["name"] in selected),
        cluster_csvs=len(csvs), storage=storage.lower() if isinstance(storage, str) else None,
    )
