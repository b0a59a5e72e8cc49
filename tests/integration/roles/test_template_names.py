# -*- coding: utf-8 -*-
"""Names that come from the nodes are data, never templates: the whole csv_backup role over a lab whose CSV, VM
and cluster names are Jinja that would touch a marker file on the controller if anything templated them.

This is the data flow of CVE-2024-11079 (node data templated after a copy through ``hostvars`` or an
intermediary fact on ansible-core 2.16.0-2.16.13, 2.17.0-2.17.6 and 2.18.0): the role reads the cluster on every
node, plans, backs up, reviews and reports, publishes a summary with ``set_stats`` and, on request, restores
ownership from the saved map, and none of it may run a name. The version matrix runs this file on every
ansible-core the collection supports.
"""

from __future__ import annotations

import json

import pytest

import backup_run as run  # pylint: disable=import-error
from conftest import running_lab  # pylint: disable=import-error


def _jinja(marker):
    return "{{ lookup('pipe', 'touch %s') }}" % marker


def _topology(markers):
    return """\
cluster: %s
time_scale: 2000
nodes:
  - {name: TPL1, disk_gbps: 8, nics: [{name: E0, gbps: 10}]}
  - {name: TPL2, disk_gbps: 8, nics: [{name: E0, gbps: 10}]}
csvs:
  - {name: %s, path: 'C:\\ClusterStorage\\Volume1', size_gb: 100, used_gb: 10, owner: TPL1, vms: [%s]}
  - {name: "{%% raw %%}{{ 7 * 7 }}{%% endraw %%}", path: 'C:\\ClusterStorage\\Volume2', size_gb: 100, used_gb: 10,
     owner: TPL1}
  - {name: Plain Disk, path: 'C:\\ClusterStorage\\Volume3', size_gb: 100, used_gb: 10, owner: TPL2}
vss: {hardware_provider: false}
targets:
  - {path: '\\\\backup01\\csv', gbps: 100}
""" % (json.dumps("TPL" + _jinja(markers["cluster"])), json.dumps(_jinja(markers["csv"])),
       json.dumps(_jinja(markers["vm"])))


@pytest.fixture
def markers(tmp_path):
    return dict((what, tmp_path / ("pwned-by-%s" % what)) for what in ("cluster", "csv", "vm"))


def test_template_names_go_through_the_whole_role_as_data(tmp_path, markers):
    with running_lab(_topology(markers), tmp_path / "lab") as lab:
        names = sorted(lab.state()["csvs"])
        before = run.owners(lab)
        result = run.backup(lab, tmp_path / "reports", "-e", "csv_backup_strategy=consolidate",
                            "-e", "csv_backup_node=TPL2")
        assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
        assert [m.name for m in markers.values() if m.exists()] == []
        report, folder = run.report(tmp_path / "reports")
        assert sorted(j["csv"] for j in report["jobs"]) == names  # verbatim, every one backed up
        assert folder.parent == tmp_path / "reports"  # the cluster's name did not move the report elsewhere
        assert run.owners(lab) == before
        # the summary other jobs may template (set_stats) has no opener left, and says the names still
        [stats] = [line[len("\tRUN: "):] for line in result.stdout.splitlines() if line.startswith("\tRUN: ")]
        published = json.dumps(json.loads(stats)["wsfc_csv_backup"])
        assert "{{" not in published and "{%" not in published and "{ { lookup('pipe', 'touch" in published
        restore = lab.ansible_playbook("wsfc.csv.restore_ownership", "-e", "target=%s" % lab.group,
                                       "-e", "csv_backup_ownership_map=%s" % (folder / "ownership.json"),
                                       "-e", "csv_backup_restore_all=true")
        assert restore.returncode == 0, restore.stdout[-3000:]
        check = lab.ansible_playbook("wsfc.csv.show_csvs", "-e", "target=%s" % lab.group)
        assert check.returncode == 0, check.stdout[-3000:]
        assert [m.name for m in markers.values() if m.exists()] == []
