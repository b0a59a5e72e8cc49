# -*- coding: utf-8 -*-
"""Cluster answers shaped like wsfc.csv.cluster_info's, for the run's decisions (prepare, review, record)."""

from __future__ import annotations

GB = 10 ** 9
NODES = ("NODE1", "NODE2", "NODE3", "NODE4")


def csv(name, owner, used_gb):
    used = int(used_gb * GB)
    return {"name": name, "owner": owner, "state": "Online", "path": "C:\\ClusterStorage\\" + name.replace(" ", ""),
            "size_bytes": 2 * used + GB, "free_bytes": used + GB, "used_bytes": used,
            "redirected": False, "redirected_reason": None, "vms": []}


def cluster_info(queried, owners=None, down=(), name="HVCLUSTER1"):
    """The registered result of cluster_info on the node ``queried``; ``owners`` maps CSV name to coordinator."""
    owners = owners or {"Disk A": "NODE1", "Disk B": "NODE1", "Disk C": "NODE2", "Disk D": "NODE3"}
    csvs = [csv(n, o, 100 + 50 * i) for i, (n, o) in enumerate(sorted(owners.items()))]
    return {"changed": False, "cluster": {"name": name}, "queried_node": queried,
            "nodes": [{"name": n, "state": "Down" if n in down else "Up", "id": str(i)} for i, n in enumerate(NODES)],
            "csvs": csvs, "coordinators": dict(owners)}


def unreachable(msg="could not reach the node after 4 attempts"):
    return {"unreachable": True, "changed": False, "msg": msg}


def hosts():
    return ["node%d.example.com" % (i + 1) for i in range(len(NODES))]


def every_host_answers(**kw):
    return dict((h, cluster_info(n, **kw)) for h, n in zip(hosts(), NODES))


OPTIONS = {"strategy": "balanced", "select": "", "nodes": [], "node": "", "provider": "software", "concurrency": 2,
           "target_gbps": 0.0, "read_gbps": 8.0, "min_gbps": 10.0, "network_findings": "warn", "method": "copy",
           "target": "\\\\backup01\\csv", "command": [], "move_timeout": 300, "poll_interval": 2.0,
           "job_timeout": 86400, "job_poll_interval": 10.0, "lock_stale_after": 43200}
