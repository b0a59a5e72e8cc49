"""CimCmdlets over the lab's model: VSS shadow copies and providers.

Parameters follow the documented signatures (the shared cmdlets.json); classes, properties, methods and
return codes follow ``lab/reference/wmi.json`` (each citing Microsoft's page). Modelled:

- ``Get-CimInstance -ClassName Win32_ShadowCopy | Win32_ShadowProvider [-Namespace root/cimv2]``: the shadow
  copies visible on the node (surfaced there, or requested from there) and the registered providers.
- ``Invoke-CimMethod -ClassName Win32_ShadowCopy -MethodName Create -Arguments @{Volume=...; Context=...}``:
  ``Cluster.create_snapshot``; the result carries ``ReturnValue`` and the out parameter ``ShadowID``, as the
  method's OutParameters object does. A non-zero code leaves nothing behind. The method's page documents one
  context, its default ``ClientAccessible``, and VSS_SNAPSHOT_CONTEXT says such a shadow copy "is created without
  writer involvement" and "Only the system provider ... can create this type of shadow copy"
  (https://learn.microsoft.com/en-us/windows/win32/api/vss/ne-vss-vss_snapshot_context): so the lab makes it
  with the system provider even when a hardware provider is registered, crash-consistent (``NoWriters`` true).
- ``Remove-CimInstance -InputObject <Win32_ShadowCopy>``: ``Cluster.delete_snapshot``.
- ``Get-CimInstance -ClassName Win32_OperatingSystem``: the node's Windows Server release (``Caption``, ``Version``,
  ``BuildNumber``) from the topology's ``os`` (``Cluster.os_info``).
- ``Get-CimInstance -ClassName Win32_Process``: the processes of the lab's scheduled tasks (each job's cmd.exe
  and its tool, ``wsfc_lab.jobs``); no other process of a node is modelled.

Everything else documented (other classes, ``-Filter``, ``-Query``, ``-CimSession``, ``-ComputerName``, other
contexts than ClientAccessible) is refused as not modelled. Every object is built by :class:`DocumentedCim`,
which refuses a property or an out parameter ``wmi.json`` does not document.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, Iterable

from wsfc_lab.cmdlets.documented import Documented, UndocumentedProperty
from wsfc_lab.model import EPOCH, Cluster, ModelError
from wsfc_lab.pwsh.cmdlet import CmdletTable, NotModelled, PSError
from wsfc_lab.pwsh.objects import PSCUSTOMOBJECT, CimInstance, PSHashtable, PSObject

TABLE = CmdletTable()
NAMESPACE = "root/cimv2"
CIM_EXCEPTION = "Microsoft.Management.Infrastructure.CimException"
CIM_NS = "Microsoft.Management.Infrastructure.CimCmdlets."
MODELLED_CONTEXTS = ("ClientAccessible",)


class DocumentedCim(Documented):
    """CIM instances and method results carrying only what ``wmi.json`` documents."""

    def cim_class(self, class_name: str) -> dict:
        spec = self.reference.wmi_class(class_name)
        if spec is None:
            raise UndocumentedProperty(f"CIM class {class_name} is not in lab/reference/wmi.json")
        return spec

    def make_cim(self, class_name: str, values: dict[str, Any]) -> CimInstance:
        spec = self.cim_class(class_name)
        documented = spec.get("properties", {})
        lower = {name.lower(): name for name in documented}
        for key in values:
            if key.lower() not in lower:
                raise UndocumentedProperty(f"{class_name}.{key} is not documented in lab/reference/wmi.json")
        given = {k.lower(): v for k, v in values.items()}
        return CimInstance(spec["name"], {name: given.get(name.lower()) for name in documented},
                           namespace=spec["namespace"])

    def method_result(self, class_name: str, method: str, return_value: int, out: dict[str, Any]) -> PSObject:
        spec = self.cim_class(class_name)["methods"][method]
        documented = {k.lower(): k for k in spec.get("out", {})}
        for key in out:
            if key.lower() not in documented:
                raise UndocumentedProperty(f"{class_name}.{method} has no documented out parameter {key}")
        if str(return_value) not in spec.get("return_values", {str(return_value): ""}):
            raise UndocumentedProperty(f"{class_name}.{method} does not document return code {return_value}")
        props = {"ReturnValue": int(return_value)}
        props.update({documented[k.lower()]: v for k, v in out.items()})
        for name in spec.get("out", {}):
            props.setdefault(name, None)
        return PSObject(PSCUSTOMOBJECT, props)


def _doc(ctx: Any) -> DocumentedCim:
    return DocumentedCim(ctx.host.reference)


def _refuse_unmodelled(params: dict, *names: str) -> None:
    for name in ("CimSession", "ComputerName", "Query", "ResourceUri", "CimClass", "QueryDialect") + names:
        if params.get(name) is not None:
            raise NotModelled(f"-{name} (only class names on the local computer are simulated)")


def _namespace(params: dict) -> None:
    ns = params.get("Namespace")
    if ns is not None and str(ns).replace("\\", "/").lower() != NAMESPACE:
        raise NotModelled(f"the CIM namespace {ns!r} (only root/cimv2 is simulated)")


def _class(ctx: Any, params: dict, cmdlet: str) -> str:
    name = str(params.get("ClassName") or "")
    spec = ctx.host.reference.wmi_class(name)
    if spec is None:
        raise PSError("Invalid class ", category="MetadataError", target=name,
                      error_id=f"HRESULT 0x80041010,{CIM_NS}{cmdlet}", exception=CIM_EXCEPTION)
    if spec["name"] not in ("Win32_ShadowCopy", "Win32_ShadowProvider", "Win32_Process", "Win32_OperatingSystem"):
        raise NotModelled(f"the CIM class {spec['name']}")
    return spec["name"]


def shadow_object(doc: DocumentedCim, model: Cluster, snap: dict) -> CimInstance:
    csv = model.csv(snap["csv"])
    return doc.make_cim("Win32_ShadowCopy", {
        "ID": snap["id"], "SetID": snap.get("set_id"), "ProviderID": snap["provider_id"], "Count": 1,
        "DeviceObject": snap["device_object"], "VolumeName": f"\\\\?\\Volume{{{csv.id}}}\\",
        # OriginatingMachine: the machine holding the original volume (the coordinator when it was taken);
        # ServiceMachine: the machine whose VSS service created the shadow copy, where it is surfaced.
        "OriginatingMachine": snap.get("originating_machine", snap["node"]), "ServiceMachine": snap["node"],
        "InstallDate": EPOCH + timedelta(seconds=float(snap.get("created", 0.0))),
        # The attributes the class page documents, from how the shadow copy was made (wsfc_lab.vss): its context
        # (persistent, writers, client-accessible), its provider, and where it is exposed (a mounted folder).
        "ClientAccessible": bool(snap.get("client_accessible", True)),
        "Persistent": bool(snap.get("persistent", True)), "NoAutoRelease": bool(snap.get("persistent", True)),
        "NoWriters": not snap.get("writers", False),
        "HardwareAssisted": snap.get("provider_type") == "hardware",
        "ExposedName": (snap.get("exposed") or {}).get("path"), "ExposedLocally": bool(snap.get("exposed")),
        "ExposedRemotely": False,
    })


def provider_object(doc: DocumentedCim, provider: dict) -> CimInstance:
    return doc.make_cim("Win32_ShadowProvider", {
        "ID": provider["id"], "Name": provider["name"], "CLSID": provider["clsid"], "Type": provider["type"],
        "Version": provider["version"], "VersionID": provider["version_id"],
    })


@TABLE.register("Get-CimInstance")
def get_cim_instance(ctx: Any, params: dict, input_object: Any) -> Iterable[Any]:
    _refuse_unmodelled(params, "InputObject", "Filter", "Property", "KeyOnly")
    _namespace(params)
    name = _class(ctx, params, "GetCimInstanceCommand")
    model: Cluster = ctx.host
    doc = _doc(ctx)
    if name == "Win32_ShadowProvider":
        return [provider_object(doc, p) for p in model.shadow_providers()]
    if name == "Win32_OperatingSystem":
        return [doc.make_cim("Win32_OperatingSystem", model.os_info(ctx.node))]
    if name == "Win32_Process":
        # Only the processes of the lab's scheduled tasks are modelled (wsfc_lab.jobs.Scheduler.processes).
        from wsfc_lab.jobs import scheduler
        return [doc.make_cim("Win32_Process", dict(p, CreationDate=datetime.fromisoformat(p["CreationDate"])))
                for p in scheduler(model).processes(ctx.node)]
    return [shadow_object(doc, model, s) for s in model.visible_snapshots(ctx.node)]


def _arguments(value: Any) -> dict[str, Any]:
    if value is None:
        return {}
    if isinstance(value, (PSHashtable, dict)):
        return {str(k): v for k, v in value.items()}
    raise PSError(f"Cannot bind parameter 'Arguments'. Cannot convert the \"{value}\" value of type "
                  f"\"{type(value).__name__}\" to type \"System.Collections.IDictionary\".", category="InvalidArgument",
                  error_id=f"CannotConvertArgumentNoMessage,{CIM_NS}InvokeCimMethodCommand",
                  exception="System.Management.Automation.ParameterBindingException")


@TABLE.register("Invoke-CimMethod")
def invoke_cim_method(ctx: Any, params: dict, input_object: Any) -> Iterable[Any]:
    _refuse_unmodelled(params, "InputObject")
    _namespace(params)
    name = _class(ctx, params, "InvokeCimMethodCommand")
    spec = ctx.host.reference.wmi_class(name)
    method = next((m for m in spec.get("methods", {}) if m.lower() == str(params.get("MethodName", "")).lower()), None)
    if method is None:
        raise PSError("Method not found ", category="MetadataError", target=params.get("MethodName"),
                      error_id=f"HRESULT 0x80041055,{CIM_NS}InvokeCimMethodCommand", exception=CIM_EXCEPTION)
    if (name, method) != ("Win32_ShadowCopy", "Create"):
        raise NotModelled(f"the method {name}.{method}")
    mspec = spec["methods"][method]
    inputs = {k.lower(): k for k in mspec.get("in", {})}
    args: dict[str, Any] = {}
    for key, value in _arguments(params.get("Arguments")).items():
        if key.lower() not in inputs:
            raise PSError("Invalid parameter ", category="InvalidArgument", target=key,
                          error_id=f"HRESULT 0x80041008,{CIM_NS}InvokeCimMethodCommand", exception=CIM_EXCEPTION)
        args[inputs[key.lower()]] = value
    for key, value in mspec.get("defaults", {}).items():
        args.setdefault(key, value)
    if not ctx.should_process(name, f"Invoke-CimMethod: {method}"):
        return []
    doc = _doc(ctx)
    volume, context = args.get("Volume"), str(args.get("Context"))
    if volume in (None, ""):
        return [doc.method_result(name, method, 2, {"ShadowID": None})]
    if context not in MODELLED_CONTEXTS:
        raise NotModelled(f"the shadow copy context {context!r} (only ClientAccessible is simulated)")
    code, snap = ctx.host.create_snapshot(ctx.node, str(volume), context)
    return [doc.method_result(name, method, code, {"ShadowID": snap["id"] if snap else None})]


@TABLE.register("Remove-CimInstance")
def remove_cim_instance(ctx: Any, params: dict, input_object: Any) -> Iterable[Any]:
    _refuse_unmodelled(params)
    target = params.get("InputObject")
    if not isinstance(target, CimInstance):
        raise NotModelled("Remove-CimInstance without a CIM instance from Get-CimInstance")
    if target.class_name != "Win32_ShadowCopy":
        raise NotModelled(f"removing instances of {target.class_name}")
    shadow_id = str(target.get("ID"))
    if not ctx.should_process(shadow_id, "Remove-CimInstance"):
        return []
    if ctx.host.take_fault("snapshot_delete_fails", node=ctx.node):
        # WBEM_E_FAILED, the generic failure a CIM provider reports (the snapshot stays).
        raise PSError("Generic failure ", category="NotSpecified", target=shadow_id,
                      error_id=f"HRESULT 0x80041001,{CIM_NS}RemoveCimInstanceCommand", exception=CIM_EXCEPTION)
    try:
        ctx.host.delete_snapshot(ctx.node, shadow_id)
    except ModelError as exc:
        raise PSError(f"Not found {exc}", category="ObjectNotFound", target=shadow_id,
                      error_id=f"HRESULT 0x80041002,{CIM_NS}RemoveCimInstanceCommand", exception=CIM_EXCEPTION) from None
    return []
