"""Command line of the lab: ``python -m wsfc_lab <command>``.

  up --topology FILE --workdir DIR [--connection winrm|psrp] [--transport ntlm|basic-https|kerberos --kdc KDCDIR]
                                       start the lab in the background; writes DIR/inventory.yml and DIR/lab.json
  down --workdir DIR                   stop it (and every thread and socket it holds)
  state --workdir DIR                  the cluster state as one JSON object
  events --workdir DIR                 one JSON line per operation, in order
  fault --workdir DIR KIND key=value.. inject a fault into the running lab (same keys as the topology's faults)
  group --workdir DIR                  the inventory group of the running lab's cluster
  wait-tasks --workdir DIR [--timeout S]
                                       wait until no clustered scheduled task run is in flight (exit 1 on timeout)
  serve --topology FILE --workdir DIR  run the lab in the foreground (what ``up`` starts)
  reference-check [--shared FILE] [--lab-reference DIR]
                                       print where lab/reference disagrees with the shared cmdlets.json
  import FACTS.json [--output FILE]    a topology from saved cluster_info (+ network_info) output of a real cluster
  kdc up|down --workdir KDCDIR [--realm R]
                                       a Kerberos realm (MIT krb5kdc on 127.0.0.1) for the kerberos transport
  kinit --workdir DIR [--ccache FILE] [--lifetime L]
                                       a ticket for the lab's user (kerberos transport); prints KRB5CCNAME/KRB5_CONFIG
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from wsfc_lab import daemon
from wsfc_lab.control import LabError, call
from wsfc_lab.inventory import CONNECTIONS
from wsfc_lab.kerberos import KerberosError, KerberosUnavailable
from wsfc_lab.shared_reference import SharedReferenceNotFound

TRANSPORTS = ("ntlm", "basic-https", "kerberos")


def _control(workdir: str, command: str, body: dict | None = None, timeout: float = 30):
    state = daemon.read_state(Path(workdir))
    return call(state["control_port"], state["token"], command, body, timeout=timeout)


def _fault_body(kind: str, pairs: list[str]) -> dict:
    fault: dict = {"kind": kind}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep:
            raise LabError(f"fault arguments are key=value, got {pair!r}")
        try:
            fault[key] = json.loads(value)
        except ValueError:
            fault[key] = value
    return fault


def _reference_check(args: argparse.Namespace) -> int:
    """Print one line per disagreement; exit 1 when there is any, 2 when the references cannot be read."""
    from wsfc_lab.cmdlets import build_cmdlet_table
    from wsfc_lab.reference import Reference
    try:
        ref = Reference.load([Path(args.lab_reference)] if args.lab_reference else None,
                             Path(args.shared) if args.shared else None)
    except (OSError, ValueError) as exc:  # SharedReferenceNotFound is an OSError; bad JSON a ValueError
        print(exc, file=sys.stderr)
        return 2
    problems = ref.disagreements(build_cmdlet_table().impls)
    for problem in problems:
        print(problem)
    return 1 if problems else 0


def _kdc(args: argparse.Namespace) -> int:
    from wsfc_lab import kerberos
    workdir = Path(args.workdir)
    if args.action == "down":
        stopped = (workdir / "kdc.json").exists() and kerberos.KDC.load(workdir).stop()
        print("KDC stopped" if stopped else "no KDC was running")
        return 0
    kdc = kerberos.KDC.create(workdir, args.realm or kerberos.DEFAULT_REALM)
    pid = kdc.start()
    print(f"KDC of {kdc.realm} up (pid {pid}) on 127.0.0.1:{kdc.port}; KRB5_CONFIG={kdc.krb5_conf}")
    return 0


def _kinit(args: argparse.Namespace) -> int:
    from wsfc_lab import kerberos
    workdir = Path(args.workdir).resolve()
    try:
        info = json.loads((workdir / "kerberos.json").read_text())
    except OSError:
        raise LabError(f"no Kerberos lab in {workdir} (start it with --transport kerberos)") from None
    ccache = Path(args.ccache).resolve() if args.ccache else workdir / "krb5cc"
    kerberos.KDC.load(Path(info["kdc"])).kinit(info["principal"], info["password"], ccache, args.lifetime)
    print(f"export KRB5_CONFIG={info['krb5_config']} KRB5CCNAME=FILE:{ccache}")
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m wsfc_lab", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    for name in ("up", "serve"):
        p = sub.add_parser(name)
        p.add_argument("--topology", required=True)
        p.add_argument("--workdir", required=True)
        p.add_argument("--transport", choices=TRANSPORTS, default="ntlm")
        p.add_argument("--connection", choices=CONNECTIONS, default="winrm",
                       help="the Ansible connection the inventory uses (every node serves both)")
        p.add_argument("--kdc", help="the KDC directory of `kdc up` (the kerberos transport's realm)")
        p.add_argument("--time-scale", type=float, default=None, help="override the topology's time_scale")
    for name in ("down", "state", "events", "group"):
        sub.add_parser(name).add_argument("--workdir", required=True)
    p = sub.add_parser("wait-tasks")
    p.add_argument("--workdir", required=True)
    p.add_argument("--timeout", type=float, default=60.0, help="real seconds (default 60)")
    p = sub.add_parser("fault")
    p.add_argument("--workdir", required=True)
    p.add_argument("kind")
    p.add_argument("args", nargs="*", help="key=value (values parsed as JSON when they can be)")
    p = sub.add_parser("kdc", help="a Kerberos realm on loopback (MIT krb5kdc) for the kerberos transport")
    p.add_argument("action", choices=("up", "down"))
    p.add_argument("--workdir", required=True)
    p.add_argument("--realm", default=None, help="the realm (default LAB.TEST)")
    p = sub.add_parser("kinit", help="a ticket for the lab's user (kerberos transport)")
    p.add_argument("--workdir", required=True)
    p.add_argument("--ccache", default=None, help="the credential cache (default DIR/krb5cc)")
    p.add_argument("--lifetime", default=None, help="ticket lifetime, as kinit -l takes it (e.g. 10h, 30s)")
    p = sub.add_parser("reference-check", help="where lab/reference disagrees with the shared cmdlets.json")
    p.add_argument("--shared", help="the shared cmdlets.json (default: located, see wsfc_lab.shared_reference)")
    p.add_argument("--lab-reference", help="the lab's reference directory (default: lab/reference)")
    p = sub.add_parser("import", help="a topology from saved wsfc.csv.cluster_info (and network_info) output")
    p.add_argument("facts", help="JSON: a cluster_info result, or {cluster_info, network_info: {node: result}}")
    p.add_argument("--output", help="write the topology here (default: standard output)")
    p.add_argument("--disk-gbps", type=float, default=None, help="every node's local read rate (default 8)")
    p.add_argument("--time-scale", type=float, default=None, help="modelled seconds per real second (default 60)")
    p.add_argument("--hardware-provider", action="store_true", help="model a hardware VSS provider on every node")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        if args.command == "up":
            if args.transport == "kerberos" and not args.kdc:
                raise LabError("--transport kerberos needs --kdc KDCDIR (start one with `kdc up --workdir KDCDIR`)")
            extra = ["--transport", args.transport, "--connection", args.connection]
            if args.kdc:
                extra += ["--kdc", str(Path(args.kdc).resolve())]
            if args.time_scale:
                extra += ["--time-scale", str(args.time_scale)]
            state = daemon.start(Path(args.topology), Path(args.workdir), extra)
            nodes = ", ".join(f"{n}:{p}" for n, p in state["nodes"].items())
            print(f"lab {state['cluster']} up (pid {state['pid']}), nodes {nodes}; "
                  f"inventory {Path(args.workdir).resolve() / 'inventory.yml'}")
        elif args.command == "serve":
            from wsfc_lab.server import serve
            serve(Path(args.topology), Path(args.workdir), transport=args.transport, time_scale=args.time_scale,
                  connection=args.connection, kdc_dir=Path(args.kdc) if args.kdc else None)
        elif args.command == "down":
            print("lab stopped" if daemon.stop(Path(args.workdir)) else "no lab was running")
        elif args.command == "state":
            print(json.dumps(_control(args.workdir, "state"), indent=2, sort_keys=True))
        elif args.command == "events":
            for event in _control(args.workdir, "events"):
                print(json.dumps(event, sort_keys=True))
        elif args.command == "wait-tasks":
            idle = _control(args.workdir, "wait_tasks", {"timeout": args.timeout}, timeout=args.timeout + 30)
            print("idle" if idle else "clustered task runs still in flight")
            return 0 if idle else 1
        elif args.command == "group":
            print(daemon.read_state(Path(args.workdir))["group"])
        elif args.command == "fault":
            print(json.dumps(_control(args.workdir, "fault", _fault_body(args.kind, args.args))))
        elif args.command == "import":
            from wsfc_lab import importer
            try:
                topology, warnings = importer.build_topology(
                    importer.load_facts(args.facts),
                    disk_gbps=args.disk_gbps or importer.DEFAULT_DISK_GBPS,
                    time_scale=args.time_scale or importer.DEFAULT_TIME_SCALE,
                    hardware_provider=args.hardware_provider)
            except (ValueError, OSError) as exc:  # TopologyError is a ValueError; so is invalid JSON
                print(f"wsfc_lab import: {exc}", file=sys.stderr)
                return 2
            for warning in warnings:
                print(f"wsfc_lab import: warning: {warning}", file=sys.stderr)
            text = importer.dump_topology(topology, args.facts)
            if args.output:
                Path(args.output).write_text(text)
                print(f"topology of {topology['cluster']} ({len(topology['nodes'])} nodes, "
                      f"{len(topology['csvs'])} CSVs) written to {args.output}")
            else:
                print(text, end="")
        elif args.command == "reference-check":
            return _reference_check(args)
        elif args.command == "kdc":
            return _kdc(args)
        elif args.command == "kinit":
            return _kinit(args)
    except LabError as exc:
        print(f"wsfc_lab: {exc}", file=sys.stderr)
        return 2
    except (KerberosUnavailable, KerberosError) as exc:  # the messages start with "wsfc_lab:"
        print(exc, file=sys.stderr)
        return 2
    except SharedReferenceNotFound as exc:  # the message starts with "wsfc_lab:" and says where it looked
        print(exc, file=sys.stderr)
        return 2
    return 0
