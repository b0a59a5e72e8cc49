"""Run a script on one node of a lab model, as the lab's endpoints do (one Host per call), for the lab's tests."""

from wsfc_lab.cmdlets import build_cmdlet_table
from wsfc_lab.pwsh.host import Host
from wsfc_lab.pwsh.powershell_exe import run_script
from wsfc_lab.reference import Reference

REFERENCE = Reference.load_default()


def run_on(model, source, node, stop=True):
    """``source`` run on ``node`` of ``model``; with ``stop``, under ``$ErrorActionPreference = 'Stop'`` as the
    collection's scripts run. Events the script causes are logged in the model with the node's name."""
    host = Host(node=node, cmdlets=build_cmdlet_table(), reference=REFERENCE, env={"COMPUTERNAME": node},
                now=model.now, context=model, on_event=lambda e: model.log({"node": node, **e}))
    return run_script(("$ErrorActionPreference = 'Stop'\n" if stop else "") + source, host)
