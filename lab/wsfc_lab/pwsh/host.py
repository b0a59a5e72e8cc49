"""What the engine needs from the world a script runs in: one node of the lab.

The engine itself holds no cluster state. A :class:`Host` tells it the node's
name and environment, the model-backed cmdlets and the reference to check
against, the modelled clock (scripts must see lab time, not wall time) and
where to log what the script did to the model.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Callable

from wsfc_lab.pwsh.cmdlet import CmdletTable


def _wall_clock() -> datetime:
    return datetime.now(timezone.utc)


@dataclass
class Host:
    node: str
    cmdlets: CmdletTable = field(default_factory=CmdletTable)
    reference: Any = None                       # wsfc_lab.reference.Reference
    env: dict[str, str] = field(default_factory=dict)
    now: Callable[[], datetime] = _wall_clock   # modelled time (Get-Date, [DateTime]::Now)
    context: Any = None                         # passed to cmdlets as ctx.host
    on_event: Callable[[dict], None] | None = None
    sleep: Callable[[float], None] | None = None  # Start-Sleep; default: time.sleep
    log_cmdlet_calls: bool = True               # on_event for every non-core cmdlet call
    checkpoint: Callable[[], None] | None = None  # called before each statement; raises to stop the script

    def environment(self) -> dict[str, str]:
        env = {"COMPUTERNAME": self.node}
        env.update(self.env)
        return env

    def do_sleep(self, seconds: float) -> None:
        (self.sleep or time.sleep)(seconds)

    def emit(self, event: dict) -> None:
        if self.on_event is not None:
            self.on_event(event)
