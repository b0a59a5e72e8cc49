# -*- coding: utf-8 -*-
"""wsfc.csv.maintenance_plan (plugins/action/maintenance_plan.py): where a node's CSVs go, and which come back.

Runs on the controller (controller_play.py) over the cluster_info result the real action returned on the lab's
recorded answers (play_results.py) and over maps in a temporary state directory. The decisions are tested in
tests/unit/plugins/plugin_utils/test_node_maintenance.py; these test the wiring, the saved maps and the result.
"""

from __future__ import annotations

import json

from .checks import documented_returns
from .controller_play import HOSTS

ACTION = "maintenance_plan"


def _facts(results, node="NODE2"):
    facts = results.cluster()[HOSTS[0]]
    facts["queried_node"] = node
    return facts


def test_evacuate_moves_the_nodes_csvs_and_gives_the_map_to_save(play, results, tmp_path):
    result = play.run(ACTION, {"stage": "evacuate", "facts": _facts(results), "state_dir": str(tmp_path)})
    assert result["changed"] is False and result["nodes"] == ["NODE2"]
    assert [(m["csv"], m["from"]) for m in result["moves"]] == [("Cluster Disk 2", "NODE2")]
    saved = result["maps"][0]
    assert saved["path"] == str(tmp_path / "RECLAB_NODE2.json") and saved["changed"] is True
    assert saved["map"]["csvs"] == {"Cluster Disk 2": {"from": "NODE2", "to": result["moves"][0]["to"]}}
    assert set(documented_returns(ACTION)) - {"home"} <= set(result)


def test_a_saved_map_that_is_unchanged_says_so(play, results, tmp_path):
    first = play.run(ACTION, {"stage": "evacuate", "facts": _facts(results), "state_dir": str(tmp_path)})
    (tmp_path / "RECLAB_NODE2.json").write_text(json.dumps(first["maps"][0]["map"]))
    again = play.run(ACTION, {"stage": "evacuate", "facts": _facts(results), "state_dir": str(tmp_path)})
    assert again["maps"][0]["changed"] is False


def test_return_reads_the_saved_map(play, results, tmp_path):
    facts = _facts(results)
    for csv in facts["csvs"]:
        if csv["name"] == "Cluster Disk 2":
            csv["owner"] = "NODE3"
    (tmp_path / "RECLAB_NODE2.json").write_text(json.dumps(
        {"schema": 1, "cluster": "RECLAB", "node": "NODE2", "csvs": {"Cluster Disk 2": {"from": "NODE2", "to": "NODE3"}}}))
    result = play.run(ACTION, {"stage": "return", "facts": facts, "state_dir": str(tmp_path)})
    assert result["moves"] == [{"csv": "Cluster Disk 2", "from": "NODE3", "to": "NODE2"}]
    assert result["maps"][0]["map"]["csvs"] == {} and result["maps"][0]["changed"] is True


def test_a_map_that_is_not_json_is_refused(play, results, tmp_path):
    (tmp_path / "RECLAB_NODE2.json").write_text("{not json")
    result = play.run(ACTION, {"stage": "return", "facts": _facts(results), "state_dir": str(tmp_path)})
    assert result["failed"] and "cannot be read" in result["msg"]


def test_facts_that_are_not_cluster_info_are_refused(play, tmp_path):
    result = play.run(ACTION, {"stage": "evacuate", "facts": {"x": 1}, "state_dir": str(tmp_path)})
    assert result["failed"] and "wsfc.csv.cluster_info" in result["msg"]


def test_a_refusal_fails_naming_the_cluster(play, results, tmp_path):
    lock = {"failed": True, "lock": {"run_id": "nightly", "path": "C:\\ClusterStorage\\Volume1\\.wsfc.csv\\backup.lock"}}
    result = play.run(ACTION, {"stage": "evacuate", "facts": _facts(results), "lock": lock, "state_dir": str(tmp_path)})
    assert result["failed"] and result["msg"].startswith("Nothing was changed on cluster RECLAB: a backup run holds")
