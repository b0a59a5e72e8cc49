# -*- coding: utf-8 -*-
# Copyright: (c) 2026, wsfc.csv maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Decide what wsfc.csv.smb_multichannel and wsfc.csv.nic_team change, with no I/O.

The actions read the node, call these functions to decide, and only then change anything. A refusal is an
exception whose message names the node, what was refused and what to do next.
"""

from __future__ import annotations

from ansible_collections.wsfc.csv.plugins.plugin_utils.network.facts import management_interface, parse_teams

MODES = ("Static", "SwitchIndependent", "Lacp")
ALGORITHMS = ("TransportPorts", "IPAddresses", "MacAddresses", "HyperVPort", "Dynamic")


class NetworkChangeError(Exception):
    """The request cannot be carried out as asked (unknown adapter, adapter in another team ...)."""


class ManagementRefused(NetworkChangeError):
    """The change would touch the adapter that carries the connection the task runs over."""


# ---- SMB Multichannel ---------------------------------------------------------------------------------

def multichannel_fixes(network, allowed=("client", "server")):
    """The SMB sides (``client``, ``server``) to enable: those a ``multichannel_disabled`` finding of ``network``
    (a network_info result) names, that ``allowed`` lets the network_tuning role change."""
    sides = [str(f.get("subject") or "")[len("smb_"):] for f in (network or {}).get("findings") or []
             if f.get("id") == "multichannel_disabled"]
    return [side for side in ("client", "server") if side in sides and side in (allowed or ())]


def multichannel_wanted(before, client=None, server=None):
    """The client/server flags after the change: the wanted value where one is given, else as before."""
    return {"client": before["client"] if client is None else bool(client),
            "server": before["server"] if server is None else bool(server)}


def multichannel_result(raw, client=None, server=None, check_mode=False):
    """Result keys of wsfc.csv.smb_multichannel from what ``scripts/smb_multichannel.ps1`` printed.

    Raises NetworkChangeError when, outside check mode, the node does not report the wanted values afterwards.
    """
    node = raw.get("node")
    before = {"client": bool(raw["before"]["client"]), "server": bool(raw["before"]["server"])}
    reported = {"client": bool(raw["after"]["client"]), "server": bool(raw["after"]["server"])}
    wanted = multichannel_wanted(before, client, server)
    if not check_mode and reported != wanted:
        raise NetworkChangeError(
            "SMB Multichannel on %s is client=%s, server=%s after the change, not client=%s, server=%s as asked; "
            "check for a Group Policy that sets it, then run the task again"
            % (node, reported["client"], reported["server"], wanted["client"], wanted["server"]))
    changed = wanted != before
    sides = [s for s in ("client", "server") if wanted[s] != before[s]]
    verb = "would be" if check_mode else "was"
    if changed:
        msg = "; ".join("SMB Multichannel on the %s of %s %s %s" % (s, node, verb, "enabled" if wanted[s] else "disabled")
                        for s in sides)
    else:
        msg = "SMB Multichannel on %s is already as asked (client=%s, server=%s)" % (node, before["client"], before["server"])
    return {"changed": changed, "node": node, "smb_multichannel": wanted if check_mode else reported,
            "diff": {"before": before, "after": wanted}, "msg": msg}


# ---- NIC teams ----------------------------------------------------------------------------------------

def _canonical(names, known, node):
    out = []
    lookup = dict((k.lower(), k) for k in known)
    for name in names:
        hit = lookup.get(str(name).lower())
        if hit is None:
            raise NetworkChangeError("%s has no physical network adapter named %r (adapters: %s)"
                                     % (node, name, ", ".join(sorted(known)) or "none"))
        if hit not in out:
            out.append(hit)
    return out


def team_state(raw, name):
    """The team ``name`` as ``scripts/network_info.ps1`` or ``nic_team_set.ps1`` reported it, or an absent state."""
    for team in parse_teams(raw.get("teams"), raw.get("team_members")):
        if str(team["name"]).lower() == str(name).lower():
            return {"name": team["name"], "present": True, "members": sorted(team["members"]),
                    "teaming_mode": team["teaming_mode"], "load_balancing_algorithm": team["load_balancing_algorithm"],
                    "status": team["status"]}
    return {"name": name, "present": False, "members": [], "teaming_mode": None, "load_balancing_algorithm": None,
            "status": None}


def plan_team(raw, name, state="present", members=None, teaming_mode="SwitchIndependent",
              load_balancing_algorithm="Dynamic", management_addresses=None, force=False):
    """The steps that bring team ``name`` to what is asked, and the before/after for the diff.

    Returns ``{"node", "steps", "before", "after", "touched", "management_interface", "changed"}``. Raises
    NetworkChangeError for a request that cannot be carried out and ManagementRefused when a step would touch
    the interface that carries the task's own connection (or when that interface cannot be told) and ``force``
    is false.
    """
    node = raw.get("node")
    adapters = [a.get("name") for a in raw.get("adapters") or []]
    team_of = dict((m.get("name"), m.get("team")) for m in raw.get("team_members") or [])
    # SET members (Get-VMSwitchTeam names them by interface description): bound to a Hyper-V switch, so not free
    # for an LBFO team ("member adapters ... that are bound to the Hyper-V Virtual Switch", RDMA and SET page).
    described = dict((str(a.get("description") or "").lower(), a.get("name")) for a in raw.get("adapters") or [])
    set_of = dict((described.get(str(d).lower()), t.get("name")) for t in raw.get("set_teams") or []
                  for d in t.get("members") or [] if described.get(str(d).lower()))
    before = team_state(raw, name)
    team = before["name"]
    steps, touched = [], []
    if state == "absent":
        after = {"name": team, "present": False, "members": [], "teaming_mode": None, "load_balancing_algorithm": None}
        if before["present"]:
            steps.append({"action": "remove", "members": before["members"], "teaming_mode": before["teaming_mode"],
                          "load_balancing_algorithm": before["load_balancing_algorithm"]})
            touched = [team] + before["members"]
    else:
        if not members:
            raise NetworkChangeError("members is required with state=present: name the adapters of team %s on %s"
                                     % (name, node))
        if teaming_mode not in MODES or load_balancing_algorithm not in ALGORITHMS:
            raise NetworkChangeError("teaming_mode must be one of %s and load_balancing_algorithm one of %s"
                                     % (", ".join(MODES), ", ".join(ALGORITHMS)))
        wanted = _canonical(members, adapters, node)
        for member in wanted:
            if member in set_of:
                raise NetworkChangeError("%s: adapter %s is a member of the SET team of Hyper-V switch %s; an adapter "
                                         "is in an LBFO team or a SET switch, not both" % (node, member, set_of[member]))
            other = team_of.get(member)
            if other and str(other).lower() != str(team).lower():
                raise NetworkChangeError("%s: adapter %s is a member of team %s; remove it from that team first"
                                         % (node, member, other))
        after = {"name": team, "present": True, "members": sorted(wanted), "teaming_mode": teaming_mode,
                 "load_balancing_algorithm": load_balancing_algorithm}
        if not before["present"]:
            steps.append({"action": "create", "members": wanted, "teaming_mode": teaming_mode,
                          "load_balancing_algorithm": load_balancing_algorithm})
            touched = list(wanted)
        else:
            adding = [m for m in wanted if m not in before["members"]]
            removing = [m for m in before["members"] if m not in wanted]
            steps.extend({"action": "add_member", "member": m} for m in adding)
            steps.extend({"action": "remove_member", "member": m} for m in removing)
            if (before["teaming_mode"], before["load_balancing_algorithm"]) != (teaming_mode, load_balancing_algorithm):
                steps.append({"action": "set", "teaming_mode": teaming_mode,
                              "load_balancing_algorithm": load_balancing_algorithm,
                              "previous_teaming_mode": before["teaming_mode"],
                              "previous_load_balancing_algorithm": before["load_balancing_algorithm"]})
            if steps:
                touched = [team] + sorted(set(before["members"]) | set(wanted))
    mgmt = management_interface(raw.get("addresses"), management_addresses)
    plan = {"node": node, "steps": steps, "before": dict((k, before[k]) for k in after), "after": after,
            "touched": touched, "management_interface": mgmt, "changed": bool(steps)}
    if steps and not force:
        if mgmt is None:
            raise ManagementRefused(
                "%s: refusing to change team %s because no interface of the node holds the address this task "
                "connects to (%s), so the adapter carrying the connection cannot be told; set "
                "management_address to the node's address as the node sees it, or force=true if you can reach the "
                "node another way" % (node, team, ", ".join(management_addresses or []) or "unknown"))
        if mgmt in touched or team_of.get(mgmt) in touched:
            raise ManagementRefused(
                "%s: refusing to change team %s: %s carries the connection this task runs over (%s), and changing "
                "it can cut the node off; run the task over another network (another ansible_host), or set "
                "force=true if you have console access" % (node, team, mgmt, ", ".join(management_addresses or [])))
    return plan
