# -*- coding: utf-8 -*-
"""Preparing a run from what every node answered (plugins/plugin_utils/run/prepare.py)."""

from __future__ import annotations

import json
from datetime import datetime, timezone

import pytest

from ansible_collections.wsfc.csv.plugins.plugin_utils.run.prepare import RunError, _cluster_options, backup_nodes, prepare_run

from run_answers import OPTIONS, cluster_info, every_host_answers, hosts, unreachable  # pylint: disable=import-error

STARTED = datetime(2026, 12, 1, 23, 5, 5, 123456, tzinfo=timezone.utc)


def _one(run):
    """The only cluster of a one-cluster run."""
    assert len(run["clusters"]) == 1
    return list(run["clusters"].values())[0]


def _prepare(facts=None, **kw):
    kw.setdefault("options", OPTIONS)
    return prepare_run(hosts(), every_host_answers() if facts is None else facts, started=STARTED, token="abc123",
                       report_dir="/reports/", **kw)


def test_the_run_is_named_and_planned_from_the_first_host_that_answered():
    run = _prepare()
    assert _one(run)["facts_host"] == "node1.example.com"
    assert run["run_id"] == "20261201T230505Z-abc123"
    assert run["started"] == "2026-12-01T23:05:05.123456Z"
    assert _one(run)["dir"] == "/reports/HVCLUSTER1-20261201T230505Z-abc123"
    assert _one(run)["plan"]["strategy"] == "balanced" and _one(run)["provider"] == "software"
    assert _one(run)["cluster"]["cluster"]["name"] == "HVCLUSTER1" and "changed" not in _one(run)["cluster"]
    json.dumps(run)  # registered for every host: plain data only


def test_each_host_is_the_node_it_reported_and_gets_that_node_s_reads():
    run = _prepare()
    assert _one(run)["hosts"] == dict(zip(hosts(), ("NODE1", "NODE2", "NODE3", "NODE4")))
    by_host = dict((h, [r["csv"] for r in reads]) for h, reads in run["reads"].items())
    by_node = dict((n, [r["csv"] for r in reads]) for n, reads in _one(run)["plan"]["nodes"].items() if reads)
    assert by_host == dict((h, by_node[_one(run)["hosts"][h]]) for h in by_host)
    assert sorted(c for csvs in by_host.values() for c in csvs) == ["Disk A", "Disk B", "Disk C", "Disk D"]


def test_the_ownership_map_holds_what_the_restore_entry_point_needs():
    run = _prepare()
    saved = _one(run)["ownership"]
    assert saved["owners"] == {"Disk A": "NODE1", "Disk B": "NODE1", "Disk C": "NODE2", "Disk D": "NODE3"}
    assert saved["moves"] == _one(run)["plan"]["moves"] and saved["reads"] == _one(run)["plan"]["nodes"]
    assert (saved["run_id"], saved["cluster"], saved["method"]) == (run["run_id"], "HVCLUSTER1", "copy")


def test_a_node_name_override_wins_over_the_reported_name():
    facts = every_host_answers()
    facts["node1.example.com"]["queried_node"] = "SOMETHING-ELSE"
    run = _prepare(facts, node_names={"node1.example.com": "node1"})
    assert _one(run)["hosts"]["node1.example.com"] == "NODE1"


def test_an_unknown_override_is_refused_with_the_host_and_the_nodes():
    with pytest.raises(RunError, match=r"csv_backup_node_name of node2.example.com is 'GHOST'.*NODE1, NODE2"):
        _prepare(node_names={"node2.example.com": "GHOST"})


def test_two_hosts_of_one_node_are_refused():
    facts = every_host_answers()
    facts["node2.example.com"]["queried_node"] = "NODE1"
    with pytest.raises(RunError, match="node1.example.com and node2.example.com are both cluster node NODE1"):
        _prepare(facts)


def test_a_host_that_did_not_answer_backs_up_nothing_and_is_named():
    facts = every_host_answers()
    facts["node1.example.com"] = unreachable()
    run = _prepare(facts)
    assert _one(run)["facts_host"] == "node2.example.com"
    assert "node1.example.com" not in run["reads"] and "NODE1" not in _one(run)["hosts"].values()
    assert not [n for n, reads in _one(run)["plan"]["nodes"].items() if reads and n == "NODE1"]
    assert _one(run)["unanswered"] == {"node1.example.com": "unreachable: could not reach the node after 4 attempts"}
    assert any(line.startswith("cluster read through node2.example.com; did not answer: node1.example.com")
               for line in run["lines"])
    assert "backs up nothing, no answering host of this play is that node: NODE1" in run["lines"]


def test_no_answer_at_all_is_refused_with_every_reason():
    facts = dict((h, unreachable("refused %s" % h)) for h in hosts())
    with pytest.raises(RunError, match=r"No node of .* answered.*node3.example.com: unreachable: refused node3"):
        _prepare(facts)


def test_hosts_of_two_clusters_are_two_clusters_planned_each_on_its_own():
    facts = every_host_answers()
    facts.update(("other%d" % n, cluster_info("NODE%d" % n, name="OTHER")) for n in (1, 2))
    run = prepare_run(hosts() + ["other1", "other2"], facts, options=OPTIONS, started=STARTED, token="abc123",
                      report_dir="/reports/")
    assert run["fleet"] is True and list(run["clusters"]) == ["HVCLUSTER1", "OTHER"]
    other = run["clusters"]["OTHER"]
    assert other["hosts"] == {"other1": "NODE1", "other2": "NODE2"} and other["facts_host"] == "other1"
    assert run["host_cluster"]["other2"] == "OTHER" and run["host_cluster"]["node4.example.com"] == "HVCLUSTER1"
    assert run["leaders"] == {"node1.example.com": "HVCLUSTER1", "other1": "OTHER"}
    assert run["moves"]["other1"] == other["plan"]["moves"]
    assert set(run["reads"]) == set(run["clusters"]["HVCLUSTER1"]["reads"]) | set(other["reads"])
    assert [m["dir"] for m in run["maps"]] == ["/reports/HVCLUSTER1-20261201T230505Z-abc123",
                                               "/reports/OTHER-20261201T230505Z-abc123"]
    assert run["fleet_dir"] == "/reports/fleet-20261201T230505Z-abc123"


def test_in_a_fleet_a_cluster_that_cannot_be_planned_carries_its_error_and_the_others_go_on():
    facts = every_host_answers()
    facts["other1"] = cluster_info("NODE1", name="OTHER", owners={"Only Disk": "NODE1"})
    run = prepare_run(hosts() + ["other1"], facts, options=dict(OPTIONS, select="[?name=='Disk A']"),
                      started=STARTED, token="abc123", report_dir="/reports/")
    assert "matched no CSV" in run["clusters"]["OTHER"]["error"] and "OTHER" not in run["leaders"].values()
    assert not run["clusters"]["HVCLUSTER1"].get("error")
    with pytest.raises(RunError, match="No cluster of this play could be planned"):
        prepare_run(hosts() + ["other1"], facts, options=dict(OPTIONS, select="[?name=='nope']"),
                    started=STARTED, token="abc123", report_dir="/reports/")


def _window(**options):
    return _one(_prepare(options=dict(OPTIONS, **options)))["plan"]["window_s"]


def test_a_fleet_cap_gives_each_node_its_share_of_the_backup_server():
    # four answering nodes share 0.4 Gb/s: each writes at most 0.1 Gb/s, as with target_gbps=0.1
    assert _window(fleet_target_gbps=0.4) == _window(target_gbps=0.1) > _window()
    # a node's own cap, when lower than its share, still holds
    assert _window(fleet_target_gbps=40.0, target_gbps=0.1) == _window(target_gbps=0.1)


def test_an_option_out_of_range_is_refused_before_anything_else():
    with pytest.raises(RunError, match=r"csv_backup_concurrency \(got 0\) must be at least 1\. .*nothing was read"):
        _prepare(options=dict(OPTIONS, concurrency=0))


def test_a_planner_refusal_names_the_cluster_and_the_option():
    with pytest.raises(RunError, match=r"The backup of HVCLUSTER1 was not planned: .*matched no CSV"):
        _prepare(options=dict(OPTIONS, select="[?name=='nope']"))


def test_network_findings_stop_the_run_only_when_asked():
    finding = {"severity": "warning", "node": "NODE2", "what": "SMB Multichannel is off", "fix": "enable it"}
    networks = dict((h, {"nodes": {}, "findings": [finding] if h == "node2.example.com" else []}) for h in hosts())
    run = _prepare(networks=networks)
    assert _one(run)["network_lines"] == ["warning on NODE2: SMB Multichannel is off (enable it)"]
    assert run["lines"][-2:] == ["network findings:", "warning on NODE2: SMB Multichannel is off (enable it)"]
    with pytest.raises(RunError, match=r"does not meet the recommendations \(1 finding\(s\)\): warning on NODE2"):
        _prepare(networks=networks, options=dict(OPTIONS, network_findings="fail"))


@pytest.mark.parametrize("vss, expected", [
    ({"auto_provider": {"kind": "hardware", "name": "Array"}}, "hardware"),
    ({"auto_provider": {"kind": "software"}}, "software"),
    ({"failed": True, "msg": "no"}, "software"),
])
def test_provider_auto_follows_what_vss_would_choose_on_the_facts_node(vss, expected):
    run = _prepare(vss={"node1.example.com": vss}, options=dict(OPTIONS, provider="auto"))
    assert run["providers"]["node2.example.com"] == expected
    assert _one(run)["provider"] == expected == _one(run)["plan"]["provider"]


def test_fewer_forks_than_busy_nodes_is_a_warning():
    run = _prepare(forks=1)
    busy = len(run["reads"])
    assert busy > 1 and run["run_warnings"] == [
        "Ansible runs 1 fork(s) but %d nodes have CSVs to back up, so their queues run batch after batch and the "
        "window grows; run with --forks %d or more (AWX: the forks of the job template)" % (busy, busy)]
    assert _prepare(forks=busy)["run_warnings"] == []


def test_backup_nodes_are_the_option_s_limited_to_answering_hosts():
    cluster = cluster_info("NODE1")
    everyone = dict(zip(hosts(), ("NODE1", "NODE2", "NODE3", "NODE4")))
    assert backup_nodes([], everyone, cluster) == (None, [])
    three = dict(list(everyone.items())[:3])
    assert backup_nodes([], three, cluster) == (["NODE1", "NODE2", "NODE3"], ["NODE4"])
    assert backup_nodes(["node2", "NODE4"], three, cluster) == (["node2"], ["NODE4"])


@pytest.mark.parametrize("name, folder", [("HVCLUSTER1", "HVCLUSTER1"), ("../../etc", "_.._etc"),
                                          ("a/b\\c", "a_b_c"), ("..", "cluster"), ("{{ x }}", "___x___")])
def test_the_run_s_directory_stays_inside_the_report_directory(tmp_path, name, folder):
    reports = tmp_path / "reports"
    facts = every_host_answers(name=name)
    run = prepare_run(hosts(), facts, options=OPTIONS, started=STARTED, token="abc123", report_dir=str(reports))
    assert _one(run)["dir"] == str(reports / ("%s-20261201T230505Z-abc123" % folder))
    assert _one(run)["ownership"]["cluster"] == name  # the map keeps the real name, to check it against the cluster


def test_a_host_that_did_not_answer_belongs_to_the_cluster_its_inventory_group_ties_it_to():
    facts = every_host_answers()
    facts["node1.example.com"] = unreachable()
    groups = dict((h, ["hvcluster1", "fleet"]) for h in hosts())
    run = _prepare(facts, groups=groups)
    assert run["fleet"] is False and run["unanswered"] == {}
    assert "node1.example.com" in _one(run)["unanswered"]


def test_a_host_no_group_ties_to_an_answering_cluster_answered_for_none_and_makes_the_run_a_fleet_failure():
    facts = every_host_answers()
    facts["branch1"] = unreachable("connection refused")
    groups = dict((h, ["hvcluster1", "fleet"]) for h in hosts())
    groups["branch1"] = ["branch", "fleet"]
    run = prepare_run(hosts() + ["branch1"], facts, options=OPTIONS, started=STARTED, token="abc123",
                      report_dir="/reports/", groups=groups)
    assert run["fleet"] is True and run["unanswered"] == {"branch1": "unreachable: connection refused"}
    assert run["lines"][-1] == "answered for no cluster: branch1 (unreachable: connection refused)"
    assert run["fleet_dir"] == "/reports/fleet-20261201T230505Z-abc123"


def test_a_listed_target_reaches_the_planner_and_its_bandwidth_sets_the_window():
    # the target of OPTIONS is \\backup01\csv; listed with 0.4 Gb/s, every node's writes share it
    slow = _one(_prepare(options=dict(OPTIONS, targets=[{"path": "\\\\BACKUP01\\csv", "gbps": 0.4}])))["plan"]
    assert slow["target"]["path"] == "\\\\BACKUP01\\csv" and slow["target"]["gbps"] == 0.4
    assert slow["window_s"] == slow["lower_bound_s"] == slow["target"]["floor_s"] > _window()
    assert _one(_prepare())["plan"]["target"] is None
    other = _one(_prepare(options=dict(OPTIONS, targets=[{"path": "\\\\backup02\\csv", "gbps": 0.4}])))["plan"]
    assert other["target"] is None and other["window_s"] == _window()


def test_in_a_fleet_each_cluster_counts_its_share_of_a_listed_share():
    shared = [{"path": "\\\\backup01\\csv", "gbps": 30.0}, {"path": "E:\\B", "gbps": 8.0}]
    expected = [{"path": "\\\\backup01\\csv", "gbps": 10.0}, {"path": "E:\\B", "gbps": 8.0}]
    assert _cluster_options({"targets": shared}, 6, 2)["targets"] == expected
    assert _cluster_options({"targets": shared}, 2, 2)["targets"] == shared
    assert _cluster_options({"targets": []}, 6, 2)["targets"] == []


def test_a_bad_listed_target_is_refused_naming_it():
    with pytest.raises(RunError, match=r"not planned: targets\[0\]\.path must be a share"):
        _prepare(options=dict(OPTIONS, targets=[{"path": "\\backup01\\csv", "gbps": 10}]))


def test_each_read_carries_its_csv_id_and_a_folder_of_its_own_that_the_plan_keeps():
    facts = every_host_answers()
    for answer in facts.values():
        for index, entry in enumerate(answer["csvs"]):
            entry["id"] = "3f2504e0-4f89-11d3-9a0c-0305e82c330%d" % index
    run = _prepare(facts)
    reads = [r for items in run["reads"].values() for r in items]
    planned = [r for items in _one(run)["plan"]["nodes"].values() for r in items]
    assert sorted(r["id"] for r in reads) == ["3f2504e0-4f89-11d3-9a0c-0305e82c330%d" % i for i in range(4)]
    assert len(set(r["folder"].lower() for r in reads)) == 4
    assert all(r["folder"].startswith(r["csv"] + "-") for r in reads)
    assert sorted(r["folder"] for r in planned) == sorted(r["folder"] for r in reads)


def test_csvs_whose_folders_would_be_the_same_are_refused_before_anything_changes(monkeypatch):
    from ansible_collections.wsfc.csv.plugins.plugin_utils.run import prepare
    monkeypatch.setattr(prepare, "folder_name", lambda read: "same")
    with pytest.raises(RunError, match="would be backed up to the same folder"):
        _prepare()


def test_a_cluster_aware_updating_run_refuses_the_run_before_any_change():
    facts = every_host_answers()
    for answer in facts.values():
        answer["cau"] = {"available": True, "in_progress": True, "run_id": "834dd11e", "orchestrator": "NODE1"}
    with pytest.raises(RunError) as caught:
        _prepare(facts)
    text = str(caught.value)
    assert "Cluster-Aware Updating run is in progress on HVCLUSTER1 (run_id 834dd11e, orchestrator NODE1)" in text
    assert "Get-CauRun -WaitForCompletion" in text and "nothing was changed" in text


def test_no_cau_module_or_no_run_plans_as_usual():
    for cau in ({"available": False, "in_progress": False}, {"available": True, "in_progress": False}):
        facts = every_host_answers()
        for answer in facts.values():
            answer["cau"] = dict(cau)
        assert _one(_prepare(facts))["plan"]["nodes"]


def test_what_changed_between_the_first_read_and_the_read_under_the_lock_is_said():
    from ansible_collections.wsfc.csv.plugins.plugin_utils.run.prepare import changed_under_lock
    first = {"clusters": {"C1": {"ownership": {"owners": {"Disk 1": "NODE1", "Disk 2": "NODE2"}}}}}
    again = {"clusters": {"C1": {"ownership": {"owners": {"Disk 1": "node1", "Disk 2": "NODE1", "Disk 3": "NODE3"}}}}}
    lines = changed_under_lock(first, again)
    assert len(lines) == 2  # a node name's case is no change
    assert "Disk 2 was coordinated by NODE2 when the cluster was first read and by NODE1 under the lock" in lines[0]
    assert "Disk 3 was coordinated by nobody" in lines[1]
    assert changed_under_lock(again, again) == []


def test_a_run_planned_again_through_another_leader_stops():
    from ansible_collections.wsfc.csv.plugins.plugin_utils.run.prepare import leaders_changed
    first = {"leaders": {"node1": "C1", "other1": "C2"}}
    assert leaders_changed(first, {"leaders": {"node1": "C1", "other1": "C2"}}) is None
    msg = leaders_changed(first, {"leaders": {"node2": "C1", "other1": "C2"}})
    assert "C1" in msg and "node1" in msg and "node2" in msg and "Nothing was moved" in msg and "C2" not in msg


def test_a_run_planned_again_under_its_lock_keeps_its_id():
    first = prepare_run(hosts(), every_host_answers(), options=OPTIONS, started=STARTED, token="abc123")
    again = prepare_run(hosts(), every_host_answers(), options=OPTIONS, started=STARTED, token="zzz999",
                        run_id=first["run_id"])
    assert again["run_id"] == first["run_id"] and again["maps"][0]["dir"] == first["maps"][0]["dir"]


def _two_sites(facts):
    """NODE1 and NODE2 in one site, NODE3 and NODE4 in another, as every host answered."""
    for answer in facts.values():
        for node in answer["nodes"]:
            node["site"] = "Seattle" if node["name"] in ("NODE1", "NODE2") else "Portland"
    return facts


def test_cross_site_reaches_the_planner():
    # NODE1 coordinates Disk A and Disk B; across sites balanced would move one of them to NODE4 (it has nothing)
    kept = _one(_prepare(_two_sites(every_host_answers())))["plan"]
    assert kept["sites"]["cross_site"] is False
    assert all(m["to"] in ("NODE1", "NODE2") for m in kept["moves"] if m["from"] in ("NODE1", "NODE2"))
    crossing = _one(_prepare(_two_sites(every_host_answers()), options=dict(OPTIONS, cross_site=True)))["plan"]
    assert crossing["sites"]["cross_site"] is True
    assert crossing["window_s"] <= kept["window_s"]
