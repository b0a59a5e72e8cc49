# -*- coding: utf-8 -*-
# Copyright: (c) 2026, wsfc.csv maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""What the cluster's volumes do to its backups, from Microsoft's sizing advice. Pure, no I/O.

"Plan volumes on Azure Stack HCI and Windows Server clusters" (windowsserverdocs,
storage/storage-spaces/plan-volumes.md, the Storage Spaces Direct planning page):

- "We recommend making the number of volumes a multiple of the number of
  servers in your cluster. [...] This allows the cluster to distribute volume
  "ownership" (one server handles metadata orchestration for each volume)
  evenly among servers." (``volume_count_balance``: only on Storage Spaces
  Direct, the page's subject, when the facts say the storage is S2D)
- "We recommend limiting the total number of volumes to 64 volumes per
  cluster." (``volume_count``)
- "If you use a backup solution that relies on the Volume Shadow Copy service
  (VSS) and the Volsnap software provider [...] limiting the volume size to
  10 TB will improve performance and reliability." (``volume_size``: with the
  software provider, which is Volsnap's)

Each finding is ``{"kind", "csv" (only for one CSV), "message"}``.
"""

from __future__ import annotations

# PowerShell's 10TB (New-Volume -Size 10TB, what the page's readers type) is 10 x 2^40 bytes, and Windows shows
# sizes in these units; so a volume made at the recommended size is not flagged.
TB = 2 ** 40
MAX_SOFTWARE_VOLUME_BYTES = 10 * TB
MAX_VOLUMES = 64
PAGE = '"Plan volumes in Storage Spaces Direct"'


def _tb(size):
    return "%.1f TB" % (size / float(TB))


def _seconds(value):
    return "{:,.0f}".format(value)


def _size(csv):
    try:
        return int(csv.get("size_bytes"))
    except (TypeError, ValueError):
        return None


def even_window(problem):
    """The window with every byte spread evenly over the nodes that back up, as if volumes could be split.

    Each site's bytes over its allowed nodes' combined local read rate (one
    site without sites), the latest of them, and never before the target's
    floor: the plan's window minus this is what the volumes' granularity and
    ownership cost, not the cluster's speed.
    """
    windows = [problem.floor]
    for part in problem.parts():
        rate = sum(part.rates[node] for node in part.nodes)
        if part.volumes and rate > 0:
            windows.append(part.total / rate)
    return max(windows)


def _multiples(count, nodes):
    lower = (count // nodes) * nodes
    return [n for n in (lower, lower + nodes) if n > 0]


def sizing_findings(inputs, problem, window):
    """The findings of the sizing page for this cluster and plan (``window``: the chosen plan's, in seconds)."""
    findings = []
    if inputs.provider == "software":
        for name in inputs.selected:
            size = _size(inputs.csv_facts.get(name) or {})
            if size is not None and size > MAX_SOFTWARE_VOLUME_BYTES:
                findings.append({"kind": "volume_size", "csv": name, "message": (
                    "%s is %s: %s recommends at most 10 TB per volume when backups rely on VSS and the Volsnap software "
                    "provider, as this plan's do, for performance and reliability; split its data over volumes of 10 TB "
                    "or less, or back it up with a hardware provider" % (name, _tb(size), PAGE))})
    nodes, count = len(inputs.up), inputs.cluster_csvs
    if inputs.storage == "s2d" and nodes and count % nodes:
        even = even_window(problem)
        cost = window - even
        if cost > max(0.5, window * 1e-3):
            costs = "this plan's window is %s s against %s s with every byte spread evenly over the nodes that back up " \
                    "(each site's bytes over its nodes' combined read rate): the imbalance costs %s s" % (
                        _seconds(window), _seconds(even), _seconds(cost))
        else:
            costs = "in this plan it costs nothing measurable (window %s s, %s s with every byte spread evenly)" % (
                _seconds(window), _seconds(even))
        findings.append({"kind": "volume_count_balance", "message": (
            "the cluster has %d volumes for %d Up nodes: %s recommends a multiple of the number of servers, so that "
            "each coordinates as many; %s. %s volumes would divide evenly"
            % (count, nodes, PAGE, costs, " or ".join(str(n) for n in _multiples(count, nodes))))})
    if count > MAX_VOLUMES:
        findings.append({"kind": "volume_count", "message": (
            "the cluster has %d volumes: %s recommends at most %d per cluster; merge volumes or move workloads to "
            "another cluster" % (count, PAGE, MAX_VOLUMES))})
    return findings
