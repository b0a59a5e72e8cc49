"""Topology loading: strict keys, cross references, shipped files."""

import pytest
import yaml

from wsfc_lab.topology import TopologyError, load_topology, parse_topology, shipped_topology

BASE = {
    "cluster": "C1", "time_scale": 10,
    "nodes": [{"name": "N1", "nics": [{"name": "A", "gbps": 10}]}, {"name": "N2", "nics": [{"name": "A", "gbps": 10}]}],
    "csvs": [{"name": "Disk 1", "path": "C:\\ClusterStorage\\Volume1", "size_gb": 100, "used_gb": 50, "owner": "N1"}],
}


def _with(**changes):
    data = yaml.safe_load(yaml.safe_dump(BASE))
    data.update(changes)
    return data


def test_minimal_topology_defaults():
    topo = parse_topology(_with())
    assert topo.nodes[0].state == "Up" and topo.nodes[0].smb_multichannel is True
    assert topo.csvs[0].state == "Online" and topo.hardware_provider is False


@pytest.mark.parametrize("data, path", [
    (_with(colour="blue"), "topology.colour"),
    (_with(nodes=[{"name": "N1", "nics": [{"name": "A", "gbps": 10}], "speed": 1}]), "nodes[0].speed"),
    (_with(csvs=[dict(BASE["csvs"][0], owner="N9")]), "csvs[0].owner"),
    (_with(csvs=[dict(BASE["csvs"][0], used_gb=200)]), "csvs[0].used_gb"),
    (_with(csvs=[dict(BASE["csvs"][0], path="D:\\data")]), "csvs[0].path"),
    (_with(nodes=[{"name": "N1", "state": "Sleeping", "nics": [{"name": "A", "gbps": 1}]}]), "nodes[0].state"),
    (_with(faults=[{"kind": "meteor"}]), "faults[0].kind"),
    (_with(faults=[{"kind": "node_down"}]), "faults[0].node"),
    (_with(time_scale=0), "time_scale"),
])
def test_errors_name_the_key_path(data, path):
    with pytest.raises(TopologyError, match=path.replace("[", r"\[").replace("]", r"\]")):
        parse_topology(data)


def test_duplicate_csv_names_are_refused():
    csvs = [BASE["csvs"][0], dict(BASE["csvs"][0], path="C:\\ClusterStorage\\Volume2")]
    with pytest.raises(TopologyError, match="duplicate"):
        parse_topology(_with(csvs=csvs))


@pytest.mark.parametrize("name", ["two-node", "four-node-10gbe", "sixteen-node-mixed", "s2d-four-node-refs",
                                  "stretched-two-sites"])
def test_shipped_topologies_load(name):
    topo = load_topology(shipped_topology(name))
    assert topo.nodes and topo.csvs
