"""Backup reads as fluid flows sharing disks and networks fairly.

This is the lab's physics, written independently of the collection's planner
so that the planner's predictions are checked against something it did not
compute. A read is a flow of bytes through a set of resources (a node's disk,
its network out, another node's network in, and a private cap for the SMB path
between two nodes), and on to where it is written: the writer's network out and
a share's ingress, or a node-local folder's write rate (``target:`` resources,
``Cluster.write_resources``). Rates are the max-min fair share (progressive filling):
every flow gets an equal share of its tightest resource, and capacity a
bottlenecked flow cannot use goes to the others. Rates change only when a
read starts or ends, so progress between such moments is exact.
"""

from __future__ import annotations

from dataclasses import dataclass, field

GBPS = 1e9 / 8  # bytes per second in one gigabit per second


@dataclass
class Flow:
    """One read in progress."""

    key: str
    total: float                      # bytes to read
    resources: tuple[str, ...]        # resource names it uses
    start: float                      # modelled seconds
    done: float = 0.0                 # bytes read so far
    rate: float = 0.0                 # bytes per second now
    info: dict = field(default_factory=dict)

    @property
    def remaining(self) -> float:
        return max(self.total - self.done, 0.0)


def max_min_rates(flows: list[Flow], capacity: dict[str, float]) -> dict[str, float]:
    """Progressive filling: the max-min fair rate of every flow (bytes/s)."""
    rates: dict[str, float] = {}
    left = dict(capacity)
    active = [f for f in flows if f.remaining > 0]
    while active:
        users: dict[str, int] = {}
        for flow in active:
            for res in flow.resources:
                users[res] = users.get(res, 0) + 1
        share, bottleneck = min((left[res] / count, res) for res, count in users.items())
        share = max(share, 0.0)
        frozen = [f for f in active if bottleneck in f.resources]
        for flow in frozen:
            rates[flow.key] = share
            for res in flow.resources:
                left[res] -= share
        active = [f for f in active if bottleneck not in f.resources]
    return rates


class TransferSimulation:
    """Flows that progress as modelled time advances; finished flows are returned with their exact end time."""

    def __init__(self, capacity: dict[str, float]):
        self.capacity = dict(capacity)
        self.flows: dict[str, Flow] = {}
        self.now = 0.0

    def _rerate(self) -> None:
        rates = max_min_rates(list(self.flows.values()), self.capacity)
        for flow in self.flows.values():
            flow.rate = rates.get(flow.key, 0.0)

    def set_capacity(self, name: str, value: float, at: float) -> None:
        self.advance(at)
        self.capacity[name] = value
        self._rerate()

    def add(self, flow: Flow, at: float) -> list[Flow]:
        finished = self.advance(at)
        for res in flow.resources:
            self.capacity.setdefault(res, 0.0)
        self.flows[flow.key] = flow
        self._rerate()
        return finished

    def remove(self, key: str, at: float) -> tuple[Flow | None, list[Flow]]:
        """Stop a flow early (its node failed); returns it with the bytes read so far."""
        finished = self.advance(at)
        flow = self.flows.pop(key, None)
        self._rerate()
        return flow, finished

    def advance(self, to: float) -> list[Flow]:
        """Progress every flow up to modelled time ``to``; return the flows that finished, in order."""
        finished: list[Flow] = []
        while self.now < to:
            running = [f for f in self.flows.values() if f.rate > 0]
            if not running:
                self.now = to
                break
            step, first = min((f.remaining / f.rate, f.key) for f in running)
            if self.now + step > to:
                for flow in self.flows.values():
                    flow.done += flow.rate * (to - self.now)
                self.now = to
                break
            self.now += step
            for flow in self.flows.values():
                flow.done += flow.rate * step
            for flow in [f for f in self.flows.values() if f.remaining <= 1e-6 * max(f.total, 1.0)]:
                flow.done = flow.total
                flow.info["end"] = self.now
                finished.append(self.flows.pop(flow.key))
            self._rerate()
        return finished

    def next_completion(self) -> float | None:
        running = [f for f in self.flows.values() if f.rate > 0]
        if not running:
            return None
        return self.now + min(f.remaining / f.rate for f in running)
