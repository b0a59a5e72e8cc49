# -*- coding: utf-8 -*-
"""The backup account's password is written nowhere: issue 5, "Secrets and transport".

``wsfc.csv.backup_job`` and the ``csv_backup`` role run with a distinctive ``run_as_password`` at ``-vvvvv``
(which prints every WinRM command line) with ``ANSIBLE_LOG_PATH`` set. Then everything that was written is
searched: the commands' stdout and stderr, the log file, the report files, every file under the lab's workdir
(its log, inventory, state file), the lab's event log (which records every cmdlet call with its parameters and
every scheduled task's visible action and arguments) and its state. The password must appear in none of them,
neither as text nor in base64 (UTF-8 or UTF-16LE, at any alignment), nor inside a base64 blob (such as a
``-EncodedCommand`` argument, decoded here layer by layer).

The password itself comes from a vars file (``-e @file``, as from Ansible Vault or an AWX credential), never
from the command line: ``ansible-playbook -vvvvv`` prints its command-line extra vars, and any process listing
on the controller shows them. That file is the only place it may be, and it is kept out of the search.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
import re
from pathlib import Path

import pytest

from conftest import module_result, running_lab  # pylint: disable=import-error

SECRET = "Wsfc-Run-As-Pw-Qx7v9Kz3"
TOPOLOGY = """\
cluster: SECLAB
time_scale: 2000
nodes:
  - {name: S1, disk_gbps: 8, nics: [{name: E0, gbps: 10}]}
  - {name: S2, disk_gbps: 8, nics: [{name: E0, gbps: 10}]}
csvs:
  - {name: Vol A, path: 'C:\\ClusterStorage\\Volume1', size_gb: 100, used_gb: 10, owner: S1}
  - {name: Vol B, path: 'C:\\ClusterStorage\\Volume2', size_gb: 100, used_gb: 10, owner: S1}
vss: {hardware_provider: false}
accounts:
  - {name: 'SECLAB\\svc-backup', password: %s, groups: [Backup Operators]}
targets:
  - {path: '\\\\backup01\\csv', gbps: 100}
  - {path: '\\\\backup\\share', gbps: 100}
""" % SECRET

_B64_RUN = re.compile(r"[A-Za-z0-9+/]{16,}={0,2}")
# What -vvvvv prints of each command on the connection the lab's inventory uses (WSFC_LAB_CONNECTION, conftest.py):
# winrm its command line; psrp its output (2.21's psrp prints no command line for an encoded command).
VERBOSE_MARKER = {"winrm": "WINRM EXEC", "psrp": "PSRP STDOUT:"}[os.environ.get("WSFC_LAB_CONNECTION", "winrm")]


def _base64_forms(secret):
    """The secret's base64 text as it appears inside any longer base64 string: 3 alignments, UTF-8 and UTF-16LE."""
    forms = set()
    for raw in (secret.encode("utf-8"), secret.encode("utf-16-le")):
        for pad in range(3):
            encoded = base64.b64encode(b"\0" * pad + raw).decode("ascii")
            # drop the characters that depend on the neighbours: the first ceil(pad*4/3) and the last 4
            start = (pad * 4 + 2) // 3
            forms.add(encoded[start:-4])
    return forms


def _layers(text, depth=3):
    """``text`` and whatever its base64 runs decode to (UTF-16LE or UTF-8), recursively."""
    yield text
    if depth == 0:
        return
    for match in _B64_RUN.finditer(text):
        blob = match.group(0)
        blob = blob[:len(blob) - len(blob) % 4]
        try:
            raw = base64.b64decode(blob, validate=True)
        except (binascii.Error, ValueError):
            continue
        for encoding in ("utf-16-le", "utf-8"):
            try:
                decoded = raw.decode(encoding)
            except UnicodeDecodeError:
                continue
            if decoded.isprintable() or "\n" in decoded:
                yield from _layers(decoded, depth - 1)


def leaks(secret, named_texts):
    """Where ``secret`` shows, as ``(name, form)`` pairs."""
    forms = {secret} | _base64_forms(secret)
    found = []
    for name, text in named_texts:
        for layer in _layers(text):
            for form in forms:
                if form in layer:
                    found.append((name, form if form == secret else "base64 of it"))
    return sorted(set(found))


def test_the_search_finds_what_the_old_transport_wrote():
    """The detector is not vacuous: the password inside base64 JSON inside a UTF-16LE -EncodedCommand is found."""
    payload = base64.b64encode(json.dumps({"password": SECRET, "name": "x"}).encode()).decode()
    script = "$WsfcArgs = [System.Convert]::FromBase64String('%s')" % payload
    command = "PowerShell -NoProfile -EncodedCommand " + base64.b64encode(script.encode("utf-16-le")).decode()
    assert leaks(SECRET, [("log", "WINRM EXEC %r" % command.split())])
    for prefix in ("", "a", "ab"):
        assert leaks(SECRET, [("b64", base64.b64encode((prefix + SECRET + "tail").encode("utf-16-le")).decode())])
    assert not leaks(SECRET, [("clean", "nothing here " + base64.b64encode(b"Wsfc-Run-As").decode())])


@pytest.fixture()
def secret_vars(tmp_path_factory):
    """``-e @<file>`` holding the password (outside every searched folder)."""
    path = tmp_path_factory.mktemp("vault") / "secret.yml"
    path.write_text("wsfc_test_password: %s\ncsv_backup_run_as_password: %s\n" % (SECRET, SECRET))
    return "@%s" % path


def _written(lab, *runs, extra_dirs=()):
    texts = []
    for index, run in enumerate(runs):
        texts += [("run %d stdout" % index, run.stdout), ("run %d stderr" % index, run.stderr)]
    for folder in (lab.workdir,) + tuple(extra_dirs):
        for path in sorted(Path(folder).rglob("*")):
            if path.is_file():
                texts.append((str(path), path.read_bytes().decode("utf-8", "replace")))
    texts.append(("lab events", json.dumps(lab.events())))
    texts.append(("lab state", json.dumps(lab.state())))
    return texts


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    # The topology declares the run-as account with its password (the lab checks it, as Register-ScheduledTask
    # does), so it is written outside the lab's working folder, which the tests search for the password.
    topology = tmp_path_factory.mktemp("seclab-topology") / "topology.yml"
    topology.write_text(TOPOLOGY)
    with running_lab(topology, tmp_path_factory.mktemp("seclab")) as running:
        yield running


def test_backup_job_password_is_written_nowhere(lab, tmp_path, secret_vars):
    log = tmp_path / "ansible.log"
    env = {"ANSIBLE_LOG_PATH": str(log)}
    args = {"name": "sec-job", "csv": "Vol A", "target": "\\\\backup\\share", "run_as_user": "SECLAB\\svc-backup",
            "run_as_password": "{{ wsfc_test_password }}", "poll_interval": 0.2, "timeout": 120}
    mark = len(lab.events())
    run = _adhoc(lab, "wsfc.csv.backup_job", args, env, "-e", secret_vars)
    assert run.returncode == 0, run.stdout[-4000:]
    result = module_result(run)
    assert result["state"] == "succeeded"
    assert VERBOSE_MARKER in run.stdout  # -vvvvv really printed what the connection sent and got
    registered = [e for e in lab.events()[mark:] if e["op"] == "task.register"]
    assert len(registered) == 1 and registered[0]["args"]["password_given"] is True
    # The scheduled task's visible action and arguments do not carry it (Register-ScheduledTask -Password keeps it).
    assert "wbadmin.exe" in registered[0]["args"]["argument"]
    removed = _adhoc(lab, "wsfc.csv.backup_job", {"name": "sec-job", "state": "absent"}, env)
    assert removed.returncode == 0, removed.stdout[-3000:]
    assert log.stat().st_size > 0
    assert leaks(SECRET, _written(lab, run, removed, extra_dirs=(tmp_path,))) == []


def test_csv_backup_role_password_is_written_nowhere(lab, tmp_path, secret_vars):
    log = tmp_path / "ansible.log"
    reports = tmp_path / "reports"
    mark = len(lab.events())
    run = lab.ansible_playbook(
        "wsfc.csv.csv_backup", "-vvvvv", "-e", "target=%s" % lab.group, "-e", '{"csv_backup_target": "\\\\\\\\backup01\\\\csv"}',
        "-e", "csv_backup_report_dir=%s" % reports, "-e", "csv_backup_job_poll_interval=0.5",
        "-e", "csv_backup_poll_interval=0.5", "-e", "csv_backup_run_as_user=SECLAB\\svc-backup",
        "-e", secret_vars, "-e", "csv_backup_network_findings=skip",
        env={"ANSIBLE_LOG_PATH": str(log)})
    assert run.returncode == 0, run.stdout[-5000:] + run.stderr[-2000:]
    registered = [e for e in lab.events()[mark:] if e["op"] == "task.register"]
    assert len(registered) == 2 and all(e["args"]["password_given"] for e in registered)
    assert list(reports.rglob("report.json")), "the role wrote no report"
    assert lab.state()["jobs"] == []
    assert leaks(SECRET, _written(lab, run, extra_dirs=(tmp_path,))) == []


def _adhoc(lab, module, args, env, *extra):
    import os
    import subprocess

    from conftest import _command  # pylint: disable=import-error
    return subprocess.run([_command("ansible"), lab.group + "[0]", "-i", str(lab.inventory), "-m", module,
                           "-a", json.dumps(args), "-vvvvv"] + list(extra), capture_output=True, text=True, check=False,
                          env=dict(os.environ, ANSIBLE_NOCOLOR="1", **env))
