"""wsfc_lab: a simulated Windows Server Failover Cluster that answers real WinRM.

The lab is a test instrument for the wsfc.csv collection. One process serves a
whole cluster: one WinRM endpoint per node on 127.0.0.1, all sharing one
cluster model. Every script it receives is parsed with a PowerShell grammar,
checked against Microsoft's documented cmdlet syntax (the shared cmdlets.json)
and run by an interpreter whose cmdlets act on the model. Its event log records
what happened in the model (which node read which CSV, locally or over SMB),
never what a client claims.
"""

__version__ = "0.1.0"
