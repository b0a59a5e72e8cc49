# -*- coding: utf-8 -*-
"""wsfc.csv.backup_job run as a gMSA and as an administrator account, and a task registered the old way.

The lab's Task Scheduler applies logon types and run levels as Microsoft documents them (wsfc_lab.jobs): a
non-SYSTEM task without run level Highest runs with the filtered token, so wbadmin and robocopy /B fail; the
collection registers every task with run level Highest and the logon type of its account.
"""

from __future__ import annotations

import base64
import json

import pytest
import yaml

from conftest import module_result, running_lab  # pylint: disable=import-error

ADMIN_PASSWORD = "Acct-Admin-Pw-4q9Z"
TOPOLOGY = """\
cluster: ACCTLAB
time_scale: 50
nodes:
  - {name: A1, disk_gbps: 8, nics: [{name: E0, gbps: 10}]}
  - {name: A2, disk_gbps: 8, nics: [{name: E0, gbps: 10}]}
csvs:
  - {name: Data, path: 'C:\\ClusterStorage\\Volume1', size_gb: 100, used_gb: 20, owner: A1}
vss: {hardware_provider: false}
accounts:
  - {name: 'ACCTLAB\\svc-backup$', kind: gmsa, groups: [Backup Operators]}
  - {name: 'ACCTLAB\\backup-admin', password: %s, groups: [Administrators]}
targets:
  - {path: '\\\\backup\\share', gbps: 100}
""" % ADMIN_PASSWORD
GMSA = "ACCTLAB\\svc-backup$"
ADMIN = "ACCTLAB\\backup-admin"


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    topology = tmp_path_factory.mktemp("acct-topology") / "topology.yml"
    topology.write_text(TOPOLOGY)
    with running_lab(topology, tmp_path_factory.mktemp("acctlab")) as running:
        yield running


def _module(lab, args, check=False):
    extra = ["-a", json.dumps(args)] + (["--check"] if check else [])
    return lab.ansible(lab.group + "[0]", "wsfc.csv.backup_job", *extra)


def _ops(lab, mark, op):
    return [e for e in lab.events()[mark:] if e["op"] == op]


@pytest.mark.parametrize("user, password", [(GMSA, None), (ADMIN, ADMIN_PASSWORD)], ids=["gmsa", "administrator"])
def test_a_gmsa_and_an_administrator_both_complete_a_backup(lab, user, password):
    name = "acct-" + ("gmsa" if password is None else "admin")
    args = {"name": name, "csv": "Data", "target": "\\\\backup\\share", "run_as_user": user, "poll_interval": 0.2,
            "timeout": 600}
    if password:
        args["run_as_password"] = password
    mark = len(lab.events())
    run = _module(lab, args)
    assert run.returncode == 0, run.stdout + run.stderr
    result = module_result(run)
    assert result["state"] == "succeeded" and result["exit_code"] == 0
    (register,) = _ops(lab, mark, "task.register")
    assert register["args"]["user"] == user and register["args"]["run_level"] == "Highest"
    assert register["args"]["logon_type"] == "Password" and register["args"]["password_given"] is bool(password)
    assert register["args"]["settings"] == {"allow_start_if_on_batteries": True, "dont_stop_if_going_on_batteries": True,
                                            "execution_time_limit_s": 600.0, "priority": 6}
    (end,) = _ops(lab, mark, "job.end")
    assert end["ok"] and end["exit_code"] == 0
    assert ADMIN_PASSWORD not in run.stdout + run.stderr + json.dumps(lab.events())
    assert _module(lab, {"name": name, "state": "absent"}).returncode == 0


def test_an_account_that_needs_a_password_and_has_none_is_refused_before_any_change(lab):
    mark = len(lab.events())
    run = _module(lab, {"name": "acct-nopw", "csv": "Data", "target": "\\\\backup\\share", "run_as_user": ADMIN})
    assert run.returncode != 0
    result = module_result(run)
    assert "needs run_as_password" in result["msg"] and "A1" in result["msg"] and "Data" in result["msg"]
    assert _ops(lab, mark, "task.register") == [] and lab.state()["jobs"] == []


def _powershell(lab, script, node=0):
    """Run ``script`` on a lab node over WinRM with pywinrm (powershell.exe -EncodedCommand), as a user would."""
    import winrm  # pylint: disable=import-outside-toplevel
    inventory = yaml.safe_load(lab.inventory.read_text())
    group = inventory["all"]["children"][lab.group]
    host = dict(group.get("vars") or {}, **list(group["hosts"].values())[node])
    scheme = host.get("ansible_winrm_scheme") or host.get("ansible_psrp_protocol") or "http"
    session = winrm.Session("%s://%s:%s/wsman" % (scheme, host["ansible_host"], host["ansible_port"]),
                            auth=(host["ansible_user"], host["ansible_password"]),
                            transport=host.get("ansible_winrm_transport", "ntlm"),
                            server_cert_validation="ignore")
    encoded = base64.b64encode(script.encode("utf-16-le")).decode("ascii")
    result = session.run_cmd("powershell.exe", ["-NoProfile", "-NonInteractive", "-EncodedCommand", encoded])
    return result.status_code, result.std_out.decode("utf-8", "replace"), result.std_err.decode("utf-8", "replace")


def test_a_task_registered_the_old_way_has_a_filtered_token_and_wbadmin_fails(lab):
    # What backup_job_start.ps1 did before: -User -Password and no -RunLevel, so the administrator's task runs with
    # the filtered token (Security Contexts for Tasks) and wbadmin, which needs an elevated token, fails.
    log = "C:\\ProgramData\\wsfc.csv\\jobs\\acct-old.log"
    argument = ('/d /s /c ""wbadmin.exe" "start" "backup" "-backupTarget:\\\\backup\\share" '
                '"-include:C:\\ClusterStorage\\Volume1" "-quiet" > "%s" 2>&1"' % log)
    script = "\n".join([
        "$ErrorActionPreference = 'Stop'",
        "$null = New-Item -ItemType Directory -Path 'C:\\ProgramData\\wsfc.csv\\jobs' -Force",
        "$action = New-ScheduledTaskAction -Execute 'cmd.exe' -Argument '%s'" % argument.replace("'", "''"),
        "$null = Register-ScheduledTask -TaskName 'acct-old' -TaskPath '\\wsfc.csv\\' -Action $action "
        "-User '%s' -Password '%s'" % (ADMIN, ADMIN_PASSWORD),
        "Start-ScheduledTask -TaskName 'acct-old' -TaskPath '\\wsfc.csv\\'",
    ])
    mark = len(lab.events())
    code, out, err = _powershell(lab, script)
    assert code == 0, out + err
    (register,) = _ops(lab, mark, "task.register")
    assert register["args"]["run_level"] == "Limited" and register["args"]["logon_type"] == "Password"
    (end,) = _ops(lab, mark, "job.end")
    assert not end["ok"] and end["exit_code"] == 1 and "elevated" in end["error"]
    assert _ops(lab, mark, "backup.read") == []
    # The collection reads it as any job: failed, with the node, the CSV and the exit code.
    status = _module(lab, {"name": "acct-old", "csv": "Data", "state": "finished", "poll_interval": 0.2,
                           "run_as_user": GMSA})
    result = module_result(status)
    assert status.returncode != 0 and result["state"] == "failed" and result["exit_code"] == 1
    assert "A1" in result["msg"] and "Data" in result["msg"]
    assert _module(lab, {"name": "acct-old", "state": "absent"}).returncode == 0
