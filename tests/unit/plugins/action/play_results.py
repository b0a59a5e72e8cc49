# -*- coding: utf-8 -*-
"""What the play's hosts register, made by running the real node actions on the fake node with recorded answers.

The controller-only actions decide from what ``cluster_info``, ``network_info`` and ``backup_queue`` returned on
each host. Their tests take those results from the actions themselves, run on the lab's recorded answers, so the
shapes are the real ones and follow the actions when they change. Only what a recording cannot give is derived,
and each derivation says what it changes: every node of the lab cluster answers ``cluster_info`` with the same
cluster, so the answer of NODE2 and NODE3 is NODE1's with ``queried_node`` naming the node asked; and the lab has
one cluster, so the hosts of a second cluster of the play (a fleet) answer as the lab cluster's nodes do with only
the cluster's name changed (:func:`in_cluster`).
"""

from __future__ import annotations

import copy

from .controller_play import HOSTS, NODES, OTHER_HOSTS
from .recorded import answers, scenario as recorded_scenario

OTHER = "OTHER"  # the second cluster of a fleet play (PlayResults.fleet)


class PlayResults:
    """Runs node actions on ``node`` (the fake node fixture) with ``run`` (the harness's task runner)."""

    def __init__(self, node, run):
        self.node = node
        self.run = run

    def result(self, action, scenario, host="NODE1", args=None, check_mode=False):
        """The result ``action`` returned on ``host`` for a recorded scenario (every recorded answer used)."""
        self.node.answer(*answers(action, scenario))
        if args is None:
            args = recorded_scenario(action, scenario)["task"]["args"]
        result = self.run(action, args, check_mode=check_mode, host=host)
        if self.node.pending:
            raise AssertionError("%s/%s left answers unused: %s" % (action, scenario, self.node.pending))
        return result

    def cluster(self, scenario="read", hosts=HOSTS, nodes=NODES):
        """``{host: cluster_info result}``: each host is one node of the lab cluster and answers for it."""
        read = self.result("cluster_info", scenario)
        out = {}
        for host, node in zip(hosts, nodes):
            view = copy.deepcopy(read)
            view["queried_node"] = node
            out[host] = view
        return out

    def fleet(self, scenario="read", other=OTHER):
        """``{host: cluster_info result}`` of a play of two clusters: HOSTS are the lab cluster's nodes, OTHER_HOSTS
        the nodes (NODE1-NODE3 again, in order) of a copy of it called ``other``."""
        views = self.cluster(scenario)
        views.update(in_cluster(self.cluster(scenario, hosts=OTHER_HOSTS), other))
        return views

    def network(self):
        """``{host: network_info result}`` of the two nodes the lab recorded (NODE1 and NODE2)."""
        return {HOSTS[0]: self.result("network_info", "node1", host="NODE1"),
                HOSTS[1]: self.result("network_info", "node2", host="NODE2")}

    def queue(self, scenario):
        """NODE1's backup_queue result of a recorded scenario."""
        return self.result("backup_queue", scenario)


def in_cluster(views, name, hosts=None):
    """The cluster_info results with ``hosts`` (default: all of them) answering for a cluster called ``name``."""
    out = copy.deepcopy(views)
    for host, view in out.items():
        if hosts is None or host in hosts:
            view["cluster"]["name"] = name
    return out


def rename_csv(views, old, new):
    """The cluster_info results with the CSV ``old`` called ``new`` (as a node names it: in csvs and coordinators)."""
    out = copy.deepcopy(views)
    for view in out.values():
        for csv in view.get("csvs") or []:
            if csv["name"] == old:
                csv["name"] = new
        coordinators = view.get("coordinators") or {}
        if old in coordinators:
            coordinators[new] = coordinators.pop(old)
    return out


def fail_over(views, csv, to):
    """The cluster_info results after the cluster moved ``csv``'s coordinator to ``to`` (owner and coordinators)."""
    out = copy.deepcopy(views)
    for view in out.values():
        for entry in view.get("csvs") or []:
            if entry["name"] == csv:
                entry["owner"] = to
        view["coordinators"][csv] = to
    return out


def registered_loop(*pairs):
    """What a host registers for a loop task, from ``(result, item)`` pairs: each item's result with its item, and
    the loop's own flags as ansible-core's TaskExecutor sets them (changed, skipped, failed and unreachable when any
    item is, and its msg); a loop over no items is skipped with ``results: []``."""
    if not pairs:
        return {"changed": False, "skipped": True, "skipped_reason": "No items in the list", "results": []}
    items = [dict(result, item=item, ansible_loop_var="item") for result, item in pairs]
    out = {"results": items, "changed": any(bool(r.get("changed")) for r in items),
           "skipped": all(r.get("skipped") for r in items)}
    if any(r.get("failed") for r in items):
        out["failed"] = True
    if any(r.get("unreachable") for r in items):
        out["unreachable"] = True
    out["msg"] = ("All items skipped" if out["skipped"] else "One or more items failed" if out.get("failed")
                  else "All items completed")
    return out
